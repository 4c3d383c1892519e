"""Start the app under Streamlit with the legacy pages/ auto-discovery switched off.

Streamlit decides from the folder name that an app with a pages/ folder is an old-style
multipage app, and runs the first session's first run (the one the server sees first,
often a deep link such as /warning) through that legacy wrapper, without app.py. Our
layout keeps pages/ and navigates with st.navigation, so the flag is set before any
session starts. app.py also guards the root URL when started with plain `streamlit run`.
"""

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(cli.main())
