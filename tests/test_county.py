"""A store for another real county (婺源县), filled by import from files in several formats and CRSs."""

from __future__ import annotations

import io
import json
import shutil
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely

from emergency import completeness, config, county, demo, geo, store
from emergency.__main__ import main as cli_main
from emergency.ingest import templates
from emergency.ingest.engine import import_file
from emergency.ingest.kinds import KINDS

# Where CI keeps the shared boundaries (beside the clone); the tests use the copy in data/.
SHARED_BOUNDARIES = config.PROJECT_ROOT.parent / "shared" / "data" / "boundaries"
WUYUAN_OUTLINE = config.DATA_DIR / "wuyuan_361130_gcj02.geojson"
WUYUAN_CODE, WUYUAN_NAME = "361130", "婺源县"
# Four townships: the county's bounding box cut into a 2 x 2 grid, each clipped to the outline.
TOWNSHIP_NAMES = ("紫阳镇", "清华镇", "江湾镇", "思口镇")
GAUGES_PER_TOWNSHIP = 2
RAIN_HOURS = 6
# Fixed "now" for the future-time check.
NOW = datetime(2025, 6, 22, 12, 0)
RAIN_START = datetime(2025, 6, 21, 1, 0)
# Kinds whose template rows other templates refer to: kind -> the kinds referring to it.
TEMPLATE_REFERENCES = {
    "rain_gauges": ("rainfall",),
    "warehouses": ("stock",),
    "villages": ("grids",),
    "water_stations": ("water_levels", "water_thresholds", "flood_limits"),
}


def wuyuan_outline() -> shapely.Geometry:
    return county.read_county_outline(WUYUAN_OUTLINE, crs="gcj02", code=WUYUAN_CODE)


def township_polygons(outline: shapely.Geometry) -> list[shapely.Geometry]:
    minx, miny, maxx, maxy = outline.bounds
    midx, midy = (minx + maxx) / 2, (miny + maxy) / 2
    boxes = [
        shapely.box(minx, midy, midx, maxy),
        shapely.box(midx, midy, maxx, maxy),
        shapely.box(minx, miny, midx, midy),
        shapely.box(midx, miny, maxx, midy),
    ]
    return [shapely.intersection(outline, b) for b in boxes]


def township_code(index: int) -> str:
    return f"{WUYUAN_CODE}{100 + index}"


def write_townships_gcj02(path, outline) -> list[shapely.Geometry]:
    """GeoJSON of the townships with GCJ-02 coordinates (as a web map would give them)."""
    polygons = township_polygons(outline)
    features = []
    for index, (name, polygon) in enumerate(zip(TOWNSHIP_NAMES, polygons, strict=True)):
        gcj = shapely.transform(polygon, lambda xy: np.column_stack(geo.wgs84_to_gcj02(xy[:, 0], xy[:, 1])))
        features.append(
            {
                "type": "Feature",
                "properties": {"乡镇编码": township_code(index), "乡镇名称": name, "人口": 20000 + index},
                "geometry": shapely.geometry.mapping(gcj),
            }
        )
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8"
    )
    return polygons


def gauge_points(polygons) -> pd.DataFrame:
    """Two gauges inside each township (WGS84), with the township they must be assigned to."""
    rows = []
    for index, polygon in enumerate(polygons):
        inner = polygon.buffer(-0.02)
        minx, miny, maxx, maxy = inner.bounds
        step = (maxx - minx) / GAUGES_PER_TOWNSHIP
        for k in range(GAUGES_PER_TOWNSHIP):
            # One gauge in each vertical strip of the township, so no two share a place.
            strip = shapely.box(minx + k * step, miny, minx + (k + 1) * step, maxy)
            point = shapely.point_on_surface(shapely.intersection(inner, strip))
            rows.append(
                {
                    "code": f"6240{index}{k:02d}",
                    "name": f"{TOWNSHIP_NAMES[index]}{k + 1}号站",
                    "lon": point.x,
                    "lat": point.y,
                    "township": township_code(index),
                }
            )
    return pd.DataFrame(rows)


def write_gauges_bd09_gbk(path, gauges: pd.DataFrame, outside: tuple[float, float]) -> None:
    """Gauges CSV in BD-09 (Baidu) coordinates, GBK-encoded, with no township column, plus one gauge outside."""
    lon, lat = geo.wgs84_to_bd09(gauges["lon"].to_numpy(), gauges["lat"].to_numpy())
    out_lon, out_lat = geo.wgs84_to_bd09(np.array([outside[0]]), np.array([outside[1]]))
    frame = pd.DataFrame(
        {
            "测站编码": [*gauges["code"], "62499999"],
            "测站名称": [*gauges["name"], "界外站"],
            "经度": [*np.round(lon, 7), round(float(out_lon[0]), 7)],
            "纬度": [*np.round(lat, 7), round(float(out_lat[0]), 7)],
            "站类": "自动站",
        }
    )
    path.write_bytes(frame.to_csv(index=False).encode("gbk"))


