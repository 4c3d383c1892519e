"""A demo store with the live demo's water stations synced, one river over 警戒 at the newest data time.

Shared by the page tests of the live feed and the manual's screenshots.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from emergency import store
from emergency.feed import demo as live_demo
from emergency.feed import sync
from tests.pg_store import copy_demo

# The first river station of the live demo; its level is set over 警戒 at the newest rain time.
OVER = "62400101"


def build(demo_file: Path, folder: Path) -> dict:
    """Copy the demo store into ``folder``, sync the live demo's source into it and return the facts.

    The feed's URL goes to ``folder/secrets.toml`` (the app must run with ``YITU_SETTINGS`` pointing
    there); the settings switch the background sync off, so the pages show exactly this state.
    """
    settings = folder / "secrets.toml"
    settings.write_text("[yitu]\nfeed_worker = false\n", encoding="utf-8")
    path = folder / "demo.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("YITU_SETTINGS", str(settings))
        conn = store.connect(path)
        try:
            plan = live_demo.plan(conn)
            start = plan.steps[0] + timedelta(hours=36)
            engine = live_demo.build_source(folder / "sl323.db", plan)
            live_demo.write_until(engine, plan, None, start)
            engine.dispose()
            sync.save_feed(
                conn,
                sync.Feed(name=live_demo.FEED_NAME, silent_min=30, first_days=30),
                url=live_demo.url_of(folder / "sl323.db"),
            )
            live_demo.set_clock(conn, start, 1.0)
            assert sync.run_feed(conn, live_demo.FEED_NAME, now=start).ok
            wrz = store.scalar(conn, "SELECT warning_level_m FROM water_thresholds WHERE station = ?", [OVER])
            # A level over 警戒 at the newest rain time (the window end of every page).
            latest = store.scalar(conn, "SELECT max(ts) FROM rainfall")
            conn.execute(
                "INSERT OR REPLACE INTO water_levels (station, ts, level_m) VALUES (?, ?, ?)", [OVER, latest, wrz + 0.5]
            )
        finally:
            conn.close()
    return dict(path=path, settings=settings, start=start, latest=latest, wrz=wrz)
