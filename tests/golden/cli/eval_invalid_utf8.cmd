eval policies/ai_diffusion_2025.edict --input tests/golden/inputs/invalid_utf8.jsonl
