"""The live demo: a small SL 323 SQLite database on the demo county and a replay of the June storm.

``python -m emergency demo --live`` (before starting the app) builds ``data/sl323_demo.db``
with synthetic stations on the demo county (rain gauges, three river stations with 警戒/保证
levels, two reservoirs with 汛限 levels by period), registers it as the feed 演示水文 in the
store, and then writes the storm into it in accelerated time: one 5-minute step every
``--step-seconds`` (default 10 s, 30x). Rain comes from the demo store's own storm (the nearest
demo gauge, 7 days later than the stored storm, so it is the newest data); levels follow a
simple runoff model of that rain. The app's sync loop picks the reports up, so the map, the
KPI, the alarms and the big screen move; stop the replay and the feed falls silent (an alarm).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import sqlalchemy as sa

from emergency import commandline, config, demo, store
from emergency.clock import local_now
from emergency.feed import sl323, sync, water

FEED_NAME = "演示水文"
DEFAULT_PATH = config.DATA_DIR / "sl323_demo.db"
# The replay writes the stored storm again, shifted this much later (after the stored data).
SHIFT = timedelta(days=7)
CODE_PREFIX = "6240"
STEP_MIN = demo.STEP_MIN
# Replay feed settings: the worker runs each wall minute; the storm clock runs faster, so the
# silence limit is in storm minutes accordingly.
DEMO_EVERY_MIN = 1
# (code suffix, name, river, township index, base level m, rise at the storm's peak m, WRZ, GRZ)
RIVERS = (
    ("0101", "信江旭日水文站", "信江", 0, 62.0, 7.2, 67.0, 68.5),
    ("0102", "丰溪河石垅水位站", "丰溪河", 3, 71.5, 4.6, 75.0, 77.0),
    ("0103", "饶北河茶亭水位站", "饶北河", 6, 83.0, 2.4, 86.5, 88.0),
)
# (code suffix, name, township index, start level, rise at peak, flood limits [(BGMD, EDMD, FSLTDZ)])
RESERVOIRS = (
    ("0201", "七一水库", 8, 110.6, 3.0, (("0401", "0630", 112.0), ("0701", "0930", 113.0), ("1001", "0331", 114.0))),
    ("0202", "大坳水库", 10, 201.0, 1.4, (("0401", "0630", 203.5), ("0701", "0930", 204.0), ("1001", "0331", 205.0))),
)
# Rain gauges of the SL 323 source: one per township (its label point, shifted ~1 km).
GAUGE_SHIFT_DEG = 0.008


def url_of(path: Path) -> str:
    """Return the SQLAlchemy URL of the SQLite file at ``path``."""
    return f"sqlite:///{Path(path).resolve()}"


@dataclass
class Plan:
    """Everything the replay writes, computed once: stations and one frame per report table."""

    stations: list[dict]
    rivers: list[dict]
    limits: list[dict]
    rain: pd.DataFrame  # STCD, TM, DRP
    levels: pd.DataFrame  # STCD, TM, kind, Z, Q
    steps: list[datetime]


def plan(conn: duckdb.DuckDBPyConnection) -> Plan:
    """Stations on the demo county and their reports for the whole storm (deterministic)."""
    county_code = store.get_meta(conn).get("county_code", demo.COUNTY_CODE)
    towns = store.run(conn, "SELECT code, name, label_lon, label_lat FROM townships ORDER BY code")
    if towns.empty:
        raise ValueError("the store has no townships")
    gauges = store.run(
        conn, "SELECT code, lon, lat FROM rain_gauges WHERE code NOT LIKE ? ORDER BY code", [CODE_PREFIX + "%"]
    )
    stations, rivers, limits = [], [], []
    pp = []
    for i, town in enumerate(towns.itertuples()):
        code = f"{CODE_PREFIX}{i + 1:04d}"
        pp.append((code, town.label_lon + GAUGE_SHIFT_DEG, town.label_lat + GAUGE_SHIFT_DEG))
        stations.append(
            dict(
                STCD=code,
                STNM=f"{town.name}遥测雨量站",
                LGTD=Decimal(f"{town.label_lon + GAUGE_SHIFT_DEG:.6f}"),
                LTTD=Decimal(f"{town.label_lat + GAUGE_SHIFT_DEG:.6f}"),
                ADDVCD=county_code,
                STTP="PP",
                ADMAUTH="演示",
                USFL="1",
            )
        )
    water_sites = []
    for suffix, name, river, index, base, rise, wrz, grz in RIVERS:
        town = towns.iloc[index % len(towns)]
        lon, lat = town.label_lon - GAUGE_SHIFT_DEG, town.label_lat - GAUGE_SHIFT_DEG
        stations.append(
            dict(
                STCD=CODE_PREFIX + suffix,
                STNM=name,
                RVNM=river,
                HNNM="鄱阳湖水系",
                BSNM="信江",
                LGTD=Decimal(f"{lon:.6f}"),
                LTTD=Decimal(f"{lat:.6f}"),
                STLC=f"{town['name']}",
                ADDVCD=county_code,
                STTP="ZQ",
                ADMAUTH="演示",
                USFL="1",
            )
        )
        rivers.append(dict(STCD=CODE_PREFIX + suffix, WRZ=Decimal(f"{wrz:.2f}"), GRZ=Decimal(f"{grz:.2f}")))
        water_sites.append((CODE_PREFIX + suffix, "river", lon, lat, base, rise))
    for suffix, name, index, base, rise, periods in RESERVOIRS:
        town = towns.iloc[index % len(towns)]
        lon, lat = town.label_lon + GAUGE_SHIFT_DEG, town.label_lat - GAUGE_SHIFT_DEG
        stations.append(
            dict(
                STCD=CODE_PREFIX + suffix,
                STNM=name,
                LGTD=Decimal(f"{lon:.6f}"),
                LTTD=Decimal(f"{lat:.6f}"),
                STLC=f"{town['name']}",
                ADDVCD=county_code,
                STTP="RR",
                ADMAUTH="演示",
                USFL="1",
            )
        )
        limits += [dict(STCD=CODE_PREFIX + suffix, BGMD=b, EDMD=e, FSLTDZ=Decimal(f"{z:.2f}")) for b, e, z in periods]
        water_sites.append((CODE_PREFIX + suffix, "reservoir", lon, lat, base, rise))

    rain_frames = []
    storm = store.run(
        conn, "SELECT station, ts, mm FROM rainfall WHERE ts > ? AND ts <= ?", [demo.STORM_START, demo.DEMO_NOW]
    )
    wide = storm.pivot_table(index="ts", columns="station", values="mm", aggfunc="sum").sort_index()
    steps = list(wide.index.to_pydatetime())

    def nearest(lon, lat, k=1):
        d = (gauges["lon"] - lon) ** 2 + (gauges["lat"] - lat) ** 2
        return list(gauges.loc[d.nsmallest(k).index, "code"])

    for code, lon, lat in pp:
        near = [c for c in nearest(lon, lat) if c in wide.columns]
        if not near:
            continue
        mm = wide[near[0]].fillna(0.0).round(1)
        reported = mm[mm > 0]
        rain_frames.append(pd.DataFrame({"STCD": code, "TM": reported.index + SHIFT, "DRP": reported.to_numpy()}))
    rain = pd.concat(rain_frames, ignore_index=True) if rain_frames else pd.DataFrame(columns=["STCD", "TM", "DRP"])

    level_frames = []
    for code, kind, lon, lat, base, rise in water_sites:
        near = [c for c in nearest(lon, lat, 6) if c in wide.columns]
        basin = wide[near].fillna(0.0).mean(axis=1).to_numpy()
        # Runoff: rivers respond within hours (recession ~6 h), reservoirs over days (~2 days).
        memory = np.exp(-STEP_MIN / (360.0 if kind == "river" else 2880.0))
        store_ = np.zeros_like(basin)
        acc = 0.0
        for i, r in enumerate(basin):
            acc = acc * memory + r
            store_[i] = acc
        scaled = store_ / store_.max() if store_.max() > 0 else store_
        level = base + rise * scaled
        flow = 40.0 * (level - base + 0.5) ** 1.6 if kind == "river" else 15.0 + 300.0 * scaled
        level_frames.append(
            pd.DataFrame(
                {"STCD": code, "TM": wide.index + SHIFT, "kind": kind, "Z": np.round(level, 2), "Q": np.round(flow, 1)}
            )
        )
    levels = pd.concat(level_frames, ignore_index=True)
    return Plan(stations, rivers, limits, rain, levels, [s + SHIFT for s in steps])


def build_source(path: Path, p: Plan) -> sa.Engine:
    """Create a fresh SL 323 SQLite file with the plan's stations and thresholds (no reports yet)."""
    path = Path(path)
    if path.exists():
        path.unlink()
    engine = sa.create_engine(url_of(path))
    sl323.create(engine)
    sl323.insert(engine, sl323.ST_STBPRP_B, p.stations)
    sl323.insert(engine, sl323.ST_RVFCCH_B, p.rivers)
    sl323.insert(engine, sl323.ST_RSVRFSR_B, p.limits)
    return engine


