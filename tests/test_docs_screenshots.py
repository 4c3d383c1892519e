"""The manual's screenshots (docs/img/*.png) are taken here, in Chromium, on the demo store.

Every page of the sidebar, the township page with a township chosen and the big screen are opened
as a person would, checked for errors and photographed; docs/使用手册.md shows these files. A new
image replaces the old one only when it differs visibly, so a test run leaves git clean when
nothing changed on screen.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image

from emergency import config
from tests.browser import (
    CANVAS_SETTLE_MS,
    app_server,
    assert_no_exception,
    browser_page,
    largest_township,
    wait_for_app,
)
from tests.pg_store import copy_demo

DOCS_IMG = config.PROJECT_ROOT / "docs" / "img"
# Pages by URL path (the sidebar's order); "" is the default page.
EXPECTED_PAGES = {
    "",
    "trends_rain",
    "trends_incidents",
    "trends_resources",
    "briefing",
    "warning",
    "dispatch",
    "township",
    "township_ranking",
    "import_data",
    "completeness",
    "admin",
}
# Share of pixels that must change (by more than a little) before an image is rewritten.
CHANGED_SHARE = 0.01
WIDTH, HEIGHT = 1600, 1000


@pytest.fixture(scope="module")
def server(demo_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("docs") / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    with app_server(path) as url:
        yield url, path


def save(png: bytes, name: str) -> Path:
    """Write docs/img/<name>.png unless the file there already shows the same screen."""
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    target = DOCS_IMG / f"{name}.png"
    new = Image.open(io.BytesIO(png)).convert("RGB")
    if target.exists():
        old = Image.open(target).convert("RGB")
        if old.size == new.size:
            diff = np.abs(np.asarray(old, dtype=int) - np.asarray(new, dtype=int)).max(axis=2)
            if (diff > 24).mean() < CHANGED_SHARE:
                return target
    new.save(target, optimize=True)
    return target


def settle(page) -> None:
    """Wait for the run to end and for any map canvas to draw."""
    wait_for_app(page)
    deck = page.locator("[data-testid=stDeckGlJsonChart] canvas")
    if deck.count():
        deck.first.wait_for(timeout=30_000)
        page.wait_for_timeout(CANVAS_SETTLE_MS)
    page.wait_for_timeout(800)
    assert_no_exception(page)


def test_screenshots_of_every_page_for_the_manual(server):
    url, path = server
    township, _view = largest_township(path)
    saved = []
    with browser_page(url, width=WIDTH, height=HEIGHT) as (page, watch):
        page.goto(url)
        settle(page)
        links = page.locator("[data-testid=stSidebarNav] a")
        hrefs = [urlparse(links.nth(i).get_attribute("href") or "").path.strip("/") for i in range(links.count())]
        assert set(hrefs) >= EXPECTED_PAGES, set(hrefs)
        for index, slug in enumerate(hrefs):
            page.locator("[data-testid=stSidebarNav] a").nth(index).click()
            page.wait_for_timeout(500)
            settle(page)
            saved.append(save(page.screenshot(), slug or "one_map"))
        # The township page with a township chosen, and the big screen (no sidebar, clock, refresh).
        for name, target in (
            ("township_selected", f"{url}/township?township={township['code']}"),
            ("big_screen", f"{url}/?screen=1"),
        ):
            page.goto(target)
            settle(page)
            saved.append(save(page.screenshot(), name))
        watch.assert_clean()
    for image in saved:
        assert Image.open(image).size == (WIDTH, HEIGHT)
    manual = (config.PROJECT_ROOT / "docs" / "使用手册.md").read_text(encoding="utf-8")
    for image in saved:
        assert f"img/{image.name}" in manual, f"docs/使用手册.md does not show {image.name}"
