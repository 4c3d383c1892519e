"""The command-centre wall (指挥大屏, ``?screen=1``): one dark screen that fills a 16:9 wall and stays current.

Regions: title bar (county, window, 数据截至 and the stale alarm, clock), the KPI column, the
map in the centre, the worst townships, the county hyetograph of the last 24 h and a ticker of
the latest incidents and warnings. The moving parts rerun in one fragment every
``screen_refresh_s`` seconds (the map keeps its view: its initial view only changes for the
tour); figures that changed since the previous refresh are marked for one interval. The only
control is the small corner menu (window, language, tour). ``&tour=30`` steps through the
townships with a rainstorm signal, 30 s each, then shows the county again.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from components import cached, filter_bar, wall_data, wall_map, wall_panels, wall_theme, water_view
from components.text import LANGUAGE_KEY, lang, localized_key, tr
from emergency import config, i18n, wall
from emergency import filters as flt
from emergency.filters import Filters

SCREEN_PARAM = "screen"
TOUR_PARAM = "tour"
RANK_PARAM = "rank"  # &rank=signal|rain|incidents: what the township list is ranked by
VIEW_KEY = "wall_view"
# Seconds between refreshes of the wall; [yitu] screen_refresh_s in secrets.toml.
DEFAULT_REFRESH_S = 60
# Each wall refreshes at its own interval, up to this fraction longer than screen_refresh_s, so
# walls opened together (or reconnecting together after a server restart) drift apart instead of
# all asking the server in the same instant and queueing behind each other; [yitu]
# screen_refresh_spread (0: every wall exactly screen_refresh_s).
DEFAULT_REFRESH_SPREAD = 0.1
SPREAD_KEY = "wall_refresh_share"
# A gauge silent this long counts as stale, and data this old raises the wall's alarm; [yitu] stale_minutes.
DEFAULT_STALE_MINUTES = 60
# Tour steps the corner menu offers, seconds (0: off); the URL may ask for any step in range.
TOUR_CHOICES = (0, 30, 60, 120)
TOUR_RANGE_S = (10, 3600)
# Screen sizes the wall accepts from the browser, CSS px.
VIEW_RANGE_PX = (320, 8192)
# Width of the map legend, rem (the county is fitted beside it).
LEGEND_REM = 21.0
PREV_KEY = "wall_prev"
TOUR_KEY = "wall_tour"
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def is_on() -> bool:
    return st.query_params.get(SCREEN_PARAM) == "1"


def refresh_seconds() -> int:
    return int(config.setting("screen_refresh_s", DEFAULT_REFRESH_S))


def session_refresh_seconds() -> float:
    """This wall's refresh interval: ``screen_refresh_s`` plus its own share of the spread (fixed per session)."""
    try:
        spread = min(max(float(config.setting("screen_refresh_spread", DEFAULT_REFRESH_SPREAD)), 0.0), 1.0)
    except (TypeError, ValueError):
        spread = DEFAULT_REFRESH_SPREAD
    share = st.session_state.setdefault(SPREAD_KEY, random.random())
    return round(refresh_seconds() * (1 + spread * share), 2)


def stale_minutes() -> int:
    return int(config.setting("stale_minutes", DEFAULT_STALE_MINUTES))


def tour_seconds() -> int:
    """The tour step from ``&tour=`` (0 when absent or out of range)."""
    value = st.query_params.get(TOUR_PARAM, "")
    if value.isdigit() and TOUR_RANGE_S[0] <= int(value) <= TOUR_RANGE_S[1]:
        return int(value)
    return 0


def rank_by() -> str:
    """What the township list is ranked by, from ``&rank=`` (signal, rain or incidents; signal when absent)."""
    value = st.query_params.get(RANK_PARAM, "")
    return value if value in wall.RANK_ORDERS else "signal"


def view_size() -> tuple[int, int]:
    """The browser's screen size as the wall's script reported it ("WxH"); 1920×1080 until then."""
    width, _, height = str(st.session_state.get(VIEW_KEY) or "").partition("x")
    if width.isdigit() and height.isdigit():
        low, high = VIEW_RANGE_PX
        return min(max(int(width), low), high), min(max(int(height), low), high)
    return wall_theme.DESIGN_W, wall_theme.DESIGN_H


