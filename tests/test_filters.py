"""URL parameters <-> filter state, with fallbacks and notices."""

from datetime import datetime, timedelta

from emergency import filters as flt

LATEST = datetime(2026, 6, 22, 0, 0)
CODES = ["361104001", "361104002", "361104003"]


def parse(**params):
    return flt.from_query_params(params, LATEST, CODES)


def test_defaults_follow_latest_data_not_the_clock():
    parsed = parse()
    assert parsed.filters.end == LATEST
    assert parsed.filters.start == LATEST - timedelta(hours=24)
    assert parsed.notices == []
    assert flt.to_query_params(parsed.filters, LATEST) == {}


def test_round_trip_of_every_parameter():
    params = {
        "township": "361104001,361104003",
        "hours": "custom",
        "start": "2026-06-18T06:00",
        "end": "2026-06-19T12:30",
        "type": "flood,landslide",
        "status": "pending",
    }
    parsed = parse(**params)
    assert parsed.notices == []
    assert parsed.filters.window_hours == 30.5
    assert flt.to_query_params(parsed.filters, LATEST) == params


def test_preset_hours():
    parsed = parse(hours="6", end="2026-06-20T10:00")
    assert parsed.filters.start == datetime(2026, 6, 20, 4, 0)
    assert flt.to_query_params(parsed.filters, LATEST) == {"hours": "6", "end": "2026-06-20T10:00"}


def test_invalid_values_fall_back_with_notices():
    parsed = parse(hours="5", end="yesterday", township="361104001,999", type="meteor", status="closed")
    f = parsed.filters
    assert f.hours == flt.DEFAULT_HOURS and f.end == LATEST
    assert f.townships == ("361104001",)
    assert f.types == () and f.statuses == ("closed",)
    assert {(n.name, n.value) for n in parsed.notices} == {
        ("hours", "5"),
        ("end", "yesterday"),
        ("township", "999"),
        ("type", "meteor"),
    }


def test_custom_start_after_end_falls_back():
    parsed = parse(hours="custom", start="2026-06-21T00:00", end="2026-06-20T00:00")
    assert parsed.filters.hours == flt.DEFAULT_HOURS
    assert [n.reason for n in parsed.notices] == ["order"]


def test_selection_order_is_canonical():
    a = parse(township="361104003,361104001").filters
    b = parse(township="361104001,361104003").filters
    assert a == b


def test_previous_window():
    f = parse(hours="3", end="2026-06-20T10:00").filters
    prev = f.previous()
    assert (prev.start, prev.end) == (datetime(2026, 6, 20, 4, 0), datetime(2026, 6, 20, 7, 0))


def test_times_outside_any_record_are_invalid_values_not_tracebacks():
    # 0001-01-01 minus a window overflowed datetime on every page (OverflowError).
    for bad in ("0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01", "1899-12-31T23:59"):
        parsed = parse(hours="72", end=bad)
        assert parsed.filters.end == LATEST, bad
        assert [(n.name, n.value) for n in parsed.notices] == [("end", bad)]
        parsed.filters.previous()  # the KPI comparison window is computable
    parsed = parse(hours="custom", start="0001-01-01T00:00", end="2026-06-20T00:00")
    assert [(n.name, n.value) for n in parsed.notices] == [("start", "0001-01-01T00:00")]
    parsed = parse(hours="custom", start="1900-01-01T00:00", end="2026-06-20T00:00")
    parsed.filters.previous().previous()
