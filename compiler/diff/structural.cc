#include "compiler/diff/structural.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "compiler/ast/ast.h"
#include "compiler/sema/load.h"
#include "runtime/date.h"
#include "runtime/interp/decide.h"

namespace edict::diff {

namespace {

// The source text a span covers, on one line (continuation lines joined by a space).
std::string SpanText(const Span& s) {
  if (!s.valid()) return "";
  std::string out;
  for (int line = s.line; line <= s.end_line; ++line) {
    std::string_view text = s.file->Line(line);
    size_t from = line == s.line ? static_cast<size_t>(s.col) : 0;
    size_t to = line == s.end_line ? static_cast<size_t>(s.end_col) : text.size();
    from = std::min(from, text.size());
    to = std::min(std::max(to, from), text.size());
    if (!out.empty()) out += ' ';
    out += text.substr(from, to - from);
  }
  return out;
}

std::string DateText(int d) {
  if (d == INT_MIN || d == INT_MAX) return "(open)";
  return FormatDate(d);
}

std::string OutcomeOf(const ir::Program& p, const ir::Rule& r) {
  const ir::OutcomeIR& o = r.outcome;
  bool notify = o.notify && o.notify->op == ir::Op::kConst && o.notify->constant.b;
  std::string text = interp::OutcomeText(p, o.kind, o.symbol, notify, o.review);
  if (o.notify && o.notify->op != ir::Op::kConst) text += " [notify: " + SpanText(o.notify->span) + "]";
  return text;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

struct RuleView {
  std::string kind, condition, outcome, cite, in_force, target, consumes;
};

RuleView View(const ir::Program& p, const ir::Rule& r) {
  RuleView v;
  v.kind = r.exception ? "exception" : "rule";
  v.condition = r.when ? SpanText(r.when->span) : "";
  v.outcome = OutcomeOf(p, r);
  v.cite = r.cite;
  v.in_force = DateText(r.has_compliance ? r.in_force_from : r.from) + " .. " + DateText(r.until) +
               (r.has_compliance ? ", compliance from " + DateText(r.from) : "");
  v.target = r.target >= 0 ? p.rules[r.target].id : "";
  std::vector<std::string> q;
  for (int i : r.consumes) q.push_back(p.quotas[i].id);
  v.consumes = Join(q);
  return v;
}

// A change outside any timeline policy (`in` empty).
Change Made(Change::Kind kind, std::string what, std::string name, std::string detail, std::string before,
            std::string after) {
  return Change{
      kind, std::move(what), std::move(name), std::move(detail), std::move(before), std::move(after), {}};
}

void Compare(std::vector<Change>& out, const std::string& what, const std::string& name,
             const std::string& detail, const std::string& a, const std::string& b) {
  if (a != b) out.push_back(Made(Change::kChanged, what, name, detail, a, b));
}

// ---- constants and sets, from the source ----

struct Decls {
  SourceManager sources;
  sema::LoadedProgram loaded;
  std::map<std::string, const ast::Decl*> by_name;  // module-qualified, plain for the root policy's own
  std::map<std::string, const ast::Decl*> others;   // functions, tables, enums, records and the schema, alike
};

bool Load(const PolicyInput& in, Decls* out) {
  DiagnosticList diags;
  sema::LoadOptions options;
  options.stdlib_dirs = sema::DefaultStdlibDirs(in.stdlib_dir);
  options.parse_cache = in.parse_cache;
  const std::string* text = in.text ? &*in.text : nullptr;
  if (!sema::LoadProgram(in.path, text, out->sources, options, diags, &out->loaded)) return false;
  for (const auto& m : out->loaded.modules) {
    // The root policy's own names are plain; an imported policy's are qualified, as its rule ids are.
    std::string prefix = m.get() == out->loaded.root ? "" : m->name + ".";
    for (const auto& d : m->decls)
      if (d->kind == ast::DeclKind::kConst || d->kind == ast::DeclKind::kSet)
        out->by_name.emplace(prefix + d->name, d.get());
      else if (d->kind == ast::DeclKind::kFunction || d->kind == ast::DeclKind::kTable ||
               d->kind == ast::DeclKind::kEnum || d->kind == ast::DeclKind::kSchema ||
               d->kind == ast::DeclKind::kRecord)
        out->others.emplace(prefix + d->name, d.get());
  }
  return true;
}

std::string Members(const std::set<std::string>& s);

// A set's or an enum's members, added and removed by name.
void CompareMembers(std::vector<Change>& out, const std::string& what, const std::string& name,
                    const std::set<std::string>& before, const std::set<std::string>& after) {
  std::set<std::string> added, removed;
  for (const auto& x : after)
    if (!before.count(x)) added.insert(x);
  for (const auto& x : before)
    if (!after.count(x)) removed.insert(x);
  if (!added.empty() || !removed.empty())
    out.push_back(Made(Change::kChanged, what, name, "members", removed.empty() ? "" : "-" + Members(removed),
                       added.empty() ? "" : "+" + Members(added)));
}

// Whitespace runs as one space, so layout is not a change.
std::string Squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

const char* KindName(ast::DeclKind k) {
  switch (k) {
    case ast::DeclKind::kFunction:
      return "function";
    case ast::DeclKind::kTable:
      return "table";
    case ast::DeclKind::kEnum:
      return "enum";
    case ast::DeclKind::kSchema:
      return "schema";
    default:
      return "record";
  }
}

// What an added or removed declaration is, in a few words.
std::string Summary(const ast::Decl& d) {
  switch (d.kind) {
    case ast::DeclKind::kFunction:
      return Squeeze(SpanText(d.as<ast::FunctionDecl>().body->span));
    case ast::DeclKind::kTable:
      return std::to_string(d.as<ast::TableDecl>().rows.size()) + " rows";
    case ast::DeclKind::kEnum:
      return std::to_string(d.as<ast::EnumDecl>().members.size()) + " members";
    default:
      return std::to_string(d.as<ast::RecordDecl>().fields.size()) + " fields";
  }
}

// Functions by definition; tables row by row (added, removed, fields changed); enums by member; records and
// the schema field by field.
void CompareOthers(std::vector<Change>& out, const Decls& a, const Decls& b) {
  for (const auto& [name, da] : a.others) {
    auto it = b.others.find(name);
    const char* what = KindName(da->kind);
    if (it == b.others.end() || it->second->kind != da->kind) {
      out.push_back(Made(Change::kRemoved, what, name, "", Summary(*da), ""));
      continue;
    }
    const ast::Decl* db = it->second;
    switch (da->kind) {
      case ast::DeclKind::kFunction:
        Compare(out, what, name, "body", Squeeze(SpanText(da->as<ast::FunctionDecl>().body->span)),
                Squeeze(SpanText(db->as<ast::FunctionDecl>().body->span)));
        break;
      case ast::DeclKind::kTable: {
        auto row_text = [](const ast::TableRow& r) {
          std::string out;
          for (const auto& [field, value] : r.fields)
            out += (out.empty() ? "" : ", ") + field + ": " + Squeeze(SpanText(value->span));
          return out;
        };
        std::map<std::string, const ast::TableRow*> ra, rb;
        for (const auto& r : da->as<ast::TableDecl>().rows) ra[r.key] = &r;
        for (const auto& r : db->as<ast::TableDecl>().rows) rb[r.key] = &r;
        for (const auto& [key, row] : ra) {
          auto other = rb.find(key);
          if (other == rb.end()) {
            out.push_back(Made(Change::kRemoved, "table row", name + "." + key, "", row_text(*row), ""));
            continue;
          }
          // Field by field: a catalog row has many, and usually one changes.
          std::map<std::string, std::string> fa, fb;
          for (const auto& [field, value] : row->fields) fa[field] = Squeeze(SpanText(value->span));
          for (const auto& [field, value] : other->second->fields) fb[field] = Squeeze(SpanText(value->span));
          for (const auto& [field, text] : fa)
            Compare(out, "table row", name + "." + key, field, text, fb.count(field) ? fb[field] : "(none)");
          for (const auto& [field, text] : fb)
            if (!fa.count(field)) Compare(out, "table row", name + "." + key, field, "(none)", text);
        }
        for (const auto& [key, row] : rb)
          if (!ra.count(key))
            out.push_back(Made(Change::kAdded, "table row", name + "." + key, "", "", row_text(*row)));
        break;
      }
      case ast::DeclKind::kEnum: {
        std::set<std::string> ma, mb;
        for (const auto& m : da->as<ast::EnumDecl>().members) ma.insert(m.name);
        for (const auto& m : db->as<ast::EnumDecl>().members) mb.insert(m.name);
        CompareMembers(out, what, name, ma, mb);
        break;
      }
      default: {
        std::map<std::string, std::string> fa, fb;
        for (const auto& f : da->as<ast::RecordDecl>().fields) fa[f.name] = Squeeze(SpanText(f.span));
        for (const auto& f : db->as<ast::RecordDecl>().fields) fb[f.name] = Squeeze(SpanText(f.span));
        for (const auto& [field, text] : fa) {
          auto other = fb.find(field);
          if (other == fb.end())
            out.push_back(
                Made(Change::kRemoved, std::string(what) + " field", name + "." + field, "", text, ""));
          else
            Compare(out, std::string(what) + " field", name + "." + field, "", text, other->second);
        }
        for (const auto& [field, text] : fb)
          if (!fa.count(field))
            out.push_back(
                Made(Change::kAdded, std::string(what) + " field", name + "." + field, "", "", text));
      }
    }
  }
  for (const auto& [name, db] : b.others)
    if (!a.others.count(name))
      out.push_back(Made(Change::kAdded, KindName(db->kind), name, "", "", Summary(*db)));
}

const ast::Decl* FindSet(const Decls& d, const std::string& name) {
  std::string last = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
  for (const auto& [key, decl] : d.by_name)
    if (decl->kind == ast::DeclKind::kSet && decl->name == last) return decl;
  return nullptr;
}

void SetMembers(const Decls& d, const ast::Expr& e, std::set<std::string>& out, int depth);

void SetOf(const Decls& d, const ast::Expr& e, std::set<std::string>& out, int depth) {
  if (depth > 50) return;
  switch (e.kind) {
    case ast::ExprKind::kSet:
      for (const auto& a : e.args) SetMembers(d, *a, out, depth + 1);
      return;
    case ast::ExprKind::kName:
    case ast::ExprKind::kField:
      if (const ast::Decl* s = FindSet(d, e.text)) SetOf(d, *s->as<ast::ConstDecl>().value, out, depth + 1);
      return;
    case ast::ExprKind::kBinary: {
      std::set<std::string> a, b;
      SetOf(d, *e.args[0], a, depth + 1);
      SetOf(d, *e.args[1], b, depth + 1);
      if (e.op == ast::BinOp::kSub) {
        for (const auto& x : b) a.erase(x);
      } else {
        a.insert(b.begin(), b.end());
      }
      out.insert(a.begin(), a.end());
      return;
    }
    default:
      return;
  }
}

void SetMembers(const Decls& d, const ast::Expr& e, std::set<std::string>& out, int depth) {
  if ((e.kind == ast::ExprKind::kName || e.kind == ast::ExprKind::kField) && FindSet(d, e.text)) {
    SetOf(d, e, out, depth);
    return;
  }
  out.insert(e.text);
}

std::string Members(const std::set<std::string>& s) {
  std::vector<std::string> v(s.begin(), s.end());
  return Join(v);
}

void CompareDecls(std::vector<Change>& out, const Decls& a, const Decls& b) {
  for (const auto& [name, da] : a.by_name) {
    auto it = b.by_name.find(name);
    std::string what = da->kind == ast::DeclKind::kSet ? "set" : "constant";
    if (it == b.by_name.end()) {
      out.push_back(
          Made(Change::kRemoved, what, name, "", SpanText(da->as<ast::ConstDecl>().value->span), ""));
      continue;
    }
    const ast::Decl* db = it->second;
    if (da->kind == ast::DeclKind::kSet && db->kind == ast::DeclKind::kSet) {
      std::set<std::string> ma, mb;
      SetOf(a, *da->as<ast::ConstDecl>().value, ma, 0);
      SetOf(b, *db->as<ast::ConstDecl>().value, mb, 0);
      CompareMembers(out, what, name, ma, mb);
      continue;
    }
    Compare(out, what, name, "value", SpanText(da->as<ast::ConstDecl>().value->span),
            SpanText(db->as<ast::ConstDecl>().value->span));
  }
  for (const auto& [name, db] : b.by_name)
    if (!a.by_name.count(name))
      out.push_back(Made(Change::kAdded, db->kind == ast::DeclKind::kSet ? "set" : "constant", name, "", "",
                         SpanText(db->as<ast::ConstDecl>().value->span)));
}

// A timeline's entries, by the name of the policy applied, and what changed within each policy both apply.
void CompareTimelines(std::vector<Change>& out, const ir::Program& a, const ir::Program& b,
                      const PolicyInput& old_input, const PolicyInput& new_input) {
  // An entry is named by its path as written (relative to the timeline, without `.edict`: the policy's name
  // when it sits beside it); a policy applied again gets "(2)", "(3)"...
  auto by_name = [](const ir::Program& p) {
    std::map<std::string, const ir::TimelineEntry*> m;
    std::filesystem::path dir = std::filesystem::path(p.path).parent_path();
    for (const ir::TimelineEntry& e : p.timeline) {
      std::filesystem::path rel = std::filesystem::path(e.path).lexically_relative(dir);
      std::string name = (rel.empty() ? std::filesystem::path(e.path) : rel).replace_extension().string();
      std::string key = name;
      for (int n = 2; m.count(key); ++n) key = name + " (" + std::to_string(n) + ")";
      m.emplace(key, &e);
    }
    return m;
  };
  auto ea = by_name(a), eb = by_name(b);
  for (const auto& [name, e] : ea)
    if (!eb.count(name))
      out.push_back(Made(Change::kRemoved, "timeline entry", name, "", "from " + FormatDate(e->from), ""));
  for (const auto& [name, e] : eb)
    if (!ea.count(name))
      out.push_back(Made(Change::kAdded, "timeline entry", name, "", "", "from " + FormatDate(e->from)));
  for (const auto& [name, e] : ea)
    if (eb.count(name))
      Compare(out, "timeline entry", name, "from", FormatDate(e->from), FormatDate(eb[name]->from));
  // Within the policies: one line per change however many policies of the timeline import it, with its
  // names qualified by the policy that declares them (`hq_license` of advanced_computing_2023 and
  // `advanced_computing_2023.hq_license` of rescission_2025 are one rule).
  std::vector<Change> within;
  for (const auto& [name, e] : ea) {
    auto it = eb.find(name);
    if (it == eb.end()) continue;
    const ir::Program &pa = *e->program, &pb = *it->second->program;
    PolicyInput ia{old_input.label + " (" + name + ")", pa.path, std::nullopt, old_input.stdlib_dir,
                   old_input.parse_cache};
    PolicyInput ib{new_input.label + " (" + name + ")", pb.path, std::nullopt, new_input.stdlib_dir,
                   new_input.parse_cache};
    for (Change c : StructuralDiff(pa, pb, ia, ib)) {
      if (c.name.find('.') == std::string::npos && c.what != "header") c.name = name + "." + c.name;
      auto is_c = [&](const Change& d) {
        return c.what != "header" && std::tie(d.kind, d.what, d.name, d.detail, d.before, d.after) ==
                                         std::tie(c.kind, c.what, c.name, c.detail, c.before, c.after);
      };
      if (std::any_of(out.begin(), out.end(), is_c)) continue;  // the stdlib, imported by the timeline too
      auto same = std::find_if(within.begin(), within.end(), is_c);
      if (same != within.end()) {
        same->in.push_back(name);
        continue;
      }
      c.in = {name};
      within.push_back(std::move(c));
    }
  }
  out.insert(out.end(), within.begin(), within.end());
}

}  // namespace

std::vector<Change> StructuralDiff(const ir::Program& a, const ir::Program& b, const PolicyInput& old_input,
                                   const PolicyInput& new_input) {
  std::vector<Change> out;
  // Header.
  Compare(out, "header", "title", "", a.title, b.title);
  Compare(out, "header", "version", "", a.version, b.version);
  Compare(out, "header", "source", "", a.source, b.source);
  Compare(out, "header", "in force from", "", DateText(a.from), DateText(b.from));
  Compare(out, "header", "in force until", "", DateText(a.until), DateText(b.until));
  Compare(out, "header", "compliance from", "", a.has_compliance ? FormatDate(a.compliance) : "(none)",
          b.has_compliance ? FormatDate(b.compliance) : "(none)");
  // Rules and exceptions, by id.
  for (const ir::Rule& ra : a.rules) {
    int ib = b.RuleIndex(ra.id);
    RuleView va = View(a, ra);
    if (ib < 0 || b.rules[ib].withdrawn != ra.withdrawn) {
      if (!ra.withdrawn)
        out.push_back(Made(Change::kRemoved, va.kind, ra.id, "", va.outcome, ""));
      else if (ib >= 0)
        out.push_back(
            Made(Change::kAdded, va.kind, ra.id, "withdrawal lifted", "", View(b, b.rules[ib]).outcome));
      continue;
    }
    if (ra.withdrawn) continue;
    RuleView vb = View(b, b.rules[ib]);
    Compare(out, va.kind, ra.id, "kind", va.kind, vb.kind);
    Compare(out, va.kind, ra.id, "exception to", va.target, vb.target);
    Compare(out, va.kind, ra.id, "condition", va.condition, vb.condition);
    Compare(out, va.kind, ra.id, "outcome", va.outcome, vb.outcome);
    Compare(out, va.kind, ra.id, "citation", va.cite, vb.cite);
    Compare(out, va.kind, ra.id, "in force", va.in_force, vb.in_force);
    Compare(out, va.kind, ra.id, "consumes", va.consumes, vb.consumes);
  }
  for (const ir::Rule& rb : b.rules) {
    if (rb.withdrawn) continue;
    if (a.RuleIndex(rb.id) < 0) {
      RuleView vb = View(b, rb);
      std::string detail = rb.exception ? "exception to " + vb.target : "";
      out.push_back(Made(Change::kAdded, vb.kind, rb.id, detail, "", vb.outcome));
    }
  }
  // Quotas, by id.
  auto quota_period = [](const ir::Quota& q) {
    return q.calendar_year ? std::string("per calendar year")
           : q.window      ? "from " + FormatDate(q.window_from) + " to " + FormatDate(q.window_to)
                           : std::string("no period");
  };
  for (const ir::Quota& qa : a.quotas) {
    const ir::Quota* qb = nullptr;
    for (const ir::Quota& q : b.quotas)
      if (q.id == qa.id) qb = &q;
    if (!qb) {
      out.push_back(Made(Change::kRemoved, "quota", qa.id, "", qa.limit.ToString() + " " + qa.unit, ""));
      continue;
    }
    Compare(out, "quota", qa.id, "limit", qa.limit.ToString() + " " + qa.unit,
            qb->limit.ToString() + " " + qb->unit);
    Compare(out, "quota", qa.id, "measure", SpanText(qa.measure->span), SpanText(qb->measure->span));
    Compare(out, "quota", qa.id, "per", Join(qa.key_texts), Join(qb->key_texts));
    Compare(out, "quota", qa.id, "period", quota_period(qa), quota_period(*qb));
  }
  for (const ir::Quota& qb : b.quotas) {
    bool found = false;
    for (const ir::Quota& q : a.quotas) found = found || q.id == qb.id;
    if (!found)
      out.push_back(Made(Change::kAdded, "quota", qb.id, "", "", qb.limit.ToString() + " " + qb.unit));
  }
  // Constants and sets.
  Decls da, db;
  if (Load(old_input, &da) && Load(new_input, &db)) {
    CompareDecls(out, da, db);
    CompareOthers(out, da, db);
  }
  if (!a.timeline.empty() || !b.timeline.empty()) CompareTimelines(out, a, b, old_input, new_input);
  return out;
}

}  // namespace edict::diff
