"""Every read query of the app: plain filter values in, DataFrames out, values only as ``?`` parameters.

Time windows are half-open on the left, ``(start, end]``: rainfall ``ts`` marks the end
of its interval, so the rain of a window is the rows with ``start < ts <= end``; incidents
count in a window when ``start < occurred_at <= end``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from emergency import store
from emergency.geo import KM_PER_DEG_LAT, KM_PER_DEG_LON_EQUATOR, haversine_sql
from emergency.sql import Where, identifier, quote_identifier
from emergency.store import RAIN_MM_SUM_TYPE, run
from emergency.vocab import OPEN_STATUSES


def _hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _hour_ceil(moment: datetime) -> datetime:
    floor = _hour_floor(moment)
    return floor if floor == moment else floor + timedelta(hours=1)


def _on_the_hour(*moments: datetime) -> bool:
    return all(_hour_floor(m) == m for m in moments)


def rain_rows(start: datetime, end: datetime, hourly: bool = True) -> tuple[str, list]:
    """Build the SQL and parameters of the rain reported in ``(start, end]``, read from as few rows as possible.

    The whole clock hours inside the window come from ``rain_hourly`` (one row per station
    and hour, schema 7), the partial hours at its edges from ``rainfall``, so any sum, count
    or maximum per station, or per bucket of whole clock hours, equals that over
    ``rainfall`` itself (a 72 h window reads ~12x fewer rows).

    Parameters
    ----------
    start, end : datetime
        The window ``(start, end]``.
    hourly : bool
        False reads ``rainfall`` only (for buckets finer than an hour).

    Returns
    -------
    tuple of (str, list)
        A ``SELECT`` of station, ts (report time; the hour's end for an hourly row), mm (a
        decimal of thousandths, so sums are exact and independent of order and grouping),
        reports (rows of ``rainfall`` it stands for) and max_mm (its largest report), and
        its parameters.
    """
    raw = (
        f"SELECT station, ts, mm::{RAIN_MM_SUM_TYPE} AS mm, 1 AS reports, mm AS max_mm "
        "FROM rainfall WHERE ts > ? AND ts <= ?"
    )
    first_hour, last_hour = _hour_ceil(start), _hour_floor(end)
    if not hourly or first_hour >= last_hour:
        return raw, [start, end]
    parts = [
        "SELECT station, hour AS ts, mm, readings AS reports, max_mm FROM rain_hourly WHERE hour > ? AND hour <= ?"
    ]
    params: list = [first_hour, last_hour]
    for edge_start, edge_end in ((start, first_hour), (last_hour, end)):
        if edge_start < edge_end:
            parts.append(raw)
            params += [edge_start, edge_end]
    return " UNION ALL ".join(parts), params


def _clock_hours(start: datetime, end: datetime) -> tuple[str, list]:
    """Build the SQL and parameters of the rain per station and clock hour (hour = its end) in ``(start, end]``."""
    if _on_the_hour(start, end):
        # Already one row per station and hour: no second aggregation over ~5,000 x 72 rows.
        return "SELECT station, hour, mm FROM rain_hourly WHERE hour > ? AND hour <= ?", [start, end]
    rain, params = rain_rows(start, end)
    return (
        (
            "SELECT station, time_bucket(INTERVAL 1 HOUR, ts - INTERVAL 1 MICROSECOND) + INTERVAL 1 HOUR AS hour, "
            f"sum(mm) AS mm FROM ({rain}) GROUP BY ALL"
        ),
        params,
    )


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
    rain, rain_params = rain_rows(start, end)
    return run(
        conn,
        f"""
        WITH totals AS (
            SELECT station, sum(mm) AS total_mm, max(max_mm) AS max_interval_mm, sum(reports)::BIGINT AS reports
            FROM ({rain}) GROUP BY station
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
        [*rain_params, *where.params],
    )