def following_latest(f: Filters) -> Filters:
    """With no ``end`` in the URL the wall follows the newest data at every refresh."""
    if "end" in st.query_params:
        return f
    latest = cached.data_range()[1]
    if latest is None or latest == f.end:
        return f
    length = f.end - f.start
    return replace(f, end=latest, start=latest - length)


# ------------------------------------------------------------------ corner menu


def _set_window() -> None:
    hours = st.session_state["wall_menu_hours"]
    st.session_state["flt_hours"] = hours
    st.session_state[localized_key("flt_hours")] = hours


def _set_language() -> None:
    st.session_state[LANGUAGE_KEY] = st.session_state["wall_menu_lang"]


def _set_tour() -> None:
    seconds = st.session_state["wall_menu_tour"]
    if seconds:
        st.query_params[TOUR_PARAM] = str(seconds)
    else:
        st.query_params.pop(TOUR_PARAM, None)
    st.session_state.pop(TOUR_KEY, None)


def corner_menu(f: Filters) -> None:
    """The one control on the wall: window, language and tour, folded into a small corner button."""
    with st.container(key="wall_menu"), st.popover("☰", help=tr("wall.menu")):
        hours = f.hours if f.hours in flt.PRESET_HOURS else flt.DEFAULT_HOURS
        st.session_state["wall_menu_hours"] = hours
        st.selectbox(
            tr("wall.menu.window"),
            flt.PRESET_HOURS,
            key="wall_menu_hours",
            on_change=_set_window,
            format_func=lambda h: tr("filter.window_hours", hours=h),
        )
        st.session_state["wall_menu_lang"] = lang()
        st.radio(
            tr("wall.menu.language"),
            i18n.LANGUAGES,
            key="wall_menu_lang",
            on_change=_set_language,
            format_func=LANGUAGE_NAMES.get,
            horizontal=True,
        )
        tour = tour_seconds()
        st.session_state["wall_menu_tour"] = tour if tour in TOUR_CHOICES else TOUR_CHOICES[1]
        st.selectbox(
            tr("wall.menu.tour"),
            TOUR_CHOICES,
            key="wall_menu_tour",
            on_change=_set_tour,
            format_func=lambda s: tr("wall.menu.tour_every", s=s) if s else tr("wall.menu.tour_off"),
        )


# ------------------------------------------------------------------ refresh bookkeeping


def _watched(fig: wall_data.WallFigures) -> dict[str, object]:
    """The figures whose change since the previous refresh is marked."""
    return {
        "rain_max": fig.township_max[1],
        "rain_mean": None if fig.kpis["rain_mean_mm"] != fig.kpis["rain_mean_mm"] else float(fig.kpis["rain_mean_mm"]),
        "gauges": tuple(fig.gauge_levels.values()),
        "water": fig.water_over_warning,
        "hazards": fig.hazards_at_risk,
        "open": tuple(fig.open_by_grade.values()),
        "people": fig.people["total"],
        "warnings": fig.warnings.issued,
        "ack": (fig.warnings.acknowledged, fig.warnings.recipients),
    }


def changed_since_last(fig: wall_data.WallFigures) -> tuple[set[str], object]:
    """Names of the figures that differ from the previous refresh of the same window, and that refresh's data time."""
    now = _watched(fig)
    window = (fig.filters.hours, fig.filters.townships, fig.filters.types, fig.filters.statuses, fig.filters.grades)
    previous = st.session_state.get(PREV_KEY)
    st.session_state[PREV_KEY] = {"window": window, "figures": now, "end": fig.filters.end}
    if not previous or previous["window"] != window:
        return set(), None
    return {name for name, value in now.items() if previous["figures"].get(name) != value}, previous["end"]


# ------------------------------------------------------------------ tour


