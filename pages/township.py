"""乡镇指挥: one township's whole situation (``?township=<code>``), or a picker when none is chosen."""

import streamlit as st

from components import filter_bar, guidance, township_view
from components.text import tr

f = filter_bar.current()
st.title(tr("page.township"))
filter_bar.show_notices()
guidance.require("township")  # what to import next, on a store still being filled
if f is None:
    st.info(tr("app.no_data"))
    st.stop()
st.caption(tr("filter.period", start=f"{f.start:%Y-%m-%d %H:%M}", end=f"{f.end:%Y-%m-%d %H:%M}"))

code = township_view.chosen_township(f)
if code is None:
    township_view.picker(f)
else:
    township_view.render(code, f)
