"""The import engine on generated department files.

Formats, encodings, CRSs, synonyms, every rejection reason, upserts.
"""

import tempfile
from datetime import datetime

import numpy as np
import pytest
import shapely

from emergency import geo, store
from emergency.ingest import KINDS, IngestError, Upload, import_file, open_table, suggest_mapping, vocabulary
from tests import ingest_fixtures as fx
from tests import tiny

NOW = datetime(2026, 6, 22, 0, 0)


@pytest.fixture
def conn(tiny_store):
    return tiny_store


def count(conn, table: str) -> int:
    return store.scalar(conn, f"SELECT count(*) FROM {table}")


def reasons(report) -> dict[int, str]:
    return dict(zip(report.rejects["row_number"], report.rejects["reason"], strict=True))


# --- rainfall: every reason, encodings, idempotence -------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_rainfall_csv_in_every_encoding(conn, tmp_path, encoding):
    path = fx.rainfall_csv(tmp_path / "rain.csv", encoding=encoding)
    report = import_file(conn, path, "rainfall", now=NOW, user="值班员", source_name="区水利局")
    assert report.mapping == {"station": "测站编码", "ts": "时间", "mm": "降雨量(mm)", "interval_min": None}
    assert report.total == 28 and report.accepted == 19 and report.rejected == 9
    assert report.encoding.replace("_", "-") in {"utf-8", "utf-8-sig", "gb18030", "gbk"}
    assert count(conn, "rainfall") == 7 + 19
    assert "interval_inferred" in report.notes
    # Interval inferred from the hourly spacing.
    assert store.scalar(conn, "SELECT DISTINCT interval_min FROM rainfall WHERE ts > '2026-06-21'") == 60


def test_each_rainfall_rejection_reason_names_its_row(conn, tmp_path):
    report = import_file(conn, fx.rainfall_csv(tmp_path / "rain.csv"), "rainfall", now=NOW)
    # Header = row 1, 18 good rows = rows 2..19, then the bad rows from row 20 on.
    assert reasons(report) == {
        20: "missing",
        21: "bad_number",
        22: "negative_rain",
        23: "sentinel",
        24: "impossible_rain",
        26: "unknown_reference",
        27: "duplicate",
        28: "future_time",
        29: "bad_time",
    }
    duplicate = report.rejects.set_index("row_number").loc[27]
    assert duplicate["value"] == "2" and duplicate["field"] == "测站编码 + 时间"
    assert '"测站编码":"G7"' in report.rejects.set_index("row_number").loc[26, "raw"]
    # The gauge given by name was stored under its code.
    assert store.scalar(conn, "SELECT count(*) FROM rainfall WHERE station = 'G2' AND ts = '2026-06-21 07:00'") == 1
    quarantined = store.run(conn, "SELECT row_number, reason, kind, file_name FROM quarantine ORDER BY row_number")
    assert list(quarantined["row_number"]) == sorted(reasons(report))
    assert set(quarantined["file_name"]) == {"rain.csv"}


def test_reimport_changes_nothing_and_a_newer_file_updates(conn, tmp_path):
    path = fx.rainfall_csv(tmp_path / "rain.csv")
    first = import_file(conn, path, "rainfall", now=NOW)
    before = store.run(conn, "SELECT * FROM rainfall ORDER BY station, ts")
    again = import_file(conn, path, "rainfall", now=NOW)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, first.accepted)
    assert store.run(conn, "SELECT * FROM rainfall ORDER BY station, ts").equals(before)
    # The quarantine holds the file's rejects once, not twice; the log has both imports.
    assert count(conn, "quarantine") == first.rejected
    assert count(conn, "import_log") == 2
    log = store.run(conn, "SELECT * FROM import_log ORDER BY id").iloc[-1]
    assert log["file_hash"] == first.sha256 and log["accepted"] == first.accepted and log["rejected"] == first.rejected

    newer = tmp_path / "rain-corrected.csv"
    newer.write_text("站码,时间,雨量\nG1,2026-06-21 01:00,4.2\nG1,2026-06-21 11:00,1.0\n", encoding="utf-8")
    report = import_file(conn, newer, "rainfall", now=NOW)
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 0)
    assert store.scalar(conn, "SELECT mm FROM rainfall WHERE station = 'G1' AND ts = '2026-06-21 01:00'") == 4.2


