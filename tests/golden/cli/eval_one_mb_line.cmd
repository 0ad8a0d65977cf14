eval policies/ai_diffusion_2025.edict --input tests/golden/inputs/one_mb_line.jsonl --format csv
