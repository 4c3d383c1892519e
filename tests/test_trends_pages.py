"""Trend and briefing pages: AppTest on the demo store, then the real browser receiving every export."""

import base64
import io
import json
import re
import zipfile

import docx
import numpy as np
import openpyxl
import pypdf
import pytest
from PIL import Image

from tests.browser import app_server, assert_no_exception, browser_page, screenshot, wait_for_app
from tests.pg_store import copy_demo

RAIN, INCIDENTS, RESOURCES, BRIEFING = (
    "pages/trends_rain.py",
    "pages/trends_incidents.py",
    "pages/trends_resources.py",
    "pages/briefing.py",
)
# The briefing builds in a few seconds; a loaded CI machine may take much longer.
BUILD_TIMEOUT_MS = 180_000
# A township of the demo with several gauges (郑坊镇).
TOWNSHIP = "361104005"


def open_page(app, page):
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def chart_specs(app) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def values(field) -> list:
    """Plotly's JSON packs numeric arrays as base64 ``bdata``; unpack them."""
    if isinstance(field, dict) and "bdata" in field:
        return np.frombuffer(base64.b64decode(field["bdata"]), dtype=field["dtype"]).tolist()
    return list(field)


def titles(app) -> list[str]:
    return [spec["layout"]["title"]["text"] for spec in chart_specs(app)]


def download_labels(app) -> list[str]:
    return [button.proto.label for button in app.get("download_button")]


def test_rain_page_draws_every_chart_with_exports(app):
    open_page(app, RAIN)
    assert app.title[0].value == "降雨趋势"
    assert titles(app) == [
        "降雨过程：全县面雨量",
        "雨量站排名：累计雨量（前 20 站）",
        "乡镇逐时段面雨量（1 小时）",
        "乡镇累计面雨量对比",
    ]
    hyetograph = chart_specs(app)[0]
    assert hyetograph["layout"]["yaxis"]["title"]["text"] == "时段雨量（毫米）"
    assert sum(values(hyetograph["data"][0]["y"])) > 0
    assert download_labels(app) == ["PNG 图片", "SVG 矢量图", "CSV 数据", "Excel 数据"] * 4


def test_rain_page_follows_url_filters_and_widgets(app):
    app.query_params["township"] = TOWNSHIP
    app.query_params["hours"] = "6"
    open_page(app, RAIN)
    assert titles(app)[0] == "降雨过程：所选乡镇面雨量"
    # A 6 h window is drawn in 5-minute bars.
    assert chart_specs(app)[0]["data"][0]["name"] == "时段雨量（5 分钟）"
    subjects = app.selectbox(key="rain_subject")
    # Options are shown as labels: the area mean, then the township's gauges.
    assert subjects.options[0] == "所选乡镇面雨量" and len(subjects.options) > 1
    assert all(option.endswith("（郑坊镇）") for option in subjects.options[1:])
    subjects.select_index(1).run()
    assert titles(app)[0].startswith("降雨过程：郑坊")
    app.segmented_control(key="rain_ranking_measure").set_value("max_1h_mm").run()
    assert titles(app)[1].startswith("雨量站排名：最大 1 小时雨量")
    # Only the filtered township is compared by default.
    compare = chart_specs(app)[3]
    assert [trace["name"] for trace in compare["data"]] == ["郑坊镇"]


def test_incident_page_and_drill_through(app):
    app.query_params["township"] = TOWNSHIP
    open_page(app, INCIDENTS)
    assert titles(app) == [
        "事件数随时间（按事件类型，每 1 小时）",
        "各乡镇事件数（按类型）",
        "事件处置状态",
        "未结与已结事件累计",
    ]
    link = app.get("page_link")[0].proto
    assert link.page_script_hash and link.label == "在态势一张图中查看当前筛选"
    assert f"township={TOWNSHIP}" in link.query_string
    app.segmented_control(key="incidents_by").set_value("status").run()
    stacked = chart_specs(app)[0]
    assert {trace["name"] for trace in stacked["data"]} <= {"待处置", "处置中", "已处置"}
    assert stacked["data"][0]["marker"]["color"] == "rgb(214,39,40)"  # 待处置 as on the map


def test_resource_page_lists_stock_below_minimum(app):
    open_page(app, RESOURCES)
    assert titles(app) == [
        "各仓库储备物资品种（按类别）",
        "物资储备总量（按品名）",
        "各乡镇避难场所容量与安置人数",
    ]
    below = app.dataframe[0].value
    assert len(below) > 0 and (below["数量"] < below["最低储备"]).all()
    # Saving the editor's table as it is stores the same 18 demo minimums again.
    app.button(key="stock_minimums_save").click().run()
    assert not app.exception
    assert "已保存 18 项最低储备" in " ".join(s.value for s in app.success)


def test_empty_window_is_said_in_words(app):
    app.query_params["end"] = "2020-01-01T00:00"
    for page in (RAIN, INCIDENTS):
        open_page(app, page)
        assert not app.get("plotly_chart")
        infos = " ".join(info.value for info in app.info)
        assert "没有降雨数据" in infos or "没有事件" in infos


def test_english_titles(app):
    open_page(app, INCIDENTS)
    app.radio(key="lang").set_value("en").run()
    assert app.title[0].value == "Incident trends"
    assert titles(app)[2] == "Incidents by status"


def test_briefing_button_builds_both_files(app):
    open_page(app, BRIEFING)
    assert download_labels(app) == ["下载筛选数据（XLSX）"]
    app.button(key="briefing_build").click().run()
    assert not app.exception
    assert "值班快报已生成" in app.success[0].value
    assert download_labels(app) == ["下载 Word（DOCX）", "下载 PDF", "下载筛选数据（XLSX）"]
    # Another window makes the files stale.
    app.selectbox(key="flt_hours.zh").set_value(6).run()
    assert "筛选条件已变化" in " ".join(w.value for w in app.warning)


