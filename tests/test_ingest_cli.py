"""The import command line: report, dry run, header mapping option, bad file exit code."""

from emergency import store
from emergency.ingest.__main__ import EXIT_FILE, EXIT_OK, main
from tests import ingest_fixtures as fx
from tests import tiny


def make_store(path):
    conn = store.connect(path)
    tiny.populate(conn)
    conn.close()
    return path


def counts(path):
    conn = store.connect(path)
    try:
        return store.scalar(conn, "SELECT count(*) FROM rainfall"), store.scalar(
            conn, "SELECT count(*) FROM import_log"
        )
    finally:
        conn.close()


def test_dry_run_reports_and_writes_nothing(tmp_path, capsys):
    db = make_store(tmp_path / "s.duckdb")
    csv = fx.rainfall_csv(tmp_path / "雨量.csv", encoding="gbk")
    assert main([str(csv), "--kind", "rainfall", "--db", str(db), "--dry-run"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "雨量.csv · 降雨量 · csv · gb18030" in out
    assert "通过 19" in out and "拒收 9" in out
    assert "行号 23: 缺测标记值" in out
    assert counts(db) == (7, 0)


def test_import_with_explicit_mapping_and_source(tmp_path, capsys):
    db = make_store(tmp_path / "s.duckdb")
    csv = tmp_path / "rain.csv"
    csv.write_text("a,b,c\nG1,2026-06-21 01:00,1\nG2,2026-06-21 01:00,2\n", encoding="utf-8")
    argv = [
        str(csv),
        "--kind",
        "rainfall",
        "--db",
        str(db),
        "--map",
        "station=a",
        "--map",
        "ts=b",
        "--map",
        "mm=c",
        "--source",
        "区气象局",
        "--user",
        "李四",
        "--lang",
        "en",
    ]
    assert main(argv) == EXIT_OK
    assert "Accepted 2" in capsys.readouterr().out
    conn = store.connect(db)
    assert store.run(conn, "SELECT source, user_name FROM import_log").to_dict("records") == [
        {"source": "区气象局", "user_name": "李四"}
    ]
    conn.close()


def test_bad_file_is_one_line_and_exit_1(tmp_path, capsys):
    db = make_store(tmp_path / "s.duckdb")
    csv = tmp_path / "空.csv"
    csv.write_bytes(b"")
    assert main([str(csv), "--kind", "rainfall", "--db", str(db)]) == EXIT_FILE
    err = capsys.readouterr().err
    assert err.strip() == "文件 空.csv：文件是空的。"
    assert counts(db) == (7, 0)


def test_bench_import_runs_small():
    from emergency.ingest.benchmark import bench_import

    result = bench_import(rows=3000, stations=10)
    assert result["rows"] == result["accepted"] == 3000 and result["rejected"] == 0
    assert result["rows_per_s"] > 0 and result["ratio"] > 0 and result["peak_rss_mb"] > 0
    assert result["read_csv_file_cpu_s"] > 0 and result["mapped"]["cpu_ratio_file"] > 0


def test_a_command_line_import_tells_the_app_replicas_at_its_commit(tmp_path, capsys):
    """On a server store the import's own transaction moves the replicas' cache stamp (DuckDB: none)."""
    from emergency import shared_cache

    db = make_store(tmp_path / "s.duckdb")
    conn = store.connect(db)
    try:
        before, shared = shared_cache.read(conn), store.is_postgres(conn)
    finally:
        conn.close()
    csv = tmp_path / "rain.csv"
    csv.write_text("站码,时间,雨量\nG1,2026-06-21 01:00,1\n", encoding="utf-8")
    assert main([str(csv), "--kind", "rainfall", "--db", str(db), "--dry-run"]) == EXIT_OK
    conn = store.connect(db)
    try:
        assert shared_cache.read(conn) == before  # a dry run writes nothing, the stamp included
    finally:
        conn.close()
    assert main([str(csv), "--kind", "rainfall", "--db", str(db)]) == EXIT_OK
    conn = store.connect(db)
    try:
        after = shared_cache.read(conn)
    finally:
        conn.close()
    if shared:
        assert after and after != before
    else:
        assert after is None
