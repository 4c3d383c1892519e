"""Plotly figure builders for the trend pages, exports and the duty briefing (pure: frames in, figures out).

Every figure has a title, axis titles with units, a legend and hover text in the chosen
language, and takes its category colours from :mod:`emergency.vocab`, like the map.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from emergency import codelists, symbology
from emergency.i18n import label, t
from emergency.vocab import (
    INCIDENT_STATUSES,
    NO_RAIN_COLOR,
    OPEN_STATUSES,
    RAIN_GRADE_CODES,
    RAIN_GRADE_COLORS,
    RAIN_SCALES,
)

# Fonts named first are used by Chromium when it draws the figures (browser and kaleido);
# Noto Sans CJK SC comes with Debian's fonts-noto-cjk.
FONT_FAMILY = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
# Single colours of series that are not categories.
RAIN_BAR_COLOR = (61, 133, 198)
CUMULATIVE_COLOR = (20, 40, 90)
CAPACITY_COLOR = (180, 205, 230)
OCCUPANCY_COLOR = (31, 119, 180)
OVER_CAPACITY_COLOR = INCIDENT_STATUSES["pending"]
COUNTY_LINE_COLOR = (60, 60, 60)
# Bars of a ranking shown at most (the table below the chart has them all).
DEFAULT_TOP = 20
# Gauge ranking measures: column -> accumulation hours that grade its colour (None: the window's).
RANKING_MEASURES: dict[str, int | None] = {
    "total_mm": None,
    "max_1h_mm": 1,
    "max_3h_mm": 3,
    "max_6h_mm": 6,
    "max_24h_mm": 24,
}


def rgb(color: tuple[int, int, int], alpha: float | None = None) -> str:
    """Return a CSS colour string for an RGB tuple of the vocabularies."""
    if alpha is None:
        return f"rgb({color[0]},{color[1]},{color[2]})"
    return f"rgba({color[0]},{color[1]},{color[2]},{alpha})"


def _time_format(minutes: int) -> str:
    return "%m-%d" if minutes >= 1440 else "%m-%d %H:%M"


def _centres(ends: pd.Series, minutes: int) -> pd.Series:
    # Buckets are labelled by their end; a bar is drawn over the interval it sums.
    return pd.to_datetime(ends) - pd.Timedelta(minutes=minutes / 2)


# Gap between a time axis and its labels, px (half the 13 px text: clear of the y axes' "0").
TIME_LABEL_STANDOFF_PX = 8


def _time_axis(fig: go.Figure, minutes: int, window: tuple | None = None) -> None:
    """Numeric date ticks (never "Jun 20"); with ``window`` the axis spans exactly (start, end].

    The times stand off the plot so that the first and last do not touch the y axes' "0"
    (centred on the axis line at the corners).
    """
    fig.update_xaxes(
        tickformat="%m-%d" if minutes >= 1440 else "%m-%d %H:%M", type="date", ticklabelstandoff=TIME_LABEL_STANDOFF_PX
    )
    if window is not None:
        fig.update_xaxes(range=[pd.Timestamp(window[0]), pd.Timestamp(window[1])])


def _layout(
    fig: go.Figure, title: str, x_title: str = "", y_title: str = "", legend_title: str = "", height: int = 420
) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template="plotly_white",
        font={"family": FONT_FAMILY, "size": 13},
        height=height,
        margin={"l": 60, "r": 30, "t": 60, "b": 50},
        legend={"title": {"text": legend_title}, "traceorder": "normal"},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        showlegend=True,
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def bucket_text(minutes: int, lang: str = "zh") -> str:
    """Return the width of a time bucket as text ("5 分钟", "1 小时", "1 天")."""
    if minutes >= 1440:
        return t("chart.bucket_days", lang, n=minutes // 1440)
    if minutes >= 60:
        return t("chart.bucket_hours", lang, n=minutes // 60)
    return t("chart.bucket_minutes", lang, n=minutes)


def hyetograph(series: pd.DataFrame, minutes: int, subject: str, lang: str = "zh") -> go.Figure:
    """Bars of rain per bucket and the cumulative line on a second axis.

    Parameters
    ----------
    series : pandas.DataFrame
        ``queries.rain_series`` rows: ts, mm, cumulative_mm.
    minutes : int
        Bucket width, for the axis title.
    subject : str
        What the series is of (a gauge name or "全县面雨量"), shown in the title.
    lang : str
        "zh" or "en".

    Returns
    -------
    plotly.graph_objects.Figure
        Trace 0 is the bars, trace 1 the cumulative line (``yaxis="y2"``).
    """
    mm = t("unit.mm", lang)
    interval = t("chart.rain_interval", lang)
    total = t("chart.rain_cumulative", lang)
    fig = go.Figure()
    fig.add_bar(
        x=_centres(series["ts"], minutes),
        y=series["mm"],
        name=f"{interval}（{bucket_text(minutes, lang)}）",
        marker_color=rgb(RAIN_BAR_COLOR),
        customdata=series["ts"],
        hovertemplate=f"%{{customdata|{_time_format(minutes)}}}<br>{interval}：%{{y:.1f}} {mm}<extra></extra>",
    )
    fig.add_scatter(
        x=series["ts"],
        y=series["cumulative_mm"],
        name=total,
        yaxis="y2",
        mode="lines",
        line={"color": rgb(CUMULATIVE_COLOR), "width": 2.5},
        hovertemplate=f"%{{x|{_time_format(minutes)}}}<br>{total}：%{{y:.1f}} {mm}<extra></extra>",
    )
    _layout(fig, t("chart.hyetograph.title", lang, subject=subject), t("chart.time_end", lang), f"{interval}（{mm}）")
    fig.update_layout(
        yaxis2={
            "title": {"text": f"{total}（{mm}）"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "tickmode": "auto",  # round ticks of its own, not the left axis's grid (11.7, 23.3)
        },
        legend={"orientation": "h", "y": -0.25},
        margin={"b": 90},
        bargap=0.05,
    )
    _time_axis(fig, minutes)
    return fig


def station_ranking(
    ranking: pd.DataFrame, measure: str, window_hours: float, lang: str = "zh", top: int = DEFAULT_TOP
) -> go.Figure:
    """Horizontal bars of the gauges with the most rain by ``measure``, coloured by rain grade.

    ``measure`` is a column of ``queries.station_ranking`` listed in ``RANKING_MEASURES``;
    the grade scale is that of its accumulation hours (the window's for the total).
    """
    if measure not in RANKING_MEASURES:
        raise ValueError(f"unknown ranking measure {measure!r}")
    hours = RANKING_MEASURES[measure] or window_hours
    rows = ranking.dropna(subset=[measure]).sort_values(measure, ascending=False).head(top).iloc[::-1]
    mm = t("unit.mm", lang)
    measure_name = t(f"chart.measure.{measure}", lang)
    # A window over 24 h is graded by each gauge's largest 24 h (its total would read 暴雨 for 20 mm a day).
    graded = rows["max_24h_mm"] if measure == "total_mm" and hours > 24 and "max_24h_mm" in rows else rows[measure]
    colors = [rgb(tuple(c[:3])) for c in symbology.rain_colors(graded, hours)]
    grade_names = [_grade_name(g, lang) for g in symbology.rain_grade(graded, hours)]
    fig = go.Figure(
        go.Bar(
            x=rows[measure],
            y=rows["name"],
            orientation="h",
            marker_color=colors,
            name=measure_name,
            customdata=np.column_stack([rows["township_name"].fillna(""), grade_names]),
            text=rows[measure].map(lambda v: f"{v:.1f}"),
            textposition="outside",
            hovertemplate=(
                f"%{{y}}（%{{customdata[0]}}）<br>{measure_name}：%{{x:.1f}} {mm}<br>%{{customdata[1]}}<extra></extra>"
            ),
        )
    )
    _layout(
        fig,
        t("chart.ranking.title", lang, measure=measure_name, n=len(rows)),
        f"{measure_name}（{mm}）",
        t("chart.gauge", lang),
        height=max(320, 28 * len(rows) + 120),
    )
    _add_grade_legend(fig, hours, lang)
    return fig


def _grade_name(index: int, lang: str) -> str:
    return t("map.legend.no_rain", lang) if index < 0 else label("rain_grade", RAIN_GRADE_CODES[index], lang)


def _add_grade_legend(fig: go.Figure, hours: float, lang: str) -> None:
    """Legend entries for the rain grades (bars carry per-bar colours, so the legend is explicit)."""
    fig.data[0].showlegend = False
    for code, text, color in symbology.rain_legend(hours):
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"color": rgb(color), "size": 12, "symbol": "square"},
            name=f"{label('rain_grade', code, lang)} {text}",
            hoverinfo="skip",
        )
    title = t("chart.grade_legend", lang, hours=symbology.rain_scale_hours(hours))
    if hours > 24:
        title += t("chart.grade_legend_max_24h", lang)
    fig.update_layout(legend={"title": {"text": title}})


def _rain_colorscale(hours: float, zmax: float) -> tuple[list[list], float]:
    """Build a stepped colour scale with the precipitation grades of ``hours``, and the top value it spans."""
    bounds = RAIN_SCALES[symbology.rain_scale_hours(hours)]
    top = max(zmax, bounds[-1] * 1.2)
    edges = [0.0, *bounds, top]
    stops: list[list] = []
    for low, high, color in zip(edges[:-1], edges[1:], [NO_RAIN_COLOR, *RAIN_GRADE_COLORS], strict=True):
        stops += [[low / top, rgb(color)], [high / top, rgb(color)]]
    return stops, top


def township_heat(series: pd.DataFrame, minutes: int, lang: str = "zh") -> go.Figure:
    """Township × time table of mean rain, coloured by the grade of the bucket's length.

    ``series`` is ``queries.township_rain_series`` (township_name, ts, mm).
    """
    table = series.pivot_table(index="township_name", columns="ts", values="mm", aggfunc="first", sort=False)
    mm = t("unit.mm", lang)
    largest = float(np.nanmax(table.to_numpy())) if table.size else 0.0
    colorscale, top = _rain_colorscale(minutes / 60, largest)
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy(),
            x=list(table.columns),
            y=list(table.index),
            zmin=0,
            zmax=top,
            colorscale=colorscale,
            xgap=1,
            ygap=1,
            name=t("chart.rain_mean", lang),
            colorbar={"title": {"text": f"{t('chart.rain_mean', lang)}（{mm}）"}},
            hovertemplate=(
                f"%{{y}}<br>%{{x|{_time_format(minutes)}}}<br>"
                f"{t('chart.rain_mean', lang)}：%{{z:.1f}} {mm}<extra></extra>"
            ),
        )
    )
    _layout(
        fig,
        t("chart.heat.title", lang, bucket=bucket_text(minutes, lang)),
        t("chart.time_end", lang),
        t("chart.township", lang),
        height=max(360, 24 * len(table.index) + 140),
    )
    fig.update_yaxes(autorange="reversed")
    _time_axis(fig, minutes)
    return fig


def township_comparison(series: pd.DataFrame, minutes: int, lang: str = "zh") -> go.Figure:
    """Cumulative mean rain of each township as one line each (``queries.township_rain_series``)."""
    mm = t("unit.mm", lang)
    total = t("chart.rain_cumulative", lang)
    fig = go.Figure()
    for name, rows in series.groupby("township_name", sort=False):
        fig.add_scatter(
            x=rows["ts"],
            y=rows["cumulative_mm"],
            mode="lines",
            name=name,
            customdata=rows["mm"],
            hovertemplate=(
                f"{name}<br>%{{x|{_time_format(minutes)}}}<br>{total}：%{{y:.1f}} {mm}"
                f"<br>{t('chart.rain_interval', lang)}：%{{customdata:.1f}} {mm}<extra></extra>"
            ),
        )
    _layout(
        fig, t("chart.compare.title", lang), t("chart.time_end", lang), f"{total}（{mm}）", t("chart.township", lang)
    )
    _time_axis(fig, minutes)
    return fig


def _category_colors(by: str, present=()) -> dict[str, tuple[int, int, int]]:
    if by == "type":  # every code of the store's list, an administrator's included
        return codelists.colors("incident_type", present)
    return {"status": INCIDENT_STATUSES}.get(by, {})


def incidents_over_time(
    series: pd.DataFrame,
    by: str,
    minutes: int,
    lang: str = "zh",
    names: dict[str, str] | None = None,
    window: tuple | None = None,
) -> go.Figure:
    """Stacked bars of incidents per bucket, one colour per type or status (``queries.incident_series``).

    ``names`` labels township codes when ``by`` is "township".
    """
    vocabulary = {"type": "incident_type", "status": "incident_status"}.get(by)
    colors = _category_colors(by, series["key"].unique() if "key" in series else ())
    order = list(colors) or list(dict.fromkeys(series["key"]))
    present = [key for key in order if key in set(series["key"])]
    unit = t("unit.incidents", lang)
    fig = go.Figure()
    for key in present:
        rows = series[series["key"] == key]
        name = codelists.code_label(vocabulary, key, lang) if vocabulary else (names or {}).get(key, key)
        fig.add_bar(
            x=_centres(rows["ts"], minutes),
            y=rows["incidents"],
            name=name,
            customdata=rows["ts"],
            marker_color=rgb(colors[key]) if key in colors else None,
            hovertemplate=f"{name}<br>%{{customdata|{_time_format(minutes)}}}<br>%{{y}} {unit}<extra></extra>",
        )
    _layout(
        fig,
        t("chart.incidents_time.title", lang, by=t(f"chart.by.{by}", lang), bucket=bucket_text(minutes, lang)),
        t("chart.time_end", lang),
        t("chart.incident_count", lang),
        t(f"chart.by.{by}", lang),
    )
    fig.update_layout(barmode="stack", bargap=0.1)
    _time_axis(fig, minutes, window)
    return fig


def incidents_by_township(counts: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Horizontal stacked bars of incidents per township by type (``incident_counts`` by township, type)."""
    totals = counts.groupby("township_name", dropna=False)["incidents"].sum().sort_values()
    order = [name for name in totals.index]
    unit = t("unit.incidents", lang)
    fig = go.Figure()
    for code, color in codelists.colors("incident_type", counts["type"].unique()).items():
        rows = counts[counts["type"] == code].set_index("township_name").reindex(order)
        if rows["incidents"].notna().any():
            name = codelists.code_label("incident_type", code, lang)
            fig.add_bar(
                y=[str(n) for n in order],
                x=rows["incidents"],
                orientation="h",
                name=name,
                marker_color=rgb(color),
                hovertemplate=f"%{{y}}<br>{name}：%{{x}} {unit}<extra></extra>",
            )
    _layout(
        fig,
        t("chart.incidents_township.title", lang),
        t("chart.incident_count", lang),
        t("chart.township", lang),
        t("chart.by.type", lang),
        height=max(320, 26 * len(order) + 140),
    )
    fig.update_layout(barmode="stack")
    return fig


def incidents_by_status(counts: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Bars of incidents per status in workflow order (``incident_counts`` by status)."""
    by_status = counts.groupby("status")["incidents"].sum()
    unit = t("unit.incidents", lang)
    fig = go.Figure()
    for code, color in INCIDENT_STATUSES.items():
        count = int(by_status.get(code, 0))
        name = label("incident_status", code, lang)
        fig.add_bar(
            x=[name],
            y=[count],
            name=name,
            marker_color=rgb(color),
            text=[count],
            textposition="outside",
            hovertemplate=f"{name}：%{{y}} {unit}<extra></extra>",
        )
    _layout(
        fig,
        t("chart.incidents_status.title", lang),
        t("chart.by.status", lang),
        t("chart.incident_count", lang),
        t("chart.by.status", lang),
        height=360,
    )
    return fig


def incident_backlog(backlog: pd.DataFrame, minutes: int, lang: str = "zh", window: tuple | None = None) -> go.Figure:
    """Open and closed incident counts over time (``queries.incident_backlog``)."""
    unit = t("unit.incidents", lang)
    fig = go.Figure()
    series = (
        ("open", t("chart.backlog.open", lang), INCIDENT_STATUSES[OPEN_STATUSES[0]]),
        ("closed", t("chart.backlog.closed", lang), INCIDENT_STATUSES["closed"]),
    )
    for column, name, color in series:
        fig.add_scatter(
            x=backlog["ts"],
            y=backlog[column],
            name=name,
            mode="lines",
            line={"color": rgb(color), "width": 2.5},
            fill="tozeroy" if column == "open" else None,
            fillcolor=rgb(color, 0.12),
            hovertemplate=f"%{{x|{_time_format(minutes)}}}<br>{name}：%{{y}} {unit}<extra></extra>",
        )
    _layout(
        fig,
        t("chart.backlog.title", lang),
        t("chart.time_end", lang),
        t("chart.incident_count", lang),
        t("chart.by.status", lang),
    )
    _time_axis(fig, minutes, window)
    return fig


def stock_by_warehouse(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Horizontal stacked bars: items held per warehouse by category (``queries.stock_by_category``)."""
    totals = frame.groupby("warehouse")["items"].sum().sort_values()
    order = list(totals.index)
    unit = t("unit.items", lang)
    fig = go.Figure()
    for code, color in codelists.colors("stock_category", frame["category"].unique()).items():
        rows = frame[frame["category"] == code].set_index("warehouse").reindex(order)
        if rows["items"].notna().any():
            name = codelists.code_label("stock_category", code, lang)
            fig.add_bar(
                y=order,
                x=rows["items"],
                orientation="h",
                name=name,
                marker_color=rgb(color),
                customdata=rows["below_minimum"].fillna(0),
                hovertemplate=(
                    f"%{{y}}<br>{name}：%{{x}} {unit}<br>{t('chart.stock.below', lang)}："
                    f"%{{customdata}} {unit}<extra></extra>"
                ),
            )
    _layout(
        fig,
        t("chart.stock_warehouse.title", lang),
        t("chart.stock.items", lang),
        t("chart.warehouse", lang),
        t("chart.category", lang),
        height=max(340, 26 * len(order) + 140),
    )
    fig.update_layout(barmode="stack")
    return fig


def stock_by_item(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Bars of each item's total over the warehouses, coloured by category, log scale (``stock_by_item``).

    Items have different units, so the axis is logarithmic and every label carries its unit.
    """
    fig = go.Figure()
    for code, color in codelists.colors("stock_category", frame["category"].unique()).items():
        rows = frame[frame["category"] == code]
        if rows.empty:
            continue
        name = codelists.code_label("stock_category", code, lang)
        ticks = [f"{item}（{unit}）" for item, unit in zip(rows["item"], rows["unit"].fillna(""), strict=True)]
        fig.add_bar(
            x=ticks,
            y=rows["quantity"],
            name=name,
            marker_color=rgb(color),
            customdata=np.column_stack([rows["warehouses"], rows["below_minimum"]]),
            hovertemplate=(
                f"%{{x}}<br>{t('chart.stock.total', lang)}：%{{y:,.0f}}<br>"
                f"{t('chart.stock.warehouses', lang)}：%{{customdata[0]}}<br>"
                f"{t('chart.stock.below_warehouses', lang)}：%{{customdata[1]}}<extra></extra>"
            ),
        )
    _layout(
        fig,
        t("chart.stock_item.title", lang),
        t("chart.stock.item", lang),
        t("chart.stock.total_log", lang),
        t("chart.category", lang),
    )
    fig.update_yaxes(type="log")
    return fig


def shelter_occupancy(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Capacity and occupancy of shelters per township, over-full townships marked (``shelter_occupancy``)."""
    people = t("unit.people", lang)
    names = frame["township_name"].fillna(frame["township"]).astype(str)
    rate = (frame["occupancy_rate"].fillna(0) * 100).round(0)
    over = frame["occupancy"] > frame["capacity"]
    fig = go.Figure()
    fig.add_bar(
        x=names,
        y=frame["capacity"],
        name=t("chart.shelter.capacity", lang),
        marker_color=rgb(CAPACITY_COLOR),
        hovertemplate=f"%{{x}}<br>{t('chart.shelter.capacity', lang)}：%{{y:,}} {people}<extra></extra>",
    )
    fig.add_bar(
        x=names,
        y=frame["occupancy"],
        name=t("chart.shelter.occupancy", lang),
        marker_color=[rgb(OVER_CAPACITY_COLOR) if flag else rgb(OCCUPANCY_COLOR) for flag in over],
        customdata=np.column_stack([rate, frame["shelters"]]),
        hovertemplate=(
            f"%{{x}}<br>{t('chart.shelter.occupancy', lang)}：%{{y:,}} {people}"
            f"（%{{customdata[0]:.0f}}%）<br>{t('chart.shelter.count', lang)}：%{{customdata[1]}}<extra></extra>"
        ),
    )
    if over.any():
        fig.add_bar(
            x=[None],
            y=[None],
            name=t("chart.shelter.over", lang),
            marker_color=rgb(OVER_CAPACITY_COLOR),
            hoverinfo="skip",
        )
    _layout(fig, t("chart.shelter.title", lang), t("chart.township", lang), t("chart.shelter.people", lang))
    fig.update_layout(barmode="group")
    return fig


def township_rain_bars(township_rain: pd.DataFrame, window_hours: float, lang: str = "zh") -> go.Figure:
    """Mean accumulated rain per township, graded like the map (``queries.township_rain``)."""
    rows = township_rain.dropna(subset=["mean_mm"]).sort_values("mean_mm")
    mm = t("unit.mm", lang)
    graded = rows["mean_max_24h_mm"] if window_hours > 24 and "mean_max_24h_mm" in rows else rows["mean_mm"]
    colors = [rgb(tuple(c[:3])) for c in symbology.rain_colors(graded, window_hours)]
    fig = go.Figure(
        go.Bar(
            x=rows["mean_mm"],
            y=rows["name"],
            orientation="h",
            marker_color=colors,
            text=rows["mean_mm"].map(lambda v: f"{v:.1f}"),
            textposition="outside",
            name=t("chart.rain_mean", lang),
            hovertemplate=f"%{{y}}<br>{t('chart.rain_mean', lang)}：%{{x:.1f}} {mm}<extra></extra>",
        )
    )
    _layout(
        fig,
        t("chart.township_rain.title", lang),
        f"{t('chart.rain_mean', lang)}（{mm}）",
        t("chart.township", lang),
        height=max(340, 24 * len(rows) + 140),
    )
    _add_grade_legend(fig, window_hours, lang)
    return fig


def situation_map(
    townships: pd.DataFrame,
    township_rain: pd.DataFrame,
    incidents: pd.DataFrame,
    window_hours: float,
    lang: str = "zh",
) -> go.Figure:
    """Draw a static map for reports: townships filled by rain grade, incidents by status, names at label points.

    Drawn with plain scatter traces on lon/lat axes (no map tiles, no topojson download),
    so kaleido renders it offline. Aspect is kept by scaling latitude by 1/cos(latitude).

    Parameters
    ----------
    townships : pandas.DataFrame
        ``queries.townships`` (code, name, geometry WKB, label_lon, label_lat).
    township_rain : pandas.DataFrame
        ``queries.township_rain`` (code, mean_mm).
    incidents : pandas.DataFrame
        ``queries.incidents`` (lon, lat, status, type, township_name).
    window_hours : float
        Length of the window, to pick the rain grade scale.
    """
    mean = dict(zip(township_rain["code"], township_rain["mean_mm"], strict=True))
    values = townships["code"].map(mean)
    graded = values
    if window_hours > 24 and "mean_max_24h_mm" in township_rain:
        # Over 24 h: graded by the mean of its gauges' largest 24 h, on the 24 h scale.
        graded = townships["code"].map(dict(zip(township_rain["code"], township_rain["mean_max_24h_mm"], strict=True)))
    grades = symbology.rain_grade(graded, window_hours)
    colors = symbology.rain_colors(graded, window_hours)
    mm = t("unit.mm", lang)
    fig = go.Figure()
    geometries = shapely.from_wkb([bytes(wkb) for wkb in townships["geometry"]])
    for name, geometry, color, grade, value in zip(townships["name"], geometries, colors, grades, values, strict=True):
        text = (
            f"{name}<br>{t('chart.rain_mean', lang)}："
            + ("—" if pd.isna(value) else f"{value:.1f} {mm}")
            + f"<br>{_grade_name(grade, lang)}"
        )
        for polygon in getattr(geometry, "geoms", [geometry]):
            lon, lat = np.asarray(polygon.exterior.coords).T
            fig.add_scatter(
                x=lon,
                y=lat,
                mode="lines",
                fill="toself",
                fillcolor=rgb(tuple(color[:3]), 0.85),
                line={"color": "white", "width": 1},
                hoveron="fills",
                text=text,
                hoverinfo="text",
                showlegend=False,
                name=name,
            )
    for code, text, color in symbology.rain_legend(window_hours):
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=f"{label('rain_grade', code, lang)} {text}",
            marker={"color": rgb(color), "size": 12, "symbol": "square"},
            legendgroup="rain",
            legendgrouptitle={"text": t("chart.grade_legend", lang, hours=symbology.rain_scale_hours(window_hours))},
        )
    located = incidents.dropna(subset=["lon", "lat"])
    for code, color in INCIDENT_STATUSES.items():
        rows = located[located["status"] == code]
        if rows.empty:
            continue
        fig.add_scatter(
            x=rows["lon"],
            y=rows["lat"],
            mode="markers",
            name=f"{label('incident_status', code, lang)}（{len(rows)}）",
            marker={"color": rgb(color), "size": 8, "line": {"color": "white", "width": 1}},
            legendgroup="incidents",
            legendgrouptitle={"text": t("chart.map.incidents", lang)},
            text=[
                f"{codelists.code_label('incident_type', kind, lang)} · {place}"
                for kind, place in zip(rows["type"], rows["township_name"].fillna(""), strict=True)
            ],
            hovertemplate="%{text}<extra></extra>",
        )
    fig.add_scatter(
        x=townships["label_lon"],
        y=townships["label_lat"],
        mode="text",
        text=townships["name"],
        textfont={"size": 11, "color": "#222"},
        showlegend=False,
        hoverinfo="skip",
    )
    mid_lat = float(townships["label_lat"].mean()) if len(townships) else 30.0
    _layout(fig, t("chart.map.title", lang), height=720)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(mid_lat)))
    fig.update_layout(plot_bgcolor="white", margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return fig
