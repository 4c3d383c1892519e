"""预警研判: rainstorm signals per township, hazard points at risk, incident grades, issuing and 叫应."""

import streamlit as st

from components import filter_bar, guidance, warning_panels
from components.text import tr

f = filter_bar.current()
st.title(tr("page.warning"))
filter_bar.show_notices()
guidance.require("warning")  # what to import next, on a store still being filled (issue 12)
if f is None:
    st.info(tr("app.no_data"))
    st.stop()
st.caption(tr("warning.moment", moment=f"{f.end:%Y-%m-%d %H:%M}"))

signals, hazards, grades, issue, acks, config = st.tabs(
    [tr("warning.tab.signals"), tr("warning.tab.hazards"), tr("warning.tab.grades"),
     tr("warning.tab.issue"), tr("warning.tab.acks"), tr("warning.tab.config")]
)
with signals:
    summary = warning_panels.signals(f)
with hazards:
    warning_panels.hazards(f)
with grades:
    warning_panels.grades(f)
with issue:
    warning_panels.issue_form(f, summary)
with acks:
    warning_panels.acknowledgements()
with config:
    warning_panels.config_panel()
    warning_panels.contacts_editor()
