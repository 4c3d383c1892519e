"""Who may do what: roles, the signed-in actor, local accounts, lockout and browser sessions.

Every change a user makes goes through :mod:`emergency.actions`, which asks :func:`require`
here before writing; the pages hide what a role may not use, but that is only convenience.
"""

from __future__ import annotations

import getpass
import hashlib
import ipaddress
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt
import duckdb

from emergency import config, queries, store
from emergency.clock import local_now

ROLES = ("leader", "duty", "analyst", "admin")

# What each permission allows; the pages and emergency.actions check these names.
PERMISSIONS = {
    "view": "see maps, trends and the situation",
    "warn": "issue warnings and record acknowledgements",
    "dispatch": "send teams, stock and shelters",
    "export": "download charts, tables, briefings and cards",
    "import": "import data files",
    "configure": "change thresholds, contacts and stock minimums",
    "manage_users": "create accounts, change roles, unlock",
    "audit": "read and export the audit log",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "leader": frozenset({"view"}),
    "duty": frozenset({"view", "warn", "dispatch"}),
    "analyst": frozenset({"view", "export"}),
    "admin": frozenset(PERMISSIONS),
}

# Sign-in ways; "loopback" is the single local user of an app without authentication.
AUTH_MODES = ("none", "local", "oidc", "proxy")

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.@-]{2,64}")
MIN_PASSWORD_CHARS = 8
# bcrypt reads at most 72 bytes of a password; longer ones would be cut silently.
MAX_PASSWORD_BYTES = 72
# Work factor of new hashes (about 0.25 s per check here); tests lower it.
BCRYPT_ROUNDS = 12
DEFAULT_MAX_FAILED_LOGINS = 5
DEFAULT_LOCKOUT_MINUTES = 15
DEFAULT_SESSION_HOURS = 12

# Name of the browser cookie holding a session token (set HttpOnly by the server, emergency.webserver).
SESSION_COOKIE = "yitu_session"
# A one-time sign-in code is exchanged for the cookie within this many seconds, once.
HANDOFF_SECONDS = 60
# Sign-in attempts on one account run one at a time (striped locks: bounded memory whatever names arrive).
_ACCOUNT_LOCKS = tuple(threading.Lock() for _ in range(64))
# Dummy hashes by bcrypt cost, compared against when there is no real hash to check (unknown
# name, OIDC-only account), so every answer costs one check at the cost of the store's real hashes.
_DUMMY_HASHES: dict[int, bytes] = {}
_DUMMY_LOCK = threading.Lock()


@dataclass(frozen=True)
class AuthSettings:
    """How people sign in: ``[yitu]`` settings (see README, "Sign-in and roles")."""

    mode: str = "none"
    session_hours: float = DEFAULT_SESSION_HOURS
    max_failed_logins: int = DEFAULT_MAX_FAILED_LOGINS
    lockout_minutes: int = DEFAULT_LOCKOUT_MINUTES
    proxy_addresses: tuple[str, ...] = ()
    proxy_user_header: str = "X-Remote-User"
    # Reverse proxies (nginx in front of the replicas) whose X-Real-IP names the browser's address.
    real_ip_from: tuple[str, ...] = ()
    oidc_provider: str | None = None
    # Role given to an OIDC/proxy identity without an account here; None refuses it.
    default_role: str | None = None
    # Mark the session cookie Secure even when the app cannot tell it is served over HTTPS.
    secure_cookie: bool = False


