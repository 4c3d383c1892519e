"""Warning engine: rainstorm signals, hazard exceedance, incident grades, warnings and 叫应."""

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from emergency import geo, queries, store, warning
from emergency.demo.contacts import demo_contacts

T0 = datetime(2026, 6, 20, 0, 0)
TOWN_A, TOWN_B = "999999001", "999999002"


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def empty_store():
    conn = store.connect(":memory:")
    for code, name in ((TOWN_A, "西镇"), (TOWN_B, "东乡")):
        conn.execute(
            "INSERT INTO townships (code, name, geometry, label_lon, label_lat) VALUES (?, ?, ?, 118.0, 28.35)",
            [code, name, b"\x00"],
        )
    return conn


def add_gauge(conn, code, township, lon=118.0, lat=28.35):
    conn.execute(
        "INSERT INTO rain_gauges (code, name, kind, township, lon, lat) VALUES (?, ?, 'automatic', ?, ?, ?)",
        [code, f"站{code}", township, lon, lat],
    )


def add_hourly(conn, station, amounts, first_hour=1):
    """Hourly reports: amounts[i] fell in the hour ending at T0 + first_hour + i."""
    rows = [(station, at(first_hour + i), float(mm)) for i, mm in enumerate(amounts)]
    conn.executemany("INSERT INTO rainfall VALUES (?, ?, ?, 60)", rows)
    store.refresh_rain_hourly(conn)


# Reference table: hourly rain from 01:00 on -> at the last hour the signal, the time the
# current level began, the time the signal (any level) began, and the peak. Hand-computed
# with blue >= 50 mm/12 h, yellow >= 50 mm/6 h, orange >= 50 mm/3 h, red >= 100 mm/3 h.
SIGNAL_CASES = [
    # id, hourly mm, level, level_since h, signal_since h, peak level
    ("none-49.9-in-5h", [10, 10, 10, 10, 9.9], None, None, None, None),
    ("blue-exactly-50-in-10h", [5] * 10, "blue", 10, 10, "blue"),
    ("yellow-exactly-50-in-5h", [10] * 5, "yellow", 5, 5, "yellow"),
    ("orange-exactly-50-in-3h", [20, 20, 10], "orange", 3, 3, "orange"),
    ("red-exactly-100-in-3h", [40, 40, 20], "red", 3, 2, "red"),
    ("red-missed-by-0.1", [40, 40, 19.9], "orange", 2, 2, "orange"),
    # blue from 10:00 (12 h = 50), yellow from 14:00 when 6 h reaches 5*2 + 4*10 = 50.
    ("upgrade-blue-to-yellow", [5] * 10 + [10] * 4, "yellow", 14, 10, "yellow"),
    # red at 03:00, orange at 04:00 (3 h = 60), yellow from 05:00 (6 h = 100, 3 h = 20).
    ("downgrade-red-to-yellow", [40, 40, 20, 0, 0, 0], "yellow", 5, 2, "red"),
    # 12 dry hours later nothing is left in any window.
    ("ended", [40, 40, 20] + [0] * 12, None, None, None, "red"),
]


@pytest.mark.parametrize("case", SIGNAL_CASES, ids=[case[0] for case in SIGNAL_CASES])
def test_signal_reference_table(case):
    _, amounts, level, level_since, signal_since, peak = case
    conn = empty_store()
    add_gauge(conn, "G1", TOWN_A)
    add_hourly(conn, "G1", amounts)
    end = at(len(amounts))
    summary, history = warning.township_signals(conn, T0, end)
    row = summary.set_index("code").loc[TOWN_A]
    assert row["level"] == level
    assert (row["level_since"] if level else None) == (at(level_since) if level else None)
    assert (row["signal_since"] if level else None) == (at(signal_since) if level else None)
    assert row["peak_level"] == peak
    # The direct "at a moment" computation agrees with the end of the rolling history.
    now = warning.township_signals_at(conn, end).set_index("code").loc[TOWN_A]
    assert now["level"] == level
    assert summary.set_index("code").loc[TOWN_B, "rank"] == 0


