"""Stored text made inert where a renderer would read markup in it: Plotly figures.

Plotly draws a small set of HTML-like tags in every text of a figure (titles, axis
categories, legend names, hover labels, annotations), ``<a href=...>`` among them: a gauge
named ``<a href="http://...">`` became a live link in the chart on screen and in the SVG
export. The app's own figure templates use only ``<br>``, ``<b>``, ``<sup>`` and the like,
never links, so every ``<a`` tag in a figure is turned into text (``&lt;a``, which Plotly
shows as ``<a``). Markdown elements are handled by :func:`components.text.plain`.
"""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go

# An opening or closing anchor tag, in any case.
_LINK_TAG = re.compile(r"<(\s*/?\s*a)(?=[\s>/]|$)", re.IGNORECASE)


def chart_text(text: str) -> str:
    """``text`` with every Plotly link tag shown as text."""
    return _LINK_TAG.sub(r"&lt;\1", text)


def _clean(value):
    if isinstance(value, str):
        return chart_text(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_clean(item) for item in value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return np.array([_clean(item) for item in value.tolist()], dtype=object).reshape(value.shape)
    return value


def figure(fig: go.Figure) -> go.Figure:
    """Return a copy of ``fig`` in which no text can become a link (see the module's note)."""
    spec = fig.to_plotly_json()
    return go.Figure(_clean(spec), skip_invalid=False)


def spec(fig: go.Figure) -> dict:
    """Return the figure's JSON spec (for kaleido) with no text that can become a link."""
    return _clean(fig.to_plotly_json())
