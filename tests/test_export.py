"""Exports opened back: CSV with BOM, XLSX with neutralized formulas, PNG/SVG charts, file names."""

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from PIL import Image

from emergency import charts, export, queries

START = datetime(2026, 6, 20, 0, 0)
END = datetime(2026, 6, 20, 12, 0)
HOSTILE = pd.DataFrame(
    {
        "地址": ['=HYPERLINK("http://evil","点我")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "西镇一村"],
        "数量": [1, -2, 3, 4, 5, 6, 7],
    }
)


def test_neutralize_prefixes_only_formula_text():
    safe = export.neutralize(HOSTILE)
    assert safe["地址"].tolist()[:6] == ["'" + value for value in HOSTILE["地址"][:6]]
    assert safe["地址"].iloc[6] == "西镇一村"
    # A negative number is a number, not a formula.
    assert safe["数量"].tolist() == [1, -2, 3, 4, 5, 6, 7]
    assert export.neutralize(pd.DataFrame({"=x": [1]})).columns.tolist() == ["'=x"]


def test_csv_has_bom_and_readable_chinese():
    data = export.to_csv(HOSTILE)
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert frame.columns.tolist() == ["地址", "数量"]
    assert frame["地址"].iloc[6] == "西镇一村"
    assert all(value.startswith("'") for value in frame["地址"].iloc[:4])


def test_xlsx_cells_are_text_not_formulas():
    data = export.to_xlsx({"事件": HOSTILE, "[bad]:name/that is far too long for excel": HOSTILE.head(1)})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "事件" and len(book.sheetnames[1]) <= 31
    sheet = book["事件"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 9)]
    assert all(cell.data_type == "s" for cell in cells)
    assert cells[0].value.startswith("'=HYPERLINK") and cells[6].value == "西镇一村"
    assert [sheet.cell(row=r, column=2).value for r in range(2, 9)] == [1, -2, 3, 4, 5, 6, 7]


def test_readable_exports_use_labels(tiny_conn):
    frame = export.readable(queries.incidents(tiny_conn, START, END)[["id", "type", "status", "township_name"]])
    assert frame.columns.tolist() == ["编号", "类型", "状态", "乡镇"]
    assert set(frame["类型"]) == {"洪涝", "滑坡"}


def test_file_name_names_chart_townships_and_window():
    assert (
        export.file_name("降雨过程", START, END, "png", ["西镇", "东乡"])
        == "降雨过程_西镇-东乡_20260620-0000_20260620-1200.png"
    )
    assert (
        export.file_name("事件 趋势/类型", START, END, "csv") == "事件_趋势_类型_全县_20260620-0000_20260620-1200.csv"
    )
    many = export.file_name("x", START, END, "svg", ["甲", "乙", "丙", "丁"])
    assert "甲-乙-丙等4个乡镇" in many


@pytest.fixture(scope="module")
def hyetograph(tiny_conn):
    return charts.hyetograph(queries.rain_series(tiny_conn, START, END, 60), 60, "西镇")


def test_png_export(hyetograph):
    png = export.figure_image(hyetograph, "png", width=800, height=400)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1600, 800)  # scale 2 for print
    # The bars are drawn in their colour.
    bar = tuple(charts.RAIN_BAR_COLOR)
    assert (
        sum(1 for pixel in image.get_flattened_data() if all(abs(a - b) < 8 for a, b in zip(pixel, bar, strict=True)))
        > 5000
    )


def test_svg_export_keeps_chinese_text(hyetograph):
    svg = export.figure_image(hyetograph, "svg").decode("utf-8")
    assert svg.startswith("<svg") and "降雨过程：西镇" in svg and "累计雨量" in svg


def test_image_export_rejects_unknown_formats(hyetograph):
    with pytest.raises(ValueError):
        export.figure_image(hyetograph, "pdf")


def test_xlsx_with_empty_text_cells_and_readable_cells():
    # pandas 3: astype(str) keeps NaN, so len() of an empty text cell failed and the
    # download silently produced nothing (township ranking, briefing data, audit, stock).
    import io

    import numpy as np

    frame = pd.DataFrame(
        {
            "type": ["flood", None],
            "kind": ["school", "landslide"],
            "flag": [True, False],
            "name": ["甲", np.nan],
            "note": pd.array(["x", None], dtype="string"),
            "n": [1.0, np.nan],
        }
    )
    table = export.readable(frame, "zh")
    workbook = pd.read_excel(io.BytesIO(export.to_xlsx({"s": table})), engine="openpyxl", keep_default_na=False)
    cells = workbook.astype(str).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN", "False", "True", "flood", "school", "<NA>"} & set(cells)
    assert {"洪涝", "学校", "滑坡", "是", "否"} <= set(cells)
    assert export.to_xlsx({"raw": frame})  # unreadable frames still export
    csv = export.to_csv(table).decode("utf-8-sig")
    assert "None" not in csv and "nan" not in csv and "False" not in csv
