#!/usr/bin/env bash
# Install what is missing and start the app; the demo store is built on first start.
# Extra arguments go to `streamlit run`, e.g. --server.port 8502.
source "$(dirname "$0")/_env.sh"
ensure_venv requirements.txt
exec .venv/bin/python scripts/serve.py "$@"
