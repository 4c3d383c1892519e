#!/usr/bin/env bash
# Install test needs (Debian chromium + CJK fonts for browser tests and chart export; postgresql for
# the live-feed tests' SL 323 source server; nginx for the replicas-behind-a-proxy tests; iproute2 and
# curl for the offline-bundle test; Python packages), fail on any lint or format finding (ruff,
# configured in pyproject.toml), then run the whole test suite. Extra arguments go to pytest, e.g.
# -m "not browser and not slow" for a quick loop.
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

# Lint and format gate: any finding fails the run before a test starts.
echo "==> ruff check . && ruff format --check ."
if ! .venv/bin/ruff check .; then
    echo "ruff check found problems (see above): fix them; '.venv/bin/ruff check --fix .' fixes the safe ones" >&2
    exit 1
fi
if ! .venv/bin/ruff format --check .; then
    echo "files not formatted (see above): run '.venv/bin/ruff format .'" >&2
    exit 1
fi

# The DuckDB suite (everything), then the suite on the PostgreSQL server store (a throw-away
# cluster the session starts; tests/pg_store.py): every non-browser test, and in Chromium the sweep
# of every page in both languages and the replicas behind nginx. YITU_TEST_STORES=duckdb (or
# postgres) runs one of them. Extra arguments go to the DuckDB run and the non-browser PostgreSQL run.
overall=0
# The offline-install proof (tests/test_bundle.py) fails instead of skipping where it cannot run, so a
# CI machine without root or unshare cannot lose it silently; YITU_REQUIRE_BUNDLE_TEST=0 lets a
# developer's machine skip it.
export YITU_REQUIRE_BUNDLE_TEST="${YITU_REQUIRE_BUNDLE_TEST:-1}"
run_pytest() {
    set +e
    .venv/bin/python -m pytest "$@"
    local status=$?
    set -e
    if [ "$status" = 5 ]; then
        echo "pytest collected no tests: failing on purpose" >&2
        status=1
    fi
    if [ "$status" != 0 ]; then
        overall=$status
    fi
}
for which in ${YITU_TEST_STORES:-duckdb postgres}; do
    echo "==> test suite on the $which store"
    if [ "$which" = postgres ]; then
        run_pytest --store=postgres -m "not slow and not browser" "$@"
        if [ $# -eq 0 ]; then  # (a selection given on the command line applies to the first run only)
            run_pytest --store=postgres tests/test_browser_sweep.py::test_every_page_in_both_languages tests/test_replicas_nginx.py
        fi
    else
        run_pytest "$@"
    fi
done
exit "$overall"