def test_dry_run_writes_nothing(conn, tmp_path):
    report = import_file(conn, fx.rainfall_csv(tmp_path / "rain.csv"), "rainfall", dry_run=True, now=NOW)
    assert report.accepted == 19 and report.import_id is None
    assert count(conn, "rainfall") == 7 and count(conn, "import_log") == 0 and count(conn, "quarantine") == 0


@pytest.mark.parametrize(
    "headers",
    [
        ("站码", "观测时间", "雨量"),
        ("station", "time", "rain"),
        ("STCD", "TM", "DRP"),
        ("测站代码", "时段末时间", "时段降雨量（毫米）"),
    ],
)
def test_header_synonyms(conn, tmp_path, headers):
    path = fx.rainfall_csv(tmp_path / "rain.csv", bad_rows=False, headers=headers)
    report = import_file(conn, path, "rainfall", now=NOW)
    assert report.rejected == 0 and report.accepted == 18


def test_user_mapping_overrides_the_guess(conn, tmp_path):
    path = tmp_path / "rain.csv"
    path.write_text("a,b,c\nG1,2026-06-21 01:00,1\n", encoding="utf-8")
    with pytest.raises(IngestError) as error:
        import_file(conn, path, "rainfall", now=NOW)
    assert error.value.reason == "missing_columns" and "station" in error.value.message("en")
    report = import_file(conn, path, "rainfall", mapping={"station": "a", "ts": "b", "mm": "c"}, now=NOW)
    assert report.accepted == 1


def test_time_formats_and_zones(conn, tmp_path):
    path = tmp_path / "rain.csv"
    path.write_text(
        "站码,时间,雨量,时段长\n"
        "G1,2026/6/21 1:00,1,60\n"
        "G1,2026-06-20T18:00:00Z,1,60\n"  # 02:00 Shanghai
        "G1,46194.125,1,60\n"  # Excel serial: 2026-06-21 03:00
        "G1,2026年6月21日 4:00,1,60\n"
        "G1,202606210500,1,60\n"
        "G1,2026-06-21T06:00+08:00,1,60\n"  # zoned, no seconds
        "G1,2026-06-20T23:00Z,1,60\n"  # 07:00 Shanghai
        "G1,2026-06-21 00:00:00 UTC,1,60\n"  # 08:00 Shanghai (DuckDB's TIMESTAMP cast drops the name)
        "G1,2026-06-21 01:00 GMT,1,60\n"  # 09:00 Shanghai
        "G1,2026-06-21T02:00:00+0000,1,60\n"  # 10:00 Shanghai
        "G1,2026-06-21 03:00:00-01:00,1,60\n",  # 12:00 Shanghai
        encoding="utf-8",
    )
    report = import_file(conn, path, "rainfall", now=NOW)
    assert report.rejected == 0, report.rejects
    stored = store.run(conn, "SELECT ts FROM rainfall WHERE station = 'G1' AND ts > '2026-06-20 23:00' ORDER BY ts")[
        "ts"
    ]
    assert [t.hour for t in stored] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]


# --- resources, gauges, CRSs, townships ------------------------------------------------------


@pytest.mark.parametrize("crs", ["wgs84", "cgcs2000", "gcj02", "bd09", fx.PROJECTED])
def test_every_crs_round_trips_within_a_metre(conn, tmp_path, crs):
    path = fx.gauges_csv(tmp_path / "gauges.csv", crs=crs)
    report = import_file(conn, path, "rain_gauges", crs=crs)
    assert report.rejected == 0, report.rejects
    stored = store.run(
        conn, "SELECT code, lon, lat, township, kind FROM rain_gauges WHERE code LIKE 'S%' ORDER BY code"
    )
    expected = np.array([(g[3], g[4]) for g in fx.GAUGES])
    distance = 1000 * geo.haversine_km(stored["lon"], stored["lat"], expected[:, 0], expected[:, 1])
    assert distance.max() < 1.0
    assert list(stored["township"]) == ["999999001", "999999002", "999999002"]
    assert list(stored["kind"]) == ["automatic", "hydrological", "automatic"]
    assert "township_assigned" in report.notes


