"""Every page on a store for another county (婺源县): guidance while empty, its own data and view once filled."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from emergency import config, county, store
from emergency.ingest.engine import import_file
from tests import test_county as fill
from tests.conftest import APP_SCRIPT, APP_TIMEOUT_S

PAGES = (
    "pages/one_map.py", "pages/trends_rain.py", "pages/trends_incidents.py", "pages/trends_resources.py",
    "pages/briefing.py", "pages/warning.py", "pages/dispatch.py", "pages/township.py",
    "pages/township_ranking.py", "pages/import_data.py", "pages/completeness.py",
)
# Pages that show the data-completeness state themselves instead of stopping.
DATA_ENTRY_PAGES = ("pages/import_data.py", "pages/completeness.py")
GUIDANCE_TITLE = "本页还缺少数据"


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


@pytest.mark.parametrize("page", PAGES)
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


def test_filled_store_shows_the_county_centred(tmp_path, monkeypatch, outline_only):
    path = tmp_path / "wuyuan.duckdb"
    path.write_bytes(outline_only.read_bytes())
    townships_file, gauges_file, rain_file, incidents_file = (
        tmp_path / "乡镇.geojson", tmp_path / "站.csv", tmp_path / "雨.xlsx", tmp_path / "灾.csv")
    outline = fill.wuyuan_outline()
    polygons = fill.write_townships_gcj02(townships_file, outline)
    gauges = fill.gauge_points(polygons)
    fill.write_gauges_bd09_gbk(gauges_file, gauges, (117.95, 28.35))
    fill.write_rainfall_xlsx(rain_file, gauges)
    fill.write_incidents_csv(incidents_file, polygons, (117.95, 28.35))
    conn = store.connect(path)
    try:
        import_file(conn, townships_file, "townships", crs="gcj02")
        import_file(conn, gauges_file, "rain_gauges", crs="bd09", now=fill.NOW)
        import_file(conn, rain_file, "rainfall", now=fill.NOW)
        import_file(conn, incidents_file, "incidents", now=fill.NOW)
    finally:
        conn.close()
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
