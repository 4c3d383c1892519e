"""Vectorized classification of values into the colours shared by the map, charts and reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergency.vocab import NO_RAIN_COLOR, RAIN_GRADE_CODES, RAIN_GRADE_COLORS, RAIN_SCALES


def rain_scale_hours(window_hours: float) -> int:
    """Return the accumulation scale (1/3/6/12/24 h) used to grade a window of this length.

    The shortest scale not shorter than the window; longer than 24 h uses 24 h.
    """
    for hours in sorted(RAIN_SCALES):
        if window_hours <= hours:
            return hours
    return 24


def rain_grade(mm: pd.Series | np.ndarray, window_hours: float) -> np.ndarray:
    """Return the grade index per value: -1 for no rain (< 0.1 mm or missing), else 0..5."""
    bounds = np.asarray(RAIN_SCALES[rain_scale_hours(window_hours)])
    values = np.nan_to_num(np.asarray(mm, dtype=float), nan=0.0)
    return np.searchsorted(bounds, values, side="right") - 1


def rain_colors(mm: pd.Series | np.ndarray, window_hours: float, alpha: int = 255) -> list[list[int]]:
    """Return an RGBA colour per value on the precipitation-grade scale of the window."""
    palette = np.array([*RAIN_GRADE_COLORS, NO_RAIN_COLOR])
    # Index -1 (no rain) picks the last palette row, NO_RAIN_COLOR.
    rgb = palette[rain_grade(mm, window_hours)]
    rgba = np.column_stack([rgb, np.full(len(rgb), alpha)])
    return rgba.astype(int).tolist()


def rain_legend(window_hours: float) -> list[tuple[str, str, tuple[int, int, int]]]:
    """Return (grade code, range text, colour) rows for the legend of a window's scale."""
    bounds = RAIN_SCALES[rain_scale_hours(window_hours)]
    rows = []
    for index, (code, color) in enumerate(zip(RAIN_GRADE_CODES, RAIN_GRADE_COLORS, strict=True)):
        low = bounds[index]
        text = f"≥ {low:g}" if index == len(bounds) - 1 else f"{low:g} – {bounds[index + 1] - 0.1:.1f}"
        rows.append((code, text, color))
    return rows


# Class lower bounds for count metrics on the choropleth (incidents per township).
COUNT_BREAKS = (1, 3, 6, 10, 20)
# Class lower bounds for people exposed at hazard points per township.
PEOPLE_BREAKS = (1, 200, 500, 1000, 2000)
# Sequential yellow -> dark red (ColorBrewer YlOrRd, 5 classes).
SEQUENTIAL_COLORS: tuple[tuple[int, int, int], ...] = (
    (255, 255, 178),
    (254, 204, 92),
    (253, 141, 60),
    (240, 59, 32),
    (189, 0, 38),
)
ZERO_COLOR = (235, 235, 235)


def class_colors(values: pd.Series | np.ndarray, breaks: tuple[float, ...], alpha: int = 255) -> list[list[int]]:
    """Return an RGBA colour per value on a sequential scale; below the first break is grey."""
    palette = np.array([*SEQUENTIAL_COLORS, ZERO_COLOR])
    index = np.searchsorted(np.asarray(breaks), np.nan_to_num(np.asarray(values, dtype=float)), side="right") - 1
    rgb = palette[index]
    return np.column_stack([rgb, np.full(len(rgb), alpha)]).astype(int).tolist()


def class_legend(breaks: tuple[float, ...]) -> list[tuple[str, tuple[int, int, int]]]:
    """Return (range text, colour) rows for a sequential class scale, zero class first."""
    rows = [(f"< {breaks[0]:g}", ZERO_COLOR)]
    for index, (low, color) in enumerate(zip(breaks, SEQUENTIAL_COLORS, strict=True)):
        text = f"≥ {low:g}" if index == len(breaks) - 1 else f"{low:g} – {breaks[index + 1] - 1:g}"
        rows.append((text, color))
    return rows
