"""The app in real headless Chromium: every page loads offline, no errors, the map is drawn."""

import io
import shutil

import pytest
from PIL import Image

from tests.browser import (
    ARTIFACTS, app_server, assert_no_exception, browser_page, screenshot, wait_for_app,
)

# The deck canvas draws a few seconds after the script finishes.
CANVAS_SETTLE_MS = 5000
# #eef1f4, the local style's background.
BACKGROUND = (238, 241, 244)


@pytest.fixture(scope="module")
def server(demo_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    shutil.copy(demo_file, path)
    with app_server(path) as url:
        yield url


def drawn_share(png: bytes) -> float:
    """Share of pixels that are neither the style background nor white."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = list(image.getdata())
    def plain(p):
        return all(abs(a - b) < 12 for a, b in zip(p, BACKGROUND)) or min(p) > 245
    return sum(1 for p in pixels if not plain(p)) / len(pixels)


def test_every_page_loads_offline_without_errors(server):
    with browser_page(server) as (page, watch):
        page.goto(server)
        wait_for_app(page)
        links = page.locator("[data-testid=stSidebarNav] a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())] or [server]
        for index, href in enumerate(hrefs):
            page.goto(href)
            wait_for_app(page)
            assert_no_exception(page)
            page.wait_for_timeout(1000)
            screenshot(page, f"page-{index}")
        watch.assert_clean()


def test_one_map_draws_the_district(server):
    with browser_page(server) as (page, watch):
        page.goto(server)
        wait_for_app(page)
        assert_no_exception(page)
        deck = page.locator("[data-testid=stDeckGlJsonChart]")
        deck.locator("canvas").first.wait_for(timeout=30_000)
        page.wait_for_timeout(CANVAS_SETTLE_MS)
        assert "态势一张图" in page.locator("h1").first.inner_text()
        assert "演示数据" in page.inner_text("body")
        png = deck.screenshot(path=str(ARTIFACTS / "one-map-deck.png"))
        screenshot(page, "one-map")
        # Township fills and gauges cover a good part of the canvas.
        assert drawn_share(png) > 0.08
        watch.assert_clean()