def auth_settings() -> AuthSettings:
    """Read and check the sign-in settings; ValueError names the bad setting."""
    # One read of the settings file: this runs on every page run.
    yitu = config.settings()
    mode = (os.environ.get(config.AUTH_ENV) or yitu.get("auth", "none")).strip().lower()
    if mode not in AUTH_MODES:
        raise ValueError(f"[yitu] auth = {mode!r} is not one of {AUTH_MODES}")
    addresses = _ip_list(yitu, "proxy_addresses")
    if mode == "proxy" and not addresses:
        raise ValueError("[yitu] auth = 'proxy' needs proxy_addresses: the reverse proxies whose header is trusted")
    if mode == "oidc" and not config.oidc_configured():
        raise ValueError(
            "[yitu] auth = 'oidc' needs Streamlit's [auth] section (redirect_uri, cookie_secret, "
            "client_id, client_secret, server_metadata_url) in .streamlit/secrets.toml"
        )
    default_role = yitu.get("default_role") or None
    if default_role is not None:
        check_role(default_role)
    return AuthSettings(
        mode=mode,
        session_hours=float(yitu.get("session_hours", DEFAULT_SESSION_HOURS)),
        max_failed_logins=int(yitu.get("max_failed_logins", DEFAULT_MAX_FAILED_LOGINS)),
        lockout_minutes=int(yitu.get("lockout_minutes", DEFAULT_LOCKOUT_MINUTES)),
        proxy_addresses=tuple(addresses),
        proxy_user_header=str(yitu.get("proxy_user_header", "X-Remote-User")),
        real_ip_from=_ip_list(yitu, "real_ip_from"),
        oidc_provider=yitu.get("oidc_provider") or None,
        default_role=default_role,
        secure_cookie=bool(yitu.get("secure_cookie", False)),
    )


def _ip_list(yitu: dict, name: str) -> tuple[str, ...]:
    """Read a setting that lists IP addresses (one text is a list of one); ValueError names a bad one."""
    addresses = yitu.get(name, [])
    if isinstance(addresses, str):
        addresses = [addresses]
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except (TypeError, ValueError):
            raise ValueError(f"[yitu] {name}: {address!r} is not an IP address") from None
    return tuple(addresses)


def client_behind_proxy(peer: str, real_ip: str | None, trusted: tuple[str, ...]) -> str:
    """Return the browser's address: ``real_ip`` when the TCP ``peer`` is a trusted reverse proxy, else the peer.

    nginx (``deploy/nginx.conf``) overwrites ``X-Real-IP`` with the address it was connected
    from, so the header is only believed from a peer listed in ``[yitu] real_ip_from``; one
    address and nothing else (no list, no port, no name), or the peer stands.
    """
    from emergency import webserver

    if not real_ip or not webserver.peer_is(peer, trusted):
        return peer
    try:
        ip = ipaddress.ip_address(real_ip.strip().strip("[]"))
    except ValueError:
        return peer
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


def startup_problem(settings: AuthSettings, server_address: str | None) -> str | None:
    """Why the app must not start with these settings on this address, or None.

    Without sign-in the app has one all-powerful local user, so it may listen only on a
    loopback address; every other address needs an authentication mode.
    """
    if settings.mode == "none" and not is_loopback(server_address):
        shown = server_address or "all interfaces"
        return (
            f"refusing to start: no sign-in is configured and the server would listen on {shown}. "
            'Either keep [server] address = "127.0.0.1" (a local demo on this computer only) or set '
            '[yitu] auth = "local", "oidc" or "proxy" in .streamlit/secrets.toml '
            "(see README, 'Sign-in and roles')."
        )
    return None


class PermissionDenied(Exception):
    """The actor's role does not allow the action; nothing was changed."""

    def __init__(self, actor: Actor, permission: str):
        super().__init__(f"{actor.username} ({actor.role}) may not {PERMISSIONS.get(permission, permission)}")
        self.actor = actor
        self.permission = permission


