"""Rivers and reservoirs against their thresholds, and the freshness of every live source.

:func:`station_states` is THE rule for a water station's state at a moment (below 警戒,
over 警戒, over 保证, reservoir over 汛限): the map layer, the KPI 超警戒站点, the warning page,
the duty briefing and the big screen all draw its result, never a second computation.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from emergency import store

# States, mildest first; rank orders them for sorting and colours (emergency.vocab-like).
STATES = ("no_data", "normal", "over_flood_limit", "over_warning", "over_guarantee")
STATE_RANK = {"no_data": 0, "normal": 1, "over_flood_limit": 2, "over_warning": 2, "over_guarantee": 3}
# States counted by the KPI 超警戒站点 and listed on the warning page.
OVER_STATES = ("over_flood_limit", "over_warning", "over_guarantee")
STATE_COLORS = {
    "no_data": (150, 150, 150),
    "normal": (44, 160, 44),
    "over_flood_limit": (255, 127, 14),
    "over_warning": (255, 127, 14),
    "over_guarantee": (214, 39, 40),
}
# A level older than this at the moment says nothing about the state now (no_data).
MAX_LEVEL_AGE_H = 6
# Default silence (minutes) after which a feed raises its alarm.
DEFAULT_SILENT_MIN = 15

# Flood limit of a reservoir on a day: the period BGMD..EDMD (MMDD, inclusive) holding the
# day; a period may run over the new year (1101..0331).
_LIMIT_SQL = """
    SELECT station, max(limit_level_m) AS limit_level_m FROM flood_limits
    WHERE (begin_md <= end_md AND ?::VARCHAR BETWEEN begin_md AND end_md)
       OR (begin_md > end_md AND (?::VARCHAR >= begin_md OR ?::VARCHAR <= end_md))
    GROUP BY station
