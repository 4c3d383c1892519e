"""The import page's encoding confirmation and remembered header sets.

A file whose encoding cannot be told reliably is refused with the guess named and a button to
read it with that guess; clicking it reads the file, and the rows arrive as written. A file of a
header set confirmed before is mapped again without a source name, and the page says so.
"""

from emergency import store
from emergency.ingest import import_file
from tests.browser import app_server, assert_no_exception, browser_page, screenshot, wait_for_app
from tests.test_import_page import _choose, _open_import_page

PAGE = "pages/import_data.py"
# UTF-16 little-endian without a byte-order mark: the reader offers it as a guess, never reads it unasked.
STATIONS = ("GX0001", "GX0002", "GX0003")


def rain_utf16(minutes=(5, 10, 15)) -> bytes:
    lines = ["站码,观测时间,降雨量(毫米)"]
    for minute in minutes:
        for index, code in enumerate(STATIONS):
            lines.append(f"{code},2026-06-22 00:{minute:02d},{index + 1}.{minute // 5}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-16-le")


RAIN_SQL = "SELECT station, ts, mm FROM rainfall WHERE ts > '2026-06-22 00:00' ORDER BY ts, station"


def _stored(path) -> list:
    conn = store.connect(path, read_only=True)
    try:
        return store.run(conn, RAIN_SQL).values.tolist()
    finally:
        conn.close()


def _stored_in_app() -> list:
    """What the AppTest's own store connection (this process) holds."""
    from components import cached

    return store.run(cached.get_store(), RAIN_SQL).values.tolist()


def _expected(minutes=(5, 10, 15)) -> list:
    from datetime import datetime

    return [
        [code, datetime(2026, 6, 22, 0, minute), float(f"{index + 1}.{minute // 5}")]
        for minute in minutes
        for index, code in enumerate(STATIONS)
    ]


def test_confirming_the_encoding_guess_reads_the_rows(app, demo_copy):
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception
    app.selectbox(key="imp_kind").set_value("rainfall").run()
    app.file_uploader(key="imp_files").upload("雨量.csv", rain_utf16(), "text/csv").run()
    assert not app.exception
    errors = [e.value.replace("\\", "") for e in app.error]  # markdown escapes removed
    assert any("无法可靠识别" in text and "utf-16-le" in text for text in errors), errors
    assert not any(b.key == "imp_validate" for b in app.button)  # nothing read yet
    confirm = app.button(key="imp_use_guess")
    assert confirm.label == "确认按 UTF-16-LE 读取"
    confirm.click().run()
    assert not app.exception
    assert app.selectbox(key="imp_encoding").value == "utf-16-le"
    assert not [e.value for e in app.error]
    preview = next(frame.value for frame in app.dataframe if "站码" in frame.value.columns)
    assert list(preview["站码"][:3]) == list(STATIONS)
    app.button(key="imp_validate").click().run()
    assert not app.exception
    app.button(key="imp_commit").click().run()
    assert not app.exception
    done = [s.value for s in app.success if "已入库" in s.value]
    assert done and "通过 9 行" in done[0] and "拒收 0 行" in done[0], done
    assert _stored_in_app() == _expected()


def test_page_names_the_mapping_remembered_for_the_header_set(app, demo_copy, tmp_path):
    path = tmp_path / "乡镇报.csv"
    path.write_text("测点,时刻,本时段雨量\nGX0001,2026-06-22 00:05,1.5\n", encoding="utf-8")
    conn = store.connect(demo_copy)
    given = {"station": "测点", "ts": "时刻", "mm": "本时段雨量"}
    assert import_file(conn, path, "rainfall", mapping=given).accepted == 1
    conn.close()
    app.run()
    app.switch_page(PAGE).run()
    app.selectbox(key="imp_kind").set_value("rainfall").run()
    body = "测点,时刻,本时段雨量\nGX0002,2026-06-22 00:05,2.5\n".encode()
    app.file_uploader(key="imp_files").upload("另一天.csv", body, "text/csv").run()
    assert not app.exception
    captions = " ".join(c.value for c in app.caption)
    assert "已套用同样表头的文件上次确认的表头对应" in captions and "测点" in captions, captions
    app.button(key="imp_validate").click().run()
    app.button(key="imp_commit").click().run()
    assert not app.exception
    assert any("通过 1 行" in s.value for s in app.success)


def test_browser_confirms_the_encoding_guess(demo_copy, tmp_path):
    path = demo_copy  # a cloned database on the PostgreSQL run
    upload = tmp_path / "雨量-utf16.csv"
    upload.write_bytes(rain_utf16())
    with app_server(path) as url, browser_page(url) as (page, watch):
        _open_import_page(page, url)
        _choose(page, "数据类别", "降雨量")
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(upload)])
        wait_for_app(page)
        confirm = page.get_by_role("button", name="确认按 UTF-16-LE 读取")
        confirm.wait_for(timeout=60_000)
        assert "无法可靠识别" in page.locator("[data-testid=stAlertContentError]").first.inner_text()
        screenshot(page, "import-encoding-guess")
        confirm.click()
        wait_for_app(page)
        page.get_by_text("表头对应").first.wait_for(timeout=60_000)
        assert page.locator("[data-testid=stAlertContentError]").count() == 0
        page.get_by_role("button", name="校验").click()
        wait_for_app(page)
        page.get_by_text("校验报告").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="确认入库").click()
        wait_for_app(page)
        success = page.locator("[data-testid=stAlertContentSuccess]").filter(has_text="已入库").first
        success.wait_for(timeout=60_000)
        text = success.inner_text()
        screenshot(page, "import-encoding-confirmed")
        assert "通过 9 行" in text and "拒收 0 行" in text
        assert_no_exception(page)
        watch.assert_clean()
    assert _stored(path) == _expected()
