"""Load test: N websocket sessions change filters on the local app for a bounded time.

    .venv/bin/python scripts/load.py [--sessions 20] [--seconds 120] [--client protocol|chromium]
                                     [--db PATH] [--json out.json] [--wall [--refresh S] [--spread F]]

Each session keeps picking another time window in the sidebar and waits until the app has
rerun; the time from the pick to the end of the rerun is one latency sample. Two clients:

- ``protocol`` (default): a websocket client speaking Streamlit's own protocol (BackMsg /
  ForwardMsg protobufs on ``/_stcore/stream``), as the browser does: it asks for a rerun with
  the new widget state and times it until ``script_finished``, checking that the page shows
  the new period. It costs the machine little, so 20 sessions measure the server.
- ``chromium``: headless Chromium pages clicking the select (real rendering, but 20 software
  WebGL pages on the server's own cores measure the clients as much as the app).

With ``--wall`` each session is a command-centre wall (``?screen=1``) left open: the protocol
client does what the browser does on its own, a rerun of every self-refreshing fragment at its
interval (the intervals and fragment ids come from the server's ``auto_rerun`` messages:
the wall's own every ``screen_refresh_s``, which ``--refresh`` sets for the run, plus the wall's own
share of ``screen_refresh_spread`` (``--spread``; 0: walls opened together refresh together), and
the live-source alarm's every 30 s). The wall's reruns are the latency samples, each timed until
``script_finished`` and checked to redraw the wall's title bar; the other fragments' reruns load
the server as a browser's would and are counted (``other_fragment_runs``).

Reports p50/p95 latency, errors (exceptions shown, failed or unfinished reruns, console errors)
and the server's RSS sampled over the run. Traffic goes to 127.0.0.1 only.

``--compare`` measures three set-ups one after the other in one run, on the demo
store: the embedded DuckDB store (one process), then the PostgreSQL server store (a throw-away
cluster started with initdb/pg_ctl, default settings, on a Unix socket) served by
``scripts/serve.py --replicas 1`` and ``--replicas 2`` behind Debian's nginx with
deploy/nginx.conf. Each gets ``--sessions`` sessions back to back (throughput = reruns per
second, p50/p95) and the same number at a person's pace (``--think``, default 5 s: p95 and
errors), and the RSS of every replica; the table is printed side by side.

At a person's pace (``--think`` > 0) the sessions arrive spread over one think time (session i
opens the page after i × think / sessions s), as people open the page one after another; each
then picks a window every 0.5–1.5 × think s. Only the picks are timed; each session's first page
run is reported apart (``first_runs_s``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets
from playwright.async_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from emergency import demo, pgstore
from tests.browser import CHROMIUM, CHROMIUM_ARGS, app_process

# Window choices a session cycles through (labels of the sidebar select, in Chinese).
WINDOW_LABELS = ("最近 1 小时", "最近 3 小时", "最近 6 小时", "最近 12 小时", "最近 24 小时", "最近 72 小时")
READY = "[data-testid=stApp][data-test-connection-state=CONNECTED][data-test-script-state=notRunning]"
RSS_EVERY_S = 2.0
# Times the window list is opened before a session counts an error, and how long each wait for it lasts.
OPEN_ATTEMPTS = 3
OPEN_TIMEOUT_MS = 10_000
PERIOD_PREFIX = "时段："
# The wall's title bar, redrawn by every refresh of the wall.
WALL_HEAD = 'data-wall="head"'
RERUN_DONE_JS = """([prefix, before]) => {
    const app = document.querySelector('[data-testid=stApp]');
    const captions = [...document.querySelectorAll('[data-testid=stCaptionContainer]')];
    const period = captions.find(c => c.innerText.startsWith(prefix));
    return app.dataset.testScriptState === 'notRunning' && period && period.innerText !== before;
}"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far, seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample_rss(pid: int, stop: threading.Event, samples: list[tuple[float, float]]) -> None:
    started = time.monotonic()
    while not stop.is_set():
        samples.append((round(time.monotonic() - started, 1), round(rss_mb(pid), 1)))
        stop.wait(RSS_EVERY_S)


