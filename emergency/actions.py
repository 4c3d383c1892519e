"""Every change a user can make, checked against the actor's role and written to the audit log.

The app's pages reach the store's write paths only through these functions (a test keeps it
so). Each one refuses an actor whose role lacks the permission before anything is read or
written, and records the refusal; an allowed change's audit row is written in the same
transaction as the change itself (domain functions' own transaction blocks join it, see
:func:`emergency.store.transaction`), so the store never holds one without the other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager

import duckdb
import pandas as pd

from emergency import access, audit, dispatch, shared_cache, stock, store, warning
from emergency.access import Actor, LoginRefused, PermissionDenied

log = logging.getLogger(__name__)

# A sign-in that meets DuckDB's "Conflict on update" (an admin unlocking the same account at
# that moment, two sessions pruning expired sessions) is tried again this many times.
SIGN_IN_TRIES = 5


@contextmanager
def _allowed(conn: duckdb.DuckDBPyConnection, actor: Actor | None, permission: str, action: str, object_=None):
    """Refuse (and record the refusal) unless ``actor`` holds ``permission``."""
    try:
        access.require(actor, permission)
    except PermissionDenied:
        audit.record(conn, actor, action, object_, outcome="denied", detail=f"needs permission {permission}")
        raise
    yield


@contextmanager
def _one_transaction(conn: duckdb.DuckDBPyConnection):
    """Run the change and write its audit row in one transaction: both committed, or neither."""
    with store.transaction(conn):
        yield


# ------------------------------------------------------------------ warnings (duty)


def issue_warning(conn, actor: Actor, level: str, townships: Sequence[str], text: str, channels: Sequence[str]) -> int:
    """Record a warning issued by the actor (see :func:`emergency.warning.issue_warning`)."""
    with _allowed(conn, actor, "warn", "warning_issue", ",".join(townships)), _one_transaction(conn):
        ident = warning.issue_warning(conn, level, townships, text, channels, actor.display_name)
        audit.record(conn, actor, "warning_issue", f"warning {ident}", detail=f"{level} {','.join(townships)}: {text}")
    return ident


def acknowledge(conn, actor: Actor, warning_id: int, recipients: Sequence[tuple[str, str]]) -> int:
    """Record recipients' acknowledgements (叫应) of a warning, as told to the actor."""
    with _allowed(conn, actor, "warn", "warning_ack", f"warning {warning_id}"), _one_transaction(conn):
        count = warning.acknowledge(conn, warning_id, recipients)
        audit.record(
            conn,
            actor,
            "warning_ack",
            f"warning {warning_id}",
            detail="; ".join(f"{township} {phone}" for township, phone in recipients),
        )
    return count


# ------------------------------------------------------------------ configuration (admin)


def save_warning_config(conn, actor: Actor, signals: pd.DataFrame, grades: pd.DataFrame, method: str) -> None:
    """Save the signal thresholds, the grade rules and the township method, audited."""
    with _allowed(conn, actor, "configure", "warning_config"), _one_transaction(conn):
        warning.save_config(conn, signals, grades, method)
        audit.record(
            conn,
            actor,
            "warning_config",
            "thresholds",
            detail=f"{len(signals)} signal rows, {len(grades)} grade rows, method {method}",
        )


def save_grade_rules(conn, actor: Actor, incident_type: str, rules_frame: pd.DataFrame) -> int:
    """Replace the grade rules of one incident type (emergency.rules.save_grade_rules); empty = 未分级."""
    from emergency import rules

    with _allowed(conn, actor, "configure", "grade_rules"), _one_transaction(conn):
        count = rules.save_grade_rules(conn, incident_type, rules_frame)
        audit.record(conn, actor, "grade_rules", incident_type, detail=f"{count} rules")
    return count


def save_contacts(conn, actor: Actor, contacts: pd.DataFrame) -> int:
    """Replace the township responsible persons, audited; return how many were saved."""
    with _allowed(conn, actor, "configure", "contacts_save"), _one_transaction(conn):
        count = warning.save_contacts(conn, contacts)
        audit.record(conn, actor, "contacts_save", "township_contacts", detail=f"{count} rows")
    return count


