"""Security tests, one per threat found by the security test of the served app.

Each test names the threat it closes and reproduces the attack as an attacker would run it:
against a real served app in Chromium where the hole was in the server, against the store
where it was in the data layer. Every one of them failed on the code before the fix.

Threats
-------
T1  Proxy sign-in bypass: a non-proxy peer claims the proxy's address in a forwarding header.
T2  Lockout defeated by parallel guesses; failures missing from the audit log; traceback shown.
T3  Account enumeration by timing (cheap dummy hash) or by message ("locked" only for real accounts).
T4  Stored text rendered as markdown/HTML: outside images, links, autolinks.
T5  A queued import lost when the server stops while importing it.
T6  A committed write without its audit row.
T7  Uploads held and expanded in memory; no per-import budget.
T8  Session cookie readable by scripts; /_stcore/metrics public.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import urlparse

import pandas as pd
import pytest

from emergency import access, actions, audit, config, queries, store
from emergency.access import Actor, LoginRefused
from tests import tiny
from tests.pg_store import copy_demo

PASSWORD = "long-enough-pw"
NOW = datetime(2026, 6, 20, 9, 0)
# Interval of the poll loops on what no page shows (the HttpOnly cookie jar, the upload spool directory).
POLL_INTERVAL_MS = 100


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    # Work factor 4 keeps the tests fast; the app uses access.BCRYPT_ROUNDS (12).
    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def conn(tmp_path):
    """A tiny store in a file (as the app has it), with contacts and one duty account."""
    connection = store.connect(tmp_path / "tiny.duckdb")
    tiny.populate(connection)
    connection.executemany("INSERT INTO township_contacts VALUES (?, ?, ?, ?, true)", tiny.CONTACTS)
    access.create_user(connection, "duty", "duty", "值班员乙", PASSWORD)
    yield connection
    connection.close()


def audit_rows(conn, action: str | None = None) -> pd.DataFrame:
    log = queries.audit_log(conn).sort_values("id").reset_index(drop=True)
    return log if action is None else log[log["action"] == action].reset_index(drop=True)


def settings(max_failed: int = 5) -> access.AuthSettings:
    return access.AuthSettings(mode="local", max_failed_logins=max_failed, lockout_minutes=15)


# ------------------------------------------------------------------ T2 lockout under parallel guesses


def test_t2_parallel_wrong_guesses_lock_after_exactly_max_and_are_all_audited(conn):
    """20 sign-ins at once (19 wrong, then the right one): the lock falls at the 5th failure,
    every attempt is in the audit log, and the right password is refused once locked."""
    guesses = 20
    start = threading.Barrier(guesses)
    outcomes: list[str] = []

    def guess(number: int) -> None:
        start.wait()
        try:
            actions.sign_in(conn, "duty", f"wrong-{number:02d}-pw", "10.0.0.66", settings())
            outcomes.append("signed in")
        except LoginRefused as refusal:
            outcomes.append(refusal.detail)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("bad_credentials") == 4
    assert outcomes.count("bad_credentials_locked_now") == 1
    assert outcomes.count("locked") == guesses - 5
    with pytest.raises(LoginRefused):
        actions.sign_in(conn, "duty", PASSWORD, "10.0.0.66", settings())
    failed = audit_rows(conn, "login_failed")
    assert len(failed) == guesses + 1 and set(failed["username"]) == {"duty"}
    assert set(failed["client"]) == {"10.0.0.66"}
    assert audit_rows(conn, "login").empty
    assert queries.user(conn, "duty").iloc[0]["locked_until"] is not None


def test_t2_sign_in_that_meets_a_write_conflict_is_retried(conn, monkeypatch):
    """DuckDB's "Conflict on update" (an admin unlocking the account at that moment) is retried, not shown."""
    real = access.authenticate
    calls = []

    def conflicting(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            import duckdb

            raise duckdb.TransactionException("TransactionContext Error: Conflict on update!")
        return real(*args, **kwargs)

    monkeypatch.setattr(access, "authenticate", conflicting)
    found, token = actions.sign_in(conn, "duty", PASSWORD, None, settings())
    assert found.username == "duty" and access.session_actor(conn, token).username == "duty"
    assert len(calls) == 2 and len(audit_rows(conn, "login")) == 1


def test_t2_sign_in_page_shows_no_traceback_when_the_store_fails(demo_copy, monkeypatch):
    """Whatever breaks behind the sign-in form, the anonymous visitor gets a message, never a traceback."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(config.DB_PATH_ENV, str(demo_copy))
    monkeypatch.setenv(config.AUTH_ENV, "local")

    def broken(*_args, **_kwargs):
        raise RuntimeError("Conflict on update! /work/secret/path/store.py line 12")

    monkeypatch.setattr(access, "authenticate", broken)
    at = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=60)
    at.run()
    at.text_input(key="identity_username").set_value("duty")
    at.text_input(key="identity_password").set_value(PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "暂时无法登录" in shown and "/work" not in shown and "Conflict" not in shown


def test_t2_a_failing_session_check_shows_the_sign_in_page_not_a_traceback(demo_copy, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(config.DB_PATH_ENV, str(demo_copy))
    monkeypatch.setenv(config.AUTH_ENV, "local")

    def broken(*_args, **_kwargs):
        raise RuntimeError("IO Error: /work/secret/store.duckdb")

    monkeypatch.setattr(access, "session_actor", broken)
    at = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "暂时无法登录" in shown and "/work" not in shown


# ------------------------------------------------------------------ T3 account enumeration


def test_t3_unknown_locked_disabled_and_wrong_cost_one_full_check_and_read_the_same(conn, monkeypatch):
    """Every refusal costs one bcrypt check at the cost of the real hashes, and shows one message."""
    import bcrypt

    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 6)  # real hashes made now: cost 6
    access.set_password(conn, "duty", PASSWORD)
    access.create_user(conn, "gone", "duty", "停用", PASSWORD)
    access.set_disabled(conn, "gone", True)
    access.create_user(conn, "sso.only", "leader", "门户领导")  # no password
    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)  # a lower default must not make the dummy cheaper
    costs: list[int] = []
    real_check = bcrypt.checkpw

    def counted(password, hashed):
        costs.append(access.hash_cost(hashed))
        return real_check(password, hashed)

    monkeypatch.setattr(access.bcrypt, "checkpw", counted)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            actions.sign_in(conn, "duty", "wrong-password", None, settings())
    refusals = {}
    for case, name, password in (
        ("unknown", "nobody", PASSWORD),
        ("no password", "sso.only", PASSWORD),
        ("wrong", "gone", "wrong-password"),
        ("disabled", "gone", PASSWORD),
        ("locked", "duty", PASSWORD),
    ):
        costs.clear()
        with pytest.raises(LoginRefused) as refusal:
            actions.sign_in(conn, name, password, None, settings())
        assert costs == [6], f"{case}: bcrypt checks at costs {costs}"
        refusals[case] = refusal.value
    # The audit log keeps the reason for administrators; the page shows one message (next test).
    assert [r.detail for r in refusals.values()] == ["unknown_user", "no_password", "disabled", "disabled", "locked"]


def test_t3_sign_in_page_answers_the_same_for_unknown_wrong_and_locked(demo_copy, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(config.DB_PATH_ENV, str(demo_copy))
    monkeypatch.setenv(config.AUTH_ENV, "local")
    conn = store.connect(demo_copy)
    try:
        access.create_user(conn, "duty", "duty", "值班员乙", PASSWORD)
    finally:
        conn.close()
    at = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=60)
    at.run()

    def answer(name: str, password: str) -> str:
        at.text_input(key="identity_username").set_value(name)
        at.text_input(key="identity_password").set_value(password)
        at.button[0].click()
        at.run()
        assert not at.exception
        return " ".join(e.value for e in at.error)

    unknown = answer("no.such.user", "wrong-password")
    wrong = answer("duty", "wrong-password")
    for _ in range(4):
        answer("duty", "wrong-password")
    locked = answer("duty", PASSWORD)
    assert unknown == wrong == locked and unknown


# ------------------------------------------------------------------ T6 audit in the write's transaction


class AuditWriteFails(Exception):
    pass


@pytest.fixture
def audit_fails(monkeypatch):
    """Make every audit row fail to write, as a crash between the write and its audit would."""

    def fail(*_args, **_kwargs):
        raise AuditWriteFails("injected between the write and its audit row")

    monkeypatch.setattr(audit, "insert", fail)


def duty() -> Actor:
    return Actor("duty", "值班员乙", "duty", client="10.0.0.9")


def admin() -> Actor:
    return Actor("admin1", "管理员", "admin", client="10.0.0.9")


def count(conn, table: str) -> int:
    return store.scalar(conn, f"SELECT count(*) FROM {table}")


def test_t6_a_write_whose_audit_row_fails_is_not_committed(conn, audit_fails):
    """Warnings, acknowledgements, dispatch, accounts: no audit row, no change."""
    before = {t: count(conn, t) for t in ("warnings", "warning_recipients", "dispatches", "users", "audit_log")}
    with pytest.raises(AuditWriteFails):
        actions.issue_warning(conn, duty(), "blue", ["999999001"], "注意防范", ["sms"])
    with pytest.raises(AuditWriteFails):
        actions.create_user(conn, admin(), "newbie", "leader", "新人", PASSWORD)
    with pytest.raises(AuditWriteFails):
        actions.unlock(conn, admin(), "duty")
    after = {t: count(conn, t) for t in before}
    assert after == before


def test_t6_an_import_whose_audit_row_fails_is_not_committed(conn, audit_fails, tmp_path):
    rain = tmp_path / "rain.csv"
    rain.write_text("站码,时间,雨量\nG1,2026-06-20 05:00,3.5\nG2,2026-06-20 05:00,1.0\n", encoding="utf-8")
    before = (count(conn, "rainfall"), count(conn, "import_log"))
    with pytest.raises(Exception, match="injected"):
        actions.import_file(conn, admin(), rain, "rainfall", file_name=rain.name)
    assert (count(conn, "rainfall"), count(conn, "import_log")) == before


KILL_SCRIPT = r"""
import os, sys
from emergency import access, actions, audit, store
from emergency.access import Actor
conn = store.connect(sys.argv[1])
real = audit.insert
def insert_then_die(cursor, *args, **kwargs):
    real(cursor, *args, **kwargs)
    if sys.argv[2] == "before_commit":
        os._exit(9)  # the process dies after both rows are written, before the commit
audit.insert = insert_then_die
admin = Actor("admin1", "管理员", "admin")
if sys.argv[3] == "import":
    actions.import_file(conn, admin, sys.argv[4], "rainfall", file_name="rain.csv")
else:
    actions.issue_warning(conn, Actor("duty", "值班员", "duty"), "blue", ["999999001"], "注意", ["sms"])
conn.close()
"""


@pytest.mark.parametrize("write", ["import", "warning"])
def test_t6_killed_mid_write_leaves_neither_the_rows_nor_the_audit_row(conn, tmp_path, write):
    """The server process is killed between the write and the commit: reopened, the store has neither."""
    rain = tmp_path / "rain.csv"
    rain.write_text("站码,时间,雨量\nG1,2026-06-20 05:00,3.5\n", encoding="utf-8")
    path = tmp_path / "tiny.duckdb"
    before = (count(conn, "rainfall"), count(conn, "import_log"), count(conn, "warnings"), count(conn, "audit_log"))
    conn.close()
    killed = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(path), "before_commit", write, str(rain)],
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 9, killed.stderr[-2000:]
    reopened = store.connect(path)
    try:
        after = (
            count(reopened, "rainfall"),
            count(reopened, "import_log"),
            count(reopened, "warnings"),
            count(reopened, "audit_log"),
        )
    finally:
        reopened.close()
    assert after == before
    finished = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(path), "finish", write, str(rain)],
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    reopened = store.connect(path)
    try:
        log = audit_rows(reopened)
        if write == "import":
            assert count(reopened, "import_log") == before[1] + 1
            assert log.iloc[-1]["action"] == "import" and "import " in log.iloc[-1]["detail"]
        else:
            assert count(reopened, "warnings") == before[2] + 1 and log.iloc[-1]["action"] == "warning_issue"
    finally:
        reopened.close()


# ------------------------------------------------------------------ T5 queued imports survive a stopped server


INBOX_KILL_SCRIPT = r"""
import os, sys
from emergency import store
from emergency.ingest import inbox
conn = store.connect(sys.argv[1])
# The server dies in the middle of the import, after its rows are written, before the commit.
inbox.process(conn, sys.argv[1], before_commit=lambda spec: (lambda cursor, report: os._exit(9)))
"""


def kill_while_importing(path) -> None:
    killed = subprocess.run(
        [sys.executable, "-c", INBOX_KILL_SCRIPT, str(path)],
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 9, killed.stderr[-2000:]


def test_t5_a_job_interrupted_once_is_retried_and_twice_is_failed_with_a_message(conn, tmp_path):
    from emergency.ingest import inbox

    path = tmp_path / "tiny.duckdb"
    conn.close()
    rain = tmp_path / "排队雨量.csv"
    rain.write_text("站码,时间,雨量\nG1,2026-06-20 05:00,3.5\n", encoding="utf-8")
    inbox.enqueue(path, rain, kind="rainfall", user="王五")
    kill_while_importing(path)  # the job is left in processing/
    assert [job["state"] for job in inbox.jobs(path)] == ["running"]
    reopened = store.connect(path)
    try:
        results = actions.process_inbox(reopened, admin(), path, "zh")
        assert [r["ok"] for r in results] == [True]
        assert [(job["state"], job["attempts"]) for job in inbox.jobs(path)] == [("done", 2)]
        assert count(reopened, "import_log") == 1
        log = audit_rows(reopened, "inbox_import")
        assert list(log["outcome"]) == ["ok"] and "1 accepted" in log.iloc[0]["detail"]
    finally:
        reopened.close()
    # A second job that kills the server every time: retried once, then given up with a message.
    inbox.enqueue(path, rain, kind="rainfall", user="王五")
    kill_while_importing(path)
    kill_while_importing(path)
    reopened = store.connect(path)
    try:
        results = actions.process_inbox(reopened, admin(), path, "zh")
        assert [r["ok"] for r in results] == [False]
        assert "排队雨量.csv" in results[0]["message"] and "2 次" in results[0]["message"]
        states = sorted((job["state"], job["attempts"]) for job in inbox.jobs(path))
        assert states == [("done", 2), ("failed", 2)]
        assert count(reopened, "import_log") == 1
        assert list(audit_rows(reopened, "inbox_import")["outcome"]) == ["ok", "failed"]
    finally:
        reopened.close()
    assert not (inbox.inbox_dir(path) / "processing").exists() or not any(
        (inbox.inbox_dir(path) / "processing").iterdir()
    )


def test_t5_a_job_held_past_its_lease_by_this_server_is_recovered(conn, tmp_path):
    from emergency.ingest import inbox

    path = tmp_path / "tiny.duckdb"
    rain = tmp_path / "rain.csv"
    rain.write_text("站码,时间,雨量\nG1,2026-06-20 05:00,3.5\n", encoding="utf-8")
    queued = inbox.enqueue(path, rain, kind="rainfall")
    claimed = inbox._claim(queued)
    inbox._active.discard(claimed.name)  # the worker thread died without cleaning up
    assert inbox.recover(path, lease_seconds=3600) == [] and claimed.exists()  # inside its lease: left alone
    results = inbox.process(conn, path, lease_seconds=0)
    assert [r["ok"] for r in results] == [True]
    assert [job["state"] for job in inbox.jobs(path)] == ["done"]


# ------------------------------------------------------------------ served app: T1 proxy bypass, T8 cookie and metrics


FORWARDING_HEADERS = [
    {"X-Forwarded-For": "10.0.0.2"},
    {"X-Forwarded-For": "10.0.0.2, 127.0.0.1"},
    {"X-Forwarded-For": "127.0.0.1, 10.0.0.2"},
    {"Forwarded": "for=10.0.0.2"},
    {"Forwarded": 'for="10.0.0.2:4711";proto=https;by=10.0.0.2'},
    {"X-Real-IP": "10.0.0.2"},
    {"X-Client-IP": "10.0.0.2"},
    {"True-Client-IP": "10.0.0.2"},
    {"CF-Connecting-IP": "10.0.0.2"},
    {"X-Cluster-Client-IP": "10.0.0.2"},
    {"X-Original-Forwarded-For": "10.0.0.2"},
    {"X-Forwarded": "for=10.0.0.2"},
    {"Forwarded-For": "10.0.0.2"},
    {"Client-IP": "10.0.0.2"},
    {
        "X-Forwarded-For": "10.0.0.2",
        "X-Real-IP": "10.0.0.2",
        "Forwarded": "for=10.0.0.2",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "portal.example",
    },
]


@pytest.fixture
def accounts_store(demo_file, tmp_path):

    path = tmp_path / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    connection = store.connect(path)
    try:
        access.create_user(connection, "admin", "admin", "管理员丁", PASSWORD)
    finally:
        connection.close()
    return path


@contextmanager
def chromium():
    """One headless system Chromium for several isolated contexts (each its own headers and cookies)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def page_in(browser, url: str, headers: dict[str, str] | None = None):
    from tests.browser import Watch

    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN", extra_http_headers=headers)
    try:
        page = context.new_page()
        watch = Watch(urlparse(url).netloc)
        watch.attach(page)
        yield page, watch
    finally:
        context.close()


@pytest.mark.parametrize(
    ("extra_setting", "claims"),
    [
        ("", FORWARDING_HEADERS),
        # real_ip_from believes 127.0.0.1's X-Real-IP as the browser's address (nginx in front):
        # naming the proxy's address there still signs nobody in (the TCP peer decides).
        ('real_ip_from = ["127.0.0.1"]\n', [{"X-Real-IP": "10.0.0.2"}]),
    ],
    ids=["forwarding-headers", "real-ip-from-trusted"],
)
def test_t1_proxy_header_is_not_trusted_from_a_peer_claiming_the_proxy_address(
    accounts_store, tmp_path, extra_setting, claims
):
    """The proxy is 10.0.0.2; the attacker connects from 127.0.0.1 and claims 10.0.0.2 in every
    forwarding header there is, with X-Remote-User: admin. The app never signs them in."""
    from tests.browser import app_server, assert_no_exception, screenshot, wait_for_app

    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(
        '[yitu]\nauth = "proxy"\nproxy_addresses = ["10.0.0.2"]\nproxy_user_header = "X-Remote-User"\n' + extra_setting,
        encoding="utf-8",
    )
    with app_server(accounts_store, {config.SETTINGS_PATH_ENV: str(settings_file)}) as url, chromium() as browser:
        for number, forwarded in enumerate(claims):
            with page_in(browser, url, {"X-Remote-User": "admin", **forwarded}) as (page, watch):
                page.goto(url)
                wait_for_app(page)
                main = page.inner_text("[data-testid=stMain]")
                if "未收到单位门户传来的登录身份" not in main:
                    screenshot(page, f"security-t1-bypass-{number}")
                assert "未收到单位门户传来的登录身份" in main, f"signed in through {forwarded}"
                assert page.locator("[data-testid=stSidebarNav]").count() == 0
                assert page.locator("[data-testid=stDeckGlJsonChart]").count() == 0
                assert_no_exception(page)
                watch.assert_clean()
    conn = store.connect(accounts_store)
    try:
        assert audit_rows(conn, "login").empty
    finally:
        conn.close()


def test_t8_session_cookie_is_httponly_strict_and_set_by_the_server_and_metrics_are_off(accounts_store):
    """After a password sign-in the browser holds the session cookie HttpOnly and SameSite=Strict,
    scripts cannot read it, a reload keeps the sign-in, and /_stcore/metrics answers 404."""
    import urllib.error
    import urllib.request

    from tests.browser import app_server, wait_for_app

    with app_server(accounts_store, {config.AUTH_ENV: "local"}) as url, chromium() as browser:
        with pytest.raises(urllib.error.HTTPError) as metrics:
            urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10)
        assert metrics.value.code == 404
        with page_in(browser, url) as (page, watch):
            page.goto(url)
            wait_for_app(page)
            page.locator(".st-key-identity_username input").fill("admin")
            page.locator(".st-key-identity_password input").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.get_by_text("管理员丁").first.wait_for(timeout=30_000)
            page.wait_for_function("() => true")
            cookie = None
            for _ in range(50):
                cookie = next((c for c in page.context.cookies() if c["name"] == access.SESSION_COOKIE), None)
                if cookie:
                    break
                page.wait_for_timeout(POLL_INTERVAL_MS)
            assert cookie is not None, "no session cookie"
            assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["secure"] is False
            assert access.SESSION_COOKIE not in page.evaluate("document.cookie")
            page.reload()
            wait_for_app(page)
            page.get_by_text("管理员丁").first.wait_for(timeout=30_000)
            page.get_by_role("button", name="退出登录").click()
            page.get_by_text("登录一图研判").first.wait_for(timeout=30_000)
            wait_for_app(page)
            for _ in range(150):
                if not any(c["name"] == access.SESSION_COOKIE for c in page.context.cookies()):
                    break
                page.wait_for_timeout(POLL_INTERVAL_MS)
            assert not any(c["name"] == access.SESSION_COOKIE for c in page.context.cookies())
            watch.assert_clean()


