"""数据导入 (一网汇聚): import a department's file, the quarantine, data freshness and the import log."""

import streamlit as st

from components import identity, import_templates, import_wizard, water_view
from components.text import tr

st.title(tr("page.import_data"))
if not identity.page_allowed("import"):
    st.stop()
st.caption(tr("ingest.intro"))
import_templates.render()  # what to import next and a template per kind
import_tab, quarantine_tab, freshness_tab, log_tab = st.tabs(
    [tr("ingest.tab.import"), tr("ingest.tab.quarantine"), tr("ingest.tab.freshness"), tr("ingest.tab.log")]
)
with import_tab:
    import_wizard.render_import()
with quarantine_tab:
    import_wizard.render_quarantine()
with freshness_tab:
    import_wizard.render_freshness()
    st.subheader(tr("feed.tab"))
    water_view.freshness_tab()  # live sources and their runs
with log_tab:
    import_wizard.render_log()
