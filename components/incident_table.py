"""The filtered incident list with labels instead of codes (shown as text, never as HTML)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.text import dataframe, labels, lang, tr
from emergency import codelists, rules

COLUMNS = (
    "id",
    "occurred_at",
    "type",
    "status",
    "grade",
    "township_name",
    "address",
    "deaths",
    "injured",
    "missing",
    "trapped",
)


def render(incidents: pd.DataFrame) -> None:
    """Draw the incident table, or the explicit empty state."""
    st.subheader(tr("map.layer.incidents"))
    if incidents.empty:
        st.info(tr("map.empty_incidents"))
        return
    table = incidents[list(COLUMNS)].copy()
    # "other" shows the department's own text beside it: 其他·人员失联.
    table["type"] = [
        codelists.display("incident_type", code, text, lang())
        for code, text in zip(incidents["type"], incidents.get("type_label", [None] * len(incidents)), strict=True)
    ]
    table["status"] = table["status"].map(labels("incident_status")).fillna(table["status"])
    table["grade"] = [
        rules.grade_label(scale, grade, lang())
        for scale, grade in zip(
            incidents.get("grade_scale", pd.Series(None, index=incidents.index)), incidents["grade"], strict=True
        )
    ]
    table["address"] = table["address"].map(lambda v: v if isinstance(v, str) else "")
    for column in ("deaths", "injured", "missing", "trapped"):
        # A blank count is unknown: a dash, never "None" or a 0 nobody reported.
        table[column] = table[column].astype(object).where(table[column].notna(), "—")
    table.columns = [tr(f"col.{name}") for name in COLUMNS]
    dataframe(table, hide_index=True, width="stretch")
