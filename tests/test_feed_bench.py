"""The feed benchmark runs end to end (tiny scale; the timing itself is printed by the benchmark, not tested)."""

from emergency.feed import bench


def test_bench_runs_both_cases(tmp_path, monkeypatch):
    settings = tmp_path / "s.toml"
    monkeypatch.setenv("YITU_SETTINGS", str(settings))
    results = bench.run(20, tmp_path)
    assert not settings.exists()  # the benchmark writes no feed URL into the settings file
    assert [r["case"] for r in results] == ["5 min of reports", "24 h catch-up"]
    assert results[0]["new_rows"] == 20 and results[1]["new_rows"] == 20 * 288
    assert all(r["sync_s"] > 0 and r["duckdb_s"] > 0 for r in results)
