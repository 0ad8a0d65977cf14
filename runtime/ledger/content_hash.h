// The content hash of a shipment: what tells a re-submission of a recorded shipment id (the same content:
// its recorded decision is reported) from a conflicting one (other content under that id: an error).
//
// It covers the input fields that are present, by field name and value (enum members by name, numbers as
// exact rationals, texts as bytes), except the id, in no particular order: the same shipment read from JSON
// or CSV, with its fields in any order, under any policy with the same field names, hashes alike. 64 bits,
// not cryptographic: two different shipments under one id collide with probability 2^-64.
#pragma once

#include <cstdint>

#include "compiler/ir/ir.h"
#include "runtime/batch/packed.h"
#include "runtime/interp/decide.h"

namespace edict::ledger {

uint64_t ShipmentHash(const ir::Program& program, const interp::Record& record);
// The same for a packed record, read in place.
uint64_t ShipmentHash(const ir::Program& program, const batch::Batch& batch, size_t index);

}  // namespace edict::ledger
