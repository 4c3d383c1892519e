"""The manual's screenshots (docs/img/*.png) are taken here, in Chromium, on the demo store.

Every page of the sidebar, the township page with a township chosen and the big screen are opened
as a person would, checked for errors and photographed; then, on a store with the live demo's water
stations synced, the command-centre wall at 1920×1080 and 1366×768, the water layer and list, and the code lists
of the admin page. docs/使用手册.md shows these files. A new
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

from emergency import config, demo
from tests import live_water
from tests.browser import (
    app_server,
    assert_no_exception,
    browser_page,
    largest_township,
    painted,
    wait_for_app,
    wait_for_charts,
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
# The command-centre wall is photographed at the size of a wall screen.
WALL_WIDTH, WALL_HEIGHT = 1920, 1080
SMALL_WALL_WIDTH, SMALL_WALL_HEIGHT = 1366, 768


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
    wait_for_charts(page)
    painted(page)
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
            page.wait_for_url(lambda address, slug=slug: urlparse(address).path.strip("/") == slug, timeout=30_000)
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


@pytest.fixture(scope="module")
def live_server(demo_file, tmp_path_factory):
    facts = live_water.build(demo_file, tmp_path_factory.mktemp("docs-live"))
    with app_server(facts["path"], {"YITU_SETTINGS": str(facts["settings"])}) as url:
        yield url


def show(page, text: str) -> None:
    """Scroll the first element reading exactly ``text`` to the top of the window."""
    heading = page.get_by_text(text, exact=True).first
    heading.wait_for(timeout=60_000)
    heading.evaluate("e => e.scrollIntoView({block: 'start'})")
    settle(page)


def test_screenshots_of_the_wall_water_and_code_lists_for_the_manual(live_server):
    url = live_server
    saved = {}
    with browser_page(url, width=WALL_WIDTH, height=WALL_HEIGHT) as (page, watch):
        # At the end of the demo storm: signals, open incidents, the ticker, and the water card.
        page.goto(f"{url}/?screen=1&end={demo.DEMO_NOW:%Y-%m-%dT%H:%M}")
        settle(page)
        page.locator('[data-wall="water"]').wait_for(timeout=60_000)
        # The wall redraws its map and chart once the browser has reported the screen size.
        page.locator("[data-testid=stPlotlyChart] .main-svg").first.wait_for(timeout=60_000)
        wait_for_app(page)
        wait_for_charts(page)
        saved["wall"] = save(page.screenshot(), "wall")
        watch.assert_clean()
    # The smallest screen the wall is made for (a meeting-room laptop): the README shows both sizes.
    with browser_page(url, width=SMALL_WALL_WIDTH, height=SMALL_WALL_HEIGHT) as (page, watch):
        page.goto(f"{url}/?screen=1&end={demo.DEMO_NOW:%Y-%m-%dT%H:%M}")
        settle(page)
        page.wait_for_function(
            "() => document.querySelector('.st-key-wall_view input')?.value === `${innerWidth}x${innerHeight}`",
            timeout=60_000,
        )
        settle(page)
        page.locator("[data-testid=stPlotlyChart] .main-svg").first.wait_for(timeout=60_000)
        wait_for_app(page)
        wait_for_charts(page)
        small = save(page.screenshot(), "wall-1366x768")
        watch.assert_clean()
    assert Image.open(small).size == (SMALL_WALL_WIDTH, SMALL_WALL_HEIGHT)
    with browser_page(url, width=WIDTH, height=HEIGHT) as (page, watch):
        page.goto(url)
        settle(page)
        # The 超警戒站点 card at the top, the map with its 水情站点 layer below it.
        show(page, "超警戒站点")
        saved["water_map"] = save(page.screenshot(), "water_map")
        page.goto(f"{url}/warning")
        settle(page)
        show(page, "超警戒（保证、汛限）水情站点")
        saved["water_warning"] = save(page.screenshot(), "water_warning")
        page.goto(f"{url}/admin")
        settle(page)
        show(page, "代码表")
        saved["code_lists"] = save(page.screenshot(), "code_lists")
        watch.assert_clean()
    assert Image.open(saved.pop("wall")).size == (WALL_WIDTH, WALL_HEIGHT)
    for image in saved.values():
        assert Image.open(image).size == (WIDTH, HEIGHT)
    manual = (config.PROJECT_ROOT / "docs" / "使用手册.md").read_text(encoding="utf-8")
    for name in ("wall", "water_map", "water_warning", "code_lists"):
        assert f"img/{name}.png" in manual, f"docs/使用手册.md does not show {name}.png"
