#!/usr/bin/env bash
# Install what is missing and start the app; the demo store is built on first start.
# Extra arguments go to `streamlit run`, e.g. --server.port 8502.
#
#   bash scripts/run.sh --offline BUNDLE.tar [ARGS]   on a host with no package index: install the Debian
#   and Python packages from an offline bundle (scripts/bundle.sh; its .sha256 next to it) into this
#   checkout, then start. scripts/install.sh installs the project itself from a bundle.
if [ "${1:-}" = "--offline" ]; then
    [ -n "${2:-}" ] || { echo "usage: bash scripts/run.sh --offline BUNDLE.tar [streamlit args]" >&2; exit 2; }
    here="$(cd "$(dirname "$0")/.." && pwd)"
    bundle="$2"
    shift 2
    exec bash "$here/scripts/install.sh" "$bundle" --prefix "$here" --deps-only -- "$@"
fi
source "$(dirname "$0")/_env.sh"
ensure_venv requirements.txt
exec .venv/bin/python scripts/serve.py "$@"