async def session(browser, url: str, seconds: float, latencies: list[float], errors: list[str], index: int) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(f"session {index}: {m.text[:200]}"))
    rng = random.Random(index)
    try:
        await page.goto(url, timeout=120_000)
        await page.wait_for_selector(READY, timeout=120_000)
        # The bounded time starts once the session has loaded the app.
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            label = rng.choice(WINDOW_LABELS)
            select = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first
            if await select.locator("input").input_value() == label:
                continue
            period = page.locator("[data-testid=stCaptionContainer]", has_text=PERIOD_PREFIX).first
            before = await period.inner_text()
            option = page.get_by_role("option", name=label, exact=True)
            # A rerun of the page (its self-refreshing parts) can redraw the sidebar and close the list
            # just opened: open it again, a few times, before calling it an error.
            for attempt in range(OPEN_ATTEMPTS):
                await page.wait_for_selector(READY, timeout=120_000)
                await select.click()
                try:
                    await option.wait_for(timeout=OPEN_TIMEOUT_MS)
                    break
                except PlaywrightTimeout:
                    if attempt == OPEN_ATTEMPTS - 1:
                        raise
                    await page.keyboard.press("Escape")
            started = time.monotonic()
            await option.click()
            # Done when the page shows the new period and the script has finished.
            await page.wait_for_function(RERUN_DONE_JS, arg=[PERIOD_PREFIX, before], timeout=60_000)
            latencies.append(time.monotonic() - started)
            if await page.locator("[data-testid=stException]").count():
                errors.append(f"session {index}: exception shown")
    except Exception as error:  # a failed session is an error of the run, not a crash of the script
        errors.append(f"session {index}: {type(error).__name__}: {str(error)[:200]}")
    finally:
        await context.close()


class ProtocolSession:
    """One app session over Streamlit's websocket protocol, without a browser."""

    def __init__(self, url: str, query_string: str = "") -> None:
        self.url = url
        self.query_string = query_string
        self.websocket = None
        self.auto_reruns: dict[str, float] = {}  # fragment id -> interval s, of every self-refreshing fragment
        self.announced: str | None = None  # the fragment whose auto_rerun message came last
        self.wall_fragment: str | None = None  # the self-refreshing fragment that draws the wall
        self.walls_drawn = 0  # wall title bars received
        self.select_id: str | None = None  # the sidebar's time-window select
        self.options: list[str] = []
        self.value: str | None = None  # the window the select shows
        self.period: str | None = None  # text of the "时段：" caption last shown

    async def open(self) -> None:
        host = self.url.split("://", 1)[1]
        self.websocket = await websockets.connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=self.url,
            max_size=2**26,
            open_timeout=60,
            ping_interval=None,
        )

    async def rerun(
        self, widget: tuple[str, str] | None = None, timeout: float = 60, fragment_id: str | None = None
    ) -> list[str]:
        """Ask for a rerun (with one select's new value, or of one fragment); return the errors it showed."""
        message = BackMsg()
        message.rerun_script.query_string = self.query_string
        message.rerun_script.page_script_hash = ""
        if fragment_id:
            message.rerun_script.fragment_id = fragment_id
            message.rerun_script.is_auto_rerun = True
        if widget:
            state = message.rerun_script.widget_states.widgets.add()
            state.id, state.string_value = widget
        await self.websocket.send(message.SerializeToString())
        errors: list[str] = []
        async with asyncio.timeout(timeout):
            while True:
                forward = ForwardMsg()
                forward.ParseFromString(await self.websocket.recv())
                kind = forward.WhichOneof("type")
                if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                    self._read(forward.delta.new_element, errors)
                elif kind == "auto_rerun":
                    self.auto_reruns[forward.auto_rerun.fragment_id] = forward.auto_rerun.interval
                    self.announced = forward.auto_rerun.fragment_id
                elif kind == "script_finished":
                    status = forward.script_finished
                    if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                        return errors
                    if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        return [*errors, f"script finished with status {status}"]

    def _read(self, element, errors: list[str]) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            errors.append(f"exception shown: {element.exception.message[:200]}")
        elif kind == "selectbox" and WINDOW_LABELS[0] in element.selectbox.options:
            box = element.selectbox
            self.select_id, self.options = box.id, list(box.options)
            if box.set_value:
                self.value = box.raw_value
            elif 0 <= box.default < len(box.options):
                self.value = box.options[box.default]
        elif kind == "markdown" and element.markdown.body.startswith(PERIOD_PREFIX):
            self.period = element.markdown.body
        elif kind == "html" and WALL_HEAD in element.html.body:
            self.walls_drawn += 1
            # A fragment announces its interval before its body runs: the wall's comes just before its title bar.
            if self.wall_fragment is None:
                self.wall_fragment = self.announced

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()