def test_row_at_window_start_is_outside_the_window():
    # (00:00, 03:00] holds 40 + 40 + 19.9 = 99.9 mm; the report ending at 00:00 is earlier rain.
    conn = empty_store()
    add_gauge(conn, "G1", TOWN_A)
    add_hourly(conn, "G1", [50, 40, 40, 19.9], first_hour=0)
    gauges = warning.gauge_signals_at(conn, at(3))
    assert gauges.loc[0, "mm_3h"] == pytest.approx(99.9)
    assert gauges.loc[0, "level"] == "orange"
    rules = queries.signal_thresholds(conn)
    history = warning.signal_history(
        queries.rolling_rain(conn, at(2.5), at(3), warning.window_hours(rules), by="gauge"), rules
    )
    assert history["mm_3h"].iloc[-1] == pytest.approx(99.9)
    assert history["level"].iloc[-1] == "orange"


def test_five_minute_float_sums_reach_the_bound():
    # 32 x 1.4 + 4 x 1.3 = 50.0 mm in 3 h, summed in floating point.
    conn = empty_store()
    add_gauge(conn, "G1", TOWN_A)
    values = [1.4] * 32 + [1.3] * 4
    rows = [("G1", T0 + timedelta(minutes=5 * (i + 1)), mm) for i, mm in enumerate(values)]
    conn.executemany("INSERT INTO rainfall VALUES (?, ?, ?, 5)", rows)
    store.refresh_rain_hourly(conn)
    summary, _ = warning.township_signals(conn, T0, at(3))
    row = summary.set_index("code").loc[TOWN_A]
    assert row["level"] == "orange"
    assert row["level_since"] == at(3)


def test_signal_at_any_moment_follows_the_window_end():
    conn = empty_store()
    add_gauge(conn, "G1", TOWN_A)
    add_hourly(conn, "G1", [40, 40, 20] + [0] * 12)
    levels = {
        h: warning.township_signals_at(conn, at(h)).set_index("code").loc[TOWN_A, "level"] for h in (1, 3, 4, 5, 15)
    }
    assert levels == {1: None, 3: "red", 4: "orange", 5: "yellow", 15: None}


def test_rolling_sums_match_brute_force():
    rng = np.random.default_rng(7)
    conn = empty_store()
    add_gauge(conn, "G1", TOWN_A)
    add_gauge(conn, "G2", TOWN_A)
    times = [T0 + timedelta(minutes=5 * i) for i in range(1, 400)]
    frame = pd.DataFrame(
        {
            "station": np.repeat(["G1", "G2"], len(times)),
            "ts": times * 2,
            "mm": np.round(rng.exponential(0.8, 2 * len(times)), 1),
        }
    )
    frame = frame.sample(frac=0.9, random_state=1)  # gaps in the series
    conn.executemany("INSERT INTO rainfall VALUES (?, ?, ?, 5)", frame.itertuples(index=False, name=None))
    store.refresh_rain_hourly(conn)
    start, end = at(12), at(33)
    rolling = queries.rolling_rain(conn, start, end, [3, 6, 12], by="gauge")
    for row in rolling.sample(50, random_state=2).itertuples():
        rows = frame[frame["station"] == row.key]
        for hours in (3, 6, 12):
            expected = rows[(rows["ts"] > row.ts - timedelta(hours=hours)) & (rows["ts"] <= row.ts)]["mm"].sum()
            assert getattr(row, f"mm_{hours}h") == pytest.approx(expected)
    assert rolling["ts"].min() > start and rolling["ts"].max() <= end


