"""Shared fixtures: a tiny hand-checkable store and the deterministic demo store."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from components.shell import NavigationPagesManager
from emergency import config, demo, store
from tests import tiny

DEMO_SEED = 42
APP_SCRIPT = str(config.PROJECT_ROOT / "app.py")
APP_TIMEOUT_S = 60


@pytest.fixture(autouse=True)
def _apptest_uses_navigation(monkeypatch):
    monkeypatch.setattr(app_test_module, "PagesManager", NavigationPagesManager)


@pytest.fixture(scope="session")
def tiny_conn():
    conn = store.connect(":memory:")
    tiny.populate(conn)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory):
    """The demo store at scale 1, built once per test session; copy it before writing."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build_demo_file(path, scale=1.0, seed=DEMO_SEED)
    return path


@pytest.fixture
def demo_copy(demo_file, tmp_path):
    """A private copy of the demo store (a process may hold the writer lock on it)."""
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
