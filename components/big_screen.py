"""Big-screen mode (?screen=1): no sidebar, larger type, a clock, and a self-refreshing view."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from components import cached
from components.text import tr
from emergency import config
from emergency.filters import Filters

SCREEN_PARAM = "screen"
# Seconds between refreshes of the big screen; [yitu] screen_refresh_s in secrets.toml.
DEFAULT_REFRESH_S = 60
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
STYLE = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stSidebarCollapseButton"], header[data-testid="stHeader"] { display: none !important; }
.block-container { padding-top: 1rem !important; max-width: 100% !important; }
html { font-size: 19px; }
[data-testid="stMetricValue"] { font-size: 2.6rem !important; }
.yitu-legend { font-size: 1rem; }
</style>
"""


def is_on() -> bool:
    return st.query_params.get(SCREEN_PARAM) == "1"


def apply_style() -> None:
    """Hide the sidebar and enlarge type (our own fixed CSS, no user text)."""
    st.markdown(STYLE, unsafe_allow_html=True)


def refresh_seconds() -> int:
    return int(config.setting("screen_refresh_s", DEFAULT_REFRESH_S))


def following_latest(f: Filters) -> Filters:
    """With no ``end`` in the URL the screen follows the newest data at every refresh."""
    if "end" in st.query_params:
        return f
    latest = cached.data_range()[1]
    if latest is None or latest == f.end:
        return f
    length = f.end - f.start
    return replace(f, end=latest, start=latest - length)


@st.fragment(run_every=1)
def clock() -> None:
    now = datetime.now(LOCAL_ZONE)
    st.markdown(f"### {now:%Y-%m-%d %H:%M:%S}")


def stamp(f: Filters) -> None:
    st.caption(tr("screen.as_of", as_of=f"{f.end:%Y-%m-%d %H:%M}", refreshed=f"{datetime.now(LOCAL_ZONE):%H:%M:%S}"))
