"""The PostgreSQL server store: DuckDB speaks to it through its postgres extension.

The app's SQL stays one text (DuckDB's dialect): a connection to a PostgreSQL store is an
in-memory DuckDB connection that loads the ``postgres`` extension from the pip package
``duckdb-extension-postgres`` (offline: never from the internet), ATTACHes the server as ``pg``
and makes it the default catalog of every cursor, so ``queries`` and the writers run unchanged
against PostgreSQL's tables (filters pushed down, bulk writes through COPY).

What must differ lives here, the one dialect module:

- the schema: :func:`pg_statements` turns a migration's DuckDB DDL into PostgreSQL's, run through
  psycopg in one PostgreSQL transaction under an advisory lock (one process migrates; the others
  wait, then see the new version);
- ids: the extension has no ``RETURNING`` for PostgreSQL tables, so :func:`next_id` draws the
  sequence first;
- locks between processes: :class:`AdvisoryLock` (a PostgreSQL session advisory lock on a
  connection of its own) serializes imports, sign-in attempts on one account, the inbox and the
  feed's single worker, where the DuckDB store uses a file lock or a thread lock.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb

from emergency.sql import quote_literal

log = logging.getLogger(__name__)

URL_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
# Catalog name of the attached server inside the DuckDB connection.
CATALOG = "pg"
# Environment variable naming the directory the extension file is copied to.
CACHE_ENV = "YITU_CACHE_DIR"


def is_url(target) -> bool:
    """Tell whether ``target`` names a PostgreSQL server store (``postgresql://…``) rather than a DuckDB file."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in URL_SCHEMES and "://" in target


def libpq_url(url: str) -> str:
    """Return the URL as libpq reads it (an SQLAlchemy-style ``postgresql+psycopg://`` scheme made plain)."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def masked(url: str) -> str:
    """Return the URL with its password replaced by ``***`` (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, *parts[2:]))


# user:password@ in any URL of a message (a driver writes the URL percent-encoded or not).
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s\"']+:)[^@\s\"']+@", re.IGNORECASE)


def scrub_urls(text: str) -> str:
    """Mask the password of every ``scheme://user:password@`` URL in ``text``."""
    return _URL_PASSWORD.sub(r"\g<head>***@", text)


def scrub(text: str, url: str) -> str:
    """Mask the URL's password in ``text`` (a driver's message) wherever it appears."""
    password = urlsplit(url).password
    for form in {libpq_url(url), url}:
        text = text.replace(form, masked(form))
    if password:
        text = text.replace(password, "***")
    return scrub_urls(text)


class StoreError(RuntimeError):
    """The server store cannot be used (extension missing, server unreachable, schema newer)."""


# --- the extension, offline -------------------------------------------------------------------


def extension_source() -> Path:
    """Return the ``postgres.duckdb_extension`` shipped by the pip package for this DuckDB version."""
    try:
        import duckdb_extension_postgres
    except ImportError as error:  # pragma: no cover - a pinned dependency
        raise StoreError("the pip package duckdb-extension-postgres is not installed") from error
    root = Path(duckdb_extension_postgres.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    path = root / "postgres.duckdb_extension"
    if not path.exists():
        found = sorted(p.name for p in root.parent.glob("v*"))
        raise StoreError(
            f"duckdb-extension-postgres has no build for DuckDB {duckdb.__version__} (it has {found}); "
            "pin both to the same version"
        )
    return path


_EXTENSION_LOCK = threading.Lock()


def extension_path() -> Path:
    """Return the extension copied under the name DuckDB expects (``postgres_scanner``), in a cache directory.

    Loaded under its package name it fails with "did not contain the expected entrypoint
    function": the entry point is named after ``postgres_scanner``.
    """
    source = extension_source()
    cache = Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / f"yitu-duckdb-{os.getuid()}")
    target = cache / f"v{duckdb.__version__}" / "postgres_scanner.duckdb_extension"
    with _EXTENSION_LOCK:
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
            os.close(fd)
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)  # atomic: another process never loads a half-copied file
    return target


