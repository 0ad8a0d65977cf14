eval policies/ai_diffusion_2025.edict --input examples/shipments.jsonl --keep quantity,consignee,training_ops --format csv