"""


def _md(moment: datetime) -> list[str]:
    md = f"{moment:%m%d}"
    return [md, md, md]


def station_states(conn: duckdb.DuckDBPyConnection, moment: datetime, townships: tuple[str, ...] = ()) -> pd.DataFrame:
    """Each water station's latest level at ``moment`` and its state against its thresholds.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
    moment : datetime
        Local time; the latest report at or before it (within MAX_LEVEL_AGE_H) counts.
    townships : tuple of str
        Township codes to keep; all when empty.

    Returns
    -------
    pandas.DataFrame
        code, name, kind (river/reservoir), river, township, lon, lat, ts, level_m, flow_m3s,
        warning_level_m, guarantee_level_m, limit_level_m, threshold_m (the one exceeded, else
        the next one up), state (see STATES), excess_m (level - threshold_m), age_min.
        A level strictly above a threshold exceeds it (超).
    """
    frame = store.run(
        conn,
        f"""
        WITH last AS (
            SELECT station, max(ts) AS ts, arg_max(level_m, ts) AS level_m, arg_max(flow_m3s, ts) AS flow_m3s
            FROM water_levels WHERE ts <= ? AND ts > ?::TIMESTAMP - INTERVAL {MAX_LEVEL_AGE_H} HOUR
              AND level_m IS NOT NULL
            GROUP BY station
        ), lim AS ({_LIMIT_SQL}),
        judged AS (
            SELECT s.code, s.name, s.kind, s.river, s.township, s.lon, s.lat, l.ts, l.level_m, l.flow_m3s,
                   t.warning_level_m, t.guarantee_level_m, CASE WHEN s.kind = 'reservoir' THEN lim.limit_level_m END AS limit_level_m
            FROM water_stations s
            LEFT JOIN last l ON l.station = s.code
            LEFT JOIN water_thresholds t ON t.station = s.code
            LEFT JOIN lim ON lim.station = s.code
            WHERE (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], s.township))
        )
        SELECT *,
            CASE WHEN level_m IS NULL THEN 'no_data'
                 WHEN level_m > guarantee_level_m THEN 'over_guarantee'
                 WHEN level_m > warning_level_m THEN 'over_warning'
                 WHEN level_m > limit_level_m THEN 'over_flood_limit'
                 ELSE 'normal' END AS state,
            CASE WHEN level_m > guarantee_level_m THEN guarantee_level_m
                 WHEN level_m > warning_level_m THEN warning_level_m
                 WHEN level_m > limit_level_m THEN limit_level_m
                 ELSE coalesce(least(warning_level_m, limit_level_m), warning_level_m, limit_level_m) END AS threshold_m,
            date_diff('minute', ts, ?::TIMESTAMP) AS age_min
        FROM judged ORDER BY code
        """,  # noqa: E501 - embedded SQL/CSS/JS text
        [moment, moment, *_md(moment), list(townships), list(townships), moment],
    )
    frame["excess_m"] = frame["level_m"] - frame["threshold_m"]
    return frame


def over_count(conn: duckdb.DuckDBPyConnection, moment: datetime, townships: tuple[str, ...] = ()) -> int:
    """KPI 超警戒站点: stations over 警戒, 保证 or (reservoirs) 汛限 at ``moment``."""
    states = station_states(conn, moment, townships)
    return int(states["state"].isin(OVER_STATES).sum())


def over_periods(
    conn: duckdb.DuckDBPyConnection, start: datetime, end: datetime, townships: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Stations whose level went over their first threshold in (start, end]: time over and peak.

    The threshold is the one of :func:`station_states` at ``end`` (警戒 for rivers; 汛限 of the
    period holding ``end`` for reservoirs, or 警戒 where a reservoir has one). Time over sums the
    intervals from each report over the threshold to the next report (or ``end``), each at most
    MAX_LEVEL_AGE_H (a station that stopped reporting is not assumed over for ever).

    Returns
    -------
    pandas.DataFrame
        code, name, kind, township, threshold_m, first_over, over_minutes, peak_m, peak_at,
        level_m (latest), state (now), ordered by state rank then peak excess.
    """
    states = station_states(conn, end, townships)
    base = states.assign(first_m=states[["warning_level_m", "limit_level_m"]].min(axis=1))
    base = base[base["first_m"].notna()][["code", "first_m"]]
    if base.empty:
        return pd.DataFrame(
            columns=[
                "code",
                "name",
                "kind",
                "township",
                "threshold_m",
                "first_over",
                "over_minutes",
                "peak_m",
                "peak_at",
                "level_m",
                "state",
            ]
        )
    cursor = conn.cursor()
    try:
        cursor.register("water_first", base)
        periods = cursor.execute(
            f"""
            WITH r AS (
                SELECT w.station, w.ts, w.level_m, f.first_m,
                       lead(w.ts) OVER (PARTITION BY w.station ORDER BY w.ts) AS next_ts
                FROM water_levels w JOIN water_first f ON f.code = w.station
                WHERE w.ts > ? AND w.ts <= ? AND w.level_m IS NOT NULL
            )
            SELECT station AS code, any_value(first_m) AS threshold_m, min(ts) AS first_over,
                   sum(date_diff('minute', ts, least(coalesce(next_ts, ?::TIMESTAMP),
                                                     ts + INTERVAL {MAX_LEVEL_AGE_H} HOUR))) AS over_minutes,
                   max(level_m) AS peak_m, arg_max(ts, level_m) AS peak_at
            FROM r WHERE level_m > first_m GROUP BY station
            """,
            [start, end, end],
        ).df()
    finally:
        cursor.close()
    merged = periods.merge(states[["code", "name", "kind", "township", "level_m", "state"]], on="code")
    merged["rank"] = merged["state"].map(STATE_RANK)
    merged["peak_excess"] = merged["peak_m"] - merged["threshold_m"]
    merged = merged.sort_values(["rank", "peak_excess"], ascending=False).drop(columns=["rank", "peak_excess"])
    return merged[
        [
            "code",
            "name",
            "kind",
            "township",
            "threshold_m",
            "first_over",
            "over_minutes",
            "peak_m",
            "peak_at",
            "level_m",
            "state",
        ]
    ].reset_index(drop=True)


def hydrograph(conn: duckdb.DuckDBPyConnection, station: str, start: datetime, end: datetime) -> pd.DataFrame:
    """Read the level and flow of one station in (start, end], oldest first.

    Each report carries the 汛限 level of its day (reservoirs; it changes with the period, e.g. on 07-01).
    """
    return store.run(
        conn,
        """
        SELECT w.ts, w.level_m, w.flow_m3s, w.inflow_m3s,
               (SELECT max(l.limit_level_m) FROM flood_limits l
                WHERE l.station = w.station
                  AND ((l.begin_md <= l.end_md AND strftime(w.ts, '%m%d') BETWEEN l.begin_md AND l.end_md)
                    OR (l.begin_md > l.end_md AND (strftime(w.ts, '%m%d') >= l.begin_md
                                                   OR strftime(w.ts, '%m%d') <= l.end_md)))) AS limit_level_m
        FROM water_levels w WHERE w.station = ? AND w.ts > ? AND w.ts <= ? ORDER BY w.ts
        """,
        [station, start, end],
    )