def test_t8_the_cookie_route_answers_a_code_once_and_marks_https_cookies_secure(monkeypatch):
    """The one-time code works once; the cookie is Secure over HTTPS, and behind a configured proxy
    only when that proxy (not just any peer) says the browser used HTTPS."""
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from emergency import webserver

    monkeypatch.setattr(
        access, "auth_settings", lambda: access.AuthSettings(mode="local", proxy_addresses=("10.0.0.2",))
    )
    app = Starlette(routes=webserver._session_routes(None))
    headers = {"X-Yitu-Session": "1"}

    code = access.issue_handoff("token-1", 3600)
    over_http = TestClient(app, base_url="http://app.local")
    answer = over_http.post("/_yitu/session", content=code, headers=headers)
    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 204 and "yitu_session=token-1" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    again = over_http.post("/_yitu/session", content=code, headers=headers)
    assert again.status_code == 403 and "set-cookie" not in again.headers
    assert over_http.post("/_yitu/session", content=access.issue_handoff("t", 60)).status_code == 403  # no header

    over_https = TestClient(app, base_url="https://app.local")
    answer = over_https.post("/_yitu/session", content=access.issue_handoff("token-2", 3600), headers=headers)
    assert "Secure" in answer.headers["set-cookie"]
    # A peer that is not the proxy cannot make the app believe the browser used HTTPS, nor the reverse.
    spoofed = over_http.post(
        "/_yitu/session",
        content=access.issue_handoff("token-3", 3600),
        headers={**headers, "X-Forwarded-Proto": "https"},
    )
    assert "Secure" not in spoofed.headers["set-cookie"]
    from_proxy = TestClient(app, base_url="http://app.local", client=("10.0.0.2", 50000))
    answer = from_proxy.post(
        "/_yitu/session",
        content=access.issue_handoff("token-4", 3600),
        headers={**headers, "X-Forwarded-Proto": "https"},
    )
    assert "Secure" in answer.headers["set-cookie"]


