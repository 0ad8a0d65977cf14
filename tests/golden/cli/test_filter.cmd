test policies/ai_diffusion_2025.edict --filter "lpp is" --filter allocation: -v
