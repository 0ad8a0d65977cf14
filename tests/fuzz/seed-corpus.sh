#!/usr/bin/env bash
# Seed corpora for the harnesses, from the repository: tests/fuzz/seed-corpus.sh OUT_DIR
# OUT_DIR/fuzz_policy: every policy, stdlib module and golden check case; fuzz_records: each example shipment
# and golden input file; fuzz_repl: the REPL transcripts' inputs; fuzz_diff: pairs of diff fixtures; fuzz_serve:
# request bodies made of the example shipments, one and all. The regression inputs of each harness are added too.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
out="$1"
mkdir -p "$out"/{fuzz_policy,fuzz_records,fuzz_repl,fuzz_diff,fuzz_serve}
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
# /v1/decide bodies: each example shipment alone, and all of them in one request with the quota figures.
n=0
while IFS= read -r line; do
  [[ -n $line ]] && printf '{"shipment":%s}' "$line" >"$out/fuzz_serve/example-$((n++)).json"
done <"$src/examples/shipments.jsonl"
{ printf '{"explain":true,"shipments":['; paste -sd, "$src/examples/shipments.jsonl"; printf ']}'; } \
  >"$out/fuzz_serve/examples-all.json"
for h in fuzz_policy fuzz_records fuzz_repl fuzz_diff fuzz_serve; do
  cp "$src"/tests/fuzz/regressions/$h/* "$out/$h/" 2>/dev/null || true
done
for h in fuzz_policy fuzz_records fuzz_repl fuzz_diff fuzz_serve; do
  echo "$h: $(ls "$out/$h" | wc -l) seeds"
done
