"""Incremental sync of an SL 323 source into the store, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa

from emergency import store
from emergency.feed import secrets, sl323, sync
from emergency.feed.source import Source
from tests.feed_sources import PG_PASSWORD, Postgres, drop_all, pg_available

T0 = datetime(2026, 6, 20, 8, 0)
NOW = T0 + timedelta(hours=2)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    if not pg_available():
        pytest.skip("PostgreSQL server binaries not installed (scripts/test.sh installs postgresql)")
    server = Postgres()
    yield server
    server.remove()


class SourceDb:
    """An SL 323 database the test fills, and how to take it down."""

    def __init__(self, url: str, down, up) -> None:
        self.url = url
        self.engine = sa.create_engine(url)
        sl323.create(self.engine)
        self.down, self.up = down, up

    def add(self, table, rows, upsert=False):
        sl323.insert(self.engine, table, rows, upsert=upsert)


@pytest.fixture(params=["sqlite", "postgresql"])
def source(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sl323.db'}"
        state = {"down": False}
        db = SourceDb(url, lambda: state.update(down=True), lambda: state.update(down=False))
        db.is_down = lambda: state["down"]
        yield db
        db.engine.dispose()
    else:
        server = request.getfixturevalue("postgres")
        drop_all(server.url)
        db = SourceDb(server.url, server.stop, server.start)
        db.is_down = lambda: False
        yield db
        db.engine.dispose()
        try:
            drop_all(server.url)
        except sa.exc.OperationalError:
            server.start()
            drop_all(server.url)


@pytest.fixture
def conn(tiny_store, tmp_path, monkeypatch):
    monkeypatch.setenv("YITU_SETTINGS", str(tmp_path / "secrets.toml"))
    return tiny_store


def stations():
    return [
        dict(
            STCD="62A00001",
            STNM="西一雨量站",
            LGTD=Decimal("117.95"),
            LTTD=Decimal("28.35"),
            ADDVCD="999999",
            STTP="PP",
        ),
        dict(
            STCD="62A00002",
            STNM="东一雨量站",
            LGTD=Decimal("118.05"),
            LTTD=Decimal("28.35"),
            ADDVCD="999999",
            STTP="PP",
        ),
        dict(
            STCD="62A00010",
            STNM="信江水文站",
            RVNM="信江",
            HNNM="鄱阳湖水系",
            LGTD=Decimal("117.97"),
            LTTD=Decimal("28.36"),
            ADDVCD="999999",
            STTP="ZQ",
        ),
        dict(
            STCD="62A00020", STNM="七一水库", LGTD=Decimal("118.06"), LTTD=Decimal("28.38"), ADDVCD="999999", STTP="RR"
        ),
        dict(STCD="62A00099", STNM="外县站", LGTD=Decimal("116.0"), LTTD=Decimal("28.0"), ADDVCD="361100", STTP="PP"),
    ]


def five_min(station, start, n, mm="0.5"):
    return [
        dict(STCD=station, TM=start + timedelta(minutes=5 * (i + 1)), DRP=Decimal(mm), INTV=Decimal("0.05"))
        for i in range(n)
    ]


def fill(db):
    db.add(sl323.ST_STBPRP_B, stations())
    db.add(sl323.ST_PPTN_R, five_min("62A00001", T0, 12) + five_min("62A00099", T0, 2))
    db.add(
        sl323.ST_RIVER_R,
        [
            dict(STCD="62A00010", TM=T0 + timedelta(hours=1), Z=Decimal("68.5"), Q=Decimal("850")),
            dict(STCD="62A00010", TM=T0 + timedelta(hours=2), Z=Decimal("70.4"), Q=Decimal("1210")),
        ],
    )
    db.add(
        sl323.ST_RSVR_R,
        [
            dict(
                STCD="62A00020",
                TM=T0 + timedelta(hours=1),
                RZ=Decimal("111.2"),
                INQ=Decimal("300"),
                OTQ=Decimal("120"),
                W=Decimal("45.6"),
            )
        ],
    )
    db.add(sl323.ST_RVFCCH_B, [dict(STCD="62A00010", WRZ=Decimal("70.0"), GRZ=Decimal("72.5"))])
    db.add(
        sl323.ST_RSVRFSR_B,
        [
            dict(STCD="62A00020", BGMD="0401", EDMD="0630", FSLTDZ=Decimal("110.0")),
            dict(STCD="62A00020", BGMD="0701", EDMD="1015", FSLTDZ=Decimal("112.0")),
        ],
    )


def add_feed(conn, db, **options):
    return sync.save_feed(
        conn, sync.Feed(name="县水文", stations_filter=options.pop("stations_filter", None), **options), url=db.url
    )


def rain_of(conn, station):
    return store.run(conn, "SELECT ts, mm, interval_min FROM rainfall WHERE station = ? ORDER BY ts", [station])


def hourly_matches(conn):
    """rain_hourly equals a fresh sum of rainfall (exact decimals)."""
    differ = store.scalar(
        conn,
        f"""
        SELECT count(*) FROM (
            (SELECT station, {store.RAIN_HOUR_SQL} AS hour, sum(mm::DECIMAL(18,3)) AS mm, count(*)::INTEGER AS n
             FROM rainfall GROUP BY ALL
             EXCEPT SELECT station, hour, mm, readings FROM rain_hourly)
            UNION ALL
            (SELECT station, hour, mm, readings FROM rain_hourly
             EXCEPT SELECT station, {store.RAIN_HOUR_SQL}, sum(mm::DECIMAL(18,3)), count(*)::INTEGER FROM rainfall GROUP BY ALL))""",  # noqa: E501 - embedded SQL/CSS/JS text
    )
    return differ == 0


def test_first_sync_reads_stations_reports_and_thresholds(conn, source):
    fill(source)
    add_feed(conn, source)
    result = sync.run_feed(conn, "县水文", now=NOW)
    assert result.ok, result.error
    assert result.latest_data_at == T0 + timedelta(hours=2)
    gauges = store.run(conn, "SELECT code, township, kind FROM rain_gauges WHERE code LIKE '62A%' ORDER BY code")
    assert list(gauges["code"]) == ["62A00001", "62A00002"]
    assert list(gauges["township"]) == ["999999001", "999999002"]
    rain = rain_of(conn, "62A00001")
    assert len(rain) == 12 and rain["mm"].sum() == pytest.approx(6.0) and set(rain["interval_min"]) == {5}
    assert store.scalar(conn, "SELECT interval_min FROM gauge_intervals WHERE station = '62A00001'") == 5
    assert hourly_matches(conn)
    water = store.run(conn, "SELECT code, kind, township, river FROM water_stations ORDER BY code")
    assert water["code"].tolist() == ["62A00010", "62A00020"]
    assert water["kind"].tolist() == ["river", "reservoir"]
    assert water["township"].tolist() == ["999999001", "999999002"]
    assert water["river"].iloc[0] == "信江" and water["river"].isna().iloc[1]
    assert store.scalar(conn, "SELECT count(*) FROM water_levels") == 3
    assert store.scalar(conn, "SELECT warning_level_m FROM water_thresholds WHERE station = '62A00010'") == 70.0
    assert store.scalar(conn, "SELECT count(*) FROM flood_limits WHERE station = '62A00020'") == 2
    # The out-of-county gauge and its reports are quarantined, naming the source.
    q = store.run(conn, "SELECT file_name, reason, kind FROM quarantine ORDER BY id")
    assert ("县水文 · ST_STBPRP_B", "out_of_area", "rain_gauges") in set(map(tuple, q.to_numpy()))
    assert (q[q["kind"] == "rainfall"]["reason"] == "unknown_reference").sum() == 2
    assert result.rejected == 3
    run = store.run(conn, "SELECT * FROM feed_runs WHERE id = ?", [result.run_id]).iloc[0]
    assert run["ok"] and run["ended_at"] >= run["started_at"] and run["inserted"] == result.inserted > 0


def test_incremental_sync_reads_only_new_rows_and_upserts_late_corrections(conn, source):
    fill(source)
    add_feed(conn, source, overlap_min=30)
    assert sync.run_feed(conn, "县水文", now=NOW).ok
    # New reports, a late one inside the overlap (09:40, never sent before) and a correction
    # of 09:55 from 0.5 to 2.5 mm; a correction outside the overlap (08:05) is not read.
    source.add(sl323.ST_PPTN_R, five_min("62A00001", T0 + timedelta(hours=1), 2, mm="1.0"), upsert=True)
    source.add(
        sl323.ST_PPTN_R,
        [dict(STCD="62A00002", TM=T0 + timedelta(minutes=100), DRP=Decimal("3.0"), INTV=Decimal("0.05"))],
    )
    source.add(
        sl323.ST_PPTN_R,
        [
            dict(STCD="62A00001", TM=T0 + timedelta(minutes=55), DRP=Decimal("2.5"), INTV=Decimal("0.05")),
            dict(STCD="62A00001", TM=T0 + timedelta(minutes=5), DRP=Decimal("9.0"), INTV=Decimal("0.05")),
        ],
        upsert=True,
    )
    result = sync.run_feed(conn, "县水文", now=NOW + timedelta(minutes=10))
    assert result.ok, result.error
    rain = rain_of(conn, "62A00001").set_index("ts")["mm"]
    assert rain[T0 + timedelta(minutes=55)] == 2.5  # inside the overlap: corrected
    assert rain[T0 + timedelta(minutes=5)] == 0.5  # outside: untouched
    assert rain[T0 + timedelta(minutes=65)] == 1.0
    assert rain_of(conn, "62A00002")["mm"].tolist() == [3.0]
    assert result.updated == 1 and result.inserted == 3
    assert hourly_matches(conn)
    # Rain read from its mark (09:00) minus the overlap: 08:30..09:10 of station 1 (9 rows) and
    # station 2's one; river from 09:30 (1), reservoir from 08:30 (1); 5 stations, 3 thresholds.
    assert result.read_rows == 10 + 1 + 1 + 5 + 3


def test_station_added_and_moved(conn, source):
    fill(source)
    add_feed(conn, source)
    assert sync.run_feed(conn, "县水文", now=NOW).ok
    source.add(
        sl323.ST_STBPRP_B,
        [
            dict(
                STCD="62A00003",
                STNM="新建站",
                LGTD=Decimal("118.02"),
                LTTD=Decimal("28.31"),
                ADDVCD="999999",
                STTP="PP",
            ),
            dict(
                STCD="62A00002",
                STNM="东一雨量站（迁）",
                LGTD=Decimal("117.93"),
                LTTD=Decimal("28.33"),
                ADDVCD="999999",
                STTP="PP",
            ),
        ],
        upsert=True,
    )
    source.add(sl323.ST_PPTN_R, five_min("62A00003", T0 + timedelta(hours=2), 1, mm="4.0"))
    result = sync.run_feed(conn, "县水文", now=NOW + timedelta(minutes=5))
    assert result.ok, result.error
    moved = store.run(conn, "SELECT name, township, lon FROM rain_gauges WHERE code = '62A00002'").iloc[0]
    assert (
        moved["name"] == "东一雨量站（迁）"
        and moved["township"] == "999999001"
        and moved["lon"] == pytest.approx(117.93)
    )
    assert rain_of(conn, "62A00003")["mm"].tolist() == [4.0]


def test_rain_of_any_period_keeps_window_sums_exact(conn, source):
    source.add(sl323.ST_STBPRP_B, stations()[:2])
    # Station 1: 5-minute reports 08:05..09:00 (12 x 0.5 = 6 mm) and the hourly total at 09:00
    # (6.5 mm: the last 5 minutes held 1.0 mm, its 5-minute row was never sent); station 2
    # reports hourly, then a 6-hour total at 14:00 and a daily total (DYP only) at next 08:00.
    rows = five_min("62A00001", T0, 11)
    rows.append(dict(STCD="62A00001", TM=T0 + timedelta(hours=1), DRP=Decimal("6.5"), INTV=Decimal("1.00")))
    rows += [
        dict(STCD="62A00002", TM=T0 + timedelta(hours=h), DRP=Decimal("2.0"), INTV=Decimal("1.00")) for h in (1, 2, 3)
    ]
    rows.append(dict(STCD="62A00002", TM=T0 + timedelta(hours=6), DRP=Decimal("10.0"), INTV=Decimal("6.00")))
    rows.append(dict(STCD="62A00002", TM=T0 + timedelta(hours=24), DRP=None, DYP=Decimal("25.0")))
    source.add(sl323.ST_PPTN_R, rows)
    add_feed(conn, source)
    result = sync.run_feed(conn, "县水文", now=T0 + timedelta(hours=25))
    assert result.ok, result.error
    one = rain_of(conn, "62A00001")
    assert one["mm"].sum() == pytest.approx(6.5)  # not 12.0: the hour total is not counted twice
    two = rain_of(conn, "62A00002")
    assert two["mm"].sum() == pytest.approx(25.0)  # the day's total, whatever the periods
    assert two.set_index("ts")["mm"][T0 + timedelta(hours=6)] == pytest.approx(4.0)
    assert hourly_matches(conn)


def test_source_down_mid_run_writes_nothing_and_is_retried(conn, source, monkeypatch):
    fill(source)
    feed = add_feed(conn, source)
    before = {
        t: store.scalar(conn, f"SELECT count(*) FROM {t}")
        for t in ("rain_gauges", "rainfall", "water_levels", "quarantine", "import_log")
    }
    real = Source._frame

    def failing(self, connection, statement, names, standard):
        if standard == "ST_RIVER_R":  # stations and rain already read: the server goes away
            source.down()
            if source.is_down():
                raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))
        return real(self, connection, statement, names, standard)

    monkeypatch.setattr(Source, "_frame", failing)
    result = sync.run_feed(conn, feed, now=NOW)
    assert not result.ok and "OperationalError" in result.error and result.error_kind == "unreachable"
    after = {t: store.scalar(conn, f"SELECT count(*) FROM {t}") for t in before}
    assert after == before  # nothing half-written
    run = store.run(conn, "SELECT ok, ended_at, error FROM feed_runs WHERE id = ?", [result.run_id]).iloc[0]
    assert not run["ok"] and run["ended_at"] is not None
    from emergency.feed import water

    alarm = water.feed_status(conn, NOW + timedelta(minutes=20))
    assert alarm.loc[alarm["feed"] == "县水文", "state"].item() == "down"
    # The source comes back: the retry writes everything.
    monkeypatch.setattr(Source, "_frame", real)
    source.up()
    retry = sync.run_feed(conn, feed, now=NOW, attempt=2)
    assert retry.ok, retry.error
    assert store.scalar(conn, "SELECT count(*) FROM water_levels") == 3
    status = water.feed_status(conn, NOW + timedelta(minutes=5))
    assert status.loc[status["feed"] == "县水文", "state"].item() == "ok"


def test_credentials_never_reach_the_store_or_logs(conn, source, caplog, tmp_path):
    if "@" not in source.url:
        source.url = source.url  # SQLite has none; use a URL with a password that cannot connect
        url = (
            "postgresql+psycopg://sw:" + PG_PASSWORD.replace("#", "%23") + "@/nodb?host=/nonexistent&connect_timeout=1"
        )
    else:
        url = source.url
    fill(source)
    caplog.set_level(logging.DEBUG)
    sync.save_feed(conn, sync.Feed(name="县水文"), url=url)
    sync.run_feed(conn, "县水文", now=NOW)
    # A wrong password: the error is recorded, the password is not.
    bad = url.replace(PG_PASSWORD.replace("#", "%23").replace("!", "%21"), "wrong-" + "x" * 8)
    sync.save_feed(conn, sync.Feed(name="另一源"), url=bad)
    failed = sync.run_feed(conn, "另一源", now=NOW)
    assert not failed.ok
    dump = (
        "\n".join(
            store.run(conn, f"SELECT * FROM {t}").to_csv()
            for t in ("feeds", "feed_runs", "import_log", "quarantine", "audit_log", "meta")
        )
        + caplog.text
    )
    for secret in (PG_PASSWORD, PG_PASSWORD.replace("#", "%23").replace("!", "%21"), "wrong-xxxxxxxx"):
        assert secret not in dump
    assert secrets.feed_url("县水文") == url  # the settings file keeps it
    assert "***" in store.scalar(conn, "SELECT url_shown FROM feeds WHERE name = '县水文'")


def test_station_filter_and_mask():
    assert secrets.mask("mssql+pymssql://sa:p%40ss@10.0.0.5:1433/sl323") == "mssql+pymssql://sa:***@10.0.0.5:1433/sl323"
    assert secrets.scrub("login failed for sa:p@ss", "mssql+pymssql://sa:p%40ss@h/db") == "login failed for sa:***"
    from emergency.feed.source import parse_filter

    assert parse_filter("ADDVCD=3611*, sttp=PP") == [("ADDVCD", "3611*"), ("STTP", "PP")]
    with pytest.raises(ValueError):
        parse_filter("DROP TABLE=1")


def test_station_filter_limits_stations_and_reports(conn, source):
    fill(source)
    add_feed(conn, source, stations_filter="ADDVCD=999999")
    result = sync.run_feed(conn, "县水文", now=NOW)
    assert result.ok and result.rejected == 0
    assert store.scalar(conn, "SELECT count(*) FROM rainfall WHERE station = '62A00099'") == 0


@pytest.mark.parametrize(
    "url",
    [
        "mssql+pymssql://sw:pw@10.0.0.5:1433/sl323",
        "mysql+pymysql://sw:pw@10.0.0.5:3306/sl323",
        "postgresql+psycopg://sw:pw@10.0.0.5/sl323",
        "oracle+oracledb://sw:pw@10.0.0.5:1521/?service_name=SL323",
        "sqlite:///copy.db",
    ],
)
def test_every_driver_loads(url):
    """The drivers bureaus' databases need are installed; a source is made without connecting."""
    source = Source(url)
    assert source.engine.dialect.name in ("mssql", "mysql", "postgresql", "oracle", "sqlite")
    source.close()


