#!/usr/bin/env bash
# Installs what Flock needs on a fresh machine, and nothing twice: the pinned pnpm,
# the workspace dependencies, and redis-server (used when REDIS_URL is not set).
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9

if ! command -v node >/dev/null 2>&1; then
  echo "Flock needs Node.js 20.19 or newer: https://nodejs.org/" >&2
  exit 1
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "==> installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi
if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing redis-server"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "Flock needs redis-server (or REDIS_URL pointing at a Redis)." >&2
    echo "Install it with: sudo apt-get install redis-server   (macOS: brew install redis)" >&2
    exit 1
  fi
fi
echo "==> installing dependencies"
pnpm install --frozen-lockfile --reporter=silent
