"""Command line: ``python -m emergency.ingest FILE --kind KIND [--crs ...] [--encoding ...] [--sheet ...] [--dry-run]``.

The store allows one writing process. While the app serves, it holds the store, so this
command stops with a message pointing to the app's import page instead of waiting or
writing half a file, or with ``--queue`` leaves the file in the store's inbox for the app to
import; with the app stopped it imports directly, in one transaction.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

from emergency import actions, config, i18n, store
from emergency.access import console_actor
from emergency.ingest import inbox
from emergency.ingest.errors import IngestError
from emergency.ingest.kinds import KINDS

# How long to keep trying when another short-lived process (a test, a demo build) holds the store.
OPEN_RETRIES = 5
OPEN_RETRY_S = 0.4
# Rejected rows printed; the rest are in the quarantine table.
PRINT_REJECTS = 20

EXIT_OK, EXIT_FILE, EXIT_LOCKED = 0, 1, 3


def open_store(path: Path, file_name: str = "") -> duckdb.DuckDBPyConnection:
    """Open the store read-write, retrying briefly; raise IngestError ``locked`` if another process holds it."""
    for attempt in range(OPEN_RETRIES):
        try:
            return store.connect(path)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            if attempt == OPEN_RETRIES - 1:
                raise IngestError(file_name or path.name, "locked", detail=str(path)) from error
            time.sleep(OPEN_RETRY_S)
    raise AssertionError("unreachable")


def _parse_mapping(pairs: list[str]) -> dict[str, str] | None:
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        name, _, header = pair.partition("=")
        mapping[name.strip()] = header.strip() or None
    return mapping


def _print_report(report, lang: str) -> None:
    t = i18n.t
    print(f"{report.file_name} · {t(f'ingest.kind.{report.kind}', lang)} · {report.format} · {report.encoding or '-'} · {report.crs}")
    figures = [
        (t("ingest.total", lang), report.total), (t("ingest.accepted", lang), report.accepted),
        (t("ingest.rejected", lang), report.rejected), (t("ingest.inserted", lang), report.inserted),
        (t("ingest.updated", lang), report.updated), (t("ingest.unchanged", lang), report.unchanged),
    ]
    print("  ".join(f"{label} {value:,}" for label, value in figures))
    for note in report.notes:
        print("· " + t(f"ingest.note.{note}", lang))
    for row in report.rejects.head(PRINT_REJECTS).itertuples():
        value = "" if pd.isna(row.value) else f" = {row.value}"
        print(f"  {t('ingest.col.row_number', lang)} {row.row_number}: {t(f'ingest.reason.{row.reason}', lang)} [{row.field}{value}]")
    if report.rejected > PRINT_REJECTS:
        print(f"  … {report.rejected - PRINT_REJECTS:,}")


def main(argv: list[str] | None = None) -> int:
    """Import one file; print the validation report; exit 1 for a bad file, 3 if the app holds the store."""
    parser = argparse.ArgumentParser(prog="python -m emergency.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="CSV, Excel, GeoJSON, Shapefile (.shp or .zip) or GeoPackage")
    parser.add_argument("--kind", required=True, choices=sorted(KINDS), help="what the file holds")
    parser.add_argument("--crs", help="wgs84, cgcs2000, gcj02, bd09 or EPSG:xxxx (default: the file's .prj, else wgs84)")
    parser.add_argument("--encoding", help="text encoding of a CSV or .dbf, e.g. gbk (default: detected)")
    parser.add_argument("--sheet", help="Excel sheet, GeoPackage layer or Shapefile inside a zip")
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=HEADER", help="map a field to a header (repeatable)")
    parser.add_argument("--source", help="department the data comes from (recorded in import_log)")
    parser.add_argument("--user", default=None, help="who imports (default: the login name)")
    parser.add_argument("--db", type=Path, default=None, help="store path (default: the configured one)")
    parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    parser.add_argument(
        "--queue", action="store_true",
        help="if the app holds the store, queue the file in the store's inbox for the app to import",
    )
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE)
    args = parser.parse_args(argv)
    db_path = args.db or config.database_path()
    try:
        conn = open_store(db_path, args.file.name)
        try:
            report = actions.import_file(
                conn, console_actor(args.user), args.file, args.kind, file_name=args.file.name, crs=args.crs, encoding=args.encoding,
                sheet=args.sheet, mapping=_parse_mapping(args.map), dry_run=args.dry_run, source_name=args.source,
            )
        finally:
            conn.close()
    except IngestError as error:
        if error.reason == "locked" and args.queue and not args.dry_run:
            job = inbox.enqueue(
                db_path, args.file, kind=args.kind, crs=args.crs, encoding=args.encoding, sheet=args.sheet,
                mapping=_parse_mapping(args.map), user=args.user or getpass.getuser(), source_name=args.source,
            )
            print(i18n.t("ingest.queued", args.lang, file=args.file.name, path=str(job)))
            return EXIT_OK
        print(error.message(args.lang), file=sys.stderr)
        return EXIT_LOCKED if error.reason == "locked" else EXIT_FILE
    _print_report(report, args.lang)
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
