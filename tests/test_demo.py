"""Tests for emergency.demo: the synthetic county is complete, consistent, plausible and deterministic."""

import os
import re
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
import shapely

from emergency import demo, geo, store, vocab

SEED = 42
POINT_TABLES = ("rain_gauges", "incidents", "warehouses", "teams", "shelters", "hazard_points")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The scale-1 demo built once into a file: (path, counts)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    counts = demo.build_demo_file(path, scale=1.0, seed=SEED)
    return path, counts


@pytest.fixture(scope="module")
def conn(built):
    conn = store.connect(built[0], read_only=True)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def townships(conn):
    frame = store.run(conn, "SELECT * FROM townships ORDER BY code")
    frame["shape"] = geo.wkb_to_geometry(frame["geometry"].to_numpy())
    return frame


@pytest.fixture(scope="module")
def outline(conn):
    return geo.wkb_to_geometry(store.scalar(conn, "SELECT geometry FROM county"))


@pytest.fixture(scope="module")
def gauge_stats(conn):
    """Per station: max 1 h, 3 h and 24 h rain and the 7-day total, via window sums in SQL."""
    return store.run(
        conn,
        """
        WITH w AS (
            SELECT station,
                   sum(mm) OVER (PARTITION BY station ORDER BY ts ROWS BETWEEN 11 PRECEDING AND CURRENT ROW) AS h1,
                   sum(mm) OVER (PARTITION BY station ORDER BY ts ROWS BETWEEN 35 PRECEDING AND CURRENT ROW) AS h3,
                   sum(mm) OVER (PARTITION BY station ORDER BY ts ROWS BETWEEN 287 PRECEDING AND CURRENT ROW) AS h24,
                   mm
            FROM rainfall
        )
        SELECT station, max(h1) AS h1, max(h3) AS h3, max(h24) AS h24, sum(mm) AS total FROM w GROUP BY station
        """,
    )


def test_counts_match_the_store(built, conn):
    _, counts = built
    assert list(counts) == list(demo.DEMO_TABLES)
    for table, count in counts.items():
        assert store.scalar(conn, f"SELECT count(*) FROM {table}") == count
    assert counts["county"] == 1
    assert 18 <= counts["townships"] <= 25
    assert counts["rain_gauges"] == 60
    assert counts["rainfall"] == counts["rain_gauges"] * 2016
    assert counts["incidents"] == 300
    assert (counts["warehouses"], counts["teams"], counts["shelters"], counts["hazard_points"]) == (15, 25, 80, 150)
    assert counts["stock"] >= 15 * len(demo.CORE_ITEMS)


def test_meta(conn):
    meta = store.get_meta(conn)
    assert meta["county_code"] == "361104" and meta["county_name"] == "广信区"
    assert meta["is_demo"] == "true" and meta["timezone"] == "Asia/Shanghai"
    assert "synthetic" in meta["data_note"]
    assert meta["schema_version"] == str(store.SCHEMA_VERSION)


def test_county_is_the_real_outline_in_wgs84(conn, outline):
    county = store.run(conn, "SELECT * FROM county").iloc[0]
    assert county["code"] == "361104"
    assert county["area_km2"] == pytest.approx(2233, rel=0.02)
    assert outline.is_valid
    assert [county["min_lon"], county["min_lat"], county["max_lon"], county["max_lat"]] == pytest.approx(
        list(outline.bounds)
    )
    # WGS84, not the GCJ-02 of the source file: the whole outline moved by the GCJ offset.
    raw = geo.read_outline(demo.config.DEMO_OUTLINE_PATH, crs="wgs84")
    assert 100 < 1000 * geo.haversine_km(raw.centroid.x, raw.centroid.y, outline.centroid.x, outline.centroid.y) < 700


def test_townships_exactly_partition_the_outline(townships, outline):
    shapes = townships["shape"].to_numpy()
    assert shapely.is_valid(shapes).all()
    assert set(shapely.get_type_id(shapes)) == {3}  # one Polygon each, no stray islands
    union = shapely.union_all(shapes)
    assert union.area == pytest.approx(outline.area, rel=1e-4)
    assert shapely.symmetric_difference(union, outline).area < 1e-4 * outline.area
    # Pairwise overlaps: the parts add up to the whole.
    assert shapely.area(shapes).sum() == pytest.approx(union.area, rel=1e-9)
    assert townships["area_km2"].sum() == pytest.approx(geo.area_km2(outline), rel=1e-4)


