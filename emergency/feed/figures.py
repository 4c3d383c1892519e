"""The hydrograph: level (and flow) of a water station with its threshold lines (plotly, pure)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from emergency.charts import _layout, rgb
from emergency.feed.water import STATE_COLORS
from emergency.i18n import t

LEVEL_COLOR = (31, 119, 180)
FLOW_COLOR = (120, 120, 120)


def hydrograph(series: pd.DataFrame, station: pd.Series, lang: str = "zh") -> go.Figure:
    """Level line, flow on a second axis, and dashed lines at 警戒, 保证 and 汛限.

    Parameters
    ----------
    series : pandas.DataFrame
        :func:`emergency.feed.water.hydrograph` rows: ts, level_m, flow_m3s.
    station : pandas.Series
        The station's row of :func:`emergency.feed.water.station_states` (name and thresholds).
    lang : str
        "zh" or "en".
    """
    m, flow_unit = t("unit.m", lang), t("unit.m3s", lang)
    level_name, flow_name = t("water.level", lang), t("water.flow", lang)
    fig = go.Figure()
    fig.add_scatter(
        x=series["ts"],
        y=series["level_m"],
        name=level_name,
        mode="lines+markers",
        line={"color": rgb(LEVEL_COLOR), "width": 2.5},
        marker={"size": 4},
        hovertemplate=f"%{{x|%m-%d %H:%M}}<br>{level_name}：%{{y:.2f}} {m}<extra></extra>",
    )
    if series["flow_m3s"].notna().any():
        fig.add_scatter(
            x=series["ts"],
            y=series["flow_m3s"],
            name=flow_name,
            yaxis="y2",
            mode="lines",
            line={"color": rgb(FLOW_COLOR), "width": 1.5, "dash": "dot"},
            hovertemplate=f"%{{x|%m-%d %H:%M}}<br>{flow_name}：%{{y:.1f}} {flow_unit}<extra></extra>",
        )
    if "limit_level_m" in series and series["limit_level_m"].notna().any():
        # 汛限 by period: a step line that follows the period of each report.
        fig.add_scatter(
            x=series["ts"],
            y=series["limit_level_m"],
            name=t("water.limit_level", lang),
            mode="lines",
            line={"color": rgb(STATE_COLORS["over_flood_limit"]), "dash": "dash", "width": 2, "shape": "hv"},
            hovertemplate=f"%{{x|%m-%d %H:%M}}<br>{t('water.limit_level', lang)}：%{{y:.2f}} {m}<extra></extra>",
        )
    lines = (
        ("warning_level_m", "water.warning_level", "over_warning"),
        ("guarantee_level_m", "water.guarantee_level", "over_guarantee"),
    )
    for column, key, state in lines:
        value = station.get(column)
        if value is None or pd.isna(value):
            continue
        name = f"{t(key, lang)} {value:.2f} {m}"
        # A line as a trace (not a shape) so it has a legend entry.
        fig.add_scatter(
            x=[series["ts"].min(), series["ts"].max()] if not series.empty else [],
            y=[value, value],
            name=name,
            mode="lines",
            line={"color": rgb(STATE_COLORS[state]), "dash": "dash", "width": 2},
            hoverinfo="skip",
        )
    _layout(
        fig,
        t("water.hydrograph_title", lang, station=station["name"]),
        t("chart.time_end", lang),
        f"{level_name}（{m}）",
    )
    fig.update_layout(
        yaxis2={
            "title": {"text": f"{flow_name}（{flow_unit}）"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
        },
        legend={"orientation": "h", "y": -0.25},
        margin={"b": 90},
    )
    fig.update_xaxes(tickformat="%m-%d %H:%M", type="date")
    return fig
