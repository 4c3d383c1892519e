"""Every read query of the app: plain filter values in, DataFrames out, values only as ``?`` parameters.

Time windows are half-open on the left, ``(start, end]``: rainfall ``ts`` marks the end
of its interval, so the rain of a window is the rows with ``start < ts <= end``; incidents
count in a window when ``start < occurred_at <= end``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb
import pandas as pd

from emergency.store import run
from emergency.vocab import OPEN_STATUSES


class Where:
    """Build a WHERE clause and its parameters together, so no value is ever spliced into SQL."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list = []

    def add(self, clause: str, *params) -> "Where":
        self.clauses.append(clause)
        self.params.extend(params)
        return self

    def window(self, column: str, start: datetime, end: datetime) -> "Where":
        return self.add(f"{column} > ? AND {column} <= ?", start, end)

    def any_of(self, column: str, values: Sequence[str]) -> "Where":
        # An empty selection means "no restriction", as in the filter bar.
        if values:
            self.add(f"list_contains(?, {column})", list(values))
        return self

    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""


def data_range(conn: duckdb.DuckDBPyConnection) -> tuple[datetime | None, datetime | None]:
    """Return the first and last data time of the store (rainfall, else incidents)."""
    frame = run(
        conn,
        """
        SELECT coalesce((SELECT min(ts) FROM rainfall), (SELECT min(occurred_at) FROM incidents)) AS first,
               coalesce((SELECT max(ts) FROM rainfall), (SELECT max(occurred_at) FROM incidents)) AS last
        """,
    )
    first, last = frame.iloc[0]["first"], frame.iloc[0]["last"]
    return (None if pd.isna(first) else first.to_pydatetime(), None if pd.isna(last) else last.to_pydatetime())


def county(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the county row: code, name, geometry (WKB), area and bounding box."""
    return run(conn, "SELECT * FROM county")


def townships(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return all townships with geometry (WKB), area, population and label point, by code."""
    return run(
        conn,
        """
        SELECT code, name, geometry, area_km2, population, label_lon, label_lat, is_demo
        FROM townships ORDER BY code
        """,
    )


def gauge_totals(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    townships: Sequence[str] = (),
) -> pd.DataFrame:
    """Return every gauge with its accumulated rain in ``(start, end]``.

    ``total_mm`` is NULL for a gauge with no report in the window; ``reports`` counts them.
    """
    where = Where().any_of("g.township", townships)
    return run(
        conn,
        f"""
        WITH totals AS (
            SELECT station, sum(mm) AS total_mm, max(mm) AS max_interval_mm, count(*) AS reports
            FROM rainfall WHERE ts > ? AND ts <= ? GROUP BY station
        )
        SELECT g.code, g.name, g.kind, g.township, t.name AS township_name, g.lon, g.lat,
               g.elevation_m, round(r.total_mm, 1) AS total_mm, r.max_interval_mm,
               coalesce(r.reports, 0) AS reports
        FROM rain_gauges g
        LEFT JOIN totals r ON r.station = g.code
        LEFT JOIN townships t ON t.code = g.township
        {where.sql()}
        ORDER BY g.code
        """,
        [start, end, *where.params],
    )


def township_rain(conn: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> pd.DataFrame:
    """Return per township the mean and max accumulated rain of its gauges in ``(start, end]``."""
    return run(
        conn,
        """
        WITH totals AS (
            SELECT station, sum(mm) AS total_mm FROM rainfall
            WHERE ts > ? AND ts <= ? GROUP BY station
        )
        SELECT t.code, t.name,
               round(avg(r.total_mm), 1) AS mean_mm,
               round(max(r.total_mm), 1) AS max_mm,
               count(g.code) AS gauges
        FROM townships t
        LEFT JOIN rain_gauges g ON g.township = t.code
        LEFT JOIN totals r ON r.station = g.code
        GROUP BY t.code, t.name
        ORDER BY t.code
        """,
        [start, end],
    )


def _incident_where(start, end, townships, types, statuses) -> Where:
    return (
        Where()
        .window("i.occurred_at", start, end)
        .any_of("i.township", townships)
        .any_of("i.type", types)
        .any_of("i.status", statuses)
    )


def incidents(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    townships: Sequence[str] = (),
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> pd.DataFrame:
    """Return the incidents that occurred in ``(start, end]`` and match the filters, newest first."""
    where = _incident_where(start, end, townships, types, statuses)
    return run(
        conn,
        f"""
        SELECT i.id, i.type, i.occurred_at, i.township, t.name AS township_name, i.address,
               i.lon, i.lat, i.deaths, i.injured, i.missing, i.trapped, i.loss_10k_yuan,
               i.status, i.source, i.updated_at, i.description
        FROM incidents i LEFT JOIN townships t ON t.code = i.township
        {where.sql()}
        ORDER BY i.occurred_at DESC, i.id
        """,
        where.params,
    )


def kpis(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    townships: Sequence[str] = (),
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> pd.DataFrame:
    """Return one row of headline figures for the window.

    Columns: rain_max_mm, rain_max_station, rain_mean_mm, gauges_reporting, incidents,
    open_incidents, affected_townships.
    """
    rain_where = Where().window("r.ts", start, end).any_of("g.township", townships)
    incident_where = _incident_where(start, end, townships, types, statuses)
    return run(
        conn,
        f"""
        WITH totals AS (
            SELECT r.station, g.name, sum(r.mm) AS total_mm
            FROM rainfall r JOIN rain_gauges g ON g.code = r.station
            {rain_where.sql()}
            GROUP BY r.station, g.name
        ),
        rain AS (
            SELECT round(max(total_mm), 1) AS rain_max_mm,
                   arg_max(name, total_mm) AS rain_max_station,
                   round(avg(total_mm), 1) AS rain_mean_mm,
                   count(*) AS gauges_reporting
            FROM totals
        ),
        events AS (
            SELECT count(*) AS incidents,
                   count(*) FILTER (WHERE i.status IN ({", ".join("?" for _ in OPEN_STATUSES)})) AS open_incidents,
                   count(DISTINCT i.township) AS affected_townships
            FROM incidents i {incident_where.sql()}
        )
        SELECT * FROM rain, events
        """,
        [*rain_where.params, *OPEN_STATUSES, *incident_where.params],
    )