def tour_view(fig: wall_data.WallFigures, base: dict, map_w: float, map_h: float) -> tuple[dict, str | None]:
    """The map view of the tour's current stop and its caption (the county view when the tour is off)."""
    step = tour_seconds()
    if not step:
        return base, None
    townships = cached.townships()
    stops = wall.tour_stops(fig.metrics.fillna({"rank": 0}))
    state = st.session_state.setdefault(TOUR_KEY, {"index": len(stops), "at": time.monotonic()})
    if time.monotonic() - state["at"] >= step * 0.95:
        state["index"] = (state["index"] + 1) % (len(stops) + 1)
        state["at"] = time.monotonic()
    if not stops:
        return base, tr("wall.tour.none")
    if state["index"] >= len(stops):
        return base, tr("wall.tour.county")
    code = stops[state["index"]]
    row = townships[townships["code"] == code].iloc[0]
    view = wall_map.township_view(row["geometry"], map_w, map_h, base["zoom"])
    return view, tr("wall.tour.at", i=state["index"] + 1, n=len(stops), name=row["name"])


# ------------------------------------------------------------------ the wall


def draw(f: Filters) -> None:
    """One refresh of the wall: every region for the window ``f`` (following the newest data)."""
    shown = following_latest(f)
    width, height = view_size()
    map_w, map_h, scale = wall_map.map_size(width, height)
    now = cached.store_now()  # the live demo's storm clock when it runs, else the wall clock
    fresh = wall_data.freshness(now, stale_minutes())
    window = (
        shown.start,
        shown.end,
        shown.hours,
        shown.townships,
        shown.types,
        shown.statuses,
        shown.grades,
        stale_minutes(),
    )
    fig = cached.wall_figures(*window)
    by = rank_by()
    changed, previous_end = changed_since_last(fig)
    county = cached.county()
    meta = cached.meta()
    base = wall_map.county_view(county, map_w, map_h, legend_w=LEGEND_REM * wall_theme.BODY_PX * scale)
    view, tour_text = tour_view(fig, base, map_w, map_h)
    deck = wall_map.PreparedDeck(
        cached.wall_deck_json(
            *window,
            (round(view["longitude"], 6), round(view["latitude"], 6), view["zoom"]),
            (round(map_w, 1), round(map_h, 1), round(scale, 4)),
            by,
        )
    )
    chart = go.Figure(cached.wall_chart(*window, lang(), round(wall_theme.BODY_PX * scale, 1)), _validate=False)
    with st.container(key="wall"):
        st.html(
            wall_panels.head(
                meta.get("county_name", ""),
                meta.get("is_demo") == "true",
                shown,
                fresh,
                now,
                refresh_seconds(),
                water_view.alarms(),
            )
        )
        with st.container(key="wall_body", horizontal=True):
            with st.container(key="wall_left"):
                st.html(wall_panels.kpis(fig, changed))
            with st.container(key="wall_centre"):
                st.pydeck_chart(deck, height="stretch", key="wall_deck")
                st.html(wall_panels.legend(shown.window_hours, wall_map.STALE_RING))
                if tour_text:
                    st.html(wall_panels.tour_badge(tour_text))
            with st.container(key="wall_right"):
                st.html(wall_panels.ranking(wall_data.ranking(fig, by), shown.window_hours, by))
                with st.container(key="wall_chart"):
                    st.html(wall_panels.chart_title())
                    st.plotly_chart(
                        chart,
                        height="stretch",
                        theme=None,
                        key="wall_hyetograph",
                        config={"staticPlot": True, "displayModeBar": False},
                    )
                st.html(wall_panels.ticker(fig.ticker, previous_end))
    # Set by the wall's script to the screen size ("1920x1080"): a change reruns this fragment only.
    st.text_input("view", key=VIEW_KEY, label_visibility="collapsed")


def render() -> None:
    """The wall: theme, corner menu and the self-refreshing regions."""
    st.html(wall_theme.CSS)
    st.html(wall_theme.SCRIPT, unsafe_allow_javascript=True)
    f = filter_bar.current()
    if f is None or cached.county().empty or cached.townships().empty:
        st.info(tr("app.no_data"))
        return
    corner_menu(f)
    step = tour_seconds()
    interval = min(session_refresh_seconds(), step) if step else session_refresh_seconds()

    @st.fragment(run_every=interval)
    def live() -> None:
        draw(f)

    live()
