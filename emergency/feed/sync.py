"""One incremental sync run of a feed: read the SL 323 source, validate like a file import, write once.

A run reads stations, thresholds and every report newer than each table's high-water mark
minus the feed's overlap window (late and corrected reports inside it are upserted). Every
table then goes through the file-import engine's checks (out of area, sentinel, impossible
values, unknown station, future time, duplicates) on one private cursor, and all accepted rows,
quarantined rows, import-log rows, the new marks and the run record are committed in ONE
transaction: a failure anywhere (source down while reading, a store error while writing)
leaves the store as it was, and the run is recorded as failed with its error, credentials
masked.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from emergency import shared_cache, store
from emergency.clock import local_now
from emergency.feed import secrets
from emergency.feed.source import REPORT_TABLES, Source
from emergency.ingest import engine
from emergency.ingest.kinds import KINDS, Field, Kind
from emergency.ingest.readers import Table

log = logging.getLogger(__name__)

FEED_KINDS = ("sl323",)
# SL 323 station types read into the store (STTP): rain gauges, river and reservoir stations.
RAIN_TYPES = ("PP",)
RIVER_TYPES = ("ZQ", "ZZ")
RESERVOIR_TYPES = ("RR",)
# Minutes of a daily rain total (DYP) reported without a period rain.
DAY_MIN = 1440

LEVEL = {"min_value": -100.0, "max_value": 9000.0}
FLOW = {"min_value": 0.0, "max_value": 1_000_000.0}

# Kinds of the feed's own tables, checked by the file-import engine like any file.
WATER_STATION_KIND = Kind(
    "water_stations",
    "water_stations",
    ("code",),
    (
        Field("code", "text", True),
        Field("name", "text", True),
        Field("kind", "text", True),
        Field("river"),
        Field("basin"),
        Field("township", "township"),
        Field("lon", "float", True),
        Field("lat", "float", True),
        Field("address"),
        Field("source"),
    ),
    location="point",
    source_field="source",
)
WATER_LEVEL_KIND = Kind(
    "water_levels",
    "water_levels",
    ("station", "ts"),
    (
        Field("station", "text", True),
        Field("ts", "time", True, not_future=True),
        Field("level_m", "float", True, **LEVEL),
        Field("flow_m3s", "float", False, **FLOW),
        Field("inflow_m3s", "float", False, **FLOW),
        Field("storage_1e6m3", "float", False, min_value=0.0, max_value=1e6),
        Field("trend"),
    ),
    time_field="ts",
    references=(("station", "water_stations", "code"),),
)
WATER_THRESHOLD_KIND = Kind(
    "water_thresholds",
    "water_thresholds",
    ("station",),
    (
        Field("station", "text", True),
        Field("warning_level_m", "float", False, **LEVEL),
        Field("guarantee_level_m", "float", False, **LEVEL),
        Field("warning_flow_m3s", "float", False, **FLOW),
        Field("guarantee_flow_m3s", "float", False, **FLOW),
    ),
    references=(("station", "water_stations", "code"),),
)
FLOOD_LIMIT_KIND = Kind(
    "flood_limits",
    "flood_limits",
    ("station", "begin_md"),
    (
        Field("station", "text", True),
        Field("begin_md", "text", True),
        Field("end_md", "text", True),
        Field("limit_level_m", "float", True, **LEVEL),
    ),
    references=(("station", "water_stations", "code"),),
)


@dataclass(frozen=True)
class Feed:
    """A configured source (the ``feeds`` row); its URL is in the settings file."""

    name: str
    kind: str = "sl323"
    url_shown: str = ""
    stations_filter: str | None = None
    crs: str = "cgcs2000"
    every_min: int = 5
    overlap_min: int = 60
    silent_min: int = 15
    first_days: int = 3
    enabled: bool = True


# Why a run failed (texts ``feed_error.<kind>`` in emergency.i18n); the message itself is data.
ERROR_KINDS = ("unreachable", "schema", "no_url", "store", "other")


def error_kind(error: BaseException) -> str:
    """Classify a run's failure for the people reading the freshness tab."""
    import sqlalchemy

    from emergency.feed.source import SourceError

    if isinstance(error, LookupError):
        return "no_url"
    if isinstance(error, (SourceError, sqlalchemy.exc.NoSuchTableError)):
        return "schema"
    if isinstance(error, (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, OSError, TimeoutError)):
        return "unreachable"
    if isinstance(error, (sqlalchemy.exc.ProgrammingError,)):
        return "schema"
    if isinstance(error, duckdb.Error):
        return "store"
    return "other"


