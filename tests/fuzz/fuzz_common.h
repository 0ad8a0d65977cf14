// Shared by the libFuzzer harnesses (tests/fuzz/README.md): where the stdlib and the shipped policies are,
// the stdlib parsed once per process, and a check that aborts (a crash for libFuzzer) with a message.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "compiler/sema/parse_cache.h"

namespace edict::fuzz {

// The source tree the harnesses read policies and the stdlib from; EDICT_FUZZ_SOURCE_DIR points a long run at
// a copy, so that the work tree can change under it.
inline const std::string kSourceDir = [] {
  const char* dir = std::getenv("EDICT_FUZZ_SOURCE_DIR");
  return std::string(dir && *dir ? dir : EDICT_SOURCE_DIR);
}();
inline const std::string kStdlib = kSourceDir + "/stdlib";

// Every input of a harness compiles against the same stdlib: parsed on first use, then copied per input.
inline const std::shared_ptr<sema::ParseCache>& StdlibCache() {
  static const auto cache = std::make_shared<sema::ParseCache>();
  return cache;
}

[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz check failed: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace edict::fuzz