def write_until(engine: sa.Engine, p: Plan, after: datetime | None, until: datetime) -> int:
    """Write the plan's reports with ``after < TM <= until``; return rows written."""

    def between(frame):
        keep = frame["TM"] <= until
        if after is not None:
            keep &= frame["TM"] > after
        return frame[keep]

    rain = between(p.rain)
    levels = between(p.levels)
    rain_rows = [
        dict(STCD=r.STCD, TM=r.TM.to_pydatetime(), DRP=Decimal(f"{r.DRP:.1f}"), INTV=Decimal("0.05"))
        for r in rain.itertuples()
    ]
    river_rows = [
        dict(STCD=r.STCD, TM=r.TM.to_pydatetime(), Z=Decimal(f"{r.Z:.2f}"), Q=Decimal(f"{r.Q:.1f}"))
        for r in levels[levels["kind"] == "river"].itertuples()
    ]
    rsvr_rows = [
        dict(STCD=r.STCD, TM=r.TM.to_pydatetime(), RZ=Decimal(f"{r.Z:.2f}"), OTQ=Decimal(f"{r.Q:.1f}"))
        for r in levels[levels["kind"] == "reservoir"].itertuples()
    ]
    sl323.insert(engine, sl323.ST_PPTN_R, rain_rows)
    sl323.insert(engine, sl323.ST_RIVER_R, river_rows)
    sl323.insert(engine, sl323.ST_RSVR_R, rsvr_rows)
    return len(rain_rows) + len(river_rows) + len(rsvr_rows)