class LoginRefused(Exception):
    """Sign-in refused; ``reason`` is one of bad_credentials, locked, disabled, no_account."""

    def __init__(self, reason: str, until: datetime | None = None, detail: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.until = until
        # What the audit log records; the person signing in is told only "refused".
        self.detail = detail or reason


@dataclass(frozen=True)
class Actor:
    """The person behind a session, as the server established it."""

    username: str
    display_name: str
    role: str
    via: str = "local"
    client: str | None = None

    @property
    def permissions(self) -> frozenset[str]:
        """Return the permissions the actor's role grants (none for an unknown role)."""
        return ROLE_PERMISSIONS.get(self.role, frozenset())

    def can(self, permission: str) -> bool:
        """Tell whether the actor's role grants ``permission``."""
        return permission in self.permissions


def require(actor: Actor | None, permission: str) -> Actor:
    """Return ``actor`` when its role grants ``permission``; raise PermissionDenied otherwise."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    if actor is None:
        raise PermissionDenied(Actor("anonymous", "anonymous", "none"), permission)
    if not actor.can(permission):
        raise PermissionDenied(actor, permission)
    return actor


def local_demo_actor(client: str | None = None) -> Actor:
    """Return the single user of an app started without authentication on a loopback address."""
    return Actor("local", "本地演示用户 / local demo user", "admin", via="loopback", client=client)


def console_actor(display_name: str | None = None) -> Actor:
    """Return the person at the server's console (command line): an administrator named cli:<login> in the audit log."""
    login = getpass.getuser()
    return Actor(f"cli:{login}", display_name or login, "admin", via="cli")


def is_loopback(address: str | None) -> bool:
    """Tell whether ``address`` is a loopback address.

    True for 127.0.0.0/8, ::1 and ``localhost``; False for "", 0.0.0.0 and anything else.
    """
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


# ------------------------------------------------------------------ accounts


def check_username(username: str) -> str:
    """Return ``username`` stripped; raise ValueError unless it is 2-64 letters, digits or _ . @ -."""
    username = (username or "").strip()
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValueError("user name must be 2-64 letters, digits or _ . @ -")
    return username


def check_role(role: str) -> str:
    """Return ``role``; raise ValueError unless it is one of ROLES."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {ROLES}")
    return role


def hash_password(password: str) -> str:
    """Return the bcrypt hash of a password that meets the length rules."""
    data = (password or "").encode("utf-8")
    if len(password or "") < MIN_PASSWORD_CHARS:
        raise ValueError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(data) > MAX_PASSWORD_BYTES:
        raise ValueError(f"password must be at most {MAX_PASSWORD_BYTES} bytes (UTF-8)")
    return bcrypt.hashpw(data, bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def create_user(
    conn: duckdb.DuckDBPyConnection,
    username: str,
    role: str,
    display_name: str | None = None,
    password: str | None = None,
) -> str:
    """Create an account; without a password it can sign in only through OIDC or the proxy.

    Raises
    ------
    ValueError
        Bad name, role or password, or the name is taken; nothing is written.
    """
    username, role = check_username(username), check_role(role)
    password_hash = hash_password(password) if password is not None else None
    if not queries.user(conn, username).empty:
        raise ValueError(f"user {username!r} exists already")
    now = local_now()
    with store.transaction(conn) as cursor:
        cursor.execute(
            """INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [username, (display_name or "").strip() or username, role, password_hash, now, now],
        )
    return username


def _update_user(conn: duckdb.DuckDBPyConnection, username: str, assignments: str, values: list) -> None:
    # assignments is written by this module only, never from input.
    with store.transaction(conn) as cursor:
        changed = cursor.execute(
            f"UPDATE users SET {assignments}, updated_at = ? WHERE username = ?",
            [*values, local_now(), username],
        ).fetchone()[0]
    if not changed:
        raise ValueError(f"unknown user {username!r}")


def set_password(conn: duckdb.DuckDBPyConnection, username: str, password: str) -> None:
    """Replace a password; also clears a lockout."""
    _update_user(conn, username, "password_hash = ?, failed_logins = 0, locked_until = NULL", [hash_password(password)])


def set_role(conn: duckdb.DuckDBPyConnection, username: str, role: str) -> None:
    """Give an account another role."""
    _update_user(conn, username, "role = ?", [check_role(role)])


def set_disabled(conn: duckdb.DuckDBPyConnection, username: str, disabled: bool) -> None:
    """Disable (or enable again) an account; a disabled account's sessions end at once."""
    _update_user(conn, username, "disabled = ?", [bool(disabled)])
    if disabled:
        end_sessions_of(conn, username)