# ------------------------------------------------------------------ T4 stored text is never markup


EVIL = "evil.example"
# One payload carrying every kind of markup that reached the screen: markdown image and link,
# raw HTML, angle-bracket autolink, bare URL, www and e-mail autolinks, a Streamlit directive.
HOSTILE = (
    f'![i](http://{EVIL}/i.png) [l](http://{EVIL}/l) <img src="http://{EVIL}/h.png"> '
    f'<a href="http://{EVIL}/p">p</a> '
    f"<http://{EVIL}/a> http://{EVIL}/u www.{EVIL} x@{EVIL} :red[r] **b** "
)
# Every free-text column, prefixed with the payload (names that are keys get the same prefix
# everywhere they appear, so every join still holds).
POISONED = {
    "county": ["name"],
    "townships": ["name"],
    "villages": ["name"],
    "rain_gauges": ["name", "source"],
    "incidents": ["address", "source", "description"],
    "teams": ["name", "leader"],
    "warehouses": ["name", "manager", "address"],
    "stock": ["warehouse", "item"],
    "stock_minimums": ["item"],
    "shelters": ["name"],
    "hazard_points": ["name"],
    "grids": ["name", "village", "keeper"],
    "duty_roster": ["name", "title"],
    "township_contacts": ["name"],
    "warning_recipients": ["name"],
    "warnings": ["text", "issued_by"],
    "dispatches": ["resource_name", "note", "created_by", "items"],
    "import_log": ["file_name", "user_name", "source"],
    "quarantine": ["file_name", "value", "raw"],
    "users": ["display_name"],
    "audit_log": ["object", "detail"],
}


