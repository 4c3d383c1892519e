#!/usr/bin/env bash
# Install 一图研判 from an offline bundle (built by scripts/bundle.sh) on a host with no network,
# then start it.
#
#   bash install.sh BUNDLE.tar [--prefix DIR] [--deps-only] [--no-debs] [--no-start] [-- STREAMLIT ARGS]
#
#   BUNDLE.tar     the bundle; BUNDLE.tar.sha256 must lie next to it and match (else nothing is done)
#   --prefix DIR   where the project goes (default /opt/yitu as root, else ~/yitu); an existing
#                  install there is upgraded: its data/ (the DuckDB store), .streamlit/secrets.toml
#                  and .venv stay, files the new version no longer has are removed
#   --deps-only    install only the Debian packages and the Python packages (into DIR/.venv), not the
#                  project: what `bash scripts/run.sh --offline BUNDLE` uses in a checkout
#   --no-debs      skip the Debian packages (chromium, fonts-noto-cjk, python3-venv)
#   --no-start     install only; otherwise the app starts (bash DIR/scripts/run.sh STREAMLIT ARGS)
#
# Nothing is fetched: apt reads the bundle's own repository only, pip runs with --no-index.
set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 1; }

BUNDLE=""
PREFIX=""
DEPS_ONLY=0
WITH_DEBS=1
START=1
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX="$2"; shift 2 ;;
        --deps-only) DEPS_ONLY=1; shift ;;
        --no-debs) WITH_DEBS=0; shift ;;
        --no-start) START=0; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [ -z "$BUNDLE" ] || die "one bundle only (got $BUNDLE and $1)"; BUNDLE="$1"; shift ;;
    esac
done
[ -n "$BUNDLE" ] || die "usage: install.sh BUNDLE.tar [--prefix DIR] [--no-start] (see --help)"
[ -f "$BUNDLE" ] || die "no bundle at $BUNDLE"
if [ -z "$PREFIX" ]; then
    if [ "$(id -u)" = 0 ]; then PREFIX=/opt/yitu; else PREFIX="$HOME/yitu"; fi
fi

# 1. The checksum, before anything is unpacked.
BUNDLE=$(cd "$(dirname "$BUNDLE")" && pwd)/$(basename "$BUNDLE")
SUMFILE="$BUNDLE.sha256"
[ -f "$SUMFILE" ] || die "no checksum file $SUMFILE next to the bundle: copy it along (refusing to install unchecked)"
expected=$(awk 'NR==1{print $1}' "$SUMFILE")
echo "==> checking SHA-256 of $(basename "$BUNDLE")"
actual=$(sha256sum "$BUNDLE" | cut -d' ' -f1)
[ "$expected" = "$actual" ] || die "checksum mismatch: $SUMFILE says $expected, the file has $actual (damaged or altered copy)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/yitu-install-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
tar -xf "$BUNDLE" -C "$WORK"
ROOT=$(find "$WORK" -mindepth 1 -maxdepth 1 -type d -name 'yitu-bundle-*' | head -1)
[ -n "$ROOT" ] && [ -f "$ROOT/MANIFEST" ] || die "$BUNDLE is not a yitu bundle (no MANIFEST)"
(cd "$ROOT" && sha256sum --quiet -c SHA256SUMS) || die "a file inside the bundle does not match its SHA256SUMS"
manifest() { awk -F= -v k="$1" '$1==k{print substr($0, length(k) + 2)}' "$ROOT/MANIFEST"; }
echo "==> bundle $(manifest name), built $(manifest built), Python $(manifest python), $(manifest debs) debs, $(manifest wheels) wheels"

# 2. Debian packages from the bundle's own flat repository; apt installs only what is missing.
if [ "$WITH_DEBS" = 1 ] && [ -f "$ROOT/debs/Packages" ]; then
    mapfile -t required < "$ROOT/debs/REQUIRED"
    absent=()
    for pkg in "${required[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || absent+=("$pkg")
    done
    if [ "${#absent[@]}" = 0 ]; then
        echo "==> Debian packages present: ${required[*]}"
    elif [ "$(id -u)" != 0 ]; then
        die "missing Debian packages ${absent[*]}: run this script as root (or install them, then use --no-debs)"
    else
        echo "==> installing ${absent[*]} from the bundle"
        mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/archives/partial" "$WORK/apt/parts"
        echo "deb [trusted=yes] file:$ROOT/debs ./" > "$WORK/apt/sources.list"
        apt_opts=(-o Dir::Etc::SourceList="$WORK/apt/sources.list" -o Dir::Etc::SourceParts="$WORK/apt/parts"
                  -o Dir::State::Lists="$WORK/apt/lists" -o Dir::Cache::Archives="$WORK/apt/archives"
                  -o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache="" -o Acquire::Languages=none
                  -o APT::Get::List-Cleanup=false)
        apt-get "${apt_opts[@]}" update -qq
        DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends \
            "${absent[@]}" >/dev/null
    fi
fi

# 3. The project (unless --deps-only): upgrade in place, keeping the store, settings and venv.
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
if [ "$DEPS_ONLY" = 0 ]; then
    echo "==> project $(manifest commit) into $PREFIX"
    listing="$PREFIX/.bundle-files"
    (cd "$ROOT/project" && find . -type f -printf '%P\n' | LC_ALL=C sort) > "$WORK/new-files"
    if [ -f "$listing" ]; then
        # files of the previous release that this one no longer ships
        LC_ALL=C comm -23 <(LC_ALL=C sort "$listing") "$WORK/new-files" | while IFS= read -r old; do
            rm -f "$PREFIX/$old"
        done
    fi
    cp -a "$ROOT/project/." "$PREFIX/"
    cp "$WORK/new-files" "$listing"
    echo "$(manifest commit)" > "$PREFIX/.bundle-commit"
fi
[ -f "$PREFIX/requirements.txt" ] || die "$PREFIX has no requirements.txt (wrong --prefix?)"

# 4. Python packages into PREFIX/.venv, from the bundle's wheels only.
PYTHON_BIN="${PYTHON_BIN:-python3}"
command -v "$PYTHON_BIN" >/dev/null || die "no $PYTHON_BIN: install Python $(manifest python) (the bundle's python3-venv debs bring Debian's)"
have=$("$PYTHON_BIN" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
[ "$have" = "$(manifest python)" ] || die "$PYTHON_BIN is Python $have; the bundle's wheels are for $(manifest python) (set PYTHON_BIN)"
if [ ! -x "$PREFIX/.venv/bin/python" ]; then
    echo "==> creating $PREFIX/.venv"
    "$PYTHON_BIN" -m venv "$PREFIX/.venv"
fi
echo "==> Python packages from the bundle (pip --no-index)"
PIP_CONFIG_FILE=/dev/null "$PREFIX/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-index --find-links "$ROOT/wheels" -r "$PREFIX/requirements.txt"
# The stamp scripts/run.sh checks, so it does not try the package index again.
(cd "$PREFIX" && cat requirements*.txt | sha256sum | cut -d' ' -f1 > .venv/.installed-requirements.txt)
echo "==> installed in $PREFIX"

# 5. Start.
if [ "$START" = 1 ]; then
    echo "==> starting: bash $PREFIX/scripts/run.sh $*"
    exec bash "$PREFIX/scripts/run.sh" "$@"
fi
