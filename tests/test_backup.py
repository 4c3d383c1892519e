"""Backups and restores: the DuckDB store while the app serves it and with no process holding it;
the PostgreSQL server store with pg_dump / pg_restore (on the ``--store=postgres`` run, the
fixture's server).

Every restore is checked table by table (row count and a hash of every row, and every
sequence) against the store as it was when the backup was taken.
"""

from __future__ import annotations

import subprocess
import sys
import threading

import duckdb
import pytest

from emergency import backup, config, pgstore, store
from tests.browser import app_process, browser_page, wait_for_app
from tests.conftest import on_postgres


@pytest.fixture(autouse=True)
def _store_kind(request):
    """DuckDB tests on the DuckDB run, PostgreSQL tests on the PostgreSQL run."""
    wants_pg = request.node.name.startswith("test_pg_")
    if wants_pg != on_postgres(request):
        pytest.skip("runs on the " + ("PostgreSQL" if wants_pg else "DuckDB") + " run of the suite")


def fingerprint(conn) -> dict[str, tuple[int, int]]:
    """(rows, sum of row hashes) of every table, and the next value of every sequence."""
    tables = [r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    out = {
        table: tuple(
            conn.execute(f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{table}" AS t').fetchone()
        )
        for table in tables
    }
    for name, last in conn.execute(
        "SELECT sequence_name, coalesce(last_value, start_value - 1) FROM duckdb_sequences()"
    ).fetchall():
        out[f"sequence {name}"] = (int(last), 0)
    return out


def file_fingerprint(path) -> dict:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return fingerprint(conn)
    finally:
        conn.close()


def cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "emergency", *map(str, args)],
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_backup_and_restore_with_no_process_holding_the_store(demo_copy, tmp_path):
    before = file_fingerprint(demo_copy)
    assert before["rainfall"][0] > 1000
    out = tmp_path / "nightly.duckdb"
    done = cli("backup", out, "--db", demo_copy)
    assert done.returncode == 0, done.stderr
    assert "directly" in done.stdout and out.exists()
    assert file_fingerprint(out) == before
    # The store changes after the backup ...
    conn = store.connect(demo_copy)
    try:
        conn.execute("DELETE FROM incidents")
        conn.execute("UPDATE rainfall SET mm = mm + 1")
        conn.execute("SELECT nextval('audit_id')")
    finally:
        conn.close()
    assert file_fingerprint(demo_copy) != before
    # ... and the restore brings back exactly what the backup held, keeping the replaced file.
    done = cli("restore", out, "--db", demo_copy)
    assert done.returncode == 0, done.stderr
    assert file_fingerprint(demo_copy) == before
    kept = list(tmp_path.glob("demo.duckdb.before-restore-*"))
    assert len(kept) == 1 and file_fingerprint(kept[0])["incidents"][0] == 0
    # The restored store opens for writing and its sequences go on after the backup's values.
    conn = store.connect(demo_copy)
    try:
        conn.execute("SELECT nextval('audit_id')")
    finally:
        conn.close()


def test_backup_while_the_app_serves_the_store(demo_copy, tmp_path):
    out = tmp_path / "while-serving.duckdb"
    with app_process(demo_copy) as (url, _process), browser_page(url) as (page, _watch):
        page.goto(url)  # the first session opens the store
        wait_for_app(page)
        # The app holds the file: nobody else can open it, not even to read.
        with pytest.raises(duckdb.IOException):
            duckdb.connect(str(demo_copy), read_only=True)
        done = cli("backup", out, "--db", demo_copy)
        assert done.returncode == 0, done.stderr
        assert "by the app holding the store" in done.stdout
        # A restore is refused while the app holds the store, and changes nothing.
        refused = cli("restore", out, "--db", demo_copy)
        assert refused.returncode == 1 and "stop the app first" in refused.stderr
        # A second backup to the same name is refused (never overwrites a backup).
        again = cli("backup", out, "--db", demo_copy)
        assert again.returncode == 1 and "exists already" in again.stderr
    assert file_fingerprint(out) == file_fingerprint(demo_copy)
    assert not list(tmp_path.glob("*.partial"))


def test_backup_is_one_snapshot_while_writers_go_on(tmp_path):
    """Two tables written together in one transaction, over and over: every backup holds both or neither."""
    conn = store.connect(tmp_path / "busy.duckdb")
    conn.execute("CREATE TABLE a (i INTEGER)")
    conn.execute("CREATE TABLE b (i INTEGER)")
    stop = threading.Event()

    def write():
        cursor = conn.cursor()
        i = 0
        while not stop.is_set():
            i += 1
            cursor.execute("BEGIN")
            cursor.execute("INSERT INTO a SELECT range FROM range(?)", [50])
            cursor.execute("INSERT INTO b VALUES (?)", [i])
            cursor.execute("COMMIT")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for n in range(6):
            result = backup.copy_duckdb(conn, tmp_path / f"b{n}.duckdb")
            copy = duckdb.connect(result["path"], read_only=True)
            try:
                a, b = (copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("a", "b"))
            finally:
                copy.close()
            assert a == 50 * b
    finally:
        stop.set()
        writer.join()
        conn.close()


def test_restore_refuses_what_is_not_a_store(demo_copy, tmp_path):
    before = file_fingerprint(demo_copy)
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database" * 100)
    done = cli("restore", junk, "--db", demo_copy)
    assert done.returncode == 1 and "not a readable DuckDB store" in done.stderr
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    done = cli("restore", empty, "--db", demo_copy)
    assert done.returncode == 1 and "holds no store" in done.stderr
    done = cli("restore", tmp_path / "missing.duckdb", "--db", demo_copy)
    assert done.returncode == 1 and "no backup file" in done.stderr
    assert file_fingerprint(demo_copy) == before


def test_a_request_nobody_answers_is_withdrawn(tmp_path):
    db = tmp_path / "x.duckdb"
    folder = backup.request_dir(db)
    folder.mkdir()
    with pytest.raises(backup.BackupError, match="did not answer within"):
        backup.request_backup(db, tmp_path / "out.duckdb", wait_s=1)
    assert not list(folder.iterdir())
    folder.rmdir()
    with pytest.raises(backup.BackupError, match="takes no backup requests"):
        backup.request_backup(db, tmp_path / "out.duckdb", wait_s=1)


def pg_fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """(rows, md5 of the sorted rows) of every table of the server store, and every sequence's last value."""
    import psycopg

    with psycopg.connect(pgstore.libpq_url(url)) as pg:
        tables = [r[0] for r in pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        out = {
            table: tuple(
                pg.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
                ).fetchone()
            )
            for table in tables
        }
        for name, last in pg.execute("SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences ORDER BY 1"):
            out[f"sequence {name}"] = (int(last), "")
    return out


def test_pg_dump_backup_and_restore(demo_copy, tmp_path):
    url = str(demo_copy)
    before = pg_fingerprint(url)
    assert before["rainfall"][0] > 1000 and before["login_sessions"] is not None
    out = tmp_path / "nightly.pgdump"
    done = cli("backup", out, "--db", url)
    assert done.returncode == 0, done.stderr
    assert "pg_dump" in done.stdout and out.stat().st_size > 10_000
    # The password stays out of every message.
    password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert password not in done.stdout + done.stderr
    conn = store.connect(url)
    try:
        cursor = conn.cursor()
        cursor.execute("DELETE FROM incidents")
        cursor.execute("UPDATE rainfall SET mm = mm + 1")
    finally:
        conn.close()
    import psycopg

    with psycopg.connect(pgstore.libpq_url(url)) as pg:
        pg.execute("SELECT nextval('audit_id')")
    assert pg_fingerprint(url) != before
    done = cli("restore", out, "--db", url)
    assert done.returncode == 0, done.stderr
    assert pg_fingerprint(url) == before
    # The restored store opens (schema current) and takes writes again.
    conn = store.connect(url)
    try:
        assert store.schema_version(conn) == store.SCHEMA_VERSION
    finally:
        conn.close()


def test_pg_restore_of_a_broken_file_changes_nothing(demo_copy, tmp_path):
    url = str(demo_copy)
    before = pg_fingerprint(url)
    junk = tmp_path / "junk.pgdump"
    junk.write_bytes(b"PGDMP" + b"x" * 500)
    done = cli("restore", junk, "--db", url)
    assert done.returncode == 1 and "pg_restore failed" in done.stderr
    assert pg_fingerprint(url) == before
    taken = tmp_path / "taken.pgdump"
    taken.write_bytes(b"")
    done = cli("backup", taken, "--db", url)
    assert done.returncode == 1 and "exists already" in done.stderr
