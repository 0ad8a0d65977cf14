eval policies/ai_diffusion_2025.edict --input tests/golden/inputs/spreadsheet.csv --keep invoice,nope
