"""The township page and the county comparison: AppTest on a copy of the demo store, then real Chromium."""

import io
import json
import re

import pytest
from pypdf import PdfReader

from emergency import store
from tests.browser import (
    app_server,
    assert_no_exception,
    browser_page,
    click_township_on_map,
    largest_township,
    painted,
    screenshot,
    wait_for_app,
    wait_for_canvas,
)
from tests.pg_store import copy_demo

# A moment of the demo storm with open incidents and hazard points at risk.
STORM_END = "2026-06-20T02:40"
ZAOTOU = "361104010"  # 皂头镇: the wettest township at STORM_END
LAYERS_EXPECTED = {
    "townships",
    "township-grids",
    "township-villages",
    "gauges",
    "incidents",
    "teams",
    "shelters",
    "hazards",
    "township-labels",
}
# 皂头镇 has no warehouse within 5 km: a resource layer with nothing to draw is left out.
LAYERS_OPTIONAL = {"warehouses"}


def deck(at) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def open_township(app, **params):
    app.query_params["end"] = STORM_END
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    app.switch_page("pages/township.py")
    app.run()
    assert not app.exception, app.exception
    return app


def test_township_by_url_shows_its_whole_situation(app):
    at = open_township(app, township=ZAOTOU)
    assert at.title[0].value == "乡镇指挥"
    assert at.subheader[0].value == f"皂头镇（{ZAOTOU}）"
    values = {m.label: m.value for m in at.metric}
    assert values["面雨量"] == "98.6 毫米" and values["未结 / 事件"] == "5 / 27"
    spec = deck(at)
    ids = [layer["id"] for layer in spec["layers"]]
    assert LAYERS_EXPECTED <= set(ids) <= LAYERS_EXPECTED | LAYERS_OPTIONAL and len(ids) == len(set(ids))
    # Zoomed to the township, not the county (county view is about zoom 9).
    assert spec["initialViewState"]["zoom"] > 10.5
    layers = {layer["id"]: layer for layer in spec["layers"]}
    features = layers["township-grids"]["data"]["features"]
    assert len(features) >= 2 * len(layers["township-villages"]["data"]["features"]) >= 8
    assert sum(feature["properties"]["fill"][3] > 0 for feature in features) >= 1  # grids needing a call
    legends = " ".join(m.value for m in at.markdown if "yitu-legend" in m.value)
    for title in ("村（社区）与网格", "雨量站", "事件类型", "救援队伍", "隐患点", "相邻乡镇（淡化）"):
        assert title in legends, title
    contacts = next(frame.value for frame in at.dataframe if "身份" in frame.value.columns)
    assert contacts["身份"].iloc[0].startswith("值班领导") and (contacts["身份"] == "网格员").any()
    assert contacts["电话"].str.match(r"^1\d{10}$").all()
    assert at.get("download_button")[0].proto.label == "下载乡镇态势卡（PDF）"
    assert any("演示数据" in c.value for c in at.caption)


def test_without_one_township_the_page_offers_a_picker_that_sets_the_filter(app):
    at = open_township(app)
    assert not at.subheader or "皂头镇" not in at.subheader[0].value
    picker = at.selectbox(key="township_pick")
    picker.set_value(ZAOTOU).run()
    assert not at.exception
    assert at.subheader[0].value == f"皂头镇（{ZAOTOU}）"
    assert at.query_params["township"] == ZAOTOU


def test_unknown_township_code_is_a_notice_not_an_error(app):
    app.query_params["end"] = STORM_END
    app.query_params["township"] = "999"
    app.run()
    # The filter bar drops the unknown code with a notice; the township page then asks for one.
    assert any("township=999" in w.value for w in app.warning)
    app.switch_page("pages/township.py")
    app.run()
    assert not app.exception
    assert app.selectbox(key="township_pick").value is None


def test_township_page_in_english(app):
    app.query_params.update({"township": ZAOTOU, "end": STORM_END, "lang": "en"})
    app.switch_page("pages/township.py")  # a deep link: the township page is the first page run
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Township command"
    assert [m.label for m in app.metric][:2] == ["Areal rain", "Max 1 h rain"]
    columns = [list(frame.value.columns) for frame in app.dataframe]
    assert ["Role", "Name", "Phone", "Grid", "Why"] in columns
    assert app.get("download_button")[0].proto.label == "Download the township card (PDF)"