def unlock(conn: duckdb.DuckDBPyConnection, username: str) -> None:
    """Clear an account's failed sign-ins and its lock."""
    _update_user(conn, username, "failed_logins = 0, locked_until = NULL", [])


def actor_of(
    conn: duckdb.DuckDBPyConnection, username: str, via: str, client: str | None = None, default_role: str | None = None
) -> Actor:
    """Return the Actor for an account, or for an outside identity without one when ``default_role`` is set.

    Raises
    ------
    LoginRefused
        ``disabled`` for a disabled account, ``no_account`` for an unknown name without default role.
    """
    row = queries.user(conn, username)
    if row.empty:
        if default_role:
            return Actor(username, username, check_role(default_role), via=via, client=client)
        raise LoginRefused("no_account")
    user = row.iloc[0]
    if bool(user["disabled"]):
        raise LoginRefused("disabled")
    return Actor(user["username"], user["display_name"], user["role"], via=via, client=client)


def account_lock(username: str) -> threading.Lock:
    """Return the lock serializing sign-in attempts on ``username`` (see :func:`emergency.actions.sign_in`)."""
    digest = hashlib.sha256((username or "").strip().encode("utf-8")).digest()
    return _ACCOUNT_LOCKS[int.from_bytes(digest[:4], "big") % len(_ACCOUNT_LOCKS)]


def hash_cost(password_hash: str | bytes | None) -> int | None:
    """Return the bcrypt cost (work factor) of a stored hash, or None when it is not a bcrypt hash."""
    text = password_hash.decode("ascii", "replace") if isinstance(password_hash, bytes) else (password_hash or "")
    parts = text.split("$")
    return int(parts[2]) if len(parts) >= 4 and parts[2].isdigit() else None


def dummy_hash(cost: int) -> bytes:
    """Return a hash no password matches, at bcrypt cost ``cost`` (made once per cost)."""
    with _DUMMY_LOCK:
        if cost not in _DUMMY_HASHES:
            _DUMMY_HASHES[cost] = bcrypt.hashpw(secrets.token_bytes(16).hex().encode(), bcrypt.gensalt(cost))
        return _DUMMY_HASHES[cost]


def _store_cost(conn: duckdb.DuckDBPyConnection) -> int:
    # The cost of the store's real hashes, so an unknown name costs what a real account costs.
    found = store.scalar(
        conn,
        "SELECT max(TRY_CAST(split_part(password_hash, '$', 3) AS INTEGER)) FROM users WHERE password_hash LIKE '$2%'",
    )
    return int(found) if found is not None and 4 <= found <= 31 else BCRYPT_ROUNDS


def _password_bytes(password: str | None) -> bytes:
    return (password or "").encode("utf-8")[:MAX_PASSWORD_BYTES]


def authenticate(
    conn: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    client: str | None = None,
    max_failed: int = DEFAULT_MAX_FAILED_LOGINS,
    lockout_minutes: int = DEFAULT_LOCKOUT_MINUTES,
    now: datetime | None = None,
) -> Actor:
    """Check a local account's password; count failures and lock the account after ``max_failed``.

    A locked account is refused even with the right password until the lock ends (or an
    admin unlocks it). Every answer costs one bcrypt check at the cost of the store's hashes
    (a dummy one for an unknown name), and the caller shows one message for every refusal.
    Attempts on one account must not overlap: :func:`emergency.actions.sign_in` holds
    :func:`account_lock` around this call and writes the audit row in the same transaction.

    Raises
    ------
    LoginRefused
        ``reason`` bad_credentials, locked or disabled; ``detail`` says more for the audit log
        (unknown_user, no_password, bad_credentials, bad_credentials_locked_now, locked, disabled).
    """
    now = now or local_now()
    username = (username or "").strip()
    row = queries.user(conn, username)
    if row.empty or row.iloc[0]["password_hash"] is None:
        bcrypt.checkpw(_password_bytes(password), dummy_hash(_store_cost(conn)))
        raise LoginRefused("bad_credentials", detail="unknown_user" if row.empty else "no_password")
    user = row.iloc[0]
    # Checked before anything else is looked at, so a locked or disabled account answers as slowly.
    matches = bcrypt.checkpw(_password_bytes(password), user["password_hash"].encode("ascii"))
    locked_until = user["locked_until"]
    if locked_until is not None and not _is_missing(locked_until) and locked_until > now:
        raise LoginRefused("locked", until=locked_until)
    if bool(user["disabled"]):
        raise LoginRefused("disabled")
    if not matches:
        failed = int(user["failed_logins"]) + 1
        until = now + timedelta(minutes=lockout_minutes) if failed >= max_failed else None
        with store.transaction(conn) as cursor:
            cursor.execute(
                "UPDATE users SET failed_logins = ?, locked_until = ? WHERE username = ?",
                [0 if until else failed, until, username],
            )
        raise LoginRefused(
            "locked" if until else "bad_credentials",
            until=until,
            detail="bad_credentials_locked_now" if until else "bad_credentials",
        )
    with store.transaction(conn) as cursor:
        cursor.execute(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE username = ?",
            [now, username],
        )
    return Actor(user["username"], user["display_name"], user["role"], via="local", client=client)


