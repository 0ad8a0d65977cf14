eval policies/ai_diffusion_2025.edict --input examples/shipments.jsonl --explain --format jsonl
