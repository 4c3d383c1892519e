"""Figures of the command-centre wall (指挥大屏) that no other core module computes yet.

Everything here is a plain function of the store (or of frames the core already computes),
a moment and the filter window, so the wall component can draw it and a later rule engine
can take its place function by function. Times are Asia/Shanghai local time, naive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from emergency.mapdata import WORLD_PX
from emergency.vocab import INCIDENT_GRADES, OPEN_STATUSES, SIGNAL_LEVELS

if TYPE_CHECKING:
    import plotly.graph_objects as go

# Rows of the ticker (latest incidents and warnings together).
TICKER_ROWS = 7


@dataclass(frozen=True)
class Freshness:
    """How current the store is: its newest data time and how far that lags the wall clock."""

    latest: datetime | None
    lag_minutes: int | None
    stale: bool


def freshness(latest: datetime | None, now: datetime, stale_minutes: int) -> Freshness:
    """Return the data freshness at the wall clock ``now``.

    Parameters
    ----------
    latest : datetime or None
        Newest data time of the store (``queries.data_range(conn)[1]``); None when it holds none.
    now : datetime
        The wall clock, naive local time.
    stale_minutes : int
        Data older than this counts as stale (the screen raises its alarm).

    Examples
    --------
    >>> freshness(datetime(2026, 6, 22, 10, 0), datetime(2026, 6, 22, 10, 30), 60).stale
    False
    >>> freshness(datetime(2026, 6, 22, 10, 0), datetime(2026, 6, 22, 11, 1), 60)
    Freshness(latest=datetime.datetime(2026, 6, 22, 10, 0), lag_minutes=61, stale=True)
    """
    from emergency import rules

    assessed = rules.assess_freshness(latest, False, now, stale_minutes)  # the one freshness rule
    if assessed.data_end is None:
        return Freshness(None, None, True)
    return Freshness(assessed.data_end, max(0, assessed.age_minutes), assessed.stale)


def gauge_level_counts(gauge_signals: pd.DataFrame) -> dict[str, int]:
    """Return the number of gauges at each signal level (blue..red), from ``warning.gauge_signals_at``."""
    levels = gauge_signals["level"].value_counts() if not gauge_signals.empty else pd.Series(dtype=int)
    return {level: int(levels.get(level, 0)) for level in SIGNAL_LEVELS}


def open_by_grade(graded: pd.DataFrame) -> dict[str, int]:
    """Return the open (pending or active) incidents per grade, from ``rules.grades`` rows.

    Key ``ungraded`` counts the open incidents of types without a scale (未分级), so the values
    add up to every open incident.
    """
    open_rows = graded[graded["status"].isin(OPEN_STATUSES)] if not graded.empty else graded
    counts = open_rows["grade"].value_counts() if not open_rows.empty else pd.Series(dtype=int)
    result = {grade: int(counts.get(grade, 0)) for grade in INCIDENT_GRADES}
    result["ungraded"] = int(len(open_rows) - sum(result.values()))
    return result


def open_geological(graded: pd.DataFrame) -> dict[str, int]:
    """Return how many of :func:`open_by_grade`'s counts are geological disasters, per grade.

    Geological disasters are graded 小型..特大型 by 《地质灾害防治条例》; they share the
    response levels IV..I, and so the cells, of 一般..特别重大, and the wall names them apart.
    Only grades with at least one such incident are listed, in rising order.
    """
    if graded.empty or "grade_scale" not in graded:
        return {}
    rows = graded[graded["status"].isin(OPEN_STATUSES) & (graded["grade_scale"] == "geological")]
    counts = rows["grade"].value_counts()
    return {grade: int(counts[grade]) for grade in INCIDENT_GRADES if counts.get(grade, 0)}


def people_affected(incidents: pd.DataFrame) -> dict[str, int]:
    """Return deaths, missing, injured and trapped people of the window's incidents, and their total."""
    figures = {
        column: int(incidents[column].fillna(0).sum()) if not incidents.empty else 0
        for column in ("deaths", "missing", "injured", "trapped")
    }
    figures["total"] = sum(figures.values())
    return figures


@dataclass(frozen=True)
class WarningStats:
    """Warnings issued in the window and how many of their recipients acknowledged (叫应)."""

    issued: int
    recipients: int
    acknowledged: int

    @property
    def ack_rate(self) -> float | None:
        """Share of recipients who acknowledged, 0..1 (None without recipients)."""
        return self.acknowledged / self.recipients if self.recipients else None


def warning_stats(issued: pd.DataFrame, start: datetime, end: datetime) -> WarningStats:
    """Count the warnings of ``queries.warnings_issued`` issued in ``(start, end]`` and their 叫应."""
    if issued.empty:
        return WarningStats(0, 0, 0)
    at = pd.to_datetime(issued["issued_at"])
    window = issued[(at > start) & (at <= end)]
    return WarningStats(len(window), int(window["recipients"].sum()), int(window["acknowledged"].sum()))