def test_excel_sheet_choice_labels_and_swapped_coordinates(conn, tmp_path):
    path = fx.incidents_xlsx(tmp_path / "灾情.xlsx")
    with open_table(path) as table:
        assert table.sheets == ("说明", "灾情")
    # Every sheet whose header fits is read: the notes sheet is named as skipped.
    whole = import_file(conn, path, "incidents", now=NOW, dry_run=True)
    assert whole.sheets_read == [("灾情", 5)] and whole.sheets_skipped == [("说明", "header_mismatch")]
    with pytest.raises(IngestError) as error:
        import_file(conn, path, "incidents", sheet="说明", now=NOW)  # that sheet has no incident columns
    assert error.value.reason == "missing_columns"
    report = import_file(conn, path, "incidents", sheet="灾情", now=NOW)
    # 地震 is a GB/T 35561 class of the seeded code list, no longer a rejection.
    assert reasons(report) == {6: "swapped_coordinates"}
    rows = store.run(
        conn,
        "SELECT id, type, status, township, occurred_at, loss_10k_yuan, lon FROM incidents WHERE id LIKE 'E%' ORDER"
        " BY id",
    )
    assert list(rows["type"]) == ["flash_flood", "landslide", "flood", "earthquake"]
    assert list(rows["status"]) == ["closed", "active", "closed", "pending"]
    assert list(rows["township"]) == ["999999001", "999999002", "999999002", "999999001"]
    assert rows["occurred_at"].iloc[2] == datetime(2026, 6, 21, 5, 30)
    assert rows["loss_10k_yuan"].iloc[0] == 12.5
    assert np.isnan(rows["lon"].iloc[2])  # no coordinates: stored as NULL


def test_geojson_points_out_of_area(conn, tmp_path):
    report = import_file(conn, fx.hazards_geojson(tmp_path / "隐患点.geojson"), "hazard_points")
    assert reasons(report) == {3: "out_of_area"}
    rows = store.run(conn, "SELECT id, kind, township, people FROM hazard_points WHERE id LIKE 'H_' ORDER BY id")
    assert rows.to_dict("records") == [
        {"id": "H1", "kind": "landslide", "township": "999999001", "people": 12},
        {"id": "H2", "kind": "debris_flow", "township": "999999002", "people": 30},
    ]


def test_geopackage_in_a_projected_crs(conn, tmp_path):
    report = import_file(conn, fx.shelters_gpkg(tmp_path / "避难场所.gpkg"), "shelters")
    assert report.crs == fx.PROJECTED and report.accepted == 2
    rows = store.run(
        conn,
        "SELECT name, kind, capacity, lon, lat, township FROM shelters WHERE name IN ('西镇中学', '东乡体育馆') ORDER"
        " BY name",
    )
    assert list(rows["kind"]) == ["stadium", "school"]
    assert 1000 * geo.haversine_km(rows["lon"].iloc[1], rows["lat"].iloc[1], 117.91, 28.31) < 1.0


@pytest.mark.parametrize("packaging", ["zip", "parts", "path"])
def test_gbk_shapefile_without_cpg(conn, tmp_path, packaging):
    shp = fx.townships_shapefile(tmp_path / "shp")
    assert not shp.with_suffix(".cpg").exists()
    if packaging == "zip":
        source = fx.zip_shapefile(shp, tmp_path / "乡镇.zip")
    elif packaging == "parts":
        source = [Upload(p.name, p.read_bytes()) for p in shp.parent.iterdir()]
    else:
        source = shp
    report = import_file(conn, source, "townships")
    assert report.accepted == 2 and report.crs == fx.PROJECTED
    rows = store.run(conn, "SELECT code, name, population, area_km2, geometry FROM townships ORDER BY code")
    assert list(rows["name"]) == ["西镇", "东乡"]
    assert list(rows["population"]) == [1200, 3400]
    west = geo.wkb_to_geometry(bytes(rows["geometry"].iloc[0]))
    assert shapely.equals_exact(
        shapely.normalize(west), shapely.normalize(fx.TOWNSHIP_SQUARES["999999001"][1]), tolerance=1e-6
    )


