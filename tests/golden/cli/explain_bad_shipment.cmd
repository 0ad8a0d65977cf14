explain policies/ai_diffusion_2025.edict --shipment '{"id":"q3","date":"2025-06-02"}'
