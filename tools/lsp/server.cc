#include "tools/lsp/server.h"

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "compiler/driver/pipeline.h"
#include "compiler/driver/test_runner.h"
#include "compiler/format/format.h"
#include "runtime/date.h"
#include "tools/lsp/document.h"
#include "tools/lsp/transport.h"
#include "tools/lsp/uri.h"

namespace edict::lsp {

namespace {

constexpr const char* kRunTests = "edict.runTests";

// LSP ranges are 0-based; spans have 1-based lines and exclusive end columns.
Json Range(int line, int col, int end_line, int end_col) {
  return {{"start", {{"line", line}, {"character", col}}},
          {"end", {{"line", end_line}, {"character", end_col}}}};
}
Json RangeOf(const Span& s) {
  return Range(s.line - 1, s.col, (s.end_line ? s.end_line : s.line) - 1, std::max(s.end_col, s.col + 1));
}

int LspSymbolKind(const std::string& kind) {
  static const std::map<std::string, int> kKinds = {
      {"rule", 12},  {"exception", 6}, {"quota", 13}, {"test", 24},        {"const", 14},
      {"set", 18},   {"function", 12}, {"enum", 10},  {"record", 23},      {"schema", 23},
      {"table", 19}, {"unit", 14},     {"field", 8},  {"enum member", 22}, {"catalog row", 19}};
  auto it = kKinds.find(kind);
  return it == kKinds.end() ? 13 : it->second;
}

int CompletionKind(const std::string& kind) {
  static const std::map<std::string, int> kKinds = {
      {"rule", 3},     {"exception", 3}, {"quota", 6},        {"const", 21},      {"set", 21},
      {"function", 3}, {"enum", 13},     {"record", 22},      {"schema", 22},     {"table", 22},
      {"unit", 11},    {"field", 5},     {"enum member", 20}, {"catalog row", 12}};
  auto it = kKinds.find(kind);
  return it == kKinds.end() ? 1 : it->second;
}

const char* kKeywords[] = {"policy",
                           "module",
                           "import",
                           "const",
                           "enum",
                           "set",
                           "record",
                           "table",
                           "function",
                           "schema",
                           "quota",
                           "rule",
                           "exception",
                           "withdraw",
                           "timeline",
                           "test",
                           "cite",
                           "reason",
                           "when",
                           "then",
                           "consumes",
                           "limit",
                           "measure",
                           "per",
                           "calendar",
                           "year",
                           "in force from",
                           "and",
                           "or",
                           "not",
                           "in",
                           "is",
                           "fits",
                           "otherwise",
                           "if",
                           "else",
                           "ship",
                           "given shipped",
                           "expect",
                           "assert",
                           "as of",
                           "to",
                           "consignee",
                           "on",
                           "hq",
                           "with",
                           "no_license_required",
                           "license_required",
                           "license_exception",
                           "prohibited"};

class Server {
 public:
  Server(std::FILE* out, const ServerOptions& options) : out_(out), options_(options) {}

  // Handles one message; false once the client said `exit`.
  bool Handle(const Json& msg) {
    if (msg.contains("parse_error")) {
      Reply(nullptr, nullptr, Json{{"code", -32700}, {"message", "parse error"}});
      return true;
    }
    std::string method = msg.value("method", "");
    Json id = msg.contains("id") ? msg["id"] : Json();
    Json params = msg.value("params", Json::object());
    bool request = msg.contains("id") && !method.empty();
    if (method.empty()) return true;  // a response to something we sent
    if (method == "exit") return false;
    try {
      Json result = Dispatch(method, params, request);
      if (request) Reply(id, result, nullptr);
    } catch (const UnknownMethod&) {
      if (request) Reply(id, nullptr, Json{{"code", -32601}, {"message", "method not found: " + method}});
    } catch (const std::exception& e) {
      if (request) Reply(id, nullptr, Json{{"code", -32603}, {"message", e.what()}});
    }
    return true;
  }

  bool shut_down() const { return shut_down_; }

 private:
  struct UnknownMethod {};

