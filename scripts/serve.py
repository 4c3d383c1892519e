"""Start the app under Streamlit with the legacy pages/ auto-discovery switched off.

Streamlit decides from the folder name that an app with a pages/ folder is an old-style
multipage app, and runs the first session's first run (the one the server sees first,
often a deep link such as /warning) through that legacy wrapper, without app.py. Our
layout keeps pages/ and navigates with st.navigation, so the flag is set before any
session starts. app.py also guards the root URL when started with plain `streamlit run`.
"""

import importlib
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = PROJECT_ROOT / "app.py"
# Imported before the first session so that its first page run does not pay for them
# (issue 10: Streamlit's emoji table, pydeck, plotly, docx/pdf writers: ~0.3 s of a cold
# start). Only modules without Streamlit caches: components/ is left to the app's own run.
WARM_MODULES = (
    "streamlit.emojis",
    "pydeck",
    "plotly.graph_objects",
    "emergency.briefing",
    "emergency.cap",
    "emergency.completeness",
    "emergency.dispatch",
    "emergency.export",
    "emergency.stock",
    "emergency.surface",
    "emergency.warning",
    "emergency.ingest.templates",
)


def warm_up() -> None:
    """Import the modules every first page run needs."""
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.append(str(PROJECT_ROOT))
    for name in WARM_MODULES:
        importlib.import_module(name)


if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    warm_up()
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(cli.main())