def test_township_attributes(townships):
    assert townships["code"].str.fullmatch(r"361104\d{3}").all()
    assert townships["name"].is_unique
    assert {"旭日街道", "五府山镇", "郑坊镇"} <= set(townships["name"])
    assert townships["is_demo"].all()
    assert 600_000 <= townships["population"].sum() <= 800_000
    assert (townships["population"] > 0).all()
    labels = shapely.points(townships["label_lon"], townships["label_lat"])
    assert shapely.contains(townships["shape"].to_numpy(), labels).all()
    # The 街道 are small and sit together around the seat, in the north-centre.
    streets = townships[townships["name"].str.endswith("街道")]
    assert len(streets) == 3 and (streets["area_km2"] < 100).all()
    assert (
        1000
        * geo.haversine_km(
            streets["label_lon"].min(),
            streets["label_lat"].min(),
            streets["label_lon"].max(),
            streets["label_lat"].max(),
        )
        < 15_000
    )


@pytest.mark.parametrize("table", POINT_TABLES)
def test_points_lie_in_their_township_and_the_county(conn, townships, outline, table):
    points = store.run(conn, f"SELECT township, lon, lat FROM {table}")
    assert points["township"].notna().all()
    shapes = townships.set_index("code")["shape"]
    assert set(points["township"]) <= set(shapes.index)
    polygons = shapes.loc[points["township"]].to_numpy()
    assert shapely.contains_xy(polygons, points["lon"].to_numpy(), points["lat"].to_numpy()).all()
    assert shapely.contains_xy(outline, points["lon"].to_numpy(), points["lat"].to_numpy()).all()


def test_rainfall_is_a_full_5_minute_grid(conn, built):
    summary = store.run(
        conn,
        """
        SELECT count(*) AS n, count(DISTINCT (station, ts)) AS keys, count(DISTINCT station) AS stations,
               min(ts) AS first, max(ts) AS last, min(interval_min) AS i0, max(interval_min) AS i1,
               min(mm) AS low, avg((mm = 0)::INT) AS zero_share,
               max(abs(mm * 10 - round(mm * 10))) AS off_grid
        FROM rainfall
        """,
    ).iloc[0]
    assert summary["n"] == summary["keys"] == built[1]["rain_gauges"] * 2016
    assert summary["stations"] == built[1]["rain_gauges"]
    assert summary["first"] == datetime(2026, 6, 15, 0, 5) and summary["last"] == datetime(2026, 6, 22)
    assert summary["i0"] == summary["i1"] == 5
    assert summary["low"] >= 0 and summary["off_grid"] < 1e-6
    assert summary["zero_share"] > 0.5  # dry most of the time
    orphans = store.scalar(conn, "SELECT count(*) FROM rainfall WHERE station NOT IN (SELECT code FROM rain_gauges)")
    assert orphans == 0


def test_storm_is_plausible(gauge_stats):
    red = (gauge_stats["h3"] >= 100).sum()
    assert 1 <= red < len(gauge_stats) / 4  # a few stations reach the red-signal 3 h amount
    assert gauge_stats["h24"].median() == pytest.approx(85, abs=65)
    assert ((gauge_stats["h24"] >= 10) & (gauge_stats["h24"] <= 150)).mean() > 0.75
    assert (gauge_stats["h1"] < gauge_stats["h3"]).all() and (gauge_stats["h3"] <= gauge_stats["h24"]).all()


def test_rain_is_spatially_coherent(conn, gauge_stats):
    gauges = store.run(conn, "SELECT code AS station, lon, lat FROM rain_gauges").merge(gauge_stats, on="station")
    lon, lat, total = (gauges[c].to_numpy() for c in ("lon", "lat", "total"))
    distance = 1000 * geo.haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    difference = np.abs(total[:, None] - total[None, :])
    near = (distance > 0) & (distance < 8_000)
    far = distance > 40_000
    assert difference[near].mean() < difference[far].mean()


