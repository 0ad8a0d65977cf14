eval tests/golden/inputs/rule_compliance.edict --input tests/golden/inputs/rule_compliance.jsonl --format table
