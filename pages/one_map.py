"""态势一张图: KPIs, the layered map, replay and the incident list (the wall, ?screen=1, is components/big_screen)."""

import streamlit as st

from components import filter_bar, guidance, incident_table, kpi_cards, one_map, replay, situation
from components.text import tr

f = filter_bar.current()
st.title(tr("page.one_map"))
filter_bar.show_notices()
guidance.require("one_map")  # what to import next, on a store still being filled
if f is None:
    st.info(tr("app.no_data"))
    st.stop()


def show(shown):
    """KPIs (with the change against the previous equal window) and the map."""
    now = situation.of(shown)
    kpi_cards.render(now.figures, situation.of(shown.previous()).figures)
    one_map.render(shown, now.incidents)
    return now.incidents


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
