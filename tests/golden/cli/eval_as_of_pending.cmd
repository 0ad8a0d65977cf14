eval policies/us_ear_timeline.edict --input tests/golden/inputs/shipments.csv --as-of 2025-02-10
