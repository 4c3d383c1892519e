"""Supervisor of several app processes (``scripts/serve.py --replicas N``).

Replica ``i`` (0-based) is ``scripts/serve.py`` on port ``P + i``, where ``P`` is the configured
``server.port`` (``--server.port``, ``$STREAMLIT_SERVER_PORT`` or ``.streamlit/config.toml``;
8501 by default); every other argument is passed on unchanged, so each replica is hardened
exactly as a single app (:mod:`emergency.webserver`) and refuses to start on the same terms.

The supervisor

* starts the replicas and prints each one's address once its ``/_stcore/health`` answers;
* restarts a replica that exits (after 1 s, or ``$YITU_REPLICA_RESTART_S`` seconds, doubling up
  to 30 s, or that setting if longer, while it keeps dying within a minute of its start) and one
  whose health check has failed for ``HUNG_AFTER_S`` seconds after it had been healthy (killed
  first);
* stops when a replica refuses to start (exit code 2: sign-in settings, a schema newer than
  the code), stopping the others;
* on SIGTERM or SIGINT sends SIGTERM to every replica, waits ``STOP_GRACE_S`` and kills what
  is left; the replicas also get SIGTERM if the supervisor itself dies (``PR_SET_PDEATHSIG``).

A DuckDB store is one file that one process may hold: more than one replica needs the
PostgreSQL server store (``db_url``), and the supervisor refuses before starting any. It also
refuses more than one replica without sign-in (``auth = "none"``): behind nginx every browser
arrives from a loopback address, which the local demo mode trusts (``$YITU_REPLICAS_WITHOUT_SIGN_IN=1``
allows it for a load test on one machine).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field

from emergency import config

EXIT_REFUSED = 2
RESTART_FIRST_S = 1.0
RESTART_MAX_S = 30.0
# Seconds before the first restart of a replica that died (default RESTART_FIRST_S): longer keeps a
# dead replica out of nginx's rotation for a while (a test of the fail-over, a deliberate drain).
RESTART_ENV = "YITU_REPLICA_RESTART_S"
# A replica that ran this long before it died is restarted after RESTART_FIRST_S again.
STABLE_AFTER_S = 60.0
HEALTH_EVERY_S = 5.0
HEALTH_TIMEOUT_S = 5.0
# A replica that answered its health check once and then fails it this long is restarted.
HUNG_AFTER_S = 60.0
STOP_GRACE_S = 20.0
POLL_S = 0.5
REPLICA_ENV = "YITU_REPLICA"
# Set to 1 to run several replicas without sign-in (a load test on one machine, never a deployment).
NO_SIGN_IN_ENV = "YITU_REPLICAS_WITHOUT_SIGN_IN"
_PR_SET_PDEATHSIG = 1


def first_restart_s() -> float:
    """Seconds before the first restart of a replica that died: ``$YITU_REPLICA_RESTART_S`` or 1."""
    text = os.environ.get(RESTART_ENV, "").strip()
    if not text:
        return RESTART_FIRST_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86_400:
        raise ValueError(f"{RESTART_ENV}={text!r}: expected seconds between 0 and 86400")
    return value


def log(message: str) -> None:
    """Print one supervisor line (time-stamped) to stderr."""
    print(f"[serve] {time.strftime('%Y-%m-%d %H:%M:%S')} {message}", file=sys.stderr, flush=True)


def option_value(arguments: list[str], name: str) -> str | None:
    """Return the value of ``--name V`` or ``--name=V`` among Streamlit's arguments, else None."""
    for index, item in enumerate(arguments):
        if item == name and index + 1 < len(arguments):
            return arguments[index + 1]
        if item.startswith(name + "="):
            return item.split("=", 1)[1]
    return None


def without_option(arguments: list[str], name: str) -> list[str]:
    """``arguments`` without ``--name V`` / ``--name=V``."""
    out: list[str] = []
    skip = False
    for item in arguments:
        if skip:
            skip = False
            continue
        if item == name:
            skip = True
            continue
        if item.startswith(name + "="):
            continue
        out.append(item)
    return out


def server_store_url() -> str | None:
    """Return the configured server store's URL (``db_url``, or a URL as ``db_path``), or None for a DuckDB file."""
    from emergency import pgstore

    target = config.store_target()
    return str(target) if pgstore.is_url(str(target)) else None


