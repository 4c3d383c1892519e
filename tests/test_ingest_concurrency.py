"""Imports while readers read.

No reader error, no half file seen, exact counts; CLI vs. the app's lock; kill -9 mid-import.
"""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from emergency import config, store
from emergency.ingest import import_file
from tests import ingest_fixtures as fx
from tests import tiny

STATIONS = 50
ROWS = 40_000  # per file: 800 five-minute steps of 50 stations
READERS = 4


@pytest.fixture
def store_file(tmp_path):
    """A tiny store on disk with the benchmark gauges B0000..B0049 registered."""
    path = tmp_path / "store.duckdb"
    conn = store.connect(path)
    tiny.populate(conn)
    gauges = fx.big_gauges(STATIONS)
    conn.register("gauges", gauges)
    conn.execute("INSERT INTO rain_gauges (code, name, lon, lat) SELECT code, name, lon, lat FROM gauges")
    conn.unregister("gauges")
    conn.close()
    return path


def rain_files(tmp_path, n: int) -> list:
    """``n`` files of ROWS rows each, over consecutive, non-overlapping periods."""
    files = []
    for index in range(n):
        path = tmp_path / f"rain-{index}.csv"
        fx.big_rainfall_csv(path, ROWS, stations=STATIONS, start_step=index * ROWS // STATIONS)
        files.append(path)
    return files


def test_readers_never_fail_nor_see_half_a_file(store_file, tmp_path):
    conn = store.connect(store_file)
    files = rain_files(tmp_path, 3)
    valid = {0, ROWS, 2 * ROWS, 3 * ROWS}
    seen: set[int] = set()
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                n = store.scalar(conn, "SELECT count(*) FROM rainfall WHERE station LIKE 'B%'")
                total = store.scalar(conn, "SELECT count(*) FROM import_log")
                seen.add(n)
                if n not in valid:
                    errors.append(f"half a file: {n} rows (imports logged: {total})")
            except Exception as error:  # any reader failure fails the test
                errors.append(repr(error))

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for thread in readers:
        thread.start()
    try:
        # Two writers at once plus a re-import: the engine's lock serializes them.
        writers = [
            threading.Thread(target=import_file, args=(conn, files[0], "rainfall")),
            threading.Thread(target=import_file, args=(conn, files[1], "rainfall")),
        ]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
        import_file(conn, files[0], "rainfall")  # unchanged
        import_file(conn, files[2], "rainfall")
        time.sleep(0.2)
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert errors == []
    assert store.scalar(conn, "SELECT count(*) FROM rainfall WHERE station LIKE 'B%'") == 3 * ROWS
    assert store.scalar(conn, "SELECT count(*) FROM (SELECT DISTINCT station, ts FROM rainfall)") == 3 * ROWS + 7
    assert store.scalar(conn, "SELECT count(*) FROM import_log") == 4
    assert len(seen) >= 2  # the readers really ran across the imports
    conn.close()


def test_cli_refuses_while_the_app_holds_the_store(store_file, tmp_path):
    app_conn = store.connect(store_file)  # the app process holds the read-write lock
    path = fx.rainfall_csv(tmp_path / "rain.csv", bad_rows=False)
    before = store.scalar(app_conn, "SELECT count(*) FROM rainfall")
    result = subprocess.run(
        [sys.executable, "-m", "emergency.ingest", str(path), "--kind", "rainfall", "--db", str(store_file)],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        timeout=60,
    )
    assert result.returncode == 3
    assert "数据导入" in result.stderr and "Traceback" not in result.stderr
    assert store.scalar(app_conn, "SELECT count(*) FROM rainfall") == before
    app_conn.close()
    # With the app stopped, the same command imports.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "emergency.ingest",
            str(path),
            "--kind",
            "rainfall",
            "--db",
            str(store_file),
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Accepted 18" in result.stdout


KILLED_IMPORT = textwrap.dedent("""
    import sys, time
    from emergency import store
    from emergency.ingest import import_file

    def progress(stage, fraction):
        if stage == "commit":  # every row is written inside the open transaction
            print("COMMITTING", flush=True)
            time.sleep(120)

    conn = store.connect(sys.argv[1])
    import_file(conn, sys.argv[2], "rainfall", progress=progress)
    """)


def test_kill_9_mid_transaction_leaves_the_store_as_before(store_file, tmp_path):
    path = rain_files(tmp_path, 1)[0]
    conn = store.connect(store_file)
    before = {t: store.scalar(conn, f"SELECT count(*) FROM {t}") for t in ("rainfall", "import_log", "quarantine")}
    conn.close()
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(store_file), str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=config.PROJECT_ROOT,
    )
    try:
        assert process.stdout.readline().strip() == "COMMITTING"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    conn = store.connect(store_file)
    after = {t: store.scalar(conn, f"SELECT count(*) FROM {t}") for t in before}
    assert after == before
    report = import_file(conn, path, "rainfall")  # simply run again
    assert report.inserted == ROWS
    assert store.scalar(conn, "SELECT count(*) FROM rainfall") == before["rainfall"] + ROWS
    conn.close()


def test_cli_queue_hands_the_file_to_the_app(store_file, tmp_path):
    from emergency.ingest import inbox

    app_conn = store.connect(store_file)
    good = fx.rainfall_csv(tmp_path / "rain.csv", bad_rows=False)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for path in (good, empty):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "emergency.ingest",
                str(path),
                "--kind",
                "rainfall",
                "--db",
                str(store_file),
                "--queue",
                "--source",
                "区水利局",
            ],
            capture_output=True,
            text=True,
            cwd=config.PROJECT_ROOT,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "收件箱" in result.stdout
    assert len(inbox.pending(store_file)) == 2
    before = store.scalar(app_conn, "SELECT count(*) FROM rainfall")
    results = inbox.process(app_conn, store_file)
    assert [r["ok"] for r in results] == [True, False]
    assert results[0]["accepted"] == 18 and "empty.csv" in results[1]["message"]
    assert store.scalar(app_conn, "SELECT count(*) FROM rainfall") == before + 18
    assert store.scalar(app_conn, "SELECT source FROM import_log") == "区水利局"
    assert inbox.pending(store_file) == [] and inbox.process(app_conn, store_file) == []
    folder = inbox.inbox_dir(store_file)
    assert len(list((folder / "done").iterdir())) == 1 and len(list((folder / "failed").iterdir())) == 1
    app_conn.close()
