check tests/golden/check/E0202_unknown_name.edict
