"""The one-click duty briefing (值班快报): the current filters' picture as a DOCX and a PDF.

The report is first laid out as a list of blocks (headings, paragraphs, tables, images),
then written by two renderers, so Word and PDF always say the same thing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from emergency import charts, clock, codelists, config, export, queries, rules, store
from emergency.filters import Filters
from emergency.i18n import label, t
from emergency.vocab import INCIDENT_STATUSES, OPEN_STATUSES, RAIN_SCALES

# Debian fonts-noto-cjk: a TrueType collection whose face 2 is Simplified Chinese.
CJK_FONT_PATHS = {
    "": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "B": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
}
CJK_FONT_FACE_SC = 2
CJK_FONT_NAME = "Noto Sans CJK SC"
# Rows of the gauge ranking and of the open-incident list printed; the rest are counted.
TOP_STATIONS = 10
OPEN_LIST_MAX = 40
# Stock rows below minimum printed (most short first).
BELOW_MINIMUM_MAX = 30
# Image sizes in pixels (rendered at export.PNG_SCALE) and printed width in millimetres.
MAP_SIZE_PX = (1000, 760)
CHART_SIZE_PX = (1000, 520)
PRINT_WIDTH_MM = 170
# Widest relative weight of a PDF table column (long addresses wrap instead).
TABLE_COLUMN_CAP = 36
# Grade index from which a gauge counts as 暴雨 or more (RAIN_GRADE_CODES order).
RAINSTORM_GRADE = 3

Progress = Callable[[float, str], None]


@dataclass
class Block:
    """One piece of the report: kind is title, subtitle, heading, paragraph, table, image or note."""

    kind: str
    text: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    image: bytes = b""


def _no_progress(fraction: float, text: str) -> None:
    pass


def _fmt_mm(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1f}"


def _fmt_time(value) -> str:
    return "—" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%m-%d %H:%M")


def _township_scope(names: dict[str, str], filters: Filters, lang: str) -> str:
    if not filters.townships:
        return t("export.all_townships", lang)
    return "、".join(names.get(code, code) for code in filters.townships)


def _selection_note(filters: Filters, lang: str) -> str:
    parts = []
    if filters.types:
        parts.append(t("briefing.types", lang, names="、".join(label("incident_type", c, lang) for c in filters.types)))
    if filters.statuses:
        parts.append(
            t("briefing.statuses", lang, names="、".join(label("incident_status", c, lang) for c in filters.statuses))
        )
    return "；".join(parts)


def _header(meta: dict, names: dict[str, str], f: Filters, lang: str, now: datetime) -> list[Block]:
    blocks = [
        Block("title", t("briefing.title", lang, county=meta.get("county_name", ""))),
        Block(
            "subtitle",
            t(
                "briefing.issuer",
                lang,
                unit=config.setting("issuing_unit", t("briefing.unit_placeholder", lang)),
                time=f"{now:%Y-%m-%d %H:%M}",
            ),
        ),
        Block(
            "paragraph",
            t(
                "briefing.period",
                lang,
                start=f"{f.start:%Y-%m-%d %H:%M}",
                end=f"{f.end:%Y-%m-%d %H:%M}",
                hours=f"{f.window_hours:g}",
            ),
        ),
        Block("paragraph", t("briefing.scope", lang, scope=_township_scope(names, f, lang))),
    ]
    if note := _selection_note(f, lang):
        blocks.append(Block("paragraph", note))
    if meta.get("is_demo") == "true":
        blocks.append(Block("note", t("app.demo_banner", lang)))
    return blocks


def _overview(kpi: pd.Series, lang: str) -> list[Block]:
    mm = t("unit.mm", lang)
    unit = t("unit.incidents", lang)
    station = "" if pd.isna(kpi["rain_max_station"]) else f"（{kpi['rain_max_station']}）"
    rows = [
        [t("kpi.rain_max", lang), f"{_fmt_mm(kpi['rain_max_mm'])} {mm}{station}"],
        [t("kpi.rain_mean", lang), f"{_fmt_mm(kpi['rain_mean_mm'])} {mm}"],
        [t("kpi.incidents", lang), f"{int(kpi['incidents'])} {unit}"],
        [t("kpi.open", lang), f"{int(kpi['open_incidents'])} {unit}"],
        [t("kpi.affected", lang), f"{int(kpi['affected_townships'])}"],
        [t("kpi.serious", lang), f"{int(kpi['serious_incidents'])} {unit}"],
        [t("kpi.signals", lang), f"{int(kpi['signal_townships'])}"],
        [t("kpi.hazards_at_risk", lang), f"{int(kpi['hazards_at_risk'])}"],
    ]
    return [
        Block("heading", t("briefing.h.overview", lang)),
        Block("table", header=[t("briefing.col.measure", lang), t("briefing.col.value", lang)], rows=rows),
    ]


def _signals(signals: pd.DataFrame, thresholds: pd.DataFrame, lang: str) -> list[Block]:
    """Townships under a rainstorm signal at the window end (emergency.rules.signals), highest first."""
    under = signals[signals["rank"] > 0].sort_values(["rank", "code"], ascending=[False, True])
    blocks = [Block("heading", t("briefing.h.signals", lang))]
    if under.empty:
        return blocks + [Block("paragraph", t("rules.signal.none", lang))]
    rows = [[str(row["name"]), rules.signal_text(row, thresholds, lang)] for _, row in under.iterrows()]
    return blocks + [
        Block("table", header=[t("warning.col.township", lang), t("briefing.col.signal", lang)], rows=rows)
    ]


def _rain(kpi: pd.Series, ranking: pd.DataFrame, township_rain: pd.DataFrame, f: Filters, lang: str) -> list[Block]:
    blocks = [Block("heading", t("briefing.h.rain", lang))]
    if ranking.empty:
        return blocks + [Block("paragraph", t("map.empty_rain", lang))]
    wettest_hour = ranking.loc[ranking["max_1h_mm"].idxmax()]
    summary = t(
        "briefing.rain_summary",
        lang,
        gauges=len(ranking),
        mean=_fmt_mm(kpi["rain_mean_mm"]),
        max=_fmt_mm(kpi["rain_max_mm"]),
        station=kpi["rain_max_station"],
        max1h=_fmt_mm(wettest_hour["max_1h_mm"]),
        station1h=wettest_hour["name"],
    )
    if f.window_hours >= 24:
        # 暴雨 is defined on 24 h totals; shorter windows would undercount it.
        # Over 24 h a gauge counts by its largest 24 h (emergency.rules), not by its window total.
        storms = int(
            (rules.rain_grade_values(ranking, f.window_hours, "total_mm") >= RAIN_SCALES[24][RAINSTORM_GRADE]).sum()
        )
        summary += t("briefing.rain_storms", lang, n=storms)
    header = [
        t(f"col.{name}", lang)
        for name in ("station_name", "township_name", "total_mm", "max_1h_mm", "max_3h_mm", "max_24h_mm")
    ]
    rows = [
        [
            r.name,
            r.township_name or "—",
            _fmt_mm(r.total_mm),
            _fmt_mm(r.max_1h_mm),
            _fmt_mm(r.max_3h_mm),
            _fmt_mm(r.max_24h_mm),
        ]
        for r in ranking.head(TOP_STATIONS).itertuples()
    ]
    chosen = township_rain[township_rain["code"].isin(f.townships)] if f.townships else township_rain
    chart = charts.township_rain_bars(chosen, f.window_hours, lang)
    return blocks + [
        Block("paragraph", summary),
        Block("table", header=header, rows=rows),
        Block("image", t("chart.township_rain.title", lang), image=export.figure_image(chart, "png", *CHART_SIZE_PX)),
    ]


def _type_text(code: str, incidents: pd.DataFrame, lang: str) -> str:
    """Name a type in the briefing's count table; "other" names the departments' own texts: 其他（体育馆、人员失联）."""
    if code != codelists.OTHER or "type_label" not in incidents:
        return codelists.code_label("incident_type", code, lang)
    texts = incidents.loc[incidents["type"] == code, "type_label"].dropna().astype(str).str.strip()
    texts = texts[texts != ""].value_counts().sort_index().sort_values(ascending=False, kind="stable")
    joined = ("、" if lang != "en" else ", ").join(texts.index)
    return codelists.export_text("incident_type", code, joined or None, lang)


def _incidents(
    incidents: pd.DataFrame, by_type: pd.DataFrame, by_status: pd.DataFrame, by_township: pd.DataFrame, lang: str
) -> list[Block]:
    blocks = [Block("heading", t("briefing.h.incidents", lang))]
    if incidents.empty:
        return blocks + [Block("paragraph", t("map.empty_incidents", lang))]
    status_counts = dict(zip(by_status["status"], by_status["incidents"], strict=True))
    statuses = "，".join(
        f"{label('incident_status', code, lang)} {int(status_counts.get(code, 0))}" for code in INCIDENT_STATUSES
    )
    casualties = {name: int(by_type[name].sum()) for name in ("deaths", "injured", "missing", "trapped")}
    type_rows = by_type.set_index("type")
    counted = ("incidents", "deaths", "injured", "missing", "trapped")
    chart = charts.incidents_by_township(by_township, lang)
    blocks += [
        Block("paragraph", t("briefing.incident_summary", lang, total=len(incidents), statuses=statuses, **casualties)),
        Block(
            "table",
            header=[t("col.type", lang), *(t(f"col.{name}", lang) for name in counted)],
            rows=[
                [_type_text(code, incidents, lang), *(str(int(type_rows.loc[code, name])) for name in counted)]
                for code in codelists.colors("incident_type", type_rows.index)
                if code in type_rows.index
            ],
        ),
        Block(
            "image", t("chart.incidents_township.title", lang), image=export.figure_image(chart, "png", *CHART_SIZE_PX)
        ),
    ]
    still_open = incidents[incidents["status"].isin(OPEN_STATUSES)]
    blocks.append(Block("heading2", t("briefing.h.open", lang, n=len(still_open))))
    if still_open.empty:
        return blocks + [Block("paragraph", t("briefing.none_open", lang))]
    shown = still_open.head(OPEN_LIST_MAX)
    header = [t(f"col.{name}", lang) for name in ("id", "occurred_at", "type", "township_name", "address", "status")]
    rows = [
        [
            r.id,
            _fmt_time(r.occurred_at),
            codelists.export_text("incident_type", r.type, getattr(r, "type_label", None), lang),  # 其他（原文）
            r.township_name or "—",
            r.address or "—",
            label("incident_status", r.status, lang),
        ]
        for r in shown.itertuples()
    ]
    blocks.append(Block("table", header=header, rows=rows))
    if len(still_open) > len(shown):
        blocks.append(Block("note", t("briefing.more_open", lang, n=len(still_open) - len(shown))))
    return blocks


def _resources(items: pd.DataFrame, below: pd.DataFrame, shelters: pd.DataFrame, lang: str) -> list[Block]:
    blocks = [Block("heading", t("briefing.h.resources", lang))]
    if items.empty:
        blocks.append(Block("paragraph", t("trends.empty_stock", lang)))
    else:
        blocks.append(
            Block(
                "paragraph",
                t(
                    "briefing.stock_summary",
                    lang,
                    warehouses=int(items["warehouses"].max()),
                    items=len(items),
                    below=len(below),
                ),
            )
        )
        if not below.empty:
            header = [
                t(f"col.{name}", lang) for name in ("warehouse", "item", "quantity", "minimum", "shortfall", "unit")
            ]
            rows = [
                [r.warehouse, r.item, f"{r.quantity:,.0f}", f"{r.minimum:,.0f}", f"{r.shortfall:,.0f}", r.unit or ""]
                for r in below.head(BELOW_MINIMUM_MAX).itertuples()
            ]
            blocks.append(Block("table", header=header, rows=rows))
    if shelters.empty:
        return blocks + [Block("paragraph", t("trends.empty_shelters", lang))]
    totals = {name: f"{int(shelters[name].sum()):,}" for name in ("capacity", "occupancy", "free")}
    header = [
        t(f"col.{name}", lang) for name in ("township_name", "shelters", "capacity", "occupancy", "occupancy_rate")
    ]
    rows = [
        [
            r.township_name or r.township,
            str(r.shelters),
            f"{r.capacity:,}",
            f"{r.occupancy:,}",
            "—" if pd.isna(r.occupancy_rate) else f"{r.occupancy_rate:.0%}",
        ]
        for r in shelters.itertuples()
    ]
    return blocks + [
        Block("paragraph", t("briefing.shelter_summary", lang, shelters=int(shelters["shelters"].sum()), **totals)),
        Block("table", header=header, rows=rows),
    ]


def layout(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    lang: str = "zh",
    progress: Progress = _no_progress,
    now: datetime | None = None,
) -> list[Block]:
    """Query the store for ``filters`` and lay the briefing out as blocks (charts rendered to PNG).

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
    filters : emergency.filters.Filters
        Window and selections, as on the pages.
    lang : str
        "zh" (the document language of the bureau) or "en".
    progress : callable, optional
        Called with (fraction 0..1, what is being done) as the work advances.
    now : datetime, optional
        Generation time printed on the report (default: the wall clock).

    Returns
    -------
    list of Block
    """
    f = filters
    window = (f.start, f.end)
    selection = (f.townships, f.types, f.statuses)
    progress(0.05, t("briefing.step.query", lang))
    township_frame = queries.townships(conn)
    names = dict(zip(township_frame["code"], township_frame["name"], strict=True))
    kpi = rules.kpis(conn, f.end, f)
    township_rain = rules.township_rain(conn, *window)
    incidents = queries.incidents(conn, *window, *selection)

    blocks = _header(store.get_meta(conn), names, f, lang, now or clock.local_now()) + _overview(kpi, lang)
    progress(0.2, t("briefing.step.map", lang))
    situation = charts.situation_map(township_frame, township_rain, incidents, f.window_hours, lang)
    blocks.append(Block("image", t("chart.map.title", lang), image=export.figure_image(situation, "png", *MAP_SIZE_PX)))

    progress(0.4, t("briefing.step.charts", lang))
    blocks += _rain(kpi, queries.station_ranking(conn, *window, f.townships), township_rain, f, lang)
    blocks += _signals(rules.signals(conn, f.end, f), queries.signal_thresholds(conn), lang)
    from emergency.feed.brief import water_blocks  # 水情

    blocks += water_blocks(conn, f, lang, Block)
    blocks += _incidents(
        incidents,
        queries.incident_counts(conn, *window, ["type"], *selection),
        queries.incident_counts(conn, *window, ["status"], *selection),
        queries.incident_counts(conn, *window, ["township", "type"], *selection),
        lang,
    )
    progress(0.6, t("briefing.step.resources", lang))
    blocks += _resources(
        queries.stock_by_item(conn, f.townships),
        queries.stock_below_minimum(conn, f.townships),
        queries.shelter_occupancy(conn, f.townships),
        lang,
    )
    blocks.append(Block("note", t("briefing.footer", lang)))
    return blocks


def _display_width(text: str) -> int:
    # CJK characters take about two Latin character widths.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _column_weights(header: list[str], rows: list[list[str]]) -> list[float]:
    """Relative column widths from the longest cell of each column (header wraps before data does)."""
    weights = []
    for index, title in enumerate(header):
        longest = max([_display_width(str(row[index])) for row in rows] or [0])
        weights.append(min(max(longest, _display_width(title) * 0.6, 4), TABLE_COLUMN_CAP))
    return weights


def _register_fonts(pdf) -> None:
    for style, path in CJK_FONT_PATHS.items():
        pdf.add_font(CJK_FONT_NAME, style, str(path), collection_font_number=CJK_FONT_FACE_SC)


def to_pdf(blocks: list[Block]) -> bytes:
    """Write the blocks as an A4 PDF with the Noto Sans CJK SC font embedded (subset)."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    _register_fonts(pdf)
    pdf.set_title(blocks[0].text if blocks else "")
    pdf.add_page()
    width = pdf.epw
    for block in blocks:
        if block.kind == "title":
            pdf.set_font(CJK_FONT_NAME, "B", 20)
            pdf.multi_cell(width, 11, block.text, align="C", new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
        elif block.kind == "subtitle":
            pdf.set_font(CJK_FONT_NAME, "", 10)
            pdf.multi_cell(width, 6, block.text, align="C", new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
            pdf.ln(2)
        elif block.kind in ("heading", "heading2"):
            pdf.ln(3)
            pdf.set_font(CJK_FONT_NAME, "B", 14 if block.kind == "heading" else 12)
            pdf.multi_cell(width, 8, block.text, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
        elif block.kind in ("paragraph", "note"):
            pdf.set_font(CJK_FONT_NAME, "", 11 if block.kind == "paragraph" else 9)
            pdf.multi_cell(width, 6.5, block.text, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
        elif block.kind == "table":
            pdf.set_font(CJK_FONT_NAME, "", 9)
            with pdf.table(
                width=width,
                line_height=5.5,
                text_align="LEFT",
                wrapmode=WrapMode.CHAR,
                col_widths=_column_weights(block.header, block.rows),
                headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 244)),
            ) as table:
                for row in [block.header, *block.rows]:
                    cells = table.row()
                    for value in row:
                        cells.cell(str(value))
            pdf.ln(2)
        elif block.kind == "image":
            pdf.image(io.BytesIO(block.image), w=min(PRINT_WIDTH_MM, width), x=pdf.l_margin)
            pdf.set_font(CJK_FONT_NAME, "", 9)
            pdf.multi_cell(width, 5, block.text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        else:
            raise ValueError(f"unknown block kind {block.kind!r}")
    return bytes(pdf.output())


def _east_asian_font(run_or_style, name: str) -> None:
    """Set the East Asian font too: Word ignores ``font.name`` for CJK characters otherwise."""
    from docx.oxml.ns import qn

    properties = run_or_style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def to_docx(blocks: list[Block]) -> bytes:
    """Write the blocks as a Word document (A4, CJK font set for East Asian text)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    _docx_fonts(document)
    for block in blocks:
        if block.kind == "title":
            document.add_heading(block.text, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
            document.core_properties.title = block.text
        elif block.kind == "subtitle":
            document.add_paragraph(block.text).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.kind == "heading":
            document.add_heading(block.text, level=1)
        elif block.kind == "heading2":
            document.add_heading(block.text, level=2)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "note":
            document.add_paragraph(block.text).runs[0].font.size = Pt(9)
        elif block.kind == "table":
            _docx_table(document, block)
        elif block.kind == "image":
            document.add_picture(io.BytesIO(block.image), width=Mm(PRINT_WIDTH_MM))
            document.add_paragraph(block.text, style="Caption").alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            raise ValueError(f"unknown block kind {block.kind!r}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_fonts(document) -> None:
    """Set the CJK font on the styles the briefing uses, body text at 11 pt."""
    from docx.shared import Pt

    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption"):
        style = document.styles[style_name]
        style.font.name = CJK_FONT_NAME
        _east_asian_font(style, CJK_FONT_NAME)
    document.styles["Normal"].font.size = Pt(11)


def _docx_table(document, block: Block) -> None:
    """Add a table block to a Word document: a grid with the header row in bold."""
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header), style="Table Grid")
    for row_cells, values in zip(table.rows, [block.header, *block.rows], strict=True):
        for cell, value in zip(row_cells.cells, values, strict=True):
            cell.text = str(value)
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.font.bold = True


@dataclass
class Briefing:
    """The two files of one briefing and their names."""

    docx: bytes
    pdf: bytes
    docx_name: str
    pdf_name: str


def build(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    lang: str = "zh",
    progress: Progress = _no_progress,
    now: datetime | None = None,
) -> Briefing:
    """Build the duty briefing for ``filters`` as DOCX and PDF.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
    filters : emergency.filters.Filters
    lang : str
    progress : callable, optional
        Receives (fraction, step text); the page shows it as a progress bar.
    now : datetime, optional
        Printed generation time.

    Returns
    -------
    Briefing
    """
    blocks = layout(conn, filters, lang, progress, now)
    progress(0.75, t("briefing.step.docx", lang))
    docx = to_docx(blocks)
    progress(0.85, t("briefing.step.pdf", lang))
    pdf = to_pdf(blocks)
    progress(1.0, t("briefing.step.done", lang))
    townships = queries.townships(conn)
    names = dict(zip(townships["code"], townships["name"], strict=True))
    chosen = [names.get(code, code) for code in filters.townships]
    subject = t("page.briefing", lang)
    return Briefing(
        docx=docx,
        pdf=pdf,
        docx_name=export.file_name(subject, filters.start, filters.end, "docx", chosen, lang),
        pdf_name=export.file_name(subject, filters.start, filters.end, "pdf", chosen, lang),
    )
