// A hand-written C++ evaluator of the stateless part of ai_diffusion_2025
// (bench/ai_diffusion_stateless.edict): the reference for the physical limit of one decision. It reads a
// packed shipment; the sets and the per-chip ECCN are constant tables filled once (as a programmer would
// write them down from the catalog).
#pragma once

#include <cstdint>
#include <vector>

namespace edict::bench {

struct HandShipment {
  int32_t date;
  uint16_t destination, consignee_hq, item;
  uint8_t veu;  // 0 none, 1 uveu, 2 nveu
  bool open_weights;
  __int128 training_ops;  // 0 when not given
};

struct HandTables {
  std::vector<uint64_t> tier1, tier3,
      scope_2023;                   // country bitsets: Supp. 5 (a), D:5 + Macau, Oct 2023 scope
  std::vector<uint8_t> eccn;        // per catalog item: kNone, kA, kB (3A090.a / .b)
  std::vector<uint8_t> datacenter;  // per catalog item
  int weights_item = -1;            // the catalog's model-weights row
  int us = -1;
  int32_t in_force_from = 0;
  int nac = -1, aca = -1, aia = -1;  // exception symbols
  int approval = -1, denial = -1;    // review policies
};

enum HandEccn : uint8_t { kNone, kA, kB, k4E091 };

struct HandDecision {
  int kind = 0;  // ir::OutcomeIR::Kind
  int symbol = -1, review = -1;
  bool notify = false, conflict = false;
};

HandDecision HandDecide(const HandTables& t, const HandShipment& s);

}  // namespace edict::bench