# --- the connection ----------------------------------------------------------------------------


class Connection:
    """A DuckDB connection whose cursors all read and write the attached PostgreSQL store.

    Behaves as the ``duckdb.DuckDBPyConnection`` the rest of the program expects (every
    attribute is the DuckDB connection's); ``cursor()`` returns a DuckDB cursor already switched
    to the server's catalog, since ``USE`` holds for one DuckDB connection only.
    """

    is_postgres = True

    def __init__(self, duck: duckdb.DuckDBPyConnection, url: str) -> None:
        self._duck = duck
        self.url = url

    def cursor(self) -> Cursor:
        """Return a cursor on the server catalog."""
        cursor = self._duck.cursor()
        cursor.execute(f"USE {CATALOG}")
        return Cursor(cursor, self.url)

    def execute(self, sql, parameters=None):
        """As :meth:`Cursor.execute`, on the connection itself."""
        return Cursor.execute(self, sql, parameters)

    def close(self) -> None:
        """Close the connection."""
        self._duck.close()

    def __getattr__(self, name):
        """Delegate to the DuckDB connection."""
        return getattr(self._duck, name)

    def __enter__(self):
        """Enter the context."""
        return self

    def __exit__(self, *exc) -> None:
        """Leave the context."""
        self.close()

    def __repr__(self) -> str:
        """Name the store without its password."""
        return f"<PostgreSQL store {masked(self.url)}>"


class Cursor:
    """A DuckDB cursor on the attached server store; knows its store (see :func:`is_postgres`)."""

    is_postgres = True

    def __init__(self, duck: duckdb.DuckDBPyConnection, url: str) -> None:
        self._duck = duck
        self.url = url

    def cursor(self) -> Cursor:
        """Return a cursor on the server catalog."""
        cursor = self._duck.cursor()
        cursor.execute(f"USE {CATALOG}")
        return Cursor(cursor, self.url)

    def execute(self, sql, parameters=None):
        """Run ``sql`` as DuckDB would; ``INSERT … RETURNING id`` goes through :func:`returning_id`."""
        match = _RETURNING_ID.match(sql) if isinstance(sql, str) else None
        if match:
            return _Row(returning_id(self._duck, match, parameters or []))
        self._duck.execute(sql, parameters)
        return self

    def __getattr__(self, name):
        """Delegate to the DuckDB connection."""
        return getattr(self._duck, name)

    def __enter__(self):
        """Enter the context."""
        return self

    def __exit__(self, *exc) -> None:
        """Leave the context."""
        self._duck.close()


# The sequences behind the tables' ids (store.MIGRATIONS: DEFAULT nextval(...)).
ID_SEQUENCES = {
    "import_log": "import_log_id",
    "quarantine": "quarantine_id",
    "warnings": "warning_id",
    "dispatches": "dispatch_id",
    "audit_log": "audit_id",
    "feed_runs": "feed_run_id",
}
_RETURNING_ID = re.compile(
    r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*\((.*)\)\s*RETURNING\s+id\s*$",
    re.DOTALL | re.IGNORECASE,
)


class _Row:
    """The result of an emulated ``INSERT … RETURNING id``."""

    def __init__(self, value: int) -> None:
        self.value = value

    def fetchone(self):
        return (self.value,)

    def fetchall(self):
        return [(self.value,)]


def returning_id(duck, match: re.Match, parameters) -> int:
    """``INSERT INTO t (cols) VALUES (…) RETURNING id`` on a server table: the id is drawn first.

    The extension cannot return rows from an INSERT into a PostgreSQL table, so the id comes
    from the table's sequence (:data:`ID_SEQUENCES`) and is inserted explicitly.
    """
    table, columns, values = match.groups()
    new_id = next_id(duck, ID_SEQUENCES[table.lower()])
    duck.execute(f"INSERT INTO {table} (id, {columns}) VALUES (?, {values})", [new_id, *parameters])
    return new_id


