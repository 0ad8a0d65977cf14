eval policies/ai_diffusion_2025.edict --input tests/golden/inputs/no_such_file.jsonl
