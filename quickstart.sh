#!/usr/bin/env bash
# QA Desk quick start.
#
#   ./quickstart.sh [ARGS...]        set everything up, then start QA Desk (ARGS go to qa-desk)
#   ./quickstart.sh test [ARGS...]   set everything up plus the test extras, then run the
#                                    whole test suite headless (ARGS go to pytest, e.g. -k store)
#
# Made for Debian 12 (and derivatives) with python3 >= 3.11. It
#   1. checks the Debian packages QA Desk needs and installs only the missing ones
#      (as root; otherwise it prints the sudo command to run and stops),
#   2. creates the virtual environment .venv in this folder,
#   3. installs QA Desk into it in editable mode (skipped while pyproject.toml is unchanged),
#   4. starts the app or the tests.
# PYTHON=/path/to/python3.x chooses the interpreter used to create .venv.
set -euo pipefail

say() { printf 'quickstart: %s\n' "$*"; }
die() { printf 'quickstart: error: %s\n' "$*" >&2; exit 1; }

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"

mode="app"
if [[ "${1:-}" == "test" ]]; then
    mode="test"
    shift
fi

# --------------------------------------------------------------------------- Python
PY="${PYTHON:-python3}"
command -v "$PY" >/dev/null 2>&1 \
    || die "'$PY' not found. Install Python 3.11 or newer (Debian: apt-get install python3) or set PYTHON=/path/to/python3."
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    die "QA Desk needs Python 3.11 or newer, but '$PY' is $("$PY" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo unknown). Set PYTHON=/path/to/python3.11 (or newer)."
fi
PY="$(command -v "$PY")"
want_ver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

# A .venv from another Python version, or a half-made one, is thrown away.
if [[ -e .venv ]]; then
    have_ver="$(.venv/bin/python -c 'import sys, pip; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo broken)"
    if [[ "$have_ver" != "$want_ver" ]]; then
        say ".venv is not usable with $PY ($want_ver; .venv: $have_ver): recreating it"
        rm -rf .venv
    fi
fi

# --------------------------------------------------------------------------- Debian packages
# Qt runtime for the offscreen platform and for a real X11 (xcb) window.
packages=(
    libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
    libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0
    libportaudio2   # sounddevice (playback)
    fonts-noto-cjk  # Chinese text in the UI and reports
)
if [[ $mode == test ]]; then
    packages+=(
        postgresql  # a real server for the PostgreSQL tests
        ffmpeg      # M4A import tests
        libreoffice-calc-nogui  # proves exported workbooks open (converted to PDF headless)
        chromium    # opens an exported playlist index headless and screenshots it
    )
fi

if [[ ! -e .venv ]] && ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    # Debian splits venv/ensurepip out of python3. The Debian package can only
    # repair Debian's own interpreter, so do not suggest it for others.
    if [[ "$("$PY" -c 'import sys; print(sys.base_prefix)')" == /usr ]]; then
        packages+=(python3-venv)
    else
        die "'$PY' cannot create virtual environments (no venv/ensurepip module). Use an interpreter that has them, e.g. PYTHON=/usr/bin/python3 with the Debian package python3-venv."
    fi
fi

if command -v dpkg-query >/dev/null 2>&1; then
    missing=()
    for pkg in "${packages[@]}"; do
        status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
        [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        if [[ "$(id -u)" == 0 ]]; then
            say "installing Debian packages: ${missing[*]}"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -q || die "apt-get update failed (network or apt sources?)"
            apt-get install -y -q --no-install-recommends "${missing[@]}" \
                || die "apt-get install failed for: ${missing[*]}"
        else
            say "these Debian packages are missing: ${missing[*]}"
            rerun=./quickstart.sh
            [[ $mode == test ]] && rerun+=" test"
            say "install them with the command below, then run $rerun again:"
            printf '\n    sudo apt-get install -y %s\n\n' "${missing[*]}"
            say "(if apt-get says it is 'unable to locate' a package, run 'sudo apt-get update' first)"
            exit 1
        fi
    else
        say "Debian packages: all present"
    fi
else
    say "no dpkg-query (not Debian?): skipping the system package check; you may need the" \
        "equivalents of: ${packages[*]}"
fi

# --------------------------------------------------------------------------- virtual environment
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [[ "${CI:-}" == true ]]; then
    export PIP_PROGRESS_BAR=off
fi

if [[ ! -e .venv ]]; then
    say "creating virtual environment .venv with $PY ($want_ver)"
    if ! "$PY" -m venv .venv; then
        rm -rf .venv
        die "could not create .venv with $PY (on Debian: apt-get install python3-venv)"
    fi
fi

# Skip pip while pyproject.toml is unchanged since the last successful install.
# The test install is a superset of the app install, so it satisfies both stamps.
stamp_dir=.venv/.quickstart
hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
up_to_date() {
    local m
    for m in "$@"; do
        [[ -f "$stamp_dir/$m" && "$(cat "$stamp_dir/$m")" == "$hash" ]] && return 0
    done
    return 1
}
if [[ $mode == test ]]; then
    target=".[test]"; satisfied_by=(test); stamps=(app test)
else
    target="."; satisfied_by=(app test); stamps=(app)
fi
if up_to_date "${satisfied_by[@]}"; then
    say "QA Desk already installed in .venv (pyproject.toml unchanged)"
else
    say "installing QA Desk ($target) into .venv; the first time this downloads about 200 MB"
    .venv/bin/python -m pip install --quiet --upgrade pip \
        || die "could not upgrade pip in .venv (network? PyPI reachable?)"
    .venv/bin/python -m pip install --quiet -e "$target" \
        || die "pip install -e \"$target\" failed; see the messages above"
    mkdir -p "$stamp_dir"
    for m in "${stamps[@]}"; do
        printf '%s\n' "$hash" >"$stamp_dir/$m"
    done
    say "install done"
fi

# --------------------------------------------------------------------------- translations
# The interface's .qm files, built from the committed .ts sources with Qt's lrelease
# (seconds; done every time, so an edited translation shows at the next start).
.venv/bin/python scripts/translations.py build >/dev/null \
    || die "could not build the translations (scripts/translations.py build)"

# --------------------------------------------------------------------------- run
if [[ $mode == test ]]; then
    export QT_QPA_PLATFORM=offscreen
    # One test worker per core (-n auto); each test module runs on one worker
    # (--dist loadscope), so a module's expensive fixture (the demo centre, a loaded
    # speech model) is built once. Later ARGS win: "./quickstart.sh test -n0 -k store"
    # runs in this process.
    say "running the tests: pytest -n auto --dist loadscope $*"
    exec .venv/bin/python -m pytest -n auto --dist loadscope "$@"
fi
say "starting QA Desk"
exec .venv/bin/qa-desk "$@"
