"""A sweep of the whole app in real Chromium, as a new user would click it.

Every page in both languages (no exception, no error box, no console error, no request to
another host; no English word on a Chinese screen outside an allowlist; no None/nan/False in
visible cells), every map layer alone and all together (canvas drawn, no console error), every
download button (the file arrives, opens with its reader, and an audit row is written), and
the warning form issued for two levels and township sets (the saved text matches).
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from PIL import Image

from components.one_map import LAYER_OPTIONS
from emergency import i18n, queries, store
from tests.browser import (
    app_process,
    assert_no_exception,
    browser_page,
    screenshot,
    wait_for_app,
    wait_for_canvas,
    wait_for_charts,
)
from tests.pg_store import copy_demo

# The storm moment of the demo (its signals are up).
STORM_END = "2026-06-20T02:40"
# Visible text of the page: text nodes that are rendered, without icon ligatures (material
# icons are drawn from words such as "upload_file"), scripts and styles.
VISIBLE_TEXT_JS = """() => {
  const out = []; const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement; if (!el || !node.textContent.trim()) continue;
    if (el.closest('script,style,noscript,[data-testid=stIconMaterial]')) continue;
    const style = getComputedStyle(el);
    if (style.fontFamily.includes('Material')) continue;
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right < 0 || box.bottom < 0) continue;
    out.push(node.textContent);
  }
  return out.join('\\n');
}"""
CELLS_JS = """() => Array.from(document.querySelectorAll('[data-testid=stDataFrame] [role=gridcell]'))
  .map(c => c.textContent.trim())"""
# English that may stand on a Chinese screen: units and file formats, standard identifiers, the language switch
# itself, the demo account's bilingual name, and Streamlit's skip link for screen readers.
ALLOWED_ENGLISH = {
    "mm",
    "km",
    "h",
    "min",
    "kB",
    "KB",
    "MB",
    "GB",
    "CSV",
    "XLSX",
    "Excel",
    "PNG",
    "SVG",
    "PDF",
    "Word",
    "DOCX",
    "CAP",
    "XML",
    "GeoJSON",
    "GeoPackage",
    "Shapefile",
    "WGS",
    "shp",
    "shx",
    "dbf",
    "prj",
    "cpg",
    "zip",
    "csv",
    "xlsx",
    "xls",
    "json",
    "geojson",
    "gpkg",
    "kml",
    "txt",
    "English",
    "Language",
    "local",
    "demo",
    "user",
    "Skip",
    "to",
    "main",
    "content",
    "OIDC",
    "ID",
    "CGCS",
    "GCJ",
    "BD",
    "UTF",
    "BOM",
    "GB2312",
    "GBK",
    "gbk",
    "GB18030",
    "gb18030",
    "utf",
    # Identifiers of the national hydrology standard SL 323 (its table and field names) and "URL"
    # of a database connection: written as the standard and the bureau's IT staff write them.
    "SL",
    "ADDVCD",
    "STCD",
    "STTP",
    "URL",
}
# Words that mean a cell shows a raw missing value or flag.
RAW_CELL = re.compile(r"^(None|nan|NaN|NaT|False|True|<NA>|null|undefined)$")


def english_words(text: str) -> set[str]:
    """Latin words of 2+ letters that are not codes (GX0001, INC-20260620-0001) or allowed."""
    words = set(re.findall(r"(?<![A-Za-z0-9_-])[A-Za-z][A-Za-z]+(?![A-Za-z0-9_-])", text))
    return {w for w in words if w not in ALLOWED_ENGLISH}


@pytest.fixture(scope="module")
def sweep_store(demo_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep") / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a server store's database on the PostgreSQL run
    return path


@pytest.fixture(scope="module")
def server(sweep_store):
    with app_process(sweep_store) as (url, _process):
        yield url


def open_app(page, server: str, lang: str = "zh") -> None:
    page.goto(f"{server}/?end={STORM_END}" + ("&lang=en" if lang == "en" else ""))
    wait_for_app(page)


def nav_count(page) -> int:
    return page.locator("[data-testid=stSidebarNav] a").count()


def open_nav(page, index: int) -> str:
    link = page.locator("[data-testid=stSidebarNav] a").nth(index)
    name = link.inner_text().strip()
    link.click()
    wait_for_app(page)
    return name


def check_page(page, lang: str, where: str) -> None:
    assert_no_exception(page)
    errors = page.locator("[data-testid=stAlertContentError]")
    assert errors.count() == 0, f"{where}: error box {errors.first.inner_text()}"
    wait_for_charts(page)  # the grids hold their cells
    cells = [c for c in page.evaluate(CELLS_JS) if RAW_CELL.match(c)]
    assert not cells, f"{where}: raw cells {sorted(set(cells))}"
    if lang == "zh":
        text = page.evaluate(VISIBLE_TEXT_JS)
        assert not english_words(text), f"{where}: English on the Chinese screen {sorted(english_words(text))}"
        raw = [w for w in re.findall(r"\b(None|nan|NaN|NaT|False|True)\b", text)]
        assert not raw, f"{where}: {raw}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_in_both_languages(server, lang):
    with browser_page(server) as (page, watch):
        open_app(page, server, lang)
        for index in range(nav_count(page)):
            name = open_nav(page, index)
            check_page(page, lang, f"{lang} · {name}")
            # Every tab of the page too (warning, township, admin ...).
            tabs = page.locator("[data-baseweb=tab-list] [role=tab]")
            for tab in range(tabs.count()):
                tabs.nth(tab).click()
                wait_for_app(page)
                check_page(page, lang, f"{lang} · {name} · tab {tab}")
            screenshot(page, f"sweep-{lang}-{index}")
        watch.assert_clean()


# ------------------------------------------------------------------------------ layers


def choose_layers(page, wanted: set[str]) -> None:
    labels = i18n.labels("map_layer", "zh")
    pills = page.locator(".st-key-one_map_layers button")
    for code in LAYER_OPTIONS:
        button = pills.filter(has_text=labels[code]).first
        on = (
            button.get_attribute("kind") == "pillsActive"
            or button.get_attribute("aria-pressed") == "true"
            or "Active" in (button.get_attribute("data-testid") or "")
        )
        if on != (code in wanted):
            button.click()
            wait_for_app(page)


def deck_layer_ids(page) -> set[str]:
    """The ids of the layers deck.gl drew in the last frame (from the JSON the page holds)."""
    return set(
        page.evaluate("""() => { const ids = new Set();
      document.querySelectorAll('[data-testid=stDeckGlJsonChart]').forEach(el => {
        const m = el.innerHTML.match(/"id"\\s*:\\s*"([^"]+)"/g) || []; m.forEach(x => ids.add(x)); });
      return Array.from(ids); }""")
    )


def canvas_drawn_share(page) -> float:
    deck = page.locator("[data-testid=stDeckGlJsonChart]").first
    png = deck.screenshot()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int).reshape(-1, 3)
    background = (np.abs(pixels - (238, 241, 244)) < 12).all(axis=1) | (pixels.min(axis=1) > 245)
    return float((~background).mean())


@pytest.mark.parametrize("window", ["24", "72"])
def test_every_map_layer_alone_and_all_together(server, window):
    sets = [{code} for code in LAYER_OPTIONS] + [set(LAYER_OPTIONS)]
    with browser_page(server) as (page, watch):
        page.goto(f"{server}/?end={STORM_END}&hours={window}")
        wait_for_app(page)
        for wanted in sets:
            choose_layers(page, wanted)
            wait_for_canvas(page)
            assert_no_exception(page)
            assert page.locator("[data-testid=stAlertContentError]").count() == 0
            # The county outline and labels are always drawn: something besides the background.
            assert canvas_drawn_share(page) > 0.01, wanted
            assert not watch.console_errors, (wanted, watch.console_errors)
            if "surface" in wanted:
                # The rain surface image arrived as an image, not as a JS expression.
                assert not any("Unexpected" in e for e in watch.console_errors)
            name = "all" if len(wanted) > 1 else next(iter(wanted))
            screenshot(page, f"sweep-layer-{window}h-{name}")
        watch.assert_clean()


# --------------------------------------------------------------------------- downloads


def open_file(name: str, data: bytes) -> None:
    """Open a downloaded file with its reader; fail on raw missing values in table files."""
    ext = name.rsplit(".", 1)[-1].lower()
    if ext == "png":
        assert Image.open(io.BytesIO(data)).size[0] > 100
    elif ext == "svg":
        assert ET.fromstring(data).tag.endswith("svg")
    elif ext == "csv":
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False, dtype=str)
        bad = {v for v in frame.to_numpy().ravel().tolist() if RAW_CELL.match(str(v))}
        assert not bad, (name, bad)
    elif ext == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                bad = {v for v in row if isinstance(v, str) and RAW_CELL.match(v)}
                assert not bad, (name, sheet.title, bad)
    elif ext == "pdf":
        import pypdf

        assert len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 1
    elif ext == "docx":
        import docx

        assert docx.Document(io.BytesIO(data)).paragraphs
    elif ext == "xml":
        ET.fromstring(data)
    else:
        raise AssertionError(f"unexpected download {name}")
    assert zipfile.is_zipfile(io.BytesIO(data)) == (ext in ("xlsx", "docx"))


def click_visible_downloads(page, done: set[str], files: list[str], where: str) -> None:
    widgets = page.locator("[data-testid=stDownloadButton]")
    for index in range(widgets.count()):
        widget = widgets.nth(index)
        button = widget.locator("button").first
        if not button.is_visible() or not button.is_enabled():
            continue
        key = f"{where}|{index}|{button.inner_text()}"
        if key in done:
            continue
        done.add(key)
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=90_000) as info:
            button.click()
        data = Path(info.value.path()).read_bytes()
        open_file(info.value.suggested_filename, data)
        files.append(info.value.suggested_filename)


def test_every_download_button_gives_a_file_and_an_audit_row(demo_file, tmp_path):
    path = tmp_path / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a server store's database on the PostgreSQL run
    files: list[str] = []
    with app_process(path) as (url, _process), browser_page(url) as (page, watch):
        open_app(page, url)
        done: set[str] = set()
        for index in range(nav_count(page)):
            name = open_nav(page, index)
            # The briefing is made on request: ask for it first.
            make = page.locator(".st-key-briefing_make button, [class*=st-key-briefing_generate] button")
            if make.count() and make.first.is_visible():
                make.first.click()
                wait_for_app(page)
            click_visible_downloads(page, done, files, name)
            tabs = page.locator("[data-baseweb=tab-list] [role=tab]")
            for tab in range(tabs.count()):
                tabs.nth(tab).click()
                wait_for_app(page)
                click_visible_downloads(page, done, files, f"{name}#{tab}")
            assert_no_exception(page)
        watch.assert_clean()
    assert len(files) >= 30, files
    assert {name.rsplit(".", 1)[-1] for name in files} >= {"png", "svg", "csv", "xlsx"}
    conn = store.connect(path, read_only=True)
    try:
        log = queries.audit_log(conn)
    finally:
        conn.close()
    exports = log[log["action"] == "export"]
    assert len(exports) >= len(files), (len(exports), len(files))
    assert set(exports["outcome"]) == {"ok"}


# ----------------------------------------------------------------------------- warnings


def issue(page, level_label: str, townships: list[str]) -> str:
    """Choose a level and townships in the issue form, submit, return the text the form held."""
    page.get_by_role("tab", name="发布预警").click()
    wait_for_app(page)
    level = page.locator(".st-key-warning_issue_level")
    level.click()  # waits until the tab shows it
    page.locator("[role=option]", has_text=level_label).first.click()
    wait_for_app(page)
    box = page.locator(".st-key-warning_issue_townships")
    # Clear the chosen townships, then pick the wanted ones.
    clear = box.locator("[aria-label='Clear all'], [title='Clear all']")
    if clear.count():
        clear.first.click()
        wait_for_app(page)
    for name in townships:
        box.locator("input").click()
        page.locator("[role=option]", has_text=name).first.click()
        page.keyboard.press("Escape")
        wait_for_app(page)
    text = page.locator(".st-key-warning_issue_text textarea").input_value()
    page.locator(".st-key-warning_issue_submit button").click()
    page.wait_for_selector("text=已发布", timeout=30_000)
    wait_for_app(page)
    return text


def test_warning_text_follows_level_and_townships_in_the_browser(demo_file, tmp_path):
    path = tmp_path / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a server store's database on the PostgreSQL run
    conn = store.connect(path, read_only=True)
    names = queries.townships(conn)["name"].tolist()
    conn.close()
    plans = [("蓝色", names[:5]), ("黄色", names[5:6])]
    texts = []
    with app_process(path) as (url, _process), browser_page(url) as (page, watch):
        open_app(page, url)
        page.locator("[data-testid=stSidebarNav] a", has_text="预警研判").click()
        wait_for_app(page)
        for level_label, chosen in plans:
            texts.append(issue(page, level_label, chosen))
            assert_no_exception(page)
        screenshot(page, "sweep-warning-issued")
        watch.assert_clean()
    conn = store.connect(path, read_only=True)
    try:
        saved = queries.warnings_issued(conn).sort_values("id")
    finally:
        conn.close()
    assert len(saved) == 2
    levels = {"蓝色": "blue", "黄色": "yellow"}
    for (level_label, chosen), form_text, (_, row) in zip(plans, texts, saved.iterrows(), strict=True):
        assert row["level"] == levels[level_label]
        assert row["text"] == form_text
        assert level_label in row["text"] and all(name in row["text"] for name in chosen)
        others = [n for n in names if n not in chosen]
        assert not any(n in row["text"] for n in others), (row["text"], others)
        assert json.dumps(sorted(row["townships"])) if "townships" in row else True