@dataclass
class RunResult:
    """What one run did."""

    feed: str
    run_id: int | None
    ok: bool
    read_rows: int = 0
    inserted: int = 0
    updated: int = 0
    rejected: int = 0
    stations: int = 0
    latest_data_at: datetime | None = None
    error: str | None = None
    error_kind: str | None = None
    seconds: float = 0.0


FEED_COLUMNS = (
    "name",
    "kind",
    "url_shown",
    "stations_filter",
    "crs",
    "every_min",
    "overlap_min",
    "silent_min",
    "first_days",
    "enabled",
)


def feeds(conn: duckdb.DuckDBPyConnection) -> list[Feed]:
    """Every configured feed, by name."""
    frame = store.run(conn, f"SELECT {', '.join(FEED_COLUMNS)} FROM feeds ORDER BY name")
    return [
        Feed(**{k: (None if pd.isna(v) else v) if k == "stations_filter" else v for k, v in row.items()})
        for row in frame.to_dict("records")
    ]


def get_feed(conn: duckdb.DuckDBPyConnection, name: str) -> Feed | None:
    """Return the configured feed named ``name``, or None."""
    return next((f for f in feeds(conn) if f.name == name), None)


def save_feed(conn: duckdb.DuckDBPyConnection, feed: Feed, url: str | None = None) -> Feed:
    """Create or change a feed; a given URL goes to the settings file, only its masked form to the store."""
    if feed.kind not in FEED_KINDS:
        raise ValueError(f"feed kind {feed.kind!r} ∉ {', '.join(FEED_KINDS)}")
    if not feed.name.strip():
        raise ValueError("feed name is empty")
    for field, low, high in (
        ("every_min", 1, 1440),
        ("overlap_min", 0, 10080),
        ("silent_min", 1, 10080),
        ("first_days", 1, 400),
    ):
        value = getattr(feed, field)
        if not isinstance(value, (int, np.integer)) or not low <= value <= high:
            raise ValueError(f"{field} must be a whole number from {low} to {high}, not {value!r}")
    from emergency.feed.source import parse_filter

    parse_filter(feed.stations_filter)
    from emergency import geo

    geo.to_wgs84(118.0, 28.0, feed.crs)  # raises ValueError for an unknown CRS
    if url is not None:
        import sqlalchemy

        sqlalchemy.engine.make_url(url)  # raises for a malformed URL
        secrets.set_feed_url(feed.name, url)
        feed = Feed(**{**feed.__dict__, "url_shown": secrets.mask(url)})
    values = [getattr(feed, c) for c in FEED_COLUMNS]
    with store.transaction(conn) as cursor:
        cursor.execute(
            f"INSERT OR REPLACE INTO feeds ({', '.join(FEED_COLUMNS)}, created_at) VALUES "
            f"({', '.join('?' for _ in FEED_COLUMNS)}, coalesce((SELECT created_at FROM feeds WHERE name = ?), ?))",
            [*values, feed.name, local_now(precise=True)],
        )
    return feed


def _interval_min(intv: pd.Series) -> pd.Series:
    """SL 323 INTV is hours.minutes (0.05 = 5 min, 1.00 = 1 h, 6.00 = 6 h) -> minutes."""
    value = pd.to_numeric(intv, errors="coerce")
    hours = np.floor(value)
    return (hours * 60 + np.round((value - hours) * 100)).astype("Float64")


def _text(values: pd.Series) -> pd.Series:
    """Values as the text an import file would hold (None stays missing), trimmed; empty is missing."""
    try:
        # Arrow casts a whole column at once (times as 2026-06-20 08:05:00, numbers as 1.5).
        array = pa.array(values, from_pandas=True)
        if pa.types.is_timestamp(array.type):
            array = pc.strftime(array, format="%Y-%m-%d %H:%M:%S")
        text = pc.utf8_trim_whitespace(array.cast(pa.string()))
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        return pd.Series(text.to_numpy(zero_copy_only=False), index=values.index, dtype=object)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass  # a column of mixed Python types: one value at a time

    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, (datetime, pd.Timestamp)):
            return pd.Timestamp(v).strftime("%Y-%m-%d %H:%M:%S")
        text = str(v).strip()
        return text or None

    return pd.Series([one(v) for v in values], index=values.index, dtype=object)


