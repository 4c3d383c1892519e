"""Real-browser harness: the app under `streamlit run` on a free loopback port, driven by Chromium."""

from __future__ import annotations

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
            watch = Watch(urlparse(url).netloc)
            watch.attach(page)
            yield page, watch
        finally:
            browser.close()


def wait_for_app(page: Page) -> None:
    """Wait until the app is connected and its script has finished running."""
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=RUN_TIMEOUT_MS)
    # The script state flips to running shortly after connecting; give it a moment first.
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=RUN_TIMEOUT_MS)


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


# The deck canvas draws a few seconds after the script finishes.
CANVAS_SETTLE_MS = 5000


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
    """Page coordinates of (lon, lat) on the drawn one-map canvas (scrolled into view)."""
    deck = page.locator("[data-testid=stDeckGlJsonChart]")
    deck.locator("canvas").first.wait_for()
    page.wait_for_timeout(CANVAS_SETTLE_MS)
    deck.scroll_into_view_if_needed()
    bounds = deck.bounding_box()
    x, y = project(view, lon, lat, bounds["width"], bounds["height"])
    return bounds["x"] + x, bounds["y"] + y


def click_township_on_map(page: Page, township, view: dict) -> None:
    """Switch the point layers off, click the township on the canvas, wait for its detail panel."""
    # Without the point layers the click lands on the township polygon, not on a gauge.
    for name in ("雨量站", "事件"):
        page.locator("[data-testid=stButtonGroup] button", has_text=name).click()
        wait_for_app(page)
    page.mouse.click(*map_point(page, view, township["label_lon"], township["label_lat"]))
    page.locator(".st-key-one_map_detail_panel", has_text=township["name"]).wait_for(timeout=30_000)
    wait_for_app(page)
