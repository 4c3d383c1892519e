"""The sync loop: every feed every ``every_min`` minutes, retried with backoff, one loop per store.

The served app starts it in a daemon thread (:func:`start`); ``python -m emergency feed run``
runs the same loop in the foreground. A lock file next to the store makes sure only one loop
syncs a store, whatever the number of server processes; the others stay idle and take over
when the lock is freed. A run never holds a page: reads go on while it writes (DuckDB MVCC).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb

from emergency import pgstore
from emergency.feed import sync

log = logging.getLogger(__name__)

# Retry delays after a failed run: 30 s, 1 min, 2 min, ... never longer than the feed's interval.
FIRST_RETRY_S = 30
# Seconds between looks at the schedule (and at the lock, for a waiting loop).
TICK_S = 5


def lock_path(db_path: str | os.PathLike) -> Path:
    """Return the lock file of the sync worker of the store at ``db_path``."""
    return Path(f"{db_path}.feed.lock")


def store_lock(db_path: str | os.PathLike):
    """Return the lock only one sync loop of a store holds.

    A file lock beside a DuckDB file, an advisory lock on a PostgreSQL server store (whatever
    host each app process runs on).
    """
    if pgstore.is_url(db_path):
        lock = pgstore.AdvisoryLock(str(db_path), "feed-worker")
        lock.path = "the PostgreSQL advisory lock 'feed-worker'"
        return _NonBlocking(lock)
    return Lock(lock_path(db_path))


class _NonBlocking:
    def __init__(self, lock) -> None:
        self.lock = lock
        self.path = lock.path

    def acquire(self) -> bool:
        try:
            return self.lock.acquire(blocking=False)
        except Exception:  # server unreachable: the next tick tries again
            log.exception("feed lock")  # a store URL's password is masked by emergency.logsafe
            return False

    def release(self) -> None:
        try:
            self.lock.release()
        except Exception as error:  # server gone: its session, and the lock with it, ended already
            log.warning("feed lock not released: %s", str(error).splitlines()[0][:200])


class Lock:
    """An exclusive, non-blocking lock on a file (released when the process ends, whatever happens)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = None

    def acquire(self) -> bool:
        """Take the lock without waiting; return False when another process holds it."""
        if self.handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for the lock's lifetime, closed in release()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle
        return True

    def release(self) -> None:
        """Release the lock if this object holds it."""
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def retry_delay_s(failures: int, every_min: int) -> float:
    """Backoff after ``failures`` failed runs in a row (30 s doubling, capped at the interval).

    Examples
    --------
    >>> [retry_delay_s(n, 5) for n in (1, 2, 3, 4, 5)]
    [30, 60, 120, 240, 300]
    """
    return min(FIRST_RETRY_S * 2 ** (failures - 1), every_min * 60)


class Scheduler:
    """When each feed runs next, and its failures in a row."""

    def __init__(self) -> None:
        self.due: dict[str, float] = {}
        self.failures: dict[str, int] = {}

    def due_feeds(self, feeds: list[sync.Feed], now: float) -> list[sync.Feed]:
        """Return the enabled feeds whose next run is due at ``now``."""
        return [f for f in feeds if f.enabled and self.due.get(f.name, 0.0) <= now]

    def done(self, feed: sync.Feed, result: sync.RunResult, now: float) -> None:
        """Schedule a feed's next run: after its interval when ``result`` is ok, after the backoff when not."""
        if result.ok:
            self.failures[feed.name] = 0
            self.due[feed.name] = now + feed.every_min * 60
        else:
            self.failures[feed.name] = self.failures.get(feed.name, 0) + 1
            self.due[feed.name] = now + retry_delay_s(self.failures[feed.name], feed.every_min)

    def attempt(self, feed: sync.Feed) -> int:
        """Return the number of the coming attempt of a feed (1 after a success)."""
        return self.failures.get(feed.name, 0) + 1


