#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server: initdb into a fresh temporary folder, the server
# listening only on a unix socket in that folder, EDICT_TEST_PG_URL set for the command, and the server stopped
# and the folder removed afterwards (also when the command fails or is interrupted).
#
#   tests/ledger/pg_test_server.sh build/bin/ledger_test --gtest_filter='*postgres*'
#
# The server refuses to run as root; as root (CI) it runs as the `postgres` user that Debian's postgresql
# package creates. The command's exit status is the script's.
set -euo pipefail

bindir=""
if command -v pg_config >/dev/null; then bindir=$(pg_config --bindir); fi
if [[ ! -x "$bindir/initdb" ]]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
if [[ ! -x "$bindir/initdb" || ! -x "$bindir/pg_ctl" ]]; then
  echo "pg_test_server.sh: no PostgreSQL server found (bash .ci/install-deps installs Debian's postgresql)" >&2
  exit 1
fi

dir=$(mktemp -d /tmp/edict-pg.XXXXXX)
as_server=()
user=$(id -un)
if [[ $(id -u) -eq 0 ]]; then
  user=postgres
  chown postgres "$dir"
  as_server=(runuser -u postgres --)
fi

stop() {
  "${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

"${as_server[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U "$user" --no-sync >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
# fsync off: the tests kill clients, never the server, and a cluster that is thrown away needs no flushes.
# EDICT_PG_TCP=PORT (bench/ledger_bench.sh): listen on 127.0.0.1:PORT instead, the URL naming it (loopback
# TCP, as a server on another machine is reached), and EDICT_PG_FSYNC=on keeps fsync on.
listen="-c listen_addresses='' -c port=5432"
host="$dir"
port=5432
if [[ -n "${EDICT_PG_TCP:-}" ]]; then
  port="$EDICT_PG_TCP"
  listen="-c listen_addresses='127.0.0.1' -c port=$port"
  host=127.0.0.1
fi
"${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "$listen -c unix_socket_directories='$dir' -c fsync=${EDICT_PG_FSYNC:-off} -c max_connections=60" \
  start >/dev/null || {
  cat "$dir/server.log" >&2
  exit 1
}

export EDICT_TEST_PG_URL="postgresql:///postgres?host=$host&port=$port&user=$user"
status=0
"$@" || status=$?
exit "$status"
