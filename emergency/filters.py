"""The shared filter state: validated from URL query parameters and written back to them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from emergency import codelists
from emergency.vocab import INCIDENT_GRADES, INCIDENT_STATUSES

# Window presets offered in the filter bar, hours.
PRESET_HOURS = (1, 3, 6, 12, 24, 72)
DEFAULT_HOURS = 24
CUSTOM = "custom"
# ISO minute precision keeps shared links short and readable.
URL_TIME_FORMAT = "%Y-%m-%dT%H:%M"
# Times a link may name: a window (and the one before it, for KPI changes) must be computable
# without overflow, and no county's records reach outside these years.
EARLIEST_TIME = datetime(1900, 1, 1)
LATEST_TIME = datetime(2200, 1, 1)


@dataclass(frozen=True)
class Filters:
    """What every page shows: a time window ``(start, end]`` and selections (empty = all)."""

    end: datetime
    hours: int | str = DEFAULT_HOURS
    start: datetime | None = None
    townships: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()

    def __post_init__(self):
        """Derive ``start`` from ``end`` and ``hours`` when it is not given."""
        if self.start is None:
            object.__setattr__(self, "start", self.end - timedelta(hours=int(self.hours)))

    @property
    def window_hours(self) -> float:
        """Return the length of the window in hours."""
        return (self.end - self.start).total_seconds() / 3600

    def previous(self) -> Filters:
        """Return the window of equal length just before this one, same selections."""
        length = self.end - self.start
        return replace(self, end=self.start, start=self.start - length)


@dataclass
class Notice:
    """A query parameter that was ignored, for the visible notice."""

    name: str
    value: str
    reason: str = "invalid"


@dataclass
class Parsed:
    """Filters read from query parameters, and the parameters that were ignored."""

    filters: Filters
    notices: list[Notice] = field(default_factory=list)


def bucket_minutes(window_hours: float) -> int:
    """Return the bar width of a time chart for a window: 5 min up to 6 h, hourly up to 3 days, else daily.

    Examples
    --------
    >>> [bucket_minutes(h) for h in (3, 24, 168)]
    [5, 60, 1440]
    """
    if window_hours <= 6:
        return 5
    if window_hours <= 72:
        return 60
    return 1440


def _split(value: str | None) -> list[str]:
    return [part for part in (value or "").split(",") if part]


def _parse_time(value: str) -> datetime:
    """Parse an ISO time to a naive minute; ValueError outside 1900..2200 or when not a time.

    Examples
    --------
    >>> _parse_time("0001-01-01T00:00")
    Traceback (most recent call last):
    ...
    ValueError: time 0001-01-01T00:00 outside 1900-01-01 .. 2200-01-01
    """
    moment = datetime.fromisoformat(value).replace(tzinfo=None, second=0, microsecond=0)
    if not EARLIEST_TIME <= moment <= LATEST_TIME:
        raise ValueError(f"time {value} outside {EARLIEST_TIME:%Y-%m-%d} .. {LATEST_TIME:%Y-%m-%d}")
    return moment


def _choices(params, name, known: Iterable[str], notices: list[Notice]) -> tuple[str, ...]:
    known = list(known)
    values = _split(params.get(name))
    unknown = [value for value in values if value not in known]
    if unknown:
        notices.append(Notice(name, ",".join(unknown)))
    # Keep the canonical order so equal selections make equal cache keys.
    return tuple(code for code in known if code in values)


def from_query_params(
    params: Mapping[str, str],
    latest: datetime,
    township_codes: Iterable[str],
) -> Parsed:
    """Validate URL parameters into Filters; anything invalid falls back to its default.

    Parameters
    ----------
    params : mapping
        ``township``, ``hours`` (a preset or ``custom``), ``end``, ``start`` (custom only),
        ``type``, ``status``, ``grade``; lists are comma-separated codes.
    latest : datetime
        Default end of the window: the latest data time, not the wall clock.
    township_codes : iterable of str
        The known township codes.
    """
    notices: list[Notice] = []
    hours: int | str = DEFAULT_HOURS
    raw_hours = params.get("hours")
    if raw_hours:
        if raw_hours == CUSTOM:
            hours = CUSTOM
        elif raw_hours.isdigit() and int(raw_hours) in PRESET_HOURS:
            hours = int(raw_hours)
        else:
            notices.append(Notice("hours", raw_hours))

    end = latest
    if params.get("end"):
        try:
            end = _parse_time(params["end"])
        except ValueError:
            notices.append(Notice("end", params["end"]))

    start = None
    if hours == CUSTOM:
        try:
            start = _parse_time(params.get("start", ""))
            if start >= end:
                notices.append(Notice("start", params["start"], "order"))
                start, hours = None, DEFAULT_HOURS
        except ValueError:
            notices.append(Notice("start", params.get("start", "")))
            hours = DEFAULT_HOURS

    filters = Filters(
        end=end,
        hours=hours,
        start=start,
        townships=_choices(params, "township", township_codes, notices),
        # Every code of the store's list, an administrator's included.
        types=_choices(params, "type", codelists.colors("incident_type"), notices),
        statuses=_choices(params, "status", INCIDENT_STATUSES, notices),
        grades=_choices(params, "grade", INCIDENT_GRADES, notices),
    )
    return Parsed(filters, notices)


def to_query_params(filters: Filters, latest: datetime | None = None) -> dict[str, str]:
    """Return the URL parameters that reproduce ``filters``; defaults are left out."""
    params: dict[str, str] = {}
    if filters.townships:
        params["township"] = ",".join(filters.townships)
    if filters.hours != DEFAULT_HOURS:
        params["hours"] = str(filters.hours)
    if latest is None or filters.end != latest:
        params["end"] = filters.end.strftime(URL_TIME_FORMAT)
    if filters.hours == CUSTOM:
        params["start"] = filters.start.strftime(URL_TIME_FORMAT)
    if filters.types:
        params["type"] = ",".join(filters.types)
    if filters.statuses:
        params["status"] = ",".join(filters.statuses)
    if filters.grades:
        params["grade"] = ",".join(filters.grades)
    return params