def _table(feed: Feed, standard: str, frame: pd.DataFrame, run_key: str) -> Table:
    """Wrap the rows as an engine Table: headers = column names, text cells c0..cN, row numbers from 1."""
    headers = list(frame.columns)
    data = pd.DataFrame({f"c{i}": _text(frame[h]) for i, h in enumerate(headers)})
    data.insert(0, "_row", np.arange(1, len(frame) + 1))
    digest = hashlib.sha256(f"{feed.name}\x00{standard}\x00{run_key}".encode()).hexdigest()
    return Table(file_name=f"{feed.name} · {standard}", format="sl323", headers=headers, sha256=digest, frame=data)


@dataclass
class _Totals:
    inserted: int = 0
    updated: int = 0
    rejected: int = 0


def _ingest(
    cursor, feed: Feed, spec: Kind, standard: str, frame: pd.DataFrame, run_key: str, now: datetime, totals: _Totals
) -> datetime | None:
    """Check and write one table's rows with the import engine, inside the run's transaction."""
    if frame.empty:
        return None
    table = _table(feed, standard, frame, run_key)
    mapping = {f.name: f.name if f.name in frame.columns else None for f in spec.fields}
    report = engine.write_rows_in(cursor, spec, table, mapping, feed.crs, now, feed.name)
    import_id = report.import_id
    # The overlap window reads the same rejected rows again at every run: keep the newest copy.
    cursor.execute(
        """DELETE FROM quarantine q WHERE q.file_name = ? AND q.import_id <> ?
           AND EXISTS (SELECT 1 FROM quarantine n WHERE n.import_id = ? AND n.raw = q.raw)""",
        [table.file_name, import_id, import_id],
    )
    if not (report.inserted or report.updated or report.rejected):
        # Nothing changed: the run record says so; the import history stays readable.
        cursor.execute("DELETE FROM import_log WHERE id = ?", [import_id])
    totals.inserted += report.inserted
    totals.updated += report.updated
    totals.rejected += report.rejected
    return report.latest_data_at


