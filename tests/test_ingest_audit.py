"""A reviewer's audit of the import with another county's files: each test pins one bug found.

Hand-worked expectations: 0.0012 万人 = 12 人; 12,345 元 = 1.2345 万元; and so on, one per test.
"""

import re
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emergency import store
from emergency.ingest import import_file
from tests import tiny

NOW = datetime(2026, 6, 22, 0, 0)


def test_unit_conversion_keeps_whole_people_whole(tiny_store, tmp_path):
    # 0.0012 万人 is 12 people: in binary floating point 0.0012 × 10000 = 11.999999999999998,
    # which the whole-number check refused as "不是整数", header unit or cell unit alike.
    path = tmp_path / "避难场所.csv"
    path.write_text(
        "避难场所名称,可容纳人数（万人）,已安置人数,经度,纬度\n"
        "甲小学,0.0012,0.0012万人,118.0,28.35\n"
        "乙礼堂,1.15,,118.01,28.36\n",
        encoding="utf-8",
    )
    report = import_file(tiny_store, path, "shelters", now=NOW)
    assert (report.accepted, report.rejected) == (2, 0), report.rejects.to_dict("records")
    rows = store.run(
        tiny_store,
        "SELECT name, capacity, coalesce(occupancy, -1) FROM shelters "
        "WHERE name IN ('甲小学', '乙礼堂') ORDER BY capacity",
    )
    assert rows.values.tolist() == [["甲小学", 12, 12], ["乙礼堂", 11500, -1]]


def test_unit_conversion_stores_the_hand_worked_amount(tiny_store, tmp_path):
    # 12,345 元 = 1.2345 万元 (not 1.2345000000000002, which tables and exports would show).
    path = tmp_path / "灾情.csv"
    path.write_text(
        "事件编号,事件类型,发生时间,直接经济损失（元）,处置状态,经度,纬度\n"
        'U1,洪涝,2026-06-21 03:00,"12,345",待处置,118.0,28.35\n'
        "U2,洪涝,2026-06-21 04:00,0.0012万元,待处置,118.0,28.35\n",
        encoding="utf-8",
    )
    report = import_file(tiny_store, path, "incidents", now=NOW)
    assert (report.accepted, report.rejected) == (2, 0)
    losses = dict(store.run(tiny_store, "SELECT id, loss_10k_yuan FROM incidents WHERE id LIKE 'U%'").values.tolist())
    assert losses == {"U1": 1.2345, "U2": 0.0012}


@pytest.mark.parametrize("cell", ["2026-06-21 08:30:00 +0800", "2026-06-21 08:30 GMT+8", "2026-06-21 08:30:00 UTC+8"])
def test_time_with_a_zone_after_a_space_is_read(tiny_store, tmp_path, cell):
    path = tmp_path / "灾情.csv"
    path.write_text(
        f"事件编号,事件类型,发生时间,处置状态,经度,纬度\nZ1,洪涝,{cell},待处置,118.0,28.35\n", encoding="utf-8"
    )
    report = import_file(tiny_store, path, "incidents", now=NOW)
    assert (report.accepted, report.rejected) == (1, 0)
    stored = store.scalar(tiny_store, "SELECT occurred_at FROM incidents WHERE id = 'Z1'")
    assert stored == datetime(2026, 6, 21, 8, 30)


EVIL_LINK = "](http://evil.example)"


def test_import_report_shows_file_text_literally_not_as_markdown(app):
    # The report's extras (warehouses created, labels kept as 其他, headers that look like a field)
    # and the mapping form name texts from the file: shown as data, never as links or emphasis.
    csv = (
        "仓库,物资名称,物资类别,数量,物资名称备注[z](http://evil.example)\n"
        "新仓库[点此](http://evil.example),冲锋舟,救灾**物资**[x](http://evil.example),3,甲\n"
    )
    app.run()
    app.switch_page("pages/import_data.py").run()
    app.selectbox(key="imp_kind").set_value("stock").run()
    app.file_uploader(key="imp_files").upload("库存.csv", csv.encode("utf-8"), "text/csv").run()
    app.button(key="imp_validate").click().run()
    assert not app.exception, [e.value for e in app.exception]
    shown = [
        str(e.value)
        for kind in ("markdown", "caption", "info", "warning", "success", "error")
        for e in getattr(app, kind)
    ]
    assert any("新仓库" in text for text in shown), shown  # the created warehouse is named
    assert any("救灾" in text for text in shown), shown  # the label kept as 其他 is named
    assert not [text for text in shown if EVIL_LINK in text or "**物资**" in text]