# ---------------------------------------------------------------------------- real browser


@pytest.fixture(scope="module")
def server(demo_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("trends_browser") / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    with app_server(path) as url:
        yield url


def goto(page, url, label):
    """Open the app and navigate in-app: a full load of /<page> falls back to pages/ auto-discovery."""
    page.goto(url)
    wait_for_app(page)
    page.locator("[data-testid=stSidebarNav] a", has_text=label).click()
    wait_for_app(page)
    assert_no_exception(page)


def check_file(name: str, data: bytes) -> None:
    """Open a downloaded file back according to its extension."""
    ext = name.rsplit(".", 1)[1]
    if ext == "png":
        assert data.startswith(b"\x89PNG") and Image.open(io.BytesIO(data)).size[0] >= 1000
    elif ext == "svg":
        assert data.startswith(b"<svg") and "<text" in data.decode("utf-8")
    elif ext == "csv":
        assert data.startswith(b"\xef\xbb\xbf")
        data.decode("utf-8-sig")
    elif ext == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    elif ext == "docx":
        assert "值班快报" in "".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    elif ext == "pdf":
        # pypdf may read the 2-byte CJK codes with NULs or spaces between glyphs.
        assert "值班快报" in re.sub(r"[\s\x00]+", "", pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text())
    else:
        raise AssertionError(f"unexpected download {name}")
    assert zipfile.is_zipfile(io.BytesIO(data)) == (ext in ("xlsx", "docx"))


def click_downloads(page, widgets, files: dict | None = None) -> list[str]:
    """Click every download widget, receive its file and open it back; return the file names."""
    files = {} if files is None else files
    names = []
    for index in range(widgets.count()):
        # Streamlit also renders a hidden copy of the button to measure it; click the first.
        button = widgets.nth(index).locator("button").first
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=60_000) as info:
            button.click()
        download = info.value
        with open(download.path(), "rb") as handle:
            data = handle.read()
        check_file(download.suggested_filename, data)
        names.append(download.suggested_filename)
        files[download.suggested_filename] = data
    return names


@pytest.mark.parametrize("label, charts", [("降雨趋势", 4), ("事件趋势", 4), ("资源保障", 3)])
def test_browser_every_chart_export_downloads(server, label, charts):
    with browser_page(server) as (page, watch):
        goto(page, server, label)
        page.locator("[data-testid=stPlotlyChart]").nth(charts - 1).wait_for(timeout=BUILD_TIMEOUT_MS)
        assert page.locator("[data-testid=stPlotlyChart]").count() == charts
        widgets = page.locator("[data-testid=stDownloadButton]")
        # The buttons may still be coming when the charts show (a CI run under load counted
        # none): the last one is waited for, then all are counted.
        widgets.nth(4 * charts - 1).wait_for(timeout=BUILD_TIMEOUT_MS)
        assert widgets.count() == 4 * charts
        names = click_downloads(page, widgets)
        assert sorted(name.rsplit(".", 1)[1] for name in names) == sorted(["png", "svg", "csv", "xlsx"] * charts)
        assert all("全县" in name and "20260621-0000_20260622-0000" in name for name in names)
        screenshot(page, f"trends-{label}")
        assert_no_exception(page)
        watch.assert_clean()


def test_browser_briefing_and_data_export(server):
    with browser_page(server) as (page, watch):
        goto(page, server, "值班快报")
        page.get_by_role("button", name="生成值班快报").click()
        # The two report downloads appear above the data export once the build is done.
        widgets = page.locator("[data-testid=stDownloadButton]")
        widgets.nth(2).wait_for(timeout=BUILD_TIMEOUT_MS)
        wait_for_app(page)
        assert "值班快报已生成" in page.locator("[data-testid=stAlertContentSuccess]").first.inner_text()
        files = {}
        names = click_downloads(page, widgets, files)
        assert [name.rsplit(".", 1)[1] for name in names] == ["docx", "pdf", "xlsx"]
        book = openpyxl.load_workbook(io.BytesIO(files[names[2]]), read_only=True)
        assert book.sheetnames == ["事件", "雨量站统计", "逐小时雨量", "物资储备", "避难场所"]
        assert next(book["事件"].iter_rows(max_row=1, values_only=True))[:3] == ("编号", "类型", "发生时间")
        assert names[0].startswith("值班快报_全县_") and names[2].startswith("筛选数据_全县_")
        screenshot(page, "briefing")
        assert_no_exception(page)
        watch.assert_clean()


def test_browser_drill_through_opens_the_incident_township_on_the_map(server):
    with browser_page(server) as (page, watch):
        page.goto(f"{server}/?hours=72")
        wait_for_app(page)
        page.locator("[data-testid=stSidebarNav] a", has_text="事件趋势").click()
        wait_for_app(page)
        grid = page.locator("[data-testid=stDataFrame]").first
        grid.scroll_into_view_if_needed()
        grid.locator("canvas").first.wait_for(timeout=BUILD_TIMEOUT_MS)
        box = grid.bounding_box()
        # The selection checkbox of the first data row: left edge, just under the header row.
        page.mouse.click(box["x"] + 15, box["y"] + 52)
        wait_for_app(page)
        button = page.get_by_role("button", name="在态势一张图中查看 INC")
        label = button.inner_text()
        township = label[label.index("（") + 1 : label.index("）")]
        button.click()
        wait_for_app(page)
        page.get_by_role("heading", name="态势一张图").wait_for(timeout=BUILD_TIMEOUT_MS)
        assert "hours=72" in page.url and "township=" in page.url
        assert township in page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.inner_text()
        assert_no_exception(page)
        watch.assert_clean()
