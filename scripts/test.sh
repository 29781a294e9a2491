#!/usr/bin/env bash
# One command from a fresh clone to a full test run: typecheck, lint, unit and
# integration tests (integration tests start their own redis-server on a free port
# unless REDIS_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec pnpm --silent test
