#!/usr/bin/env bash
# One command from a fresh clone to a full test run: typecheck, lint, unit and
# integration tests (integration tests start their own redis-server on a free port
# unless REDIS_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# The browser tests (Bull Board, the /docs page) drive Debian's chromium (e2e/*-browser.int.test.ts).
if [ "${FLOCK_SKIP_BROWSER_TESTS:-}" != 1 ] && [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser test needs chromium: install it (sudo apt-get install chromium), set CHROMIUM_PATH," >&2
    echo "or set FLOCK_SKIP_BROWSER_TESTS=1 to leave that test out." >&2
    exit 1
  fi
fi
exec pnpm --silent test
