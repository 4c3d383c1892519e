"""资源保障: stock by warehouse and item, stock below minimum, shelter capacity versus occupancy."""

import streamlit as st

from components import charts, filter_bar, guidance
from components.text import tr

f = filter_bar.current()
st.title(tr("page.trends_resources"))
filter_bar.show_notices()
guidance.require("trends_resources")  # what to import next, on a store still being filled
if f is None:
    st.info(tr("app.no_data"))
    st.stop()

charts.stock_by_warehouse(f)
charts.stock_by_item(f)
st.subheader(tr("trends.resources.below"))
charts.stock_below_minimum(f)
charts.shelter_occupancy(f)
