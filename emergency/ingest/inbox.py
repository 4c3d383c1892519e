"""Hand-off from the command line to the running app: queued import jobs in a folder beside the store.

While the app holds the store (DuckDB lets one process write), ``python -m emergency.ingest
--queue`` copies the file into ``<store>.inbox/`` as a job; the app imports queued jobs on
its own connection the next time the import page runs. A job folder is written under a
temporary name and renamed when complete, and claimed by renaming it again, so the app never
reads half a job and two sessions never import the same one.

No job is lost: a claimed job carries a ``claim.json`` naming the server process that took
it. A job found in ``processing/`` that another (stopped) server claimed, or that has been
there longer than the lease without being worked on here, is put back in the queue once;
found abandoned a second time it moves to ``failed/`` with a message the import page shows.
The page also lists every job (:func:`jobs`): queued, running, done, failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb

from emergency import config, i18n, pgstore
from emergency.clock import local_now
from emergency.ingest.engine import import_file
from emergency.ingest.errors import IngestError

__all__ = ["enqueue", "inbox_dir", "jobs", "pending", "process", "recover"]

JOB_FILE = "job.json"
RESULT_FILE = "result.json"
CLAIM_FILE = "claim.json"
# Job folders by state, under the inbox; queued jobs sit in the inbox itself.
STATES = ("queued", "running", "done", "failed")
# A claimed job untouched for this long is taken to be abandoned (an import of a season's file
# takes minutes; a running one in this process is never taken back).
DEFAULT_LEASE_SECONDS = 2 * 3600
# Times a job is claimed in all: the first run and one retry after an interruption.
MAX_ATTEMPTS = 2
# This server process: jobs claimed under another token were left by a stopped server.
PROCESS_TOKEN = uuid.uuid4().hex
_active: set[str] = set()
_active_lock = threading.Lock()
# Job options that pass straight to import_file.
JOB_OPTIONS = ("kind", "crs", "encoding", "sheet", "mapping", "user", "source_name")


def inbox_dir(db_path: str | os.PathLike) -> Path:
    """Return the inbox folder of the store at ``db_path``.

    A server store's is under data/, named by its URL's hash.
    """
    if pgstore.is_url(db_path):
        digest = hashlib.sha256(str(db_path).encode()).hexdigest()[:16]
        return config.DATA_DIR / f"pg-{digest}.inbox"
    path = Path(db_path)
    return path.with_name(f"{path.name}.inbox")


def _parts(file: Path) -> list[Path]:
    # A Shapefile travels with its sibling files (.shx, .dbf, .prj, .cpg).
    if file.suffix.lower() == ".shp":
        return sorted(p for p in file.parent.iterdir() if p.stem == file.stem)
    return [file]


def enqueue(db_path: str | os.PathLike, file: str | os.PathLike, **options) -> Path:
    """Queue ``file`` for the app to import; return the job folder.

    Parameters
    ----------
    db_path : str or PathLike
        The store the app serves.
    file : str or PathLike
        The file to import (a ``.shp`` brings its siblings).
    **options
        ``kind`` (required), ``crs``, ``encoding``, ``sheet``, ``mapping``, ``user``,
        ``source_name``, as for :func:`emergency.ingest.import_file`.

    Returns
    -------
    Path
    """
    file = Path(file)
    if not file.exists():
        raise IngestError(file.name, "missing_file")
    unknown = set(options) - set(JOB_OPTIONS)
    if unknown or "kind" not in options:
        raise ValueError(f"job options must include kind and be among {JOB_OPTIONS}: {sorted(unknown)}")
    inbox = inbox_dir(db_path)
    inbox.mkdir(parents=True, exist_ok=True)
    name = f"{local_now(precise=True):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    partial = inbox / f".partial-{name}"
    partial.mkdir()
    for part in _parts(file):
        shutil.copy2(part, partial / part.name)
    job = {"file": file.name, "queued_at": local_now(precise=True).isoformat(), **options}
    (partial / JOB_FILE).write_text(json.dumps(job, ensure_ascii=False, indent=2), encoding="utf-8")
    final = inbox / name
    os.rename(partial, final)  # atomic: the app sees the whole job or none of it
    return final


def pending(db_path: str | os.PathLike) -> list[Path]:
    """Complete, unclaimed job folders, oldest first."""
    inbox = inbox_dir(db_path)
    if not inbox.exists():
        return []
    return sorted(p for p in inbox.iterdir() if p.is_dir() and (p / JOB_FILE).exists() and not p.name.startswith("."))


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _claim(job: Path) -> Path | None:
    target = job.parent / "processing" / job.name
    target.parent.mkdir(exist_ok=True)
    try:
        os.rename(job, target)
    except OSError:
        return None  # another session took it first
    with _active_lock:
        _active.add(target.name)
    spec = _read_json(target / JOB_FILE)
    spec["attempts"] = int(spec.get("attempts", 0)) + 1
    (target / JOB_FILE).write_text(json.dumps(spec, ensure_ascii=False, indent=2), encoding="utf-8")
    claim = {
        "owner": PROCESS_TOKEN,
        "pid": os.getpid(),
        "claimed_at": local_now(precise=True).isoformat(),
        "claimed_epoch": time.time(),
    }
    (target / CLAIM_FILE).write_text(json.dumps(claim), encoding="utf-8")
    return target


def _finish(job: Path, outcome: str, result: dict) -> None:
    (job / RESULT_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    target = job.parent.parent / outcome
    target.mkdir(exist_ok=True)
    os.rename(job, target / job.name)


def _abandoned(job: Path, lease_seconds: float, now: float) -> bool:
    with _active_lock:
        if job.name in _active:
            return False  # being imported by this server right now
    claim = _read_json(job / CLAIM_FILE)
    if claim.get("owner") != PROCESS_TOKEN:
        # Left by a server that stopped (only one process can hold the store), or never fully claimed.
        return True
    return now - float(claim.get("claimed_epoch", 0)) > lease_seconds


def recover(
    db_path: str | os.PathLike, lang: str = i18n.DEFAULT_LANGUAGE, lease_seconds: float = DEFAULT_LEASE_SECONDS
) -> list[dict]:
    """Put abandoned jobs back in the queue once; move those abandoned twice to failed/.

    Returns
    -------
    list of dict
        One per job given up (file, kind, ok False, message), for the import page.
    """
    processing = inbox_dir(db_path) / "processing"
    if not processing.exists():
        return []
    given_up = []
    now = time.time()
    for job in sorted(p for p in processing.iterdir() if p.is_dir()):
        if not _abandoned(job, lease_seconds, now):
            continue
        spec = _read_json(job / JOB_FILE)
        attempts = int(spec.get("attempts", 1))
        (job / CLAIM_FILE).unlink(missing_ok=True)
        if attempts < MAX_ATTEMPTS and (job / JOB_FILE).exists():
            with contextlib.suppress(OSError):  # another session recovered it first
                os.rename(job, job.parent.parent / job.name)  # back in the queue, same name and place
            continue
        result = {
            "file": spec.get("file", job.name),
            "kind": spec.get("kind", "?"),
            "ok": False,
            "finished_at": local_now(precise=True).isoformat(),
            "attempts": attempts,
            "message": i18n.t("ingest.inbox_abandoned", lang, file=spec.get("file", job.name), attempts=attempts),
        }
        try:
            _finish(job, "failed", result)
        except OSError:
            continue
        given_up.append(result)
    return given_up


def jobs(db_path: str | os.PathLike) -> list[dict]:
    """List every job of the inbox, newest first.

    Each job as name, state, file, kind, user, queued_at, attempts, finished_at, message.
    """
    inbox = inbox_dir(db_path)
    if not inbox.exists():
        return []
    folders = [(p, "queued") for p in pending(db_path)]
    for state, folder in (("running", "processing"), ("done", "done"), ("failed", "failed")):
        if (inbox / folder).is_dir():
            folders += [(p, state) for p in (inbox / folder).iterdir() if p.is_dir()]
    found = []
    for folder, state in folders:
        spec, result = _read_json(folder / JOB_FILE), _read_json(folder / RESULT_FILE)
        message = result.get("message")
        if result.get("ok"):
            message = f"{result.get('accepted', 0):,} / {result.get('rejected', 0):,} · #{result.get('import_id')}"
        found.append(
            {
                "name": folder.name,
                "state": state,
                "file": spec.get("file", folder.name),
                "kind": spec.get("kind"),
                "user": spec.get("user"),
                "queued_at": spec.get("queued_at"),
                "attempts": int(spec.get("attempts", 0)),
                "finished_at": result.get("finished_at"),
                "message": message,
            }
        )
    return sorted(found, key=lambda job: job["name"], reverse=True)


def process(
    conn: duckdb.DuckDBPyConnection,
    db_path: str | os.PathLike,
    lang: str = i18n.DEFAULT_LANGUAGE,
    before_commit: Callable[[dict], Callable] | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> list[dict]:
    """Recover abandoned jobs, then import every queued job on ``conn``; move each to ``done/`` or ``failed/``.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
        The app's read-write connection.
    db_path : str or PathLike
        The store's path (locates the inbox).
    lang : str
        Language of failure messages.
    before_commit : callable, optional
        Given a job's spec, returns the ``before_commit`` hook of its import (the audit row).
    lease_seconds : float
        Age after which a claimed job of this server that is not being worked on counts as abandoned.

    Returns
    -------
    list of dict
        One per job finished or given up: file, kind, ok, and accepted/rejected/import_id or message.
    """
    results = recover(db_path, lang, lease_seconds)
    for queued in pending(db_path):
        job = _claim(queued)
        if job is None:
            continue
        try:
            results.append(_run(conn, job, lang, before_commit))
        finally:
            with _active_lock:
                _active.discard(job.name)
    return results


def _run(conn, job: Path, lang: str, before_commit) -> dict:
    spec = _read_json(job / JOB_FILE)
    if not spec.get("file") or not spec.get("kind"):
        result = {
            "file": spec.get("file", job.name),
            "kind": spec.get("kind", "?"),
            "ok": False,
            "finished_at": local_now(precise=True).isoformat(),
            "message": i18n.t("ingest.inbox_broken", lang, job=job.name),
        }
        _finish(job, "failed", result)
        return result
    options = {k: spec.get(k) for k in JOB_OPTIONS if k != "kind"}
    result: dict = {"file": spec["file"], "kind": spec["kind"]}
    hook = before_commit(spec) if before_commit is not None else None
    try:
        report = import_file(conn, job / Path(spec["file"]).name, spec["kind"], before_commit=hook, **options)
    except IngestError as error:
        result.update(ok=False, message=error.message(lang), finished_at=local_now(precise=True).isoformat())
        _finish(job, "failed", result)
    except Exception as error:  # whatever else went wrong is a failed job with its reason, not a stuck one
        detail = str(error).splitlines()[0][:300] if str(error) else type(error).__name__
        result.update(
            ok=False,
            message=i18n.t("ingest.error.unexpected", lang, detail=detail),
            finished_at=local_now(precise=True).isoformat(),
        )
        _finish(job, "failed", result)
    else:
        result.update(
            ok=True,
            accepted=report.accepted,
            rejected=report.rejected,
            import_id=report.import_id,
            finished_at=local_now(precise=True).isoformat(),
        )
        # The store now holds the data and import_log its hash; only the record is kept.
        for part in job.iterdir():
            if part.name not in (JOB_FILE, CLAIM_FILE):
                part.unlink()
        _finish(job, "done", result)
    return result
