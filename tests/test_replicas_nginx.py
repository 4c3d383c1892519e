"""The app's replicas behind Debian's nginx with the shipped deploy/nginx.conf, in Chromium.

Every page loads through nginx after a password sign-in, a browser's websocket, sign-in cookie
exchange and page loads stay on one replica (nginx's upstream log), new browsers spread over
the replicas, and no browser can claim the proxy sign-in header through nginx.
"""

from __future__ import annotations

import ast
import shutil
import urllib.request
from collections import Counter
from contextlib import ExitStack, contextmanager

import pytest

from emergency import access, config, store
from tests.browser import app_process, assert_no_exception, browser_page, free_port, screenshot, wait_for_app
from tests.nginx import NGINX, nginx_proxy, upstream_log

PASSWORD = "long-enough-pw"

pytestmark = pytest.mark.skipif(not shutil.which(NGINX), reason="Debian's nginx is not installed")


def page_paths() -> list[str]:
    """The URL path of every page in app.py's PAGES (st.Page names them after the script; the first is the root)."""
    tree = ast.parse((config.PROJECT_ROOT / "app.py").read_text(encoding="utf-8"))
    pages = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES"
    )
    scripts = [ast.literal_eval(item)[0] for item in pages.elts]
    return ["/"] + ["/" + script.removeprefix("pages/").removesuffix(".py") for script in scripts[1:]]


@pytest.fixture
def accounts_store(demo_file, tmp_path, monkeypatch):
    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, path)
    conn = store.connect(path)
    try:
        access.create_user(conn, "admin", "admin", "管理员丁", PASSWORD)
        access.create_user(conn, "portal.user", "leader", "门户领导")
    finally:
        conn.close()
    return path


@contextmanager
def duckdb_replicas(path, count: int, env: dict[str, str]):
    """``count`` app processes, each on its own copy of the DuckDB store at ``path``; yield their ports."""
    with ExitStack() as stack:
        ports = []
        for index in range(count):
            copy = path if index == 0 else path.with_name(f"replica{index}.duckdb")
            if index:
                shutil.copy(path, copy)
            port = free_port()
            stack.enter_context(app_process(copy, env, port=port))
            ports.append(port)
        yield ports


def sign_in(page, username: str, password: str) -> None:
    page.locator(".st-key-identity_username input").fill(username)
    page.locator(".st-key-identity_password input").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def route_of(page) -> str:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert set(cookies) >= {"yitu_route", access.SESSION_COOKIE}, cookies
    return cookies["yitu_route"]


def test_every_page_through_nginx_on_one_replica(accounts_store, tmp_path):
    env = {config.AUTH_ENV: "local"}
    with (
        duckdb_replicas(accounts_store, 2, env) as ports,
        nginx_proxy(tmp_path / "nginx", free_port(), ports) as (url, log_path),
        browser_page(url) as (page, watch),
    ):
        page.goto(url)
        wait_for_app(page)
        assert "登录一图研判" in page.inner_text("h1")
        sign_in(page, "admin", PASSWORD)
        page.locator("[data-testid=stDeckGlJsonChart]").first.wait_for(timeout=30_000)
        assert "管理员丁" in page.inner_text("[data-testid=stSidebar]")
        route = route_of(page)
        for path in page_paths():
            page.goto(url + path)
            wait_for_app(page)
            assert_no_exception(page)
            assert "登录一图研判" not in page.inner_text("[data-testid=stMain]"), path
            assert page.locator("[data-testid=stAlertContentError]").count() == 0, path
        screenshot(page, "nginx-admin-page")
        assert route_of(page) == route  # one cookie for the whole visit
        watch.assert_clean()
        rows = upstream_log(log_path)
        mine = [row for row in rows if row["route"] == route]
        streams = [row for row in mine if "/_stcore/stream" in row["request"]]
        sessions = [row for row in mine if "/_yitu/session" in row["request"]]
        # Sign-in page, one run after sign-in, and one websocket per page load: all on one replica.
        assert len(streams) >= len(page_paths()) and sessions, rows[-5:]
        assert len({row["upstream"] for row in mine}) == 1, Counter(row["upstream"] for row in mine)
        assert all(row["status"] in ("101", "200", "204", "304") for row in streams + sessions)
        # New browsers (no cookie) are spread over both replicas.
        seen = Counter()
        for _ in range(24):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
                assert response.status == 200
        seen.update(row["upstream"] for row in upstream_log(log_path)[-24:])
        assert set(seen) == {f"127.0.0.1:{port}" for port in ports}, seen


def test_nginx_strips_the_proxy_user_header(accounts_store, tmp_path):
    """Proxy sign-in trusting nginx's address: a browser's own X-Remote-User never arrives."""
    settings = tmp_path / "settings.toml"
    settings.write_text(
        '[yitu]\nauth = "proxy"\nproxy_addresses = ["127.0.0.1"]\nproxy_user_header = "X-Remote-User"\n',
        encoding="utf-8",
    )
    env = {config.SETTINGS_PATH_ENV: str(settings)}
    with (
        duckdb_replicas(accounts_store, 1, env) as ports,
        nginx_proxy(tmp_path / "nginx", free_port(), ports) as (url, _log),
        browser_page(url, headers={"X-Remote-User": "portal.user", "X-Forwarded-For": "127.0.0.1"}) as (page, watch),
    ):
        page.goto(url)
        wait_for_app(page)
        assert "未收到单位门户传来的登录身份" in page.inner_text("[data-testid=stMain]")
        assert page.locator("[data-testid=stDeckGlJsonChart]").count() == 0
        assert_no_exception(page)
        watch.assert_clean()
