"""Backups of the store while the app serves it, and restores (``python -m emergency backup|restore``).

**DuckDB file.** Only one process may hold the file, and a plain file copy taken while the app
writes can be torn. A backup is therefore made *by the process holding the store*, through its
own connection: ``COPY FROM DATABASE`` into a new DuckDB file, one statement, so one
transaction and one consistent snapshot (writers go on meanwhile; sequences, constraints and
the schema version come along). When no process holds the store the command line opens it and
does the same itself; when the app holds it the command line leaves a request in
``<store>.backup/`` (a private folder) and the app's backup thread (:func:`serve_requests`,
started with the store) answers it within a second or so. The copy is written to
``OUT.partial`` and renamed, so OUT is either whole or absent.

A restore replaces the store file with a backup while no process holds it: the backup is first
opened and checked (schema version not newer than this code), the current file is kept as
``<store>.before-restore-<time>`` and a stale ``.wal`` next to it is moved away with it.

The PostgreSQL server store is backed up with ``pg_dump`` (custom format, one consistent
snapshot) and restored with ``pg_restore --clean --if-exists --single-transaction``
(:func:`pg_backup`, :func:`pg_restore`).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import secrets
import shutil
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path

import duckdb

from emergency import store
from emergency.sql import quote_identifier, quote_literal

REQUEST_POLL_S = 0.5
DEFAULT_WAIT_S = 600
ALIAS = "yitu_backup_target"
_watchers: dict[str, threading.Thread] = {}
_watchers_lock = threading.Lock()


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why."""


def request_dir(db_path: str | os.PathLike) -> Path:
    """Return the folder where the command line leaves backup requests for the app holding ``db_path``."""
    path = Path(db_path).resolve()
    return path.with_name(f"{path.name}.backup")


def _check_target(out: Path) -> Path:
    out = Path(out).resolve()
    if out.exists():
        raise BackupError(f"{out} exists already: name a new file")
    if not out.parent.is_dir():
        raise BackupError(f"folder {out.parent} does not exist")
    return out


def copy_duckdb(conn: duckdb.DuckDBPyConnection, out: str | os.PathLike) -> dict:
    """Write a consistent copy of the open DuckDB store ``conn`` to the new file ``out``; return what was written."""
    out = _check_target(Path(out))
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    started = time.monotonic()
    cursor = conn.cursor()
    try:
        source = cursor.execute("SELECT current_database()").fetchone()[0]
        version = store.schema_version(cursor)
        cursor.execute(f"ATTACH {quote_literal(str(partial))} AS {ALIAS}")
        try:
            cursor.execute(f"COPY FROM DATABASE {quote_identifier(source)} TO {ALIAS}")
        finally:
            cursor.execute(f"DETACH {ALIAS}")
    except duckdb.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup to {out} failed: {error}") from error
    finally:
        cursor.close()
    os.replace(partial, out)
    return {
        "path": str(out),
        "bytes": out.stat().st_size,
        "seconds": round(time.monotonic() - started, 2),
        "schema_version": version,
    }


# ------------------------------------------------------------------ requests to the serving app


def _answer(conn: duckdb.DuckDBPyConnection, request: Path) -> None:
    working = request.with_suffix(".working")
    try:
        request.rename(working)  # one answer per request, even with two watchers
    except OSError:
        return
    try:
        job = json.loads(working.read_text(encoding="utf-8"))
        result = {"ok": True, **copy_duckdb(conn, job["out"])}
    except (BackupError, OSError, ValueError, KeyError) as error:
        result = {"ok": False, "error": str(error)}
    result_path = working.with_suffix(".result")
    temp = result_path.with_suffix(".result-partial")
    temp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    os.replace(temp, result_path)
    working.unlink(missing_ok=True)


def _watch(conn: duckdb.DuckDBPyConnection, folder: Path) -> None:
    while True:
        try:
            for request in sorted(folder.glob("*.request")):
                _answer(conn, request)
        except Exception as error:  # the thread must outlive a bad request  # noqa: BLE001
            print(f"backup requests in {folder}: {error}", flush=True)
        time.sleep(REQUEST_POLL_S)


def serve_requests(conn: duckdb.DuckDBPyConnection, db_path: str | os.PathLike) -> None:
    """Answer backup requests for the store ``db_path`` held by ``conn`` (a thread, once per store)."""
    if str(db_path) == ":memory:" or "://" in str(db_path):
        return  # a server store is backed up with pg_dump, by anyone
    folder = request_dir(db_path)
    with _watchers_lock:
        if str(folder) in _watchers and _watchers[str(folder)].is_alive():
            return
        folder.mkdir(mode=0o700, exist_ok=True)
        thread = threading.Thread(target=_watch, args=(conn, folder), name="backup-requests", daemon=True)
        thread.start()
        _watchers[str(folder)] = thread


def request_backup(db_path: str | os.PathLike, out: str | os.PathLike, wait_s: float = DEFAULT_WAIT_S) -> dict:
    """Ask the process holding ``db_path`` for a backup to ``out``; wait for its answer."""
    out = _check_target(Path(out))
    folder = request_dir(db_path)
    if not folder.is_dir():
        raise BackupError(
            f"the process holding {db_path} takes no backup requests ({folder} is missing): "
            "is it the app of this version? Stop it and run the backup again."
        )
    name = f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
    request = folder / f"{name}.request"
    temp = folder / f"{name}.request-partial"
    temp.write_text(json.dumps({"out": str(out), "by": getpass.getuser()}), encoding="utf-8")
    os.replace(temp, request)
    result_path = folder / f"{name}.result"
    deadline = time.monotonic() + wait_s
    while not result_path.exists():
        if time.monotonic() > deadline:
            with contextlib.suppress(FileNotFoundError):
                request.unlink()  # not taken yet: withdraw it (a taken one finishes and leaves its result)
            raise BackupError(f"the app holding {db_path} did not answer within {wait_s:.0f} s")
        time.sleep(0.2)
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result_path.unlink(missing_ok=True)
    if not result.get("ok"):
        raise BackupError(result.get("error") or "backup failed")
    return result


