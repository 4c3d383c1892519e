"""态势一张图: KPIs, the layered map, replay and the incident list (the wall, ?screen=1, is components/big_screen)."""

import streamlit as st

from components import incident_table, kpi_cards, one_map, replay, shell, situation

f = shell.page_frame("one_map")


def show(shown):
    """KPIs (with the change against the previous equal window) and the map."""
    now = situation.of(shown)
    kpi_cards.render(now.figures, situation.of(shown.previous()).figures)
    one_map.render(shown, now.incidents)
    return now.incidents


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
