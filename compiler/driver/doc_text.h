// Source text for generated documents (`edict doc` on a policy or a module): spans and expressions as written,
// collapsed to one line, and Markdown table cells.
#pragma once

#include <string>
#include <string_view>

#include "compiler/ast/ast.h"

namespace edict::driver {

// Whitespace runs become one space; leading and trailing whitespace goes.
std::string Collapse(std::string_view s);

// The source text a span covers, collapsed to one line; empty when the span has no file.
std::string SpanText(const Span& span);

// The source text of an expression, widened to balance parentheses that the parser dropped (`(a or b).f`).
std::string ExprText(const ast::Expr& e);

// Text safe inside a Markdown table cell.
std::string Cell(std::string_view s);

// `s` as inline code.
std::string Code(std::string_view s);

}  // namespace edict::driver