def write_rainfall_xlsx(path, gauges: pd.DataFrame) -> int:
    """Hourly rain per gauge as XLSX with a title row above the header."""
    times = [RAIN_START + timedelta(hours=h) for h in range(RAIN_HOURS)]
    frame = pd.DataFrame(
        [
            (code, ts, round(1.0 + i + h * 0.5, 1))
            for i, code in enumerate(gauges["code"])
            for h, ts in enumerate(times)
        ],
        columns=["站码", "时间", "降雨量(mm)"],
    )
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, startrow=1, sheet_name="雨量")
        writer.sheets["雨量"]["A1"] = "婺源县逐时雨量"
    return len(frame)


def write_incidents_csv(path, polygons, outside: tuple[float, float]) -> pd.DataFrame:
    """Incidents CSV in WGS84 (UTF-8): one per township without a township column, one outside the county."""
    rows = []
    for index, polygon in enumerate(polygons):
        point = shapely.point_on_surface(polygon.buffer(-0.02))
        rows.append(
            {
                "事件编号": f"WY-{index + 1:03d}",
                "事件类型": "山体滑坡",
                "发生时间": f"2025/6/21 {index + 3}:30",
                "经度": round(point.x, 6),
                "纬度": round(point.y, 6),
                "处置状态": "处理中",
                "被困人数": index,
            }
        )
    rows.append(
        {
            "事件编号": "WY-999",
            "事件类型": "洪涝",
            "发生时间": "2025-06-21 05:00",
            "经度": outside[0],
            "纬度": outside[1],
            "处置状态": "待处置",
            "被困人数": 0,
        }
    )
    frame = pd.DataFrame(rows)
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    return frame


@pytest.fixture(scope="module")
def outline():
    return wuyuan_outline()


@pytest.fixture(scope="module")
def outside_point(outline):
    """A point in the demo district (广信区), well outside 婺源县."""
    return (117.95, 28.35)


@pytest.fixture(scope="module")
def filled(tmp_path_factory, outline, outside_point):
    """A 婺源县 store made by the CLI and filled by import: (path, report per kind, gauges, polygons)."""
    folder = tmp_path_factory.mktemp("wuyuan")
    path = folder / "wuyuan.duckdb"
    townships_file = folder / "乡镇.geojson"
    polygons = write_townships_gcj02(townships_file, outline)
    assert (
        cli_main(
            [
                "init",
                "--outline",
                str(WUYUAN_OUTLINE),
                "--name",
                WUYUAN_NAME,
                "--code",
                WUYUAN_CODE,
                "--db",
                str(path),
                "--townships",
                str(townships_file),
                "--townships-crs",
                "gcj02",
            ]
        )
        == 0
    )
    gauges = gauge_points(polygons)
    gauges_file, rain_file, incidents_file = folder / "雨量站.csv", folder / "雨量.xlsx", folder / "灾情.csv"
    write_gauges_bd09_gbk(gauges_file, gauges, outside_point)
    rain_rows = write_rainfall_xlsx(rain_file, gauges)
    write_incidents_csv(incidents_file, polygons, outside_point)
    conn = store.connect(path)
    try:
        reports = {
            "rain_gauges": import_file(conn, gauges_file, "rain_gauges", crs="bd09", now=NOW),
            "rainfall": import_file(conn, rain_file, "rainfall", now=NOW),
            "incidents": import_file(conn, incidents_file, "incidents", crs="wgs84", now=NOW),
        }
    finally:
        conn.close()
    return {"path": path, "reports": reports, "gauges": gauges, "polygons": polygons, "rain_rows": rain_rows}


def test_shipped_outline_is_the_shared_feature():
    if not SHARED_BOUNDARIES.exists():
        pytest.skip("../shared is not beside this clone")
    shared = county.read_county_outline(SHARED_BOUNDARIES / "shangrao_districts_gcj02.geojson", code=WUYUAN_CODE)
    assert shapely.equals_exact(shared, wuyuan_outline(), tolerance=1e-9)


