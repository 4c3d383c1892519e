"""One command line for the store and the tools: ``python -m emergency <command> [options]``.

Every command prints its own help with ``python -m emergency <command> --help``; the one-line
summaries below are the first lines of the command functions' docstrings. The old forms
``python -m emergency.demo``, ``python -m emergency.ingest``, ``python -m emergency.bench``,
``python -m emergency.ingest.benchmark`` and ``python -m emergency.feed.bench`` still work (aliases,
kept for one release).

A command is a function ``(argv: list[str]) -> int`` (the exit code) registered in ``COMMANDS``; its
docstring is its help: the command's parser has the prog ``python -m emergency <command>`` and the
docstring as its description. A command whose options are parsed by its own module (``demo``,
``ingest``, ``bench``, ``feed``) passes both to that module's ``main``/``cli`` (``_help``), so the
help reads the same whichever module parses.
"""

from __future__ import annotations

import argparse
import getpass
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb

from emergency import access, actions, commandline, completeness, config, pgstore, queries, store

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PROG = "python -m emergency"


def _parser(name: str, command: Callable) -> argparse.ArgumentParser:
    """Return an argument parser whose description is the command's docstring."""
    return commandline.parser(f"{PROG} {name}", inspect.cleandoc(command.__doc__ or ""))


def _help(name: str, command: Callable) -> dict[str, str]:
    """Return the ``prog`` and ``description`` a module's own parser takes for the command ``name``."""
    return {"prog": f"{PROG} {name}", "description": inspect.cleandoc(command.__doc__ or "")}


def _store_options(parser: argparse.ArgumentParser, help_text: str | None = None) -> None:
    """``--db`` (a DuckDB file or a postgresql:// URL) and ``--db-url`` (a PostgreSQL server store)."""
    parser.add_argument(
        "--db",
        type=config.store_arg,
        default=None,
        help=help_text or "store: DuckDB file or postgresql:// URL (default: the configured one)",
    )
    parser.add_argument(
        "--db-url",
        default=None,
        metavar="URL",
        help="PostgreSQL server store, postgresql://user:password@host:port/database"
        " (default: $YITU_DB_URL or [yitu] db_url)",
    )


def _target(args: argparse.Namespace):
    """Return the store a command works on: --db-url, then --db, then the settings."""
    return args.db_url or args.db or config.store_target()


def init_command(argv: list[str]) -> int:
    """Create a store for a real county from its outline file (no demo rows), then import its townships.

    The outline may be GeoJSON, a Shapefile (.shp or .zip) or a GeoPackage in any CRS the import
    understands; a file of several divisions gives the feature whose adcode/code equals --code.
    """
    parser = _parser("init", init_command)
    parser.add_argument(
        "--outline",
        type=Path,
        required=True,
        help="county boundary: GeoJSON, Shapefile (.shp/.zip) or GeoPackage; a file of several "
        "divisions gives the feature whose adcode/code equals --code",
    )
    parser.add_argument("--name", required=True, help="display name, e.g. 婺源县")
    parser.add_argument("--code", required=True, help="six-digit division code (行政区划代码), e.g. 361130")
    parser.add_argument(
        "--crs",
        default="gcj02",
        help="CRS of the outline: gcj02 (default: most Chinese web boundaries), bd09, wgs84, "
        "cgcs2000, EPSG:xxxx, or 'file' to trust the file's own",
    )
    _store_options(parser, "store to create: DuckDB file or postgresql:// URL (default: the configured one)")
    parser.add_argument("--townships", type=Path, help="township boundaries to import right away")
    parser.add_argument(
        "--townships-crs", default=None, help="CRS of the townships file (default: its .prj, else wgs84)"
    )
    parser.add_argument("--source", default=None, help="department the townships come from")
    args = parser.parse_args(argv)
    from emergency import county

    path = _target(args)
    try:
        created = county.init_store(
            path, args.outline, args.name, args.code, crs=None if args.crs == "file" else args.crs
        )
    except county.CountyError as error:
        print(f"init refused: {error}", file=sys.stderr)
        return EXIT_FAILED
    minx, miny, maxx, maxy = created.bbox
    print(
        f"created {created.path} for {created.name} ({created.code}), {created.area_km2:,.0f} km², "
        f"lon {minx:.3f}–{maxx:.3f}, lat {miny:.3f}–{maxy:.3f}"
    )
    if args.townships:
        # The import command itself: audited like any import, its report printed the same way.
        ingest_argv = [str(args.townships), "--kind", "townships", "--db", str(path), "--lang", "zh"]
        ingest_argv += ["--crs", args.townships_crs] if args.townships_crs else []
        ingest_argv += ["--source", args.source] if args.source else []
        if ingest_command(ingest_argv) != EXIT_OK:
            print("townships not imported (the county is created; import them later)", file=sys.stderr)
            return EXIT_FAILED
    _print_status(path)
    return EXIT_OK