def test_self_intersecting_polygon_is_rejected(conn, tmp_path):
    shp = fx.townships_shapefile(tmp_path / "shp", bowtie=True, with_cpg=True)
    report = import_file(conn, shp, "townships")
    assert reasons(report) == {3: "invalid_geometry"}
    assert "Self-intersection" in report.rejects["value"].iloc[0]


def test_warehouses_then_stock_references(conn, tmp_path):
    warehouses = tmp_path / "仓库.csv"
    warehouses.write_text("仓库名称,地址,经度,纬度\n西镇仓库,西镇一路,117.95,28.35\n", encoding="utf-8")
    assert import_file(conn, warehouses, "warehouses").accepted == 1
    stock = tmp_path / "库存.csv"
    stock.write_text(
        "所属仓库,物资名称,物资类别,数量,单位\n西镇仓库,编织袋,防汛物资,2000,条\n西镇仓库,救生衣,救援装备,-5,件\n"
        "北镇仓库,帐篷,生活类,10,顶\n西镇仓库,帐篷,生活类,10,顶\n",
        encoding="utf-8",
    )
    report = import_file(conn, stock, "stock")
    # An unknown warehouse no longer costs its rows: it is created, location missing.
    assert reasons(report) == {3: "out_of_range"}
    assert report.created == {"warehouses": ["北镇仓库"]}
    assert store.run(conn, "SELECT lon, lat FROM warehouses WHERE name = '北镇仓库'").isna().all(axis=None)
    assert store.scalar(conn, "SELECT count(*) FROM stock WHERE item = '帐篷'") == 2


def test_teams_kind_synonyms_and_unknown_township(conn, tmp_path):
    teams = tmp_path / "队伍.csv"
    teams.write_text(
        "队伍名称,队伍类型,队员人数,乡镇,经度,纬度\n西镇民兵连,民兵,30,西镇,117.95,28.35\n东乡消防队,消防,12,东乡,118.05,28.35\n"
        "外乡队,志愿者,8,北乡,118.05,28.35\n",
        encoding="utf-8",
    )
    report = import_file(conn, teams, "teams")
    assert reasons(report) == {4: "unknown_township"}
    assert list(
        store.run(conn, "SELECT kind FROM teams WHERE name IN ('西镇民兵连', '东乡消防队') ORDER BY name")["kind"]
    ) == ["fire_rescue", "militia"]


def test_vocabularies_cover_labels_and_synonyms():
    status = vocabulary("incident_status")
    assert status["已处置"] == status["已完成"] == status["closed"] == "closed"
    assert status["inprogress"] == "active"  # spaces are folded away
    assert vocabulary("team_kind")["民兵应急分队"] == "militia"


def test_suggest_mapping_uses_each_header_once():
    mapping = suggest_mapping(KINDS["rain_gauges"], ["站码", "站名", "经度", "纬度", "类型"])
    assert mapping["code"] == "站码" and mapping["name"] == "站名" and mapping["kind"] == "类型"
    assert mapping["township"] is None


# --- bad files: a clear message with file, row and reason; nothing written ------------------

BAD_FILES = {
    "empty.csv": (b"", "empty"),
    "header.csv": ("站码,时间,雨量\n".encode(), "no_rows"),
    "garbage.csv": (bytes(range(256)) * 40, "binary"),
    "columns.csv": ("名称,备注\n甲,乙\n".encode(), "missing_columns"),
    "ragged.csv": ("站码,时间,雨量\nG1,2026-06-21 01:00,1,9,9\n".encode(), "malformed"),
    "broken.geojson": (b'{"type": "FeatureCollection", "features": [{"type": ', "unreadable"),
    "garbage.xlsx": (b"PK\x03\x04 not really a workbook", "unreadable"),
    "notes.docx": (b"whatever", "format"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_a_message_not_a_traceback(conn, tmp_path, name):
    data, reason = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    before = count(conn, "rainfall")
    with pytest.raises(IngestError) as error:
        import_file(conn, path, "rainfall", now=NOW)
    assert error.value.reason == reason
    message = error.value.message("zh")
    assert name in message and "Traceback" not in message
    assert count(conn, "rainfall") == before and count(conn, "import_log") == 0


def test_truncated_last_line_is_a_row_rejection(conn, tmp_path):
    path = fx.rainfall_csv(tmp_path / "rain.csv", bad_rows=False)
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b",")])  # cut inside the last row
    report = import_file(conn, path, "rainfall", now=NOW)
    assert reasons(report) == {19: "missing"}


