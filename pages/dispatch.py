"""一键调度: pick an incident or a point; nearest teams, stock, shelters and exposed people; record a dispatch."""

import streamlit as st

from components import dispatch_map, shell
from components.text import tr

f = shell.page_frame("dispatch", period=False)
st.caption(tr("dispatch.pick"))

listed, drawn = st.columns([2, 3])
with listed:
    incidents = dispatch_map.incident_list(f)
goal = dispatch_map.target()
with drawn:
    found = dispatch_map.search(goal)
    gaps = dispatch_map.coverage()
    dispatch_map.render_map(incidents, found, gaps)

if goal is None:
    st.info(tr("dispatch.no_target"))
    st.stop()
dispatch_map.heading(goal)
dispatch_map.panel(found)
dispatch_map.form(found, goal)
dispatch_map.log(goal)