def test_a_run_whose_process_died_is_recorded_as_interrupted_not_running(conn, source):
    """A start row without an end (the process was killed mid-run) is closed as interrupted after an hour."""
    from emergency.feed import worker

    fill(source)
    feed = add_feed(conn, source)
    dead = sync._start_run(conn, feed.name, NOW - timedelta(minutes=90), 1)  # killed before it could end
    young = sync._start_run(conn, feed.name, NOW - timedelta(minutes=5), 1)  # may still be running elsewhere
    scheduler = worker.Scheduler()
    results = worker.run_due(conn, scheduler, now=lambda: NOW)
    assert [r.ok for r in results] == [True]
    runs = store.run(conn, "SELECT id, ok, ended_at, error_kind FROM feed_runs ORDER BY id").set_index("id")
    assert runs.loc[dead, "ok"] == False and runs.loc[dead, "error_kind"] == "interrupted"  # noqa: E712
    assert runs.loc[dead, "ended_at"] == NOW
    assert runs.loc[young, "ended_at"] is None or pd.isna(runs.loc[young, "ended_at"])
    assert sync.close_abandoned_runs(conn, NOW) == 0  # once
    from emergency import i18n

    assert i18n.label("feed_error", "interrupted", "zh") == "运行中断（进程停止，未记录结束）"