def test_outline_of_one_district_from_a_city_file(tmp_path):
    city = tmp_path / "city.geojson"
    districts = json.loads(WUYUAN_OUTLINE.read_text(encoding="utf-8"))
    guangxin = json.loads(config.DEMO_OUTLINE_PATH.read_text(encoding="utf-8"))
    districts["features"] += guangxin["features"]
    city.write_text(json.dumps(districts, ensure_ascii=False), encoding="utf-8")
    wuyuan = county.read_county_outline(city, code=WUYUAN_CODE)
    assert geo.area_km2(wuyuan) == pytest.approx(2967, rel=0.01)  # official area 2,967 km²
    with pytest.raises(county.CountyError, match="none has code '999999'"):
        county.read_county_outline(city, code="999999")


def test_outline_in_bd09_gives_the_same_county(tmp_path):
    outline = wuyuan_outline()
    bd = shapely.transform(outline, lambda xy: np.column_stack(geo.wgs84_to_bd09(xy[:, 0], xy[:, 1])))
    path = tmp_path / "wuyuan_bd09.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"adcode": WUYUAN_CODE}, "geometry": shapely.geometry.mapping(bd)}
                ],
            }
        )
    )
    again = county.read_county_outline(path, crs="bd09", code=WUYUAN_CODE)
    assert shapely.symmetric_difference(again, outline).area / outline.area < 1e-4


def test_init_records_a_real_county(filled, outline):
    conn = store.connect(filled["path"], read_only=True)
    try:
        meta = store.get_meta(conn)
        row = store.run(conn, "SELECT * FROM county").iloc[0]
    finally:
        conn.close()
    assert meta["county_code"] == WUYUAN_CODE and meta["county_name"] == WUYUAN_NAME and meta["is_demo"] == "false"
    assert row["code"] == WUYUAN_CODE
    assert (row["min_lon"], row["min_lat"], row["max_lon"], row["max_lat"]) == pytest.approx(outline.bounds)
    # GCJ-02 was shifted to WGS84: the stored outline lies 100-700 m south-west of the file's.
    raw = geo.read_outline(WUYUAN_OUTLINE, crs="wgs84")
    assert 0.001 < raw.bounds[0] - row["min_lon"] < 0.01


def test_imports_fill_the_county(filled):
    reports = filled["reports"]
    n_gauges = len(TOWNSHIP_NAMES) * GAUGES_PER_TOWNSHIP
    assert (reports["rain_gauges"].accepted, reports["rain_gauges"].rejected) == (n_gauges, 1)
    assert (reports["rainfall"].accepted, reports["rainfall"].rejected) == (filled["rain_rows"], 0)
    assert (reports["incidents"].accepted, reports["incidents"].rejected) == (len(TOWNSHIP_NAMES), 1)
    conn = store.connect(filled["path"], read_only=True)
    try:
        counts = completeness.kind_counts(conn)
        gauges = store.run(conn, "SELECT code, township, lon, lat FROM rain_gauges ORDER BY code")
        incidents = store.run(conn, "SELECT id, township FROM incidents ORDER BY id")
    finally:
        conn.close()
    assert counts["townships"] == len(TOWNSHIP_NAMES)
    assert counts["rain_gauges"] == n_gauges and counts["rainfall"] == filled["rain_rows"]
    assert counts["incidents"] == len(TOWNSHIP_NAMES)
    # Township assignment by point-in-polygon, after BD-09 -> WGS84.
    expected = filled["gauges"].sort_values("code").reset_index(drop=True)
    assert gauges["township"].tolist() == expected["township"].tolist()
    assert np.abs(gauges["lon"] - expected["lon"]).max() < 1e-5
    assert incidents["township"].tolist() == [township_code(i) for i in range(len(TOWNSHIP_NAMES))]


def test_points_outside_the_county_are_rejected(filled):
    gauge_rejects = filled["reports"]["rain_gauges"].rejects
    incident_rejects = filled["reports"]["incidents"].rejects
    assert set(gauge_rejects["reason"]) == {"out_of_area"}
    assert set(incident_rejects["reason"]) == {"out_of_area"}


def test_completeness_lists_what_is_missing(filled):
    conn = store.connect(filled["path"], read_only=True)
    try:
        kinds = completeness.kind_summary(conn).set_index("kind")
        per_township = completeness.township_summary(conn)
        steps = completeness.next_steps(conn)
    finally:
        conn.close()
    assert kinds.loc["rainfall", "latest"] == RAIN_START + timedelta(hours=RAIN_HOURS - 1)
    # The incident file gave no townships: assigned; no coordinates missing either.
    assert kinds.loc["incidents", "missing"].get("township") is None
    assert kinds.loc["incidents", "missing"].get("address") == len(TOWNSHIP_NAMES)
    assert per_township["gauges"].tolist() == [GAUGES_PER_TOWNSHIP] * len(TOWNSHIP_NAMES)
    assert per_township["no_shelters"].all() and per_township["no_teams"].all()
    assert not per_township["no_gauges"].any()
    assert [s.kind for s in steps if not s.rows] == ["warehouses", "stock", "teams", "shelters", "hazard_points"]
    assert completeness.missing_for("one_map", {s.kind: s.rows for s in steps}) == []
    assert completeness.missing_for("dispatch", {s.kind: s.rows for s in steps}) == [
        "warehouses",
        "teams",
        "shelters",
        "hazard_points",
    ]


