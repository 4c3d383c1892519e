"""The store's clock: every stored time is the county's naive local time, Asia/Shanghai.

China has kept UTC+8 without daylight saving since 1991, so naive local times order and
subtract like the instants they stand for.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# The time zone of every stored time (recorded in the store's meta table as ``timezone``).
TIMEZONE_NAME = "Asia/Shanghai"
LOCAL_TIMEZONE = ZoneInfo(TIMEZONE_NAME)
# Its offset from UTC, the same all year (no daylight saving since 1991): +08:00.
_OFFSET = LOCAL_TIMEZONE.utcoffset(datetime(2000, 1, 1))
# The offset as ISO 8601 / CAP writes it after a local time ("+08:00").
UTC_OFFSET = datetime(2000, 1, 1, tzinfo=LOCAL_TIMEZONE).isoformat()[-6:]
# Microseconds to add to a UTC epoch to get local wall-clock time (for SQL that shifts epochs).
UTC_OFFSET_US = _OFFSET // timedelta(microseconds=1)
# An hour and a minute in microseconds (DuckDB's epoch_us), for SQL and numpy that bucket times.
US_PER_HOUR = timedelta(hours=1) // timedelta(microseconds=1)
US_PER_MINUTE = timedelta(minutes=1) // timedelta(microseconds=1)


def local_now(precise: bool = False) -> datetime:
    """Return the wall clock as naive local time.

    Parameters
    ----------
    precise : bool
        Keep the microseconds (import, inbox and sync records, where the order within a second
        counts); by default the time is cut to the second (warnings, acknowledgements, audit rows).

    Returns
    -------
    datetime
        Naive Asia/Shanghai local time.
    """
    now = datetime.now(LOCAL_TIMEZONE).replace(tzinfo=None)
    return now if precise else now.replace(microsecond=0)