def _validated_with_other(app, csv: str):
    app.run()
    app.switch_page("pages/import_data.py").run()
    app.selectbox(key="imp_kind").set_value("shelters").run()
    app.file_uploader(key="imp_files").upload("避难场所.csv", csv.encode("utf-8"), "text/csv").run()
    app.button(key="imp_validate").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return next(s.key[: -len("_code")] for s in app.selectbox if s.key and s.key.startswith("codes_kind_"))


def test_adding_a_code_on_the_import_page_explains_a_refusal_in_chinese(app):
    # A Chinese code (the natural first try) is refused: the reason must be Chinese on a Chinese
    # screen, not "code: lower-case letters, digits and _ ..." from the core.
    key = _validated_with_other(app, "避难场所名称,场所类型,可容纳人数,经度,纬度\n江边馆,晒谷场,300,117.93,28.45\n")
    app.selectbox(key=f"{key}_code").set_value("__new__").run()
    app.text_input(key=f"{key}_new_code").input("晒谷场").run()
    app.text_input(key=f"{key}_new_en").input("Sports hall").run()
    app.button(key=f"{key}_apply").click().run()
    assert not app.exception, [e.value for e in app.exception]
    errors = [str(e.value) for e in app.error]
    assert errors and all("未能保存" in text for text in errors), errors
    assert not [text for text in errors if re.search(r"[A-Za-z]{3,}", text)], errors


def _sheet(path, rows, merges=()):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "灾情统计"
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def test_workbook_header_is_the_row_that_names_the_fields_not_a_fuller_data_row(tiny_store, tmp_path):
    # The header leaves its last column unnamed (a remark column); every data row fills it, so a
    # data row is "fuller" than the header: it was taken for the header and the file refused.
    path = _sheet(
        tmp_path / "灾情.xlsx",
        [
            ["事件编号", "事件类型", "发生时间", "处置状态", None],
            ["H1", "洪涝", "2026-06-21 03:00", "处置中", "村民报告"],
            ["H2", "滑坡", "2026-06-21 04:00", "已完成", "已排险"],
        ],
    )
    report = import_file(tiny_store, path, "incidents", now=NOW)
    assert (report.accepted, report.rejected) == (2, 0)


def test_workbook_with_a_two_row_merged_header_keeps_the_sub_columns(tiny_store, tmp_path):
    # Government statistics tables group columns under a merged cell (人员伤亡 over 死亡 | 受伤),
    # the other headers merged down over both rows, a title above and a total row below.
    path = _sheet(
        tmp_path / "灾情统计.xlsx",
        [
            ["6月21日灾情统计表"],
            ["事件编号", "事件类型", "发生时间", "人员伤亡", None, "直接经济损失（万元）", "处置状态"],
            [None, None, None, "死亡", "受伤", None, None],
            ["M1", "洪涝", "2026-06-21 03:00", 0, 2, 5.5, "处置中"],
            ["M2", "滑坡", "2026-06-21 04:00", 1, 0, 20, "已完成"],
            ["合计", None, None, 1, 2, 25.5, None],
        ],
        merges=["A1:G1", "D2:E2", "A2:A3", "B2:B3", "C2:C3", "F2:F3", "G2:G3"],
    )
    report = import_file(tiny_store, path, "incidents", now=NOW)
    assert (report.accepted, report.rejected) == (2, 1)  # the total row is no incident
    assert list(report.rejects["row_number"]) == [6]
    rows = store.run(
        tiny_store, "SELECT id, deaths, injured, loss_10k_yuan FROM incidents WHERE id LIKE 'M_' ORDER BY id"
    )
    assert rows.values.tolist() == [["M1", 0, 2, 5.5], ["M2", 1, 0, 20.0]]


