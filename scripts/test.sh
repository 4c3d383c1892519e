#!/usr/bin/env bash
# Install test needs (Debian chromium + CJK fonts for browser tests and chart export; postgresql for
# the live-feed tests' SL 323 source server; nginx for the replicas-behind-a-proxy tests; iproute2 and
# curl for the offline-bundle test; Python packages) and run the whole test suite. Extra arguments go
# to pytest, e.g. -m "not browser and not slow" for a quick loop.
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

# The DuckDB suite, then the same suite on the PostgreSQL server store (a throw-away cluster the
# session starts; tests/pg_store.py), without the offline-bundle tests (marker slow: they do not
# touch the store and take minutes). YITU_TEST_STORES=duckdb (or postgres) runs one of them.
overall=0
for which in ${YITU_TEST_STORES:-duckdb postgres}; do
    if [ "$which" = postgres ]; then
        args=(--store=postgres -m "not slow")
    else
        args=()
    fi
    echo "==> test suite on the $which store"
    set +e
    .venv/bin/python -m pytest "${args[@]}" "$@"
    status=$?
    set -e
    if [ "$status" = 5 ]; then
        echo "pytest collected no tests: failing on purpose" >&2
        status=1
    fi
    if [ "$status" != 0 ]; then
        overall=$status
    fi
done
exit "$overall"
