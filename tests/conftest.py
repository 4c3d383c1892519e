"""Shared fixtures (a tiny hand-checkable store, the deterministic demo store) and the test markers.

Markers are set here from what each test uses, so test files need no decorators:
``browser`` for a test that starts the served app or Chromium (tests/browser.py's app_server,
app_process or browser_page, Playwright, or the load script), ``apptest`` for one that runs pages
under Streamlit's AppTest (the ``app`` fixture, AppTest itself, tests/apptest.py). Quick loop:
``pytest -m "not browser and not slow"``; CI runs everything.
"""

from __future__ import annotations

import inspect
import shutil
import types

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from components.shell import NavigationPagesManager
from emergency import config, demo, store
from tests import apptest as apptest_helpers
from tests import tiny

DEMO_SEED = 42
APP_SCRIPT = str(config.PROJECT_ROOT / "app.py")
APP_TIMEOUT_S = 60


@pytest.fixture(autouse=True)
def _apptest_uses_navigation(monkeypatch):
    monkeypatch.setattr(app_test_module, "PagesManager", NavigationPagesManager)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches_after_apptest(request):
    """Drop the sync loops, cached stores and query results an AppTest left behind (one store per test copy)."""
    yield
    if request.node.get_closest_marker("apptest"):
        from emergency.feed import worker

        worker.stop_all()  # its store is removed after the test: a loop would poll it for the rest of the session
        st.cache_resource.clear()
        st.cache_data.clear()


def pytest_addoption(parser):
    parser.addoption(
        "--store",
        choices=("duckdb", "postgres"),
        default="duckdb",
        help="store the suite runs against: duckdb (files, the default) or postgres (a throw-away "
        "PostgreSQL server the session starts with initdb/pg_ctl on a Unix socket; tests/pg_store.py)",
    )


def on_postgres(config_or_request) -> bool:
    """True when the session runs against the PostgreSQL server store."""
    config_ = getattr(config_or_request, "config", config_or_request)
    return config_.getoption("--store") == "postgres"


_PG_FACTORY = None


def pytest_configure(config):
    global _PG_FACTORY
    if config.getoption("--store") != "postgres":
        return
    from tests import pg_store
    from tests.pg_store import StoreFactory

    _PG_FACTORY = StoreFactory()
    pg_store.FACTORY = _PG_FACTORY
    real_connect = store.connect

    def connect(path, read_only=False):
        # ":memory:" means "a fresh empty store": on this run, a fresh server database.
        if str(path) == ":memory:":
            path = _PG_FACTORY.fresh()
        return real_connect(path, read_only=read_only)

    store.connect = connect


def pytest_unconfigure(config):
    if _PG_FACTORY is not None:
        import gc

        from emergency.feed import worker

        # Stop the app tests' sync loops and close the connections the app's caches hold while the
        # server still answers (else each loop logs its lost lock at exit).
        worker.stop_all()
        st.cache_resource.clear()
        gc.collect()
        _PG_FACTORY.remove()


@pytest.fixture(scope="session")
def pg_stores():
    """The session's store factory on the PostgreSQL run (None on the DuckDB run)."""
    return _PG_FACTORY


@pytest.fixture(scope="session")
def tiny_conn():
    """The tiny store (tests/tiny.py), shared by the whole session: read it, never write."""
    conn = store.connect(":memory:")
    tiny.populate(conn)
    yield conn
    conn.close()


@pytest.fixture
def tiny_store():
    """A private in-memory tiny store for one test, which may write to it; closed afterwards."""
    conn = store.connect(":memory:")
    tiny.populate(conn)
    yield conn
    conn.close()


@pytest.fixture
def tiny_store_with_contacts():
    """A private tiny store with tiny.CONTACTS as the townships' responsible persons (warnings can go out)."""
    conn = tiny.with_contacts()
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory):
    """The demo store at scale 1, built once per test session; copy it before writing.

    On the PostgreSQL run, the URL of a database holding the demo.
    """
    if _PG_FACTORY is not None:
        return _PG_FACTORY.demo(lambda url: demo.build_demo_file(url, scale=1.0, seed=DEMO_SEED))
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build_demo_file(path, scale=1.0, seed=DEMO_SEED)
    return path


