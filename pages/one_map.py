"""态势一张图: KPIs, the layered map, replay, the big-screen mode and the incident list."""

import streamlit as st

from components import big_screen, filter_bar, guidance, incident_table, kpi_cards, one_map, replay, situation
from components.text import tr

f = filter_bar.current()
screen = big_screen.is_on()
if screen:
    big_screen.apply_style()
    title_column, clock_column = st.columns([3, 1])
    title_column.title(tr("page.one_map"))
    with clock_column:
        big_screen.clock()
else:
    st.title(tr("page.one_map"))
filter_bar.show_notices()
guidance.require("one_map")  # what to import next, on a store still being filled (issue 12)
if f is None:
    st.info(tr("app.no_data"))
    st.stop()


def show(shown):
    """KPIs (with the change against the previous equal window) and the map."""
    now = situation.of(shown)
    kpi_cards.render(now.figures, situation.of(shown.previous()).figures)
    one_map.render(shown, now.incidents, height_px=one_map.SCREEN_HEIGHT_PX if screen else one_map.MAP_HEIGHT_PX)
    return now.incidents


if screen:
    @st.fragment(run_every=big_screen.refresh_seconds())
    def live_view():
        shown = big_screen.following_latest(f)
        big_screen.stamp(shown)
        show(shown)

    live_view()
else:
    st.caption(tr("filter.period", start=f"{f.start:%Y-%m-%d %H:%M}", end=f"{f.end:%Y-%m-%d %H:%M}"))
    if replay.is_on():
        @st.fragment(run_every=replay.PLAY_STEP_S if replay.is_playing() else None)
        def replay_view():
            show(replay.control(f))
            one_map.rerun_app_if_filters_changed()

        replay.toolbar()
        replay_view()
    else:
        replay.toolbar()
        incident_table.render(show(f))
