"""Every change a user can make, checked against the actor's role and written to the audit log.

The app's pages reach the store's write paths only through these functions (a test keeps it
so). Each one refuses an actor whose role lacks the permission before anything is read or
written, and records the refusal; an allowed action is recorded after it succeeded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import contextmanager

import duckdb
import pandas as pd

from emergency import access, audit, dispatch, stock, warning
from emergency.access import Actor, PermissionDenied


@contextmanager
def _allowed(conn: duckdb.DuckDBPyConnection, actor: Actor | None, permission: str, action: str, object_=None):
    """Refuse (and record the refusal) unless ``actor`` holds ``permission``."""
    try:
        access.require(actor, permission)
    except PermissionDenied:
        audit.record(conn, actor, action, object_, outcome="denied", detail=f"needs permission {permission}")
        raise
    yield


# ------------------------------------------------------------------ warnings (duty)


def issue_warning(conn, actor: Actor, level: str, townships: Sequence[str], text: str,
                  channels: Sequence[str]) -> int:
    """Record a warning issued by the actor (see :func:`emergency.warning.issue_warning`)."""
    with _allowed(conn, actor, "warn", "warning_issue", ",".join(townships)):
        ident = warning.issue_warning(conn, level, townships, text, channels, actor.display_name)
    audit.record(conn, actor, "warning_issue", f"warning {ident}", detail=f"{level} {','.join(townships)}: {text}")
    return ident


def acknowledge(conn, actor: Actor, warning_id: int, recipients: Sequence[tuple[str, str]]) -> int:
    """Record recipients' acknowledgements (叫应) of a warning, as told to the actor."""
    with _allowed(conn, actor, "warn", "warning_ack", f"warning {warning_id}"):
        count = warning.acknowledge(conn, warning_id, recipients)
    audit.record(conn, actor, "warning_ack", f"warning {warning_id}",
                 detail="; ".join(f"{township} {phone}" for township, phone in recipients))
    return count


# ------------------------------------------------------------------ configuration (admin)


def save_warning_config(conn, actor: Actor, signals: pd.DataFrame, grades: pd.DataFrame, method: str) -> None:
    with _allowed(conn, actor, "configure", "warning_config"):
        warning.save_config(conn, signals, grades, method)
    audit.record(conn, actor, "warning_config", "thresholds",
                 detail=f"{len(signals)} signal rows, {len(grades)} grade rows, method {method}")


def save_contacts(conn, actor: Actor, contacts: pd.DataFrame) -> int:
    with _allowed(conn, actor, "configure", "contacts_save"):
        count = warning.save_contacts(conn, contacts)
    audit.record(conn, actor, "contacts_save", "township_contacts", detail=f"{count} rows")
    return count


def save_minimums(conn, actor: Actor, frame: pd.DataFrame) -> int:
    with _allowed(conn, actor, "configure", "stock_minimums"):
        count = stock.replace_minimums(conn, frame)
    audit.record(conn, actor, "stock_minimums", "stock_minimums", detail=f"{count} rows")
    return count


def save_feed(conn, actor: Actor, feed, url: str | None = None):
    """Create or change a live source (issue 19); the URL goes to the settings file, the audit
    log records it with the password masked."""
    from emergency.feed import secrets, sync
    with _allowed(conn, actor, "configure", "feed_save", feed.name):
        saved = sync.save_feed(conn, feed, url=url)
    audit.record(conn, actor, "feed_save", feed.name,
                 detail=f"{saved.url_shown or secrets.mask(url)} filter={feed.stations_filter or '-'} every {feed.every_min} min "
                        f"silent {feed.silent_min} min {'enabled' if feed.enabled else 'disabled'}")
    return saved


def run_feed(conn, actor: Actor, name: str):
    """Sync one live source now (issue 19); the run is recorded like the scheduled ones."""
    from emergency.feed import sync, water
    with _allowed(conn, actor, "configure", "feed_run", name):
        result = sync.run_feed(conn, name, now=water.clock(conn))
    audit.record(conn, actor, "feed_run", name, outcome="ok" if result.ok else "failed",
                 detail=f"run {result.run_id}: +{result.inserted} ~{result.updated} -{result.rejected}")
    return result


