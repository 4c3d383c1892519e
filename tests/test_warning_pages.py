"""The warning and dispatch pages: AppTest on a copy of the demo store, then real Chromium."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from lxml import etree
from streamlit.testing.v1 import AppTest

from emergency import cap, clock, config, queries, store, warning
from tests.apptest import open_page, shown_texts, table_with
from tests.browser import (
    app_server,
    assert_no_exception,
    browser_page,
    click_map_until,
    deck_box,
    screenshot,
    wait_for_app,
    wait_for_canvas,
    wait_for_charts,
)
from tests.pg_store import copy_demo
from tests.test_any_county_pages import PAGES
from tests.test_cap import SCHEMA_PATH

TIMEOUT_S = 60
# A moment of the demo storm with red, orange, yellow and blue townships and hazard points at risk.
STORM_END = "2026-06-20T02:40"
POINT = {"incident_id": None, "type": None, "lon": 117.95, "lat": 28.4, "address": None}


def start_app(path, **params):
    st.cache_data.clear()
    at = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT_S)
    at.query_params["end"] = STORM_END
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.store_path = path
    return at


@pytest.fixture
def page_app(demo_copy, monkeypatch):
    """The app run once (shell + filter bar at the storm moment), ready to switch to a page."""
    monkeypatch.setenv(config.DB_PATH_ENV, str(demo_copy))
    return start_app(demo_copy)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def deck_layer_ids(at) -> list[str]:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return [layer["id"] for layer in json.loads(charts[0].proto.json)["layers"]]


def test_warning_page_lists_signals_hazards_and_grades(page_app):
    at = open_page(page_app, "pages/warning.py")
    assert at.title[0].value == "预警研判"
    values = metrics(at)
    assert (values["红色信号乡镇"], values["橙色信号乡镇"], values["黄色信号乡镇"], values["蓝色信号乡镇"]) == (
        "2",
        "2",
        "5",
        "4",
    )
    assert values["超过临界雨量的隐患点"] == "6"
    # Grades follow each type's own scale: only landslides and debris flows (地质灾害防治条例)
    # are graded in the demo window; floods and the rest have no national scale (未分级).
    assert values["一般事件"] == "7"
    assert int(values["未分级事件"]) > 50
    assert "研判时刻：2026-06-20 02:40" in at.caption[0].value
    signal_table = table_with(at, "当前信号")
    assert signal_table["当前信号"].tolist()[:2] == ["红色", "红色"]
    gauge_table = table_with(at, "代表雨量站")
    assert gauge_table["当前信号"].iloc[0] == "红色" and len(gauge_table) >= 13
    hazard_table = table_with(at, "超过倍数")
    assert hazard_table["超过倍数"].is_monotonic_decreasing and hazard_table["超过倍数"].min() >= 1


def test_every_table_of_every_page_shows_a_dash_for_a_missing_value(page_app):
    """No table cell reads None/nan: a Styler's own texts included (the page placeholder misses those)."""
    english_blanks = {"None", "nan", "NaN", "<NA>", "NaT", "none"}
    checked = 0
    for page in PAGES:
        at = open_page(page_app, page)
        for frame in at.dataframe:
            found = english_blanks & set(shown_texts(frame))
            assert not found, (page, list(frame.value.columns), found)
            checked += 1
    assert checked > 10
    # The signal table has a township without gauges (旭日街道): its rain cells are dashes.
    signal = next(f for f in open_page(page_app, "pages/warning.py").dataframe if "当前信号" in f.value.columns)
    assert "—" in shown_texts(signal)


def test_township_filter_narrows_the_signals(demo_copy, monkeypatch):
    monkeypatch.setenv(config.DB_PATH_ENV, str(demo_copy))
    at = open_page(start_app(demo_copy, township="361104001"), "pages/warning.py")
    assert len(table_with(at, "当前信号")) == 1
    assert sum(int(v) for k, v in metrics(at).items() if k.endswith("信号乡镇")) <= 1


