"""值班快报: the one-click duty briefing (DOCX + PDF) and the filtered-data workbook."""

import streamlit as st

from components import briefing_panel, shell
from components.text import tr

f = shell.page_frame("briefing")

briefing_panel.render(f)
st.subheader(tr("briefing.data_header"))
briefing_panel.data_export(f)
