test policies/ai_diffusion_2025.edict --filter "no such test"
