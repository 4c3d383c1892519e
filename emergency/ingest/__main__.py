"""Command line: ``python -m emergency.ingest FILE --kind KIND [--crs ...] [--encoding ...] [--sheet ...] [--dry-run]``.

The store allows one writing process. While the app serves, it holds the store, so this
command stops with a message pointing to the app's import page instead of waiting or
writing half a file, or with ``--queue`` leaves the file in the store's inbox for the app to
import; with the app stopped it imports directly, in one transaction.
"""

from __future__ import annotations

import getpass
import json
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

from emergency import actions, commandline, config, i18n, store
from emergency.access import console_actor
from emergency.ingest import inbox, mappings
from emergency.ingest.errors import SPOKEN_DETAIL, IngestError
from emergency.ingest.kinds import KINDS

# How long to keep trying when another short-lived process (a test, a demo build) holds the store.
OPEN_RETRIES = 5
OPEN_RETRY_S = 0.4
# Rejected rows printed; the rest are in the quarantine table.
PRINT_REJECTS = 20

EXIT_OK, EXIT_FILE, EXIT_LOCKED = 0, 1, 3


def open_store(path: Path | str, file_name: str = "") -> duckdb.DuckDBPyConnection:
    """Open the store read-write, retrying briefly; raise IngestError ``locked`` if another process holds it.

    A PostgreSQL server store is never held by one process: CLI imports write to it directly,
    alongside the app processes (imports are serialized by an advisory lock on the server).
    """
    if store.pgstore.is_url(path):
        return store.connect(path)
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
    print(
        f"{report.file_name} · {t(f'ingest.kind.{report.kind}', lang)} · {report.format} · {report.encoding or '-'} ·"
        f" {report.crs}"
    )
    figures = [
        (t("ingest.total", lang), report.total),
        (t("ingest.accepted", lang), report.accepted),
        (t("ingest.rejected", lang), report.rejected),
        (t("ingest.inserted", lang), report.inserted),
        (t("ingest.updated", lang), report.updated),
        (t("ingest.unchanged", lang), report.unchanged),
    ]
    print("  ".join(f"{label} {value:,}" for label, value in figures))
    for note in report.notes:
        print("· " + t(f"ingest.note.{note}", lang))
    for line in report_lines(report, lang):
        print("· " + line)
    for row in report.rejects.head(PRINT_REJECTS).itertuples():
        where = f"{row.sheet}!" if isinstance(getattr(row, "sheet", None), str) else ""
        problems = (
            json.loads(row.problems)
            if isinstance(getattr(row, "problems", None), str)
            else [[row.reason, row.field, row.value]]
        )
        text = "；".join(
            f"{t(f'ingest.reason.{reason}', lang)}"
            f" [{field}{'' if value is None or pd.isna(value) else ' = ' + str(value)}]"
            for reason, field, value in problems
        )
        print(f"  {t('ingest.col.row_number', lang)} {where}{row.row_number}: {text}")
    if report.rejected > PRINT_REJECTS:
        print(f"  … {report.rejected - PRINT_REJECTS:,}")


def report_lines(report, lang: str) -> list[str]:
    """List the report's extra facts.

    Sheets, units, other-labels, created warehouses, missing locations, unused headers.
    """
    t = i18n.t
    lines = []
    if report.sheets_read and (len(report.sheets_read) > 1 or report.sheets_skipped):
        lines.append(t("ingest.sheets_read", lang, sheets="、".join(f"{n}（{r:,}）" for n, r in report.sheets_read)))
    for name, why in report.sheets_skipped:
        lines.append(t("ingest.sheet_skipped", lang, sheet=name, why=t(f"ingest.skip.{why}", lang)))
    for c in report.conversions:
        if c["where"] == "header":
            lines.append(
                t(
                    "ingest.unit_header",
                    lang,
                    header=c["header"],
                    unit=c["unit"],
                    to=c["to"],
                    factor=f"{c['factor']:g}",
                    rows=f"{c['rows']:,}",
                )
            )
        else:
            lines.append(t("ingest.unit_cell", lang, header=c["header"], to=c["to"], rows=f"{c['rows']:,}"))
    for name, labels in report.others.items():
        lines.append(
            t(
                "ingest.others",
                lang,
                field=t(f"ingest.field.{name}", lang),
                labels="、".join(f"{label}（{rows:,}）" for label, rows in labels.items()),
            )
        )
    for names in report.created.values():
        lines.append(t("ingest.created_warehouses", lang, n=len(names), names="、".join(names[:20])))
    if report.location_missing:
        lines.append(t("ingest.location_missing", lang, n=f"{report.location_missing:,}"))
    if report.remembered:
        lines += mappings.applied_lines(report.remembered, report.remembered_from, lang)
    if report.unused_headers:
        lines.append(
            t(
                "ingest.unused_headers",
                lang,
                headers="、".join(
                    f"{h}（{t('ingest.looks_like', lang)}{t(f'ingest.field.{f}', lang)}）"
                    for h, f in report.unused_headers
                ),
            )
        )
    return lines


