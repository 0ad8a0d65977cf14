test --format junit --min-coverage 90 tests/golden/inputs/test_report.edict tests/golden/inputs/own_schema.edict
