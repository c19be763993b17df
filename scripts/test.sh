#!/usr/bin/env bash
# The project's test command: installs what the tests need on a fresh
# Debian machine (PostgreSQL from Debian's packages; the tests start their
# own throw-away server from it; Chromium for the console's browser tests;
# Node.js and npm for the official Node.js
# SDKs, whose packages e2e/node_sdk_test.go installs with `npm ci`), then
# runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && [ -z "${CANOPY_TEST_POSTGRES_DSN:-}" ]; then
  echo "installing PostgreSQL from Debian's packages" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi

# Chromium for the console's browser tests (e2e/console_browser_test.go,
# driven by chromedp); they fail, never skip, without it.
if ! [ -x /usr/bin/chromium ]; then
  echo "installing Chromium from Debian's packages" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi

# Debian ships npm apart from nodejs; a Node.js that bundles npm has both.
node_packages=
if ! command -v node >/dev/null 2>&1; then node_packages="nodejs npm"
elif ! command -v npm >/dev/null 2>&1; then node_packages="npm"; fi
if [ -n "$node_packages" ]; then
  echo "installing $node_packages from Debian's packages" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $node_packages
fi

go vet ./...
go test -count=1 -timeout 30m "$@" ./...
