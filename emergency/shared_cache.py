"""Caches that agree across app replicas: one stamp in the store says when any replica wrote.

Each app process keeps query results (Streamlit's cache, 60 s) and the labels of the codes
administrators added (:func:`emergency.codelists.sync_labels`, process-wide dicts). After a
write, the process that wrote clears its own cache and calls :func:`bump`, which stores a new
random stamp under ``meta.cache_epoch``. Every process calls :func:`changed` at the start of
each page run; at most once per ``CHECK_EVERY_S`` it reads the stamp (one primary-key row), and
when another process moved it the caller clears its cache and re-reads the code labels. So a
threshold, a contact, a new code or an import made through one replica shows on every replica
at the next click after at most about a second, not after the cache's 60 s. Sign-in sessions
need none of this: they are rows of ``login_sessions`` read on every run.

With the DuckDB file there is one process: nothing is written or read.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time

import duckdb

from emergency import store

log = logging.getLogger(__name__)

KEY = "cache_epoch"
CHECK_EVERY_S = 1.0


def _shared(conn) -> bool:
    is_postgres = getattr(store, "is_postgres", None)
    return bool(is_postgres and is_postgres(conn))


def read(conn) -> str | None:
    """Return the stored stamp (None before any write)."""
    cursor = conn.cursor()
    try:
        row = cursor.execute("SELECT value FROM meta WHERE key = ?", [KEY]).fetchone()
    finally:
        cursor.close()
    return row[0] if row else None


def bump_in(cursor, force: bool = False) -> str | None:
    """Inside a writer's open transaction: store a new stamp with its rows; return it (None on DuckDB).

    Writers outside the app (``python -m emergency ingest`` on a server store, a feed run from
    the command line) reach every replica this way, at their commit and not after the 60 s TTL.
    """
    if not force and not _shared(cursor):
        return None
    stamp = secrets.token_hex(8)
    cursor.execute("DELETE FROM meta WHERE key = ?", [KEY])
    cursor.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [KEY, stamp])
    return stamp


def bump(conn, force: bool = False) -> str | None:
    """After a write: store a new stamp so the other replicas drop their caches; return it (None on DuckDB)."""
    if not force and not _shared(conn):
        return None
    try:
        with store.transaction(conn) as cursor:
            stamp = bump_in(cursor, force=True)
    except duckdb.Error as error:  # the write itself is done; the others catch up within their TTL
        log.warning("could not store the cache stamp: %s", error)
        return None
    return stamp


class Follower:
    """One process's view of the stamp: :meth:`changed` is True when another process wrote since."""

    def __init__(self, every_s: float = CHECK_EVERY_S, force: bool = False) -> None:
        self.every_s = every_s
        self.force = force
        self._seen: str | None = None
        self._started = False
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def own(self, stamp: str | None) -> None:
        """Remember a stamp this process wrote (no need to clear again for it)."""
        if stamp:
            with self._lock:
                self._seen = stamp

    def changed(self, conn) -> bool:
        """Return True (once) when the stored stamp moved since this process last looked."""
        if not self.force and not _shared(conn):
            return False
        now = time.monotonic()
        with self._lock:
            if now - self._checked_at < self.every_s:
                return False
            self._checked_at = now
        try:
            stamp = read(conn)
        except duckdb.Error as error:
            log.warning("could not read the cache stamp: %s", error)
            return False
        with self._lock:
            if not self._started:
                self._started, self._seen = True, stamp
                return False
            if stamp == self._seen:
                return False
            self._seen = stamp
            return True
