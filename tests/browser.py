"""Real-browser harness: the app under `streamlit run` on a free loopback port, driven by Chromium."""

from __future__ import annotations

import io
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from PIL import Image
from playwright.sync_api import Page, sync_playwright

from emergency import config, mapdata
from emergency.mapdata import WORLD_PX

CHROMIUM = "/usr/bin/chromium"
# Background-networking flags keep Chromium itself from calling Google hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
START_TIMEOUT_S = 90
STREAMLIT_BASE_PATH_PROBES = ("/_stcore/health", "/_stcore/host-config")
RUN_TIMEOUT_MS = 60_000
# Poll intervals of the condition waits below (not pauses: each returns as soon as its condition holds).
RUN_POLL_INTERVAL_MS = 50
CANVAS_POLL_INTERVAL_MS = 400
# A deck.gl or Plotly canvas on the shared 2-core test machine may take long to draw; nothing waits longer than needed.
CANVAS_TIMEOUT_MS = 60_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(db_path: Path, extra_env: dict[str, str] | None = None):
    """Run the app on a free loopback port with its store at ``db_path``; yield its URL."""
    with app_process(db_path, extra_env) as (url, _process):
        yield url


@contextmanager
def app_process(
    db_path: Path, extra_env: dict[str, str] | None = None, port: int | None = None, extra_args: tuple[str, ...] = ()
):
    """Run the app on a loopback port (a free one by default); yield (URL, server process) once it is healthy."""
    port = port or free_port()
    env = {**os.environ, config.DB_PATH_ENV: str(db_path), **(extra_env or {})}
    log_path = ARTIFACTS / f"server-{port}.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "scripts/serve.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                *extra_args,
            ],
            cwd=config.PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"app did not start: {log_path.read_text()[-3000:]}")
                time.sleep(0.3)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@dataclass
class Watch:
    """What a page did that a test must refuse: console errors, outside requests, dialogs."""

    app_host: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    probe_404s: list[str] = field(default_factory=list)
    probe_logs: int = 0

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))

    def _response(self, response) -> None:
        path = urlparse(response.url).path
        # Opened at a page's own URL (/warning), Streamlit's frontend first probes
        # /warning/_stcore/health and /host-config for a base path: 404s of its own.
        under_a_page = path.count("/") > 2
        if response.status == 404 and under_a_page and path.endswith(STREAMLIT_BASE_PATH_PROBES):
            self.probe_404s.append(response.url)
        elif response.status >= 400:
            self.console_errors.append(f"HTTP {response.status} {response.url}")

    def _console(self, message) -> None:
        # The browser also logs each failed response once; probe 404s are accounted above.
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and len(self.probe_404s) > self.probe_logs:
            self.probe_logs += 1
            return
        self.console_errors.append(message.text)

    def _request(self, request) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in ("data", "blob"):
            return
        if parsed.netloc != self.app_host:
            self.outside_requests.append(request.url)

    def assert_clean(self) -> None:
        assert not self.outside_requests, f"requests to outside hosts: {self.outside_requests}"
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.dialogs, f"dialogs fired: {self.dialogs}"


