// Rules and quotas typed as names: they are not values, so an expression cannot show them; the session shows
// their declarations instead, and says what they are when an expression uses one.
#include <algorithm>

#include "tools/repl/session_internal.h"

namespace edict::repl {

namespace {

// The declaration at `span` as written: the `///` lines above it, then its lines up to the first empty one.
std::string DeclarationText(const Span& span) {
  if (!span.valid()) return "";
  const SourceFile& f = *span.file;
  int lines = static_cast<int>(f.line_starts.size());
  int first = span.line;
  while (first > 1 && f.Line(first - 1).find("///") != std::string_view::npos &&
         f.Line(first - 1).find_first_not_of(" \t") == f.Line(first - 1).find("///"))
    --first;
  int last = span.line;
  while (last < lines && f.Line(last + 1).find_first_not_of(" \t\r") != std::string_view::npos) ++last;
  std::string out = f.path + ":" + std::to_string(span.line) + ":\n";
  for (int l = first; l <= last; ++l) out += "  " + std::string(f.Line(l)) + "\n";
  return out;
}

}  // namespace

std::string Session::WhatIsNamed(const Policy& p, const std::string& name, bool describe) const {
  const ir::Program& prog = *p.program;
  auto shown = [&](Span span) {
    if (p.typed) p.typed->Map(span);
    return DeclarationText(span);
  };
  for (const auto& q : prog.quotas) {
    if (q.id != name && q.name != name) continue;
    if (!describe)
      return "`" + name + "` is a quota, not a value: type `" + name +
             "` alone to see it, :ledger shows its use (a rule's `when` tests it with `fits " + name + "`)";
    return "quota " + q.id +
           " (not a value; :ledger shows its use, :why the arithmetic of the last query)\n" + shown(q.span);
  }
  for (const auto& r : prog.rules) {
    if (r.id != name && r.name != name) continue;
    std::string kind = r.exception ? "an exception" : "a rule";
    if (!describe)
      return "`" + name + "` is " + kind + ", not a value: type `" + name +
             "` alone to see it, :why shows whether it applied to the last query";
    return (r.exception ? "exception " : "rule ") + r.id + (r.withdrawn ? " (withdrawn)" : "") +
           " (not a value; :why shows whether it applied to the last query)\n" + shown(r.span);
  }
  return "";
}

}  // namespace edict::repl
