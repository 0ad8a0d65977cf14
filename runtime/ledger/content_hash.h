// The content hash of a shipment: what tells a re-submission of a recorded shipment id (the same content:
// its recorded decision is reported) from a conflicting one (other content under that id: an error).
//
// It covers the input fields that are present, by field name and value (enum members by name, numbers as
// exact rationals, texts as bytes), except the id, in no particular order: the same shipment read from JSON
// or CSV, with its fields in any order, under any policy with the same field names, hashes alike. 64 bits,
// not cryptographic: two different shipments under one id collide with probability 2^-64.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/batch/packed.h"
#include "runtime/interp/decide.h"

namespace edict::ledger {

uint64_t ShipmentHash(const ir::Program& program, const interp::Record& record);
// The same for a packed record, read in place.
uint64_t ShipmentHash(const ir::Program& program, const batch::Batch& batch, size_t index);

// ShipmentHash of packed records, with what does not depend on the record worked out once per program: each
// field's name, and the whole hash of each value of a bool or enum field. For many records (edict eval
// --ledger); the same values (tests/ledger/hash_test.cc).
class ShipmentHasher {
 public:
  explicit ShipmentHasher(const ir::Program& program);
  uint64_t operator()(const batch::Batch& batch, size_t index) const;

 private:
  struct Field {
    bool counted = false;
    uint64_t named = 0;             // the hash state after the field's name
    uint64_t bools[2] = {};         // the field's hash for false and true
    std::vector<uint64_t> members;  // for each member of its enum
  };
  const ir::Program& program_;
  std::vector<Field> fields_;
};

}  // namespace edict::ledger