class _Progress:
    """Stage, rows and time on one terminal line (stderr), only when stderr is a terminal."""

    def __init__(self, lang: str, stream=None) -> None:
        # sys.stderr as it is now, not as it was when this module was imported (a test's capture)
        stream = sys.stderr if stream is None else stream
        self.lang, self.stream, self.started = lang, stream, time.perf_counter()
        self.live = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, stage: str, fraction: float) -> None:
        if not self.live:
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / fraction - elapsed if fraction > 0.05 else None
        text = i18n.t(
            "ingest.cli_progress",
            self.lang,
            stage=i18n.t(f"ingest.stage.{stage}", self.lang),
            percent=f"{fraction:.0%}",
            elapsed=f"{elapsed:.1f}",
            left="-" if left is None else f"{left:.0f}",
        )
        self.stream.write("\r" + text + " " * 8)
        if stage == "done":
            self.stream.write("\n")
        self.stream.flush()

    def rate(self, report) -> str:
        seconds = max(report.seconds, 1e-9)
        return i18n.t(
            "ingest.cli_rate",
            self.lang,
            rows=f"{report.total:,}",
            rate=f"{report.total / seconds:,.0f}",
            seconds=f"{report.seconds:.1f}",
        )


def main(argv: list[str] | None = None, prog: str | None = None, description: str | None = None) -> int:
    """Import one file; print the validation report; exit 1 for a bad file, 3 if the app holds the store.

    ``prog`` and ``description`` are the help's (``python -m emergency ingest`` passes its own).
    """
    parser = commandline.parser(prog or "python -m emergency.ingest", description or __doc__)
    parser.add_argument("file", type=Path, help="CSV, Excel, GeoJSON, Shapefile (.shp or .zip) or GeoPackage")
    parser.add_argument("--kind", required=True, choices=sorted(KINDS), help="what the file holds")
    parser.add_argument(
        "--crs", help="wgs84, cgcs2000, gcj02, bd09 or EPSG:xxxx (default: the file's .prj, else wgs84)"
    )
    parser.add_argument("--encoding", help="text encoding of a CSV or .dbf, e.g. gbk (default: detected)")
    parser.add_argument("--sheet", help="Excel sheet, GeoPackage layer or Shapefile inside a zip")
    parser.add_argument(
        "--map", action="append", default=[], metavar="FIELD=HEADER", help="map a field to a header (repeatable)"
    )
    parser.add_argument("--source", help="department the data comes from (recorded in import_log)")
    parser.add_argument("--user", default=None, help="who imports (default: the login name)")
    parser.add_argument(
        "--db",
        type=config.store_arg,
        default=None,
        help="store: DuckDB file or postgresql:// URL (default: the configured one)",
    )
    parser.add_argument(
        "--db-url", default=None, metavar="URL", help="PostgreSQL server store (default: $YITU_DB_URL or [yitu] db_url)"
    )
    parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    parser.add_argument(
        "--queue",
        action="store_true",
        help="if the app holds the store, queue the file in the store's inbox for the app to import",
    )
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE)
    args = parser.parse_args(argv)
    db_path = args.db_url or args.db or config.store_target()
    progress = _Progress(args.lang)
    try:
        _refuse_non_regular(args.file)  # before the store (and its write lock) is taken
        conn = open_store(db_path, args.file.name)
        try:
            report = actions.import_file(
                conn,
                console_actor(args.user),
                args.file,
                args.kind,
                file_name=args.file.name,
                crs=args.crs,
                encoding=args.encoding,
                sheet=args.sheet,
                mapping=_parse_mapping(args.map),
                dry_run=args.dry_run,
                source_name=args.source,
                progress=progress,
            )
        finally:
            conn.close()
    except IngestError as error:
        if error.reason == "locked" and args.queue and not args.dry_run:
            job = inbox.enqueue(
                db_path,
                args.file,
                kind=args.kind,
                crs=args.crs,
                encoding=args.encoding,
                sheet=args.sheet,
                mapping=_parse_mapping(args.map),
                user=args.user or getpass.getuser(),
                source_name=args.source,
            )
            print(i18n.t("ingest.queued", args.lang, file=args.file.name, path=str(job)))
            return EXIT_OK
        print(error.message(args.lang, with_detail=False), file=sys.stderr)
        if error.detail and error.reason not in SPOKEN_DETAIL:
            print(f"  {i18n.t('ingest.details', args.lang)}: {error.detail}", file=sys.stderr)
        if error.fields:
            print("  " + i18n.t("ingest.cli.map_hint", args.lang, fields=", ".join(error.fields)), file=sys.stderr)
        return EXIT_LOCKED if error.reason == "locked" else EXIT_FILE
    _print_report(report, args.lang)
    print(progress.rate(report))
    return EXIT_OK


def _refuse_non_regular(path: Path) -> None:
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError as error:
        raise IngestError(path.name, "missing_file") from error
    except OSError as error:
        raise IngestError(path.name, "unreadable", detail=str(error.strerror)) from error
    if not stat.S_ISREG(mode) and path.suffix.lower() != ".shp":
        raise IngestError(path.name, "not_a_file")


if __name__ == "__main__":
    raise SystemExit(main())
