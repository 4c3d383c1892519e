"""The rainfall import's shortcuts give what the full rules give.

The grouping by (gauge, hour) runs before the sentinel / negative pass and the impossible-rain
pass, which are skipped when the hours' smallest and largest readings show no row can fail
them; new hourly sums are inserted as they are when no stored hour lies in their span. Each
test feeds a case on either side of a shortcut and checks rejects, stored rows and hourly sums
against a grouping of the stored rows themselves.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from emergency import store
from emergency.ingest import engine, import_file

NOW = datetime(2026, 7, 1)


def _store(tmp_path, codes=("G1", "G2")):
    conn = store.connect(str(tmp_path / "s.duckdb"))
    conn.execute(
        "INSERT INTO rain_gauges (code, name, lon, lat) SELECT unnest(?), unnest(?), 118.0, 28.4",
        [list(codes), list(codes)],
    )
    return conn


def _import(conn, tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_file(conn, path, "rainfall", now=NOW)


def _hours(conn) -> list[tuple]:
    return conn.execute("SELECT station, hour, mm, readings, max_mm FROM rain_hourly ORDER BY ALL").fetchall()


def _rebuilt(conn) -> list[tuple]:
    return conn.execute(
        f"""SELECT station, {store.RAIN_HOUR_SQL} AS hour, sum(mm::{store.RAIN_MM_SUM_TYPE}), count(*), max(mm)
            FROM rainfall GROUP BY ALL ORDER BY ALL"""
    ).fetchall()


def _rejects(report) -> list[tuple]:
    return list(zip(report.rejects["row_number"], report.rejects["reason"], report.rejects["value"], strict=True))


def test_new_rows_in_a_stored_hour_are_added_to_it(tmp_path):
    conn = _store(tmp_path)
    first = _import(conn, tmp_path, "a.csv", "站码,时间,雨量\nG1,2026-06-01 10:05,1.5\nG2,2026-06-01 09:00,2\n")
    assert (first.inserted, first.rejected) == (2, 0)
    # No stored row lies in this file's span (10:10 .. 11:05), but hour 11:00 of G1 is stored.
    second = _import(
        conn,
        tmp_path,
        "b.csv",
        "站码,时间,雨量\nG1,2026-06-01 10:10,2.0\nG1,2026-06-01 10:15,0.5\nG1,2026-06-01 11:05,1.0\n",
    )
    assert (second.inserted, second.updated, second.rejected) == (3, 0, 0)
    assert _hours(conn) == _rebuilt(conn)
    g1 = conn.execute(
        "SELECT hour, mm::DOUBLE, readings FROM rain_hourly WHERE station = 'G1' ORDER BY hour"
    ).fetchall()
    assert g1 == [(datetime(2026, 6, 1, 11), 4.0, 3), (datetime(2026, 6, 1, 12), 1.0, 1)]


def test_the_impossible_rain_limit_is_kept_on_both_sides_with_one_step(tmp_path):
    conn = _store(tmp_path)
    # Every gauge reports every 5 minutes: the limit is max(250 * 5 / 60, 60) = 60 mm.
    at_limit = _import(
        conn,
        tmp_path,
        "a.csv",
        "站码,时间,雨量\nG1,2026-06-01 00:05,60\nG1,2026-06-01 00:10,1\nG2,2026-06-01 00:05,0\nG2,2026-06-01 00:10,0\n",
    )
    assert (at_limit.accepted, at_limit.rejected) == (4, 0)
    over = _import(
        conn,
        tmp_path,
        "b.csv",
        "站码,时间,雨量\nG1,2026-06-02 00:05,60.1\nG1,2026-06-02 00:10,1\nG2,2026-06-02 00:05,0\n"
        "G2,2026-06-02 00:10,0\n",
    )
    assert _rejects(over) == [(2, "impossible_rain", "60.1")]
    assert _hours(conn) == _rebuilt(conn)


def test_the_impossible_rain_limit_follows_each_gauges_own_step(tmp_path):
    conn = _store(tmp_path)
    # G1 reports every 5 minutes (limit 60 mm), G2 hourly (limit 250 mm): 100 mm is too much
    # for G1 only.
    report = _import(
        conn,
        tmp_path,
        "a.csv",
        "站码,时间,雨量\nG1,2026-06-01 00:05,100\nG1,2026-06-01 00:10,1\nG2,2026-06-01 01:00,100\n"
        "G2,2026-06-01 02:00,1\n",
    )
    assert _rejects(report) == [(2, "impossible_rain", "100")]
    stored = conn.execute("SELECT station, ts, mm, interval_min FROM rainfall ORDER BY ALL").fetchall()
    assert stored == [
        ("G1", datetime(2026, 6, 1, 0, 10), 1.0, 5),
        ("G2", datetime(2026, 6, 1, 1), 100.0, 60),
        ("G2", datetime(2026, 6, 1, 2), 1.0, 60),
    ]
    assert _hours(conn) == _rebuilt(conn)


def test_an_interval_column_sets_the_limit_per_row(tmp_path):
    conn = _store(tmp_path)
    report = _import(
        conn,
        tmp_path,
        "a.csv",
        "站码,时间,雨量,时段长\nG1,2026-06-01 00:05,61,5\nG1,2026-06-01 01:00,61,60\nG2,2026-06-01 00:05,1,5\n",
    )
    assert _rejects(report) == [(2, "impossible_rain", "61")]
    assert _hours(conn) == _rebuilt(conn)


def test_sentinels_and_negative_readings_in_some_hours_leave_the_others_summed(tmp_path):
    conn = _store(tmp_path)
    rows = ["站码,时间,雨量"]
    for minute in range(5, 181, 5):
        hour, rest = divmod(minute, 60)
        rows.append(f"G1,2026-06-01 {hour:02d}:{rest:02d},0.5")
        rows.append(f"G2,2026-06-01 {hour:02d}:{rest:02d},1.25")
    rows[5] = "G1,2026-06-01 00:15,-999"  # a sentinel (row 6)
    rows[30] = "G2,2026-06-01 01:15,-0.5"  # negative (row 31)
    rows[61] = "G1,2026-06-01 02:35,9999.9"  # a sentinel (row 62)
    report = _import(conn, tmp_path, "a.csv", "\n".join(rows) + "\n")
    assert _rejects(report) == [(6, "sentinel", "-999"), (31, "negative_rain", "-0.5"), (62, "sentinel", "9999.9")]
    assert report.inserted == 72 - 3
    assert _hours(conn) == _rebuilt(conn)
    # The step is still each gauge's 5 minutes, not widened by the rejected rows.
    assert conn.execute("SELECT DISTINCT interval_min FROM rainfall").fetchall() == [(5,)]


def test_a_large_reading_that_is_no_sentinel_is_kept(tmp_path):
    """A reading of 999 mm or more may be a sentinel; a daily 999.5 mm is not one and is stored."""
    conn = _store(tmp_path)
    report = _import(
        conn,
        tmp_path,
        "a.csv",
        "站码,时间,雨量,时段长\nG1,2026-06-01 08:00,999.5,1440\nG1,2026-06-02 08:00,0,1440\n"
        "G2,2026-06-01 08:00,-0,1440\n",
    )
    assert (report.accepted, report.rejected) == (3, 0), report.rejects
    assert _hours(conn) == _rebuilt(conn)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
            st.sampled_from([" ", "\u3000", "\u00a0", "\u2009", "\t", " a ", "\u3000站\u3000"]),
        ),
        max_size=20,
    )
)
def test_a_text_cell_read_with_the_trim_shortcut_is_the_trimmed_cell(cells):
    """Text fields skip ``trim`` for plain ASCII cells; every cell still reads as ``_raw`` gives it."""
    conn = duckdb.connect()
    rows = conn.execute(
        f"SELECT {engine._text('c0')} IS NOT DISTINCT FROM {engine._raw(0)} FROM (SELECT unnest(?::VARCHAR[]) AS c0)",
        [cells],
    ).fetchall()
    assert all(r[0] for r in rows)
