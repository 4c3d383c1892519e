"""The import page: AppTest of its tabs on the demo store, then real Chromium uploading a GBK CSV and a zipped Shapefile."""

import geopandas
import numpy as np
import pyproj
import shapely

from emergency import geo, store
from emergency.ingest import import_file
from tests import ingest_fixtures as fx
from tests.browser import app_server, assert_no_exception, browser_page, screenshot, wait_for_app
from tests.pg_store import copy_demo

PAGE = "pages/import_data.py"


def open_page(app):
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def rain_gbk(path):
    """Rain of three demo gauges just after the demo storm, GBK, with one sentinel row."""
    lines = ["站码,观测时间,降雨量(mm)"]
    for minute in (5, 10, 15):
        for code in ("GX0001", "GX0002", "GX0003"):
            lines.append(f"{code},2026-06-22 00:{minute:02d},0.{minute // 5}")
    lines.append("GX0001,2026-06-22 00:20,9999")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def townships_zip(store_path, folder):
    """Two demo townships read back from the store, as a GBK Shapefile in EPSG:4548 without .cpg, zipped."""
    conn = store.connect(store_path, read_only=True)
    rows = store.run(conn, "SELECT code, name, population, geometry FROM townships ORDER BY code LIMIT 2")
    conn.close()
    geoms = geo.wkb_to_geometry(rows["geometry"].map(bytes).to_numpy())
    transformer = pyproj.Transformer.from_crs("EPSG:4326", fx.PROJECTED, always_xy=True)
    projected = shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    frame = geopandas.GeoDataFrame(
        {"行政区划代码": rows["code"], "乡镇名称": rows["name"], "常住人口": rows["population"]},
        geometry=list(projected),
        crs=fx.PROJECTED,
    )
    folder.mkdir()
    shp = folder / "乡镇界线.shp"
    frame.to_file(shp, driver="ESRI Shapefile", engine="pyogrio", encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    return fx.zip_shapefile(shp, folder.parent / "乡镇界线.zip")


def test_page_renders_every_tab_on_an_untouched_store(app):
    open_page(app)
    assert app.title[0].value == "数据导入"
    infos = [i.value for i in app.info]
    assert "隔离区为空。" in infos and "还没有导入记录。" in infos
    assert any("所有雨量站均按时上报" in s.value for s in app.success)


def test_quarantine_log_and_stale_gauges_after_imports(app, demo_copy, tmp_path):
    conn = store.connect(demo_copy)
    gauges = tmp_path / "新站.csv"
    gauges.write_text("站码,站名,经度,纬度\nNEW1,新建站,117.93,28.45\n", encoding="utf-8")
    assert import_file(conn, gauges, "rain_gauges", source_name="区水利局", user="张三").accepted == 1
    rain = tmp_path / "新站雨量.csv"
    rain.write_text("站码,时间,雨量\nNEW1,2026-06-21 12:00,abc\nNEW1,2026-06-21 13:00,-1\n", encoding="utf-8")
    assert import_file(conn, rain, "rainfall").rejected == 2
    conn.close()

    open_page(app)
    frames = {tuple(frame.value.columns): frame.value for frame in app.dataframe}
    quarantine = next(v for k, v in frames.items() if "原始行" in k)
    assert list(quarantine["行号"]) == [2, 3]
    assert list(quarantine["原因"]) == ["不是有效数字", "雨量为负"]
    log = next(v for k, v in frames.items() if "导入时间" in k and "操作人" in k)
    assert list(log["文件"]) == ["新站雨量.csv", "新站.csv"]
    assert "张三" in set(log["操作人"])
    assert any("迟报雨量站：1 个" in w.value for w in app.warning)
    gauges_frame = next(v for k, v in frames.items() if "迟报" in k)
    assert gauges_frame.iloc[0]["编码"] == "NEW1" and bool(gauges_frame.iloc[0]["迟报"])
    sources = next(v for k, v in frames.items() if "来源" in k and "最新数据时间" in k and "行数" in k)
    assert "区水利局" in set(sources["来源"]) or "demo" in set(sources["来源"])


def test_page_in_english(app):
    open_page(app)
    app.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Data import"
    assert "Quarantine" in [tab.label for tab in app.tabs]


def _choose(page, label: str, option: str) -> None:
    box = page.locator("[data-testid=stSelectbox]").filter(has_text=label).first
    box.click()
    page.locator("[role=option]").filter(has_text=option).first.click()
    wait_for_app(page)


def _open_import_page(page, url: str) -> None:
    # Through the sidebar: loading /import_data directly makes the frontend probe
    # /import_data/_stcore/..., two 404s in the console.
    page.goto(url)
    wait_for_app(page)
    page.locator("[data-testid=stSidebarNav] a").filter(has_text="数据导入").click()
    wait_for_app(page)
    page.get_by_text("上传各部门的数据文件").first.wait_for(timeout=60_000)


def _upload_validate_commit(page, files: list, kind_label: str) -> str:
    _choose(page, "数据类别", kind_label)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(f) for f in files])
    wait_for_app(page)
    page.get_by_text("表头对应").first.wait_for(timeout=60_000)
    page.get_by_role("button", name="校验").click()
    wait_for_app(page)
    page.get_by_text("校验报告").first.wait_for(timeout=60_000)
    assert_no_exception(page)
    commit = page.get_by_role("button", name="确认入库")
    try:
        commit.wait_for(timeout=30_000)
    finally:
        screenshot(page, "import-report")
    commit.click()
    wait_for_app(page)
    success = page.locator("[data-testid=stAlertContentSuccess]").filter(has_text="已入库").first
    success.wait_for(timeout=60_000)
    return success.inner_text()


