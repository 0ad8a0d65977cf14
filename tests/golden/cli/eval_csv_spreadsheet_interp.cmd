eval policies/ai_diffusion_2025.edict --input tests/golden/inputs/spreadsheet.csv --format csv --keep invoice,notes --engine interp
