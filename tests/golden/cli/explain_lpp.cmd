explain policies/ai_diffusion_2025.edict --shipment '{"id":"q1","date":"2025-06-02","destination":"IN","consignee":"Indus Compute","item":"nvidia-h100-sxm","quantity":1699}'
