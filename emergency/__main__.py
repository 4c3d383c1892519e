"""Command line of the store: ``python -m emergency init|demo|ingest|status|user``.

init    create a store for a real county from its outline (then import its data)
demo    build the synthetic demo store (same as ``python -m emergency.demo``)
ingest  import one file (same as ``python -m emergency.ingest``)
status  what the store holds and what to import next
user    accounts for sign-in: add, list, passwd, role, disable, enable, unlock
feed    live sources (SL 323 hydrology databases): add, list, status, run [--once]
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import duckdb

from emergency import access, actions, completeness, config, county, demo, queries, store
from emergency.ingest import __main__ as ingest_cli
from emergency.ingest.engine import import_file
from emergency.ingest.errors import IngestError

EXIT_OK, EXIT_FAILED = 0, 1


def _init(args: argparse.Namespace) -> int:
    """Create the county store, then import its townships if a file was given."""
    path = args.db or config.database_path()
    try:
        created = county.init_store(path, args.outline, args.name, args.code, crs=None if args.crs == "file" else args.crs)
    except county.CountyError as error:
        print(f"init refused: {error}", file=sys.stderr)
        return EXIT_FAILED
    minx, miny, maxx, maxy = created.bbox
    print(f"created {created.path} for {created.name} ({created.code}), {created.area_km2:,.0f} km², "
          f"lon {minx:.3f}–{maxx:.3f}, lat {miny:.3f}–{maxy:.3f}")
    if args.townships:
        conn = store.connect(path)
        try:
            report = import_file(conn, args.townships, "townships", crs=args.townships_crs,
                                 user=getpass.getuser(), source_name=args.source)
        except IngestError as error:
            print(f"townships not imported (the county is created; import them later): {error.message('en')}",
                  file=sys.stderr)
            return EXIT_FAILED
        finally:
            conn.close()
        ingest_cli._print_report(report, "zh")
    _print_status(path)
    return EXIT_OK


def _open_read_only(path: Path):
    """Open the store for reading; None (with a message) when the app holds it."""
    try:
        return store.connect(path, read_only=True)
    except duckdb.IOException as error:
        print(f"cannot read {path} now (is the app running on it?): {error}", file=sys.stderr)
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
        print(f"  python -m emergency.ingest FILE --kind {missing[0]} --db {path}")
    else:
        print("every kind holds data")


def _status(args: argparse.Namespace) -> int:
    """Print each kind's row count and latest time, then what to import next."""
    path = args.db or config.database_path()
    if not Path(path).exists():
        print(f"no store at {path}", file=sys.stderr)
        return EXIT_FAILED
    conn = _open_read_only(path)
    if conn is None:
        return EXIT_FAILED
    try:
        meta = store.get_meta(conn)
        kinds = completeness.kind_summary(conn)
    finally:
        conn.close()
    print(f"{meta.get('county_name', '?')} ({meta.get('county_code', '?')}) · "
          f"{'demo' if meta.get('is_demo') == 'true' else 'real'} · {path}")
    for row in kinds.itertuples():
        latest = "" if row.latest is None or str(row.latest) == "NaT" else f"  latest {row.latest}"
        print(f"  {row.kind:<14}{row.rows:>12,}{latest}")
    _print_status(path)
    return EXIT_OK


def _read_password(args: argparse.Namespace) -> str:
    """The new password from stdin (--password-stdin, for scripts) or typed twice at a prompt."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _user(args: argparse.Namespace) -> int:
    """Manage accounts on a store the app does not hold (use the admin page while it runs)."""
    path = args.db or config.database_path()
    if not Path(path).exists():
        print(f"no store at {path}: start the app once or run `python -m emergency init`", file=sys.stderr)
        return EXIT_FAILED
    try:
        conn = store.connect(path)
    except duckdb.IOException as error:
        print(f"cannot write {path} now; while the app runs, manage accounts on its admin page ({error})",
              file=sys.stderr)
        return EXIT_FAILED
    operator = access.console_actor("command line")
    try:
        if args.action == "list":
            print(queries.users(conn).to_string(index=False))
        elif args.action == "add":
            password = None if args.no_password else _read_password(args)
            actions.create_user(conn, operator, args.username, args.role, args.display_name, password)
            print(f"created {args.username} ({args.role})" + (", signs in through OIDC or the proxy" if password is None else ""))
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


def _add_user_commands(commands) -> None:
    user = commands.add_parser("user", help="accounts for sign-in (local passwords, OIDC or proxy identities)",
                               description="Create and manage accounts. Roles: " + ", ".join(
                                   f"{role} ({', '.join(sorted(access.ROLE_PERMISSIONS[role]))})" for role in access.ROLES))
    user.add_argument("--db", type=Path, default=None, help="store (default: the configured one)")
    verbs = user.add_subparsers(dest="action", required=True)
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
    for verb, text in (("disable", "refuse sign-in and end its sessions"), ("enable", "allow sign-in again"),
                       ("unlock", "end a lockout after failed sign-ins")):
        verbs.add_parser(verb, help=text).add_argument("username")
    user.set_defaults(run=_user)


def main(argv: list[str] | None = None) -> int:
    """Parse the subcommand and run it; ``demo`` and ``ingest`` hand their arguments on unchanged."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "demo" and "--live" in argv:
        from emergency.feed import demo as live_demo  # issue 19
        return live_demo.main(argv[1:])
    if argv and argv[0] == "demo":
        return demo.main(argv[1:])
    if argv and argv[0] == "ingest":
        return ingest_cli.main(argv[1:])
    if argv and argv[0] == "feed":
        from emergency.feed import cli as feed_cli  # issue 19
        return feed_cli.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m emergency", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="create a store for a real county from its outline file",
                               description="Create a store for a real county (no demo rows) from its outline file.")
    init.add_argument("--outline", type=Path, required=True,
                      help="county boundary: GeoJSON, Shapefile (.shp/.zip) or GeoPackage; a file of several "
                           "divisions gives the feature whose adcode/code equals --code")
    init.add_argument("--name", required=True, help="display name, e.g. 婺源县")
    init.add_argument("--code", required=True, help="six-digit division code (行政区划代码), e.g. 361130")
    init.add_argument("--crs", default="gcj02",
                      help="CRS of the outline: gcj02 (default: most Chinese web boundaries), bd09, wgs84, "
                           "cgcs2000, EPSG:xxxx, or 'file' to trust the file's own")
    init.add_argument("--db", type=Path, default=None, help="store to create (default: the configured one)")
    init.add_argument("--townships", type=Path, help="township boundaries to import right away")
    init.add_argument("--townships-crs", default=None, help="CRS of the townships file (default: its .prj, else wgs84)")
    init.add_argument("--source", default=None, help="department the townships come from")
    init.set_defaults(run=_init)
    status = commands.add_parser("status", help="what the store holds and what to import next")
    status.add_argument("--db", type=Path, default=None, help="store (default: the configured one)")
    status.set_defaults(run=_status)
    _add_user_commands(commands)
    commands.add_parser("demo", help="build the demo store (see python -m emergency.demo --help)")
    commands.add_parser("ingest", help="import one file (see python -m emergency.ingest --help)")
    commands.add_parser("feed", help="live sources: add, list, status, run [--once] (see python -m emergency feed --help)")
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
