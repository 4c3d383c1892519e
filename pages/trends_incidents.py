"""事件趋势: incidents over time by type or status, by township, by status, backlog and the latest list."""

import streamlit as st

from components import charts, shell
from components.text import tr

f = shell.page_frame("trends_incidents")

charts.incidents_over_time(f)
left, right = st.columns([3, 2])
with left:
    charts.incidents_by_township(f)
with right:
    charts.incidents_by_status(f)
charts.incident_backlog(f)
st.subheader(tr("trends.incidents.latest"))
charts.latest_incidents(f)
