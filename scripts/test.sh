#!/usr/bin/env bash
# Set everything up, then run the whole test suite (on SQLite, and also on
# PostgreSQL when TEST_DATABASE_URL names a server database).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/pytest -n "${PYTEST_WORKERS:-2}" "$@"
