"""Department files come in whole.

Blanks, every problem, units, learned mappings, 重伤, incomplete records.
"""

import json
from datetime import datetime

import pandas as pd
import pytest

from emergency import store
from emergency.ingest import import_file
from emergency.ingest.__main__ import main as cli
from tests import tiny

NOW = datetime(2026, 6, 22, 0, 0)


@pytest.fixture
def conn(tiny_store):
    return tiny_store


def test_blank_optional_numbers_are_null_not_errors(conn, tmp_path):
    path = tmp_path / "灾情.csv"
    path.write_text(
        "事件编号,事件类型,发生时间,死亡人数,受伤人数,重伤人数,直接经济损失（万元）,处置状态\n"
        "B1,洪涝,2026-06-21 03:00,,,,,待处置\nB2,洪涝,2026-06-21 04:00,1,5,2,3.5,已处置\n",
        encoding="utf-8",
    )
    report = import_file(conn, path, "incidents", now=NOW)
    assert report.accepted == 2 and report.rejected == 0
    rows = store.run(
        conn, "SELECT deaths, injured, seriously_injured, loss_10k_yuan FROM incidents WHERE id LIKE 'B%' ORDER BY id"
    )
    assert rows.iloc[0].isna().all()
    assert rows.iloc[1].tolist() == [1, 5, 2, 3.5]


def test_full_width_digits_typed_in_chinese_mode_are_numbers_and_times(conn, tmp_path):
    """１２．５ and ２０２６－０６－２１　０８：００ (a Chinese input method in full-width mode) read as ASCII."""
    path = tmp_path / "灾情.csv"
    path.write_text(
        "事件编号,事件类型,发生时间,死亡人数,受伤人数,直接经济损失（万元）,处置状态\n"
        "W1,洪涝,２０２６－０６－２１　０８：００,０,１２,３．５,待处置\n"
        'W2,洪涝,２０２６/６/２１ ９:３０,1,"１，２",,待处置\n',
        encoding="utf-8",
    )
    report = import_file(conn, path, "incidents", now=NOW)
    # The full-width comma is text punctuation, not a thousands separator: that cell is refused.
    assert report.accepted == 1 and report.rejected == 1
    assert json.loads(report.rejects["problems"].iloc[0])[0][0] == "bad_integer"
    row = store.run(conn, "SELECT occurred_at, deaths, injured, loss_10k_yuan FROM incidents WHERE id = 'W1'").iloc[0]
    assert row.tolist() == [pd.Timestamp("2026-06-21 08:00"), 0, 12, 3.5]


def test_every_problem_of_a_row_is_listed_and_quarantined(conn, tmp_path):
    path = tmp_path / "灾情.csv"
    path.write_text(
        "事件编号,事件类型,发生时间,死亡人数,受伤人数,处置状态\nP1,洪涝,不是时间,-3,很多,待处置\n",
        encoding="utf-8",
    )
    report = import_file(conn, path, "incidents", now=NOW)
    problems = json.loads(report.rejects["problems"].iloc[0])
    assert [p[0] for p in problems] == ["bad_time", "bad_integer", "out_of_range"]
    assert {p[1] for p in problems} == {"发生时间", "受伤人数", "死亡人数"}
    stored = json.loads(store.scalar(conn, "SELECT problems FROM quarantine WHERE file_name = '灾情.csv'"))
    assert stored == problems


def test_implausible_dates_rejected_per_row(conn, tmp_path):
    path = tmp_path / "灾情.csv"
    path.write_text(
        "事件编号,事件类型,发生时间,更新时间,处置状态\n"
        "D1,洪涝,0001-01-01 00:00,,待处置\nD2,洪涝,1899-12-31 00:00,,待处置\nD3,洪涝,9999-01-01 00:00,,待处置\n"
        "D4,洪涝,2026-06-21 05:00,2026-06-21 04:00,待处置\nD5,洪涝,2026-06-21 05:00,2026-06-21 06:00,待处置\n",
        encoding="utf-8",
    )
    report = import_file(conn, path, "incidents", now=NOW)
    assert dict(zip(report.rejects["row_number"], report.rejects["reason"], strict=True)) == {
        2: "implausible_time",
        3: "implausible_time",
        4: "future_time",
        5: "updated_before_occurred",
    }


