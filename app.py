"""Entry point: page config, language, store, sign-in, shared filter bar and the pages the role may use."""

import streamlit as st

from components import big_screen, cached, filter_bar, identity, shell, water_view
from components.text import tr
from emergency.config import PROJECT_ROOT

ICON_PATH = PROJECT_ROOT / "static" / "icon.png"

# (script, title key, icon, permission needed to see the page)
PAGES = [
    ("pages/one_map.py", "page.one_map", ":material/map:", "view"),
    ("pages/trends_rain.py", "page.trends_rain", ":material/rainy:", "view"),
    ("pages/trends_incidents.py", "page.trends_incidents", ":material/monitoring:", "view"),
    ("pages/trends_resources.py", "page.trends_resources", ":material/inventory_2:", "view"),
    ("pages/briefing.py", "page.briefing", ":material/summarize:", "view"),
    ("pages/warning.py", "page.warning", ":material/warning:", "view"),
    ("pages/dispatch.py", "page.dispatch", ":material/local_shipping:", "view"),
    ("pages/township.py", "page.township", ":material/holiday_village:", "view"),
    ("pages/township_ranking.py", "page.township_ranking", ":material/leaderboard:", "view"),
    ("pages/import_data.py", "page.import_data", ":material/upload_file:", "import"),
    ("pages/completeness.py", "page.completeness", ":material/checklist:", "view"),
    ("pages/admin.py", "page.admin", ":material/admin_panel_settings:", "manage_users"),
]

shell.ignore_legacy_pages_folder()
# A local icon file: material icons as favicon are fetched from an outside font host.
st.set_page_config(page_title="一图研判", page_icon=str(ICON_PATH), layout="wide")

shell.language_toggle()
store_ready = shell.open_store()
actor = identity.establish() if store_ready else None
if store_ready:
    water_view.start_worker()  # live sources sync in the background

if actor is None:
    # Before sign-in every URL shows the sign-in page (or why the app refuses to serve).
    if store_ready:
        st.navigation([st.Page(identity.sign_in_page, title=tr("page.sign_in"), icon=":material/login:")]).run()
else:
    pages = [
        st.Page(script, title=tr(title), icon=icon, default=index == 0)
        for index, (script, title, icon, permission) in enumerate(PAGES)
        if actor.can(permission)
    ]
    wall = big_screen.is_on()  # ?screen=1: the command-centre wall instead of the page, on any page's URL
    navigation = st.navigation(pages, position="hidden" if wall else "sidebar")
    identity.user_box(actor)
    if not wall:
        shell.header(cached.meta())
        identity.local_demo_banner(actor)
    if not wall:
        water_view.alarm()  # a silent or unreachable live source, on every page (the wall's title bar has its own)
    filter_bar.render()
    if wall:
        big_screen.render()
    else:
        navigation.run()