def water_over_warning(conn: duckdb.DuckDBPyConnection, moment: datetime) -> int | None:
    """Return the water stations over 警戒, 保证 or (reservoirs) 汛限 at ``moment`` (KPI 超警戒站点).

    The one rule's figure (:func:`emergency.rules.water_over`); None while the store has no
    water station (the wall then hides the figure).
    """
    from emergency import rules

    count = rules.water_over(conn, moment)
    return None if math.isnan(count) else int(count)


def ticker(incidents: pd.DataFrame, warnings: pd.DataFrame, end: datetime, rows: int = TICKER_ROWS) -> pd.DataFrame:
    """Return the newest incidents and warnings up to ``end``, newest first.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The window's incidents (``queries.incidents`` columns, grade optional).
    warnings : pandas.DataFrame
        ``queries.warnings_issued`` rows.

    Returns
    -------
    pandas.DataFrame
        kind ("incident" or "warning"), at, code (incident type or signal level), status
        (incident status, None for warnings), where (township name or the number of
        townships warned), people (harmed or trapped), one row per item.
    """
    columns = ["kind", "at", "code", "status", "where", "people"]
    parts = []
    if not incidents.empty:
        recent = incidents[incidents["occurred_at"] <= end].nlargest(rows, "occurred_at")
        parts.append(
            pd.DataFrame(
                {
                    "kind": "incident",
                    "at": recent["occurred_at"],
                    "code": recent["type"],
                    "status": recent["status"],
                    "where": recent["township_name"].astype(object).where(recent["township_name"].notna(), None),
                    "people": recent[["deaths", "missing", "injured", "trapped"]]
                    .fillna(0)
                    .sum(axis=1)
                    .astype(int),  # blank = unknown
                }
            )
        )
    if not warnings.empty:
        at = pd.to_datetime(warnings["issued_at"])
        recent = warnings[at <= end].head(rows)
        parts.append(
            pd.DataFrame(
                {
                    "kind": "warning",
                    "at": pd.to_datetime(recent["issued_at"]),
                    "code": recent["level"],
                    "status": None,
                    "where": [len(t) for t in recent["townships"]],
                    "people": 0,
                }
            )
        )
    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=columns)
    merged = pd.concat(parts, ignore_index=True)
    return merged.sort_values("at", ascending=False, kind="stable").head(rows).reset_index(drop=True)[columns]


# What the wall's township list is ranked by (``&rank=`` in its URL): the metric first, then the
# others as tie-breaks, then the code.
RANK_ORDERS: dict[str, tuple[str, ...]] = {
    "signal": ("rank", "_rain", "open_incidents"),  # 暴雨预警信号 level, then mean areal rain
    "rain": ("_rain", "rank", "open_incidents"),  # mean areal rain over the window
    "incidents": ("open_incidents", "rank", "_rain"),  # open (pending or active) incidents
}


def worst_townships(townships: pd.DataFrame, rows: int, by: str = "signal") -> pd.DataFrame:
    """Rank townships worst first by ``by`` (a key of :data:`RANK_ORDERS`), the other metrics breaking ties.

    Parameters
    ----------
    townships : pandas.DataFrame
        ``queries.township_metrics`` rows (code, name, rain_mean_mm, open_incidents ...) with the
        signal ``rank`` (0 none .. 4 red) and ``level`` of ``warning.township_signals_at``.
    rows : int
        How many to keep.
    by : str
        "signal" (signal level, then mean rain, then open incidents), "rain" or "incidents".
    """
    frame = townships.copy()
    frame["rank"] = frame["rank"].fillna(0).astype(int)
    frame["_rain"] = frame["rain_mean_mm"].astype(float).fillna(-1)
    keys = [*RANK_ORDERS.get(by, RANK_ORDERS["signal"]), "code"]
    frame = frame.sort_values(keys, ascending=[False, False, False, True], kind="stable")
    return frame.drop(columns="_rain").head(rows).reset_index(drop=True)


def tour_stops(signals: pd.DataFrame) -> list[str]:
    """Township codes with a signal, highest level first (then by code): the tour's stops."""
    with_signal = signals[signals["rank"] > 0].sort_values(["rank", "code"], ascending=[False, True], kind="stable")
    return list(with_signal["code"])


def _pixels(lon, lat, view: dict) -> tuple[np.ndarray, np.ndarray]:
    """Web-Mercator pixel offsets of points from the view centre (deck.gl's 512 px world at zoom 0)."""
    scale = WORLD_PX * 2 ** view["zoom"]

    def xy(lo, la):
        lo, la = np.asarray(lo, dtype=float), np.asarray(la, dtype=float)
        x = (lo + 180) / 360 * scale
        y = (1 - np.log(np.tan(np.pi / 4 + np.radians(la) / 2)) / np.pi) / 2 * scale
        return x, y

    cx, cy = xy(view["longitude"], view["latitude"])
    x, y = xy(lon, lat)
    return x - cx, y - cy


