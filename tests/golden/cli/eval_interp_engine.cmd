eval policies/rescission_2025.edict --input examples/shipments.jsonl --engine interp --format csv