def gauge_max_24h(conn: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> pd.DataFrame:
    """Return per gauge the largest rain of any 24 h inside ``(start, end]`` (for windows over 24 h).

    Sums run over clock hours (hour = its end): the largest total of 24 consecutive hours,
    counting only rain inside the window. Columns: code, max_24h_mm (NULL without reports).
    """
    hourly, params = _clock_hours(start, end)
    return run(
        conn,
        f"""
        WITH hourly AS ({hourly}),
        rolling AS (
            SELECT station, sum(mm) OVER (PARTITION BY station ORDER BY hour
                                         RANGE BETWEEN INTERVAL 23 HOUR PRECEDING AND CURRENT ROW) AS mm_24h
            FROM hourly
        )
        SELECT g.code, round(max(r.mm_24h), 1)::DOUBLE AS max_24h_mm
        FROM rain_gauges g LEFT JOIN rolling r ON r.station = g.code
        GROUP BY g.code ORDER BY g.code
        """,
        params,
    )


def township_rain(conn: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> pd.DataFrame:
    """Return per township the mean and max accumulated rain of its gauges in ``(start, end]``."""
    rain, rain_params = rain_rows(start, end)
    return run(
        conn,
        f"""
        WITH totals AS (
            SELECT station, sum(mm) AS total_mm FROM ({rain}) GROUP BY station
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
        rain_params,
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
               i.status, i.source, i.updated_at, i.description, coalesce(i.type_label, '') AS type_label
        FROM incidents i LEFT JOIN townships t ON t.code = i.township
        {where.sql()}
        ORDER BY i.occurred_at DESC, i.id
        """,
        where.params,
        via_arrow=True,
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
    rain, rain_params = rain_rows(start, end)
    rain_where = Where().any_of("g.township", townships)
    incident_where = _incident_where(start, end, townships, types, statuses)
    return run(
        conn,
        f"""
        WITH totals AS (
            SELECT r.station, g.name, sum(r.mm) AS total_mm
            FROM ({rain}) r JOIN rain_gauges g ON g.code = r.station
            {rain_where.sql()}
            GROUP BY r.station, g.name
        ),
        rain AS (
            SELECT round(max(total_mm), 1) AS rain_max_mm,
                   -- Ties (exact, as sums are decimals) go to the lowest gauge code, every time.
                   first(name ORDER BY total_mm DESC, station) AS rain_max_station,
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
        [*rain_params, *rain_where.params, *OPEN_STATUSES, *incident_where.params],
    )


def township_metrics(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> pd.DataFrame:
    """Return per township every metric the choropleth can show, for ``(start, end]``.

    Columns: code, name, rain_mean_mm (mean of its gauges' accumulations), rain_max_mm,
    max_1h_mm / max_3h_mm (largest 1 h / 3 h sum of any of its gauges, over whole hours
    counted from the window start, as hourly reports are), incidents, open_incidents
    (matching the type/status filters), hazard_people.
    """
    incident_where = Where().window("occurred_at", start, end).any_of("type", types).any_of("status", statuses)
    if _on_the_hour(start):
        # Hours counted from the start are clock hours.
        hourly, rain_params = _clock_hours(start, end)
    else:
        rain, rain_params = rain_rows(start, end, hourly=False)
        # A row at ts covers (ts - interval, ts]: shift by a second so 01:00 counts in (00:00, 01:00].
        hourly = (
            "SELECT station, time_bucket(INTERVAL 1 HOUR, ts - INTERVAL 1 SECOND, ?::TIMESTAMP) AS hour, "
            f"sum(mm) AS mm FROM ({rain}) GROUP BY ALL"
        )
        rain_params = [start, *rain_params]
    return run(
        conn,
        f"""
        WITH hourly AS ({hourly}),
        rolling AS (
            SELECT station, mm,
                   sum(mm) OVER (PARTITION BY station ORDER BY hour
                                 RANGE BETWEEN INTERVAL 2 HOUR PRECEDING AND CURRENT ROW) AS sum_3h
            FROM hourly
        ),
        per_station AS (
            SELECT station, sum(mm) AS total_mm, max(mm) AS max_1h, max(sum_3h) AS max_3h
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
            SELECT township, coalesce(sum(people), 0)::BIGINT AS people FROM hazard_points GROUP BY township
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
        [*rain_params, *OPEN_STATUSES, *incident_where.params],
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
        "SELECT item, category, quantity, unit, updated_at, category_label FROM stock WHERE warehouse = ? "
        "ORDER BY category, item",
        [warehouse],
    )


def teams(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return rescue teams."""
    sql, params = _points_in_townships(
        "teams",
        "p.name, p.kind, p.members, p.leader, p.phone, p.township, p.lon, p.lat, p.kind_label, p.address",
        townships,
    )
    return run(conn, sql + " ORDER BY p.name", params)


def shelters(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return shelters with their free capacity (capacity - occupancy, never below 0)."""
    sql, params = _points_in_townships(
        "shelters",
        "p.name, p.kind, p.capacity, p.occupancy, greatest(p.capacity - coalesce(p.occupancy, 0), 0) AS free, "
        "p.township, p.lon, p.lat, p.kind_label",
        townships,
    )
    return run(conn, sql + " ORDER BY p.name", params)


def hazard_points(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return hazard points with people and households exposed and their critical rainfall."""
    sql, params = _points_in_townships(
        "hazard_points",
        "p.id, p.name, p.kind, p.township, p.lon, p.lat, p.people, p.households, "
        "p.critical_mm_1h, p.critical_mm_3h, p.critical_mm_24h, p.kind_label",
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


# Point tables that can be aggregated into grid cells, with the column summed per cell.
GRID_WEIGHTS = {
    "warehouses": "(SELECT coalesce(sum(quantity), 0) FROM stock s WHERE s.warehouse = p.name)",
    "teams": "p.members",
    "shelters": "greatest(p.capacity - coalesce(p.occupancy, 0), 0)",
    "hazard_points": "p.people",
}


def resource_grid(
    conn: duckdb.DuckDBPyConnection, table: str, cell_deg: float, townships: Sequence[str] = ()
) -> pd.DataFrame:
    """Aggregate a resource table into square cells: centre, number of points, summed weight.

    The weight is the table's size measure (stock quantity, team members, free shelter
    places, people exposed); ``table`` is an identifier, so only GRID_WEIGHTS tables pass.
    """
    if table not in GRID_WEIGHTS:
        raise ValueError(f"cannot grid table {table!r}")
    where = Where().any_of("p.township", townships).add("p.lon IS NOT NULL AND p.lat IS NOT NULL")
    return run(
        conn,
        f"""
        SELECT (floor(p.lon / ?) + 0.5) * ? AS lon, (floor(p.lat / ?) + 0.5) * ? AS lat,
               count(*) AS count, sum({GRID_WEIGHTS[table]})::BIGINT AS weight
        FROM {table} p {where.sql()}
        GROUP BY 1, 2
        """,
        [cell_deg, cell_deg, cell_deg, cell_deg, *where.params],
    )


def count_rows(conn: duckdb.DuckDBPyConnection, table: str, townships: Sequence[str] = ()) -> int:
    """Return how many rows of a griddable point table the township filter selects."""
    if table not in GRID_WEIGHTS and table != "rain_gauges":
        raise ValueError(f"cannot count table {table!r}")
    where = Where().any_of("p.township", townships)
    return int(run(conn, f"SELECT count(*) AS n FROM {table} p {where.sql()}", where.params)["n"].iloc[0])


def gauge_grid(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    cell_deg: float,
    townships: Sequence[str] = (),
) -> pd.DataFrame:
    """Aggregate gauges into square cells: centre, gauges, mean and max accumulated rain."""
    where = Where().any_of("g.township", townships)
    rain, rain_params = rain_rows(start, end)
    return run(
        conn,
        f"""
        WITH totals AS (
            SELECT station, sum(mm) AS total_mm FROM ({rain}) GROUP BY station
        )
        SELECT (floor(g.lon / ?) + 0.5) * ? AS lon, (floor(g.lat / ?) + 0.5) * ? AS lat,
               count(*) AS gauges, round(avg(r.total_mm), 1) AS mean_mm, round(max(r.total_mm), 1) AS max_mm
        FROM rain_gauges g LEFT JOIN totals r ON r.station = g.code
        {where.sql()}
        GROUP BY 1, 2
        """,
        [*rain_params, cell_deg, cell_deg, cell_deg, cell_deg, *where.params],
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


# --- trends, exports and the duty briefing ---

# Accumulation windows (hours) of the station ranking's maximum intensities.
INTENSITY_HOURS = (1, 3, 6, 24)
# Columns an incident count may be grouped by (identifiers, so only from this whitelist).
INCIDENT_GROUPS = {"type": "i.type", "status": "i.status", "township": "i.township"}


def _buckets_cte() -> str:
    """Build the SQL of a ``buckets(ts)`` CTE: every bucket end of ``(start, end]``; params minutes, start, end."""
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
        Bucket width (see :func:`emergency.filters.bucket_minutes`); buckets are aligned to the clock.
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
    where = Where().any_of("r.station", stations).any_of("g.township", townships)
    # Buckets of whole clock hours can sum hourly rows; 5-minute bars need the reports.
    rain, rain_params = rain_rows(start, end, hourly=minutes % 60 == 0)
    return run(
        conn,
        f"""
        WITH {_buckets_cte()},
        per_gauge AS (
            SELECT r.station, time_bucket(p.width, r.ts - INTERVAL 1 MICROSECOND) + p.width AS ts, sum(r.mm) AS mm
            FROM ({rain}) r JOIN rain_gauges g ON g.code = r.station, p
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
        [minutes, start, end, *rain_params, *where.params],
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
    where = Where().any_of("g.township", townships)
    rain, rain_params = rain_rows(start, end, hourly=minutes % 60 == 0)
    # Townships without a gauge have no rain series at all (not a series of zeros).
    township_where = (
        Where().any_of("t.code", townships).add("EXISTS (SELECT 1 FROM rain_gauges g WHERE g.township = t.code)")
    )
    return run(
        conn,
        f"""
        WITH {_buckets_cte()},
        per_gauge AS (
            SELECT g.township, r.station, time_bucket(p.width, r.ts - INTERVAL 1 MICROSECOND) + p.width AS ts,
                   sum(r.mm) AS mm
            FROM ({rain}) r JOIN rain_gauges g ON g.code = r.station, p
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
        [minutes, start, end, *rain_params, *where.params, *township_where.params],
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
    hourly, rain_params = _clock_hours(start, end)
    gauge_where = Where().any_of("g.township", townships)
    frames = ",\n".join(
        "sum(mm) OVER (PARTITION BY station ORDER BY hour "
        f"RANGE BETWEEN INTERVAL {hours - 1} HOUR PRECEDING AND CURRENT ROW) AS sum_{hours}h"
        for hours in INTENSITY_HOURS
    )
    maxima = ", ".join(f"max(sum_{hours}h) AS max_{hours}h" for hours in INTENSITY_HOURS)
    rounded = ", ".join(f"round(s.max_{hours}h, 1) AS max_{hours}h_mm" for hours in INTENSITY_HOURS)
    return run(
        conn,
        f"""
        WITH hourly AS ({hourly}),
        rolling AS (SELECT station, hour, mm, {frames} FROM hourly),
        per_station AS (
            SELECT station, sum(mm) AS total_mm, {maxima}, first(hour ORDER BY sum_1h DESC, hour) AS max_1h_at
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
        [*rain_params, *gauge_where.params],
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
               -- Blank counts are unknown (NULL): the sums are of what was reported.
               coalesce(sum(i.deaths), 0)::BIGINT AS deaths, coalesce(sum(i.injured), 0)::BIGINT AS injured,
               coalesce(sum(i.missing), 0)::BIGINT AS missing, coalesce(sum(i.trapped), 0)::BIGINT AS trapped,
               round(coalesce(sum(i.loss_10k_yuan), 0), 1) AS loss_10k_yuan
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
               sum(s.capacity)::BIGINT AS capacity, coalesce(sum(s.occupancy), 0)::BIGINT AS occupancy,
               sum(greatest(s.capacity - coalesce(s.occupancy, 0), 0))::BIGINT AS free,
               round(coalesce(sum(s.occupancy), 0) / nullif(sum(s.capacity), 0), 3) AS occupancy_rate
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
    """Return each gauge's rain per clock hour of the window (hour = end of the hour), for export.

    Hourly sums keep a county-wide day to a few hundred thousand rows at most (five-minute
    rows would pass Excel's million-row sheet limit); at most ``limit`` rows, by station and time.
    """
    where = Where().any_of("g.township", townships)
    rain, rain_params = rain_rows(start, end)
    return run(
        conn,
        f"""
        SELECT r.station, g.name AS station_name, t.name AS township_name,
               time_bucket(INTERVAL 1 HOUR, r.ts - INTERVAL 1 MICROSECOND) + INTERVAL 1 HOUR AS ts,
               round(sum(r.mm), 1) AS mm, sum(r.reports)::BIGINT AS reports
        FROM ({rain}) r JOIN rain_gauges g ON g.code = r.station LEFT JOIN townships t ON t.code = g.township
        {where.sql()}
        GROUP BY ALL
        ORDER BY r.station, ts
        LIMIT ?
        """,
        [*rain_params, *where.params, limit],
    )


def stock_rows(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return every stock row of the townships' warehouses with its minimum, for export."""
    where = Where().any_of("w.township", townships)
    return run(
        conn,
        f"""
        SELECT s.warehouse, t.name AS township_name, s.item, s.category, s.category_label, s.quantity, s.unit,
               m.minimum, s.updated_at
        FROM stock s JOIN warehouses w ON w.name = s.warehouse
        LEFT JOIN townships t ON t.code = w.township
        LEFT JOIN stock_minimums m ON m.item = s.item
        {where.sql()}
        ORDER BY s.warehouse, s.category, s.item
        """,
        where.params,
    )


# --- warning and dispatch ---

# Accumulation windows a signal rule may use, hours; a rule outside this list is refused
# (the store's CHECK constraint says the same), so column names built from them are safe.
SIGNAL_WINDOWS_H = (1, 3, 6, 12, 24)
# Township aggregations of gauge rain: whitelisted SQL aggregate per setting value.
TOWNSHIP_AGGREGATES = {"max": "max", "mean": "avg"}
# Degrees of latitude per km, for the bounding box that narrows a radius query first.
DEG_LAT_PER_KM = 1 / KM_PER_DEG_LAT
# Largest and smallest cell side of the first search for a hazard point's nearest gauge, km.
NEAR_GAUGE_KM = 15.0
NEAR_GAUGE_MIN_KM = 1.0
# Cell side in typical gauge spacings (sqrt of the gauges' box area per gauge): about 9 gauges
# fall in the 3 x 3 cells searched, and a point's nearest one lies within a cell width unless
# no gauge is within about one spacing (a few points in a hundred for evenly spread gauges;
# those are searched again in wider cells). Wider cells prove more points in the first pass
# but measure many more pairs: on the 10 M-row bench store (23 k points, 5 k gauges) three
# spacings measured 3.4 M pairs and took 3x as long.
NEAR_GAUGE_SPACINGS = 1.0
# Where a point's nearest gauge is farther than one cell, the next search uses cells this many
# times wider, up to FAR_GAUGE_CELL_KM; beyond that (a gauge network far away) every gauge is measured.
NEAR_GAUGE_WIDEN = 3.0
FAR_GAUGE_CELL_KM = 150.0


def _window_column(hours: int) -> str:
    if hours not in SIGNAL_WINDOWS_H:
        raise ValueError(f"rain window of {hours!r} h is not one of {SIGNAL_WINDOWS_H}")
    return f"mm_{hours}h"


def signal_thresholds(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the rainstorm signal rules: level, rank (1 blue .. 4 red), window_hours, min_mm."""
    return run(conn, "SELECT level, rank, window_hours, min_mm FROM signal_thresholds ORDER BY rank")


def grade_thresholds(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the incident grade rules: grade, rank (1 general .. 4 especially major), criterion, min_value."""
    return run(conn, "SELECT grade, rank, criterion, min_value FROM grade_thresholds ORDER BY rank, criterion")


def warning_settings(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Return the warning settings (township_method, ack_minutes) as a dict."""
    frame = run(conn, "SELECT key, value FROM warning_settings")
    return dict(zip(frame["key"], frame["value"], strict=True))


def gauge_rain_at(conn: duckdb.DuckDBPyConnection, moment: datetime, windows_h: Sequence[int]) -> pd.DataFrame:
    """Return every gauge with its rain over each window ending at ``moment``.

    Columns: code, name, township, township_name, lon, lat, reports (rows in the longest
    window) and ``mm_<h>h`` per window, the rain of ``(moment - h, moment]``; NULL for a
    gauge with no report in the longest window (no data is not no rain).
    """
    windows = sorted(set(windows_h))
    sums = ", ".join(
        f"CASE WHEN count(r.ts) > 0 THEN coalesce(sum(r.mm) FILTER (WHERE r.ts > ?), 0) END AS {_window_column(h)}"
        for h in windows
    )
    cutoffs = [moment - timedelta(hours=h) for h in windows]
    # Hourly rows split each window exactly when the moment (so every cutoff) is on the hour.
    rain, rain_params = rain_rows(min(cutoffs), moment, hourly=_on_the_hour(moment))
    return run(
        conn,
        f"""
        SELECT g.code, g.name, g.township, t.name AS township_name, g.lon, g.lat,
               coalesce(sum(r.reports), 0)::BIGINT AS reports, {sums}
        FROM rain_gauges g
        LEFT JOIN ({rain}) r ON r.station = g.code
        LEFT JOIN townships t ON t.code = g.township
        GROUP BY g.code, g.name, g.township, t.name, g.lon, g.lat
        ORDER BY g.code
        """,
        [*cutoffs, *rain_params],
    )


def rolling_rain(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    windows_h: Sequence[int],
    by: str = "township",
    method: str = "max",
) -> pd.DataFrame:
    """Return rolling rain sums at every report time in ``(start, end]``, per township or gauge.

    Each ``mm_<h>h`` is the rain of ``(ts - h, ts]``, summed by a DuckDB window function
    (``RANGE BETWEEN <h> - 1 µs PRECEDING AND CURRENT ROW``: a row at ``ts - h`` covers
    time before the window). Rows from ``start - max(h)`` feed the sums, so the first
    values are complete.

    Parameters
    ----------
    by : {"township", "gauge"}
        Key of the result (column ``key``); townships aggregate their gauges per time.
    method : {"max", "mean"}
        How a township combines its gauges' sums at one time.

    Returns
    -------
    pandas.DataFrame
        key, ts, ``mm_<h>h`` per window; sorted by key and ts.
    """
    if by not in ("township", "gauge"):
        raise ValueError(f"rolling rain by {by!r}: use 'township' or 'gauge'")
    if method not in TOWNSHIP_AGGREGATES:
        raise ValueError(f"township method {method!r}: use one of {sorted(TOWNSHIP_AGGREGATES)}")
    windows = sorted(set(windows_h))
    frames = ", ".join(
        "sum(r.mm) OVER (PARTITION BY r.station ORDER BY r.ts RANGE BETWEEN ? PRECEDING AND CURRENT ROW) "
        f"AS {_window_column(h)}"
        for h in windows
    )
    offsets = [timedelta(hours=h) - timedelta(microseconds=1) for h in windows]
    aggregate = TOWNSHIP_AGGREGATES[method] if by == "township" else "max"
    key = "g.township" if by == "township" else "o.station"
    columns = ", ".join(f"{aggregate}(o.{_window_column(h)}) AS {_window_column(h)}" for h in windows)
    return run(
        conn,
        f"""
        WITH rolling AS (
            SELECT r.station, r.ts, {frames}
            FROM rainfall r WHERE r.ts > ? AND r.ts <= ?
        )
        SELECT {key} AS key, o.ts, {columns}
        FROM rolling o JOIN rain_gauges g ON g.code = o.station
        WHERE o.ts > ? AND {key} IS NOT NULL
        GROUP BY {key}, o.ts
        ORDER BY key, o.ts
        """,
        [*offsets, start - timedelta(hours=max(windows)), end, start],
    )


def gauge_rain_24h(conn: duckdb.DuckDBPyConnection, moment: datetime) -> pd.DataFrame:
    """Return every located gauge with a report in the 24 h before ``moment`` and its rain over 1, 3 and 24 h.

    Columns: code, gauge_name, lon, lat, reports, mm_1h, mm_3h, mm_24h (rain of ``(moment - h, moment]``).
    The hazard-point rules read it once and measure both the nearest gauge and the reporting ones by it.
    """
    rain, rain_params = rain_rows(moment - timedelta(hours=24), moment, hourly=_on_the_hour(moment))
    return run(
        conn,
        f"""
        SELECT g.code, g.name AS gauge_name, g.lon, g.lat, s.reports, s.mm_1h::DOUBLE AS mm_1h,
               s.mm_3h::DOUBLE AS mm_3h, s.mm_24h::DOUBLE AS mm_24h
        FROM rain_gauges g JOIN (
            SELECT station, sum(reports)::BIGINT AS reports,
                   coalesce(sum(mm) FILTER (WHERE ts > ?), 0) AS mm_1h,
                   coalesce(sum(mm) FILTER (WHERE ts > ?), 0) AS mm_3h,
                   sum(mm) AS mm_24h
            FROM ({rain}) GROUP BY station
        ) s ON s.station = g.code
        WHERE g.lon IS NOT NULL AND g.lat IS NOT NULL
        ORDER BY g.code
        """,
        [moment - timedelta(hours=1), moment - timedelta(hours=3), *rain_params],
    )


def hazard_rain_at(conn: duckdb.DuckDBPyConnection, moment: datetime, rain: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return every hazard point with the rain of its nearest gauge over 1, 3 and 24 h to ``moment``.

    The nearest gauge (great-circle distance; of several at one distance, the smallest code)
    stands for the point: a measured value, no interpolation across ridges. Columns: id, name,
    kind, township, township_name, lon, lat, people, households, critical_mm_1h/3h/24h, gauge,
    gauge_name, gauge_km, mm_1h, mm_3h, mm_24h (NULL when that gauge has no report in the last 24 h).
    ``rain`` is :func:`gauge_rain_24h` at ``moment`` when the caller has read it already.
    """
    rain = gauge_rain_24h(conn, moment) if rain is None else rain
    located = ("SELECT code, lon, lat FROM rain_gauges WHERE lon IS NOT NULL AND lat IS NOT NULL", [])
    nearest = _nearest_gauges(conn, located, None)
    nearest = nearest.sort_values(["id", "gauge_km", "gauge"], kind="stable").drop_duplicates("id")
    return run(
        conn,
        """
        WITH nearest AS (
            SELECT unnest(?::VARCHAR[]) AS id, unnest(?::VARCHAR[]) AS gauge, unnest(?::DOUBLE[]) AS gauge_km
        ),
        sums AS (
            SELECT unnest(?::VARCHAR[]) AS station, unnest(?::DOUBLE[]) AS mm_1h, unnest(?::DOUBLE[]) AS mm_3h,
                   unnest(?::DOUBLE[]) AS mm_24h
        )
        SELECT h.id, h.name, h.kind, h.township, t.name AS township_name, h.lon, h.lat,
               h.people, h.households, h.critical_mm_1h, h.critical_mm_3h, h.critical_mm_24h,
               n.gauge, g.name AS gauge_name, n.gauge_km, s.mm_1h, s.mm_3h, s.mm_24h
        FROM hazard_points h
        LEFT JOIN nearest n ON n.id = h.id
        LEFT JOIN rain_gauges g ON g.code = n.gauge
        LEFT JOIN sums s ON s.station = n.gauge
        LEFT JOIN townships t ON t.code = h.township
        ORDER BY h.id
        """,
        [
            nearest["id"].astype(str).tolist(),
            nearest["gauge"].astype(str).tolist(),
            nearest["gauge_km"].astype(float).tolist(),
            # Every reporting gauge's sums (a few thousand): the join keeps the nearest ones.
            rain["code"].astype(str).tolist(),
            *(rain[column].astype(float).tolist() for column in ("mm_1h", "mm_3h", "mm_24h")),
        ],
    )


def hazard_gauges_within(
    conn: duckdb.DuckDBPyConnection, moment: datetime, max_km: float, rain: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return, per hazard point, its nearest gauges within ``max_km`` that reported in the 24 h before ``moment``.

    Columns: id, gauge, gauge_name, gauge_km, reports, mm_1h, mm_3h, mm_24h (rain of
    ``(moment - h, moment]``). Only the gauges at the point's smallest distance are returned
    (several only on a tie); a point without a reporting gauge within ``max_km`` has no row.
    ``rain`` is :func:`gauge_rain_24h` at ``moment`` when the caller has read it already.
    """
    rain = gauge_rain_24h(conn, moment) if rain is None else rain
    reporting = rain[rain["reports"] > 0]
    # The search reads the reporting gauges as a list (a few thousand at most), not the rain again.
    gauges = (
        "SELECT unnest(?::VARCHAR[]) AS code, unnest(?::DOUBLE[]) AS lon, unnest(?::DOUBLE[]) AS lat",
        [reporting["code"].astype(str).tolist(), reporting["lon"].tolist(), reporting["lat"].tolist()],
    )
    found = _nearest_gauges(conn, gauges, float(max_km))
    found = found.merge(reporting.drop(columns=["lon", "lat"]).rename(columns={"code": "gauge"}), on="gauge")
    columns = ["id", "gauge", "gauge_name", "gauge_km", "reports", "mm_1h", "mm_3h", "mm_24h"]
    return found[columns].sort_values(["id", "gauge_km", "gauge"], kind="stable").reset_index(drop=True)


def _nearest_gauges(conn, gauges: tuple[str, list], max_km: float | None) -> pd.DataFrame:
    """Return each hazard point's nearest ``gauges`` (SQL with code, lon, lat; all at the smallest distance).

    Columns id, gauge, gauge_km; within ``max_km`` when given (a point with none there has no
    row), else the nearest of all. The search joins grid cells sized to the gauges' density
    (NEAR_GAUGE_SPACINGS typical spacings, NEAR_GAUGE_MIN_KM..NEAR_GAUGE_KM, never wider than
    ``max_km``), 3 x 3 cells around each point, instead of every pair (the 10 M-row bench
    store: 11.8 M pairs, a minute). A nearest gauge found there closer than one cell width is
    the nearest of all (the 3 x 3 block reaches that far in every direction; a 1 % margin for
    the sphere against the cells' flat degrees); the other points are searched again in cells
    NEAR_GAUGE_WIDEN times wider, up to ``max_km`` (whose block holds every gauge within it)
    or, without one, FAR_GAUGE_CELL_KM, and then against every gauge.
    """
    count, span_km2, points = run(
        conn,
        f"""SELECT count(*) AS n, ((max(lat) - min(lat)) / {DEG_LAT_PER_KM})
                                  * ((max(lon) - min(lon)) * {KM_PER_DEG_LON_EQUATOR} * cos(radians(avg(lat)))) AS km2,
                   (SELECT count(*) FROM hazard_points WHERE lon IS NOT NULL AND lat IS NOT NULL) AS points
            FROM ({gauges[0]})""",
        gauges[1],
    ).iloc[0]
    if not count or not points:
        return pd.DataFrame({"id": pd.Series(dtype=str), "gauge": pd.Series(dtype=str), "gauge_km": []})
    span_km2 = 0.0 if pd.isna(span_km2) else float(span_km2)
    spacing_km = (span_km2 / max(int(count), 1)) ** 0.5
    cell_km = min(NEAR_GAUGE_KM, max(NEAR_GAUGE_MIN_KM, NEAR_GAUGE_SPACINGS * spacing_km))
    widest_km = FAR_GAUGE_CELL_KM if max_km is None else max_km
    parts, sure = [], []
    while True:
        cell_km = min(cell_km, widest_km)
        found = _cell_search(conn, gauges, cell_km, max_km, sure if sure else None)
        if max_km is not None and cell_km >= max_km:
            # Every gauge within max_km of a point lies in its 3 x 3 block of max_km cells.
            parts.append(found)
            break
        proven = found[found["gauge_km"] <= 0.99 * cell_km]
        parts.append(proven)
        sure += proven["id"].unique().tolist()
        if len(sure) >= points:
            break
        if cell_km >= widest_km:
            parts.append(_every_gauge(conn, gauges, sure))  # the few points farther than that from any gauge
            break
        cell_km *= NEAR_GAUGE_WIDEN
    return pd.concat(parts, ignore_index=True)


def _cell_search(conn, gauges: tuple[str, list], cell_km: float, max_km: float | None, exclude) -> pd.DataFrame:
    """Return the nearest ``gauges`` in the 3 x 3 cells of ``cell_km`` around each hazard point not in ``exclude``."""
    distance = haversine_sql("p.lon", "p.lat", "g.lon", "g.lat")
    skip = "AND h.id NOT IN (SELECT unnest(?::VARCHAR[]))" if exclude is not None else ""
    return run(
        conn,
        f"""
        WITH span AS (
            SELECT ?::DOUBLE * ? AS dlat,
                   ?::DOUBLE / {KM_PER_DEG_LON_EQUATOR} / cos(radians(least(coalesce(max(abs(lat)), 0), 89))) AS dlon
            FROM hazard_points
        ),
        gauge_cells AS (
            SELECT g.code, g.lon, g.lat, floor(g.lat / dlat)::BIGINT AS cy, floor(g.lon / dlon)::BIGINT AS cx
            FROM ({gauges[0]}) g, span
        ),
        point_cells AS (
            SELECT h.id, h.lon, h.lat, floor(h.lat / dlat)::BIGINT + dy AS cy, floor(h.lon / dlon)::BIGINT + dx AS cx
            FROM hazard_points h, span, range(-1, 2) AS a(dy), range(-1, 2) AS b(dx)
            WHERE h.lon IS NOT NULL AND h.lat IS NOT NULL {skip}
        ),
        pairs AS MATERIALIZED (
            SELECT p.id, g.code, {distance} AS km
            FROM point_cells p JOIN gauge_cells g ON g.cy = p.cy AND g.cx = p.cx
        ),
        nearest AS (SELECT id, min(km) AS km FROM pairs WHERE km <= ? GROUP BY id)
        SELECT DISTINCT p.id, p.code AS gauge, p.km AS gauge_km
        FROM pairs p JOIN nearest n ON n.id = p.id AND n.km = p.km
        """,
        [float(cell_km), DEG_LAT_PER_KM, float(cell_km)]
        + gauges[1]
        + ([list(map(str, exclude))] if exclude is not None else [])
        + [float("inf") if max_km is None else float(max_km)],
    )


def _every_gauge(conn, gauges: tuple[str, list], exclude: list) -> pd.DataFrame:
    """Return the nearest ``gauges`` of each hazard point not in ``exclude``, measured to every gauge."""
    distance = haversine_sql("h.lon", "h.lat", "g.lon", "g.lat")
    return run(
        conn,
        f"""
        WITH points AS MATERIALIZED (
            SELECT id, lon, lat FROM hazard_points
            WHERE lon IS NOT NULL AND lat IS NOT NULL AND id NOT IN (SELECT unnest(?::VARCHAR[]))
        ),
        pairs AS MATERIALIZED (
            SELECT h.id, g.code, {distance} AS km FROM points h CROSS JOIN ({gauges[0]}) g
        ),
        nearest AS (SELECT id, min(km) AS km FROM pairs GROUP BY id)
        SELECT p.id, p.code AS gauge, p.km AS gauge_km FROM pairs p JOIN nearest n ON n.id = p.id AND n.km = p.km
        """,
        [list(map(str, exclude)), *gauges[1]],
    )


def township_contacts(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return the responsible persons of the townships (all when empty), by township."""
    where = Where().any_of("c.township", townships)
    return run(
        conn,
        f"""
        SELECT c.township, t.name AS township_name, c.name, c.role, c.phone, c.is_demo
        FROM township_contacts c LEFT JOIN townships t ON t.code = c.township
        {where.sql()}
        ORDER BY c.township, c.role, c.name
        """,
        where.params,
    )


def warnings_issued(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the issued warnings, newest first, with recipient and acknowledgement counts."""
    return run(
        conn,
        """
        SELECT w.id, w.level, w.townships, w.text, w.channels, w.issued_by, w.issued_at,
               count(r.phone) AS recipients, count(r.acknowledged_at) AS acknowledged
        FROM warnings w LEFT JOIN warning_recipients r ON r.warning_id = w.id
        GROUP BY ALL
        ORDER BY w.issued_at DESC, w.id DESC
        """,
    )


def warning_recipients(conn: duckdb.DuckDBPyConnection, warning_id: int) -> pd.DataFrame:
    """Return the recipients of one warning with their acknowledgement time (NULL: not yet)."""
    return run(
        conn,
        """
        SELECT r.warning_id, r.township, t.name AS township_name, r.name, r.role, r.phone,
               r.acknowledged_at, w.issued_at
        FROM warning_recipients r
        JOIN warnings w ON w.id = r.warning_id
        LEFT JOIN townships t ON t.code = r.township
        WHERE r.warning_id = ?
        ORDER BY r.township, r.role, r.name
        """,
        [warning_id],
    )


def incident_needs(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the incident type -> stock category table."""
    return run(conn, "SELECT incident_type, category FROM incident_needs ORDER BY incident_type, category")


def _within(
    table: str, columns: str, lon: float, lat: float, radius_km: float, condition: str = ""
) -> tuple[str, list]:
    """SELECT of ``table`` rows (alias ``p``) within ``radius_km`` of a point, nearest first.

    A bounding box on the raw columns narrows the rows before the haversine is computed;
    ``condition`` is code-supplied SQL without values.
    """
    lat_margin = radius_km * DEG_LAT_PER_KM
    # Longitude degrees shrink with cos(lat); take the box edge nearest the pole.
    far_lat = min(abs(lat) + lat_margin, 89.9)
    lon_margin = radius_km / (KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(far_lat)))
    sql = f"""
        SELECT * FROM (
            SELECT {columns}, t.name AS township_name, {haversine_sql("?", "?", "p.lon", "p.lat")} AS distance_km
            FROM {table} p
            LEFT JOIN townships t ON t.code = p.township
            WHERE p.lat BETWEEN ? AND ? AND p.lon BETWEEN ? AND ? {condition}
        ) WHERE distance_km <= ?
        ORDER BY distance_km
    """
    # The haversine text holds the point's placeholders in the order lat, lat, lon.
    params = [lat, lat, lon, lat - lat_margin, lat + lat_margin, lon - lon_margin, lon + lon_margin, radius_km]
    return sql, params


def teams_within(conn: duckdb.DuckDBPyConnection, lon: float, lat: float, radius_km: float) -> pd.DataFrame:
    """Return rescue teams within ``radius_km`` of a point with their distance_km, nearest first."""
    sql, params = _within(
        "teams", "p.name, p.kind, p.members, p.leader, p.phone, p.township, p.lon, p.lat", lon, lat, radius_km
    )
    return run(conn, sql, params)


def shelters_within(conn: duckdb.DuckDBPyConnection, lon: float, lat: float, radius_km: float) -> pd.DataFrame:
    """Return shelters with free capacity within ``radius_km`` of a point, nearest first."""
    sql, params = _within(
        "shelters",
        "p.name, p.kind, p.capacity, p.occupancy, greatest(p.capacity - coalesce(p.occupancy, 0), 0) AS free, "
        "p.township, p.lon, p.lat",
        lon,
        lat,
        radius_km,
        condition="AND p.capacity > p.occupancy",
    )
    return run(conn, sql, params)


def hazards_within(conn: duckdb.DuckDBPyConnection, lon: float, lat: float, radius_km: float) -> pd.DataFrame:
    """Return hazard points within ``radius_km`` of a point with people exposed, nearest first."""
    sql, params = _within(
        "hazard_points",
        "p.id, p.name, p.kind, p.people, p.households, p.township, p.lon, p.lat",
        lon,
        lat,
        radius_km,
    )
    return run(conn, sql, params)


def warehouses_within(
    conn: duckdb.DuckDBPyConnection, lon: float, lat: float, radius_km: float, categories: Sequence[str] = ()
) -> pd.DataFrame:
    """Return warehouses within ``radius_km`` holding stock of ``categories`` (any when empty).

    ``items`` lists the matching stock as "item quantity unit" text, ``item_count`` counts it.
    """
    near_sql, near_params = _within(
        "warehouses", "p.name, p.township, p.address, p.manager, p.phone, p.lon, p.lat", lon, lat, radius_km
    )
    # Only the stock of the warehouses in range is aggregated.
    stock = Where().add("quantity > 0").add("warehouse IN (SELECT name FROM near)").any_of("category", categories)
    return run(
        conn,
        f"""
        WITH near AS ({near_sql})
        SELECT near.*, s.item_count, s.items
        FROM near JOIN (
            SELECT warehouse, count(*) AS item_count,
                   string_agg(item || ' ' || CAST(round(quantity) AS BIGINT) || coalesce(unit, ''), '、'
                              ORDER BY category, item) AS items
            FROM stock {stock.sql()} GROUP BY warehouse
        ) s ON s.warehouse = near.name
        ORDER BY near.distance_km
        """,
        [*near_params, *stock.params],
    )


def dispatches(conn: duckdb.DuckDBPyConnection, incident_id: str | None = None) -> pd.DataFrame:
    """Return the dispatch log, newest first; only one incident's when ``incident_id`` is given."""
    where = Where()
    if incident_id is not None:
        where.add("d.incident_id = ?", incident_id)
    return run(
        conn,
        f"""
        SELECT d.id, d.incident_id, d.lon, d.lat, d.resource_kind, d.resource_name, d.items,
               d.distance_km, d.eta_min, d.status, d.note, d.created_by, d.created_at, d.updated_at
        FROM dispatches d {where.sql()}
        ORDER BY d.created_at DESC, d.id DESC
        """,
        where.params,
    )


def shelter_gaps(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return per township the people at hazard points against shelter capacity.

    Columns: code, name, hazard_people, shelter_capacity, shelter_free, shortfall
    (people minus capacity, 0 when covered); sorted by shortfall, largest first.
    """
    return run(
        conn,
        """
        WITH people AS (SELECT township, coalesce(sum(people), 0) AS n FROM hazard_points GROUP BY township),
             places AS (SELECT township, sum(capacity) AS capacity,
                               sum(greatest(capacity - coalesce(occupancy, 0), 0)) AS free
                        FROM shelters GROUP BY township)
        SELECT t.code, t.name,
               coalesce(p.n, 0)::BIGINT AS hazard_people,
               coalesce(s.capacity, 0)::BIGINT AS shelter_capacity,
               coalesce(s.free, 0)::BIGINT AS shelter_free,
               greatest(coalesce(p.n, 0) - coalesce(s.capacity, 0), 0)::BIGINT AS shortfall
        FROM townships t
        LEFT JOIN people p ON p.township = t.code
        LEFT JOIN places s ON s.township = t.code
        ORDER BY shortfall DESC, t.code
        """,
    )


# --- data import ---


def gauge_freshness(conn: duckdb.DuckDBPyConnection, as_of: datetime, max_age_minutes: int) -> pd.DataFrame:
    """Return every gauge with its latest report at or before ``as_of`` and whether it is stale.

    Columns: code, name, township, township_name, source, lon, lat, last_ts (NULL if it never
    reported), age_min (minutes from last_ts to as_of), stale (no report within
    ``max_age_minutes``); stale gauges first, oldest first.
    """
    return run(
        conn,
        """
        WITH last AS (SELECT station, max(ts) AS last_ts FROM rainfall WHERE ts <= ? GROUP BY station)
        SELECT g.code, g.name, g.township, t.name AS township_name, g.source, g.lon, g.lat, l.last_ts,
               date_diff('minute', l.last_ts, CAST(? AS TIMESTAMP)) AS age_min,
               (l.last_ts IS NULL OR l.last_ts < CAST(? AS TIMESTAMP) - to_minutes(CAST(? AS BIGINT))) AS stale
        FROM rain_gauges g
        LEFT JOIN last l ON l.station = g.code
        LEFT JOIN townships t ON t.code = g.township
        ORDER BY stale DESC, l.last_ts NULLS FIRST, g.code
        """,
        [as_of, as_of, as_of, max_age_minutes],
    )


def stale_gauges(conn: duckdb.DuckDBPyConnection, as_of: datetime, max_age_minutes: int) -> pd.DataFrame:
    """Return the gauges with no report in the ``max_age_minutes`` before ``as_of`` (columns as gauge_freshness)."""
    frame = gauge_freshness(conn, as_of, max_age_minutes)
    return frame[frame["stale"]].reset_index(drop=True)


def source_freshness(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return per source and kind the latest data time, row count and last import.

    The source of rainfall is its gauge's source, of incidents their own; import_log adds
    kinds that carry no source column. Columns: source, kind, latest_data_at, rows,
    last_import_at.
    """
    return run(
        conn,
        """
        WITH data AS (
            SELECT coalesce(g.source, '') AS source, 'rainfall' AS kind, max(r.ts) AS latest_data_at, count(*) AS rows
            FROM rainfall r LEFT JOIN rain_gauges g ON g.code = r.station GROUP BY 1
            UNION ALL
            SELECT coalesce(source, ''), 'incidents', max(greatest(occurred_at, coalesce(updated_at, occurred_at))), count(*)
            FROM incidents GROUP BY 1
        ),
        imports AS (
            SELECT coalesce(source, '') AS source, kind, max(latest_data_at) AS latest_data_at,
                   sum(accepted) AS rows, max(imported_at) AS last_import_at
            FROM import_log GROUP BY 1, 2
        )
        SELECT coalesce(d.source, i.source) AS source, coalesce(d.kind, i.kind) AS kind,
               coalesce(d.latest_data_at, i.latest_data_at) AS latest_data_at,
               CAST(coalesce(d.rows, i.rows) AS BIGINT) AS rows, i.last_import_at
        FROM data d FULL OUTER JOIN imports i ON i.source = d.source AND i.kind = d.kind
        ORDER BY latest_data_at DESC NULLS LAST, source, kind
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    )


def import_log(conn: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """Return the latest imports, newest first."""
    return run(
        conn,
        """
        SELECT id, imported_at, file_name, kind, source, file_format, accepted, rejected, inserted, updated,
               latest_data_at, user_name, file_hash
        FROM import_log ORDER BY id DESC LIMIT ?
        """,
        [limit],
    )


def user(conn: duckdb.DuckDBPyConnection, username: str) -> pd.DataFrame:
    """Return the account row of ``username`` (empty when unknown), password hash included."""
    return run(conn, "SELECT * FROM users WHERE username = ?", [username])


def users(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return every account without its password hash; ``has_password`` tells local sign-in apart."""
    return run(
        conn,
        """
        SELECT username, display_name, role, password_hash IS NOT NULL AS has_password, disabled,
               failed_logins, locked_until, last_login_at, created_at, updated_at
        FROM users ORDER BY role, username
        """,
    )


def session_user(conn: duckdb.DuckDBPyConnection, token_hash: str, now: datetime) -> str | None:
    """Return the user name of a live browser session, None when unknown or expired."""
    return store.scalar(
        conn, "SELECT username FROM login_sessions WHERE token_hash = ? AND expires_at > ?", [token_hash, now]
    )


def audit_log(
    conn: duckdb.DuckDBPyConnection,
    start: datetime | None = None,
    end: datetime | None = None,
    usernames: Sequence[str] = (),
    actions: Sequence[str] = (),
    outcomes: Sequence[str] = (),
    limit: int = 10_000,
) -> pd.DataFrame:
    """Return audit entries, newest first, optionally within (start, end] and for some users/actions/outcomes."""
    where = Where()
    if start is not None:
        where.add("logged_at > ?", start)
    if end is not None:
        where.add("logged_at <= ?", end)
    where.any_of("username", usernames).any_of("action", actions).any_of("outcome", outcomes)
    return run(
        conn,
        f"""
        SELECT id, logged_at, username, role, action, object, outcome, detail, client
        FROM audit_log{where.sql()} ORDER BY id DESC LIMIT ?
        """,
        [*where.params, limit],
    )


def quarantine(conn: duckdb.DuckDBPyConnection, file_hash: str | None = None, limit: int = 100_000) -> pd.DataFrame:
    """Return quarantined rows (all files, or one file by hash), newest import first, by row."""
    where = Where()
    if file_hash:
        where.add("file_hash = ?", file_hash)
    return run(
        conn,
        f"""
        SELECT import_id, file_name, kind, row_number, reason, field, value, raw, quarantined_at, file_hash
        FROM quarantine {where.sql()}
        ORDER BY import_id DESC, row_number LIMIT ?
        """,
        [*where.params, limit],
    )


def quarantine_files(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return one row per quarantined file: file_hash, file_name, kind, rows, last quarantined time."""
    return run(
        conn,
        """
        SELECT file_hash, any_value(file_name) AS file_name, any_value(kind) AS kind, count(*) AS rows,
               max(quarantined_at) AS quarantined_at
        FROM quarantine GROUP BY file_hash ORDER BY quarantined_at DESC
        """,
    )


# --- township command view and grid management ---


def villages(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return the villages/communities of the townships (all when empty) with geometry (WKB), by code."""
    where = Where().any_of("v.township", townships)
    return run(
        conn,
        f"""
        SELECT v.code, v.name, v.kind, v.township, t.name AS township_name, v.geometry, v.area_km2,
               v.population, v.label_lon, v.label_lat, v.is_demo
        FROM villages v LEFT JOIN townships t ON t.code = v.township
        {where.sql()}
        ORDER BY v.code
        """,
        where.params,
    )


def grids(conn: duckdb.DuckDBPyConnection, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return the grid cells of the townships (all when empty) with their grid member, geometry (WKB), by code."""
    where = Where().any_of("g.township", townships)
    return run(
        conn,
        f"""
        SELECT g.code, g.name, g.village, v.name AS village_name, g.township, t.name AS township_name,
               g.geometry, g.area_km2, g.keeper, g.phone, g.label_lon, g.label_lat, g.is_demo
        FROM grids g
        LEFT JOIN villages v ON v.code = g.village
        LEFT JOIN townships t ON t.code = g.township
        {where.sql()}
        ORDER BY g.code
        """,
        where.params,
    )


def duty_leaders(conn: duckdb.DuckDBPyConnection, moment: datetime, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Return the leader on duty (值班领导) of each township on the calendar day of ``moment``.

    Columns: township, township_name, duty_date, name, title (a code), phone, is_demo.
    """
    where = Where().add("d.duty_date = CAST(? AS DATE)", moment).any_of("d.township", townships)
    return run(
        conn,
        f"""
        SELECT d.township, t.name AS township_name, d.duty_date, d.name, d.title, d.phone, d.is_demo
        FROM duty_roster d LEFT JOIN townships t ON t.code = d.township
        {where.sql()}
        ORDER BY d.township
        """,
        where.params,
    )


def township_freshness(conn: duckdb.DuckDBPyConnection, as_of: datetime, max_age_minutes: int) -> pd.DataFrame:
    """Return per township how current its data is at ``as_of``.

    Columns: code, name, gauges, stale_gauges (no report within ``max_age_minutes`` before
    ``as_of``, or never), last_rain_at (latest rain report of its gauges at or before
    ``as_of``), rain_lag_min (minutes from it to ``as_of``; NULL without any report),
    last_report_at (latest incident report or update at or before ``as_of``); by code.
    """
    return run(
        conn,
        """
        WITH last AS (SELECT station, max(ts) AS last_ts FROM rainfall WHERE ts <= ? GROUP BY station),
        per_township AS (
            SELECT g.township, count(*) AS gauges,
                   count(*) FILTER (WHERE l.last_ts IS NULL
                                    OR l.last_ts < CAST(? AS TIMESTAMP) - to_minutes(CAST(? AS BIGINT))) AS stale_gauges,
                   max(l.last_ts) AS last_rain_at
            FROM rain_gauges g LEFT JOIN last l ON l.station = g.code
            GROUP BY g.township
        ),
        reports AS (
            -- An update after as_of is not known yet at as_of: the report time counts then.
            SELECT township,
                   max(CASE WHEN updated_at > occurred_at AND updated_at <= ? THEN updated_at ELSE occurred_at END)
                       AS last_report_at
            FROM incidents WHERE occurred_at <= ?
            GROUP BY township
        )
        SELECT t.code, t.name, coalesce(p.gauges, 0) AS gauges, coalesce(p.stale_gauges, 0) AS stale_gauges,
               p.last_rain_at, date_diff('minute', p.last_rain_at, CAST(? AS TIMESTAMP)) AS rain_lag_min,
               r.last_report_at
        FROM townships t
        LEFT JOIN per_township p ON p.township = t.code
        LEFT JOIN reports r ON r.township = t.code
        ORDER BY t.code
        """,  # noqa: E501 - embedded SQL/CSS/JS text
        [as_of, as_of, max_age_minutes, as_of, as_of, as_of],
    )


# --- any county: data completeness ---


def _table_columns(conn: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Columns of ``table`` from the catalogue: the whitelist for identifiers below."""
    frame = run(conn, "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])
    return set(frame["column_name"])


def table_completeness(
    conn: duckdb.DuckDBPyConnection, table: str, time_column: str | None, columns: Sequence[str]
) -> pd.DataFrame:
    """One row: ``rows``, ``latest`` (max of ``time_column``) and ``null_<column>`` per column.

    ``table`` and the columns are checked against the catalogue and quoted; only columns
    that exist are counted.
    """
    tables = set(run(conn, "SELECT table_name FROM information_schema.tables")["table_name"])
    if table not in tables:
        raise ValueError(f"unknown table {table!r}")
    allowed = _table_columns(conn, table)
    quoted_table = quote_identifier(table)
    parts = ["count(*) AS rows"]
    parts.append(f"max({identifier(time_column, allowed)}) AS latest" if time_column else "NULL AS latest")
    for column in columns:
        if column in allowed:
            alias = quote_identifier(f"null_{column}")
            parts.append(f"count(*) FILTER (WHERE {identifier(column, allowed)} IS NULL) AS {alias}")
    return run(conn, f"SELECT {', '.join(parts)} FROM {quoted_table}")


def row_counts(conn: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> dict[str, int]:
    """Return the number of rows of each table, counted in one statement.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
    tables : sequence of str
        Table names; checked against the catalogue and quoted, as identifiers cannot be parameters.

    Returns
    -------
    dict[str, int]
        Table -> rows, in the order given (each table once).
    """
    names = list(dict.fromkeys(tables))
    known = set(run(conn, "SELECT table_name FROM information_schema.tables")["table_name"])
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown tables {unknown!r}")
    if not names:
        return {}
    counts = " UNION ALL ".join(f"SELECT ? AS name, count(*) AS n FROM {quote_identifier(name)}" for name in names)
    frame = run(conn, counts, names)
    found = dict(zip(frame["name"], frame["n"], strict=True))
    return {name: int(found[name]) for name in names}


def township_coverage(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per township: gauges, latest rain, incidents, warehouses, teams, shelters (with capacity) and hazard points."""
    return run(
        conn,
        """
        WITH gauges AS (SELECT township, count(*) AS n FROM rain_gauges GROUP BY township),
        rain AS (
            SELECT g.township, max(r.ts) AS latest FROM rainfall r JOIN rain_gauges g ON g.code = r.station
            GROUP BY g.township
        ),
        incidents AS (SELECT township, count(*) AS n, max(occurred_at) AS latest FROM incidents GROUP BY township),
        warehouses AS (SELECT township, count(*) AS n FROM warehouses GROUP BY township),
        teams AS (SELECT township, count(*) AS n, sum(members) AS members FROM teams GROUP BY township),
        shelters AS (SELECT township, count(*) AS n, sum(capacity) AS capacity FROM shelters GROUP BY township),
        hazards AS (SELECT township, count(*) AS n FROM hazard_points GROUP BY township)
        SELECT t.code, t.name,
               coalesce(g.n, 0) AS gauges, r.latest AS latest_rain,
               coalesce(i.n, 0) AS incidents, i.latest AS latest_incident,
               coalesce(w.n, 0) AS warehouses,
               coalesce(tm.n, 0) AS teams, coalesce(tm.members, 0) AS team_members,
               coalesce(s.n, 0) AS shelters, coalesce(s.capacity, 0) AS shelter_capacity,
               coalesce(h.n, 0) AS hazard_points
        FROM townships t
        LEFT JOIN gauges g ON g.township = t.code
        LEFT JOIN rain r ON r.township = t.code
        LEFT JOIN incidents i ON i.township = t.code
        LEFT JOIN warehouses w ON w.township = t.code
        LEFT JOIN teams tm ON tm.township = t.code
        LEFT JOIN shelters s ON s.township = t.code
        LEFT JOIN hazards h ON h.township = t.code
        ORDER BY t.code
        """,
    )
