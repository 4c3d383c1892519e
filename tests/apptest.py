"""Helpers for AppTest runs of the whole app, shared by the page tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def open_page(at: AppTest, page: str) -> AppTest:
    """Switch to ``page`` (a script path under pages/), run, and fail on any exception."""
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def table_with(at: AppTest, column: str):
    """The first dataframe having ``column`` (AppTest keys only interactive dataframes)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with column {column!r}")
