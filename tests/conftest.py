"""Shared fixtures: a tiny hand-checkable store and the deterministic demo store."""

from __future__ import annotations

import shutil

import pytest

from emergency import demo, store
from tests import tiny

DEMO_SEED = 42


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
