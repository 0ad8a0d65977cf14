#!/usr/bin/env bash
# Seed corpora for the harnesses, from the repository: tests/fuzz/seed-corpus.sh OUT_DIR
# OUT_DIR/fuzz_policy: every policy, stdlib module and golden check case; fuzz_records: each example shipment
# and golden input file; fuzz_repl: the REPL transcripts' inputs; fuzz_diff: pairs of diff fixtures. The
# regression inputs of each harness are added too.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
out="$1"
mkdir -p "$out"/{fuzz_policy,fuzz_records,fuzz_repl,fuzz_diff}
n=0
for f in "$src"/policies/*.edict "$src"/tests/golden/check/*.edict "$src"/tests/diff/fixtures/*.edict \
         "$src"/tests/repl/fixtures/*.edict; do
  [[ -f $f ]] && cp "$f" "$out/fuzz_policy/$((n++)).edict"
done
find "$src/stdlib" -name '*.edict' -size -64k | sort | while read -r f; do cp "$f" "$out/fuzz_policy/std-$(basename "$f")"; done
split -l 1 -d -a 3 "$src/examples/shipments.jsonl" "$out/fuzz_records/example-"
for f in "$src"/tests/golden/inputs/*; do
  [[ $(stat -c %s "$f") -lt 65536 ]] && cp "$f" "$out/fuzz_records/golden-$(basename "$f")"
done
# The REPL harness loads the shipped policies a first line `#! ...` names, as the transcripts' first lines do.
for f in "$src"/tests/repl/transcripts/*.in; do
  grep -v '^# \|^:load\|^:reload' "$f" >"$out/fuzz_repl/$(basename "$f" .in).txt" || true
done
base="$src/tests/diff/fixtures/base.edict"
for f in "$src"/tests/diff/fixtures/*.edict; do
  { cat "$base"; printf '\n=====\n'; cat "$f"; } >"$out/fuzz_diff/$(basename "$f" .edict).txt"
done
for h in fuzz_policy fuzz_records fuzz_repl fuzz_diff; do
  cp "$src"/tests/fuzz/regressions/$h/* "$out/$h/" 2>/dev/null || true
done
for h in fuzz_policy fuzz_records fuzz_repl fuzz_diff; do
  echo "$h: $(ls "$out/$h" | wc -l) seeds"
done
