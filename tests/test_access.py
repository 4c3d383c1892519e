"""Roles, accounts, lockout, sessions, the audit log, and every action refused server-side to the wrong role."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pandas as pd
import pytest

from emergency import access, actions, audit, config, dispatch, queries, store
from emergency.access import Actor, LoginRefused, PermissionDenied

ROOT = config.PROJECT_ROOT
WEST = "999999001"
NOW = datetime(2026, 6, 20, 9, 0)


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    # Work factor 4 keeps the tests fast; the app uses access.BCRYPT_ROUNDS (12).
    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def conn(tiny_store_with_contacts):
    return tiny_store_with_contacts


def actor(role: str) -> Actor:
    return Actor(f"{role}1", f"{role} person", role, client="10.0.0.9")


def audit_entries(conn) -> pd.DataFrame:
    return queries.audit_log(conn).sort_values("id").reset_index(drop=True)


def test_role_permissions_follow_the_issue():
    assert access.ROLE_PERMISSIONS["leader"] == {"view"}
    assert access.ROLE_PERMISSIONS["duty"] == {"view", "warn", "dispatch"}
    assert access.ROLE_PERMISSIONS["analyst"] == {"view", "export"}
    assert access.ROLE_PERMISSIONS["admin"] == set(access.PERMISSIONS)
    assert set(access.ROLES) == set(access.ROLE_PERMISSIONS)


# Each action with a call that would succeed for an allowed role.
def _order(conn):
    return [dispatch.Order("team", "东乡民兵队", 1.0, 5.0)]


ACTION_CALLS = {
    "warn": lambda conn, who: actions.issue_warning(conn, who, "blue", [WEST], "注意防范", ["sms"]),
    "dispatch": lambda conn, who: actions.record_dispatch(conn, who, _order(conn), 118.04, 28.34),
    "export": lambda conn, who: actions.export(conn, who, "rain.csv", lambda: b"a,b"),
    "configure": lambda conn, who: actions.save_minimums(
        conn, who, pd.DataFrame({"item": ["救生衣"], "minimum": [10.0], "unit": ["件"]})
    ),
    "manage_users": lambda conn, who: actions.create_user(conn, who, "newbie", "leader", "新人", "long-enough-1"),
}


@pytest.mark.parametrize("role", access.ROLES)
@pytest.mark.parametrize("permission", sorted(ACTION_CALLS))
def test_each_action_is_allowed_or_refused_by_role(conn, role, permission):
    who = actor(role)
    before = {
        table: store.scalar(conn, f"SELECT count(*) FROM {table}")
        for table in ("warnings", "dispatches", "stock_minimums", "users")
    }
    if permission in access.ROLE_PERMISSIONS[role]:
        ACTION_CALLS[permission](conn, who)
        assert audit_entries(conn).iloc[-1]["outcome"] == "ok"
    else:
        with pytest.raises(PermissionDenied):
            ACTION_CALLS[permission](conn, who)
        after = {table: store.scalar(conn, f"SELECT count(*) FROM {table}") for table in before}
        assert after == before  # nothing written
        entry = audit_entries(conn).iloc[-1]
        assert (entry["username"], entry["role"], entry["outcome"]) == (who.username, role, "denied")
        assert entry["client"] == "10.0.0.9"


def test_an_export_body_is_not_made_for_a_refused_role(conn):
    made = []
    with pytest.raises(PermissionDenied):
        actions.export(conn, actor("leader"), "x.csv", lambda: made.append(1) or b"x")
    assert made == []
    assert actions.export(conn, actor("analyst"), "x.csv", lambda: made.append(1) or b"x") == b"x"
    assert made == [1]


def test_no_actor_is_refused(conn):
    with pytest.raises(PermissionDenied):
        actions.issue_warning(conn, None, "blue", [WEST], "注意", ["sms"])
    assert audit_entries(conn).iloc[-1]["username"] == "anonymous"


def test_warning_and_dispatch_are_recorded_in_the_actors_name(conn):
    duty = Actor("wang", "王值班", "duty")
    ident = actions.issue_warning(conn, duty, "orange", [WEST], "橙色预警", ["sms"])
    assert queries.warnings_issued(conn).set_index("id").loc[ident, "issued_by"] == "王值班"
    assert actions.acknowledge(conn, duty, ident, [(WEST, "13700000001")]) == 1
    ids = actions.record_dispatch(conn, duty, _order(conn), 118.04, 28.34, note="先行")
    actions.set_dispatch_status(conn, duty, ids[0], "on_site")
    log = audit_entries(conn)
    assert log["action"].tolist() == ["warning_issue", "warning_ack", "dispatch", "dispatch_status"]
    assert set(log["username"]) == {"wang"} and set(log["outcome"]) == {"ok"}
    assert log.iloc[0]["object"] == f"warning {ident}"
    assert queries.dispatches(conn).iloc[0]["created_by"] == "王值班"


def test_import_is_admin_only_and_audited(conn, tmp_path):
    csv = tmp_path / "rain.csv"
    csv.write_text("站码,时间,雨量\nG1,2026-06-20 08:00,1.5\n", encoding="utf-8")
    with pytest.raises(PermissionDenied):
        actions.import_file(conn, actor("duty"), csv, "rainfall", file_name=csv.name)
    report = actions.import_file(conn, actor("admin"), csv, "rainfall", file_name=csv.name, now=NOW)
    entry = audit_entries(conn).iloc[-1]
    assert (entry["action"], entry["object"], entry["outcome"]) == ("import", "rain.csv", "ok")
    assert f"{report.accepted} accepted" in entry["detail"]


def test_users_are_created_with_bcrypt_and_checked(conn):
    access.create_user(conn, "zhang", "duty", "张三", "correct horse")
    row = queries.user(conn, "zhang").iloc[0]
    assert row["password_hash"].startswith("$2") and "correct horse" not in row["password_hash"]
    found = access.authenticate(conn, "zhang", "correct horse", client="10.1.1.1", now=NOW)
    assert (found.username, found.display_name, found.role, found.via) == ("zhang", "张三", "duty", "local")
    assert queries.user(conn, "zhang").iloc[0]["last_login_at"] == NOW
    assert "password_hash" not in queries.users(conn).columns


@pytest.mark.parametrize(
    "username, role, password, reason",
    [
        ("a", "duty", "long-enough", "user name"),
        ("x y", "duty", "long-enough", "user name"),
        ("ok_name", "boss", "long-enough", "unknown role"),
        ("ok_name", "duty", "short", "at least 8"),
        ("ok_name", "duty", "密" * 30, "at most 72 bytes"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(conn, username, role, password, reason):
    with pytest.raises(ValueError, match=reason):
        access.create_user(conn, username, role, None, password)
    assert queries.users(conn).empty


def test_duplicate_user_is_refused(conn):
    access.create_user(conn, "zhang", "duty", None, "long-enough")
    with pytest.raises(ValueError, match="exists"):
        access.create_user(conn, "zhang", "leader", None, None)


def test_unknown_user_and_wrong_password_read_the_same(conn):
    access.create_user(conn, "zhang", "duty", None, "long-enough")
    reasons = []
    for name, password in (("nobody", "long-enough"), ("zhang", "wrong-one"), ("", ""), ("x' OR 1=1 --", "x")):
        with pytest.raises(LoginRefused) as refused:
            access.authenticate(conn, name, password, now=NOW)
        reasons.append(refused.value.reason)
    assert reasons == ["bad_credentials"] * 4


def test_lockout_after_repeated_failures_even_with_the_right_password(conn):
    access.create_user(conn, "zhang", "duty", None, "long-enough")
    for _attempt in range(4):
        with pytest.raises(LoginRefused) as refused:
            access.authenticate(conn, "zhang", "wrong", max_failed=5, lockout_minutes=15, now=NOW)
        assert refused.value.reason == "bad_credentials"
    with pytest.raises(LoginRefused) as refused:
        access.authenticate(conn, "zhang", "wrong", max_failed=5, lockout_minutes=15, now=NOW)
    assert refused.value.reason == "locked" and refused.value.until == NOW + timedelta(minutes=15)
    with pytest.raises(LoginRefused, match="locked"):
        access.authenticate(conn, "zhang", "long-enough", now=NOW + timedelta(minutes=14))
    # The lock ends by itself ...
    assert access.authenticate(conn, "zhang", "long-enough", now=NOW + timedelta(minutes=16)).username == "zhang"
    # ... or when an administrator unlocks the account.
    for _attempt in range(5):
        with pytest.raises(LoginRefused):
            access.authenticate(conn, "zhang", "wrong", now=NOW)
    actions.unlock(conn, actor("admin"), "zhang")
    assert access.authenticate(conn, "zhang", "long-enough", now=NOW).username == "zhang"


def test_disabled_accounts_cannot_sign_in_and_lose_their_sessions(conn):
    access.create_user(conn, "zhang", "duty", None, "long-enough")
    token = access.start_session(conn, "zhang", hours=12, now=NOW)
    assert access.session_actor(conn, token, now=NOW + timedelta(hours=1)).username == "zhang"
    actions.set_disabled(conn, actor("admin"), "zhang", True)
    assert access.session_actor(conn, token, now=NOW + timedelta(hours=1)) is None
    with pytest.raises(LoginRefused, match="disabled"):
        access.authenticate(conn, "zhang", "long-enough", now=NOW)
    actions.set_disabled(conn, actor("admin"), "zhang", False)
    assert access.authenticate(conn, "zhang", "long-enough", now=NOW).role == "duty"


def test_sessions_expire_end_and_keep_only_a_hash(conn):
    access.create_user(conn, "zhang", "analyst", None, "long-enough")
    token = access.start_session(conn, "zhang", hours=12, now=NOW)
    stored = store.scalar(conn, "SELECT token_hash FROM login_sessions")
    assert stored != token and len(stored) == 64
    assert access.session_actor(conn, token, now=NOW + timedelta(hours=11)).role == "analyst"
    assert access.session_actor(conn, token, now=NOW + timedelta(hours=13)) is None
    assert access.session_actor(conn, "forged", now=NOW) is None
    access.end_session(conn, token)
    assert access.session_actor(conn, token, now=NOW) is None


def test_role_change_applies_to_live_sessions(conn):
    access.create_user(conn, "zhang", "leader", None, "long-enough")
    token = access.start_session(conn, "zhang", now=NOW)
    actions.set_role(conn, actor("admin"), "zhang", "duty")
    assert access.session_actor(conn, token, now=NOW).can("warn")


def test_admin_cannot_lock_themselves_out(conn):
    admin = Actor("root1", "管理员", "admin")
    access.create_user(conn, "root1", "admin", None, "long-enough")
    with pytest.raises(ValueError, match="own account"):
        actions.set_disabled(conn, admin, "root1", True)
    with pytest.raises(ValueError, match="own role"):
        actions.set_role(conn, admin, "root1", "leader")


def test_outside_identities_need_an_account_or_a_default_role(conn):
    with pytest.raises(LoginRefused, match="no_account"):
        access.actor_of(conn, "li@bureau.gov.cn", via="oidc")
    assert access.actor_of(conn, "li@bureau.gov.cn", via="oidc", default_role="leader").role == "leader"
    access.create_user(conn, "li@bureau.gov.cn", "duty", "李四")
    found = access.actor_of(conn, "li@bureau.gov.cn", via="proxy", default_role="leader")
    assert (found.role, found.display_name, found.via) == ("duty", "李四", "proxy")
    # An account without a password cannot sign in with one.
    with pytest.raises(LoginRefused, match="bad_credentials"):
        access.authenticate(conn, "li@bureau.gov.cn", "", now=NOW)


def test_audit_log_filters_and_limits_text(conn):
    audit.record(conn, actor("duty"), "warning_issue", "warning 1", detail="x" * 5000)
    audit.record(conn, None, "login_failed", "local", outcome="denied", username="mallory", client="10.9.9.9")
    assert len(queries.audit_log(conn, actions=["login_failed"])) == 1
    assert queries.audit_log(conn, usernames=["mallory"]).iloc[0]["client"] == "10.9.9.9"
    assert len(queries.audit_log(conn, outcomes=["ok"]).iloc[0]["detail"]) == audit.MAX_DETAIL_CHARS
    with pytest.raises(ValueError):
        audit.record(conn, None, "delete_everything")


@pytest.mark.parametrize(
    "address, loopback",
    [
        ("127.0.0.1", True),
        ("127.0.1.5", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("", False),
        (None, False),
        ("10.1.2.3", False),
        ("::", False),
        ("example", False),
    ],
)
def test_loopback_addresses(address, loopback):
    assert access.is_loopback(address) is loopback


def test_start_without_auth_only_on_loopback():
    none = access.AuthSettings(mode="none")
    assert access.startup_problem(none, "127.0.0.1") is None
    assert "refusing to start" in access.startup_problem(none, "0.0.0.0")
    assert "all interfaces" in access.startup_problem(none, None)
    assert access.startup_problem(access.AuthSettings(mode="local"), "0.0.0.0") is None


def test_settings_come_from_the_settings_file(tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        '[yitu]\nauth = "proxy"\nproxy_addresses = ["10.0.0.2"]\nproxy_user_header = "X-User"\n'
        'default_role = "leader"\nlockout_minutes = 30\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(config.SETTINGS_PATH_ENV, str(settings))
    monkeypatch.delenv(config.AUTH_ENV, raising=False)
    found = access.auth_settings()
    assert (found.mode, found.proxy_addresses, found.proxy_user_header, found.default_role, found.lockout_minutes) == (
        "proxy",
        ("10.0.0.2",),
        "X-User",
        "leader",
        30,
    )
    monkeypatch.setenv(config.AUTH_ENV, "local")
    assert access.auth_settings().mode == "local"


@pytest.mark.parametrize(
    "text, message",
    [
        ('[yitu]\nauth = "ldap"\n', "not one of"),
        ('[yitu]\nauth = "proxy"\n', "needs proxy_addresses"),
        ('[yitu]\nauth = "proxy"\nproxy_addresses = ["nginx"]\n', "not an IP address"),
        ('[yitu]\nauth = "local"\ndefault_role = "god"\n', "unknown role"),
        ('[yitu]\nauth = "oidc"\n', "needs Streamlit's \\[auth\\] section"),
    ],
)
def test_bad_settings_are_named(tmp_path, monkeypatch, text, message):
    settings = tmp_path / "settings.toml"
    settings.write_text(text, encoding="utf-8")
    monkeypatch.setenv(config.SETTINGS_PATH_ENV, str(settings))
    monkeypatch.delenv(config.AUTH_ENV, raising=False)
    with pytest.raises(ValueError, match=message):
        access.auth_settings()


def _serve(tmp_path, *args, env_extra=None):
    env = {key: value for key, value in os.environ.items() if key != config.AUTH_ENV}
    env.update({config.DB_PATH_ENV: str(tmp_path / "never.duckdb"), **(env_extra or {})})
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "serve.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_server_refuses_to_start_off_loopback_without_auth(tmp_path):
    result = _serve(tmp_path, "--server.address", "0.0.0.0", "--server.port", "1")
    assert result.returncode == 2
    assert "refusing to start" in result.stderr and "0.0.0.0" in result.stderr
    assert not (tmp_path / "never.duckdb").exists()


def test_the_server_refuses_bad_auth_settings(tmp_path):
    result = _serve(tmp_path, "--server.port", "1", env_extra={config.AUTH_ENV: "kerberos"})
    assert result.returncode == 2 and "kerberos" in result.stderr


def test_xsrf_protection_stays_on():
    text = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "enableXsrfProtection" not in text or "enableXsrfProtection = true" in text
    assert "enableCORS = false" not in text


# Write paths of the core that only emergency.actions (and the CLI through it) may call.
GUARDED = {
    ("warning", "issue_warning"),
    ("warning", "acknowledge"),
    ("warning", "save_config"),
    ("warning", "save_contacts"),
    ("dispatch", "record_dispatch"),
    ("dispatch", "set_dispatch_status"),
    ("stock", "replace_minimums"),
    ("inbox", "process"),
    ("access", "create_user"),
    ("access", "set_role"),
    ("access", "set_password"),
    ("access", "set_disabled"),
    ("access", "unlock"),
}


def test_pages_and_components_reach_writes_only_through_actions():
    offenders = []
    for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "components").glob("*.py"), ROOT / "app.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in GUARDED
            ):
                offenders.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("emergency.ingest")
                and any(alias.name in ("import_file", "import_table") for alias in node.names)
            ):
                offenders.append(f"{path.name}:{node.lineno} imports {node.module}.import_file")
    assert offenders == []


def test_cli_manages_accounts_and_audits_them(tmp_path):
    db = tmp_path / "s.duckdb"
    store.connect(db).close()
    run = lambda *args, stdin=None: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "emergency", "user", "--db", str(db), *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    created = run(
        "add", "zhang", "--role", "duty", "--display-name", "张三", "--password-stdin", stdin="long-enough-pw\n"
    )
    assert created.returncode == 0, created.stderr
    assert run("add", "zhang", "--role", "duty", "--no-password").returncode == 1
    short = run("passwd", "zhang", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8" in short.stderr
    assert run("role", "zhang", "analyst").returncode == 0
    listed = run("list")
    assert "zhang" in listed.stdout and "analyst" in listed.stdout and "$2" not in listed.stdout
    conn = store.connect(db)
    try:
        assert access.authenticate(conn, "zhang", "long-enough-pw").role == "analyst"
        log = audit_entries(conn)
        assert log["action"].tolist()[:2] == ["user_create", "user_role"]
        assert log.iloc[0]["username"].startswith("cli:")
    finally:
        conn.close()


def test_plain_text_shows_markdown_literally():
    from components.text import WORD_JOINER, plain

    hostile = "[点此](http://evil.example) <img src=x onerror=alert(1)> :red[危险] **粗** `x` $1$"
    escaped = plain(hostile)
    # Every markdown-significant character is backslash-escaped; removing the escapes gives the text back.
    assert escaped.replace("\\", "").replace(WORD_JOINER, "") == hostile.replace("\\", "")
    assert "\\[" in escaped and "\\<" in escaped and "\\:" in escaped and "\\*\\*" in escaped
    assert plain(None) == "" and plain("第一行\n第二行") == "第一行 第二行"


def test_the_client_address_comes_from_x_real_ip_only_through_a_trusted_proxy():
    trusted = ("127.0.0.1",)
    assert access.client_behind_proxy("127.0.0.1", "10.1.2.3", trusted) == "10.1.2.3"
    assert access.client_behind_proxy("::ffff:127.0.0.1", "::ffff:10.1.2.3", trusted) == "10.1.2.3"
    assert access.client_behind_proxy("127.0.0.1", "[::1]", trusted) == "::1"
    # Any other peer, or no proxy configured: the header is a claim, the peer stands.
    assert access.client_behind_proxy("10.9.9.9", "10.1.2.3", trusted) == "10.9.9.9"
    assert access.client_behind_proxy("127.0.0.1", "10.1.2.3", ()) == "127.0.0.1"
    # Only one plain address counts: no list, no port, no name, no text.
    for forged in ("10.1.2.3, 10.4.5.6", "10.1.2.3:80", "localhost", "<b>x</b>", "", None):
        assert access.client_behind_proxy("127.0.0.1", forged, trusted) == "127.0.0.1"


def test_real_ip_from_must_list_ip_addresses(monkeypatch):
    monkeypatch.setattr(access.config, "settings", lambda: {"real_ip_from": ["127.0.0.1", "nginx.local"]})
    with pytest.raises(ValueError, match="real_ip_from: 'nginx.local' is not an IP address"):
        access.auth_settings()
    monkeypatch.setattr(access.config, "settings", lambda: {"real_ip_from": "::1"})
    assert access.auth_settings().real_ip_from == ("::1",)
