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


# Rolling-sum frames: a row at ts covers (ts - interval, ts], so "the hour ending at t" is
# the rows with ts in (t - 1 h, t], i.e. RANGE ... 3599 SECONDS PRECEDING for whole-second times.
ROLLING_1H = "RANGE BETWEEN INTERVAL 3599 SECOND PRECEDING AND CURRENT ROW"
ROLLING_3H = "RANGE BETWEEN INTERVAL 10799 SECOND PRECEDING AND CURRENT ROW"


def township_metrics(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> pd.DataFrame:
    """Return per township every metric the choropleth can show, for ``(start, end]``.

    Columns: code, name, rain_mean_mm (mean of its gauges' accumulations), rain_max_mm,
    max_1h_mm / max_3h_mm (largest rolling 1 h / 3 h sum of any of its gauges inside the
    window), incidents, open_incidents (matching the type/status filters), hazard_people.
    """
    incident_where = (
        Where().window("occurred_at", start, end).any_of("type", types).any_of("status", statuses)
    )
    return run(
        conn,
        f"""
        WITH rolling AS (
            SELECT station, mm,
                   sum(mm) OVER (PARTITION BY station ORDER BY ts {ROLLING_1H}) AS sum_1h,
                   sum(mm) OVER (PARTITION BY station ORDER BY ts {ROLLING_3H}) AS sum_3h
            FROM rainfall WHERE ts > ? AND ts <= ?
        ),
        per_station AS (
            SELECT station, sum(mm) AS total_mm, max(sum_1h) AS max_1h, max(sum_3h) AS max_3h
            FROM rolling GROUP BY station
        ),
        rain AS (
            SELECT g.township, avg(p.total_mm) AS mean_mm, max(p.total_mm) AS max_mm,
                   max(p.max_1h) AS max_1h, max(p.max_3h) AS max_3h
            FROM per_station p JOIN rain_gauges g ON g.code = p.station
            GROUP BY g.township
        ),
        events AS (
            SELECT township, count(*) AS incidents,
                   count(*) FILTER (WHERE status IN ({", ".join("?" for _ in OPEN_STATUSES)})) AS open_incidents
            FROM incidents {incident_where.sql()}
            GROUP BY township
        ),
        hazards AS (
            SELECT township, sum(people)::BIGINT AS people FROM hazard_points GROUP BY township
        )
        SELECT t.code, t.name,
               round(r.mean_mm, 1) AS rain_mean_mm, round(r.max_mm, 1) AS rain_max_mm,
               round(r.max_1h, 1) AS max_1h_mm, round(r.max_3h, 1) AS max_3h_mm,
               coalesce(e.incidents, 0) AS incidents, coalesce(e.open_incidents, 0) AS open_incidents,
               coalesce(h.people, 0) AS hazard_people
        FROM townships t
        LEFT JOIN rain r ON r.township = t.code
        LEFT JOIN events e ON e.township = t.code
        LEFT JOIN hazards h ON h.township = t.code
        ORDER BY t.code
        """,
        [start, end, *OPEN_STATUSES, *incident_where.params],
    )


def bucket_minutes(window_hours: float) -> int:
    """Bar width of a hyetograph: 5 min up to 6 h, hourly up to 3 days, else daily."""
    if window_hours <= 6:
        return 5
    if window_hours <= 72:
        return 60
    return 1440


def gauge_series(
    conn: duckdb.DuckDBPyConnection, station: str, start: datetime, end: datetime, minutes: int
) -> pd.DataFrame:
    """Return a gauge's rain per ``minutes`` bucket in ``(start, end]`` with the running total.

    A bucket is labelled by its end, like the rows it sums.
    """
    return run(
        conn,
        """
        WITH buckets AS (
            SELECT time_bucket(to_minutes(?), ts - INTERVAL 1 SECOND, ?::TIMESTAMP) + to_minutes(?) AS ts,
                   sum(mm) AS mm
            FROM rainfall WHERE station = ? AND ts > ? AND ts <= ?
            GROUP BY 1
        )
        SELECT ts, round(mm, 1) AS mm, round(sum(mm) OVER (ORDER BY ts), 1) AS cumulative_mm
        FROM buckets ORDER BY ts
        """,
        [minutes, start, minutes, station, start, end],
    )


def _points_in_townships(table: str, columns: str, townships: Sequence[str], extra: str = "") -> tuple[str, list]:
    where = Where().any_of("p.township", townships)
    return (
        f"""
        SELECT {columns}, t.name AS township_name
        FROM {table} p LEFT JOIN townships t ON t.code = p.township
        {extra}
        {where.sql()}
        """,
        where.params,
    )


def warehouses(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return warehouses with their number of stock items and total quantity (all units summed)."""
    sql, params = _points_in_townships(
        "warehouses",
        "p.name, p.township, p.address, p.manager, p.phone, p.lon, p.lat, "
        "coalesce(s.items, 0) AS items, coalesce(s.quantity, 0) AS quantity, s.updated_at",
        townships,
        extra="""LEFT JOIN (SELECT warehouse, count(*) AS items, sum(quantity) AS quantity,
                                   max(updated_at) AS updated_at
                            FROM stock GROUP BY warehouse) s ON s.warehouse = p.name""",
    )
    return run(conn, sql + " ORDER BY p.name", params)


def warehouse_stock(conn: duckdb.DuckDBPyConnection, warehouse: str) -> pd.DataFrame:
    """Return one warehouse's stock rows by category and item."""
    return run(
        conn,
        "SELECT item, category, quantity, unit, updated_at FROM stock WHERE warehouse = ? ORDER BY category, item",
        [warehouse],
    )


def teams(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return rescue teams."""
    sql, params = _points_in_townships(
        "teams", "p.name, p.kind, p.members, p.leader, p.phone, p.township, p.lon, p.lat", townships
    )
    return run(conn, sql + " ORDER BY p.name", params)


def shelters(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return shelters with their free capacity (capacity - occupancy, never below 0)."""
    sql, params = _points_in_townships(
        "shelters",
        "p.name, p.kind, p.capacity, p.occupancy, greatest(p.capacity - p.occupancy, 0) AS free, "
        "p.township, p.lon, p.lat",
        townships,
    )
    return run(conn, sql + " ORDER BY p.name", params)


def hazard_points(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return hazard points with people and households exposed and their critical rainfall."""
    sql, params = _points_in_townships(
        "hazard_points",
        "p.id, p.name, p.kind, p.township, p.lon, p.lat, p.people, p.households, "
        "p.critical_mm_1h, p.critical_mm_3h, p.critical_mm_24h",
        townships,
    )
    return run(conn, sql + " ORDER BY p.id", params)


def incident(conn: duckdb.DuckDBPyConnection, ident: str) -> pd.DataFrame:
    """Return one incident's full record (zero rows if unknown)."""
    return run(
        conn,
        """
        SELECT i.*, t.name AS township_name
        FROM incidents i LEFT JOIN townships t ON t.code = i.township
        WHERE i.id = ?
        """,
        [ident],
    )


def point_grid(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    start: datetime,
    end: datetime,
    cell_deg: float,
    townships: Sequence[str] = (),
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> pd.DataFrame:
    """Aggregate incidents into square cells of ``cell_deg`` degrees: cell centre and count.

    Used when a layer would ship more points than the browser should draw.
    """
    if table != "incidents":  # an identifier, so only whitelisted tables
        raise ValueError(f"cannot grid table {table!r}")
    where = _incident_where(start, end, townships, types, statuses).add("i.lon IS NOT NULL")
    return run(
        conn,
        f"""
        SELECT (floor(i.lon / ?) + 0.5) * ? AS lon, (floor(i.lat / ?) + 0.5) * ? AS lat,
               count(*) AS count,
               count(*) FILTER (WHERE i.status IN ({", ".join("?" for _ in OPEN_STATUSES)})) AS open
        FROM incidents i {where.sql()}
        GROUP BY 1, 2 ORDER BY count DESC
        """,
        [cell_deg, cell_deg, cell_deg, cell_deg, *OPEN_STATUSES, *where.params],
    )


def count_incidents(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    townships: Sequence[str] = (),
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> int:
    """Return how many incidents match, without fetching them."""
    where = _incident_where(start, end, townships, types, statuses)
    return int(run(conn, f"SELECT count(*) AS n FROM incidents i {where.sql()}", where.params)["n"].iloc[0])


# --- trends, exports and the duty briefing (issue 5) ---

# Accumulation windows (hours) of the station ranking's maximum intensities.
INTENSITY_HOURS = (1, 3, 6, 24)
# Columns an incident count may be grouped by (identifiers, so only from this whitelist).
INCIDENT_GROUPS = {"type": "i.type", "status": "i.status", "township": "i.township"}


def _buckets_cte() -> str:
    """SQL of a ``buckets(ts)`` CTE: every bucket end of ``(start, end]``; params minutes, start, end."""
    # A bucket is labelled by its end, like the rows it sums, so a row at ts belongs to
    # the bucket ending at time_bucket(ts - 1 µs) + width; buckets align to the clock (midnight for days).
    return """
        p AS (SELECT to_minutes(?::BIGINT) AS width, ?::TIMESTAMP AS start_ts, ?::TIMESTAMP AS end_ts),
        buckets AS (
            SELECT unnest(generate_series(
                time_bucket(p.width, p.start_ts) + p.width,
                time_bucket(p.width, p.end_ts - INTERVAL 1 MICROSECOND) + p.width,
                p.width)) AS ts
            FROM p
        )"""


def rain_series(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    minutes: int,
    stations: Sequence[str] = (),
    townships: Sequence[str] = (),
) -> pd.DataFrame:
    """Return the hyetograph of a gauge or the mean of an area's gauges, every bucket of the window.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
    start, end : datetime
        The window ``(start, end]``.
    minutes : int
        Bucket width (see :func:`bucket_minutes`); buckets are aligned to the clock.
    stations : sequence of str
        Gauge codes; empty means every gauge of ``townships``.
    townships : sequence of str
        Township codes; empty means the whole county.

    Returns
    -------
    pandas.DataFrame
        ts (bucket end), mm (mean over the gauges that reported in the bucket of their
        sums; 0 when none reported), cumulative_mm, gauges (reporting in the bucket).
    """
    where = Where().window("r.ts", start, end).any_of("r.station", stations).any_of("g.township", townships)
    return run(
        conn,
        f"""
        WITH {_buckets_cte()},
        per_gauge AS (
            SELECT r.station, time_bucket(p.width, r.ts - INTERVAL 1 MICROSECOND) + p.width AS ts, sum(r.mm) AS mm
            FROM rainfall r JOIN rain_gauges g ON g.code = r.station, p
            {where.sql()}
            GROUP BY ALL
        ),
        area AS (SELECT ts, avg(mm) AS mm, count(*) AS gauges FROM per_gauge GROUP BY ts)
        SELECT b.ts, round(coalesce(a.mm, 0), 1) AS mm,
               round(sum(coalesce(a.mm, 0)) OVER (ORDER BY b.ts), 1) AS cumulative_mm,
               coalesce(a.gauges, 0) AS gauges
        FROM buckets b LEFT JOIN area a ON a.ts = b.ts
        ORDER BY b.ts
        """,
        [minutes, start, end, *where.params],
    )


def township_rain_series(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    minutes: int,
    townships: Sequence[str] = (),
) -> pd.DataFrame:
    """Return the township × bucket table of mean rain, with each township's running total.

    Returns
    -------
    pandas.DataFrame
        township, township_name, ts (bucket end), mm (mean of its gauges' bucket sums),
        cumulative_mm; one row per township with gauges and bucket of the window (0 mm
        where none reported), ordered by township code and time.
    """
    where = Where().window("r.ts", start, end).any_of("g.township", townships)
    # Townships without a gauge have no rain series at all (not a series of zeros).
    township_where = Where().any_of("t.code", townships).add(
        "EXISTS (SELECT 1 FROM rain_gauges g WHERE g.township = t.code)"
    )
    return run(
        conn,
        f"""
        WITH {_buckets_cte()},
        per_gauge AS (
            SELECT g.township, r.station, time_bucket(p.width, r.ts - INTERVAL 1 MICROSECOND) + p.width AS ts,
                   sum(r.mm) AS mm
            FROM rainfall r JOIN rain_gauges g ON g.code = r.station, p
            {where.sql()}
            GROUP BY ALL
        ),
        area AS (SELECT township, ts, avg(mm) AS mm FROM per_gauge GROUP BY ALL),
        gauged AS (SELECT t.code, t.name FROM townships t {township_where.sql()})
        SELECT t.code AS township, t.name AS township_name, b.ts,
               round(coalesce(a.mm, 0), 1) AS mm,
               round(sum(coalesce(a.mm, 0)) OVER (PARTITION BY t.code ORDER BY b.ts), 1) AS cumulative_mm
        FROM gauged t CROSS JOIN buckets b
        LEFT JOIN area a ON a.township = t.code AND a.ts = b.ts
        ORDER BY t.code, b.ts
        """,
        [minutes, start, end, *where.params, *township_where.params],
    )


def station_ranking(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    townships: Sequence[str] = (),
) -> pd.DataFrame:
    """Rank the gauges that reported in ``(start, end]`` by accumulated rain and peak intensities.

    Peak intensities are the largest 1/3/6/24 h sums inside the window, rolled over clock
    hours (the rain is first summed per hour ending at each full hour).

    Returns
    -------
    pandas.DataFrame
        code, name, township, township_name, total_mm, max_1h_mm, max_3h_mm, max_6h_mm,
        max_24h_mm, max_1h_at (end of the wettest hour); wettest first.
    """
    rain_where = Where().window("ts", start, end)
    gauge_where = Where().any_of("g.township", townships)
    frames = ",\n".join(
        f"sum(mm) OVER (PARTITION BY station ORDER BY hour "
        f"RANGE BETWEEN INTERVAL {hours - 1} HOUR PRECEDING AND CURRENT ROW) AS sum_{hours}h"
        for hours in INTENSITY_HOURS
    )
    maxima = ", ".join(f"max(sum_{hours}h) AS max_{hours}h" for hours in INTENSITY_HOURS)
    rounded = ", ".join(f"round(s.max_{hours}h, 1) AS max_{hours}h_mm" for hours in INTENSITY_HOURS)
    return run(
        conn,
        f"""
        WITH hourly AS (
            SELECT station, time_bucket(INTERVAL 1 HOUR, ts - INTERVAL 1 MICROSECOND) + INTERVAL 1 HOUR AS hour,
                   sum(mm) AS mm
            FROM rainfall {rain_where.sql()}
            GROUP BY ALL
        ),
        rolling AS (SELECT station, hour, mm, {frames} FROM hourly),
        per_station AS (
            SELECT station, sum(mm) AS total_mm, {maxima}, arg_max(hour, sum_1h) AS max_1h_at
            FROM rolling GROUP BY station
        )
        SELECT g.code, g.name, g.township, t.name AS township_name,
               round(s.total_mm, 1) AS total_mm, {rounded}, s.max_1h_at
        FROM per_station s
        JOIN rain_gauges g ON g.code = s.station
        LEFT JOIN townships t ON t.code = g.township
        {gauge_where.sql()}
        ORDER BY s.total_mm DESC, g.code
        """,
        [*rain_where.params, *gauge_where.params],
    )


def incident_series(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    minutes: int,
    by: str,
    townships: Sequence[str] = (),
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> pd.DataFrame:
    """Return incident counts per time bucket and ``by`` (type, status or township).

    Returns
    -------
    pandas.DataFrame
        ts (bucket end, clock-aligned), key (the code), incidents; only non-zero rows.
    """
    if by not in INCIDENT_GROUPS:
        raise ValueError(f"cannot group incidents by {by!r}")
    where = _incident_where(start, end, townships, types, statuses)
    return run(
        conn,
        f"""
        WITH p AS (SELECT to_minutes(?::BIGINT) AS width)
        SELECT time_bucket(p.width, i.occurred_at - INTERVAL 1 MICROSECOND) + p.width AS ts,
               {INCIDENT_GROUPS[by]} AS key, count(*) AS incidents
        FROM incidents i, p
        {where.sql()}
        GROUP BY ALL ORDER BY ts, key
        """,
        [minutes, *where.params],
    )


def incident_counts(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    by: Sequence[str],
    townships: Sequence[str] = (),
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> pd.DataFrame:
    """Return incident counts and casualties grouped by one or more of type, status, township.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns (township adds township_name), incidents, deaths, injured,
        missing, trapped, loss_10k_yuan; largest count first.
    """
    unknown = [name for name in by if name not in INCIDENT_GROUPS]
    if unknown or not by:
        raise ValueError(f"cannot group incidents by {list(by)!r}")
    where = _incident_where(start, end, townships, types, statuses)
    keys = [f"{INCIDENT_GROUPS[name]} AS {name}" for name in by]
    if "township" in by:
        keys.append("t.name AS township_name")
    return run(
        conn,
        f"""
        SELECT {", ".join(keys)}, count(*) AS incidents,
               sum(i.deaths)::BIGINT AS deaths, sum(i.injured)::BIGINT AS injured, sum(i.missing)::BIGINT AS missing,
               sum(i.trapped)::BIGINT AS trapped, round(sum(i.loss_10k_yuan), 1) AS loss_10k_yuan
        FROM incidents i LEFT JOIN townships t ON t.code = i.township
        {where.sql()}
        GROUP BY ALL ORDER BY incidents DESC, {", ".join(by)}
        """,
        where.params,
    )


def incident_backlog(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    minutes: int,
    townships: Sequence[str] = (),
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> pd.DataFrame:
    """Return, at every bucket end, how many of the window's incidents were open and closed.

    An incident counts from its ``occurred_at``; a closed one counts as closed from its
    ``updated_at`` (the store keeps no status history, so that is when it was closed).

    Returns
    -------
    pandas.DataFrame
        ts, open, closed.
    """
    where = _incident_where(start, end, townships, types, statuses)
    return run(
        conn,
        f"""
        WITH {_buckets_cte()},
        chosen AS (
            SELECT i.occurred_at,
                   CASE WHEN list_contains(?, i.status) THEN NULL
                        ELSE greatest(coalesce(i.updated_at, i.occurred_at), i.occurred_at) END AS closed_at
            FROM incidents i {where.sql()}
        )
        SELECT b.ts,
               count(c.occurred_at) FILTER (WHERE c.closed_at IS NULL OR c.closed_at > b.ts) AS open,
               count(c.occurred_at) FILTER (WHERE c.closed_at <= b.ts) AS closed
        FROM buckets b LEFT JOIN chosen c ON c.occurred_at <= b.ts
        GROUP BY b.ts ORDER BY b.ts
        """,
        [minutes, start, end, list(OPEN_STATUSES), *where.params],
    )


def stock_by_category(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return per warehouse and category how many items it holds and how many are below minimum.

    Returns
    -------
    pandas.DataFrame
        warehouse, township, township_name, category, items, below_minimum.
    """
    where = Where().any_of("w.township", townships)
    return run(
        conn,
        f"""
        SELECT s.warehouse, w.township, t.name AS township_name, s.category,
               count(*) AS items,
               count(*) FILTER (WHERE s.quantity < m.minimum) AS below_minimum
        FROM stock s
        JOIN warehouses w ON w.name = s.warehouse
        LEFT JOIN townships t ON t.code = w.township
        LEFT JOIN stock_minimums m ON m.item = s.item
        {where.sql()}
        GROUP BY ALL ORDER BY s.warehouse, s.category
        """,
        where.params,
    )


def stock_by_item(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return the total of each item over the warehouses (one unit per item), with its minimum.

    Returns
    -------
    pandas.DataFrame
        item, category, unit, quantity, warehouses, minimum (per warehouse; NULL when not
        configured), below_minimum (warehouses under it).
    """
    where = Where().any_of("w.township", townships)
    return run(
        conn,
        f"""
        SELECT s.item, s.category, any_value(s.unit) AS unit, sum(s.quantity) AS quantity,
               count(*) AS warehouses, any_value(m.minimum) AS minimum,
               count(*) FILTER (WHERE s.quantity < m.minimum) AS below_minimum
        FROM stock s
        JOIN warehouses w ON w.name = s.warehouse
        LEFT JOIN stock_minimums m ON m.item = s.item
        {where.sql()}
        GROUP BY s.item, s.category ORDER BY s.category, s.item
        """,
        where.params,
    )


def stock_below_minimum(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return the stock rows under their item's configured minimum, largest shortfall share first.

    Returns
    -------
    pandas.DataFrame
        warehouse, township_name, item, category, quantity, minimum, shortfall, unit, updated_at.
    """
    where = Where().any_of("w.township", townships).add("s.quantity < m.minimum")
    return run(
        conn,
        f"""
        SELECT s.warehouse, t.name AS township_name, s.item, s.category, s.quantity, m.minimum,
               m.minimum - s.quantity AS shortfall, s.unit, s.updated_at
        FROM stock s
        JOIN stock_minimums m ON m.item = s.item
        JOIN warehouses w ON w.name = s.warehouse
        LEFT JOIN townships t ON t.code = w.township
        {where.sql()}
        ORDER BY s.quantity / m.minimum, s.warehouse, s.item
        """,
        where.params,
    )


def stock_minimums(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the configured minimum stock per item (applies to each warehouse holding it)."""
    return run(conn, "SELECT item, minimum, unit FROM stock_minimums ORDER BY item")


def shelter_occupancy(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return per township its shelters' number, capacity, occupancy and occupancy rate.

    Returns
    -------
    pandas.DataFrame
        township, township_name, shelters, capacity, occupancy, free, occupancy_rate (0..1+);
        townships ordered by code.
    """
    where = Where().any_of("s.township", townships)
    return run(
        conn,
        f"""
        SELECT s.township, t.name AS township_name, count(*) AS shelters,
               sum(s.capacity)::BIGINT AS capacity, sum(s.occupancy)::BIGINT AS occupancy,
               sum(greatest(s.capacity - s.occupancy, 0))::BIGINT AS free,
               round(sum(s.occupancy) / nullif(sum(s.capacity), 0), 3) AS occupancy_rate
        FROM shelters s LEFT JOIN townships t ON t.code = s.township
        {where.sql()}
        GROUP BY ALL ORDER BY s.township
        """,
        where.params,
    )


def rainfall_rows(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    townships: Sequence[str] = (),
    limit: int = 1_000_000,
) -> pd.DataFrame:
    """Return the raw rainfall reports of the window with gauge and township names, for export.

    At most ``limit`` rows, ordered by station then time (a spreadsheet holds ~1 M rows).
    """
    where = Where().window("r.ts", start, end).any_of("g.township", townships)
    return run(
        conn,
        f"""
        SELECT r.station, g.name AS station_name, t.name AS township_name, r.ts, r.mm, r.interval_min
        FROM rainfall r JOIN rain_gauges g ON g.code = r.station LEFT JOIN townships t ON t.code = g.township
        {where.sql()}
        ORDER BY r.station, r.ts
        LIMIT ?
        """,
        [*where.params, limit],
    )


def stock_rows(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return every stock row of the townships' warehouses with its minimum, for export."""
    where = Where().any_of("w.township", townships)
    return run(
        conn,
        f"""
        SELECT s.warehouse, t.name AS township_name, s.item, s.category, s.quantity, s.unit,
               m.minimum, s.updated_at
        FROM stock s JOIN warehouses w ON w.name = s.warehouse
        LEFT JOIN townships t ON t.code = w.township
        LEFT JOIN stock_minimums m ON m.item = s.item
        {where.sql()}
        ORDER BY s.warehouse, s.category, s.item
        """,
        where.params,
    )