def poison(path) -> None:
    """Fill the demo store's text fields with the payload, and add a warning, a dispatch and an import record."""
    from emergency import dispatch as dispatch_mod
    from emergency import warning as warning_mod

    conn = store.connect(path)
    try:
        townships = list(queries.townships(conn)["code"][:2])
        team = store.scalar(conn, "SELECT name FROM teams LIMIT 1")
        actions.issue_warning(conn, Actor("local", "本地", "admin"), "red", townships, "text", ["sms"])
        actions.record_dispatch(
            conn, Actor("local", "本地", "admin"), [dispatch_mod.Order("team", team)], 118.0, 28.4, note="note"
        )
        conn.execute("""INSERT INTO import_log SELECT * REPLACE (id + 1000 AS id) FROM import_log LIMIT 1""")
        access.create_user(conn, "hostile", "duty", "display")
        for table, columns in POISONED.items():
            for column in columns:
                conn.execute(f"UPDATE {table} SET {column} = ? || {column} WHERE {column} IS NOT NULL", [HOSTILE])
        store.set_meta(conn, {"county_name": HOSTILE + "县"})
        del warning_mod
    finally:
        conn.close()


MARKUP_SCAN = """() => {
  const out = {links: [], images: [], evil_text: 0};
  const scan = (doc) => {
    for (const a of doc.querySelectorAll('a')) {
      const href = a.getAttribute('href') || a.getAttribute('xlink:href') || '';
        if (!href.startsWith('#') && !href.startsWith('/') && !href.startsWith(location.origin)) {
        let el = a; for (let i = 0; i < 4 && el.parentElement; i++) el = el.parentElement;
        out.links.push(href + ' @ ' + (el.getAttribute('data-testid') || el.className || el.tagName));
      }
    }
    for (const img of doc.querySelectorAll('img, image, source, video, audio, iframe')) {
      const src = img.getAttribute('src') || img.getAttribute('href') || img.getAttribute('xlink:href') || '';
      if (src && !src.startsWith('data:') && !src.startsWith('blob:') && !src.startsWith('/') && !src.startsWith('./')
          && !src.startsWith(location.origin)) out.images.push(src);
    }
    out.evil_text += (doc.body ? doc.body.innerText : '').split('evil').length - 1;
  };
  scan(document);
  for (const frame of document.querySelectorAll('iframe')) {
    try { scan(frame.contentDocument); } catch (e) { out.links.push('unreadable frame ' + frame.src); }
  }
  return out;
}"""