@contextmanager
def browser_page(url: str, width: int = 1600, height: int = 1000, headers: dict[str, str] | None = None):
    """Yield (page, watch) in headless system Chromium; ``headers`` go with every request (a proxy's)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(
                viewport={"width": width, "height": height}, locale="zh-CN", extra_http_headers=headers
            )
            page.add_init_script(RUN_WATCH_JS)
            watch = Watch(urlparse(url).netloc)
            watch.attach(page)
            yield page, watch
        finally:
            browser.close()


# Installed in every page (browser_page's init script; wait_for_app adds it to any other page): counts the
# rerun requests the page sends (BackMsg.rerun_script, field 11, is the first field of its message: byte 0x5A)
# and, each time the script state turns back to notRunning, marks every request sent so far as answered;
# it counts the times the connection to the server was lost too.
RUN_WATCH_JS = """(() => {
  if (window.__appRuns) return;
  const runs = window.__appRuns = {requested: 0, answered: 0, finished: 0, disconnects: 0};
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    if (bytes && bytes.length && bytes[0] === 0x5a) { runs.requested += 1; runs.lastRequest = performance.now(); }
    if (!this.__runWatch) {
      this.__runWatch = true;
      this.addEventListener('message', () => { runs.lastMessage = performance.now(); });
    }
    return send.call(this, data);
  };
  new MutationObserver(changes => {
    for (const change of changes) {
      const now = change.target.getAttribute(change.attributeName);
      if (change.attributeName === 'data-test-connection-state') {
        if (change.oldValue === 'CONNECTED' && now !== 'CONNECTED') runs.disconnects += 1;
      } else if (now === 'notRunning' && change.oldValue !== 'notRunning') {
        runs.finished += 1;
        runs.answered = runs.requested;
      }
    }
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state', 'data-test-connection-state']});
})()"""

# The app is settled: connected, its script not running, every rerun the page asked for has run. A run
# so short that the page never showed it running leaves no trace in the script state: then the server's
# answer is its messages, so a page that has heard from the server since its last request and then
# nothing for SETTLED_QUIET_MS counts as settled too.
SETTLED_QUIET_MS = 1000
APP_SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  const runs = window.__appRuns;
  if (!app || !runs || app.dataset.testConnectionState !== 'CONNECTED' || app.dataset.testScriptState !== 'notRunning')
    return false;
  if (runs.answered >= runs.requested) return true;
  const heard = (runs.lastMessage || 0) > (runs.lastRequest || 0);
  return heard && performance.now() - runs.lastMessage > QUIET_MS;
}""".replace("QUIET_MS", str(SETTLED_QUIET_MS))


def watch_runs(page: Page) -> None:
    """Make sure ``page`` counts its script runs (browser_page's pages do from their first request)."""
    if not page.evaluate("() => !!window.__appRuns"):
        page.add_init_script(RUN_WATCH_JS)
        page.evaluate(RUN_WATCH_JS)


def wait_for_app(page: Page, timeout: int = RUN_TIMEOUT_MS) -> None:
    """Wait until the app is connected and has run every rerun the page requested (a click, a page switch).

    The condition, not a pause: the page counts the rerun requests it sends over the websocket and the
    script runs that finish (RUN_WATCH_JS), so a run that has not started yet is still waited for, and
    an action that asks for no run (opening an expander) costs nothing.
    """
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout)
    watch_runs(page)
    try:
        page.wait_for_function(APP_SETTLED_JS, timeout=timeout, polling=RUN_POLL_INTERVAL_MS)
    except Exception as error:
        state = page.evaluate(
            "() => ({runs: window.__appRuns, app: {...(document.querySelector('[data-testid=stApp]')?.dataset || {})}})"
        )
        raise AssertionError(f"the app did not settle in {timeout} ms: {state}") from error


def assert_no_exception(page: Page) -> None:
    exceptions = page.locator("[data-testid=stException]")
    assert exceptions.count() == 0, exceptions.first.inner_text()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def project(view: dict, lon: float, lat: float, width: float, height: float) -> tuple[float, float]:
    """Pixel of (lon, lat) in a deck.gl Web Mercator viewport (512 px world at zoom 0)."""
    scale = WORLD_PX * 2 ** view["zoom"]

    def xy(lo, la):
        return (lo + 180) / 360 * scale, (
            1 - math.log(math.tan(math.pi / 4 + math.radians(la) / 2)) / math.pi
        ) / 2 * scale

    cx, cy = xy(view["longitude"], view["latitude"])
    x, y = xy(lon, lat)
    return width / 2 + (x - cx), height / 2 + (y - cy)


DECK = "[data-testid=stDeckGlJsonChart]"