@pytest.mark.parametrize(
    ("header", "cell", "expected"),
    [
        ("直接经济损失（元）", "25000", 2.5),
        ("经济损失元", "25000", 2.5),
        ("直接经济损失(亿元)", "0.5", 5000.0),
        ("直接经济损失（万元）", "3.5", 3.5),
        ("直接经济损失", "12000元", 1.2),
        ("直接经济损失（万元）", "1.5亿元", 15000.0),
    ],
)
def test_loss_units_in_header_or_cell_are_converted_and_reported(conn, tmp_path, header, cell, expected):
    path = tmp_path / "灾情.csv"
    path.write_text(
        f"事件编号,事件类型,发生时间,{header},处置状态\nU1,洪涝,2026-06-21 03:00,{cell},待处置\n", encoding="utf-8"
    )
    report = import_file(conn, path, "incidents", now=NOW)
    assert report.accepted == 1
    assert store.scalar(conn, "SELECT loss_10k_yuan FROM incidents WHERE id = 'U1'") == pytest.approx(expected)
    if expected != float(cell.rstrip("元亿万")) or "元" in cell:
        assert report.conversions and report.conversions[0]["field"] == "loss_10k_yuan"


def test_rain_in_cm_and_people_in_10k(conn, tmp_path):
    path = tmp_path / "rain.csv"
    path.write_text("测站编码,时间,降雨量(cm)\nG1,2026-06-21 01:00,1.2\nG1,2026-06-21 02:00,3mm\n", encoding="utf-8")
    report = import_file(conn, path, "rainfall", now=NOW)
    assert report.accepted == 2
    assert store.run(conn, "SELECT mm FROM rainfall WHERE ts >= '2026-06-21' ORDER BY ts")[
        "mm"
    ].tolist() == pytest.approx([12.0, 3.0])
    assert {c["where"] for c in report.conversions} == {"header", "cell"}


def test_seriously_injured_is_its_own_field(conn, tmp_path):
    path = tmp_path / "灾情.csv"
    path.write_text(
        "事件编号,事件类型,发生时间,受伤,重伤,处置状态\nS1,洪涝,2026-06-21 03:00,12,3,待处置\n", encoding="utf-8"
    )
    report = import_file(conn, path, "incidents", now=NOW)
    assert report.mapping["injured"] == "受伤" and report.mapping["seriously_injured"] == "重伤"
    assert store.run(conn, "SELECT injured, seriously_injured FROM incidents WHERE id = 'S1'").iloc[0].tolist() == [
        12,
        3,
    ]


def test_map_adds_to_the_automatic_mapping_and_is_remembered_per_source(conn, tmp_path):
    path = tmp_path / "灾情.csv"
    path.write_text(
        "事件编号,事件类型,发生时间,处置状态,灾损金额\nM1,洪涝,2026-06-21 03:00,待处置,8\n", encoding="utf-8"
    )
    report = import_file(conn, path, "incidents", now=NOW, mapping={"loss_10k_yuan": "灾损金额"}, source_name="某乡镇")
    assert report.mapping["id"] == "事件编号" and report.mapping["loss_10k_yuan"] == "灾损金额"
    assert store.scalar(conn, "SELECT loss_10k_yuan FROM incidents WHERE id = 'M1'") == 8
    # The same department's next file needs no mapping; another department's does.
    path.write_text(
        "事件编号,事件类型,发生时间,处置状态,灾损金额\nM2,洪涝,2026-06-21 03:00,待处置,9\n", encoding="utf-8"
    )
    again = import_file(conn, path, "incidents", now=NOW, source_name="某乡镇")
    assert again.mapping["loss_10k_yuan"] == "灾损金额" and again.remembered == {"loss_10k_yuan": "灾损金额"}
    assert again.remembered_from == {"loss_10k_yuan": "source:某乡镇"}
    # Another department's file of another shape needs its own mapping.
    path.write_text(
        "事件编号,事件类型,发生时间,处置状态,灾损金额,备注\nM3,洪涝,2026-06-21 03:00,待处置,9,无\n", encoding="utf-8"
    )
    other = import_file(conn, path, "incidents", now=NOW, source_name="别的单位", dry_run=True)
    assert other.mapping["loss_10k_yuan"] is None
    assert other.unused_headers == [("灾损金额", "loss_10k_yuan")]  # named in the report


