fmt --check tests/fmt/expected
