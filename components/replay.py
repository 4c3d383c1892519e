"""Replay (复盘): step through the window; the map and KPIs show the state at the chosen moment."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pandas as pd
import streamlit as st

from components.text import tr
from emergency import filters as flt
from emergency.filters import Filters

ON_KEY = "replay_on"
MOMENT_KEY = "replay_moment"
PLAYING_KEY = "replay_playing"
# Seconds between two steps while playing.
PLAY_STEP_S = 1.5


def steps(f: Filters) -> list:
    """Moments to step through: every 5 min up to 6 h windows, else hourly; always ends at f.end."""
    step = timedelta(minutes=5) if f.window_hours <= 6 else timedelta(hours=1)
    moments = list(pd.date_range(f.start + step, f.end, freq=step).to_pydatetime())
    if not moments or moments[-1] != f.end:
        moments.append(f.end)
    return moments


def at_moment(f: Filters, moment) -> Filters:
    """The filters of the replay state: from the window start up to ``moment``."""
    return replace(f, end=moment, hours=flt.CUSTOM, start=f.start)


def _toggle_play() -> None:
    st.session_state[PLAYING_KEY] = not st.session_state.get(PLAYING_KEY, False)


def is_on() -> bool:
    return st.session_state.get(ON_KEY, False)


def is_playing() -> bool:
    return is_on() and st.session_state.get(PLAYING_KEY, False)


def advance(moments: list) -> None:
    """Move the slider one step on; stop at the end of the window."""
    current = st.session_state.get(MOMENT_KEY)
    if current not in moments:
        return
    index = moments.index(current)
    if index + 1 < len(moments):
        st.session_state[MOMENT_KEY] = moments[index + 1]
    else:
        st.session_state[PLAYING_KEY] = False


def toolbar() -> None:
    """The replay switch and play/pause, outside the replay fragment: a click reruns the whole
    page, so the fragment is rebuilt with (or without) its timer."""
    switch_column, button_column = st.columns([1, 5])
    switch_column.toggle(tr("replay.toggle"), key=ON_KEY, help=tr("replay.help"))
    if is_on():
        playing = is_playing()
        button_column.button(
            tr("replay.pause") if playing else tr("replay.play"),
            on_click=_toggle_play,
            key="replay_play_button",
            icon=":material/pause:" if playing else ":material/play_arrow:",
        )
    else:
        st.session_state[PLAYING_KEY] = False


def control(f: Filters) -> Filters:
    """Draw the moment slider (advancing it while playing); return the filters at that moment."""
    moments = steps(f)
    if st.session_state.get(MOMENT_KEY) not in moments:
        st.session_state[MOMENT_KEY] = moments[0]
    if is_playing():
        advance(moments)
        if not is_playing():
            # Reached the end: rerun the page once so the fragment loses its timer.
            st.rerun(scope="app")
    moment = st.select_slider(
        tr("replay.moment"),
        options=moments,
        key=MOMENT_KEY,
        format_func=lambda m: f"{m:%m-%d %H:%M}",
    )
    st.caption(tr("replay.state", start=f"{f.start:%m-%d %H:%M}", moment=f"{moment:%m-%d %H:%M}"))
    return at_moment(f, moment)
