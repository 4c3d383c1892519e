"""Entry point: page config, language, store, shared filter bar and navigation."""

import streamlit as st

from components import cached, filter_bar, shell
from components.text import tr

st.set_page_config(page_title="一图研判", page_icon=":material/crisis_alert:", layout="wide")

shell.language_toggle()
store_ready = shell.open_store()

pages = [
    st.Page("pages/one_map.py", title=tr("page.one_map"), icon=":material/map:", default=True),
]
navigation = st.navigation(pages)

if store_ready:
    shell.header(cached.meta())
    filter_bar.render()
    navigation.run()
