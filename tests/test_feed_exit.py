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