def open_duckdb(url: str, config: dict) -> Connection:
    """Open an in-memory DuckDB connection with the server store attached as its default catalog."""
    duck = duckdb.connect(":memory:", config=config)
    try:
        duck.execute("SET autoinstall_known_extensions = false")
        duck.execute("SET autoload_known_extensions = false")
        duck.execute(f"LOAD '{extension_path()}'")
        # A lost server answers within seconds instead of hanging a page.
        duck.execute(f"ATTACH {quote_literal(libpq_url(url))} AS {CATALOG} (TYPE postgres)")
        duck.execute(f"USE {CATALOG}")
    except duckdb.Error as error:
        duck.close()
        raise StoreError(f"cannot open the PostgreSQL store {masked(url)}: {scrub(str(error), url)}") from None
    return Connection(duck, url)


def is_postgres(conn) -> bool:
    """Tell whether ``conn`` (or a cursor of the program) is a PostgreSQL store connection."""
    return bool(getattr(conn, "is_postgres", False))


# --- locks between processes ---------------------------------------------------------------------


def lock_key(name: str) -> int:
    """Return a stable signed 64-bit advisory-lock key for ``name`` (e.g. ``"import"``, ``"login:alice"``)."""
    return int.from_bytes(hashlib.sha256(f"yitu:{name}".encode()).digest()[:8], "big", signed=True)


def _psycopg_connect(url: str):
    import psycopg

    try:
        return psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=10)
    except psycopg.Error as error:
        raise StoreError(f"cannot open the PostgreSQL store {masked(url)}: {scrub(str(error), url)}") from None


class AdvisoryLock:
    """A PostgreSQL session advisory lock, held on a connection of its own.

    Held until :meth:`release` or until the process (and so its connection) ends: a crashed
    holder never leaves the lock behind, like a file lock.
    """

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self.key = lock_key(name)
        self._conn = None

    def acquire(self, blocking: bool = True) -> bool:
        """Take the lock (or report it taken, ``blocking=False``)."""
        if self._conn is not None:
            return True
        conn = _psycopg_connect(self.url)
        try:
            if blocking:
                conn.execute("SELECT pg_advisory_lock(%s)", [self.key])
                got = True
            else:
                got = bool(conn.execute("SELECT pg_try_advisory_lock(%s)", [self.key]).fetchone()[0])
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        """Release the lock."""
        if self._conn is None:
            return
        try:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        finally:
            self._conn.close()
            self._conn = None

    def __enter__(self):
        """Enter the context."""
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        """Leave the context."""
        self.release()


@contextmanager
def advisory_lock(url: str, name: str):
    """Hold the advisory lock ``name`` on the server for the block (waiting for it)."""
    lock = AdvisoryLock(url, name)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


# --- ids -------------------------------------------------------------------------------------------

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def next_id(cursor, sequence: str) -> int:
    """Draw the next value of ``sequence`` on the server (the extension has no INSERT … RETURNING)."""
    if not _IDENT.match(sequence):
        raise ValueError(f"not a sequence name: {sequence!r}")
    row = cursor.execute(f"SELECT * FROM postgres_query('{CATALOG}', 'SELECT nextval(''{sequence}'')')").fetchone()
    return int(row[0])


# --- the schema ------------------------------------------------------------------------------------

# Primary keys of the tables a migration writes with INSERT OR REPLACE.
_REPLACE_KEYS = {"meta": ("key", "value"), "warning_settings": ("key", "value")}


def split_statements(sql: str) -> list[str]:
    """Split a migration into statements at semicolons outside quoted text."""
    statements, current, quoted = [], [], False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if char == ";" and not quoted:
            statement = "".join(current).strip()
            if statement:
                statements.append(statement)
            current = []
        else:
            current.append(char)
    tail = "".join(current).strip()
    if tail:
        statements.append(tail)
    return statements


