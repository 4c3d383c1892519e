"""Benchmark of the feed: ``python -m emergency bench feed [--stations 5000] [--dir D]``.

Two syncs from an SL 323 SQLite source, each timed once next to the same rows written through
DuckDB alone (one INSERT of the rows from memory plus the hourly sums, in one transaction):

* a regular run: 5 minutes of reports of every station (plus the overlap window re-read);
* a 24 h catch-up after the source was down for a day.

The ratio (sync / DuckDB alone) is the price of reading the source, checking every row like a
file import, upserting and recording the run.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from emergency import commandline, store
from emergency.feed import sl323, sync

T0 = datetime(2026, 6, 20, 0, 0)
BOX = (117.5, 28.0, 118.5, 29.0)


def _store(path: Path) -> None:
    conn = store.connect(path)
    county = shapely.box(*BOX)
    west, east = shapely.box(BOX[0], BOX[1], 118.0, BOX[3]), shapely.box(118.0, BOX[1], BOX[2], BOX[3])
    store.set_meta(conn, {"county_code": "999999", "county_name": "基准县", "is_demo": "true"})
    conn.execute("INSERT INTO county VALUES ('999999', '基准县', ?, 10000, ?, ?, ?, ?)", [shapely.to_wkb(county), *BOX])
    for code, geom in (("999999001", west), ("999999002", east)):
        p = geom.representative_point()
        conn.execute(
            "INSERT INTO townships VALUES (?, ?, ?, 5000, 1000, ?, ?, true)",
            [code, code, shapely.to_wkb(geom), p.x, p.y],
        )
    conn.close()


def _source(path: Path, n: int, rng: np.random.Generator) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{path}")
    sl323.create(engine)
    engine.dispose()
    codes = [f"9{i:07d}" for i in range(n)]
    lon = rng.uniform(BOX[0] + 0.01, BOX[2] - 0.01, n)
    lat = rng.uniform(BOX[1] + 0.01, BOX[3] - 0.01, n)
    with sqlite3.connect(path) as db:
        db.executemany(
            'INSERT INTO "ST_STBPRP_B" (STCD, STNM, LGTD, LTTD, ADDVCD, STTP) VALUES (?, ?, ?, ?, ?, ?)',
            [(c, f"站{c}", float(x), float(y), "999999", "PP") for c, x, y in zip(codes, lon, lat, strict=True)],
        )
    return codes


def _reports(codes: list[str], first: datetime, steps: int, rng: np.random.Generator) -> pd.DataFrame:
    ts = [first + timedelta(minutes=5 * (i + 1)) for i in range(steps)]
    frame = pd.DataFrame(
        {
            "STCD": np.repeat(codes, steps),
            "TM": np.tile(ts, len(codes)),
            "DRP": np.round(rng.gamma(0.6, 1.5, len(codes) * steps), 1),
        }
    )
    return frame


def _write_source(path: Path, frame: pd.DataFrame) -> None:
    with sqlite3.connect(path) as db:
        db.executemany(
            'INSERT INTO "ST_PPTN_R" (STCD, TM, DRP, INTV) VALUES (?, ?, ?, 0.05)',
            zip(
                frame["STCD"],
                frame["TM"].dt.strftime("%Y-%m-%d %H:%M:%S.000000"),
                frame["DRP"].astype(float),
                strict=True,
            ),
        )


def _duckdb_alone(path: Path, frame: pd.DataFrame) -> float:
    """Write the same rows into a copy of the store with DuckDB alone: insert + hourly sums, one transaction."""
    conn = store.connect(path)
    rows = pd.DataFrame(
        {"station": frame["STCD"], "ts": frame["TM"], "mm": frame["DRP"].astype(float), "interval_min": np.int16(5)}
    )
    started = time.perf_counter()
    with store.transaction(conn) as cursor:
        cursor.register("bench_rows", rows)
        cursor.execute("INSERT INTO rainfall SELECT station, ts, mm, interval_min FROM bench_rows")
        store.add_rain_hourly(cursor, "bench_rows")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def run(n: int = 5000, workdir: Path | None = None, seed: int = 7) -> list[dict]:
    """Both cases in ``workdir`` (a temporary directory, removed afterwards, when omitted)."""
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="yitu-feed-bench-") as temporary:
            return run(n, Path(temporary), seed)
    rng = np.random.default_rng(seed)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for case, history_h, new_steps in (("5 min of reports", 24, 1), ("24 h catch-up", 1, 288)):
        db, twin, src = workdir / f"{case[:2]}.duckdb", workdir / f"{case[:2]}-alone.duckdb", workdir / f"{case[:2]}.db"
        for p in (db, twin, src):
            p.unlink(missing_ok=True)
        _store(db)
        codes = _source(src, n, rng)
        history = _reports(codes, T0, history_h * 12, rng)
        _write_source(src, history)
        conn = store.connect(db)
        mark = T0 + timedelta(hours=history_h)
        # The URL is given to each run: the benchmark leaves the settings file alone.
        url = f"sqlite:///{src}"
        sync.save_feed(conn, sync.Feed(name="基准源", overlap_min=60, first_days=3))
        first = sync.run_feed(conn, "基准源", now=mark, url=url)
        assert first.ok, first.error
        conn.close()
        import shutil

        shutil.copy(db, twin)
        new = _reports(codes, mark, new_steps, rng)
        _write_source(src, new)
        conn = store.connect(db)
        result = sync.run_feed(conn, "基准源", now=mark + timedelta(minutes=5 * new_steps), url=url)
        conn.close()
        assert result.ok and result.inserted == len(new), (result, len(new))
        alone = _duckdb_alone(twin, new)
        results.append(
            dict(
                case=case,
                stations=n,
                new_rows=len(new),
                read_rows=result.read_rows,
                sync_s=result.seconds,
                duckdb_s=alone,
                ratio=result.seconds / alone,
            )
        )
    return results


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Run the sync benchmark from the command line (see the module's docstring); return the exit status.

    ``prog`` is the help's (``python -m emergency bench feed`` passes its own).
    """
    parser = commandline.parser(prog or "python -m emergency.feed.bench", __doc__)
    parser.add_argument("--stations", type=int, default=5000)
    parser.add_argument("--dir", type=Path, default=None, help="work directory (default: a new temporary one)")
    args = parser.parse_args(argv)
    print(f"{'case':<20}{'stations':>9}{'new rows':>10}{'read rows':>11}{'sync s':>9}{'DuckDB s':>10}{'ratio':>8}")
    for r in run(args.stations, args.dir):
        print(
            f"{r['case']:<20}{r['stations']:>9,}{r['new_rows']:>10,}{r['read_rows']:>11,}{r['sync_s']:>9.2f}"
            f"{r['duckdb_s']:>10.3f}{r['ratio']:>8.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