def test_township_max_or_mean_of_gauges():
    conn = empty_store()
    add_gauge(conn, "G1", TOWN_A)
    add_gauge(conn, "G2", TOWN_A)
    add_hourly(conn, "G1", [20, 20, 20])  # 60 mm / 3 h: orange
    add_hourly(conn, "G2", [5, 5, 10])  # 20 mm / 3 h: nothing
    by_max = warning.township_signals_at(conn, at(3), method="max").set_index("code").loc[TOWN_A]
    by_mean = warning.township_signals_at(conn, at(3), method="mean").set_index("code").loc[TOWN_A]
    assert (by_max["level"], by_max["mm_3h"]) == ("orange", 60)
    assert (by_mean["level"], by_mean["mm_3h"]) == (None, 40)
    assert by_max["gauges"] == 2
    warning.set_township_method(conn, "mean")
    assert warning.township_signals_at(conn, at(3)).set_index("code").loc[TOWN_A, "level"] is None
    summary, _ = warning.township_signals(conn, T0, at(3))
    assert summary.set_index("code").loc[TOWN_A, "level"] is None
    with pytest.raises(ValueError, match="township method"):
        warning.set_township_method(conn, "median")


def test_thresholds_are_editable_and_validated():
    conn = empty_store()
    add_gauge(conn, "G1", TOWN_A)
    add_hourly(conn, "G1", [10, 10, 10])
    assert warning.township_signals_at(conn, at(3)).set_index("code").loc[TOWN_A, "level"] is None
    warning.set_signal_threshold(conn, "orange", 3, 30)
    assert warning.township_signals_at(conn, at(3)).set_index("code").loc[TOWN_A, "level"] == "orange"
    with pytest.raises(ValueError, match="window"):
        warning.set_signal_threshold(conn, "orange", 5, 30)
    with pytest.raises(ValueError, match="above 0"):
        warning.set_signal_threshold(conn, "red", 3, 0)
    with pytest.raises(ValueError, match="unknown signal level"):
        warning.set_signal_threshold(conn, "purple", 3, 10)


def test_default_thresholds_are_the_cma_rules():
    rules = queries.signal_thresholds(store.connect(":memory:"))
    assert rules[["level", "window_hours", "min_mm"]].values.tolist() == [
        ["blue", 12, 50.0],
        ["yellow", 6, 50.0],
        ["orange", 3, 50.0],
        ["red", 3, 100.0],
    ]


# Reference table: (deaths, missing, injured, loss in 10,000 yuan) -> grade, basis.
GRADE_CASES = [
    ((0, 0, 0, 0), "general", "deaths"),
    ((2, 0, 0, 0), "general", "deaths"),
    ((3, 0, 0, 0), "large", "deaths"),
    ((2, 1, 0, 0), "large", "deaths"),  # missing counts with deaths
    ((9, 0, 0, 0), "large", "deaths"),
    ((10, 0, 0, 0), "major", "deaths"),
    ((29, 0, 0, 0), "major", "deaths"),
    ((30, 0, 0, 0), "especially_major", "deaths"),
    ((0, 0, 9, 0), "general", "deaths"),
    ((0, 0, 10, 0), "large", "injured"),
    ((0, 0, 49, 0), "large", "injured"),
    ((0, 0, 50, 0), "major", "injured"),
    ((0, 0, 99, 0), "major", "injured"),
    ((0, 0, 100, 0), "especially_major", "injured"),
    ((0, 0, 0, 999.99), "general", "deaths"),
    ((0, 0, 0, 1000), "large", "loss_10k_yuan"),  # 1000 万元
    ((0, 0, 0, 4999.99), "large", "loss_10k_yuan"),
    ((0, 0, 0, 5000), "major", "loss_10k_yuan"),  # 5000 万元
    ((0, 0, 0, 9999.99), "major", "loss_10k_yuan"),
    ((0, 0, 0, 10000), "especially_major", "loss_10k_yuan"),  # 1 亿元
    ((3, 0, 50, 0), "major", "injured"),  # the highest criterion wins
    ((10, 0, 0, 10000), "especially_major", "loss_10k_yuan"),
]


def test_grade_reference_table():
    figures = pd.DataFrame([case[0] for case in GRADE_CASES], columns=["deaths", "missing", "injured", "loss_10k_yuan"])
    graded = warning.grade_incidents(figures, queries.grade_thresholds(store.connect(":memory:")))
    assert graded["grade"].tolist() == [case[1] for case in GRADE_CASES]
    assert graded["grade_basis"].tolist() == [case[2] for case in GRADE_CASES]
    assert graded["grade_rank"].tolist() == [warning.GRADE_CODES.index(case[1]) + 1 for case in GRADE_CASES]