@pytest.fixture
def demo_copy(demo_file, tmp_path):
    """A private copy of the demo store (a process may hold the writer lock on it)."""
    if _PG_FACTORY is not None:
        return _PG_FACTORY.copy_of_demo()
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, path)
    return path


@pytest.fixture
def app(demo_copy, monkeypatch):
    """An AppTest of the whole app (shell + default page) on a private copy of the demo store.

    Set ``app.query_params`` before ``app.run()``; switch pages with ``app.switch_page("pages/x.py")``.
    """
    monkeypatch.setenv(config.DB_PATH_ENV, str(demo_copy))
    st.cache_data.clear()
    return AppTest.from_file(APP_SCRIPT, default_timeout=APP_TIMEOUT_S)


# --- markers by use ---
# Modules whose tests start the served app (and Chromium) through a script rather than the harness.
BROWSER_MODULES = {"tests.test_load", "tests.test_load_compare", "tests.test_replicas"}
BROWSER_FIXTURES: set[str] = set()
APPTEST_FIXTURES = {"app"}


def _browser_objects() -> set[int]:
    from playwright.sync_api import sync_playwright

    from tests import browser

    return {id(browser.app_server), id(browser.app_process), id(browser.browser_page), id(sync_playwright), id(browser)}


def _apptest_objects() -> set[int]:
    return {id(AppTest), id(apptest_helpers), *(id(f) for f in vars(apptest_helpers).values() if inspect.isfunction(f))}


# Modules whose import inside a test function (a local ``from tests.browser import app_server``) marks it too.
BROWSER_IMPORTS = {"tests.browser", "playwright.sync_api", "scripts.load"}
APPTEST_IMPORTS = {"streamlit.testing.v1", "tests.apptest"}


def _reaches(function, targets: set[int], seen: set[int], modules: set[str] = frozenset()) -> bool:
    """Whether ``function`` (or a tests.* helper it calls, transitively) refers to one of ``targets``
    or imports one of ``modules`` locally."""
    function = inspect.unwrap(function)
    code = getattr(function, "__code__", None)
    if code is None or id(code) in seen:
        return False
    seen.add(id(code))
    codes, names = [code], set()
    while codes:  # nested functions, lambdas and comprehensions
        current = codes.pop()
        names.update(current.co_names)
        codes.extend(const for const in current.co_consts if isinstance(const, types.CodeType))
    if names & modules:
        return True
    scope = getattr(function, "__globals__", {})
    for name in names:
        obj = scope.get(name)
        if obj is None:
            continue
        if id(obj) in targets:
            return True
        if inspect.isfunction(obj) and obj.__module__.startswith("tests") and _reaches(obj, targets, seen, modules):
            return True
    return False


def _uses(item, targets: set[int], fixtures: set[str], modules: set[str]) -> bool:
    if fixtures & set(item.fixturenames):
        return True
    functions = [item.function]
    for name in item.fixturenames:
        for definition in item._fixtureinfo.name2fixturedefs.get(name, ()):
            if definition.func.__module__.startswith("tests"):
                functions.append(definition.func)
    seen: set[int] = set()
    return any(_reaches(function, targets, seen, modules) for function in functions)


def pytest_collection_modifyitems(config, items):
    browser_targets, apptest_targets = _browser_objects(), _apptest_objects()
    for item in items:
        if not isinstance(item, pytest.Function):
            continue
        if item.module.__name__ in BROWSER_MODULES or _uses(item, browser_targets, BROWSER_FIXTURES, BROWSER_IMPORTS):
            item.add_marker(pytest.mark.browser)
        if _uses(item, apptest_targets, APPTEST_FIXTURES, APPTEST_IMPORTS):
            item.add_marker(pytest.mark.apptest)
