"""The administrator's page parts: accounts (create, role, password, disable, unlock) and the audit log."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components import cached, export_buttons, identity
from components.text import dataframe, label, labels, lang, plain, tr
from emergency import actions, audit, export, queries
from emergency.access import PermissionDenied
from emergency.clock import local_now

DONE_KEY = "admin_done"
AUDIT_DAYS = (1, 7, 30, 90, 365)
ACCOUNT_COLUMNS = (
    "username",
    "display_name",
    "role",
    "has_password",
    "disabled",
    "failed_logins",
    "locked_until",
    "last_login_at",
)
AUDIT_COLUMNS = ("logged_at", "username", "role", "action", "object", "outcome", "detail", "client")


def _act(what: str, change) -> None:
    """Run one account change in the admin's name; report it after the rerun, or say why not."""
    try:
        change()
    except PermissionDenied as error:
        st.error(identity.denied_message(error))
    except ValueError as error:
        st.error(tr("admin.refused", reason=plain(error)))
    else:
        st.session_state[DONE_KEY] = what
        st.rerun()


def accounts() -> None:
    """Every account with its state, a form for a new one, and the changes to an existing one."""
    conn = cached.get_store()
    st.caption(tr("admin.roles_help"))
    done = st.session_state.pop(DONE_KEY, None)
    if done:
        st.success(tr("admin.done", what=done))
    users = queries.users(conn)
    shown = users[list(ACCOUNT_COLUMNS)].assign(role=users["role"].map(labels("role")))
    dataframe(shown.rename(columns=lambda c: tr(f"col.{c}")), hide_index=True, width="stretch", key="admin_users_table")
    roles = labels("role")
    with st.form("admin_new_user", clear_on_submit=True):
        st.markdown(f"**{tr('admin.new_user')}**")
        left, middle, right = st.columns(3)
        username = left.text_input(tr("auth.username"), max_chars=64)
        display_name = middle.text_input(tr("admin.display_name"), max_chars=64)
        role = right.selectbox(tr("admin.role"), options=list(roles), format_func=roles.get)
        password = st.text_input(tr("admin.password_new"), type="password", max_chars=128)
        if st.form_submit_button(tr("admin.create"), type="primary"):
            _act(
                tr("admin.created", name=plain(username.strip())),
                lambda: actions.create_user(conn, identity.actor(), username, role, display_name, password or None),
            )
    if users.empty:
        return
    names = dict(zip(users["username"], users["display_name"], strict=True))
    chosen = st.selectbox(
        tr("admin.pick_user"),
        options=list(names),
        key="admin_pick_user",
        format_func=lambda name: f"{name} · {names[name]}",
    )
    row = users.set_index("username").loc[chosen]
    left, middle, right = st.columns(3, vertical_alignment="bottom")
    new_role = left.selectbox(
        tr("admin.role"),
        options=list(roles),
        format_func=roles.get,
        index=list(roles).index(row["role"]),
        key=f"admin_role_{chosen}",
    )
    if left.button(tr("admin.change_role"), key="admin_change_role"):
        _act(
            f"{tr('admin.change_role')} {chosen} → {roles[new_role]}",
            lambda: actions.set_role(conn, identity.actor(), chosen, new_role),
        )
    new_password = middle.text_input(
        tr("admin.password_reset_to"), type="password", max_chars=128, key=f"admin_password_{chosen}"
    )
    if middle.button(tr("admin.reset_password"), key="admin_reset_password"):
        _act(
            f"{tr('admin.reset_password')} {chosen}",
            lambda: actions.set_password(conn, identity.actor(), chosen, new_password),
        )
    if bool(row["disabled"]):
        if right.button(tr("admin.enable"), key="admin_enable"):
            _act(f"{tr('admin.enable')} {chosen}", lambda: actions.set_disabled(conn, identity.actor(), chosen, False))
    elif right.button(tr("admin.disable"), key="admin_disable"):
        _act(f"{tr('admin.disable')} {chosen}", lambda: actions.set_disabled(conn, identity.actor(), chosen, True))
    if (pd.notna(row["locked_until"]) or int(row["failed_logins"])) and right.button(
        tr("admin.unlock"), key="admin_unlock"
    ):
        _act(f"{tr('admin.unlock')} {chosen}", lambda: actions.unlock(conn, identity.actor(), chosen))


def audit_log() -> None:
    """The audit trail filtered by period, user, action and outcome; CSV/XLSX download (itself audited)."""
    conn = cached.get_store()
    st.markdown(f"**{tr('admin.audit_filters')}**")
    columns = st.columns(4)
    days = columns[0].selectbox(tr("admin.audit_days"), options=AUDIT_DAYS, index=1, key="admin_audit_days")
    known_users = sorted(set(queries.audit_log(conn, start=local_now() - timedelta(days=days))["username"]))
    usernames = columns[1].multiselect(
        tr("admin.audit_users"),
        options=known_users,
        select_all=False,
        key="admin_audit_users",
        placeholder=tr("filter.all"),
    )
    action_labels = labels("audit_action")
    chosen_actions = columns[2].multiselect(
        tr("admin.audit_actions"),
        options=list(audit.ACTIONS),
        format_func=action_labels.get,
        select_all=False,
        key=f"admin_audit_actions.{lang()}",
        placeholder=tr("filter.all"),
    )
    outcome_labels = labels("audit_outcome")
    outcomes = columns[3].multiselect(
        tr("admin.audit_outcomes"),
        options=list(audit.OUTCOMES),
        format_func=outcome_labels.get,
        select_all=False,
        key=f"admin_audit_outcomes.{lang()}",
        placeholder=tr("filter.all"),
    )
    entries = queries.audit_log(
        conn, start=local_now() - timedelta(days=days), usernames=usernames, actions=chosen_actions, outcomes=outcomes
    )
    st.caption(tr("admin.audit_count", count=len(entries)))
    refusals = labels("login_refusal")
    readable = (
        entries[list(AUDIT_COLUMNS)]
        .assign(
            role=[label("role", r) if pd.notna(r) else "" for r in entries["role"]],
            detail=[
                refusals.get(d, d) if a == "login_failed" else d
                for a, d in zip(entries["action"], entries["detail"], strict=True)
            ],
            action=entries["action"].map(action_labels),
            outcome=entries["outcome"].map(outcome_labels),
        )
        .rename(columns=lambda c: tr(f"col.{c}"))
    )
    dataframe(readable, hide_index=True, width="stretch", key="admin_audit_table")
    subject = tr("export.sheet.audit")
    now = local_now()
    row = st.container(horizontal=True, key="admin_audit_exports")
    for ext, make, mime in (
        ("csv", lambda: export.to_csv(readable), export.CSV_MIME),
        ("xlsx", lambda: export.to_xlsx({subject: readable}), export.XLSX_MIME),
    ):
        export_buttons.download(
            row,
            tr(f"export.{ext}"),
            make,
            export.file_name(subject, now - timedelta(days=days), now, ext, [], lang()),
            mime,
            f"admin_audit_{ext}",
            permission="audit",
        )


def render() -> None:
    users_tab, audit_tab = st.tabs([tr("admin.users"), tr("admin.audit")])
    with users_tab:
        accounts()
    with audit_tab:
        audit_log()
