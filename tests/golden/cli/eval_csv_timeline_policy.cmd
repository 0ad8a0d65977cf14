eval policies/us_ear_timeline.edict --input tests/golden/inputs/timeline_dates.jsonl --format csv