def test_gauges(conn):
    gauges = store.run(conn, "SELECT * FROM rain_gauges")
    assert gauges["code"].str.fullmatch(r"GX\d{4}").all()
    assert gauges["name"].str.endswith("站").all() and gauges["name"].is_unique
    assert set(gauges["kind"]) <= set(vocab.GAUGE_KINDS)
    assert gauges["elevation_m"].between(80, 1500).all()
    assert (gauges["source"] == "demo").all()
    # Higher ground to the south.
    south = gauges["lat"] < gauges["lat"].median()
    assert gauges.loc[south, "elevation_m"].mean() > gauges.loc[~south, "elevation_m"].mean()


def test_incidents(conn):
    incidents = store.run(conn, "SELECT * FROM incidents")
    assert incidents["id"].str.fullmatch(r"INC-202606\d{2}-\d{4}").all() and incidents["id"].is_unique
    assert (incidents["id"].str[4:12] == incidents["occurred_at"].dt.strftime("%Y%m%d")).all()
    assert set(incidents["type"]) <= set(vocab.INCIDENT_TYPES)
    assert set(incidents["status"]) == set(vocab.INCIDENT_STATUSES)
    assert incidents["type"].isin(["flood", "flash_flood", "landslide", "waterlogging"]).mean() > 0.6
    assert (incidents["updated_at"] >= incidents["occurred_at"]).all()
    assert (incidents["updated_at"] <= demo.DEMO_NOW).all()
    assert incidents["occurred_at"].between(datetime(2026, 6, 15), demo.DEMO_NOW).all()
    assert (incidents["source"] == "demo").all() and incidents["description"].str.len().gt(4).all()
    assert incidents["address"].str.match(r"^\w+(街道|镇|乡)\w+(村\d+组|社区\d+栋)$").all()
    casualties = incidents[["deaths", "injured", "missing", "trapped"]]
    assert (casualties >= 0).all().all() and (incidents["deaths"] == 0).mean() > 0.9
    # 较大 (grade III): 3-9 dead or missing, 10-49 seriously injured or 1,000-5,000万 yuan loss.
    lost = incidents["deaths"] + incidents["missing"]
    larger = (lost >= 3) | (incidents["injured"] >= 10) | (incidents["loss_10k_yuan"] >= 1000)
    assert 1 <= larger.sum() <= 10
    assert (lost < 10).all() and (incidents["injured"] < 50).all() and (incidents["loss_10k_yuan"] < 5000).all()
    # Later incidents are more often still open.
    late = incidents["occurred_at"] >= incidents["occurred_at"].quantile(0.8)
    is_open = incidents["status"].isin(vocab.OPEN_STATUSES)
    assert is_open[late].mean() > is_open[~late].mean()


def test_incidents_follow_heavy_rain(conn):
    # Rain in the 3 h before each incident, at the gauges of its township, versus any 3 h there.
    before, overall = store.run(
        conn,
        """
        WITH per_incident AS (
            SELECT i.id, sum(r.mm) / count(DISTINCT g.code) AS mm3
            FROM incidents i
            JOIN rain_gauges g ON g.township = i.township
            JOIN rainfall r ON r.station = g.code
             AND r.ts > i.occurred_at - INTERVAL 3 HOUR AND r.ts <= i.occurred_at
            GROUP BY i.id
        )
        SELECT (SELECT avg(mm3) FROM per_incident),
               (SELECT sum(mm) / count(DISTINCT station) / (2016 / 36.0) FROM rainfall)
        """,
    ).iloc[0]
    assert before > 3 * overall


def test_resources(conn):
    warehouses = store.run(conn, "SELECT * FROM warehouses")
    teams = store.run(conn, "SELECT * FROM teams")
    phones = pd.concat([warehouses["phone"], teams["phone"]])
    assert phones.str.fullmatch(r"1390000\d{4}").all() and phones.is_unique
    assert warehouses["manager"].str.len().between(2, 3).all()
    stock = store.run(conn, "SELECT * FROM stock")
    assert set(stock["category"]) == set(vocab.STOCK_CATEGORIES)
    assert set(stock["warehouse"]) == set(warehouses["name"])
    assert (stock["quantity"] > 0).all() and stock["unit"].notna().all()
    assert {"编织袋", "救生衣", "冲锋舟", "帐篷", "棉被", "发电机"} <= set(stock["item"])
    assert (stock["updated_at"] <= demo.DEMO_NOW).all()
    assert set(teams["kind"]) == set(vocab.TEAM_KINDS)
    assert (teams["members"] > 0).all()