def test_issue_a_warning_and_record_acknowledgements(page_app):
    at = open_page(page_app, "pages/warning.py")
    assert at.selectbox(key="warning_issue_level").value == "red"
    chosen = at.multiselect(key="warning_issue_townships").value
    assert len(chosen) == 2
    assert "已达到暴雨红色预警信号标准" in at.text_area(key="warning_issue_text").value
    at.button(key="warning_issue_submit").click().run()
    assert not at.exception
    assert any("已发布第 1 号预警" in s.value for s in at.success)
    recipients = table_with(at, "叫应时间")
    assert len(recipients) >= 4 and set(recipients["状态"]) == {"待叫应"}
    assert "已叫应 0 /" in metrics(at)["状态"]
    who = at.multiselect(key="warning_ack_who_1")
    candidates = [f"{code}|{phone}" for code in chosen for phone in recipients["电话"]]
    who.set_value([next(key for key in candidates if who.format_func(key) == who.options[0])]).run()
    at.button(key="warning_ack_record").click().run()
    assert not at.exception
    assert "已叫应 1 /" in metrics(at)["状态"]
    assert list(table_with(at, "叫应时间")["状态"]).count("已叫应") == 1


def test_unacknowledged_recipients_after_n_minutes_and_cap_export(page_app):
    conn = store.connect(page_app.store_path)
    conn.execute(
        "INSERT INTO warnings (level, townships, text, channels, issued_by, issued_at) VALUES (?, ?, ?, ?, ?, ?)",
        ["orange", ["361104001"], "橙色预警", ["sms"], "测试", clock.local_now() - timedelta(hours=3)],
    )
    conn.execute(
        """INSERT INTO warning_recipients (warning_id, township, name, role, phone)
           SELECT 1, township, name, role, phone FROM township_contacts WHERE township = '361104001'"""
    )
    people = queries.warning_recipients(conn, 1)["name"].tolist()
    conn.close()
    at = open_page(page_app, "pages/warning.py")
    overdue = [w.value for w in at.warning if "未叫应" in w.value]
    assert overdue and all(name in overdue[0] for name in people) and "超过 30 分钟" in overdue[0]
    at.number_input(key="warning_ack_minutes").set_value(600).run()
    assert not [w.value for w in at.warning if "未叫应" in w.value]
    download = at.get("download_button")[0]
    assert download.proto.label == "导出 CAP 1.2 XML"


def test_cap_of_an_issued_warning_is_valid(page_app):
    conn = store.connect(page_app.store_path)

    ident = warning.issue_warning(conn, "yellow", ["361104001", "361104002"], "黄色预警", ["sms"], "测试")
    xml = cap.warning_alert(conn, ident)
    conn.close()
    etree.XMLSchema(etree.parse(str(SCHEMA_PATH))).assertValid(etree.fromstring(xml))


def test_thresholds_can_be_edited_on_the_page(page_app):
    at = open_page(page_app, "pages/warning.py")
    at.selectbox(key="warning_config_method").set_value("mean")
    at.button(key="warning_config_save").click().run()
    assert not at.exception
    assert any(s.value == "配置已保存。" for s in at.success)
    assert "取所含雨量站平均值" in " ".join(c.value for c in at.caption)
    assert metrics(at)["红色信号乡镇"] != "2" or metrics(at)["蓝色信号乡镇"] != "4"


def test_contacts_can_be_edited_on_the_page(page_app):
    at = open_page(page_app, "pages/warning.py")
    at.button(key="warning_config_contacts_save").click().run()
    assert not at.exception
    # The editor shows names and role labels; saving maps them back to codes and keeps every row.
    assert any(s.value == "已保存 53 名责任人。" for s in at.success)


def test_warning_page_in_english(page_app):
    at = open_page(page_app, "pages/warning.py")
    # One run in English: AppTest formats option labels outside the script, in the default language.
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Early warning"
    assert "Townships at Red" in metrics(at)
    assert table_with(at, "Current signal")["Current signal"].iloc[0] == "Red"


def test_dispatch_page_without_target_asks_for_one(page_app):
    at = open_page(page_app, "pages/dispatch.py")
    assert at.title[0].value == "一键调度"
    assert any("尚未选择事件或地点" in i.value for i in at.info)
    ids = deck_layer_ids(at)
    assert ids[0] == "dispatch-pick-grid" and "dispatch-incidents" in ids and "dispatch-rings" not in ids