def test_grade_thresholds_are_editable(tiny_conn):
    conn = store.connect(":memory:")
    warning.set_grade_threshold(conn, "large", "deaths", 1)
    graded = warning.grade_incidents(
        pd.DataFrame({"deaths": [1], "missing": [0], "injured": [0], "loss_10k_yuan": [0.0]}),
        queries.grade_thresholds(conn),
    )
    assert graded["grade"].tolist() == ["large"]
    with pytest.raises(ValueError, match="criterion"):
        warning.set_grade_threshold(conn, "large", "cattle", 1)
    graded = warning.incident_grades(tiny_conn, T0, at(24))
    # Grades follow each type's own rules: the landslide is 小型 (general), floods are 未分级.
    grade_of = {
        kind: grade if isinstance(grade, str) else None
        for kind, grade in zip(graded["type"], graded["grade"], strict=True)
    }
    assert grade_of == {"flood": None, "landslide": "general"}
    assert len(graded) == 4


def hazard_store():
    conn = empty_store()
    add_gauge(conn, "NEAR", TOWN_A, lon=118.0, lat=28.35)
    add_gauge(conn, "FAR", TOWN_A, lon=118.2, lat=28.35)
    add_hourly(conn, "NEAR", [10, 10, 35])  # 1 h 35, 3 h 55, 24 h 55
    add_hourly(conn, "FAR", [100, 100, 100])
    hazards = [
        # id, lon, lat, people, households, critical 1h/3h/24h
        ("H-3h", 118.01, 28.35, 40, 12, 40, 50, 200),  # 55/50 = 1.1 over 3 h
        ("H-1h", 118.0, 28.36, 10, 3, 25, 100, 200),  # 35/25 = 1.4 over 1 h
        ("H-safe", 117.99, 28.35, 90, 30, 60, 120, 240),  # 55/120, 35/60: below
        ("H-none", 118.0, 28.34, 5, 2, None, None, None),  # no critical amounts
    ]
    for ident, lon, lat, people, households, c1, c3, c24 in hazards:
        conn.execute(
            "INSERT INTO hazard_points (id, name, kind, township, lon, lat, people, households, critical_mm_1h,"
            " critical_mm_3h, critical_mm_24h) VALUES (?, ?, 'landslide', ?, ?, ?, ?, ?, ?, ?, ?)",
            [ident, ident, TOWN_A, lon, lat, people, households, c1, c3, c24],
        )
    return conn


def test_hazard_points_use_the_nearest_gauge_and_sort_by_exceedance():
    conn = hazard_store()
    risky = warning.hazards_at_risk(conn, at(3))
    assert risky["id"].tolist() == ["H-1h", "H-3h"]
    assert set(risky["gauge"]) == {"NEAR"}
    assert risky["exceedance"].tolist() == pytest.approx([1.4, 1.1])
    assert risky["exceeded_window"].tolist() == ["1h", "3h"]
    assert risky["people"].sum() == 50 and risky["households"].sum() == 15
    everything = warning.hazards_at_risk(conn, at(3), only_at_risk=False)
    assert everything["id"].tolist()[-1] == "H-none"
    assert not everything.set_index("id").loc["H-none", "at_risk"]
    assert warning.hazards_at_risk(conn, at(1)).empty


def test_boundary_exceedance_is_at_risk():
    frame = pd.DataFrame(
        {
            "id": ["a"],
            "people": [1],
            "mm_1h": [30.000000001],
            "mm_3h": [0.0],
            "mm_24h": [0.0],
            "critical_mm_1h": [30.0],
            "critical_mm_3h": [60.0],
            "critical_mm_24h": [100.0],
        }
    )
    assert warning.hazard_exceedance(frame)["at_risk"].tolist() == [True]


