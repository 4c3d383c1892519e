"""Who uses this session: sign-in, the signed-in user's box, and the actor behind every action.

The server decides the actor on every run (:func:`establish`); components ask :func:`actor`
and :func:`can`. Hiding a button is convenience only: the write itself goes through
emergency.actions, which checks the role again.
"""

from __future__ import annotations

import json
import logging

import streamlit as st

from components import cached
from components.text import label, plain, tr
from emergency import access, actions, webserver
from emergency.access import Actor, LoginRefused

log = logging.getLogger(__name__)

ACTOR_KEY = "identity.actor"
TOKEN_KEY = "identity.token"
COOKIE_NAME = access.SESSION_COOKIE
# Set after sign-in / sign-out so the next run writes / expires the browser cookie.
COOKIE_PENDING_KEY = "identity.cookie_pending"
REFUSAL_KEY = "identity.refusal"
ANNOUNCED_KEY = "identity.announced"


def _text(value) -> str | None:
    # st.context answers with placeholders outside a browser session (AppTest): text only.
    return value if isinstance(value, str) and value else None


def peer_address() -> str:
    """The TCP peer of this session's connection (Streamlit reports a loopback peer as None)."""
    return _text(st.context.ip_address) or "127.0.0.1"


def client_address() -> str:
    """The browser's address: the TCP peer of this session's connection, or what a trusted proxy says.

    Streamlit reports a loopback peer as None, any other by its socket address. Under
    scripts/serve.py uvicorn's proxy-header handling is off (emergency.webserver), so the
    address is never one claimed in X-Forwarded-For / Forwarded; ``X-Real-IP`` counts only
    when the peer is a reverse proxy named in ``[yitu] real_ip_from`` (nginx in front of the
    replicas sets it to the browser's address).
    """
    peer = peer_address()
    if not webserver.installed():
        return peer
    try:
        trusted = access.auth_settings().real_ip_from
    except ValueError:  # the sign-in page names the bad setting
        return peer
    return access.client_behind_proxy(peer, _text(st.context.headers.get("X-Real-IP")), trusted)


def actor() -> Actor | None:
    """The actor established for this run (None before sign-in)."""
    return st.session_state.get(ACTOR_KEY)


def can(permission: str) -> bool:
    current = actor()
    return current is not None and current.can(permission)


def establish() -> Actor | None:
    """Decide who is using this session; None means the sign-in page must be shown.

    Runs on every script run, so a disabled account or an ended session takes effect at
    the user's next click.
    """
    st.session_state.pop(ACTOR_KEY, None)
    try:
        config = access.auth_settings()
    except ValueError as error:
        st.session_state[REFUSAL_KEY] = tr("auth.config_error", reason=plain(error))
        return None
    try:
        found = _establish(config)
    except Exception:  # a store error must not show a visitor a traceback: the sign-in page says so
        log.exception("could not establish the signed-in user")
        st.session_state[REFUSAL_KEY] = tr("auth.unavailable")
        found = None
    st.session_state[ACTOR_KEY] = found
    return found


def _establish(config: access.AuthSettings) -> Actor | None:
    conn = cached.get_store()
    client = client_address()
    found: Actor | None = None
    if config.mode == "none":
        address = st.get_option("server.address")
        if access.is_loopback(address):
            found = access.local_demo_actor(client)
        else:
            st.session_state[REFUSAL_KEY] = tr("auth.refused_address", address=address or "0.0.0.0")
    elif config.mode == "local":
        token = st.session_state.get(TOKEN_KEY) or _text(st.context.cookies.get(COOKIE_NAME))
        found = access.session_actor(conn, token, client)
        if found is not None:
            st.session_state[TOKEN_KEY] = token
        else:
            st.session_state.pop(TOKEN_KEY, None)
    elif config.mode == "proxy":
        # Whether the proxy's header counts is decided by the TCP peer, never by an X-Real-IP.
        found = _outside_identity(conn, config, _proxy_user(config, peer_address()), "proxy", client)
    elif config.mode == "oidc":
        found = _outside_identity(conn, config, _oidc_user(), "oidc", client)
    return found


def _proxy_user(config: access.AuthSettings, peer: str) -> str | None:
    # The header counts only when the connection's own socket peer is a configured proxy, and
    # only in a server that cannot be told another peer address (forwarding headers ignored).
    if not webserver.installed():
        st.session_state[REFUSAL_KEY] = tr("auth.proxy_unsafe")
        return None
    if not webserver.peer_is(peer, config.proxy_addresses):
        return None
    value = _text(st.context.headers.get(config.proxy_user_header))
    return value.strip() if value and value.strip() else None


def _oidc_user() -> str | None:
    if not st.user.get("is_logged_in", False):
        return None
    for claim in ("email", "preferred_username", "sub"):
        value = st.user.get(claim)
        if value:
            return str(value)
    return None


def _outside_identity(conn, config: access.AuthSettings, name: str | None, via: str, client: str) -> Actor | None:
    """The actor of an identity vouched for by the proxy or the IdP; the sign-in is audited once per session."""
    if name is None:
        return None
    try:
        found = access.actor_of(conn, name, via=via, client=client, default_role=config.default_role)
    except LoginRefused as refusal:
        if st.session_state.get(ANNOUNCED_KEY) != (name, refusal.reason):
            actions.record_refused_sign_in(conn, name, via, refusal.detail, client)
            st.session_state[ANNOUNCED_KEY] = (name, refusal.reason)
        st.session_state[REFUSAL_KEY] = tr(f"auth.{refusal.reason}", name=plain(name))
        return None
    if st.session_state.get(ANNOUNCED_KEY) != name:
        actions.record_sign_in(conn, found, via)
        st.session_state[ANNOUNCED_KEY] = name
    return found


