#!/usr/bin/env bash
# `make test`: the whole suite against real PostgreSQL and Redis (configured, or embedded) and
# headless Chromium. Extra arguments go to pytest (e.g. `make test ARGS="tests/test_scope.py"`).
source "$(dirname "$0")/_common.sh"
ensure_venv requirements-dev.txt
mkdir -p var
embedded_services
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Browser tests need Chromium: sudo apt-get install chromium (or set CHROMIUM_PATH)" >&2
  fi
fi
# axe-core (accessibility audits in the browser tests), from the npm registry, pinned.
AXE_VERSION=4.14.1
if command -v npm >/dev/null && [ ! -f "var/node/node_modules/axe-core/axe.min.js" ]; then
  echo "==> installing axe-core $AXE_VERSION for the accessibility checks"
  npm install --silent --no-audit --no-fund --prefix var/node "axe-core@$AXE_VERSION" >/dev/null
fi
exec "$VENV/bin/python" -m pytest "$@"