def _stations(snapshot, feed: Feed) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rain gauges (PP stations and any station with rain reports) and river/reservoir stations."""
    st = snapshot["ST_STBPRP_B"].copy()
    st["STCD"] = st["STCD"].astype(object).map(lambda v: str(v).strip() if v is not None else None)
    sttp = st["STTP"].astype(object).map(lambda v: str(v).strip().upper() if v is not None else "")
    rain_codes = {str(v).strip() for v in pd.unique(snapshot["ST_PPTN_R"]["STCD"]) if v is not None}
    is_rain = sttp.isin(RAIN_TYPES) | st["STCD"].isin(rain_codes)
    gauges = pd.DataFrame(
        {
            "code": st["STCD"],
            "name": st["STNM"],
            "kind": np.where(sttp.isin(RAIN_TYPES), "automatic", "hydrological"),
            "lon": st["LGTD"],
            "lat": st["LTTD"],
        }
    )[is_rain.to_numpy()]
    is_water = sttp.isin(RIVER_TYPES + RESERVOIR_TYPES)
    water = pd.DataFrame(
        {
            "code": st["STCD"],
            "name": st["STNM"],
            "kind": np.where(sttp.isin(RESERVOIR_TYPES), "reservoir", "river"),
            "river": st["RVNM"],
            "basin": st["HNNM"],
            "lon": st["LGTD"],
            "lat": st["LTTD"],
            "address": st["STLC"],
        }
    )[is_water.to_numpy()]
    return gauges, water


def _codes(values: pd.Series) -> pd.Series:
    """Station codes trimmed (SL 323 STCD is CHAR(8), padded by some databases), per distinct value."""
    distinct = pd.unique(values)
    trimmed = {
        v: str(v).strip() if v is not None and not (isinstance(v, float) and np.isnan(v)) else None for v in distinct
    }
    return values.map(trimmed)


def _rain(cursor, snapshot) -> pd.DataFrame:
    """Rain reports of any period as rows of ``rainfall`` whose sums stay exact.

    A daily total (DYP, no DRP) is a 1,440-minute period. A report covering shorter reports of
    the same station (an hourly total at the hour next to its 5-minute reports, a daily total
    next to hourly ones) is stored as what remains after them, so no rain is counted twice.
    """
    p = snapshot["ST_PPTN_R"]
    if p.empty:
        return pd.DataFrame(columns=["station", "ts", "mm", "interval_min"])
    frame = pd.DataFrame(
        {
            "station": _codes(p["STCD"]),
            "ts": pd.to_datetime(p["TM"], errors="coerce"),
            "mm": pd.to_numeric(p["DRP"], errors="coerce"),
            "interval_min": _interval_min(p["INTV"]),
        }
    )
    daily = frame["mm"].isna() & pd.to_numeric(p["DYP"], errors="coerce").notna()
    frame.loc[daily, "mm"] = pd.to_numeric(p["DYP"], errors="coerce")[daily]
    frame.loc[daily, "interval_min"] = DAY_MIN
    frame = frame.reset_index(drop=True)
    known = frame["interval_min"].notna() & frame["ts"].notna() & frame["mm"].notna()
    # Shorter periods first, so a 6-hour total is reduced by hourly rows already reduced by
    # their 5-minute rows.
    for period in sorted(set(frame.loc[known, "interval_min"].astype(int)))[1:]:
        cursor.register("feed_rain", frame.reset_index(names="_i"))
        try:
            covered = cursor.execute(
                """
                WITH batch AS (SELECT station, ts, mm, interval_min FROM feed_rain WHERE mm IS NOT NULL AND ts IS NOT NULL),
                finer AS (
                    SELECT station, ts, mm, interval_min FROM batch
                    UNION ALL
                    SELECT r.station, r.ts, r.mm, r.interval_min FROM rainfall r
                    WHERE r.ts > (SELECT min(ts) FROM batch) - INTERVAL 1 DAY AND r.ts <= (SELECT max(ts) FROM batch)
                      AND r.station IN (SELECT station FROM batch)
                      AND NOT EXISTS (SELECT 1 FROM batch b WHERE b.station = r.station AND b.ts = r.ts)
                )
                SELECT c._i, sum(f.mm) AS finer_mm, min(f.interval_min) AS finer_min
                FROM feed_rain c JOIN finer f
                  ON f.station = c.station AND f.ts < c.ts
                 AND f.ts > c.ts - to_minutes(CAST(c.interval_min AS BIGINT)) AND f.interval_min < c.interval_min
                WHERE c.mm IS NOT NULL AND c.interval_min = ?
                GROUP BY c._i
                """,  # noqa: E501 - embedded SQL/CSS/JS text
                [period],
            ).df()
        finally:
            cursor.unregister("feed_rain")
        if not covered.empty:
            index = covered["_i"].to_numpy()
            frame.loc[index, "mm"] = np.maximum(
                frame.loc[index, "mm"].to_numpy(dtype=float) - covered["finer_mm"].to_numpy(dtype=float), 0.0
            ).round(3)
            frame.loc[index, "interval_min"] = covered["finer_min"].to_numpy()
    return frame


def _levels(snapshot) -> pd.DataFrame:
    river, rsvr = snapshot["ST_RIVER_R"], snapshot["ST_RSVR_R"]
    parts = []
    if not river.empty:
        parts.append(
            (
                "ST_RIVER_R",
                pd.DataFrame(
                    {
                        "station": river["STCD"],
                        "ts": river["TM"],
                        "level_m": river["Z"],
                        "flow_m3s": river["Q"],
                        "trend": river["WPTN"],
                    }
                ),
            )
        )
    if not rsvr.empty:
        parts.append(
            (
                "ST_RSVR_R",
                pd.DataFrame(
                    {
                        "station": rsvr["STCD"],
                        "ts": rsvr["TM"],
                        "level_m": rsvr["RZ"],
                        "flow_m3s": rsvr["OTQ"],
                        "inflow_m3s": rsvr["INQ"],
                        "storage_1e6m3": rsvr["W"],
                        "trend": rsvr["RWPTN"],
                    }
                ),
            )
        )
    return parts


def _month_day(values: pd.Series) -> pd.Series:
    """MMDD text (SL 323 BGMD/EDMD); anything else is missing, so the row is rejected."""

    def one(v):
        text = "" if v is None else str(v).strip()
        text = text.zfill(4) if text.isdigit() and len(text) in (3, 4) else text
        if len(text) == 4 and text.isdigit() and 1 <= int(text[:2]) <= 12 and 1 <= int(text[2:]) <= 31:
            return text
        return None

    return values.map(one)


def _marks(cursor, feed: str) -> dict[str, datetime]:
    return dict(cursor.execute("SELECT source_table, high_water FROM feed_marks WHERE feed = ?", [feed]).fetchall())


def _since(feed: Feed, marks: dict[str, datetime], now: datetime) -> dict[str, datetime]:
    """Each report table is read from its mark minus the overlap, or ``first_days`` back on a first run."""
    return {
        t: (marks[t] - timedelta(minutes=feed.overlap_min)) if t in marks else now - timedelta(days=feed.first_days)
        for t in REPORT_TABLES
    }


def _start_run(conn, feed: str, started: datetime, attempt: int) -> int:
    with store.transaction(conn) as cursor:
        return cursor.execute(
            "INSERT INTO feed_runs (feed, started_at, attempt) VALUES (?, ?, ?) RETURNING id", [feed, started, attempt]
        ).fetchone()[0]


# A run with no end this long after its start died with its process (a run reads with timeouts).
ABANDONED_AFTER_MIN = 60


def close_abandoned_runs(conn, now: datetime, after_min: int = ABANDONED_AFTER_MIN) -> int:
    """Record as interrupted every run that has no end ``after_min`` minutes after its start; return how many.

    A process killed during a run (a restart, the machine going down) leaves its start row
    without an end; without this it would show as running forever.
    """
    before = now - timedelta(minutes=after_min)
    with store.transaction(conn) as cursor:
        # (no RETURNING: the postgres extension does not support it on UPDATE)
        closed = cursor.execute(
            "SELECT count(*) FROM feed_runs WHERE ended_at IS NULL AND started_at < ?", [before]
        ).fetchone()[0]
        if closed:
            cursor.execute(
                """UPDATE feed_runs SET ended_at = ?, ok = false, error_kind = 'interrupted',
                          error = 'no end recorded ' || CAST(? AS VARCHAR) || ' min after the start'
                   WHERE ended_at IS NULL AND started_at < ?""",
                [now, after_min, before],
            )
    return int(closed)


def _finish_run(cursor, result: RunResult, ended: datetime) -> None:
    cursor.execute(
        """UPDATE feed_runs SET ended_at = ?, ok = ?, read_rows = ?, inserted = ?, updated = ?, rejected = ?,
                  stations = ?, latest_data_at = ?, error_kind = ?, error = ? WHERE id = ?""",
        [
            ended,
            result.ok,
            result.read_rows,
            result.inserted,
            result.updated,
            result.rejected,
            result.stations,
            result.latest_data_at,
            result.error_kind,
            result.error,
            result.run_id,
        ],
    )


def run_feed(
    conn: duckdb.DuckDBPyConnection,
    feed: Feed | str,
    *,
    now: datetime | None = None,
    url: str | None = None,
    attempt: int = 1,
    source: Source | None = None,
    before_commit: Callable[[duckdb.DuckDBPyConnection, RunResult], None] | None = None,
) -> RunResult:
    """Sync one feed once; never raises for a source or data problem (the run records it).

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
        The store, read-write.
    feed : Feed or str
        The feed or its name.
    now : datetime, optional
        Local time (tests, the replay); the clock's otherwise.
    url : str, optional
        Source URL; the settings file's ``[yitu_feeds]`` entry of the feed otherwise.
    attempt : int
        1 for a scheduled run, 2.. for retries (recorded).
    source : Source, optional
        An open source (tests); made from the URL otherwise.
    before_commit : callable, optional
        Called with the run's cursor and result inside the transaction that records the run
        (with its rows, or its failure), just before the commit: the audit row of a run asked
        for by a person is committed with the run or not at all.

    Returns
    -------
    RunResult
    """
    clock = time.perf_counter()
    if isinstance(feed, str):
        found = get_feed(conn, feed)
        if found is None:
            raise ValueError(f"no feed named {feed!r}")
        feed = found
    now = now or local_now(precise=True)
    # Run times follow ``now`` (the wall clock unless a test or the replay gives another).
    result = RunResult(feed.name, _start_run(conn, feed.name, now, attempt), ok=False)

    def ended() -> datetime:
        return now + timedelta(seconds=time.perf_counter() - clock)

    url = url or secrets.feed_url(feed.name)
    own_source = source is None
    try:
        if source is None:
            if not url:
                raise LookupError(f"no URL for feed {feed.name!r} in [{secrets.SECTION}] of {secrets.settings_path()}")
            source = Source(url, feed.stations_filter)
        # Marks are read outside the write lock: only this feed's run moves them.
        cursor = conn.cursor()
        try:
            marks = _marks(cursor, feed.name)
        finally:
            cursor.close()
        snapshot = source.read(_since(feed, marks, now))
        result.read_rows = snapshot.rows
        _write_snapshot(conn, feed, snapshot, marks, now, result, ended, before_commit)
    except Exception as error:  # the run record keeps any failure; the worker retries
        text = str(error).strip().splitlines()[0][:500] if str(error).strip() else type(error).__name__
        result.ok = False
        result.inserted = result.updated = result.rejected = 0
        result.latest_data_at = None
        result.error = secrets.scrub(f"{type(error).__name__}: {text}", url)
        result.error_kind = error_kind(error)
        log.warning("feed %s run %s failed: %s", feed.name, result.run_id, result.error)
        with store.transaction(conn) as cursor:
            _finish_run(cursor, result, ended())
            if before_commit is not None:
                before_commit(cursor, result)
    finally:
        if own_source and source is not None:
            source.close()
    result.seconds = time.perf_counter() - clock
    return result


def _write_snapshot(
    conn,
    feed: Feed,
    snapshot,
    marks: dict[str, datetime],
    now: datetime,
    result: RunResult,
    ended,
    before_commit: Callable[[duckdb.DuckDBPyConnection, RunResult], None] | None = None,
) -> None:
    """Everything the run read, checked and written in one transaction (with the run record)."""
    totals = _Totals()
    run_key = str(result.run_id)
    cursor = conn.cursor()
    cursor.execute("SET enable_progress_bar = false")
    try:
        with engine.WRITE_LOCK, store.process_lock(conn, "import"):
            cursor.execute("BEGIN TRANSACTION")
            try:
                gauges, water = _stations(snapshot, feed)
                result.stations = len(snapshot["ST_STBPRP_B"])
                _ingest(cursor, feed, KINDS["rain_gauges"], "ST_STBPRP_B", gauges, run_key, now, totals)
                _ingest(cursor, feed, WATER_STATION_KIND, "ST_STBPRP_B", water, run_key + "w", now, totals)
                new_marks = dict(marks)
                rain = _rain(cursor, snapshot)
                latest = _ingest(cursor, feed, KINDS["rainfall"], "ST_PPTN_R", rain, run_key, now, totals)
                if latest is not None:
                    new_marks["ST_PPTN_R"] = max(latest, marks.get("ST_PPTN_R", latest))
                    cursor.execute(
                        """INSERT OR REPLACE INTO gauge_intervals
                           SELECT station, min(interval_min) FROM rainfall
                           WHERE ts >= ? AND station IN (SELECT code FROM rain_gauges) GROUP BY station""",
                        [latest - timedelta(days=1)],
                    )
                for standard, levels in _levels(snapshot):
                    latest = _ingest(cursor, feed, WATER_LEVEL_KIND, standard, levels, run_key, now, totals)
                    if latest is not None:
                        new_marks[standard] = max(latest, marks.get(standard, latest))
                rv = snapshot["ST_RVFCCH_B"]
                _ingest(
                    cursor,
                    feed,
                    WATER_THRESHOLD_KIND,
                    "ST_RVFCCH_B",
                    pd.DataFrame(
                        {
                            "station": rv["STCD"],
                            "warning_level_m": rv["WRZ"],
                            "guarantee_level_m": rv["GRZ"],
                            "warning_flow_m3s": rv["WRQ"],
                            "guarantee_flow_m3s": rv["GRQ"],
                        }
                    ),
                    run_key,
                    now,
                    totals,
                )
                fs = snapshot["ST_RSVRFSR_B"]
                _ingest(
                    cursor,
                    feed,
                    FLOOD_LIMIT_KIND,
                    "ST_RSVRFSR_B",
                    pd.DataFrame(
                        {
                            "station": fs["STCD"],
                            "begin_md": _month_day(fs["BGMD"]),
                            "end_md": _month_day(fs["EDMD"]),
                            "limit_level_m": fs["FSLTDZ"],
                        }
                    ),
                    run_key,
                    now,
                    totals,
                )
                for standard, mark in new_marks.items():
                    cursor.execute("INSERT OR REPLACE INTO feed_marks VALUES (?, ?, ?)", [feed.name, standard, mark])
                result.ok = True
                result.inserted, result.updated, result.rejected = totals.inserted, totals.updated, totals.rejected
                result.latest_data_at = max(new_marks.values()) if new_marks else None
                _finish_run(cursor, result, ended())
                if totals.inserted or totals.updated:
                    shared_cache.bump_in(cursor)  # every replica drops its cached results at this commit
                if before_commit is not None:
                    before_commit(cursor, result)
                cursor.execute("COMMIT")
            except BaseException:
                engine.rollback(cursor)
                raise
    finally:
        cursor.close()
