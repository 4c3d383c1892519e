"""The wall's dark theme (CSS) and its two browser helpers (clock, screen size).

All sizes scale with the screen: 1 rem is 18 px on a 1920×1080 screen, 36 px at 3840×2160
and 12.8 px at 1366×768 (``min(1vw, 1.7778vh) × 0.9375``), so the same layout fills any 16:9
screen and type keeps its size relative to the room. Colours are chosen for projection:
light text on a dark panel (≥ 4.5:1, checked by the browser test).
"""

from __future__ import annotations

import json

from emergency import clock

# Design screen: what the sizes of the map labels and the chart text are given for.
DESIGN_W, DESIGN_H = 1920, 1080
# Body text at the design screen, CSS px (the "≥ 18 px at 1080p").
BODY_PX = 18.0
# Column shares of the body (KPIs | map | list, chart, ticker), percent of the width.
LEFT_PCT, RIGHT_PCT = 21.0, 25.5
# Height of the title bar and page padding, rem (the map gets the rest of the height).
HEAD_REM, PAD_REM, GAP_REM = 3.4, 0.45, 0.45

BG = "#07111c"
PANEL = "#0e1f30"
PANEL_BORDER = "#22405c"
TEXT = "#e2eaf2"
MUTED = "#a8bccf"
ALARM = "#ff5a5f"
OK = "#5fd39a"
CHANGED = "#ffd24a"


def W(key: str) -> str:
    """Selector of the layout wrapper Streamlit puts around the keyed container ``key``."""
    return f'[data-testid="stLayoutWrapper"]:has(> .st-key-{key})'


