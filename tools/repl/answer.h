// How the REPL shows a decision: the outcome in the users' words, the formal outcome, the determining rules
// with their citations and reasons, and the state of the policy's quotas for this shipment.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/terminal.h"
#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"
#include "runtime/ledger/ledger.h"

namespace edict::repl {

// Colours (compiler/diag/terminal.h), or nothing when colour is off.
struct Style {
  bool color = false;
  std::string Paint(const char* sgr, const std::string& s) const { return term::Paint(color, sgr, s); }
  std::string Bold(const std::string& s) const { return Paint(term::kBold, s); }
  std::string Dim(const std::string& s) const { return Paint(term::kDim, s); }
  std::string Error(const std::string& s) const { return Paint(term::kBoldRed, s); }
};

// A quota figure as people read it: "26,898,568".
std::string Num(const Rational& r);

// "LICENSE REQUIRED (presumption of approval)", "LICENSE EXCEPTION LPP (Low Processing Performance ...),
// notify BIS".
std::string InWords(const interp::Decision& d);

// One line per quota: what this shipment uses of it and what is left (`pending`: consumption not yet
// committed). `consumed_note` follows the quotas the decision consumed ("pending until :commit").
std::vector<std::string> QuotaLines(const ir::Program& top, const interp::Record& rec,
                                    const interp::Decision& d, const Ledger& ledger,
                                    const std::string& consumed_note);

// The full answer to a query (several lines, each ending in '\n'). `top_name` is what the session calls
// `top`.
std::string AnswerText(const ir::Program& top, const std::string& top_name, const interp::Record& rec,
                       const interp::Decision& d, const Ledger& ledger, const Style& style);

// `:why` lines for the quotas the decision did not consume, with their arithmetic ("26898568 + 15832 =
// 26914400 > 26900000 tpp"), as of `ledger` (the quotas before the query).
std::string UnusedQuotaArithmetic(const ir::Program& top, const interp::Record& rec,
                                  const interp::Decision& d, const Ledger& ledger);

// The same query answered under two policies, as a table: one row per aspect, one column per policy, no wider
// than `columns` characters (a terminal's width; narrower than 52 is taken as 52).
struct Column {
  std::string policy;
  const ir::Program* top = nullptr;
  const interp::Record* rec = nullptr;
  const interp::Decision* decision = nullptr;
  const Ledger* ledger = nullptr;
};
std::string CompareText(const Column& left, const Column& right, const Style& style, int columns);

}  // namespace edict::repl
