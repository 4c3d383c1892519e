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


def shown_texts(frame) -> list[str]:
    """Every cell text a dataframe element shows: a Styler's display values, else the frame's values.

    The page's placeholder for a missing value applies to plain frames only; a Styler sends
    its own texts, so a missing value it formats reaches the screen as that text.
    """
    import pyarrow as pa

    styler = frame.proto.arrow_data.styler
    if styler.display_values:
        shown = pa.ipc.open_stream(styler.display_values).read_all().to_pandas()
        return [str(v) for v in shown.to_numpy().ravel()]
    import pandas as pd

    # A missing value of a plain frame is drawn as the placeholder; a text "None" is drawn as is.
    return [str(v) for v in frame.value.to_numpy().ravel() if not (pd.api.types.is_scalar(v) and pd.isna(v))]