# ------------------------------------------------------------------ dispatch (duty)


def record_dispatch(conn, actor: Actor, orders: Sequence[dispatch.Order], lon: float, lat: float,
                    incident_id: str | None = None, note: str | None = None) -> list[int]:
    """Send teams, stock or shelters in the actor's name (see :func:`emergency.dispatch.record_dispatch`)."""
    target = f"incident {incident_id}" if incident_id else f"point {lon:.5f},{lat:.5f}"
    with _allowed(conn, actor, "dispatch", "dispatch", target):
        ids = dispatch.record_dispatch(conn, orders, lon, lat, actor.display_name, incident_id, note)
    audit.record(conn, actor, "dispatch", target,
                 detail="; ".join(f"#{i} {o.kind} {o.name}" for i, o in zip(ids, orders)))
    return ids


def set_dispatch_status(conn, actor: Actor, dispatch_id: int, status: str) -> None:
    with _allowed(conn, actor, "dispatch", "dispatch_status", f"dispatch {dispatch_id}"):
        dispatch.set_dispatch_status(conn, dispatch_id, status)
    audit.record(conn, actor, "dispatch_status", f"dispatch {dispatch_id}", detail=status)


# ------------------------------------------------------------------ import (admin)


def import_file(conn, actor: Actor, source, kind: str, *, file_name: str, dry_run: bool = False, **options):
    """Check or import a file in the actor's name (see :func:`emergency.ingest.import_file`).

    A dry run (the check before importing) needs the same permission; only real imports and
    failed ones are recorded.
    """
    from emergency.ingest import IngestError, import_file as ingest_file  # GIS readers load on demand

    with _allowed(conn, actor, "import", "import", file_name):
        try:
            report = ingest_file(conn, source, kind, dry_run=dry_run, user=actor.display_name, **options)
        except IngestError as error:
            audit.record(conn, actor, "import", file_name, outcome="failed", detail=str(error))
            raise
    if not dry_run:
        audit.record(conn, actor, "import", file_name,
                     detail=f"{kind}: {report.accepted} accepted, {report.rejected} rejected, import {report.import_id}")
    return report


def process_inbox(conn, actor: Actor, db_path, lang: str) -> list[dict]:
    """Import the files the command line queued (see :mod:`emergency.ingest.inbox`)."""
    from emergency.ingest import inbox

    with _allowed(conn, actor, "import", "inbox_import"):
        results = inbox.process(conn, db_path, lang)
    for result in results:
        audit.record(conn, actor, "inbox_import", result.get("file"), outcome="ok" if result.get("ok") else "failed",
                     detail=result.get("message"))
    return results


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


def create_user(conn, actor: Actor, username: str, role: str, display_name: str | None = None,
                password: str | None = None) -> str:
    with _allowed(conn, actor, "manage_users", "user_create", username):
        name = access.create_user(conn, username, role, display_name, password)
    audit.record(conn, actor, "user_create", name, detail=role)
    return name


def set_role(conn, actor: Actor, username: str, role: str) -> None:
    with _allowed(conn, actor, "manage_users", "user_role", username):
        if username == actor.username and role != actor.role:
            raise ValueError("you cannot change your own role; ask another administrator")
        access.set_role(conn, username, role)
    audit.record(conn, actor, "user_role", username, detail=role)


def set_password(conn, actor: Actor, username: str, password: str) -> None:
    with _allowed(conn, actor, "manage_users", "user_password", username):
        access.set_password(conn, username, password)
    audit.record(conn, actor, "user_password", username)


def set_disabled(conn, actor: Actor, username: str, disabled: bool) -> None:
    action = "user_disable" if disabled else "user_enable"
    with _allowed(conn, actor, "manage_users", action, username):
        if disabled and username == actor.username:
            raise ValueError("you cannot disable your own account")
        access.set_disabled(conn, username, disabled)
    audit.record(conn, actor, action, username)


def unlock(conn, actor: Actor, username: str) -> None:
    with _allowed(conn, actor, "manage_users", "user_unlock", username):
        access.unlock(conn, username)
    audit.record(conn, actor, "user_unlock", username)
