"""In Chromium: a two-sheet workbook with a category outside the code list is mapped on the page,
committed, and its rows show on the map (and, without coordinates, on the completeness page)."""

import pandas as pd

from emergency import queries, store
from tests.browser import app_server, assert_no_exception, browser_page, screenshot, wait_for_app, wait_for_canvas
from tests.pg_store import copy_demo


def _teams_workbook(path, db_path):
    conn = store.connect(db_path, read_only=True)
    try:
        town = queries.townships(conn).iloc[0]
    finally:
        conn.close()

    def sheet(name, lon, lat):
        return pd.DataFrame(
            {
                "队伍名称": [name],
                "队伍类型": ["山地搜救"],
                "队员人数": [15],
                "乡镇": [town["name"]],
                "地址": ["山脚村口"],
                "经度": [lon],
                "纬度": [lat],
            }
        )

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        sheet("城区山地搜救队", town["label_lon"], town["label_lat"]).to_excel(
            writer, sheet_name="城区队伍", index=False
        )
        sheet("乡镇山地搜救队", None, None).to_excel(writer, sheet_name="乡镇队伍", index=False)
    return path


def _open(page, url: str, name: str) -> None:
    page.locator("[data-testid=stSidebarNav] a").filter(has_text=name).first.click()
    wait_for_app(page)


def test_unknown_category_mapped_on_the_page_then_on_map_and_completeness(demo_file, tmp_path):
    path = tmp_path / "store.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    workbook = _teams_workbook(tmp_path / "救援队伍两张表.xlsx", path)
    with app_server(path) as url, browser_page(url) as (page, watch):
        page.goto(url)
        wait_for_app(page)
        _open(page, url, "数据导入")
        page.get_by_text("上传各部门的数据文件").first.wait_for(timeout=60_000)
        box = page.locator("[data-testid=stSelectbox]").filter(has_text="数据类别").first
        box.click()
        page.locator("[role=option]").filter(has_text="救援队伍").first.click()
        wait_for_app(page)
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(workbook)])
        wait_for_app(page)
        page.get_by_text("已读取工作表：城区队伍（1）、乡镇队伍（1）").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="校验").click()
        wait_for_app(page)
        try:
            page.get_by_text("本文件中代码表外的取值").first.wait_for(timeout=60_000)
        finally:
            screenshot(page, "codelists-report")
        assert page.get_by_text("山地搜救（2）").count() >= 1
        screenshot(page, "codelists-report")
        # Map the department's word to a code, on the page.
        target = page.locator("[data-testid=stSelectbox]").filter(has_text="对应到").first
        target.click()
        page.keyboard.type("社会应急")  # the list is long: filter it as a person would
        try:
            page.locator("[role=option]").filter(has_text="社会应急力量").first.click()
        finally:
            screenshot(page, "codelists-choose")
        wait_for_app(page)
        page.get_by_role("button", name="应用对应").click()
        wait_for_app(page)
        page.get_by_text("已将「山地搜救」对应到「社会应急力量」").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="确认入库").click()
        wait_for_app(page)
        page.locator("[data-testid=stAlertContentSuccess]").filter(has_text="已入库").first.wait_for(timeout=60_000)
        assert_no_exception(page)
        screenshot(page, "codelists-committed")

        # The map: the located team is drawn, the other counted as not drawn.
        _open(page, url, "态势一张图")
        page.locator("[data-testid=stPills] button, [data-testid=stButtonGroup] button").filter(
            has_text="救援队伍"
        ).first.click()
        wait_for_app(page)
        page.get_by_text("另有 1 条记录缺少位置").first.wait_for(timeout=60_000)
        assert_no_exception(page)
        wait_for_canvas(page)
        screenshot(page, "codelists-map")

        # The completeness page lists what lacks a location.
        _open(page, url, "数据完整性")
        page.get_by_text("缺少位置的记录").first.wait_for(timeout=60_000)
        page.get_by_text("这些队伍、避难场所和仓库已入库但没有坐标").first.wait_for(timeout=60_000)
        assert_no_exception(page)
        screenshot(page, "codelists-completeness")
        watch.assert_clean()
    conn = store.connect(path, read_only=True)
    try:
        rows = store.run(
            conn, "SELECT name, kind, kind_label, lon FROM teams WHERE name LIKE '%山地搜救队' ORDER BY name"
        )
        assert rows["kind"].tolist() == ["social", "social"] and rows["kind_label"].isna().all()
        assert rows.set_index("name")["lon"].isna().to_dict() == {"乡镇山地搜救队": True, "城区山地搜救队": False}
        assert store.scalar(conn, "SELECT code FROM code_synonyms WHERE label = '山地搜救'") == "social"
        points = queries.teams(conn)
        assert "城区山地搜救队" in set(points.dropna(subset=["lon"])["name"])  # what the map layer draws
    finally:
        conn.close()