def feed_status(conn: duckdb.DuckDBPyConnection, now: datetime) -> pd.DataFrame:
    """Freshness of every feed at ``now``.

    Returns
    -------
    pandas.DataFrame
        feed, enabled, silent_min, last_run_at, last_ok_at, last_error, latest_data_at,
        silent_for_min (now - newest report), state: ``ok``; ``retrying`` (last run failed, the
        source answered within the limit); ``down`` (no successful run within the limit);
        ``silent`` (no report newer than the limit, or never run since it was configured
        longer ago than the limit); ``never`` (configured within the limit, not run yet);
        ``disabled``; and ``alarm`` (down or silent).
    """
    frame = store.run(
        conn,
        """
        WITH runs AS (
            SELECT feed, max(started_at) AS last_run_at, max(ended_at) FILTER (WHERE ok) AS last_ok_at,
                   arg_max(ok, id) FILTER (WHERE ended_at IS NOT NULL) AS last_ok,
                   arg_max(error, id) FILTER (WHERE ended_at IS NOT NULL) AS last_error,
                   arg_max(error_kind, id) FILTER (WHERE ended_at IS NOT NULL) AS last_error_kind
            FROM feed_runs GROUP BY feed
        ), marks AS (SELECT feed, max(high_water) AS latest_data_at FROM feed_marks GROUP BY feed)
        SELECT f.name AS feed, f.enabled, f.silent_min, r.last_run_at, r.last_ok_at, r.last_ok, r.last_error,
               r.last_error_kind,
               m.latest_data_at, date_diff('minute', m.latest_data_at, ?::TIMESTAMP) AS silent_for_min,
               date_diff('minute', r.last_ok_at, ?::TIMESTAMP) AS since_ok_min,
               date_diff('minute', f.created_at, ?::TIMESTAMP) AS since_created_min
        FROM feeds f LEFT JOIN runs r ON r.feed = f.name LEFT JOIN marks m ON m.feed = f.name
        ORDER BY f.name
        """,
        [now, now, now],
    )

    def state(row) -> str:
        if not row.enabled:
            return "disabled"
        if pd.isna(row.last_run_at):
            # Configured but never run (no sync loop at all?) is silence too, once past the limit.
            return "silent" if row.since_created_min > row.silent_min else "never"
        failed = row.last_ok is False or (not pd.isna(row.last_ok) and not row.last_ok)
        if failed and (pd.isna(row.since_ok_min) or row.since_ok_min > row.silent_min):
            return "down"
        if pd.isna(row.silent_for_min) or row.silent_for_min > row.silent_min:
            return "silent"
        return "retrying" if failed else "ok"

    frame["state"] = [state(row) for row in frame.itertuples()] if not frame.empty else pd.Series(dtype=object)
    frame["alarm"] = frame["state"].isin(("down", "silent"))
    return frame.drop(columns=["last_ok", "since_ok_min", "since_created_min"])


def runs(conn: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """Read the latest sync runs of every feed, newest first (the import page's freshness tab)."""
    return store.run(
        conn,
        """SELECT feed, started_at, ended_at, ok, read_rows, inserted, updated, rejected, stations, latest_data_at,
                  attempt, error_kind, error FROM feed_runs ORDER BY started_at DESC, id DESC LIMIT ?""",
        [limit],
    )


# Meta key of the live demo's clock (see emergency.feed.demo): {"wall": ISO, "at": ISO, "speed": n}.
CLOCK_META = "live_clock"


def clock(conn: duckdb.DuckDBPyConnection) -> datetime:
    """Now, local time: the wall clock, or the live demo's accelerated storm clock when it runs."""
    return clock_of(store.scalar(conn, "SELECT value FROM meta WHERE key = ?", [CLOCK_META]))


def clock_of(value: str | None) -> datetime:
    """Now by the store's ``meta`` value under CLOCK_META (None: the wall clock); see :func:`clock`."""
    import json

    from emergency.clock import local_now

    wall = local_now(precise=True)
    if not value:
        return wall
    try:
        spec = json.loads(value)
        started, at, speed = (
            datetime.fromisoformat(spec["wall"]),
            datetime.fromisoformat(spec["at"]),
            float(spec["speed"]),
        )
    except (ValueError, KeyError, TypeError):
        return wall
    return at + (wall - started) * speed
