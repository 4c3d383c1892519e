"""Load test: N real browser sessions change filters on the local app for a bounded time.

    .venv/bin/python scripts/load.py [--sessions 20] [--seconds 120] [--db PATH] [--json out.json]

Each session is a headless Chromium page (a real websocket session) that keeps picking another
time window in the sidebar and waits until the app has rerun; the time from the pick to the end
of the rerun is one latency sample. Reports p50/p95 latency, errors (exception elements, console
errors, failed reruns) and the server's RSS sampled over the run. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.async_api import async_playwright  # noqa: E402

from emergency import demo  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, app_process  # noqa: E402

# Window choices a session cycles through (labels of the sidebar select, in Chinese).
WINDOW_LABELS = ("最近 1 小时", "最近 3 小时", "最近 6 小时", "最近 12 小时", "最近 24 小时", "最近 72 小时")
READY = "[data-testid=stApp][data-test-connection-state=CONNECTED][data-test-script-state=notRunning]"
RSS_EVERY_S = 2.0
PERIOD_PREFIX = "时段："
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
            await select.click()
            started = time.monotonic()
            await page.get_by_role("option", name=label, exact=True).click()
            # Done when the page shows the new period and the script has finished.
            await page.wait_for_function(RERUN_DONE_JS, arg=[PERIOD_PREFIX, before], timeout=60_000)
            latencies.append(time.monotonic() - started)
            if await page.locator("[data-testid=stException]").count():
                errors.append(f"session {index}: exception shown")
    except Exception as error:  # a failed session is an error of the run, not a crash of the script
        errors.append(f"session {index}: {type(error).__name__}: {str(error)[:200]}")
    finally:
        await context.close()


async def drive(url: str, sessions: int, seconds: float) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        await asyncio.gather(*(session(browser, url, seconds, latencies, errors, i) for i in range(sessions)))
        await browser.close()
    return latencies, errors


def run(sessions: int, seconds: float, db: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "load.duckdb"
        if db:
            shutil.copy(db, path)
        else:
            demo.build_demo_file(path)
        with app_process(path) as (url, process):
            samples: list[tuple[float, float]] = []
            stop = threading.Event()
            sampler = threading.Thread(target=sample_rss, args=(process.pid, stop, samples), daemon=True)
            sampler.start()
            latencies, errors = asyncio.run(drive(url, sessions, seconds))
            stop.set()
            sampler.join()
    quantiles = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [float("nan")] * 19
    rss = [mb for _, mb in samples]
    return {
        "date": time.strftime("%Y-%m-%d"),
        "sessions": sessions,
        "seconds": seconds,
        "reruns": len(latencies),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(quantiles[18], 3),
        "errors": len(errors),
        "error_samples": errors[:10],
        "rss_mb_first": rss[0] if rss else None,
        "rss_mb_max": max(rss) if rss else None,
        "rss_mb_last": rss[-1] if rss else None,
        "rss_samples": samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--db", type=Path, help="store to copy (default: a fresh demo store)")
    parser.add_argument("--json", dest="json_path", type=Path)
    args = parser.parse_args()
    result = run(args.sessions, args.seconds, args.db)
    print(f"{result['sessions']} sessions, {result['seconds']:g} s: {result['reruns']} reruns, "
          f"p50 {result['p50_s']} s, p95 {result['p95_s']} s, {result['errors']} errors; "
          f"server RSS {result['rss_mb_first']} -> max {result['rss_mb_max']} -> {result['rss_mb_last']} MB")
    for error in result["error_samples"]:
        print("  ", error)
    if args.json_path:
        args.json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
