// Tab completion: commands, policy names, file names, shipment options, and the names of the loaded program
// (schema fields, constants, rules, quotas, countries, chip ids and other enum members).
#include <algorithm>
#include <climits>
#include <filesystem>
#include <set>

#include "compiler/sema/load.h"
#include "runtime/date.h"
#include "tools/repl/input.h"
#include "tools/repl/query.h"
#include "tools/repl/session_internal.h"

namespace edict::repl {

namespace fs = std::filesystem;

const std::vector<std::pair<std::string, std::string>>& CommandHelp();

void ScanNames(const std::string& text, std::vector<std::string>* out) {
  static const std::set<std::string, std::less<>> keywords = {
      "const", "set", "function", "enum", "table", "quota", "unit", "record", "rule", "exception"};
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    size_t a = line.find_first_not_of(" \t");
    if (a == std::string_view::npos) continue;
    size_t b = line.find_first_of(" \t", a);
    if (b == std::string_view::npos || !keywords.count(line.substr(a, b - a))) continue;
    size_t c = line.find_first_not_of(" \t", b);
    if (c == std::string_view::npos || !(isalpha(static_cast<unsigned char>(line[c])) || line[c] == '_'))
      continue;
    size_t d = c;
    while (d < line.size() &&
           (isalnum(static_cast<unsigned char>(line[d])) || line[d] == '_' || line[d] == '-'))
      ++d;
    out->emplace_back(line.substr(c, d - c));
  }
}

std::vector<std::string> ScanStdlibNames(const std::string& stdlib_dir) {
  std::vector<std::string> names;
  for (const auto& dir : sema::DefaultStdlibDirs(stdlib_dir)) {
    std::error_code ec;
    if (!fs::is_directory(fs::path(dir) / "ear", ec)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
      if (entry.path().extension() != ".edict") continue;
      std::string text;
      if (sema::ReadFile(entry.path().string(), &text)) ScanNames(text, &names);
    }
    break;
  }
  return names;
}

