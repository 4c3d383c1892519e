"""数据完整性: what each kind and each township holds, and what to import next."""

import streamlit as st

from components import completeness_view, guidance, water_view
from components.text import tr

st.title(tr("page.completeness"))
st.caption(tr("completeness.intro"))
guidance.next_hint()
guidance.links()
st.subheader(tr("completeness.by_kind"))
completeness_view.kinds()
st.subheader(tr("completeness.by_township"))
completeness_view.townships()
completeness_view.location_missing()  # records kept without a location
st.subheader(tr("feed.tab"))
water_view.freshness_tab()  # live sources: silent ones are listed here too