def replica_problem(count: int) -> str | None:
    """Why ``count`` replicas cannot serve the configured store, or None."""
    if count > 1 and os.environ.get(NO_SIGN_IN_ENV) != "1":
        from emergency import access

        try:
            mode = access.auth_settings().mode
        except ValueError:
            mode = None  # the replicas themselves refuse with the setting's message
        if mode == "none":
            return (
                f"refusing to start {count} replicas without sign-in: behind nginx every browser reaches the app "
                "from nginx's loopback address, so the local demo mode would let anyone in. Set [yitu] auth "
                "(local, oidc or proxy) in .streamlit/secrets.toml (README, Sign-in)."
            )
    if count > 1 and not server_store_url():
        return (
            f"refusing to start {count} replicas: the store is the DuckDB file {config.store_target()}, "
            "which only one process can hold. Run one process (without --replicas, or --replicas 1), "
            "or configure the PostgreSQL server store (db_url under [yitu] in .streamlit/secrets.toml or $YITU_DB_URL)."
        )
    return None


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the supervisor dies (Linux); new process group."""
    os.setpgrp()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Replica:
    """One app process of the supervisor: its port, command, state and restart back-off."""

    index: int
    port: int
    address: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff_s: float = RESTART_FIRST_S
    restart_at: float | None = None
    healthy_once: bool = False
    failing_since: float | None = None
    restarts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """Return the replica's own address (loopback when it listens on every address)."""
        host = "127.0.0.1" if self.address in ("", "0.0.0.0") else self.address
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Start the process (it gets SIGTERM when the supervisor dies)."""
        env = {**os.environ, REPLICA_ENV: str(self.index)}
        self.process = subprocess.Popen(self.command, env=env, preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()
        self.healthy_once = False
        self.failing_since = None
        self.restart_at = None
        log(f"replica {self.index} starting on port {self.port} (pid {self.process.pid})")

    def healthy(self) -> bool:
        """Return True when ``/_stcore/health`` answers 200."""
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=HEALTH_TIMEOUT_S) as response:
                return response.status == 200
        except OSError:
            return False


class Supervisor:
    """Start, watch, restart and stop the replicas (see the module docstring)."""

    def __init__(self, count: int, arguments: list[str], serve_command: list[str]) -> None:
        port_text = option_value(arguments, "--server.port")
        address = option_value(arguments, "--server.address")
        if port_text is None or address is None:
            import streamlit.config

            port_text = port_text or str(streamlit.config.get_option("server.port"))
            address = address if address is not None else (streamlit.config.get_option("server.address") or "")
        base_port = int(port_text)
        rest = without_option(arguments, "--server.port")
        self.replicas = [
            Replica(i, base_port + i, address, [*serve_command, *rest, "--server.port", str(base_port + i)])
            for i in range(count)
        ]
        self.first_restart_s = first_restart_s()
        for replica in self.replicas:
            replica.backoff_s = self.first_restart_s
        self.stopping = threading.Event()
        self.exit_code = 0

    def _on_signal(self, signum, _frame) -> None:
        log(f"{signal.Signals(signum).name}: stopping {len(self.replicas)} replicas")
        self.stopping.set()

    def _watch_health(self) -> None:
        while not self.stopping.wait(HEALTH_EVERY_S):
            for replica in self.replicas:
                with replica.lock:
                    process = replica.process
                if process is None or process.poll() is not None:
                    continue
                now = time.monotonic()
                if replica.healthy():
                    if not replica.healthy_once:
                        log(f"replica {replica.index} ready: {replica.url} (health {replica.url}/_stcore/health)")
                    replica.healthy_once, replica.failing_since = True, None
                elif replica.healthy_once:
                    replica.failing_since = replica.failing_since or now
                    if now - replica.failing_since >= HUNG_AFTER_S:
                        log(f"replica {replica.index} failed its health check for {HUNG_AFTER_S:.0f} s: killing it")
                        process.kill()

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT or a refusing replica; return the exit code."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        for replica in self.replicas:
            replica.start()
        watcher = threading.Thread(target=self._watch_health, name="replica-health", daemon=True)
        watcher.start()
        while not self.stopping.is_set():
            for replica in self.replicas:
                self._tend(replica)
            self.stopping.wait(POLL_S)
        self._stop_all()
        return self.exit_code

    def _tend(self, replica: Replica) -> None:
        now = time.monotonic()
        with replica.lock:
            if replica.restart_at is not None:
                if now >= replica.restart_at and not self.stopping.is_set():
                    replica.restarts += 1
                    replica.start()
                return
            code = replica.process.poll() if replica.process else None
            if code is None:
                return
            if code == EXIT_REFUSED:
                log(f"replica {replica.index} refused to start (exit code {code}): stopping all")
                self.exit_code = EXIT_REFUSED
                self.stopping.set()
                return
            lived = now - replica.started_at
            first = self.first_restart_s
            replica.backoff_s = (
                first if lived >= STABLE_AFTER_S else min(max(RESTART_MAX_S, first), replica.backoff_s * 2)
            )
            if replica.restarts == 0 and lived < STABLE_AFTER_S:
                replica.backoff_s = first
            replica.restart_at = now + replica.backoff_s
            log(
                f"replica {replica.index} (port {replica.port}) exited with code {code} after {lived:.0f} s: "
                f"restarting in {replica.backoff_s:.0f} s"
            )

    def _stop_all(self) -> None:
        running = [r.process for r in self.replicas if r.process is not None and r.process.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"pid {process.pid} did not stop within {STOP_GRACE_S:.0f} s: killing it")
                process.kill()
                process.wait()
        log("all replicas stopped")


def supervise(count: int, arguments: list[str], serve_command: list[str]) -> int:
    """Run ``count`` replicas of ``serve_command`` until SIGTERM/SIGINT; return the exit code."""
    problem = replica_problem(count)
    try:
        first_restart_s()
    except ValueError as error:
        problem = problem or str(error)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_REFUSED
    return Supervisor(count, arguments, serve_command).run()