def contact_store():
    conn = empty_store()
    contacts = [
        (TOWN_A, "张三", "township_head", "13700000001"),
        (TOWN_A, "李四", "flood_duty", "13700000002"),
        (TOWN_B, "王五", "township_head", "13700000003"),
    ]
    conn.executemany("INSERT INTO township_contacts VALUES (?, ?, ?, ?, true)", contacts)
    return conn


def test_issue_warning_records_recipients_and_acknowledgements():
    conn = contact_store()
    issued = datetime(2026, 6, 20, 8, 0)
    ident = warning.issue_warning(
        conn, "orange", [TOWN_A], "  橙色预警 <b>注意</b> ", ["sms", "wechat"], "值班员", issued
    )
    listed = queries.warnings_issued(conn)
    assert listed.loc[0, "id"] == ident and listed.loc[0, "recipients"] == 2 and listed.loc[0, "acknowledged"] == 0
    assert listed.loc[0, "text"] == "橙色预警 <b>注意</b>"
    assert list(listed.loc[0, "channels"]) == ["sms", "wechat"]
    assert warning.acknowledge(conn, ident, [(TOWN_A, "13700000001")], at=issued + timedelta(minutes=5)) == 1
    # A second acknowledgement keeps the first time.
    assert warning.acknowledge(conn, ident, [(TOWN_A, "13700000001")], at=issued + timedelta(minutes=50)) == 0
    recipients = queries.warning_recipients(conn, ident)
    assert recipients.set_index("phone").loc["13700000001", "acknowledged_at"] == issued + timedelta(minutes=5)
    assert warning.overdue_recipients(recipients, issued + timedelta(minutes=29), 30).empty
    overdue = warning.overdue_recipients(recipients, issued + timedelta(minutes=31), 30)
    assert overdue["name"].tolist() == ["李四"] and overdue["waiting_min"].tolist() == [31]


@pytest.mark.parametrize(
    "level, townships, text, channels, officer, message",
    [
        ("purple", [TOWN_A], "x", ["sms"], "a", "unknown warning level"),
        ("red", [], "x", ["sms"], "a", "at least one township"),
        ("red", [TOWN_A], "  ", ["sms"], "a", "warning text"),
        ("red", [TOWN_A], "x", ["pigeon"], "a", "channels"),
        ("red", [TOWN_A], "x", [], "a", "channels"),
        ("red", [TOWN_A], "x", ["sms"], " ", "duty officer"),
        ("red", [TOWN_A, "nowhere"], "x", ["sms"], "a", "unknown townships: nowhere"),
    ],
)
def test_bad_warnings_are_refused_and_nothing_is_written(level, townships, text, channels, officer, message):
    conn = contact_store()
    with pytest.raises(ValueError, match=message):
        warning.issue_warning(conn, level, townships, text, channels, officer)
    assert store.scalar(conn, "SELECT count(*) FROM warnings") == 0
    assert store.scalar(conn, "SELECT count(*) FROM warning_recipients") == 0


def test_township_without_responsible_person_is_refused():
    conn = contact_store()
    conn.execute("DELETE FROM township_contacts WHERE township = ?", [TOWN_B])
    with pytest.raises(ValueError, match=f"no responsible person.*{TOWN_B}"):
        warning.issue_warning(conn, "blue", [TOWN_A, TOWN_B], "x", ["sms"], "a")
    assert store.scalar(conn, "SELECT count(*) FROM warnings") == 0


def test_demo_contacts_are_fake_and_labelled():
    contacts = demo_contacts([TOWN_A, TOWN_B], np.random.default_rng(42))
    assert len(contacts) == 5 and contacts["is_demo"].all()
    assert contacts["phone"].str.fullmatch(r"1370000\d{4}").all() and contacts["phone"].is_unique
    assert contacts.groupby("township")["role"].apply(list).to_dict() == {
        TOWN_A: ["township_head", "flood_duty", "grid_member"],
        TOWN_B: ["township_head", "flood_duty"],
    }
    again = demo_contacts([TOWN_A, TOWN_B], np.random.default_rng(42))
    pd.testing.assert_frame_equal(contacts, again)


