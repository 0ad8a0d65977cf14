test --format junit tests/golden/check/E0001_syntax_error.edict