def test_browser_uploads_a_gbk_csv_and_a_zipped_shapefile(demo_file, tmp_path):
    path = tmp_path / "store.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    csv_file = rain_gbk(tmp_path / "雨量.csv")
    zip_file = townships_zip(path, tmp_path / "shp")
    garbage = tmp_path / "坏数据.csv"
    garbage.write_bytes(bytes(range(256)) * 20)
    with app_server(path) as url, browser_page(url) as (page, watch):
        _open_import_page(page, url)
        assert_no_exception(page)
        # A bad file: a message naming it, no traceback.
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(garbage)])
        wait_for_app(page)
        page.locator("[data-testid=stAlertContentError]").filter(has_text="坏数据.csv").first.wait_for(timeout=60_000)
        assert "不是文本文件" in page.locator("[data-testid=stAlertContentError]").first.inner_text()
        assert_no_exception(page)

        _open_import_page(page, url)
        text = _upload_validate_commit(page, [csv_file], "降雨量")
        assert "通过 9 行" in text and "拒收 1 行" in text
        screenshot(page, "import-csv")

        _open_import_page(page, url)
        text = _upload_validate_commit(page, [zip_file], "乡镇边界")
        assert "通过 2 行" in text and "拒收 0 行" in text
        screenshot(page, "import-shapefile")
        page.get_by_role("tab", name="隔离区").click()
        # The grid draws on a canvas; its download button shows the quarantine is there.
        page.get_by_role("button", name="下载隔离区（CSV）").wait_for(timeout=30_000)
        screenshot(page, "import-quarantine")
        assert_no_exception(page)
        watch.assert_clean()
    conn = store.connect(path, read_only=True)
    assert store.scalar(conn, "SELECT count(*) FROM rainfall WHERE ts > '2026-06-22 00:00'") == 9
    assert store.scalar(conn, "SELECT count(*) FROM import_log") == 2
    assert store.scalar(conn, "SELECT name FROM townships WHERE code = '361104001'") == "旭日街道"
    conn.close()


def test_page_imports_what_the_command_line_queued(app, demo_copy, tmp_path):
    from emergency.ingest import inbox

    inbox.enqueue(demo_copy, rain_gbk(tmp_path / "排队雨量.csv"), kind="rainfall", user="王五")
    open_page(app)
    done = [s.value.replace("\\", "") for s in app.success if "排队雨量.csv" in s.value.replace("\\", "")]
    assert done and "通过 9 行，拒收 1 行" in done[0]
    assert inbox.pending(demo_copy) == []
