"""The duty briefing built from the tiny store, opened back as DOCX and PDF text."""

import io
import re
from datetime import datetime

import docx
import pypdf
import pytest

from emergency import bench, briefing, config
from emergency.filters import Filters

FILTERS = Filters(end=datetime(2026, 6, 20, 12, 0), hours=12)
NOW = datetime(2026, 6, 20, 12, 30)


def squeeze(text: str) -> str:
    # PDF text extraction puts spaces (or NULs) between CJK glyphs depending on the layout.
    return re.sub(r"[\s\x00]+", "", text)


@pytest.fixture(scope="module")
def report(tiny_conn):
    patch = pytest.MonkeyPatch()
    patch.setattr(config, "_secrets", lambda: {"yitu": {"issuing_unit": "测试县应急管理局"}})
    steps = []
    try:
        result = briefing.build(
            tiny_conn, FILTERS, progress=lambda fraction, text: steps.append((fraction, text)), now=NOW
        )
    finally:
        patch.undo()
    return result, steps


def pdf_text(data: bytes) -> str:
    return squeeze("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return squeeze("\n".join([p.text for p in document.paragraphs] + cells))


def test_progress_is_reported_to_the_end(report):
    _, steps = report
    fractions = [fraction for fraction, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(steps) >= 6


def test_file_names(report):
    result, _ = report
    assert result.pdf_name == "值班快报_全县_20260620-0000_20260620-1200.pdf"
    assert result.docx_name.endswith(".docx")


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_briefing_content(report, kind):
    result, _ = report
    text = pdf_text(result.pdf) if kind == "pdf" else docx_text(result.docx)
    for expected in (
        "测试县防汛值班快报",
        "发布单位：测试县应急管理局",
        "统计时段：2026-06-20 00:00—2026-06-20 12:00（12小时）",
        "一、总体情况",
        "二、雨情",
        "三、灾情与处置",
        "四、物资与避难场所",
        "最大累计雨量40.0毫米（西一站）",
        "事件总数4起",
        "未结事件3起",
        "共发生事件4起（待处置2，处置中1，已处置1）",
        "未结事件清单（3起）",
        "I1",
        "I3",
        "I4",
        "西镇",
        "东乡",
        "西一站",
        "西二站",
        "避难场所2处，可容纳400人，已安置270人",
        "态势图：乡镇面雨量与事件分布",
    ):
        assert squeeze(expected) in text, expected
    # The closed incident is not in the open list (its ID appears nowhere).
    assert "I2" not in text


def test_pdf_embeds_the_cjk_font_and_three_images(report):
    result, _ = report
    reader = pypdf.PdfReader(io.BytesIO(result.pdf))
    fonts = set()
    images = 0
    for page in reader.pages:
        resources = page["/Resources"]
        fonts |= {str(font.get_object()["/BaseFont"]) for font in resources.get("/Font", {}).values()}
        images += len(page.images)
    assert any("NotoSansCJKSC" in name for name in fonts)
    assert images == 3  # the map and two charts


def test_docx_has_tables_pictures_and_east_asian_font(report):
    result, _ = report
    document = docx.Document(io.BytesIO(result.docx))
    assert len(document.inline_shapes) == 3
    assert len(document.tables) >= 5
    normal = document.styles["Normal"].element.rPr.rFonts
    assert (
        normal.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == briefing.CJK_FONT_NAME
    )


def test_unit_placeholder_and_empty_window(tiny_conn, monkeypatch):
    monkeypatch.setattr(config, "_secrets", lambda: {})
    empty = Filters(end=datetime(2020, 1, 1), hours=24)
    blocks = briefing.layout(tiny_conn, empty, now=NOW)
    text = "\n".join(block.text for block in blocks)
    assert "发布单位：（发布单位待配置）" in text
    assert "所选时间窗口内没有降雨数据。" in text and "所选条件下没有事件。" in text


def test_english_briefing(tiny_conn):
    blocks = briefing.layout(tiny_conn, FILTERS, lang="en", now=NOW)
    assert blocks[0].text == "测试县 duty briefing"
    assert any(block.text == "3. Incidents and response" for block in blocks)


def test_bench_exports_times_every_step(tiny_conn):
    timings = bench.bench_exports(tiny_conn, FILTERS)
    assert set(timings) == {
        "chart_query_s",
        "chart_png_first_s",
        "chart_png_s",
        "chart_svg_s",
        "chart_xlsx_s",
        "briefing_s",
    }
    assert all(value >= 0 for value in timings.values())
