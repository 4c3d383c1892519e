"""Benchmark suite: builds (or reuses) a store at a scale and prints what it measured in one run.

Run with ``python -m emergency bench [--scale 83] [--json out.json]``. Numbers are printed
and written as JSON, never asserted: these machines are noisy. Ratios compare the app's path
(query function with its DataFrame shaping) with bare DuckDB running the same statements.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from emergency import charts, commandline, config, demo, export, pgstore, queries, store, warning
from emergency.briefing import build
from emergency.dispatch import DEFAULT_RADIUS_KM, nearby
from emergency.filters import Filters, bucket_minutes
from emergency.i18n import t

# Default scale: ~10 M five-minute rainfall rows (4,980 gauges x 2,016 steps).
DEFAULT_SCALE = 83.0
BENCH_DIR = config.DATA_DIR / "bench"
# Tables whose sizes the report lists.
COUNTED_TABLES = ("rain_gauges", "rainfall", "incidents", "stock", "teams", "shelters", "hazard_points")
# The issue's default data set beside the 10 M rainfall rows; resource rows are these tables'.
TARGET_INCIDENTS = 100_000
TARGET_RESOURCE_ROWS = 50_000
RESOURCE_TABLES = ("warehouses", "stock", "teams", "shelters", "hazard_points")
# Timed repetitions per query; the median is reported.
REPEATS = 5
# Targets from the issues, printed beside the measurements.
TARGET_QUERY_RATIO = 1.5
TARGET_PAGE_S = 0.5
TARGET_PAYLOAD_MB = 1.5


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_s(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@contextmanager
def _recording():
    """Record the statements the query module runs, to replay them on bare DuckDB."""
    statements: list[tuple[str, list]] = []
    original = queries.run

    def recording_run(conn, sql, params=None, **options):
        statements.append((sql, list(params or [])))
        return original(conn, sql, params, **options)

    queries.run = recording_run
    try:
        yield statements
    finally:
        queries.run = original


def top_up(conn, incidents: int = TARGET_INCIDENTS, resource_rows: int = TARGET_RESOURCE_ROWS) -> None:
    """Copy incidents and resources until the store holds the issue's default counts.

    The demo at scale 83 has ~25 k incidents and ~39 k resource rows; copies get new ids and
    move by up to ~1 km, keep their times, townships and attributes. Tables are this
    function's own literals.
    """
    cursor = conn.cursor()
    try:
        missing = incidents - cursor.execute("SELECT count(*) FROM incidents").fetchone()[0]
        if missing > 0:
            cursor.execute(
                """INSERT INTO incidents
                   SELECT * EXCLUDE (n, k) REPLACE (id || '-c' || k AS id,
                                                 lon + ((n * 7 + k * 3) % 21 - 10) * 0.001 AS lon,
                                                 lat + ((n * 11 + k * 5) % 21 - 10) * 0.001 AS lat)
                   FROM (SELECT *, row_number() OVER (ORDER BY id) AS n FROM incidents), range(1, 100) r(k)
                   ORDER BY k, n LIMIT ?""",
                [missing],
            )
        for table, key in (("hazard_points", "id"), ("shelters", "name"), ("teams", "name")):
            held = sum(cursor.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in RESOURCE_TABLES)
            if held >= resource_rows:
                break
            cursor.execute(
                f"""INSERT INTO {table}
                    SELECT * EXCLUDE (n) REPLACE ({key} || '-c' AS {key},
                                                  lon + (n % 21 - 10) * 0.001 AS lon, lat + (n * 7 % 21 - 10) * 0.001 AS lat)
                    FROM (SELECT *, row_number() OVER (ORDER BY {key}) AS n FROM {table}) ORDER BY n LIMIT ?""",  # noqa: E501 - embedded SQL/CSS/JS text
                [resource_rows - held],
            )
        store.set_meta(conn, {"bench_topped_up": f"{incidents}/{resource_rows}"})
    finally:
        cursor.close()


def store_at(scale: float, seed: int = 42, path: Path | None = None) -> tuple[Path, float | None, dict]:
    """Return a store of this scale, building it unless one with the same scale and seed exists.

    At the default scale the store is topped up to the issue's 100 k incidents and 50 k
    resource rows (:func:`top_up`).
    """
    if path is None:
        path = BENCH_DIR / f"bench-{scale:g}-{seed}.duckdb"
    elif not pgstore.is_url(path):
        path = Path(path)
    started = time.perf_counter()
    reused = False
    if store.exists(path):
        conn = store.connect(path, read_only=True)
        try:
            meta = store.get_meta(conn)
        finally:
            conn.close()
        reused = meta.get("demo_scale") == repr(float(scale)) and meta.get("demo_seed") == str(seed)
    if not reused:
        demo.build_demo_file(path, scale=scale, seed=seed)
    conn = store.connect(path)
    try:
        if scale >= DEFAULT_SCALE and store.get_meta(conn).get("bench_topped_up") is None:
            top_up(conn)
        counts = {t: store.scalar(conn, f"SELECT count(*) FROM {t}") for t in COUNTED_TABLES}
    finally:
        conn.close()
    return path, None if reused else time.perf_counter() - started, counts


def query_cases(conn) -> list[tuple[str, callable]]:
    """Time the queries behind the one-map page and the trend pages, on the last 24 h of data."""
    end = queries.data_range(conn)[1]
    start = end - timedelta(hours=24)
    station = store.scalar(conn, "SELECT min(code) FROM rain_gauges")
    township = store.scalar(conn, "SELECT min(code) FROM townships")
    cases = [
        ("kpis", lambda: queries.kpis(conn, start, end)),
        ("township_metrics", lambda: queries.township_metrics(conn, start, end)),
        ("gauge_totals", lambda: queries.gauge_totals(conn, start, end)),
        ("gauge_totals[township]", lambda: queries.gauge_totals(conn, start, end, [township])),
        ("township_rain", lambda: queries.township_rain(conn, start, end)),
        ("incidents", lambda: queries.incidents(conn, start, end)),
        ("rain_series[gauge]", lambda: queries.rain_series(conn, start, end, 60, [station])),
        ("gauge_grid", lambda: queries.gauge_grid(conn, start, end, 0.01)),
        ("incident_grid", lambda: queries.point_grid(conn, "incidents", start, end, 0.01)),
        ("rain_series[72 h, county]", lambda: queries.rain_series(conn, end - timedelta(hours=72), end, 60)),
        ("township_metrics[72 h]", lambda: queries.township_metrics(conn, end - timedelta(hours=72), end)),
        ("hazards_at_risk", lambda: warning.hazards_at_risk(conn, end)),
    ]
    # Trend-page queries, when that module provides them.
    for name, call in (
        ("station_ranking", lambda: queries.station_ranking(conn, start, end)),
        ("incident_series", lambda: queries.incident_series(conn, start, end, 60, "type")),
    ):
        if hasattr(queries, name):
            cases.append((name, call))
    return cases


def time_queries(conn) -> list[dict]:
    """Median time of each query through the app path and as bare DuckDB, and their ratio."""
    rows = []
    for name, call in query_cases(conn):
        try:
            with _recording() as statements:
                call()
        except TypeError as error:  # a trend query whose signature moved on
            rows.append({"query": name, "error": str(error)})
            continue
        app_s = _median_s(call)

        def bare():
            cursor = conn.cursor()
            for sql, params in statements:
                cursor.sql(sql, params=params).to_arrow_table()
            cursor.close()

        raw_s = _median_s(bare)
        rows.append(
            {
                "query": name,
                "app_ms": round(app_s * 1000, 1),
                "duckdb_ms": round(raw_s * 1000, 1),
                "ratio": round(app_s / raw_s, 2) if raw_s else None,
            }
        )
    return rows


def time_pages(path: Path) -> dict:
    """Run the one-map page with AppTest: cold start, warm rerun, filter changes, payload per view."""
    # The page run needs Streamlit's AppTest; imported here so the core stays Streamlit-free.
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1 import app_test as app_test_module

    from components.shell import NavigationPagesManager

    app_test_module.PagesManager = NavigationPagesManager

    os.environ[config.DB_PATH_ENV] = str(path)
    st.cache_data.clear()
    app = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=300)

    def timed_run(change=None) -> tuple[float, int]:
        if change:
            change(app)
        started = time.perf_counter()
        app.run()
        elapsed = time.perf_counter() - started
        if app.exception:
            raise RuntimeError(app.exception[0].message)
        charts = app.get("deck_gl_json_chart")
        return elapsed, len(charts[0].proto.json.encode()) if charts else 0

    views = {}
    # The first run of a process also imports the pages' modules (Streamlit's emoji table,
    # pydeck ...); "empty caches" is the same first view once those are loaded, as after a
    # cache expiry or an import.
    views["cold start"] = timed_run()
    views["warm rerun"] = timed_run()
    views["empty caches"] = timed_run(lambda a: st.cache_data.clear())
    views["window 6 h"] = timed_run(lambda a: a.selectbox(key="flt_hours.zh").set_value(6))
    views["window 72 h"] = timed_run(lambda a: a.selectbox(key="flt_hours.zh").set_value(72))
    township = app.multiselect(key="flt_townships").options[0]
    views["one township"] = timed_run(lambda a: a.multiselect(key="flt_townships").set_value([township]))
    views["all layers"] = timed_run(
        lambda a: (
            a.multiselect(key="flt_townships").set_value([]),
            a.pills(key="one_map_layers").set_value(
                ["townships", "surface", "gauges", "incidents", "warehouses", "teams", "shelters", "hazards"]
            ),
        )
    )
    views["metric max 3 h"] = timed_run(lambda a: a.selectbox(key="one_map_metric.zh").set_value("max_3h"))
    return {name: {"seconds": round(s, 3), "payload_mb": round(size / 2**20, 3)} for name, (s, size) in views.items()}


# --- feature timings: radius query, exports and briefing ---


def fill_random_resources(
    conn: duckdb.DuckDBPyConnection,
    resources: int = 50_000,
    seed: int = 42,
    bounds: tuple[float, float, float, float] = (117.6, 27.9, 118.3, 28.7),
) -> None:
    """Fill an empty store with ``resources`` random teams, warehouses (with stock), shelters and hazards.

    Split 40/20/20/20 % over the four tables, uniformly inside ``bounds`` (lon/lat box).
    """
    rng = np.random.default_rng(seed)
    min_lon, min_lat, max_lon, max_lat = bounds
    counts = {"teams": resources * 2 // 5, "warehouses": resources // 5, "shelters": resources // 5}
    counts["hazard_points"] = resources - sum(counts.values())

    def place(n):
        return rng.uniform(min_lon, max_lon, n), rng.uniform(min_lat, max_lat, n)

    lon, lat = place(counts["teams"])
    teams = pd.DataFrame(
        {
            "name": [f"T{i}" for i in range(len(lon))],
            "kind": "militia",
            "members": rng.integers(5, 60, len(lon)),
            "lon": lon,
            "lat": lat,
        }
    )
    lon, lat = place(counts["warehouses"])
    warehouses = pd.DataFrame({"name": [f"W{i}" for i in range(len(lon))], "lon": lon, "lat": lat})
    categories = np.asarray(["flood_control", "rescue_equipment", "living", "medical", "power_comms"])
    stock = pd.DataFrame(
        {
            "warehouse": np.repeat(warehouses["name"], 2).to_numpy(),
            "item": np.tile(["A", "B"], len(warehouses)),
            "category": categories[rng.integers(0, len(categories), 2 * len(warehouses))],
            "quantity": rng.integers(1, 500, 2 * len(warehouses)).astype(float),
        }
    )
    lon, lat = place(counts["shelters"])
    shelters = pd.DataFrame(
        {
            "name": [f"S{i}" for i in range(len(lon))],
            "capacity": rng.integers(50, 2000, len(lon)),
            "occupancy": 0,
            "lon": lon,
            "lat": lat,
        }
    )
    lon, lat = place(counts["hazard_points"])
    hazards = pd.DataFrame(
        {
            "id": [f"H{i}" for i in range(len(lon))],
            "kind": "landslide",
            "people": rng.integers(5, 300, len(lon)),
            "lon": lon,
            "lat": lat,
        }
    )
    cursor = conn.cursor()
    try:
        for table, frame in (
            ("teams", teams),
            ("warehouses", warehouses),
            ("stock", stock),
            ("shelters", shelters),
            ("hazard_points", hazards),
        ):
            cursor.register("bench_rows", frame)
            # Table names are this function's own literals.
            cursor.execute(f"INSERT INTO {table} BY NAME SELECT * FROM bench_rows")
            cursor.unregister("bench_rows")
    finally:
        cursor.close()


def bench_radius(
    conn: duckdb.DuckDBPyConnection | None = None,
    resources: int = 50_000,
    repeats: int = 20,
    radius_km: float = DEFAULT_RADIUS_KM,
    seed: int = 42,
) -> dict:
    """Time the full radius query (:func:`nearby`: teams, warehouses, shelters, hazards).

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection, optional
        A store to query as it is; by default an in-memory store with ``resources``
        random resources (:func:`fill_random_resources`).
    repeats : int
        Timed runs, each around a different random point; one untimed warm-up first.

    Returns
    -------
    dict
        resources, repeats, radius_km, median_ms, max_ms, mean_found (rows per query).
    """
    if conn is None:
        conn = store.connect(":memory:")
        fill_random_resources(conn, resources, seed)
    total = sum(
        store.scalar(conn, f"SELECT count(*) FROM {table}")
        for table in ("teams", "warehouses", "shelters", "hazard_points")
    )
    bounds = store.run(conn, "SELECT min(lon) AS a, min(lat) AS b, max(lon) AS c, max(lat) AS d FROM teams").iloc[0]
    rng = np.random.default_rng(seed + 1)
    points = np.column_stack(
        [rng.uniform(bounds["a"], bounds["c"], repeats + 1), rng.uniform(bounds["b"], bounds["d"], repeats + 1)]
    )
    nearby(conn, *points[0], radius_km=radius_km, incident_type="flood")
    times, found = [], []
    for lon, lat in points[1:]:
        started = time.perf_counter()
        result = nearby(conn, float(lon), float(lat), radius_km=radius_km, incident_type="flood")
        times.append((time.perf_counter() - started) * 1000)
        found.append(sum(len(frame) for frame in result.frames.values()))
    return {
        "resources": int(total),
        "repeats": repeats,
        "radius_km": radius_km,
        "median_ms": round(statistics.median(times), 2),
        "max_ms": round(max(times), 2),
        "mean_found": round(statistics.fmean(found), 1),
    }


def bench_exports(conn: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> dict[str, float]:
    """Time one chart export (PNG and SVG) and one briefing for ``filters`` (default: last 24 h of data).

    Returns seconds per step; the first image of a process may also start kaleido's
    Chromium, so it is timed apart (``chart_png_first_s``) from a warm one (``chart_png_s``).
    """
    if filters is None:
        _, latest = queries.data_range(conn)
        filters = Filters(end=latest)
    timings: dict[str, float] = {}
    minutes = bucket_minutes(filters.window_hours)

    started = time.perf_counter()
    series = queries.rain_series(conn, filters.start, filters.end, minutes, townships=filters.townships)
    figure = charts.hyetograph(series, minutes, t("chart.county_mean"))
    timings["chart_query_s"] = time.perf_counter() - started
    for step, fmt in (("chart_png_first_s", "png"), ("chart_png_s", "png"), ("chart_svg_s", "svg")):
        started = time.perf_counter()
        export.figure_image(figure, fmt)
        timings[step] = time.perf_counter() - started
    started = time.perf_counter()
    export.to_xlsx({"data": series})
    timings["chart_xlsx_s"] = time.perf_counter() - started
    started = time.perf_counter()
    build(conn, filters)
    timings["briefing_s"] = time.perf_counter() - started
    return {key: round(value, 3) for key, value in timings.items()}


def time_features(conn, import_rows: int) -> dict:
    """Time the other features: radius query, exports and briefing, rainfall import."""
    from emergency.ingest.benchmark import bench_import

    return {
        "radius_50k": bench_radius(resources=50_000),
        "exports": bench_exports(conn),
        "import": bench_import(rows=import_rows, stations=max(100, min(5000, import_rows // 2016))),
    }


def run(
    scale: float = DEFAULT_SCALE, seed: int = 42, path: Path | None = None, pages: bool = True, features: bool = True
) -> dict:
    """Measure everything at ``scale``; return the results as a dict."""
    db_path, build_s, counts = store_at(scale, seed, path)  # a path, or a server store's URL
    conn = store.connect(db_path)
    try:
        query_rows = time_queries(conn)
        feature_rows = time_features(conn, counts["rainfall"]) if features else None
    finally:
        conn.close()
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "scale": scale,
        "rows": counts,
        "demo_build_s": None if build_s is None else round(build_s, 2),
        "store": "postgres" if pgstore.is_url(db_path) else "duckdb",
        "file_mb": None if pgstore.is_url(db_path) else round(db_path.stat().st_size / 2**20, 1),
        "queries": query_rows,
    }
    if feature_rows:
        result["features"] = feature_rows
    if pages:
        result["pages"] = time_pages(db_path)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def format_table(result: dict) -> str:
    """Return the results as plain text tables."""
    lines = [
        f"{result.get('store', 'duckdb')} store · scale {result['scale']:g} · "
        f"built in {result['demo_build_s']} s (None = reused) · "
        f"{result['file_mb']} MB · peak RSS {result['peak_rss_mb']} MB"
    ]
    lines += [f"  {table:<16}{count:>14,}" for table, count in result["rows"].items()]
    lines.append(f"\n{'query':<26}{'app ms':>10}{'duckdb ms':>12}{'ratio':>8}   target ≤ {TARGET_QUERY_RATIO}")
    for row in result["queries"]:
        if "error" in row:
            lines.append(f"{row['query']:<26}  skipped: {row['error']}")
        else:
            lines.append(f"{row['query']:<26}{row['app_ms']:>10}{row['duckdb_ms']:>12}{row['ratio']:>8}")
    if "pages" in result:
        lines.append(
            f"\n{'one-map view':<26}{'seconds':>10}{'payload MB':>12}   targets ≤ {TARGET_PAGE_S} s, ≤"
            f" {TARGET_PAYLOAD_MB} MB"
        )
        for name, view in result["pages"].items():
            lines.append(f"{name:<26}{view['seconds']:>10}{view['payload_mb']:>12}")
    if "features" in result:
        radius, exports, imported = (result["features"][k] for k in ("radius_50k", "exports", "import"))
        lines.append(f"\nradius query, 50 k resources: median {radius['median_ms']} ms (target < 50 ms)")
        lines.append("exports: " + ", ".join(f"{k} {v}" for k, v in exports.items()))
        lines.append(
            f"rainfall CSV import: {imported['rows']:,} rows in {imported['import_s']} s = "
            f"{imported['rows_per_s']:,} rows/s (target ≥ 1 M/s); DuckDB read_csv {imported['read_csv_s']} s, "
            f"ratio read_csv/import {imported['ratio']}; peak RSS {imported['peak_rss_mb']} MB"
        )
    return "\n".join(lines)


def main(
    scale: float = DEFAULT_SCALE,
    seed: int = 42,
    json_path: str | None = None,
    path: str | None = None,
    pages: bool = True,
    features: bool = True,
    db_url: str | None = None,
) -> dict:
    """Run the benchmark, print its table, optionally write it as JSON to ``json_path``, and return it."""
    result = run(scale, seed, Path(path) if path else None, pages, features)
    print(format_table(result))
    if db_url:
        # The same measurements on the PostgreSQL server store, in the same run, then side by side.
        server = run(scale, seed, db_url, pages, features)
        print()
        print(format_table(server))
        print()
        print(format_comparison(result, server))
        result = {"duckdb": result, "postgres": server}
    if json_path:
        Path(json_path).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return result


def format_comparison(duck: dict, server: dict) -> str:
    """Return the query ratios (app path / bare engine) of both stores side by side."""
    lines = [
        f"{'query':<26}{'duckdb app ms':>14}{'ratio':>7}{'postgres app ms':>17}{'ratio':>7}{'pg/duckdb':>11}"
        f"   ratio target ≤ {TARGET_QUERY_RATIO}"
    ]
    by_name = {row["query"]: row for row in server["queries"]}
    for row in duck["queries"]:
        other = by_name.get(row["query"], {})
        if "error" in row or "error" in other or not other:
            lines.append(f"{row['query']:<26}  skipped")
            continue
        slower = round(other["app_ms"] / row["app_ms"], 1) if row["app_ms"] else None
        lines.append(
            f"{row['query']:<26}{row['app_ms']:>14}{row['ratio']:>7}{other['app_ms']:>17}{other['ratio']:>7}{slower:>11}"
        )
    return "\n".join(lines)


def cli(argv: list[str] | None = None, prog: str | None = None, description: str | None = None) -> int:
    """Command line: ``python -m emergency bench [--scale 83] [--json out.json] [--no-pages] [--no-features]``.

    ``prog`` and ``description`` are the help's (``python -m emergency bench`` passes its own).
    """
    parser = commandline.parser(prog or "python -m emergency.bench", description or __doc__)
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE, help="demo scale (83 ≈ 10 M rainfall rows)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--path", help="store to build or reuse (default data/bench/bench-<scale>-<seed>.duckdb)")
    parser.add_argument(
        "--db-url",
        help="also measure this PostgreSQL server store (built there like the DuckDB one) and print both side by side",
    )
    parser.add_argument("--json", dest="json_path", help="also write the results to this JSON file")
    parser.add_argument("--no-pages", dest="pages", action="store_false", help="skip the AppTest page runs")
    parser.add_argument(
        "--no-features", dest="features", action="store_false", help="skip radius, export/briefing and import timings"
    )
    args = parser.parse_args(argv)
    main(args.scale, args.seed, args.json_path, args.path, args.pages, args.features, args.db_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
