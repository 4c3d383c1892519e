"""The app's replicas behind Debian's nginx with the shipped deploy/nginx.conf, in Chromium.

Every page loads through nginx after a password sign-in, a browser's websocket, sign-in cookie
exchange and page loads stay on one replica (nginx's upstream log), new browsers spread over
the replicas, and no browser can claim the proxy sign-in header through nginx.

On the PostgreSQL run (``--store=postgres``) the replicas are ``scripts/serve.py --replicas 2``
on one server store, and a browser whose replica dies carries on, signed in, on the other one.
On the DuckDB run each replica serves its own copy of the store (a DuckDB file has one process).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from contextlib import ExitStack, contextmanager

import pytest

from emergency import access, config, store
from emergency.replicas import RESTART_ENV
from tests.browser import (
    ARTIFACTS,
    RUN_TIMEOUT_MS,
    app_process,
    assert_no_exception,
    browser_page,
    free_port,
    screenshot,
    wait_for_app,
)
from tests.conftest import on_postgres
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


START_TIMEOUT_S = 120
# How long the nginx log is read again for a websocket line written after the page moved on, and how often.
LOG_WAIT_S = 15
LOG_POLL_INTERVAL_S = 0.5
# The supervisor's delay before it restarts the killed replica: longer than the test, so the killed one
# stays out of nginx's rotation until the test has read where the page went (test_replicas covers restarts).
KEEP_DOWN_S = "3600"


@pytest.fixture
def accounts_store(demo_copy, monkeypatch):
    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)
    path = demo_copy
    conn = store.connect(path)
    try:
        access.create_user(conn, "admin", "admin", "管理员丁", PASSWORD)
        access.create_user(conn, "portal.user", "leader", "门户领导")
    finally:
        conn.close()
    return path


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Supervised:
    """``scripts/serve.py --replicas N`` on one store; ``ports`` and the pid serving each port."""

    def __init__(self, target, count: int, env: dict[str, str]) -> None:
        self.base = free_port()
        while not all(_port_free(self.base + i) for i in range(count)):
            self.base = free_port()
        self.ports = [self.base + i for i in range(count)]
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"supervisor-{self.base}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "scripts/serve.py", "--replicas", str(count), "--server.port", str(self.base)]
            + ["--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=config.PROJECT_ROOT,
            env={**os.environ, config.DB_PATH_ENV: str(target), **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not all(healthy(port) for port in self.ports):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"replicas did not start: {self.log_path.read_text()[-3000:]}")
            time.sleep(0.5)

    def pid(self, port: int) -> int:
        found = re.findall(rf"starting on port {port} \(pid (\d+)\)", self.log_path.read_text())
        return int(found[-1])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextmanager
def replicas(request, target, count: int, env: dict[str, str]):
    """``count`` replicas of the app; yield their ports (see the module docstring for each store)."""
    if on_postgres(request):
        supervised = Supervised(target, count, env)
        try:
            yield supervised.ports
        finally:
            supervised.stop()
        return
    with duckdb_replicas(target, count, env) as ports:
        yield ports


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
    wait_for_app(page)


def route_of(page) -> str:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert set(cookies) >= {"yitu_route", access.SESSION_COOKIE}, cookies
    return cookies["yitu_route"]


def test_every_page_through_nginx_on_one_replica(request, accounts_store, tmp_path):
    env = {config.AUTH_ENV: "local"}
    with (
        replicas(request, accounts_store, 2, env) as ports,
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


def test_nginx_strips_the_proxy_user_header(request, accounts_store, tmp_path):
    """Proxy sign-in trusting nginx's address: a browser's own X-Remote-User never arrives."""
    settings = tmp_path / "settings.toml"
    settings.write_text(
        '[yitu]\nauth = "proxy"\nproxy_addresses = ["127.0.0.1"]\nproxy_user_header = "X-Remote-User"\n',
        encoding="utf-8",
    )
    env = {config.SETTINGS_PATH_ENV: str(settings)}
    with (
        replicas(request, accounts_store, 1, env) as ports,
        nginx_proxy(tmp_path / "nginx", free_port(), ports) as (url, _log),
        browser_page(url, headers={"X-Remote-User": "portal.user", "X-Forwarded-For": "127.0.0.1"}) as (page, watch),
    ):
        page.goto(url)
        wait_for_app(page)
        assert "未收到单位门户传来的登录身份" in page.inner_text("[data-testid=stMain]")
        assert page.locator("[data-testid=stDeckGlJsonChart]").count() == 0
        assert_no_exception(page)
        watch.assert_clean()


def _ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


def test_the_audit_log_names_the_browser_behind_nginx_not_nginx(request, accounts_store, tmp_path):
    """With [yitu] real_ip_from naming nginx, sign-ins are recorded with the browser's address from X-Real-IP.

    The browser reaches nginx on ::1 and nginx the replica from 127.0.0.1, so the two differ; the
    browser's own X-Real-IP (a forged 10.6.6.6) is overwritten by nginx and never recorded.
    """
    if not _ipv6_loopback():
        pytest.skip("this machine has no IPv6 loopback to tell the browser's address from nginx's")
    settings = tmp_path / "settings.toml"
    settings.write_text('[yitu]\nauth = "local"\nreal_ip_from = ["127.0.0.1"]\n', encoding="utf-8")
    env = {config.SETTINGS_PATH_ENV: str(settings)}
    with (
        replicas(request, accounts_store, 1, env) as ports,
        nginx_proxy(tmp_path / "nginx", free_port(), ports, listen_host="[::1]") as (url, _log),
        browser_page(url, headers={"X-Real-IP": "10.6.6.6", "X-Forwarded-For": "10.7.7.7"}) as (page, watch),
    ):
        page.goto(url)
        wait_for_app(page)
        sign_in(page, "admin", "wrong-password")
        sign_in(page, "admin", PASSWORD)
        page.locator("[data-testid=stDeckGlJsonChart]").first.wait_for(timeout=30_000)
        assert_no_exception(page)
        watch.assert_clean()
    conn = store.connect(accounts_store)
    try:
        rows = store.run(
            conn, "SELECT action, outcome, client FROM audit_log WHERE action LIKE 'login%' ORDER BY logged_at"
        ).to_dict("records")
    finally:
        conn.close()
    assert [row["outcome"] for row in rows][-2:] == ["denied", "ok"], rows
    assert {row["client"] for row in rows[-2:]} == {"::1"}, rows


def test_a_browser_whose_replica_dies_carries_on_signed_in(request, accounts_store, tmp_path):
    """PostgreSQL store, 2 replicas: kill the one serving the browser; the page reconnects to the other, signed in."""
    if not on_postgres(request):
        pytest.skip("several replicas share a store only on the PostgreSQL run (--store=postgres)")
    supervised = Supervised(accounts_store, 2, {config.AUTH_ENV: "local", RESTART_ENV: KEEP_DOWN_S})
    try:
        with (
            nginx_proxy(tmp_path / "nginx", free_port(), supervised.ports) as (url, log_path),
            browser_page(url) as (page, _watch),
        ):
            page.goto(url)
            wait_for_app(page)
            sign_in(page, "admin", PASSWORD)
            page.locator("[data-testid=stDeckGlJsonChart]").first.wait_for(timeout=30_000)
            route = route_of(page)
            served = {row["upstream"] for row in upstream_log(log_path) if row["route"] == route}
            assert len(served) == 1, served
            port = int(served.pop().rsplit(":", 1)[1])
            other = next(p for p in supervised.ports if p != port)
            logged_before = len(upstream_log(log_path))
            os.kill(supervised.pid(port), signal.SIGKILL)
            # Streamlit's page notices and reconnects by itself; nginx sends it to the other replica.
            page.wait_for_function("() => window.__appRuns.disconnects > 0", timeout=RUN_TIMEOUT_MS)
            deadline = time.monotonic() + LOG_WAIT_S
            while f"restarting in {KEEP_DOWN_S} s" not in supervised.log_path.read_text():
                assert time.monotonic() < deadline, supervised.log_path.read_text()[-2000:]
                time.sleep(LOG_POLL_INTERVAL_S)  # poll interval
            page.reload()
            wait_for_app(page)
            page.locator("[data-testid=stDeckGlJsonChart]").first.wait_for(timeout=60_000)
            assert "管理员丁" in page.inner_text("[data-testid=stSidebar]")  # the session is in the store
            assert "登录一图研判" not in page.inner_text("[data-testid=stMain]")
            assert_no_exception(page)
            screenshot(page, "nginx-after-replica-died")
            # nginx logs a websocket when it closes: leave the page, then read where the reloaded page's went.
            page.goto(url + "/trends_rain")
            wait_for_app(page)

            def answered_by_other() -> list[dict]:
                after = [row for row in upstream_log(log_path)[logged_before:] if row["route"] == route]
                found = any(
                    "/_stcore/stream" in row["request"] and row["status"] == "101" and f":{other}" in row["upstream"]
                    for row in after
                )
                return [] if found else after

            # The killed replica is still down: the page's websocket was answered by the other replica. nginx
            # writes a websocket's line when both ends have closed, which can come a moment after the page has
            # moved on: poll the log.
            deadline = time.monotonic() + LOG_WAIT_S
            while (missing := answered_by_other()) and time.monotonic() < deadline:
                time.sleep(LOG_POLL_INTERVAL_S)  # poll interval
            assert not missing, missing
            assert not healthy(port)  # still down: the other replica served all of this
    finally:
        supervised.stop()
