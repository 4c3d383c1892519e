"""The PostgreSQL server store: concurrent writers from several processes, migrations once, locks.

These tests start their own throw-away PostgreSQL cluster (tests/pg_store.py) when the session
runs on DuckDB, so both CI runs check them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from emergency import actions, config, pgstore, shared_cache, store
from emergency.access import Actor
from tests import ingest_fixtures as fx
from tests import tiny
from tests.feed_sources import pg_available

pytestmark = pytest.mark.skipif(not pg_available(), reason="needs Debian's postgresql (scripts/test.sh installs it)")

STATIONS = 50
ROWS = 40_000  # per file: 800 five-minute steps of 50 stations
READERS = 3


@pytest.fixture(scope="module")
def stores(pg_stores):
    """The session's server when it runs on PostgreSQL, else one started for this module."""
    if pg_stores is not None:
        yield pg_stores
        return
    from tests.pg_store import StoreFactory

    factory = StoreFactory()
    try:
        yield factory
    finally:
        factory.remove()


@pytest.fixture
def url(stores):
    """A fresh server store with the tiny data and the benchmark gauges B0000..B0049."""
    target = stores.create(prefix="w")
    conn = store.connect(target)
    tiny.populate(conn)
    gauges = fx.big_gauges(STATIONS)
    conn.register("gauges", gauges)
    conn.execute("INSERT INTO rain_gauges (code, name, lon, lat) SELECT code, name, lon, lat FROM gauges")
    conn.unregister("gauges")
    conn.close()
    return target


def rain_files(tmp_path, n: int) -> list:
    """``n`` files of ROWS rows each, over consecutive, non-overlapping periods."""
    files = []
    for index in range(n):
        path = tmp_path / f"rain-{index}.csv"
        fx.big_rainfall_csv(path, ROWS, stations=STATIONS, start_step=index * ROWS // STATIONS)
        files.append(path)
    return files


def _cli_import(path, target) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emergency",
            "ingest",
            str(path),
            "--kind",
            "rainfall",
            "--db-url",
            target,
            "--lang",
            "en",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=config.PROJECT_ROOT,
    )


def test_two_cli_imports_and_the_app_import_at_once_with_readers(url, tmp_path):
    files = rain_files(tmp_path, 3)
    app_conn = store.connect(url)  # the app process's one connection
    valid = {0, ROWS, 2 * ROWS, 3 * ROWS}
    seen: set[int] = set()
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        conn = store.connect(url, read_only=True)  # readers in another "process" (connection) too
        try:
            while not stop.is_set():
                for reader in (conn, app_conn):
                    try:
                        n = store.scalar(reader, "SELECT count(*) FROM rainfall WHERE station LIKE 'B%'")
                        seen.add(n)
                        if n not in valid:
                            errors.append(f"half a file: {n} rows")
                        hourly = store.scalar(reader, "SELECT sum(readings) FROM rain_hourly WHERE station LIKE 'B%'")
                        if hourly is not None and int(hourly) not in valid:
                            errors.append(f"hourly sums out of step: {hourly}")
                    except Exception as error:  # any reader failure fails the test
                        errors.append(repr(error))
        finally:
            conn.close()

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for thread in readers:
        thread.start()
    try:
        clis = [_cli_import(files[0], url), _cli_import(files[1], url)]
        admin = Actor("admin", "管理员", "admin")
        # The import page's code path (components/cached.import_file → actions.import_file).
        report = actions.import_file(app_conn, admin, files[2], "rainfall", file_name=files[2].name)
        outputs = [process.communicate(timeout=600) for process in clis]
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    for process, (out, err) in zip(clis, outputs, strict=True):
        assert process.returncode == 0, err
        assert f"Accepted {ROWS:,}" in out and "Traceback" not in err
    assert report.inserted == ROWS
    assert errors == []
    assert len(seen) >= 2  # the readers really ran across the imports
    assert store.scalar(app_conn, "SELECT count(*) FROM rainfall WHERE station LIKE 'B%'") == 3 * ROWS
    assert store.scalar(app_conn, "SELECT count(*) FROM (SELECT DISTINCT station, ts FROM rainfall)") == 3 * ROWS + 7
    assert store.scalar(app_conn, "SELECT sum(readings) FROM rain_hourly WHERE station LIKE 'B%'") == 3 * ROWS
    log = store.run(app_conn, "SELECT file_name, accepted, inserted FROM import_log ORDER BY file_name")
    assert list(log["file_name"]) == [f.name for f in files]
    assert set(log["accepted"]) == {ROWS} and set(log["inserted"]) == {ROWS}
    audited = store.scalar(app_conn, "SELECT count(*) FROM audit_log WHERE action = 'import' AND outcome = 'ok'")
    assert audited == 3
    app_conn.close()


MIGRATE = "import sys; from emergency import store; store.connect(sys.argv[1]).close(); print('ok')"


def test_migrations_run_once_when_processes_start_together(stores):
    target = stores.create(prefix="m")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, target],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=config.PROJECT_ROOT,
        )
        for _ in range(4)
    ]
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0 and out.strip() == "ok", err
    conn = store.connect(target, read_only=True)
    assert store.schema_version(conn) == store.SCHEMA_VERSION
    # every seeded table once, not four times
    assert store.scalar(conn, "SELECT count(*) FROM signal_thresholds") == 4
    conn.close()