CSS = f"""
<style>
:root {{ --wall-u: min(1vw, 1.7778vh); }}
html {{ font-size: calc(var(--wall-u) * {BODY_PX / DESIGN_W * 100:.4f}) !important; }}
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarCollapseButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stBottom"] {{ display: none !important; }}
html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  background: {BG} !important; color: {TEXT}; overflow: hidden !important; }}
.stApp {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; }}
[data-testid="stMainBlockContainer"] {{ padding: {PAD_REM}rem !important; max-width: 100% !important; }}
[data-testid="stMainBlockContainer"] > div > [data-testid="stVerticalBlock"] {{ gap: 0 !important; }}
/* No fading while a refresh runs: the old figures stay until the new ones replace them. */
[data-stale="true"], .stale-element {{ opacity: 1 !important; transition: none !important; filter: none !important; }}
{W("wall")} {{ height: calc(100vh - {2 * PAD_REM}rem) !important; flex: 0 0 auto !important; }}
.st-key-wall {{ height: 100% !important; gap: {GAP_REM}rem !important; overflow: hidden;
  flex-wrap: nowrap !important; }}
{W("wall_body")} {{ flex: 1 1 0 !important; min-height: 0; height: auto !important; }}
.st-key-wall_body {{ height: 100% !important; gap: {GAP_REM}rem !important; flex-wrap: nowrap !important;
  align-items: stretch !important; }}
{W("wall_left")} {{ flex: 0 0 {LEFT_PCT}% !important; width: {LEFT_PCT}% !important; max-width: {LEFT_PCT}% !important; min-width: 0 !important; }}
{W("wall_right")} {{ flex: 0 0 {RIGHT_PCT}% !important; width: {RIGHT_PCT}% !important; max-width: {RIGHT_PCT}% !important; min-width: 0 !important; }}
{W("wall_centre")} {{ flex: 1 1 0 !important; min-width: 0 !important; width: auto !important; }}
.st-key-wall_left, .st-key-wall_right, .st-key-wall_centre {{ height: 100% !important; width: 100% !important;
  min-width: 0; flex-wrap: nowrap !important; gap: {GAP_REM}rem !important; }}
.st-key-wall_left > [data-testid="stElementContainer"] {{ flex: 1 1 0 !important; min-height: 0; }}
.st-key-wall_left .stHtml {{ height: 100%; }}
.st-key-wall_right > [data-testid="stElementContainer"]:has(.wall-ticker) {{ flex: 1 1 0 !important; min-height: 0; }}
.st-key-wall_right .stHtml:has(.wall-ticker) {{ height: 100%; }}
.wall-ticker {{ height: 100%; box-sizing: border-box; }}
.st-key-wall_centre {{ position: relative; gap: 0 !important; background: {PANEL}; border: 1px solid {PANEL_BORDER};
  border-radius: .4rem; overflow: hidden; }}
.st-key-wall_centre > [data-testid="stElementContainer"]:has([data-testid="stDeckGlJsonChart"]) {{
  flex: 1 1 0 !important; min-height: 0; height: 100%; }}
.st-key-wall_centre [data-testid="stDeckGlJsonChart"] {{ height: 100% !important; }}
/* No zoom buttons, no element toolbar: the wall has no control but the corner menu. */
.st-key-wall [data-testid="stElementToolbar"], .st-key-wall [class*="maplibregl-ctrl"], .st-key-wall [class*="mapboxgl-ctrl"],
.st-key-wall [class*="deck-widget"] {{ display: none !important; }}
.st-key-wall_centre > [data-testid="stElementContainer"]:has(.wall-legend) {{
  position: absolute !important; left: .5rem; bottom: .5rem; z-index: 5; width: auto !important; }}
.st-key-wall_centre > [data-testid="stElementContainer"]:has(.wall-tour) {{
  position: absolute !important; left: .5rem; top: .5rem; z-index: 5; width: auto !important; }}
{W("wall_chart")} {{ flex: 0 0 30% !important; min-height: 0; height: auto !important; }}
.st-key-wall_chart {{ height: 100% !important; background: {PANEL}; border: 1px solid {PANEL_BORDER};
  border-radius: .4rem; padding: .35rem .5rem 0 .5rem; gap: 0 !important; overflow: hidden; flex-wrap: nowrap !important; }}
.st-key-wall_chart > [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]) {{ flex: 1 1 0 !important; min-height: 0; }}
.st-key-wall_chart [data-testid="stPlotlyChart"] {{ height: 100% !important; }}
.st-key-wall_view, .st-key-wall_view * {{ display: none !important; }}
[data-testid="stElementContainer"]:has(.st-key-wall_view) {{ display: none !important; }}
[data-testid="stElementContainer"]:has(> .stHtml > .wall-script), [data-testid="stElementContainer"]:has(.wall-script) {{
  display: none !important; }}
/* The corner menu: small, top right, out of the way. */
{W("wall_menu")}, .st-key-wall_menu {{ position: fixed !important; top: .3rem; right: .45rem; z-index: 1000; width: auto !important; }}
.st-key-wall_menu button {{ min-height: 0 !important; padding: .1rem .5rem !important; background: {PANEL} !important;
  color: {MUTED} !important; border: 1px solid {PANEL_BORDER} !important; font-size: 1rem !important; }}
.st-key-wall_menu button p, .st-key-wall_menu button span {{ font-size: 1rem !important; }}
.wall-head {{ height: {HEAD_REM}rem; display: flex; align-items: center; gap: 1.2rem; padding: 0 3.4rem 0 .8rem;
  background: linear-gradient(90deg, #0f2a44, {PANEL} 60%); border: 1px solid {PANEL_BORDER}; border-radius: .4rem;
  white-space: nowrap; overflow: hidden; }}
.wall-title {{ font-size: 1.75rem; font-weight: 700; letter-spacing: .05em; color: #ffffff; flex: 0 1 auto;
  overflow: hidden; text-overflow: ellipsis; }}
.wall-chip {{ font-size: 1rem; font-weight: 500; padding: .05rem .45rem; border-radius: .3rem; margin-left: .6rem;
  border: 1px solid {MUTED}; color: {MUTED}; vertical-align: middle; letter-spacing: 0; }}
.wall-meta {{ flex: 1 1 auto; display: flex; gap: 1.1rem; align-items: baseline; justify-content: center;
  font-size: 1.1rem; color: {MUTED}; min-width: 0; }}
.wall-meta b {{ color: {TEXT}; font-weight: 600; font-size: 1.2rem; }}
.wall-alarm {{ color: #ffffff; background: #b3141b; font-weight: 700; padding: .1rem .6rem; border-radius: .3rem;
  font-size: 1.2rem; animation: wall-blink 1.6s step-start infinite; }}
@keyframes wall-blink {{ 50% {{ background: #7a0d12; }} }}
/* A live-source alarm takes the place of the refresh note (the corner menu tells the interval) and of
   the window's dates (its length stays, and the as-of time gives its end). */
.wall-meta:has(.wall-feed-alarm) .wall-refresh, .wall-meta:has(.wall-feed-alarm) .wall-range {{ display: none; }}
.wall-ok {{ color: {OK}; font-weight: 600; }}
.wall-clock-box {{ text-align: right; line-height: 1.05; }}
.wall-clock {{ font-size: 1.9rem; font-weight: 700; color: #ffffff; font-variant-numeric: tabular-nums; }}
.wall-date {{ font-size: 1rem; color: {MUTED}; }}
.wall-panel {{ background: {PANEL}; border: 1px solid {PANEL_BORDER}; border-radius: .4rem; padding: .45rem .7rem;
  overflow: hidden; }}
.wall-panel h3 {{ font-size: 1.15rem; font-weight: 600; color: {MUTED}; margin: 0 0 .25rem 0; padding: 0;
  letter-spacing: .05em; line-height: 1.4; white-space: nowrap; }}
.wall-kpis {{ display: flex; flex-direction: column; gap: {GAP_REM}rem; height: 100%; }}
.wall-kpi {{ flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column; justify-content: center;
  position: relative; }}
.wall-kpi.changed {{ box-shadow: inset 0 0 0 .14rem {CHANGED}; }}
.wall-kpi .mark {{ position: absolute; right: .5rem; top: .35rem; color: #1b1400; background: {CHANGED};
  font-size: 1rem; font-weight: 700; padding: 0 .35rem; border-radius: .25rem; }}
.wall-pair {{ display: flex; gap: .8rem; }}
.wall-pair > div {{ flex: 1 1 0; min-width: 0; }}
.wall-value {{ font-size: 2.75rem; font-weight: 700; color: #ffffff; line-height: 1.1; white-space: nowrap;
  font-variant-numeric: tabular-nums; }}
.wall-value .unit {{ font-size: 1.1rem; font-weight: 500; color: {MUTED}; margin-left: .25rem; }}
.wall-value.changed {{ color: {CHANGED}; }}
.wall-sub {{ font-size: 1rem; color: {MUTED}; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; line-height: 1.45; }}
.wall-sub b {{ color: {TEXT}; font-weight: 600; }}
.wall-levels {{ display: flex; gap: .35rem; }}
.wall-level {{ flex: 1 1 0; min-width: 0; border-radius: .3rem; text-align: center; padding: .05rem 0 .1rem 0; line-height: 1.15; }}
.wall-level .n {{ font-size: 2.75rem; font-weight: 700; display: block; font-variant-numeric: tabular-nums; }}
.wall-level .t {{ font-size: 1rem; font-weight: 600; display: block; line-height: 1.45; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.wall-level.zero {{ opacity: 1; background: #16293b !important; color: {MUTED} !important;
  box-shadow: inset 0 -.25rem 0 var(--c); }}
.wall-rank {{ flex: 0 0 auto; }}
.wall-rank table, .wall-ticker table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
.wall-rank td, .wall-ticker td {{ font-size: 1.05rem; padding: .16rem .25rem; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; border-top: 1px solid #1a324a; line-height: 1.35; color: {TEXT}; }}
.wall-rank td.num, .wall-ticker td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.wall-rank td.idx {{ color: {MUTED}; width: 1.6rem; }}
.wall-rank td.name {{ font-weight: 600; }}
.wall-badge {{ display: inline-block; min-width: 2.6rem; text-align: center; border-radius: .25rem; padding: 0 .3rem;
  font-weight: 700; font-size: 1rem; line-height: 1.45; }}
.wall-ticker {{ flex: 1 1 0; min-height: 0; }}
.wall-ticker td.time {{ color: {MUTED}; width: 6.5rem; font-variant-numeric: tabular-nums; }}
.wall-ticker tr.fresh td {{ background: #142c44; }}
.wall-chart-title {{ font-size: 1.15rem; font-weight: 600; color: {MUTED}; letter-spacing: .05em; white-space: nowrap; line-height: 1.4; }}
.wall-legend {{ background: rgba(7, 17, 28, .9); border: 1px solid {PANEL_BORDER}; border-radius: .35rem;
  padding: .35rem .55rem; color: {TEXT}; font-size: 1rem; line-height: 1.35; }}
.wall-legend {{ max-width: 21rem; }}
.wall-legend .row {{ display: flex; flex-wrap: wrap; column-gap: .8rem; align-items: center; white-space: nowrap; }}
.wall-legend .ttl {{ color: {MUTED}; font-size: 1rem; margin-top: .15rem; white-space: nowrap; }}
.wall-legend .sw {{ display: inline-flex; align-items: center; gap: .3rem; }}
.wall-legend .box {{ width: 1rem; height: 1rem; border-radius: .15rem; display: inline-block; }}
.wall-legend .line {{ width: 1.3rem; height: .3rem; display: inline-block; border-radius: .1rem; }}
.wall-legend .dot {{ width: .8rem; height: .8rem; border-radius: 50%; display: inline-block; }}
.wall-tour {{ background: rgba(7, 17, 28, .9); border: 1px solid {CHANGED}; color: #ffffff; border-radius: .35rem;
  padding: .2rem .6rem; font-size: 1.2rem; font-weight: 600; white-space: nowrap; }}
</style>
"""  # noqa: E501 - embedded SQL/CSS/JS text

