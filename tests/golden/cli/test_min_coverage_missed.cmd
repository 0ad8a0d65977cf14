test tests/golden/inputs/test_report.edict --min-coverage 50.1
