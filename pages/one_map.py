"""态势一张图: KPIs, the layered map and the incident list for the shared filters."""

import streamlit as st

from components import cached, filter_bar, incident_table, kpi_cards, one_map
from components.text import tr

f = filter_bar.current()
st.title(tr("page.one_map"))
filter_bar.show_notices()
if f is None:
    st.info(tr("app.no_data"))
    st.stop()
st.caption(tr("filter.period", start=f"{f.start:%Y-%m-%d %H:%M}", end=f"{f.end:%Y-%m-%d %H:%M}"))

previous = f.previous()
kpi_cards.render(
    cached.kpis(f.start, f.end, f.townships, f.types, f.statuses),
    cached.kpis(previous.start, previous.end, f.townships, f.types, f.statuses),
)
incidents = cached.incidents(f.start, f.end, f.townships, f.types, f.statuses)
one_map.render(f, incidents)
incident_table.render(incidents)