def test_dispatch_from_a_point_draws_rings_and_records(page_app):
    page_app.session_state["dispatch_target"] = POINT
    at = open_page(page_app, "pages/dispatch.py")
    assert at.subheader[0].value == "调度目标：地图选点 117.9500, 28.4000"
    assert deck_layer_ids(at) == [
        "dispatch-pick-grid",
        "dispatch-townships",
        "county-outline",
        "dispatch-rings",
        "dispatch-lines",
        "dispatch-hazards",
        "dispatch-shelters",
        "dispatch-warehouses",
        "dispatch-teams",
        "dispatch-incidents",
        "dispatch-target",
    ]
    teams = int(metrics(at)["半径内救援队伍"])
    assert teams > 0
    at.slider(key="dispatch_radius").set_value(3.0).run()
    assert int(metrics(at)["半径内救援队伍"]) < teams
    at.slider(key="dispatch_radius").set_value(10.0).run()
    key = "117.9500,28.4000_0"
    team = at.multiselect(key=f"dispatch_form_teams_{key}").options[0]
    at.multiselect(key=f"dispatch_form_teams_{key}").select(team)
    at.button(key="dispatch_form_submit").click().run()
    assert not at.exception
    assert any(s.value == "已记录 1 条调度。" for s in at.success)
    log = table_with(at, "资源")
    assert log["状态"].tolist() == ["已派出"] and team in log["资源"].iloc[0]
    at.selectbox(key="dispatch_log_status").set_value("on_site")
    at.button(key="dispatch_log_update").click().run()
    assert table_with(at, "资源")["状态"].tolist() == ["已到达"]


def test_dispatch_for_an_incident_uses_its_needs_and_shows_on_the_incident(page_app):
    conn = store.connect(page_app.store_path)
    incident = queries.incidents(
        conn, datetime(2026, 6, 19, 2, 40), datetime(2026, 6, 20, 2, 40), types=["landslide"]
    ).iloc[0]
    conn.close()
    page_app.session_state["dispatch_target"] = {
        "incident_id": incident["id"],
        "type": "landslide",
        "lon": incident["lon"],
        "lat": incident["lat"],
        "address": incident["address"],
    }
    at = open_page(page_app, "pages/dispatch.py")
    assert at.subheader[0].value.replace("\\", "").startswith(f"调度目标：事件 {incident['id']} · 滑坡")
    assert any("救援装备" in c.value and "医疗物资" in c.value and "防汛物资" not in c.value for c in at.caption)
    at.slider(key="dispatch_radius").set_value(30.0).run()
    key = f"{incident['id']}_0"
    warehouse = at.multiselect(key=f"dispatch_form_warehouses_{key}").options[0]
    at.multiselect(key=f"dispatch_form_warehouses_{key}").select(warehouse)
    at.button(key="dispatch_form_submit").click().run()
    assert not at.exception
    listed = at.dataframe(key="dispatch_incident_table").value.set_index("编号")
    assert listed.loc[incident["id"], "调度记录"] == 1
    assert listed.loc[incident["id"], "最新调度状态"] == "已派出"


def test_coverage_gaps_panel(page_app):
    at = open_page(page_app, "pages/dispatch.py")
    at.slider(key="dispatch_gap_km").set_value(3.0)
    at.toggle(key="dispatch_gap_show").set_value(True).run()
    assert not at.exception
    assert "dispatch-coverage-gaps" in deck_layer_ids(at)
    assert any("个乡镇有区域距任一救援队伍超过 3 公里" in m.value for m in at.markdown)


# ------------------------------------------------------------------------ browser


def open_in_browser(page, server: str, title: str) -> None:
    """Load the app at the storm moment, then open a page from the sidebar navigation."""
    page.goto(f"{server}/?end={STORM_END}")
    wait_for_app(page)
    page.locator("[data-testid=stSidebarNav] a", has_text=title).click()
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=30_000)
    wait_for_app(page)