def test_demo_and_real_rows_never_mix(filled, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(filled["path"], path)
    conn = store.connect(path)
    try:
        with pytest.raises(ValueError, match="empty store"):
            demo.build_demo(conn)
        with pytest.raises(county.CountyError, match="already holds data"):
            county.create_county(conn, wuyuan_outline(), WUYUAN_NAME, WUYUAN_CODE)
    finally:
        conn.close()
    demo_path = tmp_path / "demo.duckdb"
    conn = store.connect(demo_path)
    try:
        conn.execute("INSERT INTO meta VALUES ('is_demo', 'true')")
        conn.execute("INSERT INTO county VALUES ('361104', '广信区', ?, 1, 0, 0, 1, 1)", [b"x"])
    finally:
        conn.close()
    assert (
        cli_main(
            [
                "init",
                "--outline",
                str(WUYUAN_OUTLINE),
                "--name",
                WUYUAN_NAME,
                "--code",
                WUYUAN_CODE,
                "--db",
                str(demo_path),
            ]
        )
        == 1
    )


@pytest.mark.parametrize("name, code, message", [("", "361130", "name is empty"), ("婺源县", "3611", "six digits")])
def test_init_refuses_bad_name_or_code(tmp_path, name, code, message):
    path = tmp_path / "bad.duckdb"
    with pytest.raises(county.CountyError, match=message):
        county.init_store(path, WUYUAN_OUTLINE, name, code)
    assert not path.exists()


def test_init_refuses_an_outline_in_the_wrong_place(tmp_path):
    far = tmp_path / "far.geojson"
    far.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": shapely.geometry.mapping(shapely.box(29.0, 117.0, 29.5, 118.0)),
                    }
                ],
            }
        )
    )
    with pytest.raises(county.CountyError, match="outside China"):
        county.read_county_outline(far, crs="wgs84")


def test_cli_status_prints_next_kind(filled, capsys):
    assert cli_main(["status", "--db", str(filled["path"])]) == 0
    out = capsys.readouterr().out
    assert "婺源县 (361130) · real" in out and "next: warehouses" in out


@pytest.mark.parametrize("kind", list(KINDS))
def test_template_imports_as_is(filled, tmp_path, kind):
    """Each template's headers map by themselves and its example row is accepted in this county."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(filled["path"], path)
    conn = store.connect(path)
    try:
        place = templates.place_of(conn)
        assert shapely.contains_xy(wuyuan_outline(), place.lon, place.lat)
        # A template that refers to another kind's rows refers to that kind's example row.
        for dependency in [k for k, rows in TEMPLATE_REFERENCES.items() if kind in rows]:
            file = tmp_path / "dependency.csv"
            file.write_bytes(templates.template_csv(dependency, place))
            assert import_file(conn, file, dependency, now=NOW).accepted == 1
        for suffix, data in (
            (".csv", templates.template_csv(kind, place)),
            (".xlsx", templates.template_xlsx(kind, place)),
        ):
            file = tmp_path / f"template{suffix}"
            file.write_bytes(data)
            report = import_file(conn, file, kind, dry_run=True, now=NOW)
            assert (report.accepted, report.rejected) == (1, 0), (suffix, report.rejects)
        headers = pd.read_csv(io.BytesIO(templates.template_csv(kind, place)), encoding="utf-8-sig").columns
        assert all("\u4e00" <= h[0] <= "\u9fff" or h[0].isdigit() for h in headers)
    finally:
        conn.close()


def test_demo_never_replaces_a_real_store(filled, tmp_path, capsys):
    path = tmp_path / "copy.duckdb"
    shutil.copy(filled["path"], path)
    with pytest.raises(ValueError, match="real county's store"):
        demo.build_demo_file(path)
    assert cli_main(["demo", "--path", str(path)]) == 1
    assert "demo refused" in capsys.readouterr().err
    conn = store.connect(path, read_only=True)
    try:
        assert store.get_meta(conn)["county_name"] == WUYUAN_NAME
    finally:
        conn.close()
