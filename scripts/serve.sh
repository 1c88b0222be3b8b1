#!/usr/bin/env bash
# Set everything up, build the database in ./data (or $CUSTODY_DATA_DIR), and
# serve Custody on http://127.0.0.1:${PORT:-8000}/ until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/redis.sh  # the workers count failed sign-ins together there
.venv/bin/custody init
if .venv/bin/custody verify | grep -q "^ok: 0 records"; then
    # An empty database: build the demo district (the 7 days before today in
    # Jiaxing, some handovers photographed, label sheets in data/labels) and a
    # supervisor account to look at it with.
    .venv/bin/custody demo --days 7 --start "$(TZ=Asia/Shanghai date -d '7 days ago' +%F)"
    password="$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 12)"
    echo "$password" | .venv/bin/custody users add demo --role supervisor --password-stdin
    login="${CUSTODY_DATA_DIR:-data}/demo-login.txt"
    echo "demo supervisor: name 'demo', password '$password' (also written to $login)"
    echo "demo / $password" > "$login"
fi
exec .venv/bin/custody serve --host 127.0.0.1 --port "${PORT:-8000}"