def assert_inert(page, watch, where: str, shots: list) -> None:
    from tests.browser import assert_no_exception, painted, screenshot, wait_for_charts

    wait_for_charts(page)  # grids, charts and the map hold what they will show
    painted(page)
    assert_no_exception(page)
    found = page.evaluate(MARKUP_SCAN)
    # Links and images from the payload (the basemap's own attribution link is not data).
    found["links"] = [link for link in found["links"] if EVIL in link or "mailto:" in link]
    if found["links"] or found["images"] or watch.outside_requests:
        screenshot(page, f"security-t4-{len(shots)}")
    assert not found["links"], f"{where}: links {found['links'][:5]}"
    assert not found["images"], f"{where}: images {found['images'][:5]}"
    assert not watch.outside_requests, f"{where}: requests {watch.outside_requests[:5]}"
    shots.append((where, found["evil_text"]))


def test_t4_hostile_text_in_every_field_renders_as_text_on_every_page(demo_file, tmp_path):
    """Every page, every tab, the big screen and a township's view, drawn from a store whose every
    text field starts with markdown/HTML/autolink payloads: no outside request, no link, no image."""

    from tests.browser import app_server, browser_page, screenshot, wait_for_app

    path = tmp_path / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    poison(path)
    conn = store.connect(path, read_only=True)
    try:
        township = queries.townships(conn)["code"].iloc[0]
    finally:
        conn.close()
    visited: list = []
    with app_server(path) as url, browser_page(url) as (page, watch):
        page.goto(url)
        wait_for_app(page)
        links = page.locator("[data-testid=stSidebarNav] a")
        names = [links.nth(i).inner_text().strip() for i in range(links.count())]
        assert len(names) >= 10
        for index, name in enumerate(names):
            page.locator("[data-testid=stSidebarNav] a").nth(index).click()
            wait_for_app(page)
            assert_inert(page, watch, name, visited)
            tabs = page.locator("[data-testid=stMain] [role=tab]")
            for tab in range(tabs.count()):
                tabs.nth(tab).click()
                wait_for_app(page)
                assert_inert(page, watch, f"{name} / tab {tab}", visited)
        for path_query in (f"/?township={township}", "/?screen=1"):
            page.goto(url + path_query)
            wait_for_app(page)
            assert_inert(page, watch, path_query, visited)
        screenshot(page, "security-t4-big-screen")
    # The payload was on screen (as text) on the pages that show stored names.
    print(visited)
    assert sum(count for _, count in visited) > 50, visited


