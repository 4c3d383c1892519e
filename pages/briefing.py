"""值班快报: the one-click duty briefing (DOCX + PDF) and the filtered-data workbook."""

import streamlit as st

from components import briefing_panel, filter_bar, guidance
from components.text import tr

f = filter_bar.current()
st.title(tr("page.briefing"))
filter_bar.show_notices()
guidance.require("briefing")  # what to import next, on a store still being filled
if f is None:
    st.info(tr("app.no_data"))
    st.stop()
st.caption(tr("filter.period", start=f"{f.start:%Y-%m-%d %H:%M}", end=f"{f.end:%Y-%m-%d %H:%M}"))

briefing_panel.render(f)
st.subheader(tr("briefing.data_header"))
briefing_panel.data_export(f)
