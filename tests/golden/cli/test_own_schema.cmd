test tests/golden/inputs/own_schema.edict