def test_t4_the_helpers_leave_no_markup_and_keep_the_text():
    """plain() for markdown elements, inert.figure() for charts: the text reads the same, nothing is live."""
    import re

    import plotly.graph_objects as go

    from components.text import WORD_JOINER, plain
    from emergency import inert

    shown = plain(HOSTILE)
    # What a reader sees: markdown drops the escaping backslashes; the word joiners are invisible.
    assert re.sub(r"\\(.)", r"\1", shown).replace(WORD_JOINER, "") == HOSTILE
    # The autolink finder of GitHub-flavoured markdown (mdast-util-gfm-autolink-literal) runs on the
    # unescaped text: it finds nothing.
    unescaped = re.sub(r"\\(.)", r"\1", shown)
    assert not re.search(r"(https?://|www(?=\.))[-.\w]+", unescaped, re.IGNORECASE)
    assert not re.search(r"[-.\w+]+@[-\w]+(\.[-\w]+)+", unescaped)
    fig = go.Figure(go.Bar(x=[HOSTILE, "b"], y=[1, 2], name=HOSTILE, hovertemplate=f"{HOSTILE}<br>%{{y}}"))
    fig.update_layout(title=HOSTILE)
    cleaned = inert.figure(fig).to_plotly_json()
    assert "<a " not in str(cleaned) and "&lt;a href" in cleaned["layout"]["title"]["text"]
    assert "<br>" in cleaned["data"][0]["hovertemplate"]  # the app's own markup stays