SAVE_SCROLL_JS = """el => { const saved = [[document.scrollingElement, scrollX, scrollY]];
  for (let e = el.parentElement; e; e = e.parentElement) saved.push([e, e.scrollLeft, e.scrollTop]);
  window.__savedScroll = saved; }"""
RESTORE_SCROLL_JS = """() => { for (const [e, left, top] of (window.__savedScroll || []).reverse()) {
  e.scrollLeft = left; e.scrollTop = top; } }"""


def _blank(png: bytes) -> bool:
    """Whether an element screenshot is (almost) one colour: nothing drawn yet."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int32).reshape(-1, 3)
    _, counts = np.unique(pixels[:, 0] << 16 | pixels[:, 1] << 8 | pixels[:, 2], return_counts=True)
    return counts.max() > 0.98 * len(pixels)


def wait_for_canvas(page: Page, selector: str = DECK, timeout: int = CANVAS_TIMEOUT_MS) -> bytes:
    """Wait until the first ``selector`` (the deck.gl map by default) has drawn and holds still; return its PNG.

    Drawn: its canvas has a size and its screenshot is not one colour. Still: two screenshots one poll
    interval apart are the same (the base map, the layers and any view transition are done).
    """
    element = page.locator(selector).first
    canvas = element.locator("canvas").first
    canvas.wait_for(timeout=timeout)
    page.wait_for_function(
        "canvas => canvas.width > 0 && canvas.height > 0", arg=canvas.element_handle(), timeout=timeout
    )
    deadline = time.monotonic() + timeout / 1000
    previous = None
    painted(page)  # a frame for the props the last run gave the deck
    # Element screenshots scroll the element into view: a wait must leave the page where it was.
    element.evaluate(SAVE_SCROLL_JS)
    try:
        while True:
            png = element.screenshot(animations="disabled")
            if png == previous and not _blank(png):
                return png
            if time.monotonic() > deadline:
                raise AssertionError(f"{selector} did not draw a steady picture in {timeout} ms")
            previous = png
            page.wait_for_timeout(CANVAS_POLL_INTERVAL_MS)  # poll interval
    finally:
        page.evaluate(RESTORE_SCROLL_JS)


def wait_for_plots(page: Page, timeout: int = CANVAS_TIMEOUT_MS) -> None:
    """Wait until every Plotly chart on the page has drawn (laid out, its SVG in place)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')].every(chart => {
             const plot = chart.querySelector('.js-plotly-plot');
             return plot && plot._fullLayout && plot.querySelector('.main-svg');
           })""",
        timeout=timeout,
        polling=CANVAS_POLL_INTERVAL_MS,
    )


# Each st.dataframe shown in the window (not in a closed expander): whether glide has drawn its canvas and,
# where it has built its accessible table (for a grid with rows), whether that table holds cells.
TABLES_JS = """() => [...document.querySelectorAll('[data-testid=stDataFrame]')]
  .filter(frame => { const box = frame.getBoundingClientRect();
    return frame.checkVisibility() && box.height > 0 && box.top < innerHeight && box.bottom > 0; })
  .map(frame => { const grid = frame.querySelector('table[role=grid]');
    const canvas = frame.querySelector('canvas');
    const rows = grid ? grid.getAttribute('aria-rowcount') : null;
    const cells = !grid || rows === '1' || !!grid.querySelector('[role=gridcell]');
    return {rows, filled: !!canvas && canvas.width > 0 && cells}; })"""


def wait_for_tables(page: Page, timeout: int = CANVAS_TIMEOUT_MS) -> None:
    """Wait until every st.dataframe grid in the window holds its cells (glide's accessible table)."""
    try:
        page.wait_for_function(
            f"() => ({TABLES_JS})().every(table => table.filled)", timeout=timeout, polling=CANVAS_POLL_INTERVAL_MS
        )
    except Exception as error:
        raise AssertionError(f"grids not filled at {page.url}: {page.evaluate(TABLES_JS)}") from error


def wait_for_charts(page: Page, timeout: int = CANVAS_TIMEOUT_MS) -> None:
    """Wait until the page's Plotly charts, data grids and deck.gl map, those it has, have drawn.

    Streamlit loads the chart components on first use and shows a skeleton meanwhile: they are waited for
    first. A run that starts meanwhile (a fragment's refresh) may redraw them: then all is waited for again.
    """
    while True:
        wait_for_app(page, timeout)
        finished = page.evaluate("() => window.__appRuns.finished")
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=stSkeleton]')",
            timeout=timeout,
            polling=CANVAS_POLL_INTERVAL_MS,
        )
        wait_for_plots(page, timeout)
        wait_for_tables(page, timeout)
        if page.locator(DECK).count():
            wait_for_canvas(page, timeout=timeout)
        painted(page)
        if page.evaluate(APP_SETTLED_JS) and page.evaluate("() => window.__appRuns.finished") == finished:
            return


