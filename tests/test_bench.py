"""The benchmark suite runs at a tiny scale so it cannot rot (its numbers are printed, not asserted)."""

import json

from emergency import bench


def test_bench_runs_small(tmp_path, capsys):
    out = tmp_path / "bench.json"
    result = bench.main(scale=0.2, json_path=str(out), path=str(tmp_path / "bench.duckdb"))
    assert result["rows"]["rainfall"] > 0
    assert {row["query"] for row in result["queries"]} >= {"kpis", "township_metrics", "gauge_totals"}
    assert all(row.get("ratio") for row in result["queries"] if "error" not in row)
    assert set(result["pages"]) >= {"cold start", "warm rerun", "all layers"}
    assert all(view["payload_mb"] > 0 for view in result["pages"].values())
    assert json.loads(out.read_text())["scale"] == 0.2
    assert result["features"]["import"]["rows"] == result["rows"]["rainfall"]
    assert result["features"]["radius_50k"]["median_ms"] > 0
    assert "one-map view" in capsys.readouterr().out
