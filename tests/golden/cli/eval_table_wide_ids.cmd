eval policies/ai_diffusion_2025.edict --input tests/golden/inputs/wide_ids.jsonl --format table
