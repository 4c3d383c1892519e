"""One time zone: every offset and every browser clock is derived from ``clock.TIMEZONE_NAME``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from emergency import cap, clock


def test_offsets_follow_the_time_zone():
    offset = datetime(2026, 7, 1, tzinfo=clock.LOCAL_TIMEZONE).utcoffset()
    assert offset == datetime(2026, 1, 1, tzinfo=clock.LOCAL_TIMEZONE).utcoffset() == timedelta(hours=8)
    assert clock.UTC_OFFSET == "+08:00"
    assert offset // timedelta(microseconds=1) == clock.UTC_OFFSET_US


def test_cap_times_carry_the_clock_offset():
    assert cap.cap_time(datetime(2026, 6, 21, 8, 5, 30)) == "2026-06-21T08:05:30" + clock.UTC_OFFSET


def test_the_wall_clock_script_takes_the_time_zone_from_clock():
    from components import wall_theme

    assert f"const TIME_ZONE = {json.dumps(clock.TIMEZONE_NAME)};" in wall_theme.SCRIPT
    assert wall_theme.SCRIPT.count(clock.TIMEZONE_NAME) == 1 and "__TIME_ZONE__" not in wall_theme.SCRIPT
