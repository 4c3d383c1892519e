"""The audit trail: who did what to which object, when, from where, and whether it was allowed."""

from __future__ import annotations

import duckdb

from emergency import store
from emergency.access import Actor
from emergency.clock import local_now

# Action codes written to audit_log.action; labels in emergency.i18n (audit.action.<code>).
ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "import",
    "inbox_import",
    "warning_issue",
    "warning_ack",
    "warning_config",
    "contacts_save",
    "stock_minimums",
    "grade_rules",  # incident grade rules per type
    "dispatch",
    "dispatch_status",
    "export",
    "user_create",
    "user_role",
    "user_password",
    "user_disable",
    "user_enable",
    "user_unlock",
    "codelist_map",
    "codelist_add",
    "location_set",  # code lists, locations completed
    "feed_save",
    "feed_run",  # live sources
)
OUTCOMES = ("ok", "denied", "failed")
# Long texts (an import error, a warning text) are cut so one entry stays readable.
MAX_DETAIL_CHARS = 1000


def record(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor | None,
    action: str,
    object_: str | None = None,
    outcome: str = "ok",
    detail: str | None = None,
    username: str | None = None,
    client: str | None = None,
) -> None:
    """Append one entry; ``username`` and ``client`` name the person when there is no actor yet (a failed sign-in).

    Inside a :func:`emergency.store.transaction` on ``conn`` the entry joins that transaction,
    so it is committed (or rolled back) together with the write it records.
    """
    with store.transaction(conn) as cursor:
        insert(cursor, actor, action, object_, outcome, detail, username, client)


def insert(
    cursor: duckdb.DuckDBPyConnection,
    actor: Actor | None,
    action: str,
    object_: str | None = None,
    outcome: str = "ok",
    detail: str | None = None,
    username: str | None = None,
    client: str | None = None,
) -> None:
    """Write one entry on ``cursor``, in whatever transaction it has open (see :func:`record`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    cursor.execute(
        """INSERT INTO audit_log (logged_at, username, role, action, object, outcome, detail, client)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            local_now(),
            actor.username if actor else (username or "anonymous")[:64],
            actor.role if actor else None,
            action,
            None if object_ is None else str(object_)[:MAX_DETAIL_CHARS],
            outcome,
            None if detail is None else str(detail)[:MAX_DETAIL_CHARS],
            actor.client if actor else client,
        ],
    )