# ------------------------------------------------------------------ pages and widgets


def sign_in_page() -> None:
    """The only page before sign-in: a password form, the IdP button, or why access is refused."""
    st.title(tr("auth.title"))
    refusal = st.session_state.pop(REFUSAL_KEY, None)
    _write_cookie()
    try:
        config = access.auth_settings()
    except ValueError:
        config = None
    if config is None or config.mode == "none":
        st.error(refusal or tr("auth.config_error", reason="?"))
        return
    if refusal:
        st.error(refusal)
    if config.mode == "local":
        _password_form(config)
    elif config.mode == "oidc":
        st.write(tr("auth.oidc_intro"))
        if st.user.get("is_logged_in", False):
            st.button(tr("auth.sign_out"), on_click=st.logout, key="identity_oidc_sign_out")
        else:
            st.button(
                tr("auth.oidc_button"),
                type="primary",
                key="identity_oidc_sign_in",
                on_click=st.login,
                args=(config.oidc_provider,) if config.oidc_provider else (),
            )
    elif not refusal:
        st.warning(tr("auth.proxy_missing"))


def _password_form(config: access.AuthSettings) -> None:
    st.caption(tr("auth.local_help", failures=config.max_failed_logins, minutes=config.lockout_minutes))
    with st.columns([2, 1])[0].form("identity_sign_in", border=True):
        username = st.text_input(tr("auth.username"), key="identity_username", max_chars=64)
        password = st.text_input(tr("auth.password"), type="password", key="identity_password", max_chars=128)
        submitted = st.form_submit_button(tr("auth.submit"), type="primary")
    if not submitted:
        return
    try:
        found, token = actions.sign_in(cached.get_store(), username, password, client_address(), config)
    except LoginRefused:
        # One answer for a wrong password, an unknown name, a locked or disabled account:
        # the audit log (for administrators) keeps the reason.
        st.error(tr("auth.refused"))
        return
    except Exception:  # never a traceback (file paths, SQL) to someone not signed in
        log.exception("sign-in failed")
        st.error(tr("auth.unavailable"))
        return
    st.session_state[TOKEN_KEY] = token
    st.session_state[COOKIE_PENDING_KEY] = "set"
    st.rerun()


def sign_out() -> None:
    """End this browser's session (button callback)."""
    try:
        actions.sign_out(cached.get_store(), actor(), st.session_state.pop(TOKEN_KEY, None))
    except Exception:
        log.exception("sign-out: the session row could not be deleted")
    st.session_state[COOKIE_PENDING_KEY] = "clear"
    st.session_state.pop(ACTOR_KEY, None)


def _write_cookie() -> None:
    """Have the server set (or expire) the session cookie, so a reload keeps (or drops) the sign-in.

    The cookie is set by the server (emergency.webserver, route /_yitu/session) as HttpOnly,
    SameSite=Strict and Secure over HTTPS, so no script can read the token. This page only
    hands the browser a one-time code, valid for a minute, that the route exchanges for it.
    """
    pending = st.session_state.pop(COOKIE_PENDING_KEY, None)
    if pending is None or not webserver.installed():
        return
    token = st.session_state.get(TOKEN_KEY) if pending == "set" else None
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    route = "/" + "/".join(p for p in (base, webserver.SESSION_ROUTE.strip("/")) if p)
    if token:
        code = access.issue_handoff(token, int(access.auth_settings().session_hours * 3600))
        request = {"method": "POST", "body": code}
    else:
        request = {"method": "DELETE", "body": ""}
    options = json.dumps({**request, "credentials": "same-origin", "headers": {"X-Yitu-Session": "1"}})
    st.html(f"<script>fetch({json.dumps(route)}, {options});</script>", unsafe_allow_javascript=True)


def user_box(current: Actor) -> None:
    """Sidebar line with the signed-in user and role, and a sign-out button where it applies."""
    _write_cookie()
    st.sidebar.caption(tr("auth.signed_in_as", name=plain(current.display_name), role=label("role", current.role)))
    if current.via == "local":
        st.sidebar.button(tr("auth.sign_out"), on_click=sign_out, key="identity_sign_out", icon=":material/logout:")
    elif current.via == "oidc":
        st.sidebar.button(tr("auth.sign_out"), on_click=st.logout, key="identity_sign_out", icon=":material/logout:")


def local_demo_banner(current: Actor) -> None:
    if current.via == "loopback":
        st.info(tr("auth.local_demo_banner", address=st.get_option("server.address")), icon=":material/lock_open:")


def page_allowed(permission: str) -> bool:
    """Guard at the top of a page: False (with a message) when the role may not open it."""
    if can(permission):
        return True
    current = actor()
    st.error(tr("auth.page_denied", role=label("role", current.role) if current else "—"))
    return False


def denied_message(error: access.PermissionDenied) -> str:
    return tr(
        "auth.denied",
        role=label("role", error.actor.role),
        action=access.PERMISSIONS.get(error.permission, error.permission),
    )
