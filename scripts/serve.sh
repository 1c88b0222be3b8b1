#!/usr/bin/env bash
# Set everything up, build the database in ./data, and serve Custody on
# http://127.0.0.1:8000/ until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/custody init
exec .venv/bin/custody serve --host 127.0.0.1 --port "${PORT:-8000}"
