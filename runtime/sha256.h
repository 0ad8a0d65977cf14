// SHA-256 (FIPS 180-4), for content hashes that identify exactly which sources made a decision (the
// provenance of decisions and of ledger entries). Not used for anything secret.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace edict {

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  // The digest; the object is spent afterwards.
  std::array<uint8_t, 32> Final();
  // Lower-case hex of Final().
  std::string HexFinal();

 private:
  void Block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buffer_[64];
  size_t used_ = 0;
  uint64_t length_ = 0;  // bytes
};

std::string Sha256Hex(std::string_view data);

}  // namespace edict
