"""Rivers and reservoirs by file: stations, levels, thresholds and flood limits (CSV and XLSX).

Each kind goes through ``emergency.actions.import_file`` (permission + audit), and the
imported rows drive :func:`emergency.feed.water.station_states`, checked against a
hand-worked case:

- 信江站 RV1 (river): 警戒 70.0 m, 保证 72.5 m; level 70.5 at 09:00, 73.0 at 11:00, 72.0 at 12:00.
  At 12:00 it is over 警戒 (72.0 > 70.0, not > 72.5) by 2.0 m; at 11:00 over 保证 by 0.5 m.
- 丰溪站 RV2 (river): its thresholds row says 保证 49 < 警戒 50 and is rejected, so it has no
  threshold and is "normal" at any level.
- 七一水库 RS1 (reservoir): 汛限 110 m 0401..0630, 112 m 0701..1015, 114 m 1016..0331 (over the
  new year). Level 111.0 at 11:30 on 20 June: over 汛限 110 by 1.0 m; on 2 July 111.0 < 112: normal.
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import pytest

from emergency import actions, export, geo, queries, store
from emergency.access import Actor, PermissionDenied
from emergency.feed import water
from emergency.ingest import templates
from emergency.ingest.kinds import KINDS
from tests import tiny
from tests.pg_store import copy_demo

NOW = datetime(2026, 6, 20, 12, 30)
T = datetime(2026, 6, 20, 12, 0)
ADMIN = Actor("root1", "管理员", "admin")


@pytest.fixture
def conn():
    c = store.connect(":memory:")
    tiny.populate(c)
    yield c
    c.close()


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(tmp_path, name: str, frame: pd.DataFrame):
    path = tmp_path / name
    path.write_bytes(export.to_xlsx({"Sheet1": frame}))
    return path


def _import(conn, path, kind, **options):
    return actions.import_file(conn, ADMIN, path, kind, file_name=path.name, **{"now": NOW, **options})


def _reasons(report) -> dict[int, str]:
    return dict(zip(report.rejects["row_number"].astype(int), report.rejects["reason"], strict=True))


def _problems(report, row: int) -> list[str]:
    frame = report.rejects.set_index("row_number")
    return [p[0] for p in json.loads(frame.loc[row, "problems"])]


def _stations(conn, tmp_path):
    """Stations by SL 323 headers (CSV) and by Chinese headers in GCJ-02 (XLSX)."""
    report = _import(
        conn,
        _csv(
            tmp_path,
            "stations.csv",
            (
                "STCD,STNM,STTP,RVNM,LGTD,LTTD,STLC\n"
                "RV1,信江站,ZQ,信江,117.95,28.35,西镇河段\n"
                "RV2,丰溪站,河道站,丰溪河,118.05,28.35,\n"
                "PP1,某雨量站,PP,,118.02,28.33,\n"  # row 4: a rain gauge is no water station
                "RV9,远站,ZZ,,120.50,30.00,\n"  # row 5: outside the county
                "RV8,,ZZ,,118.01,28.31,\n"  # row 6: no name
            ),
        ),
        "water_stations",
    )
    assert (report.accepted, report.rejected) == (2, 3)
    assert _reasons(report) == {4: "unknown_code", 5: "out_of_area", 6: "missing"}
    lon, lat = geo.wgs84_to_gcj02(118.07, 28.37)
    frame = pd.DataFrame(
        {
            "站码": ["RS1"],
            "站名": ["七一水库"],
            "站类": ["水库"],
            "河名": [None],
            "经度": [float(lon)],
            "纬度": [float(lat)],
        }
    )
    report = _import(conn, _xlsx(tmp_path, "reservoirs.xlsx", frame), "water_stations", crs="gcj02")
    assert (report.accepted, report.rejected) == (1, 0)
    return conn


def test_stations_csv_and_xlsx_with_crs(conn, tmp_path):
    _stations(conn, tmp_path)
    rows = conn.execute("SELECT code, kind, river, township, lon, lat, address FROM water_stations ORDER BY code").df()
    assert list(rows["code"]) == ["RS1", "RV1", "RV2"]
    assert list(rows["kind"]) == ["reservoir", "river", "river"]
    assert list(rows["township"]) == ["999999002", "999999001", "999999002"]  # by point in polygon
    rs1 = rows.set_index("code").loc["RS1"]
    # GCJ-02 converted back to WGS84 (the offset there is ~500 m; the round trip within 1 m).
    assert rs1["lon"] == pytest.approx(118.07, abs=1e-5) and rs1["lat"] == pytest.approx(28.37, abs=1e-5)
    assert rows.set_index("code").loc["RV1", "address"] == "西镇河段"


def _levels_and_thresholds(conn, tmp_path):
    _stations(conn, tmp_path)
    report = _import(
        conn,
        _csv(
            tmp_path,
            "river.csv",
            (
                "STCD,TM,Z,Q\n"
                "RV1,2026-06-20 09:00,70.5,820\n"
                "RV1,2026-06-20 11:00,73.0,1100\n"
                "RV1,2026-06-20 12:00,72.0,990\n"
                "RV2,2026-06-20 12:00,49.8,\n"
                "XX1,2026-06-20 12:00,10.0,\n"  # row 6: unknown station
                "RV2,2026-06-20 11:00,99999,\n"  # row 7: level impossible
                "RV2,昨天,48.0,-5\n"  # row 8: bad time AND negative flow
                "RV2,2026-06-21 09:00,48.0,\n"  # row 9: in the future
                "RV1,2026-06-20 12:00,72.1,\n"  # row 10: same station and time twice
            ),
        ),
        "water_levels",
    )
    assert (report.inserted, report.rejected) == (4, 5)
    assert _reasons(report) == {
        6: "unknown_reference",
        7: "out_of_range",
        8: "bad_time",
        9: "future_time",
        10: "duplicate",
    }
    assert _problems(report, 8) == ["bad_time", "out_of_range"]
    frame = pd.DataFrame(
        {
            "站码": ["RS1", "RS1"],
            "时间": ["2026-06-20 11:30", "2026-07-02 12:00"],
            "库水位": [111.0, 111.0],
            "入库流量": [300.0, 120.0],
            "出库流量": [150.0, 100.0],
            "蓄水量(万m³)": [2350.0, 2400.0],
        }
    )
    report = _import(conn, _xlsx(tmp_path, "reservoir.xlsx", frame), "water_levels", now=datetime(2026, 7, 2, 13))
    assert (report.accepted, report.rejected) == (2, 0)
    report = _import(
        conn,
        _csv(
            tmp_path,
            "thresholds.csv",
            (
                "站码,警戒水位,保证水位\n"
                "RV1,70.0,72.5\n"
                "RV2,50.0,49.0\n"  # row 3: 保证 below 警戒
                "XX1,1.0,2.0\n"  # row 4: unknown station
            ),
        ),
        "water_thresholds",
    )
    assert (report.accepted, report.rejected) == (1, 2)
    assert _reasons(report) == {3: "guarantee_below_warning", 4: "unknown_reference"}
    frame = pd.DataFrame(
        {
            "STCD": ["RS1", "RS1", "RS1", "RS1", "RS1"],
            "BGMD": [401, "7月1日", "1016", "1332", "0229"],
            "EDMD": [630, "10-15", "0331", "0101", "0228"],
            "FSLTDZ": [110.0, 112.0, 114.0, 100.0, "abc"],
        }
    )
    report = _import(conn, _xlsx(tmp_path, "limits.xlsx", frame), "flood_limits")
    assert (report.accepted, report.rejected) == (3, 2)
    assert _reasons(report) == {5: "bad_month_day", 6: "bad_number"}
    assert _problems(report, 6) == ["bad_number"]
    return conn


def test_levels_thresholds_limits_drive_station_states(conn, tmp_path):
    _levels_and_thresholds(conn, tmp_path)
    stored = conn.execute("SELECT begin_md, end_md, limit_level_m FROM flood_limits ORDER BY begin_md").fetchall()
    assert stored == [("0401", "0630", 110.0), ("0701", "1015", 112.0), ("1016", "0331", 114.0)]
    rs1 = conn.execute(
        "SELECT level_m, flow_m3s, inflow_m3s, storage_1e6m3 FROM water_levels WHERE station = 'RS1' ORDER BY ts"
    ).fetchone()
    assert rs1 == (111.0, 150.0, 300.0, pytest.approx(23.5))  # 2350 万m³ = 23.5 百万m³
    s = water.station_states(conn, T).set_index("code")
    assert s.loc["RV1", "state"] == "over_warning" and s.loc["RV1", "threshold_m"] == 70.0
    assert s.loc["RV1", "excess_m"] == pytest.approx(2.0)
    assert s.loc["RV2", "state"] == "normal"  # its thresholds row was rejected: nothing to be over
    assert s.loc["RS1", "state"] == "over_flood_limit" and s.loc["RS1", "excess_m"] == pytest.approx(1.0)
    at11 = water.station_states(conn, datetime(2026, 6, 20, 11)).set_index("code")
    assert at11.loc["RV1", "state"] == "over_guarantee" and at11.loc["RV1", "excess_m"] == pytest.approx(0.5)
    july = water.station_states(conn, datetime(2026, 7, 2, 12)).set_index("code")
    assert july.loc["RS1", "state"] == "normal" and july.loc["RS1", "limit_level_m"] == 112.0


def test_corrected_level_is_upserted(conn, tmp_path):
    _levels_and_thresholds(conn, tmp_path)
    report = _import(
        conn, _csv(tmp_path, "fix.csv", "站码,时间,水位,流量\nRV1,2026-06-20 12:00,73.2,1150\n"), "water_levels"
    )
    assert (report.inserted, report.updated) == (0, 1)
    assert conn.execute("SELECT count(*) FROM water_levels WHERE station = 'RV1'").fetchone()[0] == 3
    s = water.station_states(conn, T).set_index("code")
    assert s.loc["RV1", "state"] == "over_guarantee" and s.loc["RV1", "level_m"] == 73.2


def test_import_needs_permission_and_is_audited(conn, tmp_path):
    _stations(conn, tmp_path)
    path = _csv(tmp_path, "t.csv", "STCD,WRZ,GRZ\nRV1,70,72.5\n")
    with pytest.raises(PermissionDenied):
        actions.import_file(conn, Actor("lead1", "领导", "leader"), path, "water_thresholds", file_name=path.name)
    assert conn.execute("SELECT count(*) FROM water_thresholds").fetchone()[0] == 0
    _import(conn, path, "water_thresholds")
    log = queries.audit_log(conn)
    assert log["detail"].str.startswith("water_thresholds: 1 accepted").any()


@pytest.mark.parametrize("kind", ["water_stations", "water_levels", "water_thresholds", "flood_limits"])
def test_templates_import_as_is(conn, tmp_path, kind):
    place = templates.place_of(conn)
    if kind != "water_stations":
        _import(
            conn,
            _csv(tmp_path, "s.csv", templates.template_csv("water_stations", place).decode("utf-8-sig")),
            "water_stations",
        )
    path = tmp_path / "template.xlsx"
    path.write_bytes(templates.template_xlsx(kind, place))
    report = _import(conn, path, kind)
    assert (report.accepted, report.rejected) == (1, 0)
    assert set(report.mapping) == set(KINDS[kind].field_names)


def test_browser_imports_water_stations_and_levels(demo_file, tmp_path):
    """Chromium: the import page offers the water kinds; stations then levels go in with their reports."""

    from tests.browser import app_server, assert_no_exception, browser_page, screenshot
    from tests.test_import_page import _open_import_page, _upload_validate_commit

    path = tmp_path / "store.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    conn = store.connect(path)
    place = templates.place_of(conn)
    conn.close()
    stations = _csv(
        tmp_path,
        "水情站点.csv",
        (
            f"站码,站名,站类,河名,经度,纬度\nWTEST01,测试水文站,河道站,测试河,{place.lon},{place.lat}\n"
            f"WTEST02,测试雨量站,PP,,{place.lon},{place.lat}\n"
        ),
    )
    levels = _csv(tmp_path, "水位.csv", "STCD,TM,Z,Q\nWTEST01,2026-06-21 08:00,65.3,120\nWTEST09,2026-06-21 08:00,1,\n")
    with app_server(path) as url, browser_page(url) as (page, watch):
        _open_import_page(page, url)
        text = _upload_validate_commit(page, [stations], "水情站点")
        assert "通过 1 行" in text and "拒收 1 行" in text
        _open_import_page(page, url)
        text = _upload_validate_commit(page, [levels], "河道 · 水库水位")
        assert "通过 1 行" in text and "拒收 1 行" in text
        screenshot(page, "import-water-levels")
        assert_no_exception(page)
        watch.assert_clean()
    conn = store.connect(path, read_only=True)
    assert store.scalar(conn, "SELECT kind FROM water_stations WHERE code = 'WTEST01'") == "river"
    assert store.scalar(conn, "SELECT level_m FROM water_levels WHERE station = 'WTEST01'") == 65.3
    conn.close()


def test_month_day_parse_matches_the_calendar():
    """Every month/day pair in every accepted spelling reads as MMDD exactly when it is a day of a leap year."""
    import duckdb

    from emergency.ingest.engine import _parse_month_day

    cases = []
    for m in range(0, 14):
        for d in range(0, 33):
            try:
                expected = datetime(2000, m, d).strftime("%m%d")
            except ValueError:
                expected = None
            for text in (
                f"{m:02d}{d:02d}",
                f"{m}-{d}",
                f"{m:02d}/{d:02d}",
                f"{m}月{d}日",
                f"2025-{m:02d}-{d:02d}",
                f"{m * 100 + d}" if m else f"{d:02d}",
            ):
                cases.append((text, expected if (m or len(text) != 2) else None))
    cases += [("abc", None), ("04150", None), ("4.15", "0415"), ("415.0", "0415"), ("2025-04-15 00:00:00", "0415")]
    con = duckdb.connect()
    frame = pd.DataFrame({"c0": [c[0] for c in cases]})
    con.register("f", frame)
    got = [r[0] for r in con.execute(f"SELECT {_parse_month_day('nullif(trim(c0), chr(0))')} FROM f").fetchall()]
    wrong = [(text, want, have) for (text, want), have in zip(cases, got, strict=True) if want != have]
    assert not wrong, wrong[:10]
