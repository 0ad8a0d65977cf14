test --verbose tests/golden/inputs/own_schema.edict
