"""Sign-in and roles in the app (AppTest): what each role sees and may do, lockout, sign-out, refusals."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from emergency import access, config, queries, store
from tests.apptest import open_page, table_with

TIMEOUT_S = 60
PASSWORD = "long-enough-pw"
STORM_END = "2026-06-20T02:40"
USERS = {"leader": "领导甲", "duty": "值班员乙", "analyst": "分析员丙", "admin": "管理员丁"}


@pytest.fixture
def accounts(demo_copy, monkeypatch):
    """The demo store with one account per role, the app set to local sign-in."""
    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)
    monkeypatch.setenv(config.DB_PATH_ENV, str(demo_copy))
    monkeypatch.setenv(config.AUTH_ENV, "local")
    conn = store.connect(demo_copy)
    try:
        for role, name in USERS.items():
            access.create_user(conn, role, role, name, PASSWORD)
    finally:
        conn.close()
    return demo_copy


def shown(markdown: str) -> str:
    """What a reader sees of text passed through components.text.plain (escapes and word joiners gone)."""
    from components.text import WORD_JOINER

    return markdown.replace("\\", "").replace(WORD_JOINER, "")


def new_app() -> AppTest:
    st.cache_data.clear()
    at = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT_S)
    at.query_params["end"] = STORM_END
    return at


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="identity_username").set_value(username)
    at.text_input(key="identity_password").set_value(password)
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    return at


def signed_in(role: str) -> AppTest:
    at = new_app()
    at.run()
    return sign_in(at, role)


def audit_actions(path) -> list[tuple[str, str, str]]:
    conn = store.connect(path)
    try:
        log = queries.audit_log(conn).sort_values("id")
    finally:
        conn.close()
    return list(zip(log["username"], log["action"], log["outcome"], strict=True))


def tab_labels(at: AppTest) -> list[str]:
    return [tab.label for tab in at.tabs]


def test_nothing_shows_before_sign_in(accounts):
    at = new_app()
    at.run()
    assert not at.exception
    assert at.title[0].value == "登录一图研判"
    assert not at.get("deck_gl_json_chart") and not at.get("plotly_chart")
    assert at.text_input(key="identity_password").proto.type == at.text_input(key="identity_password").proto.PASSWORD


def test_wrong_password_then_lockout_is_refused_and_audited(accounts):
    at = new_app()
    at.run()
    sign_in(at, "duty", "wrong-password")
    assert any("用户名或密码错误" in e.value for e in at.error)
    for _attempt in range(4):
        sign_in(at, "duty", "wrong-password")
    assert any("账户已锁定" in e.value for e in at.error)
    sign_in(at, "duty")  # the right password, but locked
    assert any("账户已锁定" in e.value for e in at.error)
    assert at.title[0].value == "登录一图研判"
    failures = [entry for entry in audit_actions(accounts) if entry[1] == "login_failed"]
    assert len(failures) == 6 and {entry[0] for entry in failures} == {"duty"}


def test_leader_views_but_cannot_act(accounts):
    at = signed_in("leader")
    assert any("领导甲" in c.value and "领导" in c.value for c in at.sidebar.caption)
    assert at.get("deck_gl_json_chart"), "the one map shows"
    open_page(at, "pages/warning.py")
    assert "发布预警" not in tab_labels(at) and "参数设置" not in " ".join(tab_labels(at))
    assert not at.get("download_button")
    open_page(at, "pages/trends_rain.py")
    assert at.get("plotly_chart") and not at.get("download_button")
    open_page(at, "pages/briefing.py")
    assert "briefing_build" not in [b.key for b in at.button]
    assert any("只读" in i.value for i in at.info)
    # Pages outside the role's list are not registered for its session at all ...
    for page in ("pages/import_data.py", "pages/admin.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


@pytest.mark.parametrize("page, role", [("pages/import_data.py", "duty"), ("pages/admin.py", "analyst")])
def test_pages_refuse_a_role_without_the_permission(accounts, page, role):
    # ... and each page checks again when its script runs.
    at = AppTest.from_file(str(config.PROJECT_ROOT / page), default_timeout=TIMEOUT_S)
    at.session_state["identity.actor"] = access.Actor(role, role, role)
    at.run()
    assert any("无权打开此页面" in e.value for e in at.error)
    assert not at.get("file_uploader") and not at.dataframe


def test_duty_officer_issues_a_warning_in_their_own_name(accounts):
    at = signed_in("duty")
    open_page(at, "pages/warning.py")
    assert "发布预警" in tab_labels(at)
    at.button(key="warning_issue_submit").click().run()
    assert not at.exception
    assert any("已发布第 1 号预警" in s.value for s in at.success)
    conn = store.connect(accounts)
    try:
        assert queries.warnings_issued(conn).iloc[0]["issued_by"] == "值班员乙"
    finally:
        conn.close()
    assert ("duty", "warning_issue", "ok") in audit_actions(accounts)
    # Duty officers do not export charts.
    open_page(at, "pages/trends_rain.py")
    assert not at.get("download_button")


def test_analyst_exports_but_does_not_warn(accounts):
    at = signed_in("analyst")
    open_page(at, "pages/trends_rain.py")
    assert at.get("download_button")
    open_page(at, "pages/warning.py")
    assert "发布预警" not in tab_labels(at)


def test_admin_manages_accounts_and_reads_the_audit_log(accounts):
    at = signed_in("admin")
    open_page(at, "pages/admin.py")
    users = table_with(at, "本地密码")
    assert set(users["用户名"]) == set(USERS)
    form = at.get("form")[0] if at.get("form") else None
    assert form is not None
    inputs = [w for w in at.text_input if w.key is None or not str(w.key).startswith("admin_password")]
    inputs[0].set_value("new_user")
    inputs[1].set_value("新同事")
    inputs[2].set_value(PASSWORD)
    next(b for b in at.button if b.label == "创建账户").click()
    at.run()
    assert not at.exception
    assert any("new_user" in shown(s.value) for s in at.success)
    assert "new_user" in set(table_with(at, "本地密码")["用户名"])
    log = table_with(at, "客户端地址")
    assert {"登录", "新建账户"} <= set(log["操作"])
    assert at.get("download_button"), "the audit log can be exported"


def test_sign_out_ends_the_session(accounts):
    at = signed_in("analyst")
    at.sidebar.button(key="identity_sign_out").click().run()
    assert at.title[0].value == "登录一图研判"
    conn = store.connect(accounts)
    try:
        assert store.scalar(conn, "SELECT count(*) FROM login_sessions") == 0
    finally:
        conn.close()
    assert ("analyst", "logout", "ok") in audit_actions(accounts)


def test_disabling_an_account_ends_its_open_session(accounts):
    at = signed_in("duty")
    assert at.get("deck_gl_json_chart")
    conn = store.connect(accounts)
    try:
        access.set_disabled(conn, "duty", True)
    finally:
        conn.close()
    at.run()
    assert at.title[0].value == "登录一图研判"


def test_local_demo_mode_has_a_banner_and_all_pages(app, monkeypatch):
    monkeypatch.delenv(config.AUTH_ENV, raising=False)
    app.run()
    assert any("本地演示模式" in i.value for i in app.info)
    assert app.get("deck_gl_json_chart")


def test_no_auth_off_loopback_refuses_every_page(app, monkeypatch):
    monkeypatch.delenv(config.AUTH_ENV, raising=False)
    previous = st.get_option("server.address")
    st.config.set_option("server.address", "0.0.0.0")
    try:
        app.run()
    finally:
        st.config.set_option("server.address", previous)
    assert any("拒绝服务" in e.value for e in app.error)
    assert not app.get("deck_gl_json_chart")


def test_oidc_identity_signs_in_with_its_account_role(accounts, monkeypatch):
    from components import identity

    monkeypatch.setenv(config.AUTH_ENV, "oidc")
    monkeypatch.setattr(config, "oidc_configured", lambda: True)
    monkeypatch.setattr(identity, "_oidc_user", lambda: None)
    at = new_app()
    at.run()
    assert not at.exception
    assert at.button(key="identity_oidc_sign_in").label == "使用统一身份认证登录"
    # The identity provider vouches for "duty": the account's role and name apply.
    monkeypatch.setattr(identity, "_oidc_user", lambda: "duty")
    at.run()
    assert any("值班员乙" in c.value for c in at.sidebar.caption)
    assert ("duty", "login", "ok") in audit_actions(accounts)


def test_oidc_identity_without_an_account_is_refused(accounts, monkeypatch):
    from components import identity

    monkeypatch.setenv(config.AUTH_ENV, "oidc")
    monkeypatch.setattr(config, "oidc_configured", lambda: True)
    monkeypatch.setattr(identity, "_oidc_user", lambda: "stranger@example.org")
    at = new_app()
    at.run()
    assert any("stranger@example" in shown(e.value) and "没有账户" in e.value for e in at.error)
    assert not at.get("deck_gl_json_chart")
    assert ("stranger@example.org", "login_failed", "denied") in audit_actions(accounts)


def test_a_crafted_url_parameter_is_shown_as_text(app, monkeypatch):
    monkeypatch.delenv(config.AUTH_ENV, raising=False)
    app.query_params["township"] = "[点此登录](http://evil.example)"
    app.run()
    notices = [w.value for w in app.warning if "evil" in w.value]
    assert notices and all("\\[点此登录\\]\\(http" in text and "](" not in text for text in notices)
    assert all(
        shown(text) == "链接参数 township=[点此登录](http://evil.example) 无效，已使用默认值。" for text in notices
    )


def test_uploads_are_limited_by_type_and_size(accounts):
    at = signed_in("admin")
    open_page(at, "pages/import_data.py")
    uploader = at.get("file_uploader")[0].proto
    allowed = set(uploader.type)
    assert {".csv", ".xlsx", ".shp", ".dbf", ".geojson"} <= allowed
    assert not allowed & {".exe", ".html", ".js", ".svg", ".py"}
    assert 0 < uploader.max_upload_size_mb <= 1024