namespace {

// '~' is in the names of second files of one name (lpp~2).
bool WordChar(char c) {
  return isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '~';
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<std::string> Members(const ir::Program* p, int enum_index) {
  if (!p || enum_index < 0) return {};
  return p->enums[enum_index].members;
}

int FieldEnum(const ir::Program* p, const std::string& field) {
  if (!p) return -1;
  int f = p->FieldIndex(field);
  return f < 0 ? -1 : p->fields[f].enum_index;
}

// The fields of the table `head` is a row of (`nvidia-h100-sxm` or the field `item`); null when it is
// neither.
const ir::Table* TableOf(const ir::Program* p, const std::string& head) {
  if (!p) return nullptr;
  auto table = [&](int e) -> const ir::Table* {
    if (e < 0 || e >= static_cast<int>(p->table_of_enum.size())) return nullptr;
    int t = p->table_of_enum[e];
    return t < 0 || t >= static_cast<int>(p->tables.size()) ? nullptr : &p->tables[t];
  };
  if (const ir::Table* t = table(FieldEnum(p, head))) return t;
  for (size_t e = 0; e < p->enums.size(); ++e) {
    const auto& m = p->enums[e].members;
    if (p->enums[e].is_table && std::find(m.begin(), m.end(), head) != m.end())
      return table(static_cast<int>(e));
  }
  return nullptr;
}

// The values `with FIELD = ` takes: an enum field's members, or true and false.
std::vector<std::string> ValuesOf(const ir::Program* p, const std::string& field) {
  int f = p ? p->FieldIndex(field) : -1;
  if (f < 0 || p->fields[f].kind == ir::Field::kDerived) return {};
  if (p->fields[f].enum_index >= 0) return Members(p, p->fields[f].enum_index);
  if (p->fields[f].type && p->fields[f].type->kind == TypeKind::kBool) return {"true", "false"};
  return {};
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return s;
}

// Files and folders under `prefix` whose names end with `extension` (".edict"; "" for any file).
std::vector<std::string> Files(const std::string& prefix, const std::string& extension = ".edict") {
  std::vector<std::string> out;
  fs::path typed(prefix);
  std::string dir = prefix.empty() || prefix.back() == '/' ? prefix : typed.parent_path().string();
  std::error_code ec;
  // `~/po` lists $HOME/po...; the names offered keep the `~/` as typed.
  for (const auto& entry : fs::directory_iterator(dir.empty() ? "." : TypedPath(dir), ec)) {
    std::string name =
        (dir.empty() ? "" : (dir.back() == '/' ? dir : dir + "/")) + entry.path().filename().string();
    if (entry.is_directory(ec))
      out.push_back(name + "/");
    else if (extension.empty() || entry.path().extension() == extension)
      out.push_back(name);
  }
  return out;
}

}  // namespace

std::vector<std::string> Session::Identifiers() const {
  std::vector<std::string> names = stdlib_names_;
  static const char* keywords[] = {"ship",     "const", "set",  "rule",      "exception", "quota", "function",
                                   "withdraw", "test",  "when", "then",      "and",       "or",    "not",
                                   "in",       "if",    "else", "otherwise", "fits",      "year",  "of",
                                   "is",       "known", "true", "false"};
  names.insert(names.end(), std::begin(keywords), std::end(keywords));
  if (current_ < 0) return names;
  const Policy& p = policies_[current_];
  ScanNames(p.base_text, &names);
  for (const auto& d : p.decls) ScanNames(d, &names);
  const ir::Program& prog = *p.program;
  for (const auto& f : prog.fields) names.push_back(f.name);
  for (const auto& r : prog.rules) names.push_back(r.id);
  for (const auto& q : prog.quotas) names.push_back(q.id);
  for (const auto& e : prog.enums) names.insert(names.end(), e.members.begin(), e.members.end());
  return names;
}

Completion Session::Complete(std::string_view line) const {
  const ir::Program* prog = current_ >= 0 ? policies_[current_].program.get() : nullptr;
  std::vector<std::string> before = Words(line);
  // `:load FILE` and `:ledger open FILE` complete file names.
  bool ledger_open = before.size() >= 2 && before[0] == ":ledger" && before[1] == "open";
  bool load = (!before.empty() && before[0] == ":load") || ledger_open;
  size_t start = line.size();
  if (load) {
    while (start > 0 && line[start - 1] != ' ' && line[start - 1] != '\t') --start;
  } else {
    while (start > 0 && WordChar(line[start - 1])) --start;
    if (start == 1 && line[0] == ':') start = 0;
  }
  std::string prefix(line.substr(start));
  before = Words(line.substr(0, start));  // the words before the one being completed
  std::string previous = before.empty() ? "" : before.back();
  std::string first = before.empty() ? "" : before[0];
  bool ship = first == "ship";
  std::vector<std::string> pool;
  bool fold_case = false;  // country codes: `to i` offers IN, IT, ...
  size_t dot = prefix.rfind('.');
  const ir::Table* table = dot == std::string::npos ? nullptr : TableOf(prog, prefix.substr(0, dot));
  if (table) {
    // `nvidia-h100-sxm.t`, `item.d`: the fields of the table's rows; the word completed is after the dot.
    start += dot + 1;
    prefix = prefix.substr(dot + 1);
    pool = table->fields;
  } else if (!prefix.empty() && prefix[0] == ':') {
    for (const auto& [name, text] : CommandHelp()) pool.push_back(name.substr(0, name.find(' ')));
  } else if (load && before.size() == (ledger_open ? 2u : 1u)) {
    pool = ledger_open ? Files(prefix, "") : Files(prefix);
  } else if (first == ":ledger" && before.size() == 1) {
    pool = {"open", "close"};
  } else if ((first == ":policy" || first == ":compare") && before.size() == 1) {
    for (const auto& p : policies_) pool.push_back(p.name);
  } else if (first == ":as-of") {
    // Only a date or `off`: the current policy's own dates and the one in use.
    pool.push_back("off");
    if (before.size() == 1) {
      if (has_as_of_) pool.push_back(FormatDate(as_of_));
      if (prog && prog->from != INT_MIN) pool.push_back(FormatDate(prog->from));
      if (prog && prog->has_compliance) pool.push_back(FormatDate(prog->compliance));
      if (prog && prog->until != INT_MAX) pool.push_back(FormatDate(prog->until));
      if (prog)
        for (const auto& entry : prog->timeline) pool.push_back(FormatDate(entry.from));
    } else {
      pool.clear();
    }
  } else if (before.size() >= 3 && previous == "=" && before[before.size() - 3] == "with") {
    pool = ValuesOf(prog, before[before.size() - 2]);
    fold_case = FieldEnum(prog, before[before.size() - 2]) == FieldEnum(prog, "destination");
  } else if (previous == "to" || previous == "hq" || (ship && previous == "from")) {
    pool = Members(prog, FieldEnum(prog, "destination"));
    fold_case = true;
  } else if (ship && before.size() == 2) {
    pool = Members(prog, FieldEnum(prog, "item"));
  } else if (ship && previous == "end") {
    pool = {"use", "user"};
  } else if (ship && previous == "training") {
    pool = {"ops"};
  } else if (ship && previous == "open") {
    pool = {"weights"};
  } else if (ship && previous == "use") {
    pool = Members(prog, FieldEnum(prog, "end_use"));
  } else if (ship && previous == "veu") {
    pool = Members(prog, FieldEnum(prog, "veu"));
  } else if (previous == "with" && prog) {
    // Computed fields (eccn, tpp) are the policy's to work out; a query cannot set them.
    for (const auto& f : prog->fields)
      if (f.kind != ir::Field::kDerived) pool.push_back(f.name);
  } else if (ship && before.size() >= 3) {
    for (const auto& o : ShipOptionWords()) pool.push_back(o.substr(0, o.find(' ')));
  } else {
    pool = Identifiers();
  }
  std::string match = fold_case ? Upper(prefix) : prefix;
  std::set<std::string> unique;
  for (const auto& w : pool)
    if (w.rfind(match, 0) == 0 && w != "__repl") unique.insert(w);
  Completion c;
  c.start = start;
  c.candidates.assign(unique.begin(), unique.end());
  return c;
}

}  // namespace edict::repl
