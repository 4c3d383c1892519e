"""scripts/serve.py --replicas: the supervisor starts, restarts and stops app processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from emergency import config, replicas
from tests.browser import ARTIFACTS, free_port

START_TIMEOUT_S = 120


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until(predicate, timeout: float, what: str, log_path=None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            tail = log_path.read_text()[-3000:] if log_path else ""
            raise AssertionError(f"timed out waiting for {what}\n{tail}")
        time.sleep(0.3)


def pids(log_path, index: int) -> list[int]:
    return [int(p) for p in re.findall(rf"replica {index} starting on port \d+ \(pid (\d+)\)", log_path.read_text())]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too (the supervisor reaps its children; this test is not their parent).
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def serve(*arguments: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``scripts/serve.py`` with ``arguments`` until it exits (the refusals: it never starts serving)."""
    return subprocess.run(
        [sys.executable, "scripts/serve.py", *arguments],
        cwd=config.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_options_are_split_and_passed_on():
    assert replicas.option_value(["--server.port", "9000"], "--server.port") == "9000"
    assert replicas.option_value(["--server.port=9001", "x"], "--server.port") == "9001"
    assert replicas.without_option(["a", "--server.port", "1", "--server.port=2", "b"], "--server.port") == ["a", "b"]
    supervisor = replicas.Supervisor(3, ["--server.address", "127.0.0.1", "--server.port", "9100", "--x", "y"], ["S"])
    assert [r.port for r in supervisor.replicas] == [9100, 9101, 9102]
    assert supervisor.replicas[2].command == ["S", "--server.address", "127.0.0.1", "--x", "y", "--server.port", "9102"]


def test_more_than_one_replica_without_sign_in_is_refused(tmp_path):
    """Behind nginx every browser comes from loopback: the demo mode (no sign-in) would let anyone in."""
    env = {**os.environ, config.DB_PATH_ENV: str(tmp_path / "x.duckdb"), config.AUTH_ENV: "none"}
    env.pop(replicas.NO_SIGN_IN_ENV, None)
    done = serve("--replicas", "2", "--server.port", str(free_port()), env=env)
    assert done.returncode == 2
    assert "without sign-in" in done.stderr and "[yitu] auth" in done.stderr


def test_more_than_one_replica_on_a_duckdb_file_is_refused(tmp_path):
    env = {**os.environ, config.DB_PATH_ENV: str(tmp_path / "x.duckdb"), config.AUTH_ENV: "local"}
    env.pop("YITU_DB_URL", None)
    done = serve("--replicas", "2", "--server.port", str(free_port()), env=env)
    assert done.returncode == 2
    assert "refusing to start 2 replicas" in done.stderr and "DuckDB" in done.stderr and "db_url" in done.stderr
    assert not (tmp_path / "x.duckdb").exists()  # nothing started


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_a_bad_replica_count_is_refused(value):
    done = serve("--replicas", value)
    assert done.returncode == 2 and "--replicas needs a whole number" in done.stderr


class _Exited:
    """A replica process that has exited with ``code``."""

    def __init__(self, code: int) -> None:
        self.code = code

    def poll(self) -> int:
        return self.code


def _restart_delays(count: int) -> list[int]:
    """The delays the supervisor gives one replica that dies ``count`` times right after its start."""
    supervisor = replicas.Supervisor(1, ["--server.address", "127.0.0.1", "--server.port", "9100"], ["S"])
    replica = supervisor.replicas[0]
    delays = []
    for _ in range(count):
        replica.process, replica.started_at, replica.restart_at = _Exited(-9), time.monotonic(), None
        supervisor._tend(replica)
        delays.append(round(replica.restart_at - time.monotonic()))
        replica.restarts += 1
    return delays


def test_a_dead_replica_waits_the_configured_restart_delay_then_doubles(monkeypatch):
    monkeypatch.delenv(replicas.RESTART_ENV, raising=False)
    assert _restart_delays(7) == [1, 2, 4, 8, 16, 30, 30]
    monkeypatch.setenv(replicas.RESTART_ENV, "10")
    assert _restart_delays(4) == [10, 20, 30, 30]
    # A setting above the usual 30 s ceiling is the ceiling (it would otherwise shorten the wait).
    monkeypatch.setenv(replicas.RESTART_ENV, "3600")
    assert _restart_delays(3) == [3600, 3600, 3600]


@pytest.mark.parametrize("value", ["soon", "-1", "1e9", "nan"])
def test_a_bad_restart_delay_is_refused_before_any_replica_starts(value, tmp_path):
    env = {**os.environ, config.DB_PATH_ENV: str(tmp_path / "x.duckdb"), replicas.RESTART_ENV: value}
    done = serve("--replicas", "1", "--server.port", str(free_port()), env=env)
    assert done.returncode == 2, done.stderr
    assert f"{replicas.RESTART_ENV}=" in done.stderr and "starting on port" not in done.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_a_refusing_replica_stops_the_supervisor(demo_copy, tmp_path):
    """Sign-in off on a LAN address: the replica refuses (exit 2), the supervisor stops with 2, no restart loop."""
    env = {**os.environ, config.DB_PATH_ENV: str(demo_copy), "YITU_AUTH": "none"}
    done = serve(
        "--replicas",
        "1",
        "--server.address",
        "0.0.0.0",
        "--server.port",
        str(free_port()),
        "--server.headless",
        "true",
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    assert "refused to start" in done.stderr and done.stderr.count("starting on port") == 1


def test_supervisor_restarts_a_dead_replica_and_stops_all_on_sigterm(demo_copy):
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"supervisor-{port}.log"
    env = {**os.environ, config.DB_PATH_ENV: str(demo_copy)}
    with log_path.open("w") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "scripts/serve.py", "--replicas", "1", "--server.port", str(port)]
            + ["--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=config.PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: healthy(port), START_TIMEOUT_S, "the replica", log_path)
            wait_until(lambda: "replica 0 ready: http://127.0.0.1:" in log_path.read_text(), 30, "ready line", log_path)
            first = pids(log_path, 0)[0]
            os.kill(first, signal.SIGKILL)
            wait_until(lambda: len(pids(log_path, 0)) == 2, 30, "a restart", log_path)
            assert "exited with code -9" in log_path.read_text()
            wait_until(lambda: healthy(port), START_TIMEOUT_S, "the restarted replica", log_path)
            second = pids(log_path, 0)[1]
            assert second != first and alive(second)
            supervisor.send_signal(signal.SIGTERM)
            assert supervisor.wait(timeout=60) == 0
            wait_until(lambda: not alive(second), 10, "the replica to stop", log_path)
            assert not healthy(port)
            assert "all replicas stopped" in log_path.read_text()
        finally:
            if supervisor.poll() is None:
                supervisor.kill()
                supervisor.wait()


def test_a_write_in_one_process_clears_the_caches_of_the_others():
    """Two followers of one store (as two replicas): a bump by one is seen once by the other, not by itself."""
    from emergency import shared_cache, store

    conn = store.connect(":memory:")
    try:
        here, there = shared_cache.Follower(every_s=0, force=True), shared_cache.Follower(every_s=0, force=True)
        assert not here.changed(conn) and not there.changed(conn)  # first look: nothing to drop
        here.own(shared_cache.bump(conn, force=True))
        assert shared_cache.read(conn)
        assert there.changed(conn) and not there.changed(conn)  # once
        assert not here.changed(conn)  # its own write
        # Throttled: a follower reads the stamp at most once per interval.
        slow = shared_cache.Follower(every_s=3600, force=True)
        slow.changed(conn)
        shared_cache.bump(conn, force=True)
        assert not slow.changed(conn)
        if store.is_postgres(conn):
            # Two connections to one server store, as two replicas have: the stamp is shared without forcing.
            other = store.connect(conn.url)
            try:
                follower = shared_cache.Follower(every_s=0)
                follower.changed(other)
                assert shared_cache.bump(conn) and follower.changed(other)
            finally:
                other.close()
        else:
            # On the DuckDB file (one process) nothing is written.
            assert shared_cache.bump(conn) is None and not shared_cache.Follower(every_s=0).changed(conn)
    finally:
        conn.close()


def test_cached_results_live_longer_on_a_server_store_whose_writers_all_move_the_stamp(monkeypatch):
    from components import cached
    from emergency import config

    monkeypatch.delenv(config.DB_URL_ENV, raising=False)
    monkeypatch.setattr(config, "setting", lambda name, default=None: default)
    monkeypatch.setenv(config.DB_PATH_ENV, "/tmp/x.duckdb")
    assert cached.query_ttl_s() == cached.QUERY_TTL_S == 60
    monkeypatch.setenv(config.DB_URL_ENV, "postgresql://yitu@/yitu?host=/run/postgresql")
    assert cached.query_ttl_s() == cached.SERVER_QUERY_TTL_S == 600
    monkeypatch.setattr(config, "setting", lambda name, default=None: 90 if name == "cache_seconds" else default)
    assert cached.query_ttl_s() == 90
    monkeypatch.setattr(config, "setting", lambda name, default=None: "soon" if name == "cache_seconds" else default)
    assert cached.query_ttl_s() == 60  # a bad value: the safe default, not a crash at import
