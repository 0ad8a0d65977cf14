#!/usr/bin/env bash
# `edict eval --ledger` over N quota-consuming shipments (bench/gen_ledger_shipments.py: ai_diffusion_2025,
# ~1,000 consignees): the in-memory ledger, a fresh SQLite ledger, and a fresh PostgreSQL ledger on a server
# reached over loopback TCP (started here by tests/ledger/pg_test_server.sh, fsync on, stopped afterwards).
# Prints, per run, wall and CPU seconds and shipments per second by each (docs/performance.md, "Ledger").
#
#   bench/ledger_bench.sh [N] [BATCH] [PG_PORT]      from the source tree, after building build/bin/edict
#
# N defaults to 1,000,000, BATCH (--ledger-batch) to edict's default; PG_PORT (default 55432) must be free.
# Set EDICT_BENCH_SKIP_PG=1 to leave PostgreSQL out.
set -euo pipefail

n=${1:-1000000}
batch=${2:-}
port=${3:-55432}
root=$(cd "$(dirname "$0")/.." && pwd)
edict="$root/build/bin/edict"
policy="$root/policies/ai_diffusion_2025.edict"
work=$(mktemp -d /tmp/edict-ledger-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"

input="$work/shipments.jsonl"
python3 "$root/bench/gen_ledger_shipments.py" "$n" >"$input"
batch_args=()
if [[ -n "$batch" ]]; then batch_args=(--ledger-batch "$batch"); fi
# The JIT's object cache is filled once, so that no run below pays for compiling the policy.
"$edict" eval "$policy" --input "$input" --output /dev/null 2>/dev/null

# run LABEL ARGS...: one timed `edict eval`, its output thrown away (written to /dev/null, as a large batch
# written to a file would cost the same for every ledger).
run() {
  local label=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$edict" eval "$policy" --input "$input" --output /dev/null "$@" \
    2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  read -r wall user sys <"$work/time"
  python3 - "$label" "$n" "$wall" "$user" "$sys" <<'EOF'
import sys
label, n, wall, user, sys_ = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:])
cpu = user + sys_
print(f"{label:<28} {wall:7.2f} s wall {n / wall:10,.0f}/s   {cpu:6.2f} s CPU {n / cpu:10,.0f}/s")
EOF
}

echo "edict eval --ledger: $n shipments, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
run "in memory"
rm -f "$work"/ledger.db*
run "sqlite${batch:+ (batch $batch)}" --ledger "$work/ledger.db" "${batch_args[@]}"
if [[ -z "${EDICT_BENCH_SKIP_PG:-}" ]]; then
  # Inside the server's lifetime: pg_test_server.sh sets EDICT_TEST_PG_URL (127.0.0.1:PORT) for the command.
  export -f run
  export n work edict policy input batch
  EDICT_PG_TCP=$port EDICT_PG_FSYNC=on bash "$root/tests/ledger/pg_test_server.sh" bash -c \
    'run "postgresql loopback${batch:+ (batch $batch)}" --ledger "$EDICT_TEST_PG_URL" ${batch:+--ledger-batch $batch}'
fi
