"""资源保障: stock by warehouse and item, stock below minimum, shelter capacity versus occupancy."""

import streamlit as st

from components import charts, shell
from components.text import tr

f = shell.page_frame("trends_resources", period=False)

charts.stock_by_warehouse(f)
charts.stock_by_item(f)
st.subheader(tr("trends.resources.below"))
charts.stock_below_minimum(f)
charts.shelter_occupancy(f)
