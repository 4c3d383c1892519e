"""While the app is open, the feed writes new rain and a river level over 警戒: the command-centre
wall's 超警戒站点 and data time and the warning page show it within one refresh, without a reload by
hand; the one-map page shows the station over 警戒."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from emergency import queries, store
from emergency.feed import demo as live_demo
from emergency.feed import sl323, sync
from tests.browser import (
    Watch,
    app_server,
    assert_no_exception,
    browser_page,
    map_point,
    screenshot,
    wait_for_app,
)
from tests.pg_store import copy_demo

# The worker runs the feed every minute; the big screen and the warning list redraw every 5 s.
SHOW_TIMEOUT_MS = 150_000


@pytest.fixture
def live_store(demo_file, tmp_path, monkeypatch):
    settings = tmp_path / "secrets.toml"
    settings.write_text("[yitu]\nscreen_refresh_s = 5\n", encoding="utf-8")
    monkeypatch.setenv("YITU_SETTINGS", str(settings))
    path = tmp_path / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    source = tmp_path / "sl323.db"
    conn = store.connect(path)
    try:
        plan = live_demo.plan(conn)
        start = plan.steps[0] + timedelta(hours=36)  # before the big episode: every station below 警戒
        engine = live_demo.build_source(source, plan)
        live_demo.write_until(engine, plan, None, start)
        engine.dispose()
        sync.save_feed(
            conn,
            sync.Feed(name=live_demo.FEED_NAME, every_min=1, silent_min=60, first_days=30),
            url=live_demo.url_of(source),
        )
        live_demo.set_clock(conn, start, 1.0)
        assert sync.run_feed(conn, live_demo.FEED_NAME, now=start).ok
        river = conn.execute(
            "SELECT s.code, s.name, s.lon, s.lat, t.warning_level_m FROM water_stations s "
            "JOIN water_thresholds t ON t.station = s.code ORDER BY s.code LIMIT 1"
        ).fetchone()
        box = queries.county(conn).iloc[0]
    finally:
        conn.close()
    return dict(path=path, settings=settings, source=source, start=start, river=river, box=box, plan=plan)


def _kpi(page) -> str:
    card = page.locator('[data-wall="water"]')
    card.wait_for(timeout=60_000)
    return re.match(r"\s*(\d+)", card.inner_text()).group(1)  # the count before its unit (站)


def test_new_reports_reach_the_open_screens(live_store):
    from components.one_map import MAP_HEIGHT_PX
    from emergency import mapdata

    code, name, lon, lat, warning_level = live_store["river"]
    env = {"YITU_SETTINGS": str(live_store["settings"])}
    with app_server(live_store["path"], env) as url, browser_page(url) as (screen, watch):
        warning_page = screen.context.browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        warning_watch = Watch(urlparse(url).netloc)
        warning_watch.attach(warning_page)
        screen.goto(f"{url}/?screen=1")
        wait_for_app(screen)
        assert_no_exception(screen)
        assert _kpi(screen) == "0"
        warning_page.goto(f"{url}/warning")
        wait_for_app(warning_page)
        warning_page.get_by_text("超警戒（保证、汛限）水情站点").wait_for(timeout=60_000)
        assert warning_page.get_by_text(f"{name}（超警戒）").count() == 0
        screenshot(screen, "feed-before")

        # The bureau's database gets the next 5 minutes: rain everywhere and the river over 警戒.
        step = live_store["start"] + timedelta(minutes=5)
        engine = sa.create_engine(live_demo.url_of(live_store["source"]))
        gauges = [s["STCD"] for s in live_store["plan"].stations if s["STTP"] == "PP"]
        sl323.insert(
            engine, sl323.ST_PPTN_R, [dict(STCD=g, TM=step, DRP=Decimal("12.5"), INTV=Decimal("0.05")) for g in gauges]
        )
        sl323.insert(
            engine,
            sl323.ST_RIVER_R,
            [dict(STCD=code, TM=step, Z=Decimal(f"{warning_level + 0.8:.2f}"), Q=Decimal("900"))],
        )
        engine.dispose()

        screen.locator('[data-wall="water"]', has_text=re.compile(r"^\s*1\D")).wait_for(timeout=SHOW_TIMEOUT_MS)
        # the wall follows the newest data
        screen.locator('[data-wall="as-of"]', has_text=f"{step:%m-%d %H:%M}").wait_for(timeout=SHOW_TIMEOUT_MS)
        warning_page.get_by_text(f"{name}（超警戒）").wait_for(timeout=SHOW_TIMEOUT_MS)
        screenshot(screen, "feed-wall-after")
        screenshot(warning_page, "feed-warning-page")

        # On the one map, the station's tooltip says it is over 警戒 (point layers that could cover it off).
        map_page = screen.context.browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        map_watch = Watch(urlparse(url).netloc)
        map_watch.attach(map_page)
        map_page.goto(url)
        wait_for_app(map_page)
        for layer in ("雨量站", "事件"):
            map_page.locator("[data-testid=stButtonGroup] button", has_text=layer).click()
            wait_for_app(map_page)
        box = live_store["box"]
        view = mapdata.fit_view(box["min_lon"], box["min_lat"], box["max_lon"], box["max_lat"], height_px=MAP_HEIGHT_PX)
        map_page.mouse.move(*map_point(map_page, view, lon, lat))
        tooltip = map_page.locator(".deck-tooltip")
        tooltip.wait_for(timeout=15_000)
        assert name in tooltip.inner_text() and "超警戒" in tooltip.inner_text()
        screenshot(map_page, "feed-after")
        for page in (screen, warning_page, map_page):
            assert_no_exception(page)
        watch.assert_clean()
        warning_watch.assert_clean()
        map_watch.assert_clean()
