#!/usr/bin/env bash
# Install test needs (Debian chromium + CJK fonts for browser tests and chart export; postgresql for
# the live-feed tests' SL 323 source server; iproute2 and curl for the offline-bundle test; Python
# packages) and run the whole test suite. Extra arguments go to pytest, e.g. -m "not browser and not
# slow" for a quick loop.
source "$(dirname "$0")/_env.sh"

if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
        || [ ! -x /usr/lib/postgresql/15/bin/initdb ] || [ ! -x /usr/sbin/nginx ] \
        || ! command -v ip >/dev/null || ! command -v curl >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        echo "==> installing chromium, fonts-noto-cjk, postgresql, nginx, iproute2 and curl (apt)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk postgresql nginx iproute2 curl >/dev/null
    else
        echo "missing: run 'sudo apt-get update && sudo apt-get install -y chromium fonts-noto-cjk postgresql nginx iproute2 curl'" >&2
        exit 1
    fi
fi
ensure_venv requirements-dev.txt

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
    echo "pytest collected no tests: failing on purpose" >&2
    exit 1
fi
exit "$status"
