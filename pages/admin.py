"""用户与审计: accounts and roles, and the audit log (administrators only)."""

import streamlit as st

from components import admin_panels, code_lists, identity, water_view
from components.text import tr

st.title(tr("page.admin"))
if not identity.page_allowed("manage_users"):
    st.stop()
admin_panels.render()
code_lists.render_admin()  # code lists: map department texts, add codes
water_view.feeds_admin()  # live sources
