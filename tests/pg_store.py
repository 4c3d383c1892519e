"""The suite on the PostgreSQL server store (``pytest --store=postgres``).

A session-wide PostgreSQL cluster (Debian's server, initdb/pg_ctl in a temporary directory, on a
Unix socket only; tests/feed_sources.py) holds one database per store a test asks for:

- ``store.connect(":memory:")`` (a fresh empty store) gets a new database cloned from a
  migrated empty template;
- ``demo_file`` is a database holding the scale-1 demo, ``demo_copy`` a private clone of it
  (``CREATE DATABASE … TEMPLATE``, as cheap as the file copy it replaces).

The fixtures hand out ``postgresql://`` URLs where the DuckDB suite hands out paths; the app,
the CLI and the served app take either (a URL in $YITU_DB_PATH counts as the server store).
"""

from __future__ import annotations

import itertools
import shutil
import threading
from urllib.parse import quote, urlsplit

import psycopg

from tests.feed_sources import PG_BIN, PG_PASSWORD, PG_USER, Postgres

# Faster for throw-away data, and room for every test's connections.
SERVER_OPTIONS = "-c max_connections=500 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def _database(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


class StoreServer(Postgres):
    """The throw-away cluster with settings for a test suite."""

    def start(self) -> None:
        self._run(
            PG_BIN / "pg_ctl",
            "-D",
            self.data,
            "-w",
            "-l",
            self.root / "log",
            "-o",
            f"-k {self.sock} -p {self.port} -c listen_addresses='' {SERVER_OPTIONS}",
            "start",
        )


class StoreFactory:
    """Databases on the session's server, each a store."""

    def __init__(self) -> None:
        self.server = StoreServer()
        self._names = itertools.count(1)
        self._lock = threading.Lock()
        self.empty_template = None
        self.demo_template = None

    def url(self, database: str) -> str:
        return (
            f"postgresql://{PG_USER}:{quote(PG_PASSWORD, safe='')}@/{database}"
            f"?host={self.server.sock}&port={self.server.port}"
        )

    def _admin(self):
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def create(self, template: str | None = None, prefix: str = "s") -> str:
        """A new database (a clone of ``template`` if given); returns its URL."""
        with self._lock:
            name = f"{prefix}{next(self._names)}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def fresh(self) -> str:
        """A new store with the current schema and no data (a clone of a migrated template)."""
        from emergency import store

        with self._lock:
            template = self.empty_template
        if template is None:
            url = self.create(prefix="empty_tpl")
            store.connect(url).close()
            with self._lock:
                self.empty_template = template = _database(url)
        return self.create(template)

    def demo(self, build) -> str:
        """The demo store's template (built once with ``build(url)``) cloned for the session's readers."""
        if self.demo_template is None:
            url = self.fresh()
            build(url)
            self.demo_template = _database(url)
        return self.create(self.demo_template, prefix="demo")

    def copy_of_demo(self) -> str:
        return self.create(self.demo_template, prefix="copy")

    def remove(self) -> None:
        self.server.remove()


# The session's factory on the PostgreSQL run (set by tests/conftest.py), else None.
FACTORY: StoreFactory | None = None


def copy_demo(demo_file, path):
    """A private copy of the demo store: the file copied to ``path``, or on the PostgreSQL run a
    new database cloned from the demo (its URL)."""
    if FACTORY is not None:
        return FACTORY.copy_of_demo()
    shutil.copy(demo_file, path)
    return path