def test_a_run_asked_for_by_a_person_is_audited_in_the_runs_own_transaction(conn, source, monkeypatch):
    """The audit row of "sync now" is committed with the run's rows (or its failure), never apart from them."""
    from emergency import actions
    from emergency.access import Actor
    from emergency.feed import water

    admin = Actor("root1", "管理员", "admin")
    fill(source)
    add_feed(conn, source)
    monkeypatch.setattr(water, "clock", lambda _conn: NOW)
    before = store.scalar(conn, "SELECT count(*) FROM rainfall")
    # An audit write that fails takes the run's rows with it: nothing of the run is committed.
    broken = pytest.MonkeyPatch()
    broken.setattr(actions.audit, "insert", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("audit down")))
    with pytest.raises(RuntimeError, match="audit down"):
        actions.run_feed(conn, admin, "县水文")
    broken.undo()
    assert store.scalar(conn, "SELECT count(*) FROM rainfall") == before
    assert store.scalar(conn, "SELECT count(*) FROM audit_log WHERE action = 'feed_run'") == 0
    # With the audit working: rows and the audit row together.
    result = actions.run_feed(conn, admin, "县水文")
    assert result.ok and store.scalar(conn, "SELECT count(*) FROM rainfall") > before
    audit = store.run(conn, "SELECT username, outcome, detail FROM audit_log WHERE action = 'feed_run'")
    assert audit[["username", "outcome"]].values.tolist() == [["root1", "ok"]]
    assert audit["detail"].iloc[0].startswith(f"run {result.run_id}: +{result.inserted}")