def test_demo_store_has_contacts_for_every_township(demo_file):
    conn = store.connect(demo_file, read_only=True)
    contacts = queries.township_contacts(conn)
    assert set(contacts["township"]) == set(queries.townships(conn)["code"])
    assert contacts["is_demo"].all()


def test_config_saves_all_or_nothing():
    conn = store.connect(":memory:")
    signals = queries.signal_thresholds(conn).assign(min_mm=[40.0, 45.0, 50.0, 90.0])
    grades = queries.grade_thresholds(conn)
    bad_grades = grades.assign(min_value=grades["min_value"].where(grades["grade"] != "major", -1))
    with pytest.raises(ValueError, match="major"):
        warning.save_config(conn, signals, bad_grades, "mean")
    assert queries.signal_thresholds(conn)["min_mm"].tolist() == [50.0, 50.0, 50.0, 100.0]
    assert warning.settings(conn)["township_method"] == "max"
    warning.save_config(conn, signals, grades, "mean")
    assert queries.signal_thresholds(conn)["min_mm"].tolist() == [40.0, 45.0, 50.0, 90.0]
    assert warning.settings(conn) == {"township_method": "mean", "ack_minutes": 30}


def test_nearest_gauge_matches_brute_force_including_far_points():

    rng = np.random.default_rng(11)
    conn = empty_store()
    gauges = pd.DataFrame(
        {"code": [f"G{i}" for i in range(80)], "lon": rng.uniform(117.5, 118.5, 80), "lat": rng.uniform(28.0, 28.8, 80)}
    )
    for row in gauges.itertuples():
        add_gauge(conn, row.code, TOWN_A, row.lon, row.lat)
    # Most points among the gauges; a few 40-90 km away, beyond the first search cells.
    lon = np.concatenate([rng.uniform(117.5, 118.5, 60), [119.2, 116.9, 118.0]])
    lat = np.concatenate([rng.uniform(28.0, 28.8, 60), [28.4, 28.1, 29.6]])
    conn.executemany(
        "INSERT INTO hazard_points (id, kind, township, lon, lat) VALUES (?, 'landslide', ?, ?, ?)",
        [(f"H{i}", TOWN_A, x, y) for i, (x, y) in enumerate(zip(lon, lat, strict=True))],
    )
    found = queries.hazard_rain_at(conn, at(3)).set_index("id").loc[[f"H{i}" for i in range(len(lon))]]
    distance = geo.haversine_km(
        lon[:, None], lat[:, None], gauges["lon"].to_numpy()[None], gauges["lat"].to_numpy()[None]
    )
    assert found["gauge"].tolist() == gauges["code"].to_numpy()[distance.argmin(axis=1)].tolist()
    assert found["gauge_km"].to_numpy() == pytest.approx(distance.min(axis=1))
    assert found["gauge_km"].max() > queries.NEAR_GAUGE_KM


def test_contacts_are_replaced_after_every_row_is_checked():
    conn = contact_store()
    edited = queries.township_contacts(conn)[["township", "name", "role", "phone", "is_demo"]]
    edited.loc[len(edited)] = [TOWN_B, "赵六", "grid_member", "0793-8123456", False]
    assert warning.save_contacts(conn, edited) == 4
    stored = queries.township_contacts(conn)
    assert "07938123456" in set(stored["phone"]) and len(stored) == 4
    for change, message in (
        ({"township": "nowhere"}, "row 1: unknown township"),
        ({"name": " "}, "row 1: the name is missing"),
        ({"role": "boss"}, "row 1: role 'boss'"),
        ({"phone": "12345"}, "row 1: '12345' is not a phone number"),
    ):
        bad = edited.copy()
        for column, value in change.items():
            bad.loc[0, column] = value
        with pytest.raises(ValueError, match=message):
            warning.save_contacts(conn, bad)
    twice = pd.concat([edited, edited.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="row 5: phone .* listed twice"):
        warning.save_contacts(conn, twice)
    assert len(queries.township_contacts(conn)) == 4
