"""Sign-in in a real browser: the password flow with lockout-safe errors, a reload keeping the
session, sign-out, the proxy header trusted only from the configured address, and hostile text
in the audit log staying inert."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from emergency import access, config, queries, store
from tests.browser import app_server, assert_no_exception, browser_page, screenshot, wait_for_app, wait_for_charts
from tests.pg_store import copy_demo

PASSWORD = "long-enough-pw"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def store_with_accounts(demo_file, tmp_path, monkeypatch):
    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)
    path = tmp_path / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    conn = store.connect(path)
    try:
        access.create_user(conn, "duty", "duty", "值班员乙", PASSWORD)
        access.create_user(conn, "admin", "admin", "管理员丁", PASSWORD)
        access.create_user(conn, "portal.user", "leader", "门户领导")
    finally:
        conn.close()
    return path


def sign_in(page, username: str, password: str) -> None:
    page.locator(".st-key-identity_username input").fill(username)
    page.locator(".st-key-identity_password input").fill(password)
    page.get_by_role("button", name="登录").click()
    wait_for_app(page)


def nav_text(page) -> str:
    nav = page.locator("[data-testid=stSidebarNav]")
    return nav.inner_text() if nav.count() else ""


def test_browser_sign_in_reload_and_sign_out(store_with_accounts):
    with app_server(store_with_accounts, {config.AUTH_ENV: "local"}) as url, browser_page(url) as (page, watch):
        page.goto(url)
        wait_for_app(page)
        assert "登录一图研判" in page.inner_text("h1")
        assert page.locator("[data-testid=stDeckGlJsonChart]").count() == 0
        page.get_by_text("密码", exact=True).wait_for()
        screenshot(page, "sign-in")
        sign_in(page, XSS, "whatever-it-is")
        assert "用户名或密码错误" in page.inner_text("[data-testid=stMain]")
        sign_in(page, "duty", "wrong-password")
        assert "用户名或密码错误" in page.inner_text("[data-testid=stMain]")
        sign_in(page, "duty", PASSWORD)
        page.locator("[data-testid=stDeckGlJsonChart]").first.wait_for(timeout=30_000)
        sidebar = page.inner_text("[data-testid=stSidebar]")
        assert "值班员乙" in sidebar and "退出登录" in sidebar
        assert "预警研判" in nav_text(page) and "数据导入" not in nav_text(page) and "用户与审计" not in nav_text(page)
        # A reload opens a new Streamlit session: the cookie keeps the sign-in.
        page.reload()
        wait_for_app(page)
        page.locator("[data-testid=stDeckGlJsonChart]").first.wait_for(timeout=30_000)
        assert "值班员乙" in page.inner_text("[data-testid=stSidebar]")
        page.get_by_role("button", name="退出登录").click()
        page.locator("h1", has_text="登录一图研判").wait_for(timeout=30_000)
        wait_for_app(page)
        page.reload()
        wait_for_app(page)
        assert "登录一图研判" in page.inner_text("h1")
        # The administrator reads the audit log, hostile user name included, as text.
        sign_in(page, "admin", PASSWORD)
        page.get_by_role("link", name="用户与审计").click()
        page.wait_for_url(lambda address: urlparse(address).path.strip("/") == "admin", timeout=30_000)
        wait_for_app(page)
        page.get_by_role("tab", name="审计日志").click()
        wait_for_app(page)
        wait_for_charts(page)  # the log's grid holds its cells
        assert_no_exception(page)
        assert page.locator("img[src=x]").count() == 0
        screenshot(page, "audit-log")
        watch.assert_clean()  # also: no dialog fired
    conn = store.connect(store_with_accounts)
    try:
        log = queries.audit_log(conn)
    finally:
        conn.close()
    assert XSS in set(log["username"])
    assert {"login", "login_failed", "logout"} <= set(log["action"])


@pytest.mark.parametrize("trusted, signed_in", [("127.0.0.1", True), ("10.9.9.9", False)])
def test_browser_proxy_header_counts_only_from_the_proxy(store_with_accounts, tmp_path, trusted, signed_in):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'[yitu]\nauth = "proxy"\nproxy_addresses = ["{trusted}"]\nproxy_user_header = "X-Remote-User"\n',
        encoding="utf-8",
    )
    env = {config.SETTINGS_PATH_ENV: str(settings)}
    with (
        app_server(store_with_accounts, env) as url,
        browser_page(url, headers={"X-Remote-User": "portal.user"}) as (page, watch),
    ):
        page.goto(url)
        wait_for_app(page)
        if signed_in:
            page.locator("[data-testid=stDeckGlJsonChart]").first.wait_for(timeout=30_000)
            assert "门户领导" in page.inner_text("[data-testid=stSidebar]")
            assert "退出登录" not in page.inner_text("[data-testid=stSidebar]")
            assert "一键调度" in nav_text(page) and "数据导入" not in nav_text(page)
        else:
            assert "未收到单位门户传来的登录身份" in page.inner_text("[data-testid=stMain]")
            assert page.locator("[data-testid=stDeckGlJsonChart]").count() == 0
        assert_no_exception(page)
        watch.assert_clean()


def test_browser_oidc_sign_in_through_a_local_identity_provider(store_with_accounts, tmp_path):
    from tests.browser import app_process, free_port
    from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, oidc_provider

    conn = store.connect(store_with_accounts)
    try:
        access.create_user(conn, "li@bureau.example", "analyst", "李分析")
    finally:
        conn.close()
    port = free_port()
    with oidc_provider("li@bureau.example", "李分析") as issuer:
        secrets_file = tmp_path / "secrets.toml"
        secrets_file.write_text(
            f'[yitu]\nauth = "oidc"\n\n[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{"s" * 32}"\nclient_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        # Streamlit and the app read the same file; Authlib allows plain http for this loopback provider.
        env = {config.SETTINGS_PATH_ENV: str(secrets_file), "AUTHLIB_INSECURE_TRANSPORT": "1"}
        with (
            app_process(store_with_accounts, env, port=port, extra_args=("--secrets.files", str(secrets_file))) as (
                url,
                _,
            ),
            browser_page(url) as (page, watch),
        ):
            page.goto(url)
            wait_for_app(page)
            assert "统一身份认证" in page.inner_text("[data-testid=stMain]")
            page.get_by_role("button", name="使用统一身份认证登录").click()
            page.locator("[data-testid=stDeckGlJsonChart]").first.wait_for(timeout=30_000)
            wait_for_app(page)
            sidebar = page.inner_text("[data-testid=stSidebar]")
            assert "李分析" in sidebar and "分析员" in sidebar
            assert "数据导入" not in nav_text(page)
            assert_no_exception(page)
            screenshot(page, "oidc-signed-in")
            # Only the app and the (loopback) identity provider were contacted.
            provider_host = urlparse(issuer).netloc
            watch.outside_requests = [u for u in watch.outside_requests if urlparse(u).netloc != provider_host]
            watch.assert_clean()
    conn = store.connect(store_with_accounts)
    try:
        log = queries.audit_log(conn)
    finally:
        conn.close()
    assert ("li@bureau.example", "login", "ok") in set(zip(log["username"], log["action"], log["outcome"], strict=True))
