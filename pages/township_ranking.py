"""乡镇对比: every township on the same figures, with data freshness; sortable, exportable, linked."""

import streamlit as st

from components import filter_bar, guidance, township_view
from components.text import tr

f = filter_bar.current()
st.title(tr("page.township_ranking"))
filter_bar.show_notices()
guidance.require("township_ranking")  # what to import next, on a store still being filled
if f is None:
    st.info(tr("app.no_data"))
    st.stop()

township_view.ranking_table(f)
