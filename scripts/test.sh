#!/usr/bin/env bash
# The project's test command: installs what the tests need on a fresh
# Debian machine (PostgreSQL from Debian's packages; the tests start their
# own throw-away server from it), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && [ -z "${CANOPY_TEST_POSTGRES_DSN:-}" ]; then
  echo "installing PostgreSQL from Debian's packages" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi

go vet ./...
go test -count=1 -timeout 30m "$@" ./...
