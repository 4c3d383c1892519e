"""KPI cards: the number, its change versus the previous equal window, and how it is computed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.text import tr


def _delta(current, previous, fmt: str = "{:+.0f}") -> str | None:
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    return fmt.format(current - previous)


def render(cur: pd.Series, prev: pd.Series) -> None:
    """Draw the headline cards from the figures of this and the previous window."""
    mm = tr("unit.mm")

    def fmt_mm(value) -> str:
        return "—" if pd.isna(value) else f"{value:.1f} {mm}"

    rain_max_title = (
        tr("kpi.rain_max") if pd.isna(cur["rain_max_station"]) else tr("kpi.rain_max_at", station=cur["rain_max_station"])
    )
    cards = [
        (rain_max_title, fmt_mm(cur["rain_max_mm"]),
         _delta(cur["rain_max_mm"], prev["rain_max_mm"], "{:+.1f} " + mm), tr("kpi.rain_max_help")),
        (tr("kpi.rain_mean"), fmt_mm(cur["rain_mean_mm"]),
         _delta(cur["rain_mean_mm"], prev["rain_mean_mm"], "{:+.1f} " + mm), tr("kpi.rain_mean_help")),
        (tr("kpi.incidents"), f"{int(cur['incidents'])}",
         _delta(cur["incidents"], prev["incidents"]), tr("kpi.incidents_help")),
        (tr("kpi.open"), f"{int(cur['open_incidents'])}",
         _delta(cur["open_incidents"], prev["open_incidents"]), tr("kpi.open_help")),
        (tr("kpi.affected"), f"{int(cur['affected_townships'])}",
         _delta(cur["affected_townships"], prev["affected_townships"]), tr("kpi.affected_help")),
        (tr("kpi.serious"), f"{int(cur['serious_incidents'])}",
         _delta(cur["serious_incidents"], prev["serious_incidents"]), tr("kpi.serious_help")),
        (tr("kpi.signals"), f"{int(cur['signal_townships'])}",
         _delta(cur["signal_townships"], prev["signal_townships"]), tr("kpi.signals_help")),
    ]
    if pd.notna(cur.get("water_over")):  # a store with river or reservoir stations (issue 19)
        cards.append((tr("kpi.water_over"), f"{int(cur['water_over'])}", _delta(cur["water_over"], prev["water_over"]),
                      tr("kpi.water_over_help")))
    # Seven cards share a row: a slightly smaller number keeps "76.7 毫米" whole.
    # An eighth card (超警戒站点, issue 19) needs room, on the big screen too.
    size = "1.75rem;" if len(cards) <= 7 else "1.6rem !important;"
    st.markdown(f"<style>.st-key-kpi_cards [data-testid=stMetricValue] {{font-size: {size}}}</style>",
                unsafe_allow_html=True)
    row = st.container(key="kpi_cards", horizontal=True)
    for column, (title, value, delta, help_text) in zip(row.columns(len(cards)), cards):
        # More rain or incidents is bad news: show increases in red.
        column.metric(title, value, delta=delta, delta_color="inverse", help=help_text, border=True)