def run_due(
    conn: duckdb.DuckDBPyConnection,
    scheduler: Scheduler,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] | None = None,
) -> list[sync.RunResult]:
    """Run every feed that is due once; return what ran."""
    from emergency.feed import water

    results = []
    for feed in scheduler.due_feeds(sync.feeds(conn), clock()):
        # The store's clock: the wall clock, or the live demo's storm clock.
        moment = now() if now else water.clock(conn)
        if not results:
            sync.close_abandoned_runs(conn, moment)  # runs whose process died show as interrupted
        result = sync.run_feed(conn, feed, attempt=scheduler.attempt(feed), now=moment)
        scheduler.done(feed, result, clock())
        results.append(result)
    return results


class Worker(threading.Thread):
    """The loop in a daemon thread of the served app; ``on_change`` runs after a run wrote rows."""

    def __init__(
        self, conn: duckdb.DuckDBPyConnection, db_path: str | os.PathLike, on_change: Callable[[], None] | None = None
    ) -> None:
        super().__init__(name="yitu-feed-sync", daemon=True)
        self.conn = conn
        self.lock = store_lock(db_path)
        self.on_change = on_change
        self.scheduler = Scheduler()
        self.stopping = threading.Event()
        self.runs = 0

    def run(self) -> None:
        """Sync due feeds until stopped, while this process holds the store's feed lock."""
        last_error: str | None = None
        while not self.stopping.is_set():
            try:
                if self.lock.acquire():
                    results = run_due(self.conn, self.scheduler)
                    self.runs += len(results)
                    if self.on_change and any(r.inserted or r.updated for r in results):
                        self.on_change()
            except Exception as error:  # the loop must outlive any error; the next tick tries again
                if not self.stopping.is_set():  # an interrupt at exit is no error
                    text = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
                    if text == last_error:  # a store that stays down: one line a tick, not a traceback
                        log.warning("feed sync loop: still failing: %s", text)
                    else:
                        log.exception("feed sync loop")  # a store URL's password is masked by emergency.logsafe
                    last_error = text
            else:
                last_error = None
            self.stopping.wait(TICK_S)
        self.lock.release()

    def stop(self) -> None:
        """Ask the loop to stop after its current pass."""
        self.stopping.set()


_started: dict[str, Worker] = {}
_guard = threading.Lock()
STOP_WAIT_S = 10.0


@atexit.register
def stop_all() -> None:
    """Stop this process's loops (and release their locks); also run before the interpreter finalizes.

    At exit it must run: a daemon thread still inside DuckDB when the interpreter finalizes is
    killed mid-call, and the C++ unwinding aborts the process ("FATAL: exception not rethrown",
    exit 134).
    """
    with _guard:
        workers = list(_started.values())
    for worker in workers:
        worker.stop()
        with contextlib.suppress(duckdb.Error):  # a store closed already has nothing to interrupt
            worker.conn.interrupt()  # a run in progress ends now (its transaction is rolled back)
    for worker in workers:
        worker.join(STOP_WAIT_S)


def start(
    conn: duckdb.DuckDBPyConnection, db_path: str | os.PathLike, on_change: Callable[[], None] | None = None
) -> Worker:
    """Start the loop for this store once per process (later calls return the running one)."""
    key = str(db_path) if pgstore.is_url(db_path) or str(db_path) == ":memory:" else str(Path(db_path).resolve())
    with _guard:
        worker = _started.get(key)
        if worker is None or not worker.is_alive():
            worker = Worker(conn, db_path, on_change)
            worker.start()
            _started[key] = worker
        return worker


def loop(
    conn: duckdb.DuckDBPyConnection,
    db_path: str | os.PathLike,
    once: bool = False,
    report: Callable[[sync.RunResult], None] | None = None,
) -> int:
    """Foreground loop of ``python -m emergency feed run``; with ``once`` every feed runs once."""
    lock = store_lock(db_path)
    if not lock.acquire():
        raise RuntimeError(f"another sync loop holds {lock.path}")
    try:
        scheduler = Scheduler()
        failed = 0
        while True:
            results = run_due(conn, scheduler)
            for result in results:
                failed += not result.ok
                if report:
                    report(result)
            if once:
                return failed
            time.sleep(TICK_S)
    finally:
        lock.release()