def save_minimums(conn, actor: Actor, frame: pd.DataFrame) -> int:
    """Replace the stock minimums, audited; return how many were saved."""
    with _allowed(conn, actor, "configure", "stock_minimums"), _one_transaction(conn):
        count = stock.replace_minimums(conn, frame)
        audit.record(conn, actor, "stock_minimums", "stock_minimums", detail=f"{count} rows")
    return count


def save_feed(conn, actor: Actor, feed, url: str | None = None):
    """Create or change a live data source.

    The URL goes to the settings file; the audit log records it with the password masked.
    """
    from emergency.feed import secrets, sync

    with _allowed(conn, actor, "configure", "feed_save", feed.name), _one_transaction(conn):
        saved = sync.save_feed(conn, feed, url=url)
        audit.record(
            conn,
            actor,
            "feed_save",
            feed.name,
            detail=f"{saved.url_shown or secrets.mask(url)} filter={feed.stations_filter or '-'} "
            f"every {feed.every_min} min silent {feed.silent_min} min "
            f"{'enabled' if feed.enabled else 'disabled'}",
        )
    return saved


def run_feed(conn, actor: Actor, name: str):
    """Sync one live source now; the run is recorded like the scheduled ones."""
    from emergency.feed import sync, water

    def write(cursor, result) -> None:
        audit.insert(
            cursor,
            actor,
            "feed_run",
            name,
            outcome="ok" if result.ok else "failed",
            detail=f"run {result.run_id}: +{result.inserted} ~{result.updated} -{result.rejected}",
        )

    with _allowed(conn, actor, "configure", "feed_run", name):
        # The audit row is written in the run's own transaction, with its rows or its failure.
        return sync.run_feed(conn, name, now=water.clock(conn), before_commit=write)


# ------------------------------------------------------------------ dispatch (duty)


def record_dispatch(
    conn,
    actor: Actor,
    orders: Sequence[dispatch.Order],
    lon: float,
    lat: float,
    incident_id: str | None = None,
    note: str | None = None,
) -> list[int]:
    """Send teams, stock or shelters in the actor's name (see :func:`emergency.dispatch.record_dispatch`)."""
    target = f"incident {incident_id}" if incident_id else f"point {lon:.5f},{lat:.5f}"
    with _allowed(conn, actor, "dispatch", "dispatch", target), _one_transaction(conn):
        ids = dispatch.record_dispatch(conn, orders, lon, lat, actor.display_name, incident_id, note)
        audit.record(
            conn,
            actor,
            "dispatch",
            target,
            detail="; ".join(f"#{i} {o.kind} {o.name}" for i, o in zip(ids, orders, strict=True)),
        )
    return ids


def set_dispatch_status(conn, actor: Actor, dispatch_id: int, status: str) -> None:
    """Change the status of a dispatch order, audited."""
    with _allowed(conn, actor, "dispatch", "dispatch_status", f"dispatch {dispatch_id}"), _one_transaction(conn):
        dispatch.set_dispatch_status(conn, dispatch_id, status)
        audit.record(conn, actor, "dispatch_status", f"dispatch {dispatch_id}", detail=status)


# ------------------------------------------------------------------ import (admin)


def import_file(conn, actor: Actor, source, kind: str, *, file_name: str, dry_run: bool = False, **options):
    """Check or import a file in the actor's name (see :func:`emergency.ingest.import_file`).

    A dry run (the check before importing) needs the same permission; only real imports and
    failed ones are recorded. A real import's audit row is written on the import's own
    cursor just before its commit, so rows, import_log and audit_log appear together or not at all.
    """
    from emergency.ingest import IngestError  # GIS readers load on demand
    from emergency.ingest import import_file as ingest_file

    with _allowed(conn, actor, "import", "import", file_name):
        try:
            report = ingest_file(
                conn,
                source,
                kind,
                dry_run=dry_run,
                user=actor.display_name,
                before_commit=None if dry_run else import_audit(actor, "import", file_name, kind),
                **options,
            )
        except IngestError as error:
            audit.record(conn, actor, "import", file_name, outcome="failed", detail=str(error))
            raise
    return report


