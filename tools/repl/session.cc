#include "tools/repl/session.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <set>

#include "compiler/diag/human_text.h"
#include "compiler/sema/load.h"
#include "runtime/date.h"
#include "runtime/interp/eval.h"
#include "runtime/io/reader.h"
#include "runtime/ledger/store.h"
#include "tools/repl/input.h"
#include "tools/repl/query.h"
#include "tools/repl/session_internal.h"

namespace edict::repl {

namespace {

constexpr const char* kSessionPath = "session.edict";
constexpr const char* kSessionText =
    "policy \"session\"\n"
    "  summary \"Declarations typed in the REPL, with no policy loaded.\"\n"
    "\n"
    "import ear.units\n"
    "import ear.outcomes\n"
    "import ear.groups\n"
    "import ear.chips\n"
    "import ear.shipment\n"
    "import countries\n";
constexpr const char* kExprPrefix = "const __repl = ";

int CountLines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

void Session::PointAtTyped(const Policy& p, interp::Decision* d) {
  if (d->error && p.typed) p.typed->Map(d->error_span);
}

Session::Session(SessionOptions options) : options_(std::move(options)) {
  style_.color = options_.color;
  stdlib_names_ = ScanStdlibNames(options_.stdlib_dir);
}

Session::~Session() = default;

Session::Policy* Session::Current() {
  return current_ >= 0 ? &policies_[current_] : nullptr;
}

namespace {

// Two spellings of one file compare equal.
std::string Canonical(const std::string& path) {
  std::error_code ec;
  std::filesystem::path c = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : c.string();
}

}  // namespace

Session::Policy* Session::Find(const std::string& name) {
  for (auto& p : policies_)
    if (p.name == name) return &p;
  if (name.empty()) return nullptr;
  std::string canonical = Canonical(name);
  for (auto& p : policies_)
    if (!p.builtin && Canonical(p.path) == canonical) return &p;
  // `ai_diffusion_2025.edict` for ai_diffusion_2025; a path with a folder names that file and no other.
  std::filesystem::path typed(name);
  if (typed.has_parent_path()) return nullptr;
  for (auto& p : policies_)
    if (p.name == typed.stem().string()) return &p;
  return nullptr;
}

bool Session::Has(const std::string& name_or_path) const {
  return const_cast<Session*>(this)->Find(name_or_path) != nullptr;
}

std::string Session::Fail(const std::string& message, const std::string& hint) {
  had_error_ = true;
  return style_.Error("error") + ": " + message + "\n" + (hint.empty() ? "" : "  hint: " + hint + "\n");
}

std::string Session::Diagnose(std::string_view input, int col, int end_col, const std::string& message,
                              const std::string& hint) {
  had_error_ = true;
  SourceFile file("<input>", std::string(input));
  // `col` and `end_col` are byte offsets into `input`, which may have several lines; the span stays on one.
  size_t begin = std::min(static_cast<size_t>(std::max(col, 0)), input.size());
  int line = 1 + static_cast<int>(std::count(input.begin(), input.begin() + static_cast<long>(begin), '\n'));
  size_t line_start = input.rfind('\n', begin == 0 ? 0 : begin - 1);
  line_start = line_start == std::string_view::npos || begin == 0 ? 0 : line_start + 1;
  size_t line_end = input.find('\n', begin);
  if (line_end == std::string_view::npos) line_end = input.size();
  int c = static_cast<int>(begin - line_start);
  int e = static_cast<int>(std::min(static_cast<size_t>(std::max(end_col, 0)), line_end) - line_start);
  Diagnostic d;
  d.message = message;
  d.hint = hint;
  d.span = Span{&file, line, c, line, std::max(e, c + 1)};
  return Render(d, style_.color);
}

Session::Built Session::Build(const Policy& policy, const std::vector<std::string>& decls,
                              const std::string& extra, int extra_shift) const {
  std::string text = policy.base_text;
  if (!text.empty() && text.back() != '\n') text += '\n';
  auto typed = std::make_shared<TypedText>();
  auto add = [&](const std::string& chunk, const std::string& name, const std::string& display, int shift) {
    text += '\n';
    TypedChunk c;
    c.first_line = CountLines(text) + 1;
    text += chunk;
    if (chunk.empty() || chunk.back() != '\n') text += '\n';
    c.lines = CountLines(text) + 1 - c.first_line;
    c.shift = shift;
    c.shown = &typed->shown.emplace_back(name, display);
    typed->chunks.push_back(c);
  };
  for (size_t i = 0; i < decls.size(); ++i)
    add(decls[i], "<declaration " + std::to_string(i + 1) + ">", decls[i], 0);
  if (!extra.empty()) add(extra, "<input>", extra.substr(static_cast<size_t>(extra_shift)), extra_shift);

  driver::CompileOptions options;
  options.stdlib_dir = options_.stdlib_dir;
  options.parse_cache = options_.parse_cache;
  driver::Compilation c = driver::CompileFile(policy.path, options, &text);
  Built built;
  // The root file is the one compiled from `text` (the only file of its path with that size).
  typed->path = policy.path;
  typed->size = text.size();
  const auto& chunks = typed->chunks;
  DiagnosticList shown_diags;
  for (auto d : c.diags.items()) {
    typed->Map(d.span);
    for (auto& [span, note] : d.notes) typed->Map(span);
    // "unknown name 'aid_lpp'" (with a hint to itself) for a quota or rule: say what it is instead.
    if (d.message.rfind("unknown name '", 0) == 0 && policy.program) {
      std::string name = d.message.substr(14, d.message.find('\'', 14) - 14);
      if (std::string what = WhatIsNamed(policy, name, false); !what.empty()) d.hint = what;
    }
    // Warnings of the policy file itself were shown when it was loaded; only those in typed text are new.
    bool in_typed = d.span.file && !chunks.empty() &&
                    std::any_of(chunks.begin(), chunks.end(),
                                [&](const TypedChunk& ch) { return ch.shown == d.span.file; });
    bool loading = decls.empty() && extra.empty();
    if (d.severity != Severity::kError && !in_typed && !loading) continue;
    Diagnostic& copy = d.severity == Severity::kError
                           ? shown_diags.Error(d.code, d.span, d.message, d.hint)
                           : shown_diags.Warning(d.code, d.span, d.message, d.hint);
    copy.notes = d.notes;
  }
  shown_diags.Sort();
  built.messages = RenderAll(shown_diags, style_.color);
  if (c.ok()) {
    built.program = c.program;
    built.typed = std::move(typed);
  }
  return built;
}

std::string Session::Load(const std::string& path) {
  // The same file again: re-read it, keeping what was typed for it.
  std::string canonical = Canonical(path);
  for (auto& loaded : policies_) {
    if (loaded.builtin || Canonical(loaded.path) != canonical) continue;
    current_ = static_cast<int>(&loaded - policies_.data());
    return ReloadOne(loaded);
  }
  std::string text;
  if (!sema::ReadFile(path, &text)) return Fail("cannot read '" + path + "'");
  Policy p;
  p.path = path;
  std::string stem = std::filesystem::path(path).stem().string();
  // Another file of the same name (an edited copy in another folder) is loaded beside it, as STEM~2, so that
  // the two can be compared.
  p.name = stem;
  for (int n = 2; Has(p.name); ++n) p.name = stem + "~" + std::to_string(n);
  p.base_text = text;
  Built b = Build(p, {}, "", 0);
  if (!b.program) {
    had_error_ = true;
    return b.messages + Fail(path + " does not compile; it was not loaded");
  }
  p.program = b.program;
  p.typed = b.typed;
  std::string out = b.messages;
  policies_.push_back(std::move(p));
  current_ = static_cast<int>(policies_.size()) - 1;
  const Policy& added = policies_.back();
  out += "loaded " + Summary(*added.program, added.name) + "\n";
  if (added.name != stem)
    out += "  note: " + stem + " is " + Find(stem)->path + "; this file is called " + added.name +
           " here (:policy " + added.name + ", :compare " + added.name + ")\n";
  return out;
}

void Session::EnsureSessionPolicy() {
  if (current_ >= 0) return;
  Policy p;
  p.path = kSessionPath;
  p.name = "session";
  p.builtin = true;
  p.base_text = kSessionText;
  Built b = Build(p, {}, "", 0);
  p.program = b.program;
  p.typed = b.typed;
  if (!p.program) return;
  policies_.push_back(std::move(p));
  current_ = static_cast<int>(policies_.size()) - 1;
}

std::string Session::Prompt() const {
  return (current_ >= 0 ? policies_[current_].name : std::string("session")) + "> ";
}

std::string Session::Handle(std::string_view input) {
  try {
    switch (Classify(input)) {
      case InputKind::kEmpty:
        return "";
      case InputKind::kCommand: {
        // Trailing spaces matter to :complete; only the line end goes.
        std::string line(input.substr(input.find(':')));
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        return Command(line);
      }
      case InputKind::kJsonQuery:
        return Query(Trim(input), true);
      case InputKind::kShipQuery:
        return Query(Trim(input), false);
      case InputKind::kDeclaration:
        if (FirstWord(input).empty())
          return Fail("a `///` doc comment documents the declaration typed after it, and none was",
                      "use `#` for a comment of your own");
        return Declare(input);
      case InputKind::kExpression:
        return Evaluate(Trim(input), false);
    }
  } catch (const std::exception& e) {
    return Fail(std::string("internal error: ") + e.what());
  }
  return "";
}

std::string Session::DropUnfinished(std::string_view buffer) {
  int lines = CountLines(std::string(buffer));
  bool doc = Trim(buffer).rfind("///", 0) == 0 && FirstWord(buffer).empty();
  return Fail(
      "the unfinished input above (" + std::to_string(lines) + (lines == 1 ? " line" : " lines") +
          ") was dropped: a command ends it",
      doc ? "a `///` doc comment waits for the declaration it documents; use `#` for a comment of your own"
          : "");
}

namespace {

// "a rule", "an exception".
std::string Article(const std::string& word) {
  return (word.find_first_of("aeiou") == 0 ? "an " : "a ") + word;
}

}  // namespace

std::string Session::Declare(std::string_view input) {
  EnsureSessionPolicy();
  Policy* p = Current();
  if (!p) return Fail("no policy to add to");
  std::string text(input);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string word = FirstWord(text), name = DeclaredName(text);
  // Typing a declaration again under the same name replaces the one typed before (declarations of the file
  // stay: those are changed by editing it and :reload). Constants and sets share their names.
  auto same = [&](const std::string& decl) {
    std::string w = FirstWord(decl);
    bool constant = (w == "const" || w == "set") && (word == "const" || word == "set");
    return !name.empty() && DeclaredName(decl) == name && (w == word || constant);
  };
  std::vector<std::string> decls = p->decls;
  auto replaced = std::find_if(decls.begin(), decls.end(), same);
  bool replaces = replaced != decls.end();
  if (replaces) decls.erase(replaced);
  Built b = Build(*p, decls, text, 0);
  if (!b.program) {
    had_error_ = true;
    std::string hint;
    auto other = std::find_if(p->decls.begin(), p->decls.end(),
                              [&](const std::string& d) { return DeclaredName(d) == name; });
    if (!replaces && !name.empty() && b.messages.find("declared twice") != std::string::npos)
      hint = other != p->decls.end()
                 ? "  hint: " + name + " was typed before as " + Article(FirstWord(*other)) + "; typing " +
                       Article(word) + " replaces only " + Article(word) + "\n"
                 : "  hint: typing a declaration again replaces only one typed in this session; to change a "
                   "declaration of the policy file, edit the file and :reload\n";
    return b.messages + hint + TimelineHint(*p, word);
  }
  p->decls = std::move(decls);
  p->decls.push_back(text);
  p->program = b.program;
  // What was just `<input>` is from now on a declaration, as the next build will call it.
  b.typed->shown.back().path = "<declaration " + std::to_string(p->decls.size()) + ">";
  p->typed = b.typed;
  std::string out = b.messages;
  // Show a constant's value; name other declarations.
  if (word == "const" || word == "set") {
    for (const auto& c : p->program->constants)
      if (c.name == name)
        return out + (replaces ? "replaced " + word + " " + name + ": " : "") +
               FormatConstant(*p->program, c) + "\n";
  }
  if (word == "test") return out + (replaces ? "replaced" : "added") + " the test; :tests runs it\n";
  return out + (replaces ? "replaced " : "added ") + word + (name.empty() ? "" : " " + name) +
         (replaces ? " in " : " to ") + p->name + " (this session only)\n";
}

namespace {

// `path` relative to the working folder when it lies below it (as a user would type it), else as it is.
std::string RelativeToHere(const std::string& path) {
  std::error_code ec;
  std::filesystem::path rel = std::filesystem::relative(path, std::filesystem::current_path(ec), ec);
  if (ec || rel.empty() || rel.string().rfind("..", 0) == 0) return path;
  return rel.string();
}

}  // namespace

std::string Session::TimelineHint(const Policy& p, const std::string& word) {
  static const std::set<std::string, std::less<>> rule_words = {"rule", "exception", "withdraw", "quota"};
  if (!p.program || p.program->timeline.empty() || !rule_words.count(word)) return "";
  std::string out = "  hint: " + p.name +
                    " is a timeline (it hands each shipment to the policy in force on its date); type the " +
                    word + " in one of its policies:\n";
  for (const auto& entry : p.program->timeline) {
    std::string from = "from " + FormatDate(entry.from);
    std::string name = entry.program ? entry.program->name : entry.path;
    if (const Policy* loaded = Find(entry.path); loaded && loaded != &p)
      out += "    :policy " + loaded->name + "   (" + from + ")\n";
    else
      out += "    :load " + RelativeToHere(entry.path) + "   (" + from + ")\n";
  }
  return out;
}

std::string Session::FormatConstant(const ir::Program& p, const ir::NamedConstant& c) const {
  std::string type = c.type ? c.type->ToString() : "?";
  if (!c.value || c.value->op != ir::Op::kConst) return c.name + " : " + type + " (not a constant)";
  const Value& v = c.value->constant;
  std::string shown;
  if (v.kind == ValueKind::kSet && c.type && c.type->elem && c.type->elem->kind == TypeKind::kEnum &&
      c.type->elem->enum_index >= 0) {
    const auto& members = p.enums[c.type->elem->enum_index].members;
    int n = v.set->Count(), listed = 0;
    shown = "{";
    for (size_t i = 0; i < members.size() && listed < 40; ++i)
      if (v.set->Test(static_cast<int>(i))) shown += (listed++ ? ", " : "") + members[i];
    if (listed < n) shown += ", ...";
    shown += "}  (" + std::to_string(n) + (n == 1 ? " member)" : " members)");
  } else {
    shown = interp::FormatValue(p, v, c.type);
    if (v.kind == ValueKind::kNumber) shown = text::GroupNumber(shown);  // "26,898,568 tpp", for people
  }
  return (c.name == "__repl" ? "" : c.name + " = ") + shown;
}

std::string Session::Evaluate(std::string_view expr, bool type_only) {
  EnsureSessionPolicy();
  Policy* p = Current();
  if (!p) return Fail("no policy loaded");
  // A rule or quota alone: show its declaration (an expression cannot hold one).
  if (std::string what = WhatIsNamed(*p, std::string(expr), true); !what.empty())
    return type_only ? what.substr(0, what.find(' ')) + " (not a value)\n" : what;
  std::string prefix = kExprPrefix;
  Built b = Build(*p, p->decls, prefix + std::string(expr), static_cast<int>(prefix.size()));
  if (!b.program) {
    had_error_ = true;
    return b.messages;
  }
  for (auto it = b.program->constants.rbegin(); it != b.program->constants.rend(); ++it) {
    if (it->name != "__repl") continue;
    if (type_only) return b.messages + (it->type ? it->type->ToString() : "?") + "\n";
    return b.messages + FormatConstant(*b.program, *it) + "\n";
  }
  return Fail("internal: the expression's value was not found");
}

}  // namespace edict::repl