@pytest.mark.parametrize("kind", ["duckdb", "postgres"])
def test_a_newer_schema_is_refused_with_a_message(kind, stores, tmp_path):
    target = stores.create(prefix="n") if kind == "postgres" else tmp_path / "s.duckdb"
    conn = store.connect(target)
    store.set_meta(conn, {"schema_version": str(store.SCHEMA_VERSION + 1)})
    conn.close()
    with pytest.raises(store.SchemaTooNew, match="newer than this program"):
        store.connect(target)
    with pytest.raises(store.SchemaTooNew):
        store.connect(target, read_only=True)
    result = subprocess.run(
        [sys.executable, "-m", "emergency", "status", "--db", str(target)],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        timeout=120,
    )
    assert result.returncode != 0 and "newer than this program" in result.stderr
    assert "Traceback" not in result.stderr and "Hy-Pw" not in result.stderr


def test_advisory_locks_exclude_other_processes(stores):
    target = stores.fresh()
    first = pgstore.AdvisoryLock(target, "feed-worker")
    second = pgstore.AdvisoryLock(target, "feed-worker")
    assert first.acquire(blocking=False)
    assert not second.acquire(blocking=False)  # another session (process) is refused
    first.release()
    assert second.acquire(blocking=False)
    second.release()


def test_cli_status_and_user_on_the_server_store(stores, tmp_path):
    target = stores.fresh()
    env = {**os.environ, config.DB_URL_ENV: target}
    run = dict(capture_output=True, text=True, cwd=config.PROJECT_ROOT, timeout=300, env=env)
    built = subprocess.run([sys.executable, "-m", "emergency", "demo"], **run)
    assert built.returncode == 0, built.stderr
    assert "Hy-Pw" not in built.stdout  # the password never printed
    added = subprocess.run(
        [sys.executable, "-m", "emergency", "user", "add", "zhang", "--role", "duty", "--password-stdin"],
        input="s3cret-Passw0rd\n",
        **run,
    )
    assert added.returncode == 0, added.stderr
    status = subprocess.run([sys.executable, "-m", "emergency", "status"], **run)
    assert status.returncode == 0, status.stderr
    assert "demo" in status.stdout and "rainfall" in status.stdout and "Hy-Pw" not in status.stdout
    conn = store.connect(target, read_only=True)
    assert store.scalar(conn, "SELECT role FROM users WHERE username = 'zhang'") == "duty"
    first = shared_cache.read(conn)
    conn.close()
    # A rebuilt demo replaces the old one in one transaction (a reader never sees an empty store)
    # and moves the replicas' cache stamp (none keeps showing the old store).
    assert first, "the demo build stored no cache stamp"
    rebuild = subprocess.Popen(
        [sys.executable, "-m", "emergency", "demo"],
        cwd=config.PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    conn = store.connect(target, read_only=True)
    try:
        while rebuild.poll() is None:
            seen.append(
                store.scalar(conn, "SELECT count(*) FROM rain_gauges")
                * store.scalar(conn, "SELECT count(*) FROM rainfall")
            )
            time.sleep(0.05)
    finally:
        conn.close()
    out, err = rebuild.communicate(timeout=300)
    assert rebuild.returncode == 0, err
    assert seen and min(seen) > 0, "a reader saw the store empty during the rebuild"
    conn = store.connect(target, read_only=True)
    assert shared_cache.read(conn) not in (None, first)
    conn.close()


def test_an_unreachable_server_is_a_message_without_the_password(tmp_path):
    url = f"postgresql://yitu:Secr3t-Pw@/yitu?host={tmp_path}&port=1"
    for read_only in (True, False):
        with pytest.raises(pgstore.StoreError) as caught:
            store.connect(url, read_only=read_only)
        assert "Secr3t-Pw" not in str(caught.value) and "yitu:***@" in str(caught.value)
    assert not store.exists(url)
    result = subprocess.run(
        [sys.executable, "-m", "emergency", "status", "--db-url", url],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        timeout=120,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr and "Secr3t-Pw" not in result.stderr


GUESSES = """
import sys, threading, time
from emergency import access, actions, store
from emergency.access import LoginRefused

access.BCRYPT_ROUNDS = 4
conn = store.connect(sys.argv[1])
settings = access.AuthSettings(mode="local", max_failed_logins=5, lockout_minutes=15)
start_at = float(sys.argv[2])
outcomes = []

def guess(number):
    time.sleep(max(0.0, start_at - time.time()))
    try:
        actions.sign_in(conn, "duty", f"wrong-{number}", "10.0.0.66", settings)
        outcomes.append("signed in")
    except LoginRefused as refusal:
        outcomes.append(refusal.detail)

threads = [threading.Thread(target=guess, args=(n,)) for n in range(5)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(" ".join(outcomes))
"""


def test_wrong_guesses_from_several_processes_lock_after_exactly_max(stores):
    """Four app processes (replicas) take 5 wrong guesses each at the same moment: the account
    locks at the 5th failure overall, as with one process (a per-account advisory lock)."""
    from emergency import access

    target = stores.fresh()
    conn = store.connect(target)
    access.create_user(conn, "duty", "duty", "值班员乙", "right-Passw0rd")
    conn.close()
    start_at = time.time() + 20  # every process connected and waiting by then
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", GUESSES, target, str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=config.PROJECT_ROOT,
        )
        for _ in range(4)
    ]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        outcomes += out.split()
    assert len(outcomes) == 20
    assert outcomes.count("bad_credentials") == 4
    assert outcomes.count("bad_credentials_locked_now") == 1
    assert outcomes.count("locked") == 15
    conn = store.connect(target, read_only=True)
    assert store.scalar(conn, "SELECT count(*) FROM audit_log WHERE action = 'login_failed'") == 20
    assert store.scalar(conn, "SELECT locked_until IS NOT NULL FROM users WHERE username = 'duty'")
    conn.close()