def test_shapefile_missing_shx(conn, tmp_path):
    shp = fx.townships_shapefile(tmp_path / "shp")
    with pytest.raises(IngestError) as error:
        import_file(conn, fx.zip_shapefile(shp, tmp_path / "乡镇.zip", drop=".shx"), "townships")
    assert error.value.reason == "shapefile_part" and ".shx" in error.value.message("en")
    assert count(conn, "townships") == 2


def test_absurd_values(conn, tmp_path):
    path = tmp_path / "shelters.csv"
    path.write_text(
        "名称,可容纳人数,经度,纬度\n甲,100,117.95,28.35\n乙,1e12,117.95,28.35\n丙,-3,117.95,28.35\n丁,12.5,117.95,28.35\n戊,50,999,999\n",
        encoding="utf-8",
    )
    report = import_file(conn, path, "shelters")
    assert reasons(report) == {3: "out_of_range", 4: "out_of_range", 5: "bad_integer", 6: "out_of_area"}


def test_wrong_encoding_override_is_a_message(conn, tmp_path):
    path = fx.rainfall_csv(tmp_path / "rain.csv", encoding="gbk", headers=("站码", "时间", "雨量"))
    report = import_file(conn, path, "rainfall", encoding="gbk", now=NOW)
    assert report.accepted == 19
    with pytest.raises(IngestError) as error:
        import_file(conn, path, "rainfall", encoding="utf-8", now=NOW)
    assert error.value.reason in {"decode", "missing_columns", "malformed"}


def test_townships_from_wkt_csv_and_geometry_reasons(conn, tmp_path):
    path = tmp_path / "乡镇.csv"
    path.write_text(
        "乡镇编码,乡镇名称,边界\n"
        '999999001,西镇,"POLYGON ((117.9 28.3, 118 28.3, 118 28.4, 117.9 28.4, 117.9 28.3))"\n'
        '999999009,点乡,"POINT (117.95 28.35)"\n'
        '999999010,坏乡,"POLYGON ((117.9 28.3, 118"\n'
        '999999011,远乡,"POLYGON ((120 30, 120.1 30, 120.1 30.1, 120 30))"\n',
        encoding="utf-8",
    )
    report = import_file(conn, path, "townships")
    assert reasons(report) == {3: "not_polygon", 4: "bad_geometry", 5: "out_of_area"}
    assert (report.inserted, report.updated) == (0, 1)  # 西镇 re-drawn: area and label recomputed
    assert store.scalar(conn, "SELECT round(area_km2) FROM townships WHERE code = '999999001'") == round(
        geo.area_km2(fx.TOWNSHIP_SQUARES["999999001"][1])
    )


def test_store_without_a_county_checks_only_plausible_coordinates(tmp_path):
    conn = store.connect(":memory:")
    path = tmp_path / "teams.csv"
    path.write_text("名称,类型,人数,经度,纬度\n甲队,民兵,10,117.95,28.35\n乙队,民兵,10,181,28.35\n", encoding="utf-8")
    report = import_file(conn, path, "teams")
    assert reasons(report) == {3: "bad_coordinate"}
    assert "no_county" in report.notes
    conn.close()


def test_geojson_coordinates_in_gcj02_when_told(conn, tmp_path):
    lon, lat = geo.wgs84_to_gcj02(117.93, 28.33)
    path = tmp_path / "hazard.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"编号": "HG1", "类型": "内涝"},'
        f' "geometry": {{"type": "Point", "coordinates": [{lon}, {lat}]}}}}]}}',
        encoding="utf-8",
    )
    report = import_file(conn, path, "hazard_points", crs="gcj02")
    assert report.accepted == 1
    row = store.run(conn, "SELECT lon, lat FROM hazard_points WHERE id = 'HG1'").iloc[0]
    assert 1000 * geo.haversine_km(row["lon"], row["lat"], 117.93, 28.33) < 1.0


