"""降雨趋势: hyetograph, gauge ranking, township × interval table and township comparison."""

import streamlit as st

from components import charts, filter_bar, guidance
from components.text import tr

f = filter_bar.current()
st.title(tr("page.trends_rain"))
filter_bar.show_notices()
guidance.require("trends_rain")  # what to import next, on a store still being filled
if f is None:
    st.info(tr("app.no_data"))
    st.stop()
st.caption(tr("filter.period", start=f"{f.start:%Y-%m-%d %H:%M}", end=f"{f.end:%Y-%m-%d %H:%M}"))

charts.hyetograph(f)
charts.station_ranking(f)
charts.township_heat(f)
charts.township_comparison(f)
