test --coverage tests/golden/inputs/assertions.edict