def _is_missing(value) -> bool:
    try:
        return value != value  # NaT / NaN
    except TypeError:
        return False


# ------------------------------------------------------------------ browser sessions


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest under which a session token is stored (never the token itself)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(
    conn: duckdb.DuckDBPyConnection, username: str, hours: float = DEFAULT_SESSION_HOURS, now: datetime | None = None
) -> str:
    """Open a browser session for a signed-in user; return the token for the cookie (kept only as a hash)."""
    now = now or local_now()
    token = secrets.token_urlsafe(32)
    with store.transaction(conn) as cursor:
        cursor.execute("DELETE FROM login_sessions WHERE expires_at <= ?", [now])
        cursor.execute(
            "INSERT INTO login_sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
            [token_digest(token), username, now, now + timedelta(hours=hours)],
        )
    return token


def session_actor(
    conn: duckdb.DuckDBPyConnection, token: str | None, client: str | None = None, now: datetime | None = None
) -> Actor | None:
    """Return the Actor of a live session token, or None (unknown, expired, or the account is disabled)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    username = queries.session_user(conn, token_digest(token), now or local_now())
    if username is None:
        return None
    try:
        return actor_of(conn, username, via="local", client=client)
    except LoginRefused:
        return None


_handoffs: dict[str, tuple[str, int, float]] = {}
_handoff_lock = threading.Lock()


def issue_handoff(token: str, max_age: int) -> str:
    """Issue a one-time code for ``token``.

    The browser exchanges it (within HANDOFF_SECONDS) for the HttpOnly cookie holding ``token``.
    """
    code = secrets.token_urlsafe(32)
    now = time.monotonic()
    with _handoff_lock:
        for stale in [c for c, (_, _, at) in _handoffs.items() if now - at > HANDOFF_SECONDS]:
            del _handoffs[stale]
        _handoffs[token_digest(code)] = (token, int(max_age), now)
    return code


def redeem_handoff(code: str) -> tuple[str, int] | None:
    """(token, max_age) for a fresh code, once; None for an unknown, used or expired one."""
    if not isinstance(code, str) or not code or len(code) > 100:
        return None
    with _handoff_lock:
        found = _handoffs.pop(token_digest(code), None)
    if found is None or time.monotonic() - found[2] > HANDOFF_SECONDS:
        return None
    return found[0], found[1]


def end_session(conn: duckdb.DuckDBPyConnection, token: str | None) -> None:
    """End the session of ``token`` (sign-out); nothing happens for None or an unknown token."""
    if token:
        with store.transaction(conn) as cursor:
            cursor.execute("DELETE FROM login_sessions WHERE token_hash = ?", [token_digest(token)])


def end_sessions_of(conn: duckdb.DuckDBPyConnection, username: str) -> None:
    """End every session of an account."""
    with store.transaction(conn) as cursor:
        cursor.execute("DELETE FROM login_sessions WHERE username = ?", [username])
