"""预警研判: rainstorm signals per township, hazard points at risk, incident grades, issuing and 叫应."""

import streamlit as st

from components import identity, shell, warning_panels, water_view
from components.text import tr

f = shell.page_frame("warning", period=False)
st.caption(tr("warning.moment", moment=f"{f.end:%Y-%m-%d %H:%M}"))

# Issuing needs the duty role, thresholds and contacts the admin role; the others read.
shown = [
    "signals",
    "hazards",
    "grades",
    *(["issue"] if identity.can("warn") else []),
    "acks",
    *(["config"] if identity.can("configure") else []),
]
tabs = dict(zip(shown, st.tabs([tr(f"warning.tab.{name}") for name in shown]), strict=True))
with tabs["signals"]:
    summary = warning_panels.signals(f)
    water_view.live_over_table(f)  # rivers and reservoirs over their thresholds, live
with tabs["hazards"]:
    warning_panels.hazards(f)
with tabs["grades"]:
    warning_panels.grades(f)
if "issue" in tabs:
    with tabs["issue"]:
        warning_panels.issue_form(f, summary)
with tabs["acks"]:
    warning_panels.acknowledgements()
if "config" in tabs:
    with tabs["config"]:
        warning_panels.config_panel()
        warning_panels.grade_rules_editor()
        warning_panels.contacts_editor()