  Json Dispatch(const std::string& method, const Json& params, bool request) {
    if (method == "initialize") return Initialize();
    if (method == "initialized" || method == "$/cancelRequest" ||
        method == "workspace/didChangeConfiguration" || method == "textDocument/didSave" ||
        method == "$/setTrace")
      return nullptr;
    if (method == "shutdown") {
      shut_down_ = true;
      return nullptr;
    }
    if (method == "textDocument/didOpen") {
      const Json& td = params.at("textDocument");
      Open(td.at("uri").get<std::string>(), td.at("text").get<std::string>());
      return nullptr;
    }
    if (method == "textDocument/didChange") {
      const Json& changes = params.at("contentChanges");
      if (!changes.empty())
        Open(params.at("textDocument").at("uri").get<std::string>(), changes.back().at("text"));
      return nullptr;
    }
    if (method == "textDocument/didClose") {
      std::string uri = params.at("textDocument").at("uri");
      docs_.erase(uri);
      Notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", Json::array()}});
      return nullptr;
    }
    if (method == "workspace/executeCommand") return ExecuteCommand(params);
    // Requests on a document.
    Document* doc = nullptr;
    if (params.contains("textDocument")) {
      auto it = docs_.find(params["textDocument"].value("uri", ""));
      if (it != docs_.end()) doc = &it->second;
    }
    int line = params.contains("position") ? params["position"].value("line", 0) : 0;
    int col = params.contains("position") ? params["position"].value("character", 0) : 0;
    if (method == "textDocument/hover") return doc ? Hover(*doc, line, col) : Json();
    if (method == "textDocument/definition") return doc ? Definition(*doc, line, col) : Json::array();
    if (method == "textDocument/references") {
      bool declaration = params.contains("context") && params["context"].value("includeDeclaration", false);
      return doc ? References(*doc, line, col, declaration) : Json::array();
    }
    if (method == "textDocument/completion") return doc ? Completion(*doc, line, col) : Json::array();
    if (method == "textDocument/documentSymbol") return doc ? Symbols(*doc) : Json::array();
    if (method == "textDocument/formatting") return doc ? Formatting(*doc) : Json::array();
    if (method == "textDocument/codeLens") return doc ? CodeLenses(*doc) : Json::array();
    if (!request) return nullptr;  // unknown notifications are ignored
    throw UnknownMethod{};
  }

  Json Initialize() {
    return {{"capabilities",
             {{"textDocumentSync", {{"openClose", true}, {"change", 1}, {"save", false}}},
              {"hoverProvider", true},
              {"definitionProvider", true},
              {"referencesProvider", true},
              {"documentSymbolProvider", true},
              {"documentFormattingProvider", true},
              {"completionProvider", {{"triggerCharacters", {".", " "}}}},
              {"codeLensProvider", {{"resolveProvider", false}}},
              {"executeCommandProvider", {{"commands", {kRunTests}}}}}},
            {"serverInfo", {{"name", "edict"}, {"version", EDICT_VERSION}}}};
  }

  void Open(const std::string& uri, const std::string& text) {
    Document& doc = docs_[uri];
    doc.uri = uri;
    doc.path = UriToPath(uri);
    doc.text = text;
    Analyse(doc, options_.stdlib_dir);
    PublishDiagnostics(doc);
  }

  void PublishDiagnostics(const Document& doc) {
    Json list = Json::array();
    for (const auto& d : doc.diags.items()) {
      bool here = d.span.valid() && d.span.file->path == doc.path;
      std::string message = d.message;
      if (!here && d.span.file) message = "in " + Where(d.span) + ": " + message;
      if (!d.hint.empty()) message += "\nhint: " + d.hint;
      Json diag = {{"range", here ? RangeOf(d.span) : Range(0, 0, 0, 1)},
                   {"severity", d.severity == Severity::kError     ? 1
                                : d.severity == Severity::kWarning ? 2
                                                                   : 3},
                   {"code", d.code},
                   {"source", "edict"},
                   {"message", message}};
      Json related = Json::array();
      for (const auto& [span, note] : d.notes)
        if (span.valid())
          related.push_back({{"location", {{"uri", PathToUri(PathOf(doc, span))}, {"range", RangeOf(span)}}},
                             {"message", note}});
      if (!related.empty()) diag["relatedInformation"] = related;
      list.push_back(diag);
    }
    Notify("textDocument/publishDiagnostics", {{"uri", doc.uri}, {"diagnostics", list}});
  }

  // The file a span is in, as read (stdlib files are displayed as stdlib/...).
  static std::string PathOf(const Document& doc, const Span& span) {
    auto it = doc.loaded.paths.find(span.file);
    return it != doc.loaded.paths.end() ? it->second : span.file->path;
  }

  // The symbols a word names; with `after_dot`, fields first.
  std::vector<const Symbol*> Lookup(const Document& doc, const std::string& word, bool after_dot) {
    std::vector<const Symbol*> found;
    for (const auto& s : doc.symbols)
      if (s.name == word && s.kind != "test") found.push_back(&s);
    std::stable_sort(found.begin(), found.end(), [&](const Symbol* a, const Symbol* b) {
      auto rank = [&](const Symbol* s) {
        return (after_dot && s->kind == "field" ? 0 : 2) + (s->in_root ? 0 : 1);
      };
      return rank(a) < rank(b);
    });
    return found;
  }

