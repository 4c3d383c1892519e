"""Schema, migrations and the query choke point."""

import duckdb
import pytest

from emergency import store

TABLES = {
    "meta",
    "county",
    "townships",
    "rain_gauges",
    "rainfall",
    "incidents",
    "warehouses",
    "stock",
    "teams",
    "shelters",
    "hazard_points",
    "import_log",
    "users",
    "login_sessions",
    "audit_log",
}


def test_fresh_store_has_every_table_and_current_version(tmp_path):
    conn = store.connect(tmp_path / "s.duckdb")
    names = set(store.run(conn, "SELECT table_name FROM information_schema.tables")["table_name"])
    assert names >= TABLES
    assert store.schema_version(conn) == store.SCHEMA_VERSION


def test_timestamps_are_documented_as_shanghai_local_time(tmp_path):
    conn = store.connect(tmp_path / "s.duckdb")
    comment = store.scalar(
        conn, "SELECT comment FROM duckdb_columns() WHERE table_name = 'rainfall' AND column_name = 'ts'"
    )
    assert "Asia/Shanghai" in comment


def test_reopen_does_not_migrate_again(tmp_path):
    path = tmp_path / "s.duckdb"
    conn = store.connect(path)
    conn.execute("INSERT INTO teams (name, kind, members, lon, lat) VALUES ('队', 'militia', 5, 118, 28.4)")
    conn.close()
    conn = store.connect(path)
    assert store.scalar(conn, "SELECT count(*) FROM teams") == 1


def test_forward_migration_keeps_data(tmp_path, monkeypatch):
    path = tmp_path / "s.duckdb"
    conn = store.connect(path)
    conn.execute("INSERT INTO teams (name, kind, members, lon, lat) VALUES ('队', 'militia', 5, 118, 28.4)")
    conn.close()
    step = (store.SCHEMA_VERSION + 1, "ALTER TABLE teams ADD COLUMN radio VARCHAR;")
    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, step])
    conn = store.connect(path)
    assert store.schema_version(conn) == step[0]
    assert store.run(conn, "SELECT name, radio FROM teams").to_dict("records") == [{"name": "队", "radio": None}]


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    path = tmp_path / "s.duckdb"
    store.connect(path).close()
    broken = (store.SCHEMA_VERSION + 1, "ALTER TABLE teams ADD COLUMN ok VARCHAR; THIS IS NOT SQL;")
    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, broken])
    with pytest.raises(duckdb.Error):
        store.connect(path)
    monkeypatch.undo()
    conn = store.connect(path)
    assert store.schema_version(conn) == store.SCHEMA_VERSION
    assert "ok" not in set(store.run(conn, "DESCRIBE teams")["column_name"])


def test_run_uses_parameters(tmp_path):
    conn = store.connect(tmp_path / "s.duckdb")
    assert store.run(conn, "SELECT ? AS a, ? AS b", [1, "x"]).to_dict("records") == [{"a": 1, "b": "x"}]
