// The ledger as a file: `edict ledger export` writes every entry (JSON Lines, or CSV with one row per quota
// use), `edict ledger import` without a policy records such a file as given (docs/ledger.md, "Export and
// import").
#pragma once

#include <cstdio>
#include <string>

#include "runtime/ledger/store.h"

namespace edict::cli {

// "2026-01-02T03:04:05Z"
std::string IsoTime(int64_t seconds);

// Writes every entry in position order. False with `error` set on a ledger failure; a failed write stops it
// (the caller checks the stream).
bool ExportLedger(ledger::Store& store, bool csv, FILE* out, std::string* error);

struct ImportCounts {
  long shipments = 0, voids = 0, already = 0, conflicts = 0;
};

// Records the entries of an export (JSON Lines or CSV) as given: the same ids, contents, inputs, decisions
// and quota amounts, at new positions; the totals before each use are this ledger's. A shipment recorded
// already with the same content is counted in `already`; with other content it is an error line on stderr and
// counted in `conflicts`. False with `error` on a malformed file or a ledger failure.
bool ImportLedger(ledger::Store& store, const std::string& path, const std::string& input_format,
                  size_t batch, ImportCounts* counts, std::string* error);

}  // namespace edict::cli