  Json Hover(const Document& doc, int line, int col) {
    bool after_dot = false;
    std::string word = WordAt(doc.text, line, col, &after_dot);
    if (word.empty()) return nullptr;
    auto found = Lookup(doc, word, after_dot);
    if (found.empty()) return nullptr;
    std::string md;
    for (const Symbol* s : found) {
      if (after_dot && s->kind != "field" && found.front()->kind == "field") continue;
      md += (md.empty() ? "" : "\n---\n") + s->markdown;
    }
    return {{"contents", {{"kind", "markdown"}, {"value", md}}}};
  }

  Json Location(const Symbol& s) { return {{"uri", PathToUri(s.path)}, {"range", RangeOf(s.span)}}; }

  // What the name at a position resolves to: a use the checker resolved, or a declaration's own name.
  Target TargetAt(const Document& doc, int line, int col) {
    const SourceFile* root = doc.loaded.root ? doc.loaded.root->file : nullptr;
    for (const auto& u : doc.uses)
      if (root && u.span.file == root && Contains(u.span, line + 1, col)) return u.target;
    for (const auto& s : doc.symbols)
      if (s.in_root && Contains(s.span, line + 1, col)) return s.target;
    return {};
  }

  Json Definition(const Document& doc, int line, int col) {
    Json out = Json::array();
    if (Target t = TargetAt(doc, line, col); t.valid()) {
      for (const auto& s : doc.symbols)
        if (s.target == t) out.push_back(Location(s));
      if (!out.empty()) return out;
    }
    // Not resolved (the checker stopped early, or the name is in a comment): the declarations of that name.
    bool after_dot = false;
    std::string word = WordAt(doc.text, line, col, &after_dot);
    auto found = Lookup(doc, word, after_dot);
    for (const Symbol* s : found) {
      if (after_dot && s->kind != "field" && found.front()->kind == "field") continue;
      out.push_back(Location(*s));
    }
    return out;
  }

  // Every use the checker resolved to the same declaration as the name at the position, in the open file and
  // every file it loads, and the declaration itself when the client asks for it.
  Json References(const Document& doc, int line, int col, bool include_declaration) {
    Json out = Json::array();
    Target t = TargetAt(doc, line, col);
    if (!t.valid()) return out;
    const SourceFile* root = doc.loaded.root ? doc.loaded.root->file : nullptr;
    if (include_declaration)
      for (const auto& s : doc.symbols)
        if (s.target == t) out.push_back(Location(s));
    for (const auto& u : doc.uses)
      if (u.target == t && u.span.file)
        out.push_back({{"uri", PathToUri(root && u.span.file == root ? doc.path : PathOf(doc, u.span))},
                       {"range", RangeOf(u.span)}});
    return out;
  }

  Json Completion(const Document& doc, int line, int col) {
    std::string prefix = LineOf(doc.text, line);
    size_t at = 0;
    for (int c = 0; c < col && at < prefix.size(); ++c) {
      ++at;
      while (at < prefix.size() && (static_cast<unsigned char>(prefix[at]) & 0xC0) == 0x80) ++at;
    }
    prefix = prefix.substr(0, at);
    static const std::regex kExceptionTo(R"((^|\s)exception\s+[\w-]+\s+to\s+[\w.-]*$)");
    static const std::regex kReplaces(R"((^|\s)rule\s+[\w-]+\s+replaces\s+[\w.-]*$)");
    static const std::regex kAfterDot(R"([\w-]\.[\w-]*$)");
    // `expect ... under POLICY pending POLICY|none` in a test: the policies the file loads (a timeline's
    // entries, imported policies, the file itself).
    static const std::regex kUnderPending(R"((^|\s)(under|pending)\s+[\w.-]*$)");
    if (std::smatch m; std::regex_search(prefix, m, kUnderPending)) {
      Json items = Json::array();
      std::set<std::string> names;
      auto add = [&](const std::string& name, const std::string& detail) {
        if (names.insert(name).second) items.push_back({{"label", name}, {"kind", 9}, {"detail", detail}});
      };
      for (const auto& mod : doc.loaded.modules) {
        if (mod->is_policy) add(mod->name, "policy " + mod->header.title);
        for (const auto& d : mod->decls)
          if (d->kind == ast::DeclKind::kTimeline)
            for (const auto& e : d->as<ast::TimelineDecl>().entries)
              add(std::filesystem::path(e.path).stem().string(), "applied from " + FormatDate(e.from));
      }
      if (m[2] == "pending")
        items.push_back(
            {{"label", "none"}, {"kind", 14}, {"detail", "no policy waits for its compliance date"}});
      return {{"isIncomplete", false}, {"items", items}};
    }
    bool rules_only = std::regex_search(prefix, kExceptionTo) || std::regex_search(prefix, kReplaces);
    bool fields_only = !rules_only && std::regex_search(prefix, kAfterDot);
    Json items = Json::array();
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& s : doc.symbols) {
      if (s.kind == "test") continue;
      if (rules_only && s.kind != "rule" && s.kind != "exception") continue;
      if (fields_only && s.kind != "field") continue;
      if (!seen.insert({s.name, s.kind}).second) continue;
      items.push_back({{"label", s.name},
                       {"kind", CompletionKind(s.kind)},
                       {"detail", s.kind + (s.container.empty() ? "" : " of " + s.container)},
                       {"documentation", {{"kind", "markdown"}, {"value", s.markdown}}}});
    }
    if (!rules_only && !fields_only)
      for (const char* k : kKeywords) items.push_back({{"label", k}, {"kind", 14}});
    return {{"isIncomplete", false}, {"items", items}};
  }