def test_shelters(conn):
    shelters = store.run(conn, "SELECT * FROM shelters")
    assert set(shelters["kind"]) <= set(vocab.SHELTER_KINDS)
    assert shelters["capacity"].between(50, 2000).all()
    assert (shelters["occupancy"] >= 0).all() and (shelters["occupancy"] < shelters["capacity"]).all()
    used = (shelters["occupancy"] > 0).mean()
    assert 0 < used < 0.5


def test_hazard_points(conn):
    hazards = store.run(conn, "SELECT * FROM hazard_points")
    assert set(hazards["kind"]) <= set(vocab.HAZARD_KINDS)
    assert hazards["id"].is_unique
    assert hazards["people"].between(5, 500).all()
    assert (hazards["households"] - hazards["people"] / 3.2).abs().le(1).all()
    assert hazards["critical_mm_1h"].between(20, 60).all()
    assert hazards["critical_mm_3h"].between(40, 120).all()
    assert hazards["critical_mm_24h"].between(80, 250).all()
    assert (hazards["critical_mm_1h"] < hazards["critical_mm_3h"]).all()
    assert (hazards["critical_mm_3h"] < hazards["critical_mm_24h"]).all()
    # Landslides and debris flows concentrate on the southern mountains.
    south = hazards["lat"] < 28.3
    slope = hazards["kind"].isin(["landslide", "debris_flow"])
    assert slope[south].mean() > slope[~south].mean()


def test_same_seed_same_store_other_seed_differs(conn):
    reference = demo.table_checksums(conn)
    again = store.connect(":memory:")
    other = store.connect(":memory:")
    try:
        demo.build_demo(again, seed=SEED)
        demo.build_demo(other, seed=SEED + 1)
        assert demo.table_checksums(again) == reference
        different = demo.table_checksums(other)
        assert different["rainfall"] != reference["rainfall"]
        assert different["incidents"] != reference["incidents"]
        assert different["townships"] == reference["townships"]  # the map itself does not depend on the seed
    finally:
        again.close()
        other.close()


def test_table_checksums_cover_every_table(conn):
    sums = demo.table_checksums(conn)
    assert set(demo.DEMO_TABLES) <= set(sums) and "import_log" in sums
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in sums.values())


def test_build_demo_refuses_a_filled_store():
    conn = store.connect(":memory:")
    try:
        demo.build_demo(conn, scale=0.1)
        with pytest.raises(ValueError, match="empty store"):
            demo.build_demo(conn, scale=0.1)
        with pytest.raises(ValueError, match="scale"):
            demo.build_demo(store.connect(":memory:"), scale=0)
    finally:
        conn.close()


def test_scale_multiplies_rows():
    conn = store.connect(":memory:")
    try:
        counts = demo.build_demo(conn, scale=0.5)
    finally:
        conn.close()
    assert counts["rain_gauges"] == 30 and counts["rainfall"] == 30 * 2016
    assert counts["incidents"] == 150 and counts["shelters"] == 40 and counts["townships"] == 21


def test_build_demo_file_replaces_atomically(tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    path.write_bytes(b"not a database")
    demo.build_demo_file(path, scale=0.1)
    assert sorted(os.listdir(tmp_path)) == ["store.duckdb"]  # no .tmp-<pid> or .wal left behind
    with store.connect(path, read_only=True) as conn:
        first = demo.table_checksums(conn)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "build_demo", broken)
    with pytest.raises(RuntimeError):
        demo.build_demo_file(path, scale=0.1, seed=7)
    assert sorted(os.listdir(tmp_path)) == ["store.duckdb"]
    with store.connect(path, read_only=True) as conn:
        assert demo.table_checksums(conn) == first  # a failed build leaves the old file untouched


def test_ensure_demo_builds_only_once(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(demo, "build_demo_file", lambda path, **kw: calls.append(path) or path.touch())
    path = tmp_path / "yitu.duckdb"
    assert demo.ensure_demo(path) is True
    assert demo.ensure_demo(path) is False
    assert calls == [path]


def test_cli_prints_counts_and_time(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    assert demo.main(["--path", str(path), "--scale", "0.1", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "rainfall" in out and f"{6 * 2016:,}" in out
    assert re.search(r"in \d+\.\d s", out)
    assert path.exists()