async def protocol_session(
    url: str,
    seconds: float,
    latencies: list[float],
    errors: list[str],
    index: int,
    first_runs: list[float],
    think_s: float = 0.0,
    arrive_after_s: float = 0.0,
) -> None:
    rng = random.Random(index)
    client = ProtocolSession(url)
    try:
        # At a person's pace people open the page one after another, not all in one instant.
        await asyncio.sleep(arrive_after_s)
        started = time.monotonic()
        await client.open()
        errors.extend(f"session {index}: {e}" for e in await client.rerun(timeout=120))
        # The first session's first run on a fresh server is the app's real cold start.
        first_runs.append(time.monotonic() - started)
        if client.select_id is None:
            raise RuntimeError("the page shows no time-window select")
        current = client.value
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if think_s:
                # A person looks at the map before the next pick: 0.5 to 1.5 times think_s.
                await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
            label = rng.choice([o for o in WINDOW_LABELS if o in client.options and o != current])
            before = client.period
            started = time.monotonic()
            shown = await client.rerun((client.select_id, label))
            latencies.append(time.monotonic() - started)
            errors.extend(f"session {index}: {e}" for e in shown)
            if client.period == before:
                errors.append(f"session {index}: period still {before!r} after picking {label}")
            current = label
    except Exception as error:  # a failed session is an error of the run, not a crash of the script
        errors.append(f"session {index}: {type(error).__name__}: {str(error)[:200]}")
    finally:
        await client.close()


async def wall_session(
    url: str,
    seconds: float,
    latencies: list[float],
    errors: list[str],
    index: int,
    first_runs: list[float],
    other_runs: list[int] | None = None,
) -> None:
    """A wall left open: each self-refreshing fragment reruns at its interval, as the browser asks for it.

    The wall's reruns are timed into ``latencies``; reruns of the other fragments (the live-source
    alarm) are counted into ``other_runs``.
    """
    client = ProtocolSession(url, query_string="screen=1")
    other_runs = [] if other_runs is None else other_runs
    try:
        started = time.monotonic()
        await client.open()
        errors.extend(f"wall {index}: {e}" for e in await client.rerun(timeout=120))
        first_runs.append(time.monotonic() - started)
        if client.wall_fragment not in client.auto_reruns or not client.walls_drawn:
            raise RuntimeError("the page shows no self-refreshing wall")
        deadline = time.monotonic() + seconds
        # The browser schedules each fragment's next rerun an interval after its previous one was due.
        due = {fragment: time.monotonic() + interval for fragment, interval in client.auto_reruns.items()}
        while True:
            fragment = min(due, key=due.get)
            if due[fragment] >= deadline:
                break
            await asyncio.sleep(max(0.0, due[fragment] - time.monotonic()))
            drawn = client.walls_drawn
            began = time.monotonic()
            shown = await client.rerun(fragment_id=fragment)
            errors.extend(f"wall {index}: {e}" for e in shown)
            if fragment == client.wall_fragment:
                latencies.append(time.monotonic() - began)
                if client.walls_drawn == drawn:
                    errors.append(f"wall {index}: a refresh did not redraw the wall")
            else:
                other_runs.append(1)
            due[fragment] += client.auto_reruns[fragment]
    except Exception as error:  # a failed session is an error of the run, not a crash of the script
        errors.append(f"wall {index}: {type(error).__name__}: {str(error)[:200]}")
    finally:
        await client.close()


