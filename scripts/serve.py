"""Start the app under Streamlit with the legacy pages/ auto-discovery switched off.

Streamlit decides from the folder name that an app with a pages/ folder is an old-style
multipage app, and runs the first session's first run (the one the server sees first,
often a deep link such as /warning) through that legacy wrapper, without app.py. Our
layout keeps pages/ and navigates with st.navigation, so the flag is set before any
session starts. app.py also guards the root URL when started with plain `streamlit run`.

It also refuses to start an app without sign-in on a non-loopback address, once Streamlit
has read its configuration (config.toml, flags, environment), before the port opens, and
hardens the web server (emergency.webserver): the client address is the TCP peer's, never
one from X-Forwarded-For or Forwarded; the session cookie is set HttpOnly by the server;
/_stcore/metrics is off; uploads are written to disk instead of held in memory. Always start
the app through this script (scripts/run.sh does): proxy sign-in refuses to work otherwise.

``--replicas N`` starts N such app processes on consecutive ports from
``server.port`` instead, restarts one that dies, and stops them all on SIGTERM/SIGINT
(emergency.replicas); more than one needs the PostgreSQL server store. deploy/nginx.conf
balances them.
"""

import importlib
import sys
from pathlib import Path

import streamlit
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import bootstrap, cli

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = PROJECT_ROOT / "app.py"
EXIT_REFUSED = 2
# Imported before the first session so that its first page run does not pay for them
# (Streamlit's emoji table, pydeck, plotly, docx/pdf writers: ~0.3 s of a cold
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
    for name in WARM_MODULES:
        importlib.import_module(name)


def run_if_allowed(*args, **kwargs):
    """bootstrap.run, unless the sign-in settings forbid serving on the configured address."""
    from emergency import access

    try:
        problem = access.startup_problem(access.auth_settings(), streamlit.config.get_option("server.address"))
    except ValueError as error:
        problem = f"refusing to start: {error}"
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(EXIT_REFUSED)
    warm_up()
    return start_server(*args, **kwargs)


start_server = bootstrap.run


# ------------------------------------------------------------------ replicas


def split_replicas(argv: list[str]) -> tuple[int, list[str]]:
    """(N of ``--replicas N``, the other arguments); N is 0 without the option."""
    rest: list[str] = []
    replicas = 0
    items = iter(argv)
    for item in items:
        if item == "--replicas" or item.startswith("--replicas="):
            value = item.split("=", 1)[1] if "=" in item else next(items, "")
            try:
                replicas = int(value)
            except ValueError:
                replicas = -1
            if replicas < 1:
                print(f"--replicas needs a whole number of processes (1 or more), not {value!r}", file=sys.stderr)
                sys.exit(EXIT_REFUSED)
            continue
        rest.append(item)
    return replicas, rest


if __name__ == "__main__":
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.append(str(PROJECT_ROOT))
    replica_count, arguments = split_replicas(sys.argv[1:])
    if replica_count:
        from emergency import replicas

        sys.exit(replicas.supervise(replica_count, arguments, [sys.executable, str(Path(__file__).resolve())]))
    PagesManager.uses_pages_directory = False
    from emergency import webserver

    webserver.install()
    bootstrap.run = run_if_allowed
    sys.argv = ["streamlit", "run", str(APP), *arguments]
    sys.exit(cli.main())
