"""The rainfall rules' reporting step and repeat count from the (station, hour) grouping equal
those of a sort of every station's report minutes (the previous computation), on random times:
seconds, repeats, gaps across hours, readings on the hour and just after it, NULL times."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from emergency.ingest import engine

SORTED_STEPS = """
    SELECT station, coalesce(list_min(list_filter(gaps, lambda g: g > 0)), ?) AS step,
           coalesce(len(list_filter(gaps, lambda g: g = 0)), 0) AS repeats
    FROM (
        SELECT station, list_transform(list_slice(minutes, 2, len(minutes)), lambda m, i: m - minutes[i]) AS gaps
        FROM (
            SELECT station,
                   list_sort(list(epoch_us(date_trunc('minute', ts)) // 60000000) FILTER (WHERE ts IS NOT NULL))
                       AS minutes
            FROM staged WHERE reason IS NULL GROUP BY station
        )
    )
"""

BASE = datetime(2026, 6, 1)
offsets = st.one_of(
    st.integers(0, 3 * 3600).map(lambda s: timedelta(seconds=s)),
    st.integers(0, 180).map(lambda m: timedelta(minutes=m)),
    st.integers(0, 3).map(lambda h: timedelta(hours=h, microseconds=1)),
)
rows = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C"]), st.one_of(st.none(), offsets), st.floats(0, 50)), max_size=60
)


# Times before 1970 too: the grouping divides microseconds rounding down, as date_trunc does.
bases = st.sampled_from([BASE, datetime(1969, 12, 31, 22, 30)])


@settings(max_examples=150, deadline=None)
@given(rows, bases)
def test_step_and_repeats_equal_the_sorted_computation(data, base):
    conn = duckdb.connect()
    conn.execute("CREATE TEMP TABLE staged (station VARCHAR, ts TIMESTAMP, mm DOUBLE, reason VARCHAR)")
    if data:
        conn.executemany(
            "INSERT INTO staged VALUES (?, ?, ?, NULL)",
            [(s, None if o is None else base + o, mm) for s, o, mm in data],
        )
    conn.execute("INSERT INTO staged VALUES ('R', ?, 1.0, 'rejected')", [base])
    expected = conn.execute(SORTED_STEPS + " ORDER BY station", [engine.DEFAULT_INTERVAL_MIN]).fetchall()

    engine._steps(conn)
    got = conn.execute("SELECT station, step, repeats FROM ingest_steps ORDER BY station").fetchall()
    assert got == expected
    # The hourly sums grouped on the way equal a grouping of the rows themselves.
    sums = conn.execute("SELECT station, start, mm, readings, max_mm FROM ingest_hours ORDER BY ALL").fetchall()
    direct = conn.execute(
        """SELECT station, date_trunc('hour', ts - INTERVAL 1 MICROSECOND) AS start, sum(mm::DECIMAL(18, 3)),
                  count(*), max(mm) FROM staged WHERE reason IS NULL GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    assert sums == direct


def test_hourly_sums_of_an_import_with_a_huge_value(tmp_path):
    """A value too big for the hourly sums' decimal is rejected as impossible rain, as before
    the sums were grouped with the step; the other rows and their hour are stored exactly."""
    from emergency import store
    from emergency.ingest.engine import import_file

    conn = store.connect(str(tmp_path / "s.duckdb"))
    conn.execute("INSERT INTO rain_gauges (code, name, lon, lat) VALUES ('G1', 'G1', 118.0, 28.4)")
    path = tmp_path / "rain.csv"
    path.write_text(
        "站码,时间,雨量\nG1,2026-06-01 00:05,1.5\nG1,2026-06-01 00:10,1e17\nG1,2026-06-01 00:15,2.25\n",
        encoding="utf-8",
    )
    report = import_file(conn, str(path), "rainfall")
    assert (report.accepted, report.rejected) == (2, 1)
    assert report.rejects["reason"].tolist() == ["impossible_rain"]
    assert conn.execute("SELECT count(*), sum(interval_min) FROM rainfall").fetchone() == (2, 10)
    assert conn.execute("SELECT hour, mm::DOUBLE, readings, max_mm FROM rain_hourly").fetchall() == [
        (datetime(2026, 6, 1, 1), 3.75, 2, 2.25)
    ]
    conn.close()
