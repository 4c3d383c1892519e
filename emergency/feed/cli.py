"""``python -m emergency feed add|list|status|run``: configure live sources and sync them.

add     a source: its URL goes to the settings file ([yitu_feeds]), the rest to the store
list    the configured sources (URLs with their password masked)
status  each source's freshness and its latest runs
run     sync every enabled source every N minutes (``--once``: each once, then exit)
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from emergency import commandline, config, store
from emergency.clock import local_now
from emergency.feed import secrets, sync, water, worker

EXIT_OK, EXIT_FAILED = 0, 1


def _open(path: Path):
    if not store.exists(path):
        print(
            f"no store at {store.describe(path)}: start the app once or run `python -m emergency init`", file=sys.stderr
        )
        return None
    try:
        return store.connect(path)
    except duckdb.IOException as error:
        print(
            f"cannot write {path} now: the app holds it and runs the sync itself "
            f"(configure sources on its admin page) ({error})",
            file=sys.stderr,
        )
        return None


def _add(args) -> int:
    url = sys.stdin.readline().strip() if args.url_stdin else args.url
    if not url:
        print("feed add: give --url or --url-stdin", file=sys.stderr)
        return EXIT_FAILED
    conn = _open(args.db)
    if conn is None:
        return EXIT_FAILED
    try:
        feed = sync.Feed(
            name=args.name,
            kind=args.kind,
            stations_filter=args.stations_filter,
            crs=args.crs,
            every_min=args.every,
            overlap_min=args.overlap,
            silent_min=args.silent,
            first_days=args.first_days,
            enabled=not args.disabled,
        )
        saved = sync.save_feed(conn, feed, url=url)
    except (ValueError, Exception) as error:  # a bad URL, filter or CRS: say why, no traceback
        print(f"feed add refused: {secrets.scrub(str(error), url)}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        conn.close()
    print(f"feed {saved.name}: {saved.url_shown} (URL kept in {secrets.settings_path()}), every {saved.every_min} min")
    return EXIT_OK


def _list(args) -> int:
    conn = _open(args.db)
    if conn is None:
        return EXIT_FAILED
    try:
        for feed in sync.feeds(conn):
            print(
                f"{feed.name}\t{feed.kind}\t{feed.url_shown}\tfilter={feed.stations_filter or '-'}\tcrs={feed.crs}\t"
                f"every {feed.every_min} min\toverlap {feed.overlap_min} min\tsilent after {feed.silent_min} min\t"
                f"{'enabled' if feed.enabled else 'disabled'}"
            )
    finally:
        conn.close()
    return EXIT_OK


def _status(args) -> int:
    conn = _open(args.db)
    if conn is None:
        return EXIT_FAILED
    try:
        print(water.feed_status(conn, local_now(precise=True)).to_string(index=False))
        print()
        print(water.runs(conn, limit=args.runs).to_string(index=False))
    finally:
        conn.close()
    return EXIT_OK


def _print_run(result: sync.RunResult) -> None:
    if result.ok:
        print(
            f"{result.feed}: read {result.read_rows}, inserted {result.inserted}, updated {result.updated}, "
            f"rejected {result.rejected} (quarantined), newest {result.latest_data_at}, {result.seconds:.1f} s"
        )
    else:
        print(f"{result.feed}: failed: {result.error}", file=sys.stderr)


def _run(args) -> int:
    conn = _open(args.db)
    if conn is None:
        return EXIT_FAILED
    try:
        if not any(f.enabled for f in sync.feeds(conn)):
            print("no enabled feed: add one with `python -m emergency feed add`", file=sys.stderr)
            return EXIT_FAILED
        failed = worker.loop(conn, args.db, once=args.once, report=_print_run)
    except RuntimeError as error:
        print(f"feed run: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        conn.close()
    return EXIT_FAILED if failed else EXIT_OK


def main(argv: list[str] | None = None, prog: str | None = None, description: str | None = None) -> int:
    """Run ``python -m emergency feed`` with ``argv`` (see the module's docstring); return the exit status.

    ``prog`` and ``description`` are the help's (``python -m emergency feed`` passes its own).
    """
    parser = commandline.parser(prog or "python -m emergency feed", description or __doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add or change a source")
    add.add_argument("--name", required=True, help="the source's name, e.g. 县水文")
    add.add_argument("--kind", default="sl323", choices=sync.FEED_KINDS)
    add.add_argument(
        "--url",
        help="SQLAlchemy URL, e.g. mssql+pymssql://user:pw@host/db, mysql+pymysql://…, "
        "postgresql+psycopg://…, oracle+oracledb://…, sqlite:///file.db",
    )
    add.add_argument(
        "--url-stdin", action="store_true", help="read the URL from one line of stdin (kept out of the shell history)"
    )
    add.add_argument("--stations-filter", default=None, help="e.g. ADDVCD=361104 or ADDVCD=3611* (prefix)")
    add.add_argument(
        "--crs", default="cgcs2000", help="CRS of LGTD/LTTD: cgcs2000 (default), wgs84, gcj02, bd09, EPSG:xxxx"
    )
    add.add_argument("--every", type=int, default=5, help="minutes between runs (default 5)")
    add.add_argument(
        "--overlap",
        type=int,
        default=60,
        help="minutes re-read before the newest report, for late and corrected reports (default 60)",
    )
    add.add_argument(
        "--silent",
        type=int,
        default=water.DEFAULT_SILENT_MIN,
        help="alarm after this many minutes without a report (default 15)",
    )
    add.add_argument("--first-days", type=int, default=3, help="days of history read on the first run (default 3)")
    add.add_argument("--disabled", action="store_true", help="configure without running it")
    add.set_defaults(run=_add)
    commands.add_parser("list", help="configured sources").set_defaults(run=_list)
    status = commands.add_parser("status", help="freshness and the latest runs")
    status.add_argument("--runs", type=int, default=20)
    status.set_defaults(run=_status)
    run = commands.add_parser("run", help="sync every enabled source every N minutes")
    run.add_argument("--once", action="store_true", help="each source once, then exit (status 1 if one failed)")
    run.set_defaults(run=_run)
    for sub in (add, run, status, commands.choices["list"]):
        sub.add_argument(
            "--db",
            type=config.store_arg,
            default=None,
            help="store: DuckDB file or postgresql:// URL (default: the configured one)",
        )
    args = parser.parse_args(argv)
    args.db = args.db or config.store_target()
    return args.run(args)
