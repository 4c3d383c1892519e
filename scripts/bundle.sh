#!/usr/bin/env bash
# Build the offline bundle for an intranet without a package index (run on a machine that has one).
#
#   bash scripts/bundle.sh [--out DIR] [--python-version 3.11] [--platform manylinux2014_x86_64]
#                          [--no-debs] [--no-apt-update]
#
# DIR (default dist/) receives three files:
#   yitu-bundle-<commit>.tar          the bundle: project/ (git archive of HEAD), wheels/ (every pinned
#                                     requirement of requirements.txt as a wheel for the target Python and
#                                     platform), debs/ (chromium, fonts-noto-cjk, python3-venv and every
#                                     package they need on a bare Debian, as a local apt repository),
#                                     MANIFEST, SHA256SUMS (of every file inside) and install.sh
#   yitu-bundle-<commit>.tar.sha256   its SHA-256 (sha256sum format)
#   install.sh                        the installer, also inside the bundle
# On the intranet host: `sha256sum -c yitu-bundle-*.tar.sha256 && sudo bash install.sh yitu-bundle-*.tar`
# (install.sh checks the sum itself too). See docs/部署与运维.md.
#
# The Debian packages are those of this machine's apt sources (build on the intranet's Debian release
# and architecture). Downloads are kept in $YITU_BUNDLE_CACHE (default ~/.cache/yitu-bundle) and pip's
# own cache, so a second build only downloads what changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

OUT=dist
PY_VERSION=""
PLATFORM=""
WITH_DEBS=1
APT_UPDATE=1
DEB_PACKAGES=(chromium fonts-noto-cjk python3-venv)
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT="$2"; shift 2 ;;
        --python-version) PY_VERSION="$2"; shift 2 ;;
        --platform) PLATFORM="$2"; shift 2 ;;
        --no-debs) WITH_DEBS=0; shift ;;
        --no-apt-update) APT_UPDATE=0; shift ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bundle.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

PYTHON_BIN="${PYTHON_BIN:-python3}"
if [ -x .venv/bin/python ]; then PIP_PYTHON=.venv/bin/python; else PIP_PYTHON="$PYTHON_BIN"; fi
if [ -z "$PY_VERSION" ]; then
    PY_VERSION=$("$PIP_PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
fi
COMMIT=$(git rev-parse --short=12 HEAD)
NAME="yitu-bundle-$COMMIT"
CACHE="${YITU_BUNDLE_CACHE:-$HOME/.cache/yitu-bundle}"
mkdir -p "$OUT" "$CACHE/debs"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "$OUT/.build-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/$NAME"
mkdir -p "$STAGE/wheels" "$STAGE/debs" "$STAGE/project"

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "==> note: uncommitted changes are not in the bundle (it holds HEAD $COMMIT)" >&2
fi
echo "==> project: git archive of $COMMIT"
git archive --format=tar HEAD | tar -x -C "$STAGE/project"

echo "==> wheels for Python $PY_VERSION${PLATFORM:+ on $PLATFORM}"
platform_args=(--python-version "$PY_VERSION")
[ -n "$PLATFORM" ] && platform_args+=(--platform "$PLATFORM")
"$PIP_PYTHON" -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
    "${platform_args[@]}" -d "$STAGE/wheels" -r requirements.txt 2> >(grep -v "is ignored: it is neither" >&2)

if [ "$WITH_DEBS" = 1 ]; then
    if [ "$APT_UPDATE" = 1 ] && [ "$(id -u)" = 0 ]; then
        echo "==> apt-get update"
        apt-get update -qq
    fi
    # What apt would install on a bare system (empty dpkg status): the whole dependency closure,
    # one choice per alternative, without recommends. On the target apt takes only what is missing.
    empty_status="$WORK/empty-status"
    : > "$empty_status"
    mapfile -t debs < <(apt-get install -s --no-install-recommends -o Dir::State::status="$empty_status" \
        "${DEB_PACKAGES[@]}" 2>/dev/null | awk '/^Inst /{print $2 " " substr($3, 2)}')
    if [ "${#debs[@]}" = 0 ]; then
        echo "bundle.sh: apt could not resolve ${DEB_PACKAGES[*]} (run apt-get update as root?)" >&2
        exit 1
    fi
    echo "==> ${#debs[@]} Debian packages for ${DEB_PACKAGES[*]}"
    # apt-get download names files pkg_version_arch.deb (an epoch's ':' as %3a); reuse cached ones.
    deb_file() { printf '%s_%s_' "$1" "${2//:/%3a}"; }
    missing=()
    for entry in "${debs[@]}"; do
        read -r pkg version <<< "$entry"
        if ! compgen -G "$CACHE/debs/$(deb_file "$pkg" "$version")*.deb" >/dev/null; then
            missing+=("$pkg=$version")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "    downloading ${#missing[@]} (cache: $CACHE/debs)"
        (cd "$CACHE/debs" && apt-get download -q "${missing[@]}" 2> >(grep -v "unsandboxed" >&2) >/dev/null)
    fi
    for entry in "${debs[@]}"; do
        read -r pkg version <<< "$entry"
        found=("$CACHE"/debs/$(deb_file "$pkg" "$version")*.deb)
        ln "${found[0]}" "$STAGE/debs/" 2>/dev/null || cp "${found[0]}" "$STAGE/debs/"
    done
    # A flat apt repository ("deb [trusted=yes] file:DIR ./"): Packages lists each control record
    # with its file name, size and checksum.
    (
        cd "$STAGE/debs"
        for deb in *.deb; do
            dpkg-deb -f "$deb" | sed '/^$/d'
            echo "Filename: ./$deb"
            echo "Size: $(stat -c %s "$deb")"
            echo "SHA256: $(sha256sum "$deb" | cut -d' ' -f1)"
            echo
        done > Packages
    )
    printf '%s\n' "${DEB_PACKAGES[@]}" > "$STAGE/debs/REQUIRED"
fi

cp scripts/install.sh "$STAGE/install.sh"
{
    echo "name=$NAME"
    echo "commit=$(git rev-parse HEAD)"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "python=$PY_VERSION"
    echo "platform=${PLATFORM:-$("$PIP_PYTHON" -c 'import sysconfig; print(sysconfig.get_platform())')}"
    echo "debian=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-?}") $(dpkg --print-architecture 2>/dev/null || echo ?)"
    echo "debs=$(ls "$STAGE/debs" | grep -c '\.deb$' || true)"
    echo "wheels=$(ls "$STAGE/wheels" | grep -c '\.whl$' || true)"
} > "$STAGE/MANIFEST"
(cd "$STAGE" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum > SHA256SUMS)

echo "==> writing $OUT/$NAME.tar"
# Wheels and debs are compressed already: a plain tar is as small and much faster.
tar -C "$WORK" -cf "$OUT/$NAME.tar.part" "$NAME"
mv "$OUT/$NAME.tar.part" "$OUT/$NAME.tar"
(cd "$OUT" && sha256sum "$NAME.tar" > "$NAME.tar.sha256")
cp scripts/install.sh "$OUT/install.sh"
echo "$OUT/$NAME.tar ($(du -h "$OUT/$NAME.tar" | cut -f1)), $OUT/$NAME.tar.sha256, $OUT/install.sh"