@pytest.mark.parametrize(
    ("code_header", "name_header"), [("乡镇代码", "乡镇名称"), ("乡镇区划代码", "乡镇名"), ("XZDM", "XZMC")]
)
def test_township_boundaries_with_a_township_office_s_header_words(tiny_store, tmp_path, code_header, name_header):
    # The words the other kinds already read for a township code/name (乡镇代码, XZDM ...) name the
    # townships' own columns too: the file was refused with 缺少必需的列.
    import geopandas
    import shapely

    path = tmp_path / "乡镇.geojson"
    geopandas.GeoDataFrame(
        {code_header: ["999999001"], name_header: ["西镇"]},
        geometry=[shapely.box(117.9, 28.3, 118.0, 28.4)],
        crs="EPSG:4326",
    ).to_file(path, driver="GeoJSON")
    report = import_file(tiny_store, path, "townships", now=NOW)
    assert (report.accepted, report.rejected) == (1, 0)
    assert report.mapping["code"] == code_header and report.mapping["name"] == name_header


def test_missing_columns_are_named_in_chinese_on_a_chinese_screen(tiny_store, tmp_path):
    # "缺少必需的列：id, type, occurred_at, status" showed the engine's field identifiers.
    from emergency.ingest import IngestError

    path = tmp_path / "灾情.csv"
    path.write_text("编号X,地点\n1,甲\n", encoding="utf-8")
    with pytest.raises(IngestError) as raised:
        import_file(tiny_store, path, "incidents", now=NOW)
    zh = raised.value.message("zh")
    assert "发生时间" in zh and "处置状态" in zh and "编号X" in zh, zh
    assert not re.search(r"[A-Za-z]{2,}", zh.replace("编号X", "").replace("灾情.csv", "")), zh
    assert "(id)" in raised.value.message("en")  # the identifier --map takes, in English


