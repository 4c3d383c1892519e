"""What the command-centre wall shows, each figure through one small adapter.

Each adapter reads the existing core functions (through components.cached); when the one rule
engine lands, re-point the adapter of a figure to it and the wall follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from components import cached
from emergency import wall
from emergency.filters import Filters

# Townships in the ranked list.
RANK_ROWS = 8
# The hyetograph always covers the last 24 h before the window end, in hourly bars.
SERIES_HOURS = 24


@dataclass
class WallFigures:
    """Everything the wall draws for one window (the map reads the frames too)."""

    filters: Filters
    kpis: pd.Series
    township_max: tuple[str | None, float | None]  # wettest township by its mean rain, and that mean
    gauge_levels: dict[str, int]
    water_over_warning: int | None
    hazards_at_risk: tuple[int, int]  # hazard points over their critical rain at the window end, people there
    open_by_grade: dict[str, int]
    open_geological: dict[str, int]  # of which geological disasters (小型..特大型), per grade
    people: dict[str, int]
    warnings: wall.WarningStats
    ticker: pd.DataFrame
    series: pd.DataFrame
    metrics: pd.DataFrame  # per township: rain and incident metrics + signal rank/level
    incidents: pd.DataFrame  # graded incidents of the window
    gauges: pd.DataFrame  # gauge totals of the window
    stale_gauges: set[str] = field(default_factory=set)


def rain_kpis(f: Filters) -> pd.Series:
    """Max (single gauge) and mean accumulated rain over the window, and incident counts."""
    return cached.kpis(f.start, f.end, f.townships, f.types, f.statuses).iloc[0]


def township_metrics(f: Filters) -> pd.DataFrame:
    """Per township: rain metrics, incidents, and its rainstorm signal at the window end."""
    metrics = cached.township_metrics(f.start, f.end, f.types, f.statuses)
    signals = cached.township_signals_at(f.end)[["code", "rank", "level"]]
    return metrics.merge(signals, on="code", how="left")


def gauge_levels(f: Filters) -> dict[str, int]:
    """Gauges at each signal level at the window end."""
    return wall.gauge_level_counts(cached.gauge_signals_at(f.end))


def water_over_warning(f: Filters) -> int | None:
    """Water stations over their 警戒 level (None until the store has water-level tables)."""
    return cached.water_over_warning(f.end)


def hazards_at_risk(f: Filters) -> tuple[int, int]:
    """Hazard points over their critical rainfall at the window end (the KPI's figure), and the people exposed there."""
    risk = cached.of_townships(cached.hazards_at_risk(f.end), f.townships)
    return len(risk), int(risk["people"].fillna(0).sum())


def graded_incidents(f: Filters) -> pd.DataFrame:
    """The window's incidents with their grades (the grade filter applied)."""
    graded = cached.incident_grades(f.start, f.end, f.townships, f.types, f.statuses)
    if f.grades:
        graded = graded[graded["grade"].isin(f.grades)].reset_index(drop=True)
    return graded


def warning_stats(f: Filters) -> wall.WarningStats:
    """Warnings issued in the window and their 叫应."""
    return wall.warning_stats(cached.warnings_issued(), f.start, f.end)


def ticker(f: Filters, incidents: pd.DataFrame) -> pd.DataFrame:
    """The newest incidents and warnings up to the window end."""
    return wall.ticker(incidents, cached.warnings_issued(), f.end)


def series(f: Filters) -> pd.DataFrame:
    """County areal rain of the 24 h before the window end, hourly, with the accumulated line."""
    return cached.rain_series(f.end - timedelta(hours=SERIES_HOURS), f.end, 60, (), f.townships)


def latest_data_time() -> datetime | None:
    """Newest data time of the store (the 数据截至 stamp)."""
    return cached.data_range()[1]


def freshness(now: datetime, stale_minutes: int) -> wall.Freshness:
    """How far the newest data lags the wall clock."""
    return wall.freshness(latest_data_time(), now, stale_minutes)


def _scoped(metrics: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The townships of the filter (all when it names none)."""
    return metrics[metrics["code"].isin(f.townships)] if f.townships else metrics


def ranking(fig: WallFigures, by: str) -> pd.DataFrame:
    """The worst townships of the window (those of the township filter only) ranked by ``by``."""
    return wall.worst_townships(_scoped(fig.metrics, fig.filters), RANK_ROWS, by)


def figures(f: Filters, stale_minutes: int) -> WallFigures:
    """Collect every figure of the wall for the window ``f``."""
    metrics = township_metrics(f)
    wettest = (
        _scoped(metrics, f)
        .dropna(subset=["rain_mean_mm"])
        .sort_values(["rain_mean_mm", "code"], ascending=[False, True])
    )
    township_max = (
        (wettest.iloc[0]["name"], float(wettest.iloc[0]["rain_mean_mm"])) if not wettest.empty else (None, None)
    )
    graded = graded_incidents(f)
    stale = cached.stale_gauges(f.end, stale_minutes)
    return WallFigures(
        filters=f,
        kpis=rain_kpis(f),
        township_max=township_max,
        gauge_levels=gauge_levels(f),
        water_over_warning=water_over_warning(f),
        hazards_at_risk=hazards_at_risk(f),
        open_by_grade=wall.open_by_grade(graded),
        open_geological=wall.open_geological(graded),
        people=wall.people_affected(graded),
        warnings=warning_stats(f),
        ticker=ticker(f, graded),
        series=series(f),
        metrics=metrics,
        incidents=graded,
        gauges=cached.gauge_totals(f.start, f.end, f.townships),
        stale_gauges=set(stale["code"]),
    )
