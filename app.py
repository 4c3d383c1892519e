"""Entry point: page config, language, store, shared filter bar and navigation."""

import streamlit as st

from components import cached, filter_bar, shell
from components.text import tr
from emergency.config import PROJECT_ROOT

ICON_PATH = PROJECT_ROOT / "static" / "icon.png"

shell.ignore_legacy_pages_folder()
# A local icon file: material icons as favicon are fetched from an outside font host.
st.set_page_config(page_title="一图研判", page_icon=str(ICON_PATH), layout="wide")

shell.language_toggle()
store_ready = shell.open_store()

pages = [
    st.Page("pages/one_map.py", title=tr("page.one_map"), icon=":material/map:", default=True),
    st.Page("pages/trends_rain.py", title=tr("page.trends_rain"), icon=":material/rainy:"),
    st.Page("pages/trends_incidents.py", title=tr("page.trends_incidents"), icon=":material/monitoring:"),
    st.Page("pages/trends_resources.py", title=tr("page.trends_resources"), icon=":material/inventory_2:"),
    st.Page("pages/briefing.py", title=tr("page.briefing"), icon=":material/summarize:"),
    st.Page("pages/warning.py", title=tr("page.warning"), icon=":material/warning:"),
    st.Page("pages/dispatch.py", title=tr("page.dispatch"), icon=":material/local_shipping:"),
    st.Page("pages/township.py", title=tr("page.township"), icon=":material/holiday_village:"),
    st.Page("pages/township_ranking.py", title=tr("page.township_ranking"), icon=":material/leaderboard:"),
    st.Page("pages/import_data.py", title=tr("page.import_data"), icon=":material/upload_file:"),
    st.Page("pages/completeness.py", title=tr("page.completeness"), icon=":material/checklist:"),
]
navigation = st.navigation(pages)

if store_ready:
    shell.header(cached.meta())
    filter_bar.render()
    navigation.run()
