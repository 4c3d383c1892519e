"""The app in real headless Chromium: every page loads offline, no errors, the map is drawn."""

import io
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image

from emergency import mapdata, queries, rules, store
from tests.browser import (
    ARTIFACTS,
    app_server,
    assert_no_exception,
    browser_page,
    click_map_until,
    click_township_on_map,
    largest_township,
    map_point,
    painted,
    screenshot,
    wait_for_app,
    wait_for_canvas,
    wait_for_charts,
)
from tests.pg_store import copy_demo

# #eef1f4, the local style's background.
BACKGROUND = (238, 241, 244)


@pytest.fixture(scope="module")
def server(demo_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    with app_server(path) as url:
        yield url


def drawn_share(png: bytes) -> float:
    """Share of pixels that are neither the style background nor white."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int).reshape(-1, 3)
    background = (np.abs(pixels - BACKGROUND) < 12).all(axis=1)
    white = pixels.min(axis=1) > 245
    return float((~background & ~white).mean())


def test_every_page_loads_offline_without_errors(server):
    with browser_page(server) as (page, watch):
        page.goto(server)
        wait_for_app(page)
        links = page.locator("[data-testid=stSidebarNav] a")
        names = [links.nth(i).inner_text().strip() for i in range(links.count())]
        assert len(names) >= 1
        for index in range(len(names)):
            # Click through the sidebar as a person does (a deep link makes Streamlit probe
            # /<page>/_stcore/health first, a 404 that is its own, not ours).
            link = page.locator("[data-testid=stSidebarNav] a").nth(index)
            slug = urlparse(link.get_attribute("href") or "").path.strip("/")
            link.click()
            page.wait_for_url(lambda address, slug=slug: urlparse(address).path.strip("/") == slug, timeout=30_000)
            wait_for_app(page)
            assert_no_exception(page)
            wait_for_charts(page)
            screenshot(page, f"page-{index}")
        watch.assert_clean()


def test_one_map_draws_the_district(server):
    with browser_page(server) as (page, watch):
        page.goto(server)
        wait_for_app(page)
        assert_no_exception(page)
        png = wait_for_canvas(page)
        (ARTIFACTS / "one-map-deck.png").write_bytes(png)
        assert "态势一张图" in page.locator("h1").first.inner_text()
        assert "演示数据" in page.inner_text("body")
        screenshot(page, "one-map")
        # Township fills and gauges cover a good part of the canvas.
        assert drawn_share(png) > 0.08
        watch.assert_clean()


def test_click_a_township_filters_and_opens_its_details(server, demo_file):
    target, view = largest_township(demo_file)
    with browser_page(server) as (page, watch):
        page.goto(server)
        wait_for_app(page)
        click_township_on_map(page, target, view)
        assert_no_exception(page)
        panel = page.locator(".st-key-one_map_detail_panel")
        assert target["name"] in panel.inner_text()
        assert target["name"] in page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.inner_text()
        assert f"township={target['code']}" in page.url
        screenshot(page, "one-map-township-clicked")
        watch.assert_clean()


def test_hazard_points_over_critical_rain_are_ringed_and_open_with_their_rain(server, demo_file):
    """At the demo storm: the hazard layer's red rings are drawn; a click on a ringed point opens its rain."""
    from datetime import datetime

    from components.one_map import MAP_HEIGHT_PX

    conn = store.connect(demo_file, read_only=True)
    try:
        worst = rules.hazards(conn, datetime(2026, 6, 20, 2, 40)).iloc[0]
        box = queries.county(conn).iloc[0]
    finally:
        conn.close()
    view = mapdata.fit_view(box["min_lon"], box["min_lat"], box["max_lon"], box["max_lat"], height_px=MAP_HEIGHT_PX)
    with browser_page(server) as (page, watch):
        page.goto(f"{server}/?end=2026-06-20T02:40")
        wait_for_app(page)
        for name in ("雨量站", "事件", "隐患点"):  # the hazard points alone
            page.locator("[data-testid=stButtonGroup] button", has_text=name).click()
            wait_for_app(page)
        assert "红色外环：已超临界雨量" in page.inner_text("body")
        click_map_until(
            page,
            lambda: map_point(page, view, worst["lon"], worst["lat"]),
            page.locator(".st-key-one_map_detail_panel", has_text="超临界"),
        )
        wait_for_app(page)
        assert_no_exception(page)
        panel = page.locator(".st-key-one_map_detail_panel").inner_text()
        # (The figures are in a data grid, a canvas: AppTest reads them, test_pages.)
        assert worst["name"] in panel and "最近的报数雨量站实测" in panel
        screenshot(page, "one-map-hazard-risk")
        watch.assert_clean()


def test_big_screen_and_language_switch(server):
    with browser_page(server) as (page, watch):
        page.goto(f"{server}/?screen=1")
        page.get_by_text("数据截至").wait_for(timeout=30_000)
        wait_for_app(page)
        assert_no_exception(page)
        assert not page.locator("[data-testid=stSidebar]").is_visible()
        wait_for_canvas(page)
        screenshot(page, "big-screen")
        page.goto(server)
        wait_for_app(page)
        page.locator("[data-testid=stSidebar] [data-testid=stRadio] label", has_text="English").click()
        page.locator("h1", has_text="Situation map").wait_for(timeout=30_000)
        wait_for_app(page)
        assert_no_exception(page)
        screenshot(page, "one-map-english")
        assert "Situation map" in page.locator("h1").first.inner_text()
        # Option labels follow the language too (see components.text.localized).
        assert (
            page.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.input_value() == "Last 24 h"
        )
        assert "lang=en" in page.url
        watch.assert_clean()


def test_a_deep_link_is_the_first_visit_of_a_fresh_server(demo_file, tmp_path):
    """A shared link to a page must show that page in the app's frame (sidebar, filters)."""
    path = tmp_path / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    with app_server(path) as url, browser_page(url) as (page, watch):
        page.goto(f"{url}/trends_rain?hours=6")
        page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.wait_for(timeout=60_000)
        wait_for_app(page)
        assert_no_exception(page)
        assert "演示数据" in page.inner_text("body")
        # The filters came from the link, and a filter change still reaches the page.
        assert (
            page.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.input_value() == "最近 6 小时"
        )
        page.locator("[data-testid=stSidebar] [data-testid=stRadio] label", has_text="English").click()
        page.locator("[data-testid=stSidebar]", has_text="Time window").wait_for(timeout=30_000)
        screenshot(page, "deep-link")
        watch.assert_clean()


XSS = "<img src=x onerror=alert(1)>"


def test_user_text_in_tooltips_and_tables_is_inert(demo_file, tmp_path):
    path = tmp_path / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    target, view = largest_township(path)
    conn = store.connect(path)
    try:
        latest = queries.data_range(conn)[1]
        # One incident, with a hostile address, right on the largest township's label point.
        conn.execute(
            """INSERT INTO incidents (id, type, occurred_at, township, address, lon, lat, status, source, updated_at, description)
               VALUES ('XSS-1', 'flood', ?, ?, ?, ?, ?, 'pending', ?, ?, ?)""",  # noqa: E501 - embedded SQL/CSS/JS text
            [latest, target["code"], XSS, target["label_lon"], target["label_lat"], XSS, latest, XSS],
        )
    finally:
        conn.close()
    with app_server(path) as url, browser_page(url) as (page, watch):
        page.goto(f"{url}/?township={target['code']}")
        wait_for_app(page)
        page.mouse.move(*map_point(page, view, target["label_lon"], target["label_lat"]))
        tooltip = page.locator(".deck-tooltip")
        tooltip.wait_for(timeout=15_000)
        assert XSS in tooltip.inner_text()
        assert tooltip.locator("img").count() == 0
        screenshot(page, "xss-tooltip")
        painted(page)  # an injected <img> would be in the page, its onerror fired, by the next frames
        assert page.locator("img[src=x]").count() == 0
        watch.assert_clean()  # includes: no dialog fired