# ------------------------------------------------------------------ T7 uploads on disk, memory budget


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def season_csv(path, megabytes: int):
    """Five-minute rain of the 60 demo gauges after the demo storm, about ``megabytes`` MB of CSV."""
    import numpy as np

    rows_per_step = 60
    steps = megabytes * 1024 * 1024 // (30 * rows_per_step)
    times = pd.date_range("2026-06-22 00:05", periods=steps, freq="5min").strftime("%Y-%m-%d %H:%M")
    codes = [f"GX{n:04d}" for n in range(1, 61)]
    frame = pd.DataFrame(
        {
            "站码": np.tile(codes, steps),
            "观测时间": np.repeat(times, rows_per_step),
            "降雨量": np.tile([0.5, 1.0, 0.0], steps * 20),
        }
    )
    frame.to_csv(path, index=False)
    return path, len(frame)


def test_t7_an_upload_is_written_to_disk_read_from_there_and_refused_over_the_budget(demo_file, tmp_path):
    """A 40 MB season file goes to a spool file on disk as it arrives (server memory does not grow by
    its size), is imported from there, and is deleted with the upload; a workbook whose import would
    exceed [yitu] import_memory_mb is refused with a message naming it."""
    import hashlib

    from tests.browser import app_process, browser_page, screenshot, wait_for_app
    from tests.test_import_page import _choose, _open_import_page

    path = tmp_path / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    csv_file, rows = season_csv(tmp_path / "一季雨量.csv", 40)
    size = csv_file.stat().st_size
    workbook = tmp_path / "大工作簿.xlsx"
    workbook.write_bytes(os.urandom(4 * 1024 * 1024))
    spool_parent = tmp_path / "tmp"
    spool_parent.mkdir()
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text("[yitu]\nimport_memory_mb = 100\n", encoding="utf-8")
    env = {"TMPDIR": str(spool_parent), config.SETTINGS_PATH_ENV: str(settings_file)}
    with app_process(path, env) as (url, server), browser_page(url) as (page, watch):
        _open_import_page(page, url)
        _choose(page, "数据类别", "降雨量")
        before = rss_mb(server.pid)
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(csv_file)])
        wait_for_app(page)
        page.get_by_role("button", name="校验").wait_for(timeout=120_000)  # the preview is drawn
        grown = rss_mb(server.pid) - before
        spooled = [p for p in spool_parent.rglob("*.csv") if p.is_file()]
        assert len(spooled) == 1 and spooled[0].stat().st_size == size, list(spool_parent.rglob("*"))
        assert hashlib.sha256(spooled[0].read_bytes()).digest() == hashlib.sha256(csv_file.read_bytes()).digest()
        print(f"server memory grew {grown:.0f} MB for a {size / 2**20:.0f} MB upload")
        assert grown < size / 2**20 / 2, f"server memory grew {grown:.0f} MB for a {size / 2**20:.0f} MB upload"
        page.get_by_role("button", name="校验").click()
        wait_for_app(page)
        page.get_by_role("button", name="确认入库").wait_for(timeout=300_000)
        page.get_by_role("button", name="确认入库").click()
        wait_for_app(page)
        done = page.locator("[data-testid=stAlertContentSuccess]").filter(has_text="已入库").first
        done.wait_for(timeout=300_000)
        assert f"通过 {rows:,} 行" in done.inner_text()
        # Removing the file from the uploader deletes its spool file.
        page.locator("[data-testid=stFileChipDeleteBtn] button").first.click()
        wait_for_app(page)
        for _ in range(50):
            if not [p for p in spool_parent.rglob("*.csv") if p.is_file()]:
                break
            page.wait_for_timeout(POLL_INTERVAL_MS)
        assert not [p for p in spool_parent.rglob("*.csv") if p.is_file()]
        # Over the budget: refused before anything is read.
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(workbook)])
        wait_for_app(page)
        refusal = page.locator("[data-testid=stAlertContentError]").filter(has_text="大工作簿.xlsx").first
        refusal.wait_for(timeout=60_000)
        assert "内存上限 100 MB" in refusal.inner_text()
        screenshot(page, "security-t7-budget")
        watch.assert_clean()
    conn = store.connect(path, read_only=True)
    try:
        assert store.scalar(conn, "SELECT count(*) FROM rainfall WHERE ts > '2026-06-22 00:00'") == rows
    finally:
        conn.close()


