#!/usr/bin/env bash
# Runs the libFuzzer harnesses of a -DEDICT_FUZZ=ON build for a bounded time each, two at a time (one per core):
#   tests/fuzz/run-fuzzers.sh BUILD_DIR SECONDS [HARNESS...]        (default: all five)
# Seeds come from the repository (seed-corpus.sh). What a run adds is kept in BUILD_DIR/fuzz/corpus/NAME for the
# next run, crashes go to BUILD_DIR/fuzz/artifacts/NAME/, and each run's log to BUILD_DIR/fuzz/NAME.log. Prints
# executions, coverage and the outcome of each; exits 1 when any harness crashed, timed out or ran out of memory
# (the end of its log is printed: a crash-* file there is the input to add to regressions/NAME/). The CPU
# seconds each harness used are in BUILD_DIR/fuzz/NAME.time (wall, user, system). EDICT_FUZZ_TIMEOUT changes
# the seconds after which one input is a hang (60), EDICT_FUZZ_SOURCE_DIR the tree policies are read from.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "$1" && pwd)"
seconds="$2"
shift 2
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(fuzz_policy fuzz_records fuzz_repl fuzz_diff fuzz_serve)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_odr_violation=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/tests/sanitizers/lsan.supp}
out="$build/fuzz"
rm -rf "$out/seeds"
bash "$src/tests/fuzz/seed-corpus.sh" "$out/seeds" >/dev/null

run() {
  local h="$1"
  mkdir -p "$out/corpus/$h" "$out/artifacts/$h"
  # -timeout: one input running this long (wall clock) is a hang; a diff input is bounded by its solver
  # queries (about 4 s of CPU at most), and a run at low priority on a busy machine may want more.
  local TIMEFORMAT="%R %U %S"  # wall, user and system seconds, into NAME.time
  { time (cd "$src" && "$build/bin/$h" -max_total_time="$seconds" -timeout="${EDICT_FUZZ_TIMEOUT:-60}" \
      -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$out/artifacts/$h/" "$out/corpus/$h" "$out/seeds/$h" \
      >"$out/$h.log" 2>&1); } 2>"$out/$h.time"
}

declare -A status
pids=()
for h in "${harnesses[@]}"; do
  [[ -x $build/bin/$h ]] || { echo "no $build/bin/$h: build the target 'fuzzers' with -DEDICT_FUZZ=ON" >&2; exit 2; }
  run "$h" &
  pids+=("$!:$h")
  if ((${#pids[@]} == 2)); then
    for p in "${pids[@]}"; do
      if wait "${p%%:*}"; then status[${p#*:}]=0; else status[${p#*:}]=$?; fi
    done
    pids=()
  fi
done
for p in "${pids[@]}"; do
  if wait "${p%%:*}"; then status[${p#*:}]=0; else status[${p#*:}]=$?; fi
done

failed=0
printf '%-13s %10s %8s %8s %8s %7s  %s\n' harness executions 'cpu s' cov ft corpus outcome
for h in "${harnesses[@]}"; do
  log="$out/$h.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  cpu=$(awk '{printf "%.0f", $2 + $3}' "$out/$h.time" 2>/dev/null || true)
  if [[ ${status[$h]} == 0 ]]; then outcome="no crash in ${seconds} s"; else outcome="FAILED (status ${status[$h]})"; failed=1; fi
  printf '%-13s %10s %8s %8s %8s %7s  %s\n' "$h" "${execs:-?}" "${cpu:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
    "$outcome"
done
for h in "${harnesses[@]}"; do
  if [[ ${status[$h]} != 0 ]]; then
    echo "--- $h: end of $out/$h.log"
    tail -40 "$out/$h.log"
    ls -l "$out/artifacts/$h/"
  fi
done
exit "$failed"
