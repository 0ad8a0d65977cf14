// `edict fmt`: the canonical layout of a policy or module. Only whitespace changes: the output is re-lexed
// and must hold exactly the input's tokens (comments and doc comments included), so formatting never changes
// meaning.
//
// The layout, in the manner of gofmt, keeps the author's line breaks and blank-line grouping (runs of blank
// lines become one) and fixes everything else:
// - every declaration starts a line at column 0; clauses of a policy header, rule, exception or quota start a
// line
//   indented 2; test steps start a line inside their braces;
// - lines inside a `{` that ends its line are indented 2 more than the line that opened it, and the `}` goes
// on its
//   own line; lines continuing an expression align with its first token (after `when `, `assert `, `= ` ...)
//   or, inside brackets that do not end their line, with the first token after the bracket;
// - one space between tokens, none inside `(...)`, before `,` `:` `?` or around `.`, none inside a set
// literal's
//   braces, one inside other braces; `/` keeps the author's spacing (`tpp/mm2` is a unit, `a / b` a
//   division);
// - a trailing comment is two spaces after the code; enum descriptions line up in one column;
// - a line of a `when` or `assert` condition longer than kLineWidth breaks before the condition's top-level
//   `or`s (or, when it has none, its `and`s), filling each line, with continuation lines aligned under its
//   first operand; the author's own breaks are kept. Numbers, strings and comments are kept as written
//   (`26_900_000` stays grouped).
#pragma once

#include <string>
#include <string_view>

#include "compiler/diag/diagnostics.h"

namespace edict::format {

constexpr int kLineWidth = 120;

struct FormatResult {
  bool ok = false;
  std::string text;   // the formatted source, when ok
  std::string error;  // why not, otherwise
};

// Formats `source` (which should parse; a file with syntax errors is laid out on a best-effort basis).
FormatResult FormatSource(std::string_view source);

// Formats a file only if it parses: syntax errors go to `diags` (as `edict check` reports them) and the
// result is not ok.
FormatResult FormatParsed(const SourceFile& file, DiagnosticList& diags);

}  // namespace edict::format
