#!/usr/bin/env bash
# The longer fuzz run of docs/fuzzing.md, bounded by CPU time rather than wall time, so that a run on a machine
# others are also using (at low priority, nice 19) still gives each harness its full CPU budget:
#   tests/fuzz/long-run.sh BUILD_DIR CPU_SECONDS [HARNESS...]        (default: all five, one after another)
# Each harness starts from BUILD_DIR/fuzz/corpus/NAME (what earlier runs kept) and the repository's seeds, and
# is interrupted (SIGINT: libFuzzer prints its final statistics and exits 72) once its process has used
# CPU_SECONDS of user + system time. Logs go to BUILD_DIR/fuzz/long/NAME.log; a summary line per harness to
# BUILD_DIR/fuzz/long/summary.tsv (date, commit, harness, CPU s, wall s of the last segment, executions, cov,
# ft, corpus, segments, outcome).
# Exits 1 when a harness crashed, hung or ran out of memory (its crash-* input is in BUILD_DIR/fuzz/artifacts).
# A run that was stopped from outside (the machine shut down) is resumed by the next call: the CPU seconds and
# executions it reached (BUILD_DIR/fuzz/long/NAME.progress, written every poll) count towards the budget, and
# the harness goes on from the corpus it had grown.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "$1" && pwd)"
budget="$2"
shift 2
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(fuzz_policy fuzz_records fuzz_repl fuzz_diff fuzz_serve)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_odr_violation=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/tests/sanitizers/lsan.supp}
out="$build/fuzz"
mkdir -p "$out/long"
bash "$src/tests/fuzz/seed-corpus.sh" "$out/seeds" >/dev/null
ticks=$(getconf CLK_TCK)
# The commit the harnesses were built from: BUILD_DIR/bin/COMMIT when the binaries were copied there from a
# build (the source tree may have moved on since), else the source tree's.
if [[ -s $build/bin/COMMIT ]]; then commit=$(<"$build/bin/COMMIT"); else commit=$(git -C "$src" rev-parse --short HEAD); fi

# User + system CPU seconds of process $1 (fields 14 and 15 of /proc/PID/stat, after the command name).
cpu_seconds() {
  local stat
  stat=$(<"/proc/$1/stat") || return 1
  stat=${stat##*) }
  local -a f
  read -ra f <<<"$stat"
  echo $(((f[11] + f[12]) / ticks))
}

# libFuzzer's -timeout is wall-clock time. At nice 19 on a busy machine a harness can wait minutes for a core:
# with 120 s, inputs that take 2-3 s of CPU alone were reported as timeouts (docs/fuzzing.md). 1,200 s still
# catches a hang.
failed=0
for h in "${harnesses[@]}"; do
  [[ -x $build/bin/$h ]] || { echo "no $build/bin/$h: build the target 'fuzzers' with -DEDICT_FUZZ=ON" >&2; exit 2; }
  mkdir -p "$out/corpus/$h" "$out/artifacts/$h"
  log="$out/long/$h.log"
  # Earlier segments of this harness's run: "CPU executions segments" in NAME.done; a segment that was stopped
  # from outside left its figures in NAME.progress (CPU) and its log (the last "#N" line: executions).
  read -r done_cpu done_execs segments < <(cat "$out/long/$h.done" 2>/dev/null || echo "0 0 0")
  if [[ -f $out/long/$h.progress ]]; then
    cut_execs=$( (grep -E '^#[0-9]+' "$log" 2>/dev/null || true) | tail -1 | sed 's/^#\([0-9]*\).*/\1/')
    done_cpu=$((done_cpu + $(<"$out/long/$h.progress")))
    done_execs=$((done_execs + ${cut_execs:-0}))
    segments=$((segments + 1))
    [[ -f $log ]] && mv "$log" "$log.$segments"
    echo "$done_cpu $done_execs $segments" >"$out/long/$h.done"
    rm -f "$out/long/$h.progress"
  fi
  if ((done_cpu >= budget)); then
    echo "$h: $done_cpu CPU s already used in $segments segment(s) ($done_execs executions); nothing to do"
    continue
  fi
  start=$(date +%s)
  (cd "$src" && exec nice -n 19 "$build/bin/$h" -timeout="${EDICT_FUZZ_TIMEOUT:-1200}" -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$h/" "$out/corpus/$h" "$out/seeds/$h") >"$log" 2>&1 &
  pid=$!
  used=0
  while kill -0 "$pid" 2>/dev/null; do
    used=$(cpu_seconds "$pid" || echo "$used")
    echo "$used" >"$out/long/$h.progress"
    if ((done_cpu + used >= budget)); then
      kill -INT "$pid"
      break
    fi
    sleep 5
  done
  status=0
  wait "$pid" || status=$?
  rm -f "$out/long/$h.progress"
  wall=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # The figures of the whole run, earlier segments included.
  used=$((done_cpu + used))
  execs=$((done_execs + ${execs:-0}))
  # The totals so far, kept whatever the outcome: a failed run is fixed and resumed, not started again.
  echo "$used $execs $((segments + 1))" >"$out/long/$h.done"
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  # 72 is libFuzzer's exit status when interrupted, which is how a run that used its budget ends.
  if ((status == 72)) && ! grep -qE '^==[0-9]+== ?ERROR|deadly signal' "$log"; then
    outcome="0 crashes"
  else
    outcome="FAILED (exit $status)"
    failed=1
    tail -40 "$log" >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$commit" "$h" "$used" "$wall" \
    "$execs" "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$((segments + 1)) segment(s)" "$outcome" |
    tee -a "$out/long/summary.tsv"
done
exit "$failed"
