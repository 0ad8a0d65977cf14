eval policies/ai_diffusion_2025.edict --template csv
