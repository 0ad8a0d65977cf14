eval policies/ai_diffusion_2025.edict --input examples/shipments.jsonl --as-of 2025-02-30