def painted(page: Page) -> None:
    """Wait until the browser has painted what the page holds now (two animation frames)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def deck_box(page: Page) -> dict:
    """The drawn one-map deck canvas, scrolled into view: its page box (the viewport deck.gl projects into)."""
    deck = page.locator(DECK).first
    wait_for_canvas(page)
    deck.scroll_into_view_if_needed()
    # deck.gl's own canvas fills the viewport it projects into (the base map's may differ in a resize).
    canvas = deck.locator("canvas#deckgl-overlay")
    return canvas.bounding_box()


def largest_township(db_path: Path):
    """The store's largest township and the one-map view of its county, for canvas clicks."""
    from components.one_map import MAP_HEIGHT_PX
    from emergency import queries, store

    conn = store.connect(db_path, read_only=True)
    try:
        townships = queries.townships(conn)
        box = queries.county(conn).iloc[0]
    finally:
        conn.close()
    view = mapdata.fit_view(box["min_lon"], box["min_lat"], box["max_lon"], box["max_lat"], height_px=MAP_HEIGHT_PX)
    return townships.sort_values("area_km2").iloc[-1], view


def map_point(page: Page, view: dict, lon: float, lat: float) -> tuple[float, float]:
    """Page coordinates of (lon, lat) on the drawn one-map canvas (scrolled into view).

    Projected with the view the app gives the deck (``view``) into the deck canvas's own size and place
    on the page, read when it has drawn.
    """
    bounds = deck_box(page)
    x, y = project(view, lon, lat, bounds["width"], bounds["height"])
    return bounds["x"] + x, bounds["y"] + y


def click_township_on_map(page: Page, township, view: dict) -> None:
    """Switch the point layers off, click the township on the canvas, wait for its detail panel."""
    # Without the point layers the click lands on the township polygon, not on a gauge.
    for name in ("雨量站", "事件"):
        page.locator("[data-testid=stButtonGroup] button", has_text=name).click()
        wait_for_app(page)
    click_map_until(
        page,
        lambda: map_point(page, view, township["label_lon"], township["label_lat"]),
        page.locator(".st-key-one_map_detail_panel", has_text=township["name"]),
    )
    wait_for_app(page)


def click_map_until(page: Page, point, shown, attempts: int = 3, timeout: int = 20_000) -> None:
    """Click the deck canvas at ``point()`` until ``shown`` (a locator) appears.

    deck.gl may draw a frame before its picking is ready for the new layers: a click then selects
    nothing (seen about once in ten runs on the loaded test machine). Clicking again is what a person
    does; each attempt waits for the result, none sleeps.
    """
    for attempt in range(attempts):
        page.mouse.click(*point())
        try:
            shown.first.wait_for(timeout=timeout)
            return
        except Exception:
            wait_for_app(page)  # a run the click started, however slow, ends before any second click
            if shown.first.is_visible():
                return
            if attempt == attempts - 1:
                raise