def test_cli_names_the_map_identifiers_of_missing_columns(tiny_store, tmp_path, capsys):
    from emergency.ingest.__main__ import main as cli

    db = tmp_path / "s.duckdb"
    conn = store.connect(db)
    tiny.populate(conn)
    conn.close()
    path = tmp_path / "灾情.csv"
    path.write_text("编号X,地点\n1,甲\n", encoding="utf-8")
    assert cli([str(path), "--kind", "incidents", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "发生时间" in err and "--map" in err and "occurred_at" in err, err


def test_utf8_shapefile_with_field_names_cut_inside_a_character(tiny_store, tmp_path):
    # GDAL, QGIS and ArcGIS Pro write .dbf field names of at most 10 bytes; in UTF-8 (3 bytes a
    # character) 乡镇代码 becomes 乡镇代 and one byte of 码. The file was refused as unreadable
    # ('utf-8' codec can't decode byte 0xe7); the names read as their whole characters instead.
    import warnings
    import zipfile

    import geopandas
    import shapely

    folder = tmp_path / "shp"
    folder.mkdir()
    frame = geopandas.GeoDataFrame(
        {"乡镇代码": ["999999001"], "乡镇名称": ["西镇"]},
        geometry=[shapely.box(117.9, 28.3, 118.0, 28.4)],
        crs="EPSG:4326",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL says it laundered the names
        frame.to_file(folder / "乡镇.shp", encoding="utf-8")
    path = tmp_path / "乡镇.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    report = import_file(tiny_store, path, "townships", now=NOW)
    assert (report.accepted, report.rejected) == (1, 0)
    assert report.mapping["code"] == "乡镇代" and report.mapping["name"] == "乡镇名"


def test_water_levels_and_elevations_in_centimetres_are_converted_to_metres(tiny_store, tmp_path):
    # 水位(cm) 85 is 0.85 m: it was stored as 85 m (a level 100× off, silently), and an
    # elevation 高程(cm) 21550 refused as out of range instead of read as 215.5 m.
    stations = tmp_path / "站.csv"
    stations.write_text("测站编码,站名,站类,经度,纬度\nW1,小河站,河道,118.0,28.35\n", encoding="utf-8")
    assert import_file(tiny_store, stations, "water_stations", now=NOW).accepted == 1
    levels = tmp_path / "水位.csv"
    levels.write_text("测站编码,时间,水位(cm)\nW1,2026-06-21 10:00,85\nW1,2026-06-21 11:00,15231\n", encoding="utf-8")
    report = import_file(tiny_store, levels, "water_levels", now=NOW)
    assert (report.accepted, report.rejected) == (2, 0)
    assert [c["unit"] for c in report.conversions] == ["cm"]
    stored = store.run(tiny_store, "SELECT level_m FROM water_levels WHERE station = 'W1' ORDER BY ts")
    assert stored["level_m"].tolist() == [0.85, 152.31]
    gauges = tmp_path / "雨量站.csv"
    gauges.write_text("站码,站名,经度,纬度,高程(cm)\nX1,新站,118.0,28.35,21550\n", encoding="utf-8")
    assert import_file(tiny_store, gauges, "rain_gauges", now=NOW).accepted == 1
    assert store.scalar(tiny_store, "SELECT elevation_m FROM rain_gauges WHERE code = 'X1'") == 215.5


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(st.integers(min_value=0, max_value=1_000_000), min_size=1, max_size=30),
    cents=st.lists(st.integers(min_value=0, max_value=10**11), min_size=1, max_size=30),
)
def test_converted_numbers_equal_the_hand_worked_decimal(tiny_store, tmp_path_factory, people, cents):
    # n people written in 万人 (n / 10000, exact decimal text) store n; an amount in 元 with fen
    # stores the decimal amount ÷ 10000 as 万元 (the nearest double of the exact decimal quotient).
    from decimal import Decimal

    folder = tmp_path_factory.mktemp("units")
    tiny_store.execute("DELETE FROM shelters WHERE name LIKE 'P%'")  # the store lives across examples
    tiny_store.execute("DELETE FROM incidents WHERE id LIKE 'Q%'")
    shelters = folder / "避难场所.csv"
    lines = ["避难场所名称,可容纳人数（万人）,经度,纬度"]
    lines += [f"P{i},{Decimal(n) / 10000},118.0,28.35" for i, n in enumerate(people)]
    shelters.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(tiny_store, shelters, "shelters", now=NOW)
    assert (report.accepted, report.rejected) == (len(people), 0)
    stored = dict(store.run(tiny_store, "SELECT name, capacity FROM shelters WHERE name LIKE 'P%'").values.tolist())
    assert stored == {f"P{i}": n for i, n in enumerate(people)}

    incidents = folder / "灾情.csv"
    lines = ["事件编号,事件类型,发生时间,直接经济损失（元）,处置状态,经度,纬度"]
    lines += [f"Q{i},洪涝,2026-06-21 03:00,{Decimal(c) / 100},待处置,118.0,28.35" for i, c in enumerate(cents)]
    incidents.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(tiny_store, incidents, "incidents", now=NOW)
    assert (report.accepted, report.rejected) == (len(cents), 0)
    stored = dict(store.run(tiny_store, "SELECT id, loss_10k_yuan FROM incidents WHERE id LIKE 'Q%'").values.tolist())
    assert stored == {f"Q{i}": float(Decimal(c) / 1_000_000) for i, c in enumerate(cents)}


def test_accumulated_rain_is_not_read_as_the_rain_of_each_report(tiny_store, tmp_path):
    # 累计雨量 1, 3, 6, 10 mm is 10 mm in all; read as the rain of each report it summed to 20 mm,
    # silently. Without a column of the reports' own rain the file names what it lacks.
    from emergency.ingest import IngestError

    path = tmp_path / "雨量.csv"
    rows = "".join(f"G1,2026-06-21 08:{m:02d},{v}\n" for m, v in ((5, 1.0), (10, 3.0), (15, 6.0), (20, 10.0)))
    path.write_text("站码,时间,累计雨量\n" + rows, encoding="utf-8")
    with pytest.raises(IngestError) as raised:
        import_file(tiny_store, path, "rainfall", now=NOW)
    assert raised.value.reason == "missing_columns" and raised.value.fields == ("mm",)
    both = "".join(
        f"G1,2026-06-21 08:{m:02d},{c},{d}\n" for m, c, d in ((5, 1, 1), (10, 3, 2), (15, 6, 3), (20, 10, 4))
    )
    path.write_text("站码,时间,累计雨量,时段雨量\n" + both, encoding="utf-8")
    report = import_file(tiny_store, path, "rainfall", now=NOW)
    assert report.mapping["mm"] == "时段雨量" and report.accepted == 4
    assert (
        store.scalar(
            tiny_store,
            "SELECT sum(mm) FROM rainfall WHERE station = 'G1' AND ts >= '2026-06-21 08:05' "
            "AND ts <= '2026-06-21 08:20'",
        )
        == 10
    )


def _points_geojson(path, geometries, ids):
    import geopandas

    geopandas.GeoDataFrame(
        {"统一编号": ids, "隐患类型": ["滑坡"] * len(ids)}, geometry=geometries, crs="EPSG:4326"
    ).to_file(path, driver="GeoJSON")
    return path


def test_hazard_points_as_multipoints_of_one_point_are_points(tiny_store, tmp_path):
    # GIS tools often write every point layer as MultiPoint: one point is that point; more than one
    # (or a polygon) is refused as "not a point", not as "几何无法读取 [geometry = 4]".
    import shapely

    path = _points_geojson(
        tmp_path / "隐患点.geojson",
        [
            shapely.MultiPoint([(117.95, 28.35)]),
            shapely.MultiPoint([(117.95, 28.35), (117.96, 28.36)]),
            shapely.box(117.95, 28.35, 117.96, 28.36),
        ],
        ["MP1", "MP2", "MP3"],
    )
    report = import_file(tiny_store, path, "hazard_points", now=NOW)
    assert (report.accepted, report.rejected) == (1, 2)
    assert list(report.rejects["reason"]) == ["not_point", "not_point"]
    assert list(report.rejects["value"]) == ["MultiPoint", "Polygon"]
    assert store.run(tiny_store, "SELECT lon, lat FROM hazard_points WHERE id = 'MP1'").values.tolist() == [
        [117.95, 28.35]
    ]


def test_geojson_without_features_is_an_empty_file(tiny_store, tmp_path):
    # It was refused as 缺少必需的列：编号、类型 (it has no columns because it has no features).
    from emergency.ingest import IngestError

    path = tmp_path / "隐患点.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(IngestError) as raised:
        import_file(tiny_store, path, "hazard_points", now=NOW)
    assert raised.value.reason == "empty"


def test_message_without_its_detail_leaves_no_empty_brackets():
    # The CLI folds a library's detail away: "文字编码不符（），请改选编码" showed empty brackets.
    from emergency.ingest import IngestError

    error = IngestError("雨量.csv", "decode", detail="big5, byte 2")
    assert error.message("zh", with_detail=False) == "文件 雨量.csv：文字编码不符，请改选编码（如 GBK 或 UTF-8）。"
    assert "()" not in error.message("en", with_detail=False)
    assert "（big5, byte 2）" in error.message("zh")


@pytest.mark.parametrize("pair", ["mm=不存在的列", "rain=雨量"])
def test_a_map_the_user_gives_naming_no_column_or_field_is_refused(tiny_store, tmp_path, pair):
    # --map mm=不存在的列 (a typo) was ignored silently and the automatic choice imported instead;
    # --map rain=雨量 (no such field) too.
    from emergency.ingest import IngestError

    path = tmp_path / "雨量.csv"
    path.write_text("站码,时间,雨量,时段雨量\nG1,2026-06-21 08:05,1.0,2.0\n", encoding="utf-8")
    field, header = pair.split("=")
    with pytest.raises(IngestError) as raised:
        import_file(tiny_store, path, "rainfall", now=NOW, mapping={field: header})
    assert raised.value.reason == "unknown_column"
    assert header in raised.value.message("zh")


def test_area_subtracts_holes_and_adds_exclaves_whatever_the_ring_orientation():
    # pyproj sums signed ring areas: a hole drawn in the exterior's direction was added (a
    # township with a 4.5 km² lake came to 340.8 km² instead of 331.9), and an exclave drawn
    # the other way round from the main part was subtracted.
    import shapely

    from emergency import geo

    outer, hole = shapely.box(110.2, 24.6, 110.4, 24.75), shapely.box(110.25, 24.62, 110.27, 24.64)
    a_outer, a_hole = geo.area_km2(outer), geo.area_km2(hole)
    same_way = shapely.Polygon(outer.exterior, [hole.exterior])  # both counter-clockwise
    assert geo.area_km2(same_way) == pytest.approx(a_outer - a_hole, rel=1e-9)
    exclave = shapely.box(110.5, 24.6, 110.6, 24.7)
    mixed = shapely.MultiPolygon([outer, shapely.Polygon(exclave.exterior.coords[::-1])])
    assert geo.area_km2(mixed) == pytest.approx(a_outer + geo.area_km2(exclave), rel=1e-9)
    assert geo.area_km2([same_way, None]).tolist()[1] == 0.0


def test_a_corrected_file_clears_the_quarantine_of_the_rows_it_stores(tiny_store, tmp_path):
    first = tmp_path / "灾情.csv"
    first.write_text(
        "事件编号,事件类型,发生时间,死亡人数,处置状态\nC1,洪涝,2026-06-21 03:00,一人,待处置\n", encoding="utf-8"
    )
    assert import_file(tiny_store, first, "incidents", now=NOW).rejected == 1
    corrected = tmp_path / "灾情（更正）.csv"
    corrected.write_text(
        "事件编号,事件类型,发生时间,死亡人数,处置状态\nC1,洪涝,2026-06-21 03:00,1,待处置\n", encoding="utf-8"
    )
    assert import_file(tiny_store, corrected, "incidents", now=NOW).accepted == 1
    assert store.scalar(tiny_store, "SELECT count(*) FROM quarantine WHERE kind = 'incidents'") == 0


def test_team_station_address_is_read_as_the_address(tiny_store, tmp_path):
    # A rescue team list gives where it is stationed as 驻地/驻地地址: it was left unused (named
    # only as a look-alike), so a team without coordinates kept no address to be located by.
    path = tmp_path / "队伍.csv"
    path.write_text("队伍名称,队伍类型,队员人数,驻地地址\n江边救援队,水上救援,18,江边路1号\n", encoding="utf-8")
    report = import_file(tiny_store, path, "teams", now=NOW)
    assert report.mapping["address"] == "驻地地址" and not report.unused_headers
    assert store.scalar(tiny_store, "SELECT address FROM teams WHERE name = '江边救援队'") == "江边路1号"


def test_compact_date_without_time_is_read(tiny_store, tmp_path):
    path = tmp_path / "灾情.csv"
    path.write_text("事件编号,事件类型,发生时间,处置状态\nD8,洪涝,20260621,待处置\n", encoding="utf-8")
    report = import_file(tiny_store, path, "incidents", now=NOW)
    assert (report.accepted, report.rejected) == (1, 0)
    assert store.scalar(tiny_store, "SELECT occurred_at FROM incidents WHERE id = 'D8'") == datetime(2026, 6, 21)


def test_cli_report_piped_into_a_reader_that_stops_early_prints_no_traceback(tmp_path):
    # `python -m emergency ingest … | head -1`: the import is committed, then printing the rest of
    # the report met a closed pipe and Python printed a BrokenPipeError traceback.
    import subprocess
    import sys

    db = tmp_path / "s.duckdb"
    conn = store.connect(db)
    tiny.populate(conn)
    conn.close()
    path = tmp_path / "雨量.csv"
    path.write_text("站码,时间,雨量\n" + "".join(f"G1,2026-06-21 08:{m:02d},1.0\n" for m in range(5, 60, 5)))
    process = subprocess.Popen(
        [sys.executable, "-m", "emergency", "ingest", str(path), "--kind", "rainfall", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before the first line
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in err, err
    conn = store.connect(db, read_only=True)
    assert store.scalar(conn, "SELECT count(*) FROM rainfall WHERE ts > '2026-06-21 08:00'") == 11
    conn.close()
