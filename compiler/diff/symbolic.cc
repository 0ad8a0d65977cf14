#include "compiler/diff/symbolic.h"

#include <algorithm>

#include "runtime/date.h"
#include "runtime/interp/decide.h"

namespace edict::diff {

z3::expr RealOf(z3::context& z, const Rational& r) {
  std::string text = I128ToString(r.num);
  if (r.den != 1) text += "/" + I128ToString(r.den);
  return z.real_val(text.c_str());
}

namespace {

bool IsIte(const z3::expr& e) {
  return e.is_app() && e.decl().decl_kind() == Z3_OP_ITE;
}

}  // namespace

std::string QuotaLabel(const ir::Quota& q) {
  std::string label;
  for (const auto& k : q.key_texts) label += k + ",";
  label += q.calendar_year ? "year"
           : q.window      ? FormatDate(q.window_from) + ".." + FormatDate(q.window_to)
                           : "all";
  return label;
}

bool NumeralToRational(const z3::expr& e, Rational* out) {
  std::string text = Z3_get_numeral_string(e.ctx(), e);
  size_t slash = text.find('/');
  auto num = ParseRational(text.substr(0, slash));
  if (!num) return false;
  if (slash == std::string::npos) {
    *out = *num;
    return true;
  }
  auto den = ParseRational(text.substr(slash + 1));
  if (!den) return false;
  auto q = Div(*num, *den);
  if (!q) return false;
  *out = *q;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Outcomes.

OutcomeTable::OutcomeTable(const ir::Program& old_program, const ir::Program& new_program) {
  std::vector<std::pair<int, std::string>> all = {{0, "no_license_required"}};
  for (const ir::Program* p : {&old_program, &new_program})
    for (const ir::Rule& r : p->rules) {
      const ir::OutcomeIR& o = r.outcome;
      for (bool notify : {false, true}) {
        if (notify && !o.notify) continue;
        all.emplace_back(p->Severity(o), interp::OutcomeText(*p, o.kind, o.symbol, notify, o.review));
      }
    }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  for (auto& [severity, text] : all) {
    if (!texts_.empty() && texts_.back() == text)
      throw Unsupported{"the outcome " + text + " has different severities in the two policies"};
    severities_.push_back(severity);
    texts_.push_back(std::move(text));
  }
}

int OutcomeTable::Code(const ir::Program& p, const ir::OutcomeIR& o, bool notify) const {
  std::string text = interp::OutcomeText(p, o.kind, o.symbol, notify, o.review);
  for (size_t i = 0; i < texts_.size(); ++i)
    if (texts_[i] == text) return static_cast<int>(i);
  throw Unsupported{"internal: unknown outcome " + text};
}

// ---------------------------------------------------------------------------------------------------------------
// The shipment.

Bounds::Bounds()
    : date_from(DaysFromCivil(1900, 1, 1)),
      date_to(DaysFromCivil(2199, 12, 31)),
      max_number(I128ToString(static_cast<i128>((static_cast<unsigned __int128>(1) << 127) - 1))),
      max_consumed(max_number) {}

Shipment::Shipment(z3::context& z, const Bounds& bounds) : z_(z), bounds_(bounds) {}

const Shipment::Var& Shipment::VarFor(const ir::Program& p, int field) {
  const ir::Field& f = p.fields[field];
  auto it = vars_.find(f.name);
  if (it != vars_.end()) return it->second;
  Var v{f.name,
        f.type ? f.type->kind : TypeKind::kError,
        false,
        false,
        false,
        z_.bool_val(false),
        z_.bool_val(true),
        {},
        false};
  std::string name = "f." + f.name;
  switch (v.kind) {
    case TypeKind::kBool:
      v.value = z_.bool_const(name.c_str());
      break;
    case TypeKind::kNumber:
      v.integer = f.count || f.type->integer;
      v.count = f.count;
      if (v.integer) {
        // As the reader accepts: an item count 1..2^63-1; another integer any 64-bit value, not negative when
        // it has a unit.
        z3::expr n = z_.int_const(name.c_str());
        if (f.count)
          domain_.push_back(n >= 1);
        else if (!f.type->dims.empty())
          domain_.push_back(n >= 0);
        else
          domain_.push_back(n >= z_.int_val(INT64_MIN));
        domain_.push_back(n <= z_.int_val(bounds_.max_count));
        v.value = z3::to_real(n);
      } else {
        // The reader rejects negative quantities; a number without a unit may be negative.
        v.value = z_.real_const(name.c_str());
        z3::expr max = z_.real_val(bounds_.max_number.c_str());
        domain_.push_back(f.type->dims.empty() ? v.value >= -max : v.value >= 0);
        domain_.push_back(v.value <= max);
      }
      break;
    case TypeKind::kText:
      v.value = z_.int_const(name.c_str());
      domain_.push_back(v.value >= 0);
      break;
    case TypeKind::kDate: {
      v.value = z_.int_const(name.c_str());
      bool period = !bounds_.period_field.empty() && f.name == bounds_.period_field;
      domain_.push_back(v.value >= (period ? bounds_.period_from : bounds_.date_from) &&
                        v.value <= (period ? bounds_.period_to : bounds_.date_to));
      break;
    }
    case TypeKind::kEnum:
      v.value = z_.int_const(name.c_str());
      v.members = p.enums[f.enum_index].members;
      domain_.push_back(v.value >= 0 && v.value < static_cast<int>(v.members.size()));
      break;
    default:
      throw Unsupported{"field '" + f.name + "' has a type the diff does not model"};
  }
  if (f.kind == ir::Field::kOptional || (f.kind == ir::Field::kInput && f.value)) {
    v.has_given = true;
    v.given = z_.bool_const(("given." + f.name).c_str());
  }
  return vars_.emplace(f.name, std::move(v)).first->second;
}

z3::expr Shipment::ValueFor(const ir::Program& p, int field) {
  const Var& v = VarFor(p, field);
  const ir::Field& f = p.fields[field];
  TypeKind kind = f.type ? f.type->kind : TypeKind::kError;
  if (kind != v.kind) throw Unsupported{"field '" + f.name + "' has different types in the two policies"};
  if (kind != TypeKind::kEnum) return v.value;
  const auto& mine = p.enums[f.enum_index].members;
  if (mine == v.members) return v.value;
  // Different member lists: map by name, and only members both know.
  z3::expr mapped = z_.int_val(0);
  z3::expr_vector allowed(z_);
  for (size_t i = 0; i < v.members.size(); ++i) {
    auto at = std::find(mine.begin(), mine.end(), v.members[i]);
    if (at == mine.end()) continue;
    allowed.push_back(v.value == static_cast<int>(i));
    mapped = z3::ite(v.value == static_cast<int>(i), z_.int_val(static_cast<int>(at - mine.begin())), mapped);
  }
  domain_.push_back(z3::mk_or(allowed));
  return mapped;
}

void Shipment::Fix(const ir::Program& p, int field, int member) {
  Var& v = const_cast<Var&>(VarFor(p, field));
  domain_.push_back(v.value == member);
  v.value = z_.int_val(member);
  v.fixed = true;
}

std::vector<std::pair<int, int>> PairQuotas(const ir::Program& a, const ir::Program& b) {
  std::vector<std::pair<int, int>> out;
  std::vector<bool> old_taken(a.quotas.size(), false), new_taken(b.quotas.size(), false);
  auto pair = [&](size_t i, size_t j) {
    out.emplace_back(static_cast<int>(i), static_cast<int>(j));
    old_taken[i] = new_taken[j] = true;
  };
  for (size_t i = 0; i < a.quotas.size(); ++i)
    for (size_t j = 0; j < b.quotas.size(); ++j)
      if (!old_taken[i] && !new_taken[j] &&
          (a.quotas[i].id == b.quotas[j].id || a.quotas[i].ledger_id == b.quotas[j].ledger_id) &&
          QuotaLabel(a.quotas[i]) == QuotaLabel(b.quotas[j]))
        pair(i, j);
  for (size_t i = 0; i < a.quotas.size(); ++i) {
    if (old_taken[i]) continue;
    std::string label = QuotaLabel(a.quotas[i]);
    int old_alike = 0, new_alike = 0, found = -1;
    for (size_t o = 0; o < a.quotas.size(); ++o)
      old_alike += !old_taken[o] && QuotaLabel(a.quotas[o]) == label;
    for (size_t j = 0; j < b.quotas.size(); ++j)
      if (!new_taken[j] && QuotaLabel(b.quotas[j]) == label) ++new_alike, found = static_cast<int>(j);
    if (old_alike == 1 && new_alike == 1) pair(i, static_cast<size_t>(found));
  }
  return out;
}

void Shipment::PairQuotas(const ir::Program& old_program, const ir::Program& new_program) {
  old_ = &old_program;
  new_ = &new_program;
  for (auto [i, j] : diff::PairQuotas(old_program, new_program)) {
    old_to_new_[i] = j;
    new_to_old_[j] = i;
  }
}

int Shipment::PartnerOf(const ir::Program& p, int quota) const {
  const auto& m = &p == old_ ? old_to_new_ : new_to_old_;
  auto it = m.find(quota);
  return it == m.end() ? -1 : it->second;
}

z3::expr Shipment::ConsumedFor(const ir::Program& p, int quota) {
  bool is_old = &p == old_;
  int partner = PartnerOf(p, quota);
  // Paired quotas share one variable, named after the old quota; an unpaired one has its own.
  std::string key = is_old || partner < 0 ? (is_old ? "old." : "new.") + std::to_string(quota)
                                          : "old." + std::to_string(partner);
  auto it = consumed_.find(key);
  if (it != consumed_.end()) return it->second.amount;
  z3::expr c = z_.real_const(("consumed." + key).c_str());
  domain_.push_back(c >= 0);
  domain_.push_back(c <= z_.real_val(bounds_.max_consumed.c_str()));
  std::string id = p.quotas[quota].id;
  Consumed entry{is_old ? id : "", is_old ? "" : id, c};
  if (partner >= 0) (is_old ? entry.new_quota : entry.old_quota) = (is_old ? new_ : old_)->quotas[partner].id;
  consumed_.emplace(key, entry);
  return c;
}

int Shipment::TextId(std::string_view text) {
  auto it = text_ids_.find(text);
  if (it != text_ids_.end()) return it->second;
  texts_.emplace_back(text);
  int id = static_cast<int>(texts_.size());  // 1-based; 0 and others are texts no policy mentions
  text_ids_.emplace(std::string(text), id);
  return id;
}

std::string Shipment::TextOf(int64_t id) const {
  if (id >= 1 && id <= static_cast<int64_t>(texts_.size())) return texts_[id - 1];
  return "sample-" + std::to_string(id);  // a text no policy mentions: any such text is decided alike
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions.

namespace {

struct SymValue {
  ValueKind kind = ValueKind::kAbsent;
  z3::expr v;
  z3::expr known;
  std::vector<std::pair<z3::expr, BitSet>> sets;  // kSet: exclusive guards and their members
};

class Encoder {
 public:
  Encoder(const ir::Program& p, Shipment& s, const OutcomeTable& outcomes)
      : p_(p), s_(s), z_(s.z()), outcomes_(outcomes) {}

  SymValue Value(const edict::Value& c) {
    SymValue out = Make(c.kind, z_.bool_val(false));
    switch (c.kind) {
      case ValueKind::kAbsent:
        out.known = z_.bool_val(false);
        break;
      case ValueKind::kBool:
        out.v = z_.bool_val(c.b);
        break;
      case ValueKind::kNumber:
        out.v = RealOf(z_, c.num);
        break;
      case ValueKind::kText:
        out.v = z_.int_val(s_.TextId(c.text));
        break;
      case ValueKind::kDate:
      case ValueKind::kEnum:
        out.v = z_.int_val(c.i);
        break;
      case ValueKind::kSet:
        out.sets.emplace_back(z_.bool_val(true), *c.set);
        break;
    }
    return out;
  }

  SymValue Field(int index) {
    auto it = fields_.find(index);
    if (it != fields_.end()) return it->second;
    const ir::Field& f = p_.fields[index];
    SymValue out = Make(KindOf(f), z_.bool_val(false));
    if (f.kind == ir::Field::kDerived) {
      out = Eval(*f.value);
    } else {
      const Shipment::Var& var = s_.VarFor(p_, index);
      out.v = s_.ValueFor(p_, index);
      if (f.kind == ir::Field::kOptional) {
        out.known = var.given;
      } else if (f.value) {
        SymValue dflt = Eval(*f.value);
        out.v = z3::ite(var.given, out.v, dflt.v);
        out.known = var.given || dflt.known;
      }
    }
    fields_.emplace(index, out);
    return out;
  }

  SymValue Eval(const ir::Expr& e) {
    using ir::Op;
    switch (e.op) {
      case Op::kConst:
        return Value(e.constant);
      case Op::kField:
        return Field(e.index);
      case Op::kRowField:
        return RowField(e);
      case Op::kNot:
        return Bool(!Eval(*e.args[0]).v);
      case Op::kAnd:
        return Bool(Eval(*e.args[0]).v && Eval(*e.args[1]).v);
      case Op::kOr:
        return Bool(Eval(*e.args[0]).v || Eval(*e.args[1]).v);
      case Op::kIf: {
        z3::expr c = Eval(*e.args[0]).v.simplify();
        SymValue a = Eval(*e.args[1]);
        SymValue b = Eval(*e.args[2]);
        if (c.is_true()) return a;
        if (c.is_false()) return b;
        if (a.kind == ValueKind::kSet || b.kind == ValueKind::kSet) {
          SymValue out = Make(ValueKind::kSet, z_.bool_val(false));
          for (auto& [g, set] : a.sets) out.sets.emplace_back(c && g, set);
          for (auto& [g, set] : b.sets) out.sets.emplace_back(!c && g, set);
          return out;
        }
        SymValue out = Make(a.kind == ValueKind::kAbsent ? b.kind : a.kind, z3::ite(c, a.v, b.v));
        if (a.kind == ValueKind::kAbsent) out.v = b.v;
        if (b.kind == ValueKind::kAbsent) out.v = a.v;
        out.known = z3::ite(c, a.known, b.known);
        return out;
      }
      case Op::kNeg:
        return Number(-Eval(*e.args[0]).v);
      case Op::kAdd:
        return Number(Eval(*e.args[0]).v + Eval(*e.args[1]).v);
      case Op::kSub:
        return Number(Eval(*e.args[0]).v - Eval(*e.args[1]).v);
      case Op::kMul:
        return Number(Mul(Eval(*e.args[0]).v.simplify(), Eval(*e.args[1]).v.simplify()));
      case Op::kDiv:
        return Number(Div(Eval(*e.args[0]).v.simplify(), Eval(*e.args[1]).v.simplify()));
      case Op::kLt:
        return Bool(Eval(*e.args[0]).v < Eval(*e.args[1]).v);
      case Op::kLe:
        return Bool(Eval(*e.args[0]).v <= Eval(*e.args[1]).v);
      case Op::kGt:
        return Bool(Eval(*e.args[0]).v > Eval(*e.args[1]).v);
      case Op::kGe:
        return Bool(Eval(*e.args[0]).v >= Eval(*e.args[1]).v);
      case Op::kEq:
      case Op::kNe: {
        SymValue a = Eval(*e.args[0]);
        SymValue b = Eval(*e.args[1]);
        if (a.kind == ValueKind::kSet || b.kind == ValueKind::kSet) throw Unsupported{"comparison of sets"};
        z3::expr eq = a.kind == ValueKind::kAbsent || b.kind == ValueKind::kAbsent
                          ? z_.bool_val(a.kind == b.kind)
                          : (a.known == b.known) && (!a.known || a.v == b.v);
        return Bool(e.op == Op::kEq ? eq : !eq);
      }
      case Op::kIn:
      case Op::kNotIn: {
        z3::expr x = Eval(*e.args[0]).v;
        SymValue s = Eval(*e.args[1]);
        z3::expr_vector parts(z_);
        for (auto& [g, set] : s.sets) parts.push_back(g && Member(x, set));
        z3::expr in = z3::mk_or(parts);
        return Bool(e.op == Op::kIn ? in : !in);
      }
      case Op::kUnion:
      case Op::kDifference: {
        SymValue a = Eval(*e.args[0]);
        SymValue b = Eval(*e.args[1]);
        SymValue out = Make(ValueKind::kSet, z_.bool_val(false));
        for (auto& [ga, sa] : a.sets)
          for (auto& [gb, sb] : b.sets) {
            BitSet r = sa;
            if (r.words.size() < sb.words.size()) r.words.resize(sb.words.size(), 0);
            for (size_t i = 0; i < sb.words.size(); ++i)
              r.words[i] = e.op == Op::kUnion ? (r.words[i] | sb.words[i]) : (r.words[i] & ~sb.words[i]);
            out.sets.emplace_back((ga && gb).simplify(), r);
          }
        return out;
      }
      case Op::kYearOf: {
        z3::expr d = Eval(*e.args[0]).v;
        const Bounds& b = s_.bounds();
        int first = YearOf(b.date_from), last = YearOf(b.date_to);
        z3::expr year = z_.real_val(last);
        for (int y = last - 1; y >= first; --y)
          year = z3::ite(d < DaysFromCivil(y + 1, 1, 1), z_.real_val(y), year);
        return Number(year);
      }
      case Op::kIsKnown:
        return Bool(Eval(*e.args[0]).known);
      case Op::kOtherwise: {
        SymValue a = Eval(*e.args[0]);
        SymValue b = Eval(*e.args[1]);
        if (a.kind == ValueKind::kAbsent) return b;
        SymValue out = Make(a.kind, z3::ite(a.known, a.v, b.v));
        out.known = a.known || b.known;
        return out;
      }
      case Op::kFits:
        return Bool(Fits(e.index));
      case Op::kTabulated:  // a lookup of what args[1] computes
        return Eval(*e.args[1]);
    }
    throw Unsupported{"an IR operation the diff does not know"};
  }

  z3::expr Fits(int quota) {
    const ir::Quota& q = p_.quotas[quota];
    z3::expr measure = Eval(*q.measure).v;
    z3::expr fits = s_.ConsumedFor(p_, quota) + measure <= RealOf(z_, q.limit);
    if (!q.window) return fits;
    z3::expr date = DateOf();
    return date >= q.window_from && date <= q.window_to && fits;
  }

  z3::expr DateOf() {
    if (p_.date_field < 0) throw Unsupported{"the schema has no date field"};
    return Field(p_.date_field).v;
  }

  // ---- decisions ----

  struct Resolved {
    z3::expr code;
    z3::expr conflict;
  };

  z3::expr Applies(int rule) {
    const ir::Rule& r = p_.rules[rule];
    if (r.withdrawn || !r.when) return z_.bool_val(false);
    z3::expr date = DateOf();
    z3::expr in_force = z_.bool_val(true);
    if (r.from != INT_MIN) in_force = in_force && date >= r.from;
    if (r.until != INT_MAX) in_force = in_force && date <= r.until;
    z3::expr applies = (in_force && Eval(*r.when).v).simplify();
    if (applies.is_true() || applies.is_false()) return applies;
    z3::expr named = z_.bool_const((prefix_ + "applies." + r.id).c_str());
    definitions_.push_back(named == applies);
    return named;
  }

  z3::expr Own(int rule) {
    const ir::Rule& r = p_.rules[rule];
    int plain = outcomes_.Code(p_, r.outcome, false);
    if (!r.outcome.notify) return z_.int_val(plain);
    return z3::ite(Eval(*r.outcome.notify).v, z_.int_val(outcomes_.Code(p_, r.outcome, true)),
                   z_.int_val(plain));
  }

  // The resolved outcome of `rule` (assumed applicable), and whether its exceptions conflict. Records, for
  // the determining-rule conditions, each node's path condition.
  Resolved Resolve(int rule, const z3::expr& path) {
    const ir::Rule& r = p_.rules[rule];
    std::vector<z3::expr> applies;
    std::vector<Resolved> resolved;
    for (int e : r.exceptions) {
      applies.push_back(Applies(e));
      resolved.push_back(Resolve(e, path && applies.back()));
    }
    z3::expr own = Own(rule);
    z3::expr none = z_.bool_val(true);
    for (auto& a : applies) none = none && !a;
    nodes_.push_back({rule, (path && none).simplify(), own});
    z3::expr code = own;
    z3::expr conflict = z_.bool_val(false);
    for (size_t i = applies.size(); i-- > 0;) {
      code = z3::ite(applies[i], resolved[i].code, code);
      conflict = conflict || (applies[i] && resolved[i].conflict);
      for (size_t j = i + 1; j < applies.size(); ++j)
        conflict = conflict || (applies[i] && applies[j] && resolved[i].code != resolved[j].code);
    }
    return {code, conflict.simplify()};
  }

  z3::expr SeverityOf(const z3::expr& code) {
    z3::expr sev = z_.int_val(outcomes_.Severity(outcomes_.size() - 1));
    for (int c = outcomes_.size() - 2; c >= 0; --c)
      sev = z3::ite(code <= c, z_.int_val(outcomes_.Severity(c)), sev);
    return sev;
  }

  SymDecision Decide(const std::string& prefix) {
    prefix_ = prefix;
    if (!p_.timeline.empty()) throw Unsupported{"timelines (policy '" + p_.name + "' dispatches by date)"};
    std::vector<z3::expr> applies;
    std::vector<Resolved> resolved;
    for (int r : p_.roots) {
      applies.push_back(Applies(r));
      resolved.push_back(Resolve(r, applies.back()));
    }
    z3::expr final_code = z_.int_val(0);
    z3::expr conflict = z_.bool_val(false);
    for (size_t i = 0; i < applies.size(); ++i) {
      final_code = z3::ite(applies[i] && resolved[i].code > final_code, resolved[i].code, final_code);
      conflict = conflict || (applies[i] && resolved[i].conflict);
    }
    z3::expr final_severity = SeverityOf(final_code);
    for (size_t i = 0; i < applies.size(); ++i)
      conflict = conflict || (applies[i] && resolved[i].code != final_code &&
                              SeverityOf(resolved[i].code) == final_severity);
    z3::expr date = DateOf();
    z3::expr in_force = z_.bool_val(true);
    if (p_.from != INT_MIN) in_force = in_force && date >= p_.from;
    if (p_.until != INT_MAX) in_force = in_force && date <= p_.until;
    z3::expr ok = z_.bool_const((prefix + "ok").c_str());
    z3::expr final_named = z_.int_const((prefix + "final").c_str());
    SymDecision out{z_.int_const((prefix + "code").c_str()), {}, {}, {}, {}};
    out.definitions.push_back(ok == (in_force && !conflict));
    out.definitions.push_back(final_named == final_code);
    out.definitions.push_back(
        out.code == z3::ite(in_force, z3::ite(conflict, z_.int_val(-1), final_named), z_.int_val(0)));
    for (const Node& n : nodes_) {
      z3::expr det = (ok && n.path && n.own == final_named).simplify();
      if (det.is_false()) continue;
      z3::expr named = z_.bool_const((prefix + "det." + p_.rules[n.rule].id).c_str());
      out.definitions.push_back(named == det);
      out.determining.emplace_back(n.rule, named);
    }
    // What the shipment adds to each quota's ledger entry: its measure once per determining rule that
    // consumes the quota (as the interpreter's ConsumeQuotas does), nothing outside the quota's window.
    for (size_t qi = 0; qi < p_.quotas.size(); ++qi) {
      const ir::Quota& q = p_.quotas[qi];
      z3::expr amount = z_.real_val(0);
      bool any = false;
      for (const auto& [rule, det] : out.determining)
        for (int c : p_.rules[rule].consumes)
          if (c == static_cast<int>(qi)) {
            amount = amount + z3::ite(det, Eval(*q.measure).v, z_.real_val(0));
            any = true;
          }
      if (any && q.window) {
        z3::expr date = DateOf();
        amount = z3::ite(date >= q.window_from && date <= q.window_to, amount, z_.real_val(0));
      }
      out.uses.emplace(static_cast<int>(qi), amount);
    }
    for (const auto& [index, value] : fields_) {
      const ir::Field& f = p_.fields[index];
      if (f.kind == ir::Field::kDerived && value.kind == ValueKind::kNumber)
        out.derived.emplace(f.name, value.v);
    }
    out.definitions.insert(out.definitions.end(), definitions_.begin(), definitions_.end());
    return out;
  }

 private:
  struct Node {
    int rule;
    z3::expr path;  // applies, and none of its exceptions does
    z3::expr own;
  };

  SymValue Make(ValueKind kind, z3::expr v) { return SymValue{kind, v, z_.bool_val(true), {}}; }
  SymValue Bool(z3::expr v) { return Make(ValueKind::kBool, v); }
  SymValue Number(z3::expr v) { return Make(ValueKind::kNumber, v); }

  static ValueKind KindOf(const ir::Field& f) {
    switch (f.type ? f.type->kind : TypeKind::kError) {
      case TypeKind::kBool:
        return ValueKind::kBool;
      case TypeKind::kNumber:
        return ValueKind::kNumber;
      case TypeKind::kText:
        return ValueKind::kText;
      case TypeKind::kDate:
        return ValueKind::kDate;
      case TypeKind::kEnum:
        return ValueKind::kEnum;
      default:
        throw Unsupported{"field '" + f.name + "' has a type the diff does not model"};
    }
  }

  // Membership as ranges of consecutive members, or the complement when shorter.
  z3::expr Member(const z3::expr& x, const BitSet& set) {
    z3::expr_vector parts(z_);
    int n = static_cast<int>(set.words.size()) * 64;
    for (int i = 0; i < n;) {
      if (!set.Test(i)) {
        ++i;
        continue;
      }
      int j = i;
      while (j + 1 < n && set.Test(j + 1)) ++j;
      parts.push_back(i == j ? x == i : (x >= i && x <= j));
      i = j + 1;
    }
    return z3::mk_or(parts);
  }

  SymValue RowField(const ir::Expr& e) {
    const ir::Table& t = p_.tables[e.table];
    z3::expr key = Eval(*e.args[0]).v.simplify();
    if (key.is_numeral()) {
      int k = key.get_numeral_int();
      if (k < 0 || k >= static_cast<int>(t.rows.size())) throw Unsupported{"a key outside table " + t.name};
      return Value(t.rows[k][e.index]);
    }
    if (t.rows.empty()) throw Unsupported{"an empty table " + t.name};
    SymValue out = Value(t.rows.back()[e.index]);
    for (size_t k = t.rows.size() - 1; k-- > 0;) {
      SymValue row = Value(t.rows[k][e.index]);
      if (row.kind == ValueKind::kSet || out.kind == ValueKind::kSet)
        throw Unsupported{"set-valued table fields read with an unknown key"};
      z3::expr is = key == static_cast<int>(k);
      if (row.kind != ValueKind::kAbsent && out.kind != ValueKind::kAbsent)
        out.v = z3::ite(is, row.v, out.v);
      else if (row.kind != ValueKind::kAbsent)
        out.v = row.v, out.kind = row.kind;
      out.known = z3::ite(is, row.known, out.known);
    }
    return out;
  }

  // Products and quotients stay linear when one side is a constant or a choice (ite) between constants.
  z3::expr Mul(const z3::expr& a, const z3::expr& b) {
    if (a.is_numeral() || b.is_numeral()) return (a * b).simplify();
    if (IsIte(a)) return z3::ite(a.arg(0), Mul(a.arg(1), b), Mul(a.arg(2), b));
    if (IsIte(b)) return z3::ite(b.arg(0), Mul(a, b.arg(1)), Mul(a, b.arg(2)));
    return a * b;
  }
  z3::expr Div(const z3::expr& a, const z3::expr& b) {
    if (b.is_numeral()) return (a / b).simplify();
    if (IsIte(b)) return z3::ite(b.arg(0), Div(a, b.arg(1)), Div(a, b.arg(2)));
    return a / b;
  }

  const ir::Program& p_;
  Shipment& s_;
  z3::context& z_;
  const OutcomeTable& outcomes_;
  std::map<int, SymValue> fields_;
  std::vector<Node> nodes_;
  std::string prefix_;
  std::vector<z3::expr> definitions_;
};

}  // namespace

SymDecision EncodeDecision(const ir::Program& p, Shipment& shipment, const OutcomeTable& outcomes,
                           const std::string& prefix) {
  Encoder encoder(p, shipment, outcomes);
  return encoder.Decide(prefix);
}

}  // namespace edict::diff