def test_ranking_table_compares_links_and_flags_lagging_townships(app, demo_copy):
    conn = store.connect(demo_copy)
    # 董团乡's gauges fell silent at midnight.
    conn.execute("""DELETE FROM rainfall WHERE ts > TIMESTAMP '2026-06-20 00:00'
                    AND station IN (SELECT code FROM rain_gauges WHERE township = '361104004')""")
    store.refresh_rain_hourly(conn)
    conn.close()
    app.query_params["end"] = STORM_END
    app.run()
    app.switch_page("pages/township_ranking.py")
    app.run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert len(table) == 21
    assert table["面雨量（毫米）"].iloc[0] == table["面雨量（毫米）"].max()
    links = table.set_index("乡镇")["乡镇页面"]
    assert links["皂头镇"] == f"township?end={STORM_END}&township={ZAOTOU}"
    freshness = table.set_index("乡镇")
    assert freshness.loc["董团乡", "数据时效"] == "滞后" and freshness.loc["董团乡", "雨量滞后（分钟）"] == 160
    assert freshness.loc["皂头镇", "数据时效"] == "正常"
    labels = [button.proto.label for button in app.get("download_button")]
    assert labels == ["CSV 数据", "Excel 数据"]


def test_open_button_goes_to_the_township_page(app):
    app.query_params["end"] = STORM_END
    app.run()
    app.switch_page("pages/township_ranking.py")
    app.run()
    app.selectbox(key="township_ranking_choose").set_value(ZAOTOU).run()
    app.button(key="township_ranking_go").click().run()
    assert not app.exception
    assert app.title[0].value == "乡镇指挥" and app.subheader[0].value == f"皂头镇（{ZAOTOU}）"


# ------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def server(demo_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("township-browser") / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    with app_server(path) as url:
        yield url


def pdf_text(path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert len(reader.pages) == 1
    return re.sub(r"[\s\x00]+", "", reader.pages[0].extract_text())


def test_browser_open_a_township_by_url_and_download_its_card(server):
    with browser_page(server) as (page, watch):
        page.goto(f"{server}/township?township={ZAOTOU}&end={STORM_END}")
        wait_for_app(page)
        page.wait_for_selector("h1:has-text('乡镇指挥')", timeout=60_000)
        page.get_by_text(f"皂头镇（{ZAOTOU}）").wait_for(timeout=60_000)
        wait_for_app(page)
        assert_no_exception(page)
        wait_for_canvas(page)
        screenshot(page, "township-page")
        with page.expect_download(timeout=60_000) as download:
            page.locator(".st-key-township_card_pdf button").click()
        text = pdf_text(download.value.path())
        assert "皂头镇态势卡" in text and "5/27起" in text and "面雨量98.6毫米" in text
        assert_no_exception(page)
        watch.assert_clean()


def test_browser_open_a_township_from_the_one_map_page(server, demo_file):
    target, view = largest_township(demo_file)
    with browser_page(server) as (page, watch):
        page.goto(f"{server}/?end={STORM_END}")
        wait_for_app(page)
        click_township_on_map(page, target, view)
        page.locator(".st-key-one_map_detail_panel a", has_text="打开乡镇指挥页").first.click()
        page.get_by_text(f"{target['name']}（{target['code']}）").wait_for(timeout=60_000)
        wait_for_app(page)
        assert_no_exception(page)
        assert f"township={target['code']}" in page.url
        screenshot(page, "township-from-one-map")
        watch.assert_clean()


def test_browser_ranking_row_links_to_the_township_page(server):
    with browser_page(server) as (page, watch):
        page.goto(f"{server}/township_ranking?end={STORM_END}")
        wait_for_app(page)
        page.wait_for_selector("h1:has-text('乡镇对比')", timeout=60_000)
        grid = page.locator(".st-key-township_ranking_table [data-testid=stDataFrameResizable]")
        grid.wait_for(timeout=30_000)
        wait_for_app(page)
        assert_no_exception(page)
        screenshot(page, "township-ranking")
        box = grid.bounding_box()
        # The link text "打开" starts the second column (after the ~75 px township names); the
        # first data row (the wettest township) sits below the 35 px header.
        link = (box["x"] + 92, box["y"] + 35 + 17)
        page.mouse.move(*link)
        painted(page)  # the grid draws its hover state
        page.mouse.click(*link)  # selects the cell
        painted(page)
        screenshot(page, "township-ranking-link-selected")
        with page.context.expect_page(timeout=30_000) as opened:
            page.mouse.click(*link)
        township_page = opened.value
        township_page.wait_for_load_state()
        wait_for_app(township_page)
        township_page.get_by_text(f"皂头镇（{ZAOTOU}）").wait_for(timeout=60_000)
        assert f"township={ZAOTOU}" in township_page.url
        assert_no_exception(township_page)
        watch.assert_clean()
