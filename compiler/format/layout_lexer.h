// A lexer for layout: splits source text into the tokens of grammar/Edict.g4 (same longest-match rules) but
// keeps comments and doc comments, and records the whitespace before each token. `edict fmt` rearranges only
// that whitespace, and re-lexes its output to prove that the tokens are unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edict::format {

enum class TokKind { kWord, kNumber, kString, kDate, kEccn, kDoc, kComment, kPunct, kOther };

struct LayoutToken {
  TokKind kind = TokKind::kOther;
  std::string text;     // verbatim (comments without trailing blanks)
  int newlines = 0;     // line breaks in the whitespace before the token
  bool spaced = false;  // any whitespace before the token
  int line = 0;         // 1-based line in the source
  int col = 0;          // 0-based column (bytes) in the source
};

std::vector<LayoutToken> LexForLayout(std::string_view text);

// True when `a` and `b` hold the same tokens (kind and text), whatever the whitespace.
bool SameTokens(const std::vector<LayoutToken>& a, const std::vector<LayoutToken>& b);

}  // namespace edict::format