def backup_duckdb(db_path: str | os.PathLike, out: str | os.PathLike, wait_s: float = DEFAULT_WAIT_S) -> dict:
    """Back up the DuckDB store at ``db_path`` to ``out``: by itself when free, else through the app holding it."""
    path = Path(db_path)
    if not path.exists():
        raise BackupError(f"no store at {path}")
    try:
        conn = duckdb.connect(str(path), read_only=False, config=store.CONNECTION_CONFIG)
    except duckdb.IOException:
        return {**request_backup(path, out, wait_s), "through": "app"}
    try:
        return {**copy_duckdb(conn, out), "through": "cli"}
    finally:
        conn.close()


def restore_duckdb(backup: str | os.PathLike, db_path: str | os.PathLike) -> dict:
    """Replace the DuckDB store at ``db_path`` (held by no process) with the backup file ``backup``."""
    backup, path = Path(backup), Path(db_path)
    if not backup.is_file():
        raise BackupError(f"no backup file at {backup}")
    try:
        check = duckdb.connect(str(backup), read_only=True, config=store.CONNECTION_CONFIG)
    except duckdb.Error as error:
        raise BackupError(f"{backup} is not a readable DuckDB store: {error}") from error
    try:
        version = store.schema_version(check)
    finally:
        check.close()
    if version == 0:
        raise BackupError(f"{backup} holds no store (no schema version)")
    if version > store.SCHEMA_VERSION:
        raise BackupError(f"{backup} has schema {version}, newer than this code's {store.SCHEMA_VERSION}")
    kept = None
    if path.exists():
        try:
            duckdb.connect(str(path), read_only=False, config=store.CONNECTION_CONFIG).close()
        except duckdb.IOException as error:
            raise BackupError(f"{path} is held by a running process (stop the app first): {error}") from error
        kept = path.with_name(f"{path.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
        os.replace(path, kept)
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            os.replace(wal, kept.with_name(kept.name + ".wal"))
    partial = path.with_name(path.name + ".restore-partial")
    shutil.copyfile(backup, partial)
    os.replace(partial, path)
    return {"path": str(path), "from": str(backup), "schema_version": version, "kept": str(kept) if kept else None}


# ------------------------------------------------------------------ PostgreSQL


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise BackupError(f"{name} not found: install the postgresql-client package")


def _pg_target(url: str) -> tuple[str, dict[str, str]]:
    """(URL without password, environment with PGPASSWORD): the password never shows in the process list."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(
        url.replace("postgresql+psycopg://", "postgresql://", 1).replace("postgres://", "postgresql://", 1)
    )
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = parts.netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}@{netloc[1]}")
    return urlunsplit(parts), env


def pg_backup(url: str, out: str | os.PathLike) -> dict:
    """``pg_dump`` the server store at ``url`` (custom format, one snapshot) to the new file ``out``."""
    out = _check_target(Path(out))
    partial = out.with_name(out.name + ".partial")
    started = time.monotonic()
    target, env = _pg_target(url)
    done = subprocess.run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={partial}",
            f"--dbname={target}",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[-1000:]}")
    os.replace(partial, out)
    return {"path": str(out), "bytes": out.stat().st_size, "seconds": round(time.monotonic() - started, 2)}


def pg_restore(backup: str | os.PathLike, url: str) -> dict:
    """Restore a ``pg_dump`` file into the server store at ``url`` (replacing its tables, one transaction)."""
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"no backup file at {backup}")
    target, env = _pg_target(url)
    done = subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={target}",
            str(backup),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[-1000:]}")
    return {"from": str(backup)}


# ------------------------------------------------------------------ command line


def _target(db) -> tuple[str | None, Path | None]:
    """(server URL, DuckDB path) of ``--db`` or of the configured store."""
    from emergency import config, pgstore

    target = db if db is not None else config.store_target()
    return (str(target), None) if pgstore.is_url(str(target)) else (None, Path(target))


def cli_backup(out: Path, db, wait_s: float) -> int:
    """``python -m emergency backup``: print what was written; exit code 0, or 1 with the reason."""
    import sys

    url, path = _target(db)
    try:
        if url:
            result = pg_backup(url, out)
            print(
                f"pg_dump of the server store written to {result['path']} "
                f"({result['bytes']:,} bytes, {result['seconds']} s)"
            )
        else:
            result = backup_duckdb(path, out, wait_s)
            through = (
                "by the app holding the store" if result["through"] == "app" else "directly (no process held the store)"
            )
            print(
                f"backup written to {result['path']} ({result['bytes']:,} bytes, schema {result['schema_version']}, "
                f"{result['seconds']} s, {through})"
            )
    except BackupError as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return 1
    return 0


def cli_restore(backup: Path, db) -> int:
    """``python -m emergency restore``: exit code 0, or 1 with the reason."""
    import sys

    url, path = _target(db)
    try:
        if url:
            pg_restore(backup, url)
            print(f"server store restored from {backup}")
        else:
            result = restore_duckdb(backup, path)
            kept = f"; the replaced file is kept as {result['kept']}" if result["kept"] else ""
            print(f"{result['path']} restored from {backup} (schema {result['schema_version']}){kept}")
    except BackupError as error:
        print(f"restore failed: {error}", file=sys.stderr)
        return 1
    return 0