# The clock ticks in the browser (no server run per second), in the store's time zone
# (clock.TIMEZONE_NAME, written into the script as a JSON string); the screen size
# goes to the server through a hidden text input of the wall's fragment (the map's zoom, label
# sizes and chart text depend on it), so only the fragment reruns.
SCRIPT = """
<div class="wall-script"></div>
<script>
(function () {
  const w = window;
  const TIME_ZONE = __TIME_ZONE__;
  const fmtTime = new Intl.DateTimeFormat("zh-CN", {timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit",
                                                    second: "2-digit", hourCycle: "h23"});
  const fmtDate = new Intl.DateTimeFormat("sv-SE", {timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit"});
  function tick() {
    const now = new Date();
    document.querySelectorAll(".wall-clock").forEach(el => { el.textContent = fmtTime.format(now); });
    document.querySelectorAll(".wall-date-value").forEach(el => { el.textContent = fmtDate.format(now); });
  }
  function sync() {
    const want = w.innerWidth + "x" + w.innerHeight;
    const input = document.querySelector(".st-key-wall_view input");
    if (!input) { setTimeout(sync, 300); return; }
    if (input.value === want) return;
    // A hidden text input of the wall's fragment: setting it reruns the fragment only.
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    setter.call(input, want);
    input.dispatchEvent(new Event("input", {bubbles: true}));
    input.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", code: "Enter", keyCode: 13, which: 13, bubbles: true}));
  }
  if (!w.__yituWall) {
    w.__yituWall = true;
    setInterval(tick, 1000);
    let timer = null;
    w.addEventListener("resize", () => { clearTimeout(timer); timer = setTimeout(sync, 400); });
  }
  tick();
  setTimeout(sync, 200);
})();
</script>
""".replace("__TIME_ZONE__", json.dumps(clock.TIMEZONE_NAME))  # noqa: E501 - embedded SQL/CSS/JS text
