test --format json --coverage tests/golden/inputs/test_report.edict tests/golden/inputs/assertions.edict