def _open_read_only(path: Path):
    """Open the store for reading; None (with a message) when the app holds it."""
    try:
        return store.connect(path, read_only=True)
    except duckdb.IOException as error:
        print(f"cannot read {path} now (is the app running on it?): {error}", file=sys.stderr)
        return None
    except pgstore.StoreError as error:  # a newer schema, or a file of a newer DuckDB
        print(f"cannot read {store.describe(path)}: {error}", file=sys.stderr)
        return None


def _print_status(path: Path) -> None:
    conn = _open_read_only(path)
    if conn is None:
        return
    try:
        steps = completeness.next_steps(conn)
    finally:
        conn.close()
    missing = [step.kind for step in steps if not step.rows]
    if missing:
        print("next: " + " → ".join(missing))
        print(f"  {PROG} ingest FILE --kind {missing[0]} --db {store.describe(path)}")
    else:
        print("every kind holds data")


def status_command(argv: list[str]) -> int:
    """Show what the store holds (rows and latest time per kind) and what to import next."""
    parser = _parser("status", status_command)
    _store_options(parser)
    args = parser.parse_args(argv)
    path = _target(args)
    if not store.exists(path):
        print(f"no store at {store.describe(path)}", file=sys.stderr)
        return EXIT_FAILED
    conn = _open_read_only(path)
    if conn is None:
        return EXIT_FAILED
    try:
        meta = store.get_meta(conn)
        kinds = completeness.kind_summary(conn)
    finally:
        conn.close()
    print(
        f"{meta.get('county_name', '?')} ({meta.get('county_code', '?')}) · "
        f"{'demo' if meta.get('is_demo') == 'true' else 'real'} · {store.describe(path)}"
    )
    for row in kinds.itertuples():
        latest = "" if row.latest is None or str(row.latest) == "NaT" else f"  latest {row.latest}"
        print(f"  {row.kind:<14}{row.rows:>12,}{latest}")
    _print_status(path)
    return EXIT_OK


def _read_password(args: argparse.Namespace) -> str:
    """Read the new password from stdin (--password-stdin, for scripts) or twice at a prompt."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _user(args: argparse.Namespace) -> int:
    """Manage accounts on a store the app does not hold (use the admin page while it runs)."""
    path = _target(args)
    if not store.exists(path):
        print(
            f"no store at {store.describe(path)}: start the app once or run `python -m emergency init`", file=sys.stderr
        )
        return EXIT_FAILED
    try:
        conn = store.connect(path)
    except duckdb.IOException as error:
        print(
            f"cannot write {path} now; while the app runs, manage accounts on its admin page ({error})", file=sys.stderr
        )
        return EXIT_FAILED
    operator = access.console_actor("command line")
    try:
        if args.action == "list":
            print(queries.users(conn).to_string(index=False))
        elif args.action == "add":
            password = None if args.no_password else _read_password(args)
            actions.create_user(conn, operator, args.username, args.role, args.display_name, password)
            print(
                f"created {args.username} ({args.role})"
                + (", signs in through OIDC or the proxy" if password is None else "")
            )
        elif args.action == "passwd":
            actions.set_password(conn, operator, args.username, _read_password(args))
            print(f"password of {args.username} changed")
        elif args.action == "role":
            actions.set_role(conn, operator, args.username, args.role)
            print(f"{args.username} is now {args.role}")
        elif args.action in ("disable", "enable"):
            actions.set_disabled(conn, operator, args.username, args.action == "disable")
            print(f"{args.username} {args.action}d")
        elif args.action == "unlock":
            actions.unlock(conn, operator, args.username)
            print(f"{args.username} unlocked")
    except ValueError as error:
        print(f"user {args.action} refused: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        conn.close()
    return EXIT_OK


def user_command(argv: list[str]) -> int:
    """Manage sign-in accounts: add, list, passwd, role, disable, enable, unlock.

    Works on a store the app does not hold; while the app runs, use its 用户与审计 page.
    """
    parser = _parser("user", user_command)
    parser.epilog = "roles: " + "; ".join(
        f"{role} ({', '.join(sorted(access.ROLE_PERMISSIONS[role]))})" for role in access.ROLES
    )
    _store_options(parser)
    verbs = parser.add_subparsers(dest="action", required=True)
    verbs.add_parser("list", help="every account, without password hashes")
    add = verbs.add_parser("add", help="create an account (asks for the password twice)")
    add.add_argument("username", help="sign-in name: letters, digits, _ . @ - (an e-mail for OIDC)")
    add.add_argument("--role", required=True, choices=access.ROLES)
    add.add_argument("--display-name", default=None, help="name shown in the app and on warnings, e.g. 张三")
    add.add_argument("--no-password", action="store_true", help="no local password: signs in through OIDC or the proxy")
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    passwd = verbs.add_parser("passwd", help="set a new password (also ends a lockout)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    role = verbs.add_parser("role", help="change an account's role")
    role.add_argument("username")
    role.add_argument("role", choices=access.ROLES)
    for verb, text in (
        ("disable", "refuse sign-in and end its sessions"),
        ("enable", "allow sign-in again"),
        ("unlock", "end a lockout after failed sign-ins"),
    ):
        verbs.add_parser(verb, help=text).add_argument("username")
    return _user(parser.parse_args(argv))


def demo_command(argv: list[str]) -> int:
    """Build the synthetic demo store (deterministic: the same seed gives the same checksums).

    --scale multiplies gauges, incidents and resources (83 gives about 10 M five-minute rainfall
    rows). Refuses a store holding real data. With --live: a small SL 323 hydrology database on the
    demo county, registered as a feed and replayed in accelerated time (its options:
    python -m emergency demo --live --help).
    """
    if "--live" in argv:
        from emergency.feed import demo as live_demo

        return live_demo.main(argv)
    from emergency import demo

    return demo.main(argv, **_help("demo", demo_command))


def ingest_command(argv: list[str]) -> int:
    """Import one file (CSV, Excel, GeoJSON, Shapefile, GeoPackage) of one kind into the store.

    The store allows one writing process: while the app serves it, the import stops with a message
    pointing to the app's import page (or, with --queue, leaves the file in the store's inbox for the
    app to import); with the app stopped it imports directly, in one transaction. Exit 1 for a bad
    file (with file, row and reason), 3 when the app holds the store.
    """
    from emergency.ingest import __main__ as ingest_main

    return ingest_main.main(argv, **_help("ingest", ingest_command))


def bench_command(argv: list[str]) -> int:
    """Benchmark at scale: query ratios against bare DuckDB, page run times, payloads, exports, import, RSS.

    Numbers are printed (and written as JSON with --json), never asserted. Two benchmarks of their own:
    ``bench import [--rows N] [--path CSV]`` times the rainfall import alone; ``bench feed
    [--stations N]`` times the live feed's sync.
    """
    if argv[:1] == ["import"]:
        from emergency.ingest import benchmark

        return benchmark.cli(argv[1:], prog=f"{PROG} bench import")
    if argv[:1] == ["feed"]:
        from emergency.feed import bench as feed_bench

        return feed_bench.main(argv[1:], prog=f"{PROG} bench feed")
    from emergency import bench

    return bench.cli(argv, **_help("bench", bench_command))


def backup_command(argv: list[str]) -> int:
    """Back up the store to a new file while the app may be serving it (restore with the restore command).

    DuckDB store: a consistent copy (COPY FROM DATABASE) made by the app holding the file, or by
    this command when no process holds it; OUT is a DuckDB file. PostgreSQL store: pg_dump in
    custom format. See docs/部署与运维.md, section 备份与恢复.
    """
    from emergency import backup

    parser = _parser("backup", backup_command)
    parser.add_argument("out", type=Path, help="the backup file to write (must not exist)")
    _store_options(parser)
    parser.add_argument("--wait", type=float, default=backup.DEFAULT_WAIT_S, help="seconds to wait for the app")
    args = parser.parse_args(argv)
    return backup.cli_backup(args.out, _target(args), args.wait)


def restore_command(argv: list[str]) -> int:
    """Replace the store's contents with a backup made by the backup command (stop the app first for DuckDB)."""
    from emergency import backup

    parser = _parser("restore", restore_command)
    parser.add_argument("backup", type=Path, help="a file written by the backup command")
    _store_options(parser)
    args = parser.parse_args(argv)
    return backup.cli_restore(args.backup, _target(args))


