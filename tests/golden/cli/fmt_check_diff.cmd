fmt --check tests/fmt/cases/odd_rules.edict
