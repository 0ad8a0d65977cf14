eval policies/us_ear_timeline.edict --input examples/shipments.jsonl