def preview_file(conn, actor: Actor, source, *, file_name: str, **options):
    """Read a file's headers and first rows for the import page (see :func:`emergency.ingest.preview`).

    Needs the import permission; a file that cannot be read is audited as a failed import.
    """
    from emergency.ingest import IngestError, preview  # GIS readers load on demand

    with _allowed(conn, actor, "import", "import", file_name):
        try:
            return preview(source, **options)
        except IngestError as error:
            audit.record(conn, actor, "import", file_name, outcome="failed", detail=str(error))
            raise


def import_audit(actor: Actor, action: str, file_name: str, kind: str):
    """Write the audit row of an import on the import's cursor (its ``before_commit`` hook)."""

    def write(cursor, report) -> None:
        audit.insert(
            cursor,
            actor,
            action,
            file_name,
            detail=f"{kind}: {report.accepted} accepted, {report.rejected} rejected, import {report.import_id}",
        )
        shared_cache.bump_in(cursor)  # every replica drops its cached results at this commit

    return write


def process_inbox(conn, actor: Actor, db_path, lang: str) -> list[dict]:
    """Import the files the command line queued (see :mod:`emergency.ingest.inbox`).

    A job's successful import is audited in its own transaction (:func:`import_audit`); a
    failed or abandoned job is audited once it is moved to failed/.
    """
    from emergency.ingest import inbox

    # One process at a time works the inbox (several app processes on a server store).
    with _allowed(conn, actor, "import", "inbox_import"), store.process_lock(conn, "inbox"):
        results = inbox.process(
            conn,
            db_path,
            lang,
            before_commit=lambda spec: import_audit(actor, "inbox_import", spec["file"], spec["kind"]),
        )
    for result in results:
        if not result.get("ok"):
            audit.record(
                conn, actor, "inbox_import", result.get("file"), outcome="failed", detail=result.get("message")
            )
    return results


# ------------------------------------------------------------------ code lists (admin)


def map_code_label(conn, actor: Actor, list_name: str, label: str, code: str) -> int:
    """Map a department's text of a code list to a code: remembered, and applied to stored rows.

    Returns how many stored rows changed from "other" to ``code``.
    """
    from emergency import codelists

    with _allowed(conn, actor, "configure", "codelist_map", f"{list_name}: {label}"), _one_transaction(conn):
        changed = codelists.map_label(conn, list_name, label, code, actor.display_name)
        audit.record(conn, actor, "codelist_map", f"{list_name}: {label}", detail=f"→ {code}, {changed} rows")
    return changed


def add_code(
    conn, actor: Actor, list_name: str, code: str, name_zh: str, name_en: str, color: str | None = None
) -> None:
    """Add a code (zh/en name, colour) to an open code list."""
    from emergency import codelists

    with _allowed(conn, actor, "configure", "codelist_add", f"{list_name}: {code}"), _one_transaction(conn):
        codelists.add_code(conn, list_name, code, name_zh, name_en, color)
        audit.record(conn, actor, "codelist_add", f"{list_name}: {code}", detail=f"{name_zh} / {name_en} {color or ''}")
    codelists.sync_labels(conn)  # committed now: this process shows the new code by name


def set_location(conn, actor: Actor, table: str, name: str, lon: float, lat: float, crs: str = "wgs84") -> str | None:
    """Complete a team, shelter or warehouse kept without location (see :func:`emergency.completeness.set_location`)."""
    from emergency import completeness

    with _allowed(conn, actor, "import", "location_set", f"{table}: {name}"), _one_transaction(conn):
        township = completeness.set_location(conn, table, name, lon, lat, crs)
        audit.record(conn, actor, "location_set", f"{table}: {name}", detail=f"{lon}, {lat} ({crs})")
    return township


# ------------------------------------------------------------------ exports (analyst)


def export(conn, actor: Actor, subject: str, make: Callable[[], bytes | str], permission: str = "export"):
    """Make the bytes of a download for the actor, and record it.

    ``make`` runs only after the check, so a refused role never gets the content even if
    its browser sends the click for a button it was never shown.
    """
    with _allowed(conn, actor, permission, "export", subject):
        content = make()
    audit.record(conn, actor, "export", subject)
    return content


# ------------------------------------------------------------------ accounts (admin)


def create_user(
    conn, actor: Actor, username: str, role: str, display_name: str | None = None, password: str | None = None
) -> str:
    """Create an account, audited; return its normalized user name."""
    with _allowed(conn, actor, "manage_users", "user_create", username), _one_transaction(conn):
        name = access.create_user(conn, username, role, display_name, password)
        audit.record(conn, actor, "user_create", name, detail=role)
    return name