def test_unused_look_alike_header_is_reported(conn, tmp_path):
    path = tmp_path / "灾情.csv"
    path.write_text(
        "事件编号,事件类型,发生时间,处置状态,死亡人数（含失踪）备注\nL1,洪涝,2026-06-21 03:00,待处置,1\n",
        encoding="utf-8",
    )
    report = import_file(conn, path, "incidents", now=NOW, dry_run=True)
    assert report.unused_headers == [("死亡人数（含失踪）备注", "deaths")]


def test_cli_map_adds_instead_of_replacing(conn, tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    c = store.connect(db)
    tiny.populate(c)
    c.close()
    path = tmp_path / "灾情.csv"
    path.write_text("事件编号,事件类型,发生时间,处置状态,灾损\nC1,洪涝,2026-06-01 03:00,待处置,8\n", encoding="utf-8")
    assert cli([str(path), "--kind", "incidents", "--db", str(db), "--map", "loss_10k_yuan=灾损"]) == 0
    c = store.connect(db)
    assert store.run(c, "SELECT type, loss_10k_yuan FROM incidents WHERE id = 'C1'").iloc[0].tolist() == ["flood", 8.0]
    c.close()


def test_resources_without_coordinates_are_kept_location_missing(conn, tmp_path):
    path = tmp_path / "队伍.csv"
    path.write_text(
        "队伍名称,队伍类型,队员人数,乡镇,地址,经度,纬度\n甲队,民兵,10,西镇,西镇一路1号,,\n乙队,消防,20,东乡,,118.05,28.35\n",
        encoding="utf-8",
    )
    report = import_file(conn, path, "teams")
    assert report.accepted == 2 and report.location_missing == 1
    row = store.run(conn, "SELECT township, address, lon FROM teams WHERE name = '甲队'").iloc[0]
    assert row["township"] == "999999001" and row["address"] == "西镇一路1号" and pd.isna(row["lon"])
    # A later list with coordinates completes the record; one without never erases them.
    path.write_text(
        "队伍名称,队伍类型,队员人数,经度,纬度\n甲队,民兵,10,117.95,28.35\n乙队,消防,20,,\n", encoding="utf-8"
    )
    import_file(conn, path, "teams")
    located = store.run(conn, "SELECT name, lon FROM teams WHERE name IN ('甲队', '乙队') ORDER BY name")
    assert located["lon"].tolist() == [118.05, 117.95]  # 乙队, 甲队


def test_every_fitting_sheet_of_a_workbook_is_read_and_the_rest_named(conn, tmp_path):
    path = tmp_path / "六月雨量.xlsx"

    def day(d, mm):
        return pd.DataFrame(
            {"测站编码": ["G1", "G2"], "时间": [f"2026-06-{d} 01:00", f"2026-06-{d} 01:00"], "降雨量(mm)": mm}
        )

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"说明": ["区水文站报送"]}).to_excel(writer, sheet_name="说明", index=False)
        day(18, [1.0, 2.0]).to_excel(writer, sheet_name="18日", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="空表", index=False)
        day(19, [3.0, -1.0]).to_excel(writer, sheet_name="19日", index=False)
    report = import_file(conn, path, "rainfall", now=NOW)
    assert report.sheets_read == [("18日", 2), ("19日", 2)]
    assert report.sheets_skipped == [("说明", "header_mismatch"), ("空表", "empty")]
    assert report.accepted == 3
    assert report.rejects[["sheet", "row_number", "reason"]].values.tolist() == [["19日", 3, "negative_rain"]]
    assert store.scalar(conn, "SELECT sheet || '!' || row_number FROM quarantine") == "19日!3"
    narrowed = import_file(conn, path, "rainfall", now=NOW, sheet="18日", dry_run=True)
    assert narrowed.sheets_read == [("18日", 2)] and narrowed.total == 2


