"""The app's sync loop never aborts the process at exit, even while it is inside DuckDB."""

import subprocess
import sys
import textwrap

from emergency import config

BUSY_LOOP = textwrap.dedent(
    """
    import sys, time, duckdb
    from emergency.feed import worker

    conn = duckdb.connect(sys.argv[1])

    def busy_run(conn, scheduler):  # a run of many short statements, as a sync's writes are
        cursor = conn.cursor()
        end = time.monotonic() + 3.0
        while time.monotonic() < end:
            cursor.execute("SELECT count(*) FROM range(2000000) t(i) WHERE i % 7 = 3").fetchall()
        return []

    worker.run_due = busy_run
    worker.start(conn, sys.argv[1])
    time.sleep(0.5)
    print("main thread done")
    """
)


def test_the_process_exits_cleanly_while_the_loop_is_inside_duckdb(tmp_path):
    for attempt in range(3):
        result = subprocess.run(
            [sys.executable, "-c", BUSY_LOOP, str(tmp_path / f"store{attempt}.duckdb")],
            cwd=config.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert "main thread done" in result.stdout
        assert "exception not rethrown" not in result.stderr


def test_a_store_that_stays_down_is_one_traceback_then_one_line_a_tick(monkeypatch, caplog):
    """The loop outlives a store that is down; it logs the traceback once, then one line a tick, and
    a lock it cannot release at the end (the server is gone) is a warning, not a dead thread's traceback."""
    import logging
    import threading

    from emergency.feed import worker

    class DownLock:
        path = "the PostgreSQL advisory lock 'feed-worker'"

        def acquire(self, blocking=False):
            return True

        def release(self):
            raise OSError("connection to server on socket failed: No such file or directory")

    ticks = threading.Semaphore(0)

    def down(conn, scheduler):
        ticks.release()
        raise OSError("Unable to connect to Postgres: No such file or directory")

    monkeypatch.setattr(worker, "TICK_S", 0.01)
    monkeypatch.setattr(worker, "run_due", down)
    monkeypatch.setattr(worker, "store_lock", lambda db_path: worker._NonBlocking(DownLock()))
    loop = worker.Worker(conn=None, db_path="postgresql://x@/y")
    with caplog.at_level(logging.WARNING, logger=worker.log.name):
        loop.start()
        for _ in range(3):
            assert ticks.acquire(timeout=10)
        loop.stop()
        loop.join(10)
    assert not loop.is_alive()
    # This loop's records only: the app tests' own sync loops may still run in this process, and
    # they call the same (patched) run_due.
    failures = [r for r in caplog.records if r.getMessage().startswith("feed sync loop") and r.thread == loop.ident]
    assert failures[0].exc_info and all(not r.exc_info for r in failures[1:]) and len(failures) >= 2
    assert any(r.getMessage().startswith("feed lock not released") for r in caplog.records)
