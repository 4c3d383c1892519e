"""Hand-off from the command line to the running app: queued import jobs in a folder beside the store.

While the app holds the store (DuckDB lets one process write), ``python -m emergency.ingest
--queue`` copies the file into ``<store>.inbox/`` as a job; the app imports queued jobs on
its own connection the next time the import page runs. A job folder is written under a
temporary name and renamed when complete, and claimed by renaming it again, so the app never
reads half a job and two sessions never import the same one.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import duckdb

from emergency import i18n
from emergency.ingest.engine import import_file, local_now
from emergency.ingest.errors import IngestError

__all__ = ["enqueue", "inbox_dir", "pending", "process"]

JOB_FILE = "job.json"
RESULT_FILE = "result.json"
# Job options that pass straight to import_file.
JOB_OPTIONS = ("kind", "crs", "encoding", "sheet", "mapping", "user", "source_name")


def inbox_dir(db_path: str | os.PathLike) -> Path:
    """The inbox folder of the store at ``db_path``."""
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
    name = f"{local_now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    partial = inbox / f".partial-{name}"
    partial.mkdir()
    for part in _parts(file):
        shutil.copy2(part, partial / part.name)
    job = {"file": file.name, "queued_at": local_now().isoformat(), **options}
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


def _claim(job: Path) -> Path | None:
    target = job.parent / "processing" / job.name
    target.parent.mkdir(exist_ok=True)
    try:
        os.rename(job, target)
    except OSError:
        return None  # another session took it first
    return target


def _finish(job: Path, outcome: str, result: dict) -> None:
    (job / RESULT_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    target = job.parent.parent / outcome
    target.mkdir(exist_ok=True)
    os.rename(job, target / job.name)


def process(conn: duckdb.DuckDBPyConnection, db_path: str | os.PathLike, lang: str = i18n.DEFAULT_LANGUAGE) -> list[dict]:
    """Import every queued job on ``conn``; move each to ``done/`` or ``failed/`` (file kept for a retry) with a result.json.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
        The app's read-write connection.
    db_path : str or PathLike
        The store's path (locates the inbox).
    lang : str
        Language of failure messages.

    Returns
    -------
    list of dict
        One per job: file, kind, ok, and accepted/rejected/import_id or message.
    """
    results = []
    for queued in pending(db_path):
        job = _claim(queued)
        if job is None:
            continue
        spec = json.loads((job / JOB_FILE).read_text(encoding="utf-8"))
        options = {k: spec.get(k) for k in JOB_OPTIONS if k != "kind"}
        result: dict = {"file": spec["file"], "kind": spec["kind"], "finished_at": local_now().isoformat()}
        try:
            report = import_file(conn, job / spec["file"], spec["kind"], **options)
        except IngestError as error:
            result.update(ok=False, message=error.message(lang))
            _finish(job, "failed", result)
        else:
            result.update(ok=True, accepted=report.accepted, rejected=report.rejected, import_id=report.import_id)
            # The store now holds the data and import_log its hash; only the record is kept.
            for part in job.iterdir():
                if part.name != JOB_FILE:
                    part.unlink()
            _finish(job, "done", result)
        results.append(result)
    return results
