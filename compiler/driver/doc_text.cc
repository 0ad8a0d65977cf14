#include "compiler/driver/doc_text.h"

#include <cctype>

namespace edict::driver {

// Whitespace runs become one space; leading and trailing whitespace goes.
std::string Collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

namespace {

// The byte offset in a file of (line, column): lines are 1-based, columns 0-based and counted in code points.
size_t Offset(const SourceFile& f, int line, int col) {
  size_t at = f.line_starts[line - 1];
  for (int c = 0; c < col && at < f.text.size() && f.text[at] != '\n'; ++c) {
    ++at;
    while (at < f.text.size() && (static_cast<unsigned char>(f.text[at]) & 0xC0) == 0x80) ++at;
  }
  return at;
}

bool SpanInFile(const Span& span) {
  return span.valid() && span.end_line >= span.line &&
         span.end_line <= static_cast<int>(span.file->line_starts.size());
}

// The span from the leftmost to the rightmost token of an expression. A field access `item.datacenter`
// carries only the span of `datacenter` (where "no such field" points); its object comes first.
void CoverSpan(const ast::Expr& e, Span* cover) {
  if (e.span.valid() && (!cover->valid() || e.span.file == cover->file)) {
    if (!cover->valid() || e.span.line < cover->line ||
        (e.span.line == cover->line && e.span.col < cover->col)) {
      cover->file = e.span.file;
      cover->line = e.span.line;
      cover->col = e.span.col;
    }
    if (cover->end_line == 0 || e.span.end_line > cover->end_line ||
        (e.span.end_line == cover->end_line && e.span.end_col > cover->end_col)) {
      cover->end_line = e.span.end_line;
      cover->end_col = e.span.end_col;
    }
  }
  for (const auto& a : e.args)
    if (a) CoverSpan(*a, cover);
}

}  // namespace

// The source text a span covers, collapsed to one line; empty when the span has no file.
std::string SpanText(const Span& span) {
  if (!SpanInFile(span)) return "";
  size_t begin = Offset(*span.file, span.line, span.col),
         end = Offset(*span.file, span.end_line, span.end_col);
  if (end < begin) return "";
  return Collapse(std::string_view(span.file->text).substr(begin, end - begin));
}

// The source text of an expression, widened to balance parentheses that the parser dropped (`(a or b).f`).
std::string ExprText(const ast::Expr& e) {
  Span cover;
  CoverSpan(e, &cover);
  if (!SpanInFile(cover)) return "";
  const SourceFile& f = *cover.file;
  size_t begin = Offset(f, cover.line, cover.col), end = Offset(f, cover.end_line, cover.end_col);
  if (end < begin) return "";
  int depth = 0, unopened = 0;
  for (size_t i = begin; i < end; ++i) {
    if (f.text[i] == '(') ++depth;
    if (f.text[i] == ')' && --depth < 0) {
      ++unopened;
      depth = 0;
    }
  }
  for (; unopened > 0 && begin > 0; --begin)
    if (f.text[begin - 1] == '(') --unopened;
  for (; depth > 0 && end < f.text.size(); ++end)
    if (f.text[end] == ')') --depth;
  return Collapse(std::string_view(f.text).substr(begin, end - begin));
}

// Text safe inside a Markdown table cell.
std::string Cell(std::string_view s) {
  std::string out;
  for (char c : Collapse(s)) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string Code(std::string_view s) {
  return "`" + std::string(s) + "`";
}

}  // namespace edict::driver
