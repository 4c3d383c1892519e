# Shared by run.sh and test.sh: a project virtualenv in .venv, (re)installed only when a
# requirements file changed, so the second start is instant.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON_BIN="${PYTHON_BIN:-python3}"

ensure_venv() {
    local requirements="$1"
    if [ ! -x .venv/bin/python ]; then
        echo "==> creating .venv with $($PYTHON_BIN --version)"
        "$PYTHON_BIN" -m venv .venv
    fi
    local stamp=".venv/.installed-$(basename "$requirements")"
    local digest
    digest=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
        echo "==> installing Python packages from $requirements"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
        echo "$digest" > "$stamp"
    fi
}
