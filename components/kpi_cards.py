"""KPI cards: the number, its change versus the previous equal window, and how it is computed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.text import plain, tr

# Cards per row: eight cards in two rows of four keep every label and value whole at 1280 px.
CARDS_PER_ROW = 4
# Labels wrap instead of being cut with "…"; values never wrap inside a number.
STYLE = """<style>
.st-key-kpi_cards [data-testid=stMetricLabel] p, .st-key-kpi_cards [data-testid=stMetricLabel] div {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
.st-key-kpi_cards [data-testid=stMetricValue] div { white-space: nowrap; overflow: visible !important;
  text-overflow: clip !important; }
.st-key-kpi_cards [data-testid=stMetricValue] { font-size: 1.9rem; }
</style>"""


def _delta(current, previous, fmt: str = "{:+.0f}") -> str | None:
    """The change as text, or None when either side is unknown. A zero change reads "±0"."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    change = float(current) - float(previous)
    text = fmt.format(change)
    if abs(change) < 0.05:
        return text.replace("+", "±", 1).replace("-", "±", 1)
    return text


def _delta_color(delta: str | None) -> str:
    """More rain or incidents is bad news (red up); no change is grey, never a red "↑+0"."""
    return "off" if delta is None or delta.startswith("±") else "inverse"


def render(cur: pd.Series, prev: pd.Series) -> None:
    """Draw the headline cards from the figures of this and the previous window (emergency.rules.kpis)."""
    mm = tr("unit.mm")

    def fmt_mm(value) -> str:
        return "—" if pd.isna(value) else f"{value:.1f} {mm}"

    def count(name: str) -> str:
        value = cur.get(name)
        return "—" if value is None or pd.isna(value) else f"{int(value)}"

    station = cur.get("rain_max_station")
    rain_max_title = (
        tr("kpi.rain_max") if not isinstance(station, str) else tr("kpi.rain_max_at", station=plain(station))
    )
    cards = [
        (
            rain_max_title,
            fmt_mm(cur["rain_max_mm"]),
            _delta(cur["rain_max_mm"], prev["rain_max_mm"], "{:+.1f} " + mm),
            tr("kpi.rain_max_help"),
        ),
        (
            tr("kpi.rain_mean"),
            fmt_mm(cur["rain_mean_mm"]),
            _delta(cur["rain_mean_mm"], prev["rain_mean_mm"], "{:+.1f} " + mm),
            tr("kpi.rain_mean_help"),
        ),
        (
            tr("kpi.signals"),
            count("signal_townships"),
            _delta(cur["signal_townships"], prev["signal_townships"]),
            tr("kpi.signals_help"),
        ),
        (
            tr("kpi.hazards_at_risk"),
            count("hazards_at_risk"),
            _delta(cur.get("hazards_at_risk"), prev.get("hazards_at_risk")),
            tr("kpi.hazards_at_risk_help"),
        ),
        (
            tr("kpi.incidents"),
            count("incidents"),
            _delta(cur["incidents"], prev["incidents"]),
            tr("kpi.incidents_help"),
        ),
        (
            tr("kpi.open"),
            count("open_incidents"),
            _delta(cur["open_incidents"], prev["open_incidents"]),
            tr("kpi.open_help"),
        ),
        (
            tr("kpi.affected"),
            count("affected_townships"),
            _delta(cur["affected_townships"], prev["affected_townships"]),
            tr("kpi.affected_help"),
        ),
        (
            tr("kpi.serious"),
            count("serious_incidents"),
            _delta(cur["serious_incidents"], prev["serious_incidents"]),
            tr("kpi.serious_help"),
        ),
    ]
    if pd.notna(cur.get("water_over")):  # a store with river or reservoir stations
        cards.append(
            (
                tr("kpi.water_over"),
                f"{int(cur['water_over'])}",
                _delta(cur["water_over"], prev.get("water_over")),
                tr("kpi.water_over_help"),
            )
        )
    st.markdown(STYLE, unsafe_allow_html=True)
    block = st.container(key="kpi_cards")
    for first in range(0, len(cards), CARDS_PER_ROW):
        row = block.columns(CARDS_PER_ROW)
        # The last row may hold fewer cards than columns.
        for column, (title, value, delta, help_text) in zip(row, cards[first : first + CARDS_PER_ROW], strict=False):
            unchanged = delta is not None and delta.startswith("±")
            column.metric(
                title,
                value,
                delta=delta,
                delta_color=_delta_color(delta),
                help=help_text,
                border=True,
                delta_arrow="off" if unchanged else "auto",
            )
