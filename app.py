"""Entry point: page config, language, store, shared filter bar and navigation."""

import streamlit as st

from components import cached, filter_bar, shell
from components.text import tr
from emergency.config import PROJECT_ROOT

ICON_PATH = PROJECT_ROOT / "static" / "icon.png"

# A local icon file: material icons as favicon are fetched from an outside font host.
st.set_page_config(page_title="一图研判", page_icon=str(ICON_PATH), layout="wide")

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