def test_completeness_lists_records_without_location_per_township(conn, tmp_path):
    from emergency import completeness

    path = tmp_path / "库存.csv"
    path.write_text(
        "所属仓库,仓库地址,乡镇,物资名称,物资类别,数量\n新仓库,东乡二路,东乡,帐篷,生活类,5\n", encoding="utf-8"
    )
    import_file(conn, path, "stock")
    frame = completeness.location_missing(conn)
    assert frame[["township_name", "table", "rows", "names"]].values.tolist() == [["东乡", "warehouses", 1, "新仓库"]]
    assert store.scalar(conn, "SELECT address FROM warehouses WHERE name = '新仓库'") == "东乡二路"
    assert completeness.location_missing_count(conn, ("warehouses",), ("999999001",)) == 0


def test_a_record_without_location_is_completed_through_actions(conn, tmp_path):
    from emergency import actions
    from emergency.access import Actor

    path = tmp_path / "仓库.csv"
    path.write_text("仓库名称,地址\n北仓,北路 1 号\n", encoding="utf-8")
    import_file(conn, path, "warehouses")
    admin = Actor("a", "管理员", "admin")
    with pytest.raises(ValueError):
        actions.set_location(conn, admin, "warehouses", "北仓", 120.0, 30.0)  # outside the county
    assert actions.set_location(conn, admin, "warehouses", "北仓", 118.05, 28.35) == "999999002"
    assert store.run(conn, "SELECT lon, lat, township FROM warehouses WHERE name = '北仓'").iloc[0].tolist() == [
        118.05,
        28.35,
        "999999002",
    ]
    assert store.scalar(conn, "SELECT count(*) FROM audit_log WHERE action = 'location_set' AND outcome = 'ok'") == 1


def test_a_corrected_file_takes_the_rows_it_stores_off_the_quarantine(conn, tmp_path):
    """The department fixes the rejected rows and sends the file again under another name."""
    header = "事件编号,事件类型,发生时间,死亡人数,处置状态\n"
    first = tmp_path / "灾情.csv"
    first.write_text(
        header + "Q1,洪涝,2026-06-21 03:00,一人,待处置\nQ2,洪涝,2026-06-21 04:00,二人,待处置\n"
        "Q3,洪涝,2026-06-21 05:00,0,待处置\nQ3,洪涝,2026-06-21 05:30,0,待处置\n",
        encoding="utf-8",
    )
    assert import_file(conn, first, "incidents", now=NOW).rejected == 3  # two bad numbers, one repeated key
    quarantined = "SELECT record_key FROM quarantine WHERE kind = 'incidents' ORDER BY record_key"
    assert store.run(conn, quarantined)["record_key"].tolist() == ['["Q1"]', '["Q2"]', '["Q3"]']
    corrected = tmp_path / "灾情（更正）.csv"
    corrected.write_text(header + "Q1,洪涝,2026-06-21 03:00,1,待处置\n", encoding="utf-8")
    assert import_file(conn, corrected, "incidents", now=NOW).accepted == 1
    # Q1 is stored now: off the list. Q2 still waits; Q3's repeat is a row of the first file that
    # was never stored as written (the file's first Q3 was).
    assert store.run(conn, quarantined)["record_key"].tolist() == ['["Q2"]', '["Q3"]']
    # A rainfall key is the gauge and the time as read, whatever the time's spelling.
    rain = tmp_path / "雨量.csv"
    rain.write_text("站码,时间,雨量\nG1,2026/6/21 3:00,-5\nG1,2026/6/21 4:00,1\n", encoding="utf-8")
    assert import_file(conn, rain, "rainfall", now=NOW).rejected == 1
    fixed = tmp_path / "雨量（更正）.csv"
    fixed.write_text("站码,时间,雨量\nG1,2026-06-21 03:00,0.5\n", encoding="utf-8")
    assert import_file(conn, fixed, "rainfall", now=NOW).accepted == 1
    assert not store.scalar(conn, "SELECT count(*) FROM quarantine WHERE kind = 'rainfall'")