async def drive(
    url: str,
    sessions: int,
    seconds: float,
    client: str = "protocol",
    first_runs: list[float] | None = None,
    think_s: float = 0.0,
    wall: bool = False,
    other_runs: list[int] | None = None,
) -> tuple[list[float], list[str]]:
    """Run ``sessions`` sessions of ``client`` for ``seconds``; return rerun latencies and errors."""
    latencies: list[float] = []
    errors: list[str] = []
    first_runs = [] if first_runs is None else first_runs
    if wall:
        other_runs = [] if other_runs is None else other_runs
        await asyncio.gather(
            *(wall_session(url, seconds, latencies, errors, i, first_runs, other_runs) for i in range(sessions))
        )
        return latencies, errors
    if client == "protocol":
        await asyncio.gather(
            *(
                # paced: the sessions arrive spread over one think time
                protocol_session(url, seconds, latencies, errors, i, first_runs, think_s, i * think_s / sessions)
                for i in range(sessions)
            )
        )
        return latencies, errors
    # Playwright only for the browser client, so the protocol client needs no Chromium.
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        await asyncio.gather(*(session(browser, url, seconds, latencies, errors, i) for i in range(sessions)))
        await browser.close()
    return latencies, errors


def run(
    sessions: int,
    seconds: float,
    db: Path | None,
    client: str = "protocol",
    think_s: float = 0.0,
    wall: bool = False,
    refresh_s: int | None = None,
    spread: float | None = None,
) -> dict:
    """Serve a copy of ``db`` (or a fresh demo store), drive ``sessions`` sessions for ``seconds``; return the results.

    ``wall``: every session is a wall (``?screen=1``) refreshing itself; ``refresh_s`` its interval,
    ``spread`` how much longer each wall's own interval may be (``screen_refresh_spread``; 0: all
    walls exactly ``refresh_s``, so walls opened together refresh together).
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "load.duckdb"
        if db and pgstore.is_url(str(db)):
            path = str(db)  # a server store is served as it is: the sessions only read
        elif db:
            shutil.copy(db, path)
        else:
            demo.build_demo_file(path)
        env = {}
        lines = [f"screen_refresh_s = {int(refresh_s)}"] if refresh_s else []
        lines += [f"screen_refresh_spread = {float(spread)}"] if spread is not None else []
        if lines:
            settings = Path(tmp) / "settings.toml"
            settings.write_text("[yitu]\n" + "\n".join(lines) + "\n")
            env["YITU_SETTINGS"] = str(settings)
        with app_process(path, env) as (url, process):
            samples: list[tuple[float, float]] = []
            stop = threading.Event()
            sampler = threading.Thread(target=sample_rss, args=(process.pid, stop, samples), daemon=True)
            sampler.start()
            first_runs: list[float] = []
            cpu_before, load_before = cpu_seconds(process.pid), os.getloadavg()[0]
            other_runs: list[int] = []
            latencies, errors = asyncio.run(
                drive(url, sessions, seconds, client, first_runs, think_s, wall, other_runs)
            )
            cpu_used, load_after = cpu_seconds(process.pid) - cpu_before, os.getloadavg()
            stop.set()
            sampler.join()
    quantiles = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [float("nan")] * 19
    rss = [mb for _, mb in samples]
    return {
        "date": time.strftime("%Y-%m-%d"),
        "client": client,
        "wall": wall,
        "refresh_s": refresh_s,
        "spread": spread,
        "sessions": sessions,
        "think_s": think_s,
        "seconds": seconds,
        "reruns": len(latencies),
        # --wall: reruns of the page's other self-refreshing fragments (not timed, but load on the server).
        "other_fragment_runs": len(other_runs),
        # Protocol client: connect + first page run per session, in the order they finished.
        "first_runs_s": [round(s, 3) for s in sorted(first_runs)],
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(quantiles[18], 3),
        "errors": len(errors),
        "error_samples": errors[:10],
        # Server CPU per rerun (first page runs included): what a rerun costs, whatever else the machine runs.
        "server_cpu_s": round(cpu_used, 1),
        "server_cpu_ms_per_rerun": (
            round(1000 * cpu_used / (len(latencies) + len(other_runs)), 1) if latencies else None
        ),
        # Load average of the machine (1 min) before and at the end of the run: others' work queues with ours.
        "load_avg": [round(load_before, 1), round(load_after[0], 1)],
        "rss_mb_first": rss[0] if rss else None,
        "rss_mb_max": max(rss) if rss else None,
        "rss_mb_last": rss[-1] if rss else None,
        "rss_samples": samples,
    }


# ------------------------------------------------------------------ side by side


def _stats(latencies: list[float], errors: list[str], seconds: float) -> dict:
    quantiles = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [float("nan")] * 19
    return {
        "reruns": len(latencies),
        "throughput": round(len(latencies) / seconds, 2),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(quantiles[18], 3),
        "errors": len(errors),
        "error_samples": errors[:5],
    }


def _measure(url: str, pids: list[int], sessions: int, seconds: float, think_s: float) -> dict:
    """Drive ``sessions`` protocol sessions against ``url``; sample the RSS of every pid meanwhile."""
    stop = threading.Event()
    samples = {pid: [] for pid in pids}
    threads = [threading.Thread(target=sample_rss, args=(pid, stop, samples[pid]), daemon=True) for pid in pids]
    for thread in threads:
        thread.start()
    cpu_before, load_before = sum(cpu_seconds(pid) for pid in pids), os.getloadavg()[0]
    latencies, errors = asyncio.run(drive(url, sessions, seconds, "protocol", [], think_s))
    cpu_used, load_after = sum(cpu_seconds(pid) for pid in pids) - cpu_before, os.getloadavg()[0]
    stop.set()
    for thread in threads:
        thread.join()
    result = _stats(latencies, errors, seconds)
    result["rss_mb_max"] = [max((mb for _, mb in samples[pid]), default=None) for pid in pids]
    result["server_cpu_s"] = round(cpu_used, 1)
    result["cpu_ms_per_rerun"] = round(1000 * cpu_used / len(latencies)) if latencies else None
    result["load_avg"] = [round(load_before, 1), round(load_after, 1)]
    return result


def _replica_pids(log_path: Path, ports: list[int]) -> list[int]:
    import re

    text = log_path.read_text()
    return [int(re.findall(rf"starting on port {port} \(pid (\d+)\)", text)[-1]) for port in ports]


def _serve_replicas(url: str, count: int, tmp: Path):
    """Start ``serve.py --replicas count`` on the server store ``url``; return (supervisor, ports, log path)."""
    import subprocess
    import urllib.request

    from emergency import config
    from tests.browser import free_port

    base = free_port()
    ports = [base + i for i in range(count)]
    log_path = tmp / f"supervisor-{count}.log"
    log = log_path.open("w")
    supervisor = subprocess.Popen(
        [sys.executable, "scripts/serve.py", "--replicas", str(count), "--server.port", str(base)]
        + ["--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=config.PROJECT_ROOT,
        # A load test on one machine, loopback only: the demo mode without sign-in.
        env={**os.environ, config.DB_URL_ENV: url, "YITU_REPLICAS_WITHOUT_SIGN_IN": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def healthy(port: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    deadline = time.monotonic() + 180
    while not all(healthy(port) for port in ports):
        if supervisor.poll() is not None or time.monotonic() > deadline:
            supervisor.kill()
            raise RuntimeError(f"replicas did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.5)
    return supervisor, ports, log_path


def _stop(supervisor) -> None:
    import signal
    import subprocess

    supervisor.send_signal(signal.SIGTERM)
    try:
        supervisor.wait(timeout=60)
    except subprocess.TimeoutExpired:
        supervisor.kill()


def _sessions_per_replica(log_path: Path) -> dict[str, int]:
    from collections import Counter

    from tests.nginx import upstream_log

    rows = [r for r in upstream_log(log_path) if "/_stcore/stream" in r["request"] and r["status"] == "101"]
    return dict(Counter(r["upstream"].split(", ")[-1] for r in rows))


def compare(sessions: int, seconds: float, think_s: float) -> dict:
    """The embedded store, then 1 and 2 replicas behind nginx on PostgreSQL: back to back and paced."""
    import psycopg

    from emergency import pgstore
    from tests.browser import free_port
    from tests.feed_sources import Postgres
    from tests.nginx import nginx_proxy

    results: dict[str, dict] = {}

    def both(url: str, pids: list[int]) -> dict:
        return {
            "back_to_back": _measure(url, pids, sessions, seconds, 0.0),
            "paced": _measure(url, pids, sessions, seconds, think_s),
        }

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "load.duckdb"
        demo.build_demo_file(path)
        with app_process(path) as (url, process):
            print("embedded DuckDB store, 1 process ...", flush=True)
            results["embedded"] = both(url, [process.pid])
        server = Postgres()
        try:
            with psycopg.connect(pgstore.libpq_url(server.url), autocommit=True) as admin:
                admin.execute("CREATE DATABASE load")
            store_url = server.url.replace("/postgres?", "/load?", 1)
            demo.build_demo_file(store_url)
            for count in (1, 2):
                supervisor, ports, _log = _serve_replicas(store_url, count, tmp)
                try:
                    pids = _replica_pids(tmp / f"supervisor-{count}.log", ports)
                    with nginx_proxy(tmp / f"nginx-{count}", free_port(), ports) as (proxy_url, access_log):
                        print(f"PostgreSQL store, {count} replica(s) behind nginx ...", flush=True)
                        results[f"pg_{count}"] = both(proxy_url, pids)
                        results[f"pg_{count}"]["sessions_per_replica"] = _sessions_per_replica(access_log)
                finally:
                    _stop(supervisor)
        finally:
            server.remove()
    return results


def print_comparison(results: dict, sessions: int, seconds: float, think_s: float) -> None:
    """Print the three set-ups side by side (Markdown table)."""
    columns = [("embedded", "DuckDB, 1 process"), ("pg_1", "PostgreSQL, 1 replica"), ("pg_2", "PostgreSQL, 2 replicas")]
    present = [(key, title) for key, title in columns if key in results]

    def cell(key: str, mode: str, field: str) -> str:
        value = results[key][mode][field]
        return "–" if value is None else str(value)

    def rss(key: str) -> str:
        values = [
            max(filter(None, pair), default=None)
            for pair in zip(*(results[key][m]["rss_mb_max"] for m in ("back_to_back", "paced")), strict=True)
        ]
        return " / ".join(f"{v:.0f}" for v in values if v is not None)

    rows = [
        (f"{sessions} sessions back to back: reruns/s", lambda k: cell(k, "back_to_back", "throughput")),
        ("… p50 s", lambda k: cell(k, "back_to_back", "p50_s")),
        ("… p95 s", lambda k: cell(k, "back_to_back", "p95_s")),
        ("… errors", lambda k: cell(k, "back_to_back", "errors")),
        (f"{sessions} sessions, {think_s:g} s think: p95 s", lambda k: cell(k, "paced", "p95_s")),
        ("… p50 s", lambda k: cell(k, "paced", "p50_s")),
        ("… errors", lambda k: cell(k, "paced", "errors")),
        ("RSS per replica, max MB", rss),
        ("server CPU ms per rerun (back to back)", lambda k: cell(k, "back_to_back", "cpu_ms_per_rerun")),
        (
            "machine load average, start → end (back to back)",
            lambda k: " → ".join(str(v) for v in results[k]["back_to_back"]["load_avg"]),
        ),
        (
            "server CPU s (back to back + paced)",
            lambda k: f"{results[k]['back_to_back']['server_cpu_s'] + results[k]['paced']['server_cpu_s']:.0f}",
        ),
    ]
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')} · {seconds:g} s per measurement · {os.cpu_count()} cores")
    print("| | " + " | ".join(title for _, title in present) + " |")
    print("| --- |" + " --- |" * len(present))
    for label, value in rows:
        print(f"| {label} | " + " | ".join(value(key) for key, _ in present) + " |")
    if "pg_1" in results and "pg_2" in results:
        one, two = results["pg_1"]["back_to_back"], results["pg_2"]["back_to_back"]
        ratio = two["throughput"] / one["throughput"] if one["throughput"] else float("nan")
        print(
            f"\n2 replicas / 1 replica throughput: {ratio:.2f}x (target >= 1.6); "
            f"p95 {two['p95_s']} s vs {one['p95_s']} s (target: lower)"
        )
        print(f"sessions per replica (2 replicas): {results['pg_2'].get('sessions_per_replica')}")
    for key, _ in present:
        for mode in ("back_to_back", "paced"):
            for error in results[key][mode]["error_samples"]:
                print(f"  {key} {mode}: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument(
        "--client",
        choices=("protocol", "chromium"),
        default="protocol",
        help="Streamlit's websocket protocol (default) or headless Chromium pages",
    )
    parser.add_argument(
        "--think",
        dest="think_s",
        type=float,
        default=0.0,
        help="protocol client: mean seconds a session waits between picks (0: back to back)",
    )
    parser.add_argument("--db", type=Path, help="store to copy (default: a fresh demo store)")
    parser.add_argument(
        "--wall",
        action="store_true",
        help="every session is a command-centre wall (?screen=1) left open, refreshing itself",
    )
    parser.add_argument(
        "--refresh",
        dest="refresh_s",
        type=int,
        help="with --wall: the wall's refresh interval for this run, s (screen_refresh_s)",
    )
    parser.add_argument(
        "--spread",
        type=float,
        help="with --wall: how much longer each wall's own interval may be, as a fraction (screen_refresh_spread; "
        "0: every wall refreshes exactly every --refresh s, in step with the walls opened with it)",
    )
    parser.add_argument("--json", dest="json_path", type=Path)
    parser.add_argument(
        "--compare",
        action="store_true",
        help="embedded store, then 1 and 2 replicas behind nginx on PostgreSQL: back to back and at --think (5 s)",
    )
    args = parser.parse_args()
    if args.compare:
        think = args.think_s or 5.0
        results = compare(args.sessions, args.seconds, think)
        print_comparison(results, args.sessions, args.seconds, think)
        if args.json_path:
            args.json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2))
        return
    result = run(
        args.sessions, args.seconds, args.db, args.client, args.think_s, args.wall, args.refresh_s, args.spread
    )
    spread = "configured" if args.spread is None else f"{args.spread:g}"
    mode = f"wall, refresh {args.refresh_s or 'configured'} s, spread {spread}, " if args.wall else ""
    others = f"(+ {result['other_fragment_runs']} reruns of other fragments) " if args.wall else ""
    print(
        f"{mode}{result['client']} client, {result['sessions']} sessions, think {result['think_s']:g} s, "
        f"{result['seconds']:g} s: {result['reruns']} reruns {others}"
        f"p50 {result['p50_s']} s, p95 {result['p95_s']} s, {result['errors']} errors; "
        f"server RSS {result['rss_mb_first']} -> max {result['rss_mb_max']} -> {result['rss_mb_last']} MB"
    )
    print(
        f"server CPU {result['server_cpu_s']} s ({result['server_cpu_ms_per_rerun']} ms per rerun); "
        f"machine load average {result['load_avg'][0]} -> {result['load_avg'][1]} on {os.cpu_count()} cores"
    )
    if result["first_runs_s"]:
        print(
            f"first page run per session (connect to script_finished): fastest {result['first_runs_s'][0]} s, "
            f"slowest {result['first_runs_s'][-1]} s"
        )
    for error in result["error_samples"]:
        print("  ", error)
    if args.json_path:
        args.json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
