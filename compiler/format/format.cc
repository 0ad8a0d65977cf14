#include "compiler/format/format.h"

#include <algorithm>
#include <set>
#include <vector>

#include "compiler/format/layout_lexer.h"

namespace edict::format {

namespace {

using Words = std::set<std::string, std::less<>>;

// Declaration keywords (grammar rule `decl` and the header).
const Words kDeclWords = {"import",   "unit",     "const",  "enum",   "set",   "record",
                          "table",    "function", "schema", "quota",  "rule",  "exception",
                          "withdraw", "timeline", "test",   "policy", "module"};
// Words after which an operand follows: a `(` after them is a bracket, not a call, and a `-` is a sign.
const Words kOperatorWords = {"and",       "or",     "not",    "in",      "is",      "if",   "then",
                              "else",      "when",   "assert", "limit",   "measure", "per",  "of",
                              "otherwise", "fits",   "to",     "by",      "with",    "cite", "reason",
                              "consumes",  "expect", "ship",   "shipped", "given"};
// Declarations whose body is clauses on lines of their own.
const Words kClauseDecls = {"policy", "rule", "exception", "quota"};
// Declarations whose `{` opens a block (spaced braces), rather than a set literal.
const Words kBlockDecls = {"enum", "record", "schema", "table", "test", "timeline"};

struct Tok : LayoutToken {
  // Structure (pass 1).
  std::string decl;  // the declaration keyword the token belongs to
  int depth = 0;     // open brackets before the token
  bool decl_start = false;
  bool clause_start = false;  // a clause, test step or timeline entry
  bool block_style = false;   // `{`/`}`: spaced braces
  bool unary = false;         // `-` as a sign
  int enum_pad = -1;          // enum description: spaces after the member name
  // Layout (passes 2-3).
  int spaces = 0;  // before the token when it does not start a line
  bool line_start = false;
  bool blank_before = false;
  bool long_break = false;  // a break inserted in a long condition
  int indent = 0;
};

bool Is(const Tok* t, std::string_view text) {
  return t && t->kind != TokKind::kString && t->kind != TokKind::kComment && t->kind != TokKind::kDoc &&
         t->text == text;
}
bool IsCode(const Tok& t) {
  return t.kind != TokKind::kComment && t.kind != TokKind::kDoc;
}
bool IsOpener(const Tok& t) {
  return t.kind == TokKind::kPunct && (t.text == "(" || t.text == "{");
}
bool IsCloser(const Tok& t) {
  return t.kind == TokKind::kPunct && (t.text == ")" || t.text == "}");
}

// Display width in code points.
int Width(std::string_view s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

class Formatter {
 public:
  explicit Formatter(std::vector<LayoutToken> lexed) {
    for (auto& t : lexed) {
      Tok k;
      static_cast<LayoutToken&>(k) = std::move(t);
      toks_.push_back(std::move(k));
    }
  }

  std::string Run() {
    MarkStructure();
    AlignEnums();
    MarkSpacing();
    LayOutLines();
    return Render();
  }

 private:
  // The next (or previous) code token, skipping comments; null at the ends.
  const Tok* NextCode(size_t i) const {
    for (size_t j = i + 1; j < toks_.size(); ++j)
      if (IsCode(toks_[j])) return &toks_[j];
    return nullptr;
  }
  const Tok* PrevCode(size_t i) const {
    for (size_t j = i; j-- > 0;)
      if (IsCode(toks_[j])) return &toks_[j];
    return nullptr;
  }
  static bool ExpectsOperand(const Tok* prev) {
    if (!prev) return true;
    if (prev->kind == TokKind::kPunct) return prev->text != ")" && prev->text != "}" && prev->text != "?";
    return prev->kind == TokKind::kWord && kOperatorWords.count(prev->text) > 0;
  }

  bool IsClauseStart(size_t i, const std::string& decl, int depth, int pending_ifs) const {
    const Tok& t = toks_[i];
    if (t.kind != TokKind::kWord) return false;
    const Tok* next = NextCode(i);
    const Tok* prev = PrevCode(i);
    bool next_string = next && next->kind == TokKind::kString;
    bool next_date = next && next->kind == TokKind::kDate;
    if (depth == 0 && decl == "policy")
      return ((t.text == "version" || t.text == "source" || t.text == "summary") && next_string) ||
             (t.text == "in" && Is(next, "force")) || (t.text == "compliance" && Is(next, "from"));
    if (depth == 0 && (decl == "rule" || decl == "exception"))
      return ((t.text == "cite" || t.text == "reason") && next_string) ||
             (t.text == "in" && Is(next, "force")) || (t.text == "compliance" && Is(next, "from")) ||
             t.text == "when" || (t.text == "then" && pending_ifs == 0) || t.text == "consumes";
    if (depth == 0 && decl == "quota")
      return ((t.text == "limit" || t.text == "measure" || t.text == "per") && !ExpectsOperand(prev)) ||
             (t.text == "from" && next_date) || (t.text == "cite" && next_string);
    if (depth == 1 && decl == "test")
      return (t.text == "given" && Is(next, "shipped")) || (t.text == "as" && Is(next, "of")) ||
             ((t.text == "ship" || t.text == "expect" || t.text == "assert") &&
              (Is(prev, "{") || !ExpectsOperand(prev)));
    if (depth == 1 && decl == "timeline") return t.text == "from" && next_date;
    return false;
  }

  // Pass 1: declarations, clauses, brackets, signs and brace styles.
  void MarkStructure() {
    std::string decl;
    std::vector<size_t> open;
    std::vector<int> ifs(1, 0);
    bool seen_code = false;
    for (size_t i = 0; i < toks_.size(); ++i) {
      Tok& t = toks_[i];
      int depth = static_cast<int>(open.size());
      if (IsCloser(t) && depth > 0) --depth;
      t.depth = depth;
      if (!IsCode(t)) {
        t.decl = decl;
        continue;
      }
      const Tok* prev = PrevCode(i);
      const Tok* next = NextCode(i);
      if (depth == 0 && t.kind == TokKind::kWord && kDeclWords.count(t.text)) {
        bool start = true;
        if (t.text == "set") start = !Is(next, "of");
        if (t.text == "policy") start = !Is(prev, "import") && !Is(prev, "withdraw");
        if (t.text == "module") start = !seen_code;
        if (start) {
          t.decl_start = true;
          decl = t.text;
          ifs.assign(1, 0);
        }
      }
      seen_code = true;
      t.decl = decl;
      if (static_cast<int>(ifs.size()) <= depth) ifs.resize(depth + 1, 0);
      if (!t.decl_start) t.clause_start = IsClauseStart(i, decl, depth, ifs[depth]);
      if (Is(&t, "if")) ++ifs[depth];
      if (Is(&t, "else") && ifs[depth] > 0) --ifs[depth];
      if (t.kind == TokKind::kPunct && t.text == "-") t.unary = ExpectsOperand(prev);
      if (IsOpener(t)) {
        if (t.text == "{")
          t.block_style =
              (depth == 0 && kBlockDecls.count(decl)) || (decl == "table" && depth == 1 && Is(prev, ":"));
        open.push_back(i);
        if (static_cast<int>(ifs.size()) <= depth + 1) ifs.resize(depth + 2, 0);
        ifs[depth + 1] = 0;
      } else if (IsCloser(t) && !open.empty()) {
        t.block_style = toks_[open.back()].block_style;
        open.pop_back();
      }
    }
  }

  // Enum descriptions written one member per line line up: in the author's column when every member already
  // shares one that leaves room, otherwise two spaces after the longest name.
  void AlignEnums() {
    for (size_t i = 0; i < toks_.size(); ++i) {
      if (!(toks_[i].decl == "enum" && Is(&toks_[i], "{") && toks_[i].depth == 0)) continue;
      std::vector<size_t> names;
      size_t j = i + 1;
      for (; j < toks_.size() && !(Is(&toks_[j], "}") && toks_[j].depth == 0); ++j) {
        const Tok& t = toks_[j];
        bool name = t.kind == TokKind::kWord || t.kind == TokKind::kEccn;
        bool own_line = t.newlines > 0 || j == i + 1;
        if (name && own_line && j + 1 < toks_.size() && toks_[j + 1].kind == TokKind::kString &&
            toks_[j + 1].newlines == 0)
          names.push_back(j);
      }
      if (names.empty()) continue;
      int widest = 0;
      std::set<int> offsets;
      for (size_t n : names) {
        widest = std::max(widest, Width(toks_[n].text));
        offsets.insert(toks_[n + 1].col - toks_[n].col);
      }
      int pad = offsets.size() == 1 && *offsets.begin() >= widest + 2 ? *offsets.begin() : widest + 2;
      for (size_t n : names) toks_[n + 1].enum_pad = pad - Width(toks_[n].text);
      i = j;
    }
  }

  // Pass 2: the spaces before each token when it shares a line with the previous one.
  void MarkSpacing() {
    for (size_t i = 0; i < toks_.size(); ++i) {
      Tok& t = toks_[i];
      if (i == 0) continue;
      const Tok& p = toks_[i - 1];
      t.spaces = 1;
      if (t.kind == TokKind::kComment)
        t.spaces = 2;
      else if (t.enum_pad >= 0)
        t.spaces = t.enum_pad;
      else if (t.kind == TokKind::kOther || p.kind == TokKind::kOther)
        t.spaces = t.spaced ? 1 : 0;
      else if (Is(&t, ",") || Is(&t, ":") || Is(&t, ")") || Is(&t, "?") || Is(&t, "."))
        t.spaces = 0;
      else if (Is(&p, "(") || Is(&p, "."))
        t.spaces = 0;
      else if (Is(&p, "{"))
        t.spaces = p.block_style && !Is(&t, "}") ? 1 : 0;
      else if (Is(&t, "}"))
        t.spaces = t.block_style ? 1 : 0;
      else if (Is(&t, "("))
        t.spaces = p.kind == TokKind::kWord && !kOperatorWords.count(p.text) ? 0 : 1;
      else if (p.unary)
        t.spaces = 0;
      else if (Is(&t, "/") || Is(&p, "/"))
        t.spaces = t.spaced ? 1 : 0;
    }
  }

  // The end (exclusive) of the clause starting at `i`: the next clause or declaration at its depth, or the
  // closer of its brackets.
  size_t ClauseEnd(size_t i) const {
    int depth = toks_[i].depth;
    size_t j = i + 1;
    for (; j < toks_.size(); ++j) {
      const Tok& t = toks_[j];
      if (t.depth < depth ||
          (t.depth == depth && (t.clause_start || t.decl_start || t.kind == TokKind::kDoc)))
        break;
    }
    return j;
  }

  // A `when`/`assert` condition with a line longer than kLineWidth: that line breaks before its top-level
  // `or`s (else `and`s), filling each line. The author's own breaks are kept.
  void BreakLongCondition(size_t i, int start_col) {
    size_t end = ClauseEnd(i);
    int base = toks_[i].depth;
    bool has_or = false, has_if = false;
    for (size_t j = i + 1; j < end; ++j) {
      const Tok& t = toks_[j];
      if (t.depth == base && Is(&t, "or")) has_or = true;
      if (t.depth == base && Is(&t, "if")) has_if = true;
    }
    if (has_if) return;
    const char* op = has_or ? "or" : "and";
    int cont = start_col + Width(toks_[i].text) + 1;
    // Each line of the clause as segments: its first operand, then each `op operand`.
    struct Segment {
      size_t first;
      int width;  // without the space before it
    };
    std::vector<std::vector<Segment>> lines;
    std::vector<int> line_cols;
    bool skip_line = false;
    for (size_t j = i; j < end; ++j) {
      const Tok& t = toks_[j];
      if (!IsCode(t)) continue;
      if (j == i || t.newlines > 0) {
        lines.emplace_back();
        line_cols.push_back(j == i ? start_col : cont);
        skip_line = t.depth != base;  // a line that starts inside brackets is left as it is
      }
      if (skip_line) continue;
      if (lines.back().empty() || (t.depth == base && Is(&t, op)))
        lines.back().push_back({j, Width(t.text)});
      else
        lines.back().back().width += t.spaces + Width(t.text);
    }
    for (size_t l = 0; l < lines.size(); ++l) {
      const auto& segments = lines[l];
      if (segments.empty()) continue;
      int width = line_cols[l];
      for (size_t k = 0; k < segments.size(); ++k) width += (k ? 1 : 0) + segments[k].width;
      if (width <= kLineWidth) continue;
      int col = line_cols[l] + segments[0].width;
      for (size_t k = 1; k < segments.size(); ++k) {
        if (col + 1 + segments[k].width > kLineWidth) {
          toks_[segments[k].first].long_break = true;
          col = cont + segments[k].width;
        } else {
          col += 1 + segments[k].width;
        }
      }
    }
  }

  struct Bracket {
    size_t at;
    int line_indent;
    int align_col = -1;
    bool decided = false;
    bool block = false;
    bool broken = false;  // some line starts inside
  };

  // The indentation of a comment on a line of its own at depth 0: with what follows it, except that an
  // indented comment right after a clause of a rule stays with that rule.
  int CommentIndent(size_t i, int cont_col) const {
    const Tok* next = NextCode(i);
    bool next_is_new_decl = !next || next->decl_start;
    for (size_t j = i + 1; j < toks_.size() && !IsCode(toks_[j]); ++j)
      if (toks_[j].kind == TokKind::kDoc) next_is_new_decl = true;
    if (next_is_new_decl)
      return toks_[i].col > 0 && toks_[i].newlines < 2 && kClauseDecls.count(toks_[i].decl) ? 2 : 0;
    if (next->clause_start) return 2;
    return cont_col >= 0 ? cont_col : 2;
  }

  // Pass 3: which tokens start lines, and their indentation.
  void LayOutLines() {
    std::vector<Bracket> stack;
    int line_indent = 0, col = 0, cont_col = -1;
    bool intro = false;
    for (size_t i = 0; i < toks_.size(); ++i) {
      Tok& t = toks_[i];
      const Tok* prev = i > 0 ? &toks_[i - 1] : nullptr;
      bool closes = IsCloser(t) && !stack.empty();
      bool start = i == 0 || t.kind == TokKind::kDoc || t.newlines > 0 || t.decl_start || t.clause_start ||
                   t.long_break || (prev && !IsCode(*prev));
      if (t.kind == TokKind::kComment && t.newlines == 0 && i > 0) start = false;
      if (closes && Is(&t, "}") && stack.back().block && stack.back().broken) start = true;
      if (t.decl_start || (IsOpener(t) && t.block_style) || closes) {
        if (t.decl_start || t.block_style) cont_col = -1, intro = false;
      }
      t.line_start = start;
      t.blank_before = start && i > 0 && t.newlines >= 2 && !IsOpener(*prev) && !closes;
      if (start) {
        for (auto& b : stack) b.broken = true;
        if (!stack.empty() && !closes && !stack.back().decided) {
          stack.back().decided = true;
          stack.back().block = true;
        }
        if (!stack.empty()) {
          const Bracket& b = stack.back();
          if (closes)
            t.indent = b.block ? b.line_indent : std::max(0, b.align_col - 1);
          else if (!b.block)
            t.indent = b.align_col;
          else if (t.decl == "test" && t.depth == 1 && IsCode(t) && !t.clause_start && cont_col >= 0)
            t.indent = cont_col;
          else
            t.indent = b.line_indent + 2;
        } else if (t.decl_start || t.kind == TokKind::kDoc) {
          t.indent = 0;
        } else if (t.kind == TokKind::kComment) {
          t.indent = CommentIndent(i, cont_col);
        } else if (t.clause_start) {
          t.indent = 2;
        } else {
          t.indent = cont_col >= 0 ? cont_col : 2;
        }
        line_indent = t.indent;
        col = t.indent;
      } else {
        col += t.spaces;
        if (!stack.empty() && !closes && !stack.back().decided && t.kind != TokKind::kComment) {
          stack.back().decided = true;
          stack.back().align_col = col;
        }
      }
      if (IsCode(t) && intro) {
        cont_col = col;
        intro = false;
      }
      if (t.clause_start && (t.depth == 0 || t.decl == "test")) {
        if (Is(&t, "when") || Is(&t, "assert")) BreakLongCondition(i, col);
        intro = true;
        cont_col = -1;
      }
      if (t.depth == 0 && Is(&t, "=") && (t.decl == "const" || t.decl == "set" || t.decl == "function")) {
        intro = true;
        cont_col = -1;
      }
      col += Width(t.text);
      if (IsOpener(t)) {
        Bracket b;
        b.at = i;
        b.line_indent = line_indent;
        b.align_col = col + (t.block_style ? 1 : 0);
        stack.push_back(b);
      } else if (closes) {
        stack.pop_back();
      }
    }
  }

  std::string Render() const {
    std::string out;
    for (size_t i = 0; i < toks_.size(); ++i) {
      const Tok& t = toks_[i];
      if (t.line_start) {
        if (i > 0) out += t.blank_before ? "\n\n" : "\n";
        out.append(t.indent, ' ');
      } else {
        out.append(t.spaces, ' ');
      }
      out += t.text;
    }
    if (!out.empty()) out += "\n";
    return out;
  }

  std::vector<Tok> toks_;
};

}  // namespace

FormatResult FormatSource(std::string_view source) {
  FormatResult r;
  auto tokens = LexForLayout(source);
  r.text = Formatter(tokens).Run();
  if (!SameTokens(tokens, LexForLayout(r.text))) {
    r.text.clear();
    r.error = "internal error: the layout would change the tokens; the file is left as it is";
    return r;
  }
  r.ok = true;
  return r;
}

}  // namespace edict::format
