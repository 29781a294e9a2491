#!/usr/bin/env bash
# One command from a fresh clone to a running Flock on demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec pnpm --silent dev