def _outside_quotes(sql: str, transform) -> str:
    """Apply ``transform`` to the parts of ``sql`` outside single-quoted literals."""
    parts = re.split(r"('(?:[^']|'')*')", sql)
    return "".join(part if i % 2 else transform(part) for i, part in enumerate(parts))


def _types(part: str) -> str:
    part = re.sub(r"\bDOUBLE\b(?!\s+PRECISION)", "DOUBLE PRECISION", part, flags=re.IGNORECASE)
    part = re.sub(r"\bBLOB\b", "BYTEA", part, flags=re.IGNORECASE)
    part = re.sub(
        r"time_bucket\(INTERVAL 1 HOUR, ts - INTERVAL 1 MICROSECOND\) \+ INTERVAL 1 HOUR",
        "date_trunc('hour', ts - INTERVAL '1 microsecond') + INTERVAL '1 hour'",
        part,
    )
    part = re.sub(r"\bGROUP BY ALL\b", "GROUP BY 1, 2", part)
    return part


def pg_statement(statement: str) -> str:
    """One migration statement in PostgreSQL's dialect."""
    statement = _outside_quotes(statement, _types)
    match = re.match(r"INSERT OR REPLACE INTO (\w+)\s+VALUES\s*(.*)$", statement, flags=re.DOTALL | re.IGNORECASE)
    if match:
        table, values = match.groups()
        key, value = _REPLACE_KEYS[table]
        statement = f"INSERT INTO {table} VALUES {values} ON CONFLICT ({key}) DO UPDATE SET {value} = EXCLUDED.{value}"
    return statement


def pg_statements(ddl: str) -> list[str]:
    """Return a migration's DuckDB script as PostgreSQL statements."""
    return [pg_statement(s) for s in split_statements(ddl)]


def schema_version(pg) -> int:
    """Return the schema version recorded on the server, 0 for an empty database (psycopg connection)."""
    row = pg.execute("SELECT to_regclass('public.meta')").fetchone()
    if row[0] is None:
        return 0
    row = pg.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(url: str, migrations: list[tuple[int, str]], known: int) -> int:
    """Bring the server's schema to ``known``, once, under an advisory lock; return the version.

    Several processes starting at once: the first takes the lock and migrates (each step in
    one PostgreSQL transaction, DDL included); the others wait on the lock and then find the
    schema current. A server whose schema is newer than this program's is refused.
    """
    with _psycopg_connect(url) as pg:
        pg.execute("SELECT pg_advisory_lock(%s)", [lock_key("migrate")])
        try:
            current = schema_version(pg)
            if current > known:
                raise SchemaTooNew(current, known)
            for version, ddl in migrations:
                if version <= current:
                    continue
                with pg.transaction():
                    for statement in pg_statements(ddl):
                        pg.execute(statement)
                    pg.execute(
                        "INSERT INTO meta VALUES ('schema_version', %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                        [str(version)],
                    )
                log.info("PostgreSQL store migrated to schema version %s", version)
                current = version
            return current
        finally:
            pg.execute("SELECT pg_advisory_unlock(%s)", [lock_key("migrate")])


class SchemaTooNew(StoreError):
    """The store was migrated by a newer program: this one must not write to it."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the store's schema is version {found}, newer than this program's {known}: "
            "upgrade the program (every app process and CLI) before using this store"
        )
        self.found = found
        self.known = known


def exists(url: str) -> bool:
    """Tell whether the server database at ``url`` holds this program's schema (no if unreachable)."""
    try:
        with _psycopg_connect(url) as pg:
            return schema_version(pg) > 0
    except Exception as error:  # noqa: BLE001 - any driver error means "no usable store there"
        log.warning("no store at %s: %s", masked(url), error)
        return False
