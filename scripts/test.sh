#!/usr/bin/env bash
# Runs every Sesame test: unit, storage conformance on SQLite and PostgreSQL,
# API and end-to-end tests. This is the README's test command; .ci/run calls it.
#
# PostgreSQL: uses $SESAME_TEST_POSTGRES_DSN when set; otherwise starts a
# throwaway cluster with initdb/pg_ctl in a temp dir and stops it on exit.
# Chromium (browser tests): /usr/bin/chromium, installed with apt-get as root.
# Under CI=true a missing component fails the run with what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "test.sh: $*" >&2; exit 1; }

command -v go >/dev/null || die "Go is not installed (https://go.dev/dl, Go >= 1.26)"

find_pg_bin() {
  local d
  for d in $(command -v initdb 2>/dev/null | xargs -r dirname) /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

PGTMP=""
cleanup() {
  if [ -n "$PGTMP" ] && [ -d "$PGTMP" ]; then
    run_as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"
  fi
}
trap cleanup EXIT

run_as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$PGUSER_OS" -- "$@"
  else
    "$@"
  fi
}

if [ -z "${SESAME_TEST_POSTGRES_DSN:-}" ]; then
  if ! PGBIN=$(find_pg_bin); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "test.sh: installing postgresql (initdb/pg_ctl) with apt-get" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || true
    fi
    PGBIN=$(find_pg_bin) || die "PostgreSQL is required: set SESAME_TEST_POSTGRES_DSN or install postgresql (initdb, pg_ctl): apt-get install -y postgresql"
  fi
  PGUSER_OS=$(id -un)
  if [ "$(id -u)" = 0 ]; then
    PGUSER_OS=postgres
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  fi
  PGTMP=$(mktemp -d /tmp/sesame-pg.XXXXXX)
  chmod 755 "$PGTMP"
  mkdir -p "$PGTMP/data" "$PGTMP/sock"
  if [ "$(id -u)" = 0 ]; then chown -R "$PGUSER_OS" "$PGTMP"; fi
  PGPORT=$(( 20000 + RANDOM % 20000 ))
  run_as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 >"$PGTMP/initdb.log" 2>&1 \
    || { cat "$PGTMP/initdb.log" >&2; die "initdb failed"; }
  run_as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/pg.log" -w -t 60 \
    -o "-p $PGPORT -k $PGTMP/sock -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300" start >/dev/null \
    || { cat "$PGTMP/pg.log" >&2; die "could not start the throwaway PostgreSQL cluster"; }
  export SESAME_TEST_POSTGRES_DSN="postgres://postgres@127.0.0.1:$PGPORT/postgres?sslmode=disable"
  echo "test.sh: throwaway PostgreSQL on 127.0.0.1:$PGPORT" >&2
fi

# Chromium drives the browser tests (internal/e2e): installed like
# PostgreSQL when missing and the script runs as root; without it those
# tests skip, or fail under CI=true.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test.sh: installing chromium with apt-get" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || true
fi

# Node.js and npm run the second SAML IdP (internal/connector/saml/testdata/nodeidp)
# and the accessibility audit; installed like Chromium when missing.
if ! command -v npm >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test.sh: installing nodejs npm with apt-get" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) || true
fi

go vet ./...
# crewjam/saml with Sesame's performance patches (third_party/crewjam-saml/SESAME.md):
# its own whole suite, the patches' equivalence tests included, before ours.
(cd third_party/crewjam-saml && go test -count=1 -timeout 10m ./...)
go test -count=1 -timeout 30m "$@" ./...
