#include "compiler/frontend/parse.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "EdictLexer.h"
#include "EdictParser.h"
#include "antlr4-runtime.h"
#include "compiler/frontend/builder.h"

namespace edict::frontend {

namespace {

// The outcome keyword a misspelt word stands for ("licence_required", the spelling of the prose, or a typo
// one or two letters away), or "" when it is not close to one.
std::string OutcomeKeywordFor(const std::string& word) {
  static const char* kKeywords[] = {"license_required", "license_exception", "no_license_required",
                                    "prohibited"};
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  for (const char* k : kKeywords)
    if (word != k && word.size() > 6 && distance(word, k) <= 2) return k;
  return "";
}

// Routes ANTLR's syntax errors into the diagnostic list, in the house format, with hints for common slips.
class ErrorCollector : public antlr4::BaseErrorListener {
 public:
  ErrorCollector(const SourceFile& file, DiagnosticList& diags) : file_(file), diags_(diags) {}

  void syntaxError(antlr4::Recognizer*, antlr4::Token* bad, size_t line, size_t col, const std::string& msg,
                   std::exception_ptr) override {
    if (++count_ > 20) return;  // one mistake can cascade; the first few are what help
    Span s;
    s.file = &file_;
    s.line = static_cast<int>(line);
    s.col = static_cast<int>(col);
    s.end_line = s.line;
    s.end_col = s.col + 1;
    std::string hint;
    if (bad && bad->getType() != antlr4::Token::EOF) {
      s.end_col = s.col + static_cast<int>(bad->getStopIndex() - bad->getStartIndex() + 1);
      std::string text = bad->getText();
      if (text == "=" || text == "==")
        hint = "equality is written `=` or `is`; a declaration needs `const NAME = ...`";
      if (bad->getType() == EdictLexer::ANY) hint = "this character is not part of the language";
      if (std::string keyword = OutcomeKeywordFor(text); !keyword.empty())
        hint =
            "did you mean `" + keyword + "`? The outcome keywords use the US spelling of the EAR (license)";
    }
    if (msg.find("missing 'then'") != std::string::npos || msg.find("expecting 'then'") != std::string::npos)
      hint = "a rule reads `when CONDITION` then `then OUTCOME`";
    if (msg.find("no viable alternative") != std::string::npos && hint.empty())
      hint = "check the clause keywords (cite, when, then, consumes) and the operators; see docs/language.md";
    // ANTLR lists every token it could have accepted; past a handful that helps nobody.
    std::string clean = msg;
    size_t brace = clean.find(" expecting {");
    if (brace != std::string::npos && std::count(clean.begin() + brace, clean.end(), ',') > 4) {
      clean.erase(brace);
      if (hint.empty()) hint = "an expression, a clause keyword or a declaration was expected here";
    }
    diags_.Error(count_ == 1 ? "E0001" : "E0002", s, "syntax error: " + clean, hint);
  }

 private:
  const SourceFile& file_;
  DiagnosticList& diags_;
  int count_ = 0;
};

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
size_t FindInvalidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (n < 0 || i + n >= s.size() + (n == 0 ? 1 : 0)) return i;
    for (int k = 1; k <= n; ++k)
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    i += n + 1;
  }
  return std::string::npos;
}

// Every pass after the parser walks expressions recursively, so nesting is bounded to keep the stack safe
// (a 20,000-term sum crashed `edict check`). The estimate counts open brackets plus the operators since the
// last separator or declaration keyword; it over-counts, never under-counts, and real policies stay far
// below.
constexpr int kMaxNesting = 500;

// The first token where the estimated nesting exceeds kMaxNesting, or null.
antlr4::Token* TooDeep(antlr4::CommonTokenStream& tokens) {
  static const std::set<std::string, std::less<>> kOperators = {
      "+",  "-",   "*",  "/",   "<",  "<=", ">",         ">=", "=",
      "!=", "and", "or", "not", "in", "is", "otherwise", "if", "."};
  // Reserved words that start a declaration or a rule clause (never a name, never inside an expression).
  static const std::set<std::string, std::less<>> kBoundaries = {
      "const", "set",    "rule", "exception", "function", "quota",  "table", "record", "schema",   "enum",
      "test",  "import", "unit", "withdraw",  "timeline", "policy", "when",  "cite",   "consumes", "per"};
  int brackets = 0, ops = 0;
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    std::string text = t->getText();
    if (text == "(" || text == "{" || text == "[") {
      ++brackets;
    } else if (text == ")" || text == "}" || text == "]") {
      brackets = std::max(0, brackets - 1);
    } else if (text == ",") {
      ops = 0;
    } else if (kBoundaries.count(text)) {
      ops = 0;
      brackets = 0;
    } else if (kOperators.count(text)) {
      ++ops;
    }
    if (brackets + ops > kMaxNesting) return t;
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<ast::Module> ParseModule(const SourceFile& file, DiagnosticList& diags) {
  auto module = std::make_unique<ast::Module>();
  module->file = &file;
  size_t bad = FindInvalidUtf8(file.text);
  if (bad != std::string::npos) {
    Span s;
    s.file = &file;
    s.line = static_cast<int>(std::upper_bound(file.line_starts.begin(), file.line_starts.end(), bad) -
                              file.line_starts.begin());
    s.col = 0;
    diags.Error("E0004", s, "invalid UTF-8 at byte " + std::to_string(bad), "save the file as UTF-8");
    return module;
  }
  try {
    antlr4::ANTLRInputStream input(file.text);
    EdictLexer lexer(&input);
    antlr4::CommonTokenStream tokens(&lexer);
    EdictParser parser(&tokens);
    ErrorCollector errors(file, diags);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&errors);
    size_t before = diags.size();
    tokens.fill();  // lex once, so lexer errors are reported once whatever the parser does below
    size_t lexed = diags.size();
    if (antlr4::Token* deep = TooDeep(tokens)) {
      Span s;
      s.file = &file;
      s.line = static_cast<int>(deep->getLine());
      s.col = static_cast<int>(deep->getCharPositionInLine());
      s.end_line = s.line;
      s.end_col = s.col + static_cast<int>(deep->getStopIndex() - deep->getStartIndex() + 1);
      diags.Error(
          "E0006", s,
          "this expression nests too deeply (more than " + std::to_string(kMaxNesting) +
              " operators or brackets)",
          "split it with named constants or sets (`const part = ...`), or write a list as a set `{...}`");
      return module;
    }
    // Two-stage parsing: the fast SLL prediction mode with bail-out first, full LL (and error reporting) only
    // when SLL fails. Valid files almost always parse in the first stage, several times faster.
    parser.removeErrorListeners();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    EdictParser::File_Context* tree = nullptr;
    try {
      tree = parser.file_();
    } catch (const antlr4::ParseCancellationException&) {
      tree = nullptr;
    }
    if (!tree || diags.size() != lexed) {
      diags.Truncate(lexed);
      tokens.seek(0);
      parser.reset();
      parser.addErrorListener(&errors);
      parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
      parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
          antlr4::atn::PredictionMode::LL);
      tree = parser.file_();
    }
    // After a syntax error ANTLR's recovered tree has holes; build nothing from it rather than guess.
    if (diags.size() != before) return module;
    AstBuilder builder(file, diags);
    builder.BuildFile(tree, *module);
  } catch (const std::exception& e) {
    diags.Error("E0001", Span{&file, 1, 0, 1, 1},
                std::string("syntax error: the parser gave up: ") + e.what());
  } catch (...) {
    diags.Error("E0001", Span{&file, 1, 0, 1, 1}, "syntax error: the parser gave up");
  }
  return module;
}

}  // namespace edict::frontend
