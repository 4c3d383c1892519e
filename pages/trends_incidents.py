"""事件趋势: incidents over time by type or status, by township, by status, backlog and the latest list."""

import streamlit as st

from components import charts, filter_bar, guidance
from components.text import tr

f = filter_bar.current()
st.title(tr("page.trends_incidents"))
filter_bar.show_notices()
guidance.require("trends_incidents")  # what to import next, on a store still being filled
if f is None:
    st.info(tr("app.no_data"))
    st.stop()
st.caption(tr("filter.period", start=f"{f.start:%Y-%m-%d %H:%M}", end=f"{f.end:%Y-%m-%d %H:%M}"))

charts.incidents_over_time(f)
left, right = st.columns([3, 2])
with left:
    charts.incidents_by_township(f)
with right:
    charts.incidents_by_status(f)
charts.incident_backlog(f)
st.subheader(tr("trends.incidents.latest"))
charts.latest_incidents(f)
