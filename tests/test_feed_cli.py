"""The feed command line and the sync loop: settings file, --once, lock, backoff, the app's thread."""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from emergency import config, store
from emergency.feed import sl323, sync, worker
from tests import tiny

T0 = datetime(2026, 6, 20, 8, 0)


def _source(path):
    engine = sa.create_engine(f"sqlite:///{path}")
    sl323.create(engine)
    sl323.insert(
        engine,
        sl323.ST_STBPRP_B,
        [dict(STCD="62A00001", STNM="西一雨量站", LGTD=Decimal("117.95"), LTTD=Decimal("28.35"), STTP="PP")],
    )
    sl323.insert(
        engine,
        sl323.ST_PPTN_R,
        [
            dict(
                STCD="62A00001",
                TM=datetime.now().replace(microsecond=0, second=0) - timedelta(minutes=10),
                DRP=Decimal("1.5"),
                INTV=Decimal("0.05"),
            )
        ],
    )
    engine.dispose()
    return f"sqlite:///{path}"


def _store(path):
    conn = store.connect(path)
    tiny.populate(conn)
    conn.close()


def _cli(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "emergency", "feed", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=config.PROJECT_ROOT,
        timeout=120,
    )


def test_add_keeps_the_url_in_the_settings_file_and_run_once_syncs(tmp_path, monkeypatch):
    import os

    settings = tmp_path / "secrets.toml"
    settings.write_text('[yitu]\nauth = "none"\n\n[other]\nx = 1\n', encoding="utf-8")
    db = tmp_path / "store.duckdb"
    _store(db)
    url = _source(tmp_path / "sl323.db")
    env = {**os.environ, "YITU_SETTINGS": str(settings), "YITU_DB_PATH": str(db)}
    added = _cli("add", "--name", "县水文", "--url", url, "--every", "5", env=env)
    assert added.returncode == 0, added.stderr
    parsed = tomllib.loads(settings.read_text(encoding="utf-8"))
    assert parsed["yitu_feeds"]["县水文"] == url and parsed["yitu"]["auth"] == "none" and parsed["other"]["x"] == 1
    assert oct(settings.stat().st_mode & 0o777) == "0o600"
    # A second feed, and a changed URL for the first, keep one [yitu_feeds] table.
    assert _cli("add", "--name", "乙", "--url", "postgresql+psycopg://u:pw@h/db", "--disabled", env=env).returncode == 0
    listed = _cli("list", env=env)
    assert "u:***@h" in listed.stdout and "pw@" not in listed.stdout
    run = _cli("run", "--once", env=env)
    assert run.returncode == 0, run.stderr
    assert "inserted" in run.stdout
    conn = store.connect(db, read_only=True)
    assert store.scalar(conn, "SELECT count(*) FROM rainfall WHERE station = '62A00001'") == 1
    conn.close()
    assert "县水文" in _cli("status", env=env).stdout


def test_bad_input_is_a_message_not_a_traceback(tmp_path):
    import os

    db = tmp_path / "store.duckdb"
    _store(db)
    env = {**os.environ, "YITU_SETTINGS": str(tmp_path / "s.toml"), "YITU_DB_PATH": str(db)}
    for args in (
        ("add", "--name", "x", "--url", "not a url"),
        ("add", "--name", "x", "--url", "sqlite:///x.db", "--stations-filter", "nonsense"),
        ("add", "--name", "x", "--url", "sqlite:///x.db", "--crs", "EPSG:999999"),
    ):
        result = _cli(*args, env=env)
        assert result.returncode == 1 and "refused" in result.stderr and "Traceback" not in result.stderr
    result = _cli("run", "--once", env=env)
    assert result.returncode == 1 and "no enabled feed" in result.stderr


def test_lock_allows_one_loop_per_store(tmp_path):
    first, second = worker.Lock(tmp_path / "s.feed.lock"), worker.Lock(tmp_path / "s.feed.lock")
    assert first.acquire() and not second.acquire()
    # Another process cannot take it either.
    code = (
        "import sys; from emergency.feed import worker; from pathlib import Path; "
        f"sys.exit(0 if worker.Lock(Path({str(tmp_path / 's.feed.lock')!r})).acquire() else 3)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=config.PROJECT_ROOT).returncode == 3
    first.release()
    assert second.acquire()
    second.release()


def test_backoff_then_back_to_schedule(tiny_store, tmp_path, monkeypatch):
    monkeypatch.setenv("YITU_SETTINGS", str(tmp_path / "s.toml"))
    conn = tiny_store
    sync.save_feed(conn, sync.Feed(name="县水文", every_min=5), url=f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    scheduler, clock = worker.Scheduler(), [0.0]
    first = worker.run_due(conn, scheduler, clock=lambda: clock[0])
    assert len(first) == 1 and not first[0].ok
    assert scheduler.due["县水文"] == 30  # retried after 30 s ...
    clock[0] = 29
    assert worker.run_due(conn, scheduler, clock=lambda: clock[0]) == []
    clock[0] = 30
    worker.run_due(conn, scheduler, clock=lambda: clock[0])
    assert scheduler.due["县水文"] == 90  # ... then 60 s
    (tmp_path / "missing").mkdir()
    _source(tmp_path / "missing" / "x.db")
    clock[0] = 90
    ok = worker.run_due(conn, scheduler, clock=lambda: clock[0])
    assert ok[0].ok and ok[0].inserted > 0 and scheduler.due["县水文"] == 90 + 300
    attempts = store.run(conn, "SELECT attempt, ok, error_kind FROM feed_runs ORDER BY id")
    assert attempts["error_kind"].tolist()[:2] == ["unreachable", "unreachable"]
    assert attempts["attempt"].tolist() == [1, 2, 3] and attempts["ok"].tolist() == [False, False, True]


def test_app_thread_syncs_and_calls_back(tmp_path, monkeypatch):
    monkeypatch.setenv("YITU_SETTINGS", str(tmp_path / "s.toml"))
    db = tmp_path / "store.duckdb"
    _store(db)
    conn = store.connect(db)
    sync.save_feed(conn, sync.Feed(name="县水文"), url=_source(tmp_path / "sl323.db"))
    changed = []
    thread = worker.start(conn, db, on_change=lambda: changed.append(1))
    assert worker.start(conn, db) is thread  # one per store and process
    deadline = time.time() + 30
    while not changed and time.time() < deadline:
        time.sleep(0.2)
    thread.stop()
    thread.join(10)
    assert changed and store.scalar(conn, "SELECT count(*) FROM rainfall WHERE station = '62A00001'") == 1
    conn.close()