def test_excel_title_rows_above_the_header(conn, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["广信区应急救援队伍统计表（2026年6月）"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["队伍名称", "队伍类型", "队员人数", "乡镇", "经度", "纬度"])
    sheet.append(["西镇抢险队", "防汛抢险", 25, "西镇", 117.95, 28.35])
    path = tmp_path / "队伍.xlsx"
    book.save(path)
    report = import_file(conn, path, "teams")
    assert report.accepted == 1 and report.rejected == 0
    assert store.scalar(conn, "SELECT members FROM teams WHERE name = '西镇抢险队'") == 25


def test_uploads_leave_no_temporary_files(conn, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    data = fx.rainfall_csv(tmp_path / "rain.csv", encoding="gbk").read_bytes()
    assert import_file(conn, Upload("雨量.csv", data), "rainfall", now=NOW).accepted == 19
    with pytest.raises(IngestError):
        import_file(conn, Upload("坏.csv", b"\x00\x01" * 100), "rainfall", now=NOW)
    shp = fx.townships_shapefile(tmp_path / "shp")
    import_file(conn, Upload("乡镇.zip", fx.zip_shapefile(shp, tmp_path / "t.zip").read_bytes()), "townships")
    assert list(scratch.iterdir()) == []


def test_update_file_without_coordinates_keeps_them(conn, tmp_path):
    path = tmp_path / "status.csv"
    path.write_text("事件编号,事件类型,发生时间,处置状态\nI1,洪涝,2026-06-20 02:00,已结案\n", encoding="utf-8")
    report = import_file(conn, path, "incidents", now=NOW, source_name="西镇")
    assert (report.inserted, report.updated) == (0, 1)
    row = store.run(conn, "SELECT status, lon, lat, township, source FROM incidents WHERE id = 'I1'").iloc[0]
    assert row["status"] == "closed" and row["lon"] == 117.95 and row["township"] == "999999001"
    assert row["source"] == "西镇"


def test_stale_gauges_and_source_freshness(conn, tmp_path):
    from emergency import queries

    # Tiny store: G1 reports 01:00..04:00, G2 03:00 and 04:00, G3 only 04:00 (2026-06-20).
    assert list(queries.stale_gauges(conn, tiny.hour(3.5), 60)["code"]) == ["G3"]  # never reported by 03:30
    assert queries.stale_gauges(conn, tiny.hour(4.5), 60).empty
    late = queries.stale_gauges(conn, tiny.hour(4.5), 20)
    assert sorted(late["code"]) == ["G1", "G2", "G3"] and set(late["age_min"]) == {30}
    gauges = queries.gauge_freshness(conn, tiny.hour(4.5), 20)
    assert len(gauges) == 3 and gauges["stale"].all()

    import_file(conn, fx.rainfall_csv(tmp_path / "rain.csv"), "rainfall", now=NOW, source_name="区水利局")
    sources = queries.source_freshness(conn).set_index(["source", "kind"])
    assert sources.loc[("test", "rainfall"), "latest_data_at"] == datetime(2026, 6, 21, 7, 0)
    assert sources.loc[("区水利局", "rainfall"), "last_import_at"] is not None


def test_a_kind_without_location_still_resolves_townships(conn, tmp_path, monkeypatch):
    from emergency.ingest import Field, Kind

    # A kind registered the way other features add theirs: a spec, no engine change.
    contacts = Kind(
        "contacts",
        "township_contacts",
        ("township", "phone"),
        (
            Field("township", "township", True, ("乡镇",)),
            Field("name", "text", True, ("姓名",)),
            Field("role", "text", True, ("职务",)),
            Field("phone", "text", True, ("电话",)),
        ),
    )
    monkeypatch.setitem(KINDS, "contacts", contacts)
    path = tmp_path / "责任人.csv"
    path.write_text("乡镇,姓名,职务,电话\n西镇,赵一,镇长,13800000001\n北乡,钱二,乡长,13800000002\n", encoding="utf-8")
    report = import_file(conn, path, "contacts")
    assert reasons(report) == {3: "unknown_township"}
    assert store.scalar(conn, "SELECT township FROM township_contacts WHERE phone = '13800000001'") == "999999001"