def test_t7_max_upload_size_fits_a_season_and_the_budget_is_configurable(monkeypatch, tmp_path):
    import tomllib

    from emergency import uploads

    server = tomllib.loads((config.PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]
    # A season (92 days) of 5-minute rain from 300 gauges as CSV: about 330 MB.
    assert 400 <= server["maxUploadSize"] <= 512
    assert uploads.over_budget([("一季雨量.csv", 330 * 2**20)], budget=uploads.DEFAULT_BUDGET_MB) is None
    refused = uploads.over_budget([("表.xlsx", 50 * 2**20)], budget=uploads.DEFAULT_BUDGET_MB)
    assert refused["file"] == "表.xlsx" and refused["budget_mb"] == "2,048" and refused["need_mb"] == "4,000"
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text("[yitu]\nimport_memory_mb = 64\nstore_memory_mb = 300\n", encoding="utf-8")
    monkeypatch.setenv(config.SETTINGS_PATH_ENV, str(settings_file))
    assert uploads.budget_mb() == 64
    # DuckDB's own memory (a CSV import's staging) is capped for the app's store connection.
    conn = store.connect(":memory:")
    try:
        assert uploads.limit_store_memory(conn) == 300
        assert store.scalar(conn, "SELECT current_setting('memory_limit')") == "300.0 MiB"
    finally:
        conn.close()


def test_t5_the_import_page_says_which_job_was_given_up_and_lists_every_job(app, demo_copy, tmp_path):
    """A job abandoned by a stopped server for the second time: the page names it and lists the jobs."""
    import json

    from emergency.ingest import inbox
    from tests.apptest import open_page

    rain = tmp_path / "中断雨量.csv"
    rain.write_text("站码,时间,雨量\nGX0001,2026-06-22 00:05,3.5\n", encoding="utf-8")
    queued = inbox.enqueue(demo_copy, rain, kind="rainfall", user="王五")
    inbox.enqueue(demo_copy, rain, kind="rainfall", user="王五")
    processing = inbox.inbox_dir(demo_copy) / "processing"
    processing.mkdir()
    job = processing / queued.name
    queued.rename(job)
    spec = json.loads((job / inbox.JOB_FILE).read_text(encoding="utf-8"))
    (job / inbox.JOB_FILE).write_text(json.dumps({**spec, "attempts": 2}), encoding="utf-8")
    (job / inbox.CLAIM_FILE).write_text(json.dumps({"owner": "a stopped server", "claimed_epoch": 0}), encoding="utf-8")
    open_page(app, "pages/import_data.py")
    assert not app.exception
    errors = [e.value for e in app.error if "中断雨量" in e.value]
    assert errors and "2 次" in errors[0]
    assert any("中断雨量" in s.value for s in app.success)  # the other job was imported
    expander = [e for e in app.expander if "命令行排队任务" in e.label]
    assert expander, [e.label for e in app.expander]
    table = expander[0].dataframe[0].value
    assert sorted(table["状态"]) == ["失败", "已完成"]