def set_role(conn, actor: Actor, username: str, role: str) -> None:
    """Give an account another role, audited; nobody changes their own role."""
    with _allowed(conn, actor, "manage_users", "user_role", username), _one_transaction(conn):
        if username == actor.username and role != actor.role:
            raise ValueError("you cannot change your own role; ask another administrator")
        access.set_role(conn, username, role)
        audit.record(conn, actor, "user_role", username, detail=role)


def set_password(conn, actor: Actor, username: str, password: str) -> None:
    """Set an account's password, audited (the password itself is not recorded)."""
    with _allowed(conn, actor, "manage_users", "user_password", username), _one_transaction(conn):
        access.set_password(conn, username, password)
        audit.record(conn, actor, "user_password", username)


def set_disabled(conn, actor: Actor, username: str, disabled: bool) -> None:
    """Disable or enable an account, audited; nobody disables their own account."""
    action = "user_disable" if disabled else "user_enable"
    with _allowed(conn, actor, "manage_users", action, username), _one_transaction(conn):
        if disabled and username == actor.username:
            raise ValueError("you cannot disable your own account")
        access.set_disabled(conn, username, disabled)
        audit.record(conn, actor, action, username)


def unlock(conn, actor: Actor, username: str) -> None:
    """Unlock an account locked by failed sign-ins, audited."""
    with _allowed(conn, actor, "manage_users", "user_unlock", username), _one_transaction(conn):
        access.unlock(conn, username)
        audit.record(conn, actor, "user_unlock", username)


# ------------------------------------------------------------------ sign-in (anyone)


def sign_in(conn, username: str, password: str, client: str | None, settings: access.AuthSettings) -> tuple[Actor, str]:
    """Check a password sign-in and open a browser session; return (actor, session token).

    Attempts on one account run one after another (:func:`emergency.access.account_lock`),
    and each attempt's counter update, session and audit row are one transaction, so N
    parallel wrong guesses lock the account after exactly ``max_failed_logins`` and every
    one of them is in the audit log.

    Raises
    ------
    LoginRefused
        For every refusal (the caller shows one message whatever the reason).
    """
    name = (username or "").strip()
    audited_name = name[:64] or "?"
    # On a server store the app runs in several processes: the advisory lock serializes them too.
    with access.account_lock(name), store.process_lock(conn, f"login:{name.casefold()}"):
        for attempt in range(SIGN_IN_TRIES):
            refusal: LoginRefused | None = None
            try:
                with store.transaction(conn):
                    try:
                        found = access.authenticate(
                            conn, name, password, client, settings.max_failed_logins, settings.lockout_minutes
                        )
                    except LoginRefused as error:
                        refusal = error
                        audit.record(
                            conn,
                            None,
                            "login_failed",
                            "local",
                            outcome="denied",
                            detail=error.detail,
                            username=audited_name,
                            client=client,
                        )
                    else:
                        token = access.start_session(conn, found.username, settings.session_hours)
                        audit.record(conn, found, "login", "local")
            except duckdb.Error as error:
                if "conflict" not in str(error).lower() or attempt == SIGN_IN_TRIES - 1:
                    raise
                log.info("sign-in of %r met a write conflict; trying again", audited_name)
                time.sleep(0.05 * (attempt + 1))
                continue
            if refusal is not None:
                raise refusal
            return found, token
    raise AssertionError("unreachable")


def sign_out(conn, actor: Actor | None, token: str | None) -> None:
    """End a browser session and record it."""
    with store.transaction(conn):
        if actor is not None:
            audit.record(conn, actor, "logout", actor.via)
        access.end_session(conn, token)


def record_sign_in(conn, actor: Actor, via: str) -> None:
    """Record a sign-in vouched for by the proxy or the identity provider."""
    audit.record(conn, actor, "login", via)


def record_refused_sign_in(conn, username: str, via: str, reason: str, client: str | None) -> None:
    """Record an identity the proxy or the identity provider vouched for but this app refused."""
    audit.record(conn, None, "login_failed", via, outcome="denied", detail=reason, username=username, client=client)