def choose_labels(
    townships: pd.DataFrame,
    priority: pd.Series,
    view: dict,
    font_px: float,
    width_px: float,
    height_px: float,
    pad_px: float = 4.0,
) -> list[str]:
    """Pick township labels that do not overlap at ``view``, the most important first.

    Each label is a box of its name (CJK glyphs ≈ ``font_px`` wide) centred on the label point;
    labels are tried in descending ``priority`` (e.g. signal rank, then area) and kept when their
    box overlaps no kept box and lies inside the map.

    Parameters
    ----------
    townships : pandas.DataFrame
        code, name, label_lon, label_lat.
    priority : pandas.Series
        Same index as ``townships``; larger is placed first.
    view : dict
        longitude, latitude, zoom of the map.
    font_px, width_px, height_px : float
        Label size and map size in CSS pixels.

    Returns
    -------
    list of str
        Codes of the townships whose label is drawn.
    """
    x, y = _pixels(townships["label_lon"], townships["label_lat"], view)
    order = np.argsort(-priority.to_numpy(dtype=float), kind="stable")
    kept: list[tuple[float, float, float, float]] = []
    codes: list[str] = []
    for i in order:
        name = str(townships["name"].iloc[i])
        half_w = len(name) * font_px * 0.55 + pad_px
        half_h = font_px * 0.65 + pad_px
        box = (x[i] - half_w, y[i] - half_h, x[i] + half_w, y[i] + half_h)
        inside = (
            -width_px / 2 <= box[0] and box[2] <= width_px / 2 and -height_px / 2 <= box[1] and box[3] <= height_px / 2
        )
        if not inside or any(box[0] < k[2] and k[0] < box[2] and box[1] < k[3] and k[1] < box[3] for k in kept):
            continue
        kept.append(box)
        codes.append(townships["code"].iloc[i])
    return codes


# Colours of the wall's hyetograph on its dark panel: bars in the rain blue of the charts,
# the accumulated line in a light amber that reads on dark (≥ 4.5:1 against the panel).
WALL_BAR_COLOR = (86, 160, 230)
WALL_LINE_COLOR = (255, 196, 87)
WALL_TEXT_COLOR = (226, 234, 242)
WALL_GRID_COLOR = (52, 74, 96)


def hyetograph(
    series: pd.DataFrame,
    lang: str,
    font_px: float,
    title_y: str,
    title_y2: str,
    bar_name: str,
    line_name: str,
) -> go.Figure:
    """Draw the wall's county hyetograph: hourly bars and the accumulated line, dark theme, no title.

    Parameters
    ----------
    series : pandas.DataFrame
        ``queries.rain_series`` rows with hourly buckets: ts (bucket end), mm, cumulative_mm.
    lang : str
        "zh" or "en" (the axis texts come in already translated).
    font_px : float
        Size of every text of the chart, CSS pixels (the wall scales it with the screen).
    """
    import plotly.graph_objects as go

    from emergency.charts import FONT_FAMILY, rgb

    text = rgb(WALL_TEXT_COLOR)
    fig = go.Figure()
    fig.add_bar(
        x=pd.to_datetime(series["ts"]) - pd.Timedelta(minutes=30),
        y=series["mm"],
        name=bar_name,
        marker_color=rgb(WALL_BAR_COLOR),
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=series["ts"],
        y=series["cumulative_mm"],
        name=line_name,
        yaxis="y2",
        mode="lines",
        line={"color": rgb(WALL_LINE_COLOR), "width": max(2.0, font_px / 6)},
        hoverinfo="skip",
    )
    axis = {
        "color": text,
        "gridcolor": rgb(WALL_GRID_COLOR),
        "zerolinecolor": rgb(WALL_GRID_COLOR),
        "tickfont": {"size": font_px},
        "title": {"font": {"size": font_px}},
    }
    # The y axes' "0" (centred on the axis line) and the first and last hour of the time axis
    # meet at the plot's corners: the hours stand below the 0's lower half, the 0s off the side.
    standoff, hour_standoff = round(font_px * 0.3), round(font_px * 0.85)
    fig.update_layout(
        template=None,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": FONT_FAMILY, "size": font_px, "color": text},
        margin={"l": font_px * 3.6, "r": font_px * 3.6, "t": font_px * 2.2, "b": font_px * 2.5},
        legend={
            "orientation": "h",
            "x": 0,
            "y": 1.02,
            "yanchor": "bottom",
            "font": {"size": font_px},
            "bgcolor": "rgba(0,0,0,0)",
        },
        showlegend=True,
        bargap=0.12,
        xaxis={
            **axis,
            "type": "date",
            "tickformat": "%H:%M",
            "nticks": 5,
            "ticklabelstandoff": hour_standoff,
            # No axis title: the hours name themselves and the panel's heading names the 24 h.
        },
        yaxis={
            **axis,
            "rangemode": "tozero",
            "nticks": 4,
            "ticklabelstandoff": standoff,
            "title": {"text": title_y, "font": {"size": font_px}},
        },
        yaxis2={
            **axis,
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            # Round ticks of its own (an overlaying axis would otherwise follow the left axis's grid
            # and label 11.7 mm as "12").
            "tickmode": "auto",
            "nticks": 4,
            "ticklabelstandoff": standoff,
            "tickformat": ".0f",
            "title": {"text": title_y2, "font": {"size": font_px}},
        },
    )
    return fig