  Json Symbols(const Document& doc) {
    Json out = Json::array();
    for (const auto& s : doc.symbols) {
      if (!s.in_root || s.kind == "field" || s.kind == "enum member" || s.kind == "catalog row") continue;
      Json range = RangeOf(s.span);
      out.push_back({{"name", s.name},
                     {"detail", s.kind},
                     {"kind", LspSymbolKind(s.kind)},
                     {"range", range},
                     {"selectionRange", range}});
    }
    return out;
  }

  Json Formatting(const Document& doc) {
    SourceFile file(doc.path, doc.text);
    DiagnosticList diags;
    format::FormatResult r = format::FormatParsed(file, diags);
    if (!r.ok || r.text == doc.text) return Json::array();
    int lines = static_cast<int>(std::count(doc.text.begin(), doc.text.end(), '\n'));
    return Json::array({{{"range", Range(0, 0, lines + 1, 0)}, {"newText", r.text}}});
  }

  Json CodeLenses(const Document& doc) {
    Json out = Json::array();
    for (const auto& s : doc.symbols)
      if (s.in_root && s.kind == "test")
        out.push_back({{"range", RangeOf(s.span)},
                       {"command",
                        {{"title", "Run the tests of this file"},
                         {"command", kRunTests},
                         {"arguments", Json::array({doc.uri})}}}});
    return out;
  }

  // edict.runTests [uri]: runs the file's tests (its current text) and reports each result.
  Json ExecuteCommand(const Json& params) {
    if (params.value("command", "") != kRunTests) throw std::runtime_error("unknown command");
    const Json& args = params.value("arguments", Json::array());
    if (args.empty() || !args[0].is_string()) throw std::runtime_error("edict.runTests needs a document URI");
    std::string uri = args[0];
    auto it = docs_.find(uri);
    std::string path = UriToPath(uri);
    driver::CompileOptions options;
    options.stdlib_dir = options_.stdlib_dir;
    driver::Compilation c =
        driver::CompileFile(path, options, it != docs_.end() ? &it->second.text : nullptr);
    if (!c.ok()) {
      Notify("window/showMessage",
             {{"type", 1}, {"message", "edict: the file does not compile; no tests ran"}});
      return {{"passed", 0}, {"failed", 0}, {"compiled", false}, {"results", Json::array()}};
    }
    driver::TestReport report = driver::RunTests(*c.program);
    Json results = Json::array();
    for (const auto& r : report.results)
      results.push_back(
          {{"name", r.name}, {"passed", r.passed}, {"message", r.message}, {"line", r.span.line - 1}});
    Notify("window/showMessage", {{"type", report.failed ? 1 : 3},
                                  {"message", "edict: " + std::to_string(report.passed) + " passed, " +
                                                  std::to_string(report.failed) + " failed"}});
    return {{"passed", report.passed}, {"failed", report.failed}, {"compiled", true}, {"results", results}};
  }

  void Reply(const Json& id, const Json& result, const Json& error) {
    Json msg = {{"jsonrpc", "2.0"}, {"id", id}};
    if (!error.is_null())
      msg["error"] = error;
    else
      msg["result"] = result;
    WriteMessage(out_, msg);
  }
  void Notify(const std::string& method, const Json& params) {
    WriteMessage(out_, {{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
  }

  std::FILE* out_;
  ServerOptions options_;
  std::map<std::string, Document> docs_;
  bool shut_down_ = false;
};

}  // namespace

int Serve(std::FILE* in, std::FILE* out, const ServerOptions& options) {
  Server server(out, options);
  while (auto msg = ReadMessage(in))
    if (!server.Handle(*msg)) return server.shut_down() ? 0 : 1;
  return server.shut_down() ? 0 : 1;
}

}  // namespace edict::lsp
