"""Every page on a store for another county (婺源县): guidance while empty, its own data and view once filled."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from emergency import config, county, store
from emergency.ingest.engine import import_file
from tests import test_county as fill
from tests.browser import app_server, assert_no_exception, browser_page, screenshot, wait_for_app
from tests.conftest import APP_SCRIPT, APP_TIMEOUT_S

PAGES = (
    "pages/one_map.py",
    "pages/trends_rain.py",
    "pages/trends_incidents.py",
    "pages/trends_resources.py",
    "pages/briefing.py",
    "pages/warning.py",
    "pages/dispatch.py",
    "pages/township.py",
    "pages/township_ranking.py",
    "pages/import_data.py",
    "pages/completeness.py",
    "pages/admin.py",
)
# Pages that show the data-completeness state themselves instead of stopping.
DATA_ENTRY_PAGES = ("pages/import_data.py", "pages/completeness.py")
# Pages about the system, not the county's data: no guidance.
SYSTEM_PAGES = ("pages/admin.py",)
GUIDANCE_TITLE = "本页还缺少数据"
# A point in the demo district (广信区), outside 婺源县.
OUTSIDE = (117.95, 28.35)


@pytest.fixture(scope="module")
def outline_only(tmp_path_factory):
    path = tmp_path_factory.mktemp("outline") / "wuyuan.duckdb"
    county.init_store(path, fill.WUYUAN_OUTLINE, fill.WUYUAN_NAME, fill.WUYUAN_CODE)
    return path


@pytest.fixture(scope="module")
def townships_only(tmp_path_factory):
    folder = tmp_path_factory.mktemp("townships")
    path = folder / "wuyuan.duckdb"
    county.init_store(path, fill.WUYUAN_OUTLINE, fill.WUYUAN_NAME, fill.WUYUAN_CODE)
    townships_file = folder / "乡镇.geojson"
    fill.write_townships_gcj02(townships_file, fill.wuyuan_outline())
    conn = store.connect(path)
    try:
        assert import_file(conn, townships_file, "townships", crs="gcj02").accepted == len(fill.TOWNSHIP_NAMES)
    finally:
        conn.close()
    return path


def app_on(path, monkeypatch) -> AppTest:
    monkeypatch.setenv(config.DB_PATH_ENV, str(path))
    st.cache_data.clear()
    return AppTest.from_file(APP_SCRIPT, default_timeout=APP_TIMEOUT_S)


def run_page(path, page, monkeypatch) -> AppTest:
    at = app_on(path, monkeypatch)
    at.run()
    if page != "pages/one_map.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_links(at) -> list[str]:
    return [link.proto.page for link in at.get("page_link")]


@pytest.mark.parametrize("page", [p for p in PAGES if p not in SYSTEM_PAGES])
def test_outline_only_store_guides_every_page(outline_only, page, monkeypatch):
    at = run_page(outline_only, page, monkeypatch)
    assert not at.error
    assert any("婺源县" in c.value for c in at.caption), "the real-data banner names the county"
    assert not any("演示数据" in w.value for w in at.warning)
    assert not at.get("deck_gl_json_chart") and not at.get("plotly_chart")
    if page in DATA_ENTRY_PAGES:
        assert any("乡镇边界" in i.value for i in at.info), "the next kind to import is named"
    else:
        assert any(GUIDANCE_TITLE in w.value for w in at.warning)
        steps = "\n".join(m.value for m in at.markdown)
        assert "乡镇边界" in steps and "本页需要" in steps
        assert any(p.endswith("import_data.py") or "import_data" in p for p in page_links(at))


@pytest.mark.parametrize("page", ["pages/one_map.py", "pages/trends_rain.py", "pages/warning.py", "pages/township.py"])
def test_townships_without_rainfall_still_guides(townships_only, page, monkeypatch):
    at = run_page(townships_only, page, monkeypatch)
    assert any(GUIDANCE_TITLE in w.value for w in at.warning)
    text = "\n".join(m.value for m in at.markdown)
    assert "✅ 乡镇边界：已有 4 条" in text
    if page != "pages/township.py":
        assert "降雨量：本页需要" in text


def test_completeness_page_names_township_gaps(townships_only, monkeypatch):
    at = run_page(townships_only, "pages/completeness.py", monkeypatch)
    assert any("4 个乡镇没有雨量站，4 个没有避难场所，4 个没有救援队伍" in w.value for w in at.warning)
    tables = at.dataframe
    assert len(tables) == 2
    assert tables[1].value["乡镇"].tolist() == list(fill.TOWNSHIP_NAMES)


def test_import_page_offers_templates(outline_only, monkeypatch):
    at = run_page(outline_only, "pages/import_data.py", monkeypatch)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载 CSV 模板" in labels and "下载 Excel 模板" in labels


def fill_store(path, folder) -> None:
    """Import townships (GeoJSON GCJ-02), gauges (GBK CSV BD-09), rainfall (XLSX) and incidents (CSV WGS84)."""
    townships_file, gauges_file, rain_file, incidents_file = (
        folder / "乡镇.geojson",
        folder / "站.csv",
        folder / "雨.xlsx",
        folder / "灾.csv",
    )
    polygons = fill.write_townships_gcj02(townships_file, fill.wuyuan_outline())
    gauges = fill.gauge_points(polygons)
    fill.write_gauges_bd09_gbk(gauges_file, gauges, OUTSIDE)
    fill.write_rainfall_xlsx(rain_file, gauges)
    fill.write_incidents_csv(incidents_file, polygons, OUTSIDE)
    conn = store.connect(path)
    try:
        import_file(conn, townships_file, "townships", crs="gcj02")
        import_file(conn, gauges_file, "rain_gauges", crs="bd09", now=fill.NOW)
        import_file(conn, rain_file, "rainfall", now=fill.NOW)
        import_file(conn, incidents_file, "incidents", now=fill.NOW)
    finally:
        conn.close()


def test_filled_store_shows_the_county_centred(tmp_path, monkeypatch, outline_only):
    path = tmp_path / "wuyuan.duckdb"
    path.write_bytes(outline_only.read_bytes())
    fill_store(path, tmp_path)
    outline = fill.wuyuan_outline()
    at = run_page(path, "pages/one_map.py", monkeypatch)
    assert not any(GUIDANCE_TITLE in w.value for w in at.warning)
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.json)
    view = spec["initialViewState"]
    minx, miny, maxx, maxy = outline.bounds
    assert minx < view["longitude"] < maxx and miny < view["latitude"] < maxy
    layers = {layer["id"]: layer for layer in spec["layers"]}
    names = [f["properties"].get("name") for f in layers["townships"]["data"]["features"]]
    assert set(fill.TOWNSHIP_NAMES) <= set(names)
    assert "gauges" in layers and "incidents" in layers


# --- real browser ---


@pytest.mark.parametrize("filled", [False, True], ids=["outline-only", "filled"])
def test_browser_every_page_on_a_new_county(outline_only, tmp_path, filled):
    """Click through every page: guidance (or data) and never an exception, console error or outside request."""
    path = tmp_path / "wuyuan.duckdb"
    path.write_bytes(outline_only.read_bytes())
    if filled:
        fill_store(path, tmp_path)
    with app_server(path) as url, browser_page(url) as (page, watch):
        page.goto(url)
        wait_for_app(page)
        assert "婺源县" in page.inner_text("[data-testid=stSidebar]")
        assert "演示数据" not in page.inner_text("body")
        links = page.locator("[data-testid=stSidebarNav] a")
        count = links.count()
        assert count == len(PAGES)
        guided = 0
        for index in range(count):
            page.locator("[data-testid=stSidebarNav] a").nth(index).click()
            wait_for_app(page)
            assert_no_exception(page)
            guided += GUIDANCE_TITLE in page.inner_text("[data-testid=stMain]")
        if filled:
            # Resource pages still ask for resources; the rain and incident pages show data.
            assert guided == 2
            page.locator("[data-testid=stSidebarNav] a").first.click()
            wait_for_app(page)
            page.locator("[data-testid=stDeckGlJsonChart] canvas").first.wait_for(timeout=30_000)
            screenshot(page, "any-county-one-map")
        else:
            assert guided == len(PAGES) - len(DATA_ENTRY_PAGES) - len(SYSTEM_PAGES)
            # The guidance links to the import page, which offers the templates.
            page.locator("[data-testid=stSidebarNav] a").first.click()
            wait_for_app(page)
            page.locator("[data-testid=stPageLink] a").first.click()
            wait_for_app(page)
            assert "导入模板" in page.inner_text("[data-testid=stMain]")
            screenshot(page, "any-county-import")
        watch.assert_clean()


def test_guidance_in_english(outline_only, monkeypatch):
    at = app_on(outline_only, monkeypatch)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert any("This page still lacks data" in w.value for w in at.warning)
    assert "Townships (polygons): needed here" in "\n".join(m.value for m in at.markdown)


def test_completeness_names_fields_in_chinese(townships_only, monkeypatch):
    at = run_page(townships_only, "pages/completeness.py", monkeypatch)
    kinds = at.dataframe[0].value.set_index("数据类别")
    assert kinds.loc["乡镇边界", "条数"] == len(fill.TOWNSHIP_NAMES)
    assert kinds.loc["降雨量", "状态"] == "未导入"
    assert kinds.loc["降雨量", "必填字段"].startswith("测站")