def feed_command(argv: list[str]) -> int:
    """Live data feeds (SL 323 hydrology databases): add, list, status, run.

    add     a source: its URL goes to the settings file ([yitu_feeds]), the rest to the store
    list    the configured sources (URLs with their password masked)
    status  each source's freshness and its latest runs
    run     sync every enabled source every N minutes (--once: each once, then exit)
    """
    from emergency.feed import cli as feed_cli

    return feed_cli.main(argv, **_help("feed", feed_command))


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "init": init_command,
    "demo": demo_command,
    "ingest": ingest_command,
    "status": status_command,
    "user": user_command,
    "bench": bench_command,
    "backup": backup_command,
    "restore": restore_command,
    "feed": feed_command,
}


def _summary(command: Callable) -> str:
    """Return the first line of the command's docstring."""
    doc = (command.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def usage() -> str:
    """Return the top-level help: every command with its summary."""
    width = max(len(name) for name in COMMANDS)
    lines = [f"usage: {PROG} <command> [options]      ({PROG} <command> --help for its options)", "", "commands:"]
    lines += [f"  {name:<{width}}  {_summary(command)}" for name, command in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command named by the first argument with the rest; print the list of commands otherwise."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return EXIT_OK if argv else EXIT_USAGE
    if argv[0] not in COMMANDS:
        print(f"{PROG}: unknown command {argv[0]!r}\n\n{usage()}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[argv[0]](argv[1:])
    except pgstore.StoreError as error:  # a store this program cannot use: a message, not a traceback
        print(f"{PROG} {argv[0]}: {error}", file=sys.stderr)
        return 1


def _run() -> int:
    """Run :func:`main`; a reader that stops early (``… | head``) ends the output, not with a traceback."""
    try:
        status = main()
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # What was done is done (an import is committed before its report prints); Python's own
        # flush at exit would fail again on the closed pipe, so stdout goes to /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    raise SystemExit(_run())