def reset_store(conn: duckdb.DuckDBPyConnection) -> None:
    """Forget what an earlier live demo synced (its stations' rows, runs, marks), keep the rest."""
    like = CODE_PREFIX + "%"
    with store.transaction(conn) as cursor:
        for table, column in (
            ("rainfall", "station"),
            ("rain_hourly", "station"),
            ("rain_gauges", "code"),
            ("gauge_intervals", "station"),
            ("water_levels", "station"),
            ("water_thresholds", "station"),
            ("flood_limits", "station"),
            ("water_stations", "code"),
        ):
            cursor.execute(f"DELETE FROM {table} WHERE {column} LIKE ?", [like])
        for table, column in (("feed_runs", "feed"), ("feed_marks", "feed")):
            cursor.execute(f"DELETE FROM {table} WHERE {column} = ?", [FEED_NAME])
        cursor.execute("DELETE FROM quarantine WHERE file_name LIKE ?", [FEED_NAME + " · %"])


def set_clock(conn: duckdb.DuckDBPyConnection, at: datetime, speed: float) -> None:
    """Store the replay clock: wall-clock now stands for ``at``, and time runs ``speed`` times faster."""
    store.set_meta(
        conn,
        {
            water.CLOCK_META: json.dumps(
                {"wall": local_now(precise=True).isoformat(), "at": at.isoformat(), "speed": speed}
            )
        },
    )


def prepare(db_path: Path, source_path: Path, step_s: float, warmup_h: float) -> tuple[Plan, datetime]:
    """Build the source, register the feed and the replay clock in the store; return the plan and the start."""
    demo.ensure_demo(db_path)
    conn = store.connect(db_path)
    try:
        p = plan(conn)
        reset_store(conn)
        start = p.steps[0] + timedelta(hours=warmup_h)
        engine = build_source(source_path, p)
        write_until(engine, p, None, start)
        engine.dispose()
        speed = STEP_MIN * 60 / step_s
        sync.save_feed(
            conn,
            sync.Feed(
                name=FEED_NAME,
                every_min=DEMO_EVERY_MIN,
                overlap_min=60,
                silent_min=int(min(10080, max(15, 2 * DEMO_EVERY_MIN * speed))),
                first_days=30,
            ),
            url=url_of(source_path),
        )
        set_clock(conn, start, speed)
    finally:
        conn.close()
    return p, start


def main(argv: list[str] | None = None) -> int:
    """Run the live demo from the command line (see the module's docstring); return the exit status."""
    parser = commandline.parser("python -m emergency demo --live", __doc__)
    parser.add_argument("--live", action="store_true", required=True)
    parser.add_argument("--path", type=Path, default=config.database_path(), help="the demo store")
    parser.add_argument("--source", type=Path, default=DEFAULT_PATH, help="the SL 323 SQLite file to (re)create")
    parser.add_argument(
        "--step-seconds", type=float, default=10.0, help="wall seconds per 5-minute step (default 10: 30x)"
    )
    parser.add_argument(
        "--warmup-hours",
        type=float,
        default=40.0,
        help="storm hours written at once before the replay (default 40: just before the big episode)",
    )
    parser.add_argument("--steps", type=int, default=None, help="stop after this many steps (default: the whole storm)")
    args = parser.parse_args(argv)
    try:
        p, start = prepare(args.path, args.source, args.step_seconds, args.warmup_hours)
    except duckdb.IOException as error:
        print(f"cannot write {args.path}: stop the app first, run this, then start the app ({error})", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"live demo refused: {error}", file=sys.stderr)
        return 1
    print(f"SL 323 demo source {args.source} registered as feed {FEED_NAME} in {args.path}")
    print("start the app now in another terminal: bash scripts/run.sh  (Ctrl-C here stops the feed: watch the alarm)")
    engine = sa.create_engine(url_of(args.source))
    frontier, done = start, 0
    try:
        for step in (s for s in p.steps if s > start):
            time.sleep(args.step_seconds)
            rows = write_until(engine, p, frontier, step)
            frontier = step
            done += 1
            print(f"{step:%m-%d %H:%M}  {rows} reports", flush=True)
            if args.steps is not None and done >= args.steps:
                break
    except KeyboardInterrupt:
        print("replay stopped")
    finally:
        engine.dispose()
    return 0
