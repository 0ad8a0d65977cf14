explain policies/ai_diffusion_2025.edict --shipment '{"id":"q4","date":"2025-02-10","destination":"AE","consignee":"Gulf AI","item":"nvidia-h100-sxm","quantity":500}'