@pytest.fixture(scope="module")
def server(demo_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("warning-browser") / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    with app_server(path) as url:
        yield url


def test_browser_warning_page(server):
    with browser_page(server) as (page, watch):
        open_in_browser(page, server, "预警研判")
        assert_no_exception(page)
        assert "预警研判" in page.locator("h1").first.inner_text()
        body = page.inner_text("body")
        assert "红色信号乡镇" in body and "研判时刻：2026-06-20 02:40" in body
        wait_for_charts(page)
        screenshot(page, "warning-signals")
        page.get_by_role("tab", name="发布预警").click()
        page.locator(".st-key-warning_issue_submit button").click()
        page.wait_for_selector("text=已发布第 1 号预警", timeout=30_000)
        wait_for_app(page)
        page.get_by_role("tab", name="叫应").click()
        page.locator(".st-key-warning_cap_download button").wait_for(state="visible", timeout=30_000)
        # The CAP file is made on click, on Streamlit's download thread.
        with page.expect_download(timeout=30_000) as download:
            page.locator(".st-key-warning_cap_download button").click()
        assert b"<alert" in Path(download.value.path()).read_bytes()
        assert "已叫应 0 /" in page.inner_text("body")
        assert_no_exception(page)
        screenshot(page, "warning-acknowledgements")
        watch.assert_clean()


def _first_row_with_a_team_in_range(demo_file) -> int:
    """Row of the dispatch list (graded by type, gravest and newest first) whose incident has a team within 10 km."""
    from datetime import datetime

    from emergency import queries, rules, store
    from emergency.filters import Filters

    conn = store.connect(demo_file, read_only=True)
    try:
        end = datetime(2026, 6, 20, 2, 40)
        listed = (
            rules.grades(conn, end, Filters(end=end))
            .dropna(subset=["lon", "lat"])
            .sort_values(["grade_rank", "occurred_at"], ascending=False, kind="stable")
            .reset_index(drop=True)
        )
        for index, row in listed.head(12).iterrows():
            if len(queries.teams_within(conn, row["lon"], row["lat"], 10.0)):
                return int(index)
    finally:
        conn.close()
    raise AssertionError("no incident near a team in the demo window")


def test_browser_pick_incident_see_rings_and_record_dispatch(server, demo_file):
    row = _first_row_with_a_team_in_range(demo_file)
    with browser_page(server) as (page, watch):
        open_in_browser(page, server, "一键调度")
        assert_no_exception(page)
        assert "尚未选择事件或地点" in page.inner_text("body")
        grid = page.locator(".st-key-dispatch_incident_table [data-testid=stDataFrameResizable]")
        grid.wait_for(timeout=30_000)
        box = grid.bounding_box()
        # The row-selection checkbox of that data row, below the 35 px header (rows are 35 px).
        page.mouse.click(box["x"] + 16, box["y"] + 35 + 35 * row + 17)
        page.wait_for_selector("text=调度目标：事件", timeout=30_000)
        wait_for_app(page)
        body = page.inner_text("body")
        assert "半径内救援队伍" in body and "搜索半径圈" in body
        wait_for_canvas(page)
        screenshot(page, "dispatch-incident")
        # Record: the nearest team, then dispatch (in the signed-in officer's name).
        teams = page.locator("[class*=st-key-dispatch_form_teams_] [data-testid=stMultiSelect]")
        teams.scroll_into_view_if_needed()
        wait_for_app(page)
        teams.locator("input").click()
        # Streamlit's dropdown starts with its own "Select all"; take the nearest team.
        page.locator("[role=option]").filter(has_not_text="Select all").first.click()
        page.keyboard.press("Escape")
        wait_for_app(page)
        chips = page.locator("[class*=st-key-dispatch_form_teams_] [data-testid=stMultiSelectTagsContainer] [data-tag]")
        assert chips.count() == 1
        page.locator(".st-key-dispatch_form_submit button").click()
        page.wait_for_selector("text=已记录 1 条调度", timeout=30_000)
        wait_for_app(page)
        body = page.inner_text("body")
        # The log is a canvas grid; its status update control shows only when it has rows.
        assert "更新状态" in body
        # The choices start afresh after a dispatch.
        assert chips.count() == 0
        assert_no_exception(page)
        screenshot(page, "dispatch-recorded")
        watch.assert_clean()


def test_browser_click_anywhere_on_the_map_picks_a_point(server):
    with browser_page(server) as (page, watch):
        open_in_browser(page, server, "一键调度")

        # Anywhere inside the county: a point a little up and left of the drawn map's centre.
        def point():
            box = deck_box(page)
            return box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.4

        click_map_until(page, point, page.locator("text=调度目标："))
        wait_for_app(page)
        assert_no_exception(page)
        assert "半径内救援队伍" in page.inner_text("body")
        watch.assert_clean()
