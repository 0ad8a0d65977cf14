// The decision as one function over a batch (abi.h): the loop, each record's fields, the timeline's dispatch
// on the date, the default logic (docs/language.md, "How the final outcome is chosen") as straight-line code
// over the rules, and the quotas the determining rules consume. Conditions, exceptions and `notify` are
// evaluated where the interpreter (runtime/interp/resolve.h) evaluates them, but for two freedoms that change
// no decision: the root rules are taken in another order (every root is evaluated either way, and the choice
// among them does not depend on the order), and an and/or chain may take tests that can neither fail nor
// change anything in another order (gen_logic.cc). So a record the compiled code decides without error is
// decided as the interpreter decides it; any error or conflict hands the record to the interpreter, whose
// message is the reference.
#include "runtime/jit/codegen.h"

#include <llvm/IR/MDBuilder.h>

#include <algorithm>

#include "runtime/interp/timeline.h"
#include "runtime/jit/generator.h"
#include "runtime/jit/quotas.h"

namespace edict::jit {

namespace {

// An outcome as one i64 laid out as the first 8 bytes of its Result (status kDecided, kind, notify, pad,
// symbol, review), so that comparing two outcomes is one compare and storing one is one store. `notify`, a
// condition, is or-ed in at bit 16 where the rule has one.
static_assert(offsetof(Result, status) == 0 && offsetof(Result, kind) == 1 && offsetof(Result, notify) == 2 &&
              offsetof(Result, symbol) == 4 && offsetof(Result, review) == 6 && Result::kDecided == 0);
constexpr int kNotifyShift = 16;
int64_t OutcomeCode(const ir::OutcomeIR& o) {
  auto u16 = [](int v) { return static_cast<uint64_t>(static_cast<uint16_t>(static_cast<int16_t>(v))); };
  uint64_t head = static_cast<uint64_t>(o.kind) << 8 | u16(o.symbol) << 32 | u16(o.review) << 48;
  return static_cast<int64_t>(head);
}

ValueKind ValueKindOf(batch::SlotKind k) {
  switch (k) {
    case batch::SlotKind::kBool:
      return ValueKind::kBool;
    case batch::SlotKind::kEnum:
      return ValueKind::kEnum;
    case batch::SlotKind::kDate:
      return ValueKind::kDate;
    case batch::SlotKind::kInt:
    case batch::SlotKind::kRational:
      return ValueKind::kNumber;
    case batch::SlotKind::kText:
      return ValueKind::kText;
    case batch::SlotKind::kNone:
      break;
  }
  return ValueKind::kAbsent;
}

bool IsIdentity(const std::vector<int>& map) {
  for (size_t k = 0; k < map.size(); ++k)
    if (map[k] != static_cast<int>(k)) return false;
  return true;
}

void DepthFirst(const ir::Program& p, int rule, std::vector<int>* order) {
  order->push_back(rule);
  for (int e : p.rules[rule].exceptions) DepthFirst(p, e, order);
}

}  // namespace

Generator::Generator(llvm::Module& m, Plan& plan, const batch::PackedLayout& layout, const ir::Program& root,
                     TextIds& text_ids)
    : C_(m.getContext()),
      M_(m),
      B_(m.getContext(), llvm::InstSimplifyFolder(m.getDataLayout())),
      plan_(plan),
      layout_(layout),
      root_(root),
      text_ids_(text_ids) {
  i1_ = B_.getInt1Ty();
  i8_ = B_.getInt8Ty();
  i16_ = B_.getInt16Ty();
  i32_ = B_.getInt32Ty();
  i64_ = B_.getInt64Ty();
  i128_ = B_.getInt128Ty();
  ptr_ = B_.getPtrTy();
  unlikely_ = llvm::MDBuilder(C_).createBranchWeights(1, 1 << 20);
}

// The plan of each program, pre-order: its rules in depth-first order (the order of determining rules) and
// its quotas' global indices.
void Generator::PlanPrograms(const ir::Program& p) {
  ProgramPlan pp;
  pp.program = &p;
  for (int r : p.roots) DepthFirst(p, r, &pp.rule_order);
  if (pp.rule_order.size() > static_cast<size_t>(64 * kRuleWords))
    Unsupported("more than " + std::to_string(64 * kRuleWords) + " rules in one policy");
  for (size_t q = 0; q < p.quotas.size(); ++q) {
    pp.quota_ids.push_back(static_cast<int>(plan_.quotas.size()));
    plan_.quotas.push_back({&p, static_cast<int>(q)});
  }
  for (const ir::Rule& r : p.rules)
    if (r.outcome.symbol >= 2046 || r.outcome.review >= 2046)
      Unsupported("an outcome enum with 2046 members");
  plan_.programs.push_back(std::move(pp));
  for (const auto& entry : p.timeline) PlanPrograms(*entry.program);
}

std::vector<int> Generator::BuildDecide() {
  auto* type = llvm::FunctionType::get(i64_, {ptr_, i64_, ptr_, ptr_}, false);
  fn_ = llvm::Function::Create(type, llvm::Function::ExternalLinkage, "edict_decide", M_);
  fn_->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::Value* records = fn_->getArg(0);
  llvm::Value* n = fn_->getArg(1);
  llvm::Value* out = fn_->getArg(2);
  ctx_ = fn_->getArg(3);
  for (unsigned a : {0u, 2u, 3u}) fn_->addParamAttr(a, llvm::Attribute::NoAlias);

  llvm::BasicBlock* entry = Block("entry");
  B_.SetInsertPoint(entry);
  auto* pair = llvm::ArrayType::get(i128_, 2);
  rat_a_ = B_.CreateAlloca(pair);
  rat_b_ = B_.CreateAlloca(pair);
  rat_out_ = B_.CreateAlloca(pair);
  for (auto* a : {rat_a_, rat_b_, rat_out_}) a->setAlignment(llvm::Align(16));
  key_buf_ = B_.CreateAlloca(llvm::ArrayType::get(i64_, sizeof(QuotaKeyParts) / 8));
  key_buf_->setAlignment(llvm::Align(8));
  for (size_t q = 0; q < root_.quotas.size(); ++q) memo_.push_back(B_.CreateAlloca(i64_));
  llvm::Value* has_as_of =
      B_.CreateICmpNE(LoadAt(ctx_, offsetof(Context, has_as_of), i32_, 4), B_.getInt32(0));
  llvm::Value* as_of = LoadAt(ctx_, offsetof(Context, as_of), i32_, 4);
  base_ = LoadAt(ctx_, offsetof(Context, base), i64_, 8);
  consume_ = LoadAt(ctx_, offsetof(Context, consume), i32_, 4);

  llvm::BasicBlock* header = Block("record");
  llvm::BasicBlock* body = Block("decide");
  llvm::BasicBlock* exit = Block("done");
  latch_ = Block("next");
  B_.CreateBr(header);
  B_.SetInsertPoint(header);
  auto* i = B_.CreatePHI(i64_, 2);
  index_ = i;
  i->addIncoming(B_.getInt64(0), entry);
  // The increment exists before anything uses the index: the builder simplifies as it goes, and would fold
  // an expression of a phi that so far has only its first value (i * size: 0).
  auto* next = llvm::BinaryOperator::CreateAdd(i, B_.getInt64(1), "", latch_);
  i->addIncoming(next, latch_);
  B_.CreateCondBr(B_.CreateICmpSLT(i, n), body, exit);

  // Errors: the record's status, then back to the host with the count so far (this record included).
  fail_ = Block("fail");
  B_.SetInsertPoint(fail_);
  fail_site_ = B_.CreatePHI(i32_, 4);
  llvm::Value* res_at_fail = B_.CreateInBoundsGEP(i8_, out, B_.CreateMul(i, B_.getInt64(sizeof(Result))));
  StoreAt(res_at_fail, offsetof(Result, status), B_.getInt8(Result::kError), 1);
  StoreAt(res_at_fail, offsetof(Result, error_site), fail_site_, 4);
  B_.CreateRet(B_.CreateAdd(i, B_.getInt64(1)));

  B_.SetInsertPoint(body);
  rec_ = B_.CreateInBoundsGEP(i8_, records, B_.CreateMul(i, B_.getInt64(layout_.size)));
  res_ = B_.CreateInBoundsGEP(i8_, out, B_.CreateMul(i, B_.getInt64(sizeof(Result))));
  int date_field = root_.date_field;
  llvm::Value* d =
      date_field >= 0 ? LoadAt(rec_, layout_.fields[date_field].offset, i32_, 4) : B_.getInt32(0);
  date_ = B_.CreateSelect(has_as_of, as_of, d);

  std::vector<int> members;
  if (root_.timeline.empty()) {
    PrefetchQuotas(records, n);
    ProgramBody(0, nullptr);
  } else {
    // The entry that decides: the last whose policy binds on the date, its `from` and compliance date on or
    // before it (interp::EntryInForce). Entry k's program is program k + 1 in pre-order (a timeline inside a
    // timeline is not supported). An entry that a later one binds no later than never decides, and is not
    // generated at all.
    // A policy's function stored the record's error: back to the host with the count so far.
    llvm::BasicBlock* sub_failed = Block("policyfailed");
    {
      llvm::IRBuilderBase::InsertPointGuard guard(B_);
      B_.SetInsertPoint(sub_failed);
      B_.CreateRet(B_.CreateAdd(i, B_.getInt64(1)));
    }
    int later = INT_MAX;  // the earliest date a later entry binds from
    for (size_t k = root_.timeline.size(); k-- > 0;) {
      const ir::TimelineEntry& entry = root_.timeline[k];
      if (!entry.program->timeline.empty()) Unsupported("a timeline inside a timeline");
      int from = interp::BindingFrom(entry);
      if (from >= later) continue;
      later = from;
      int index = static_cast<int>(k) + 1;
      members.push_back(index);
      llvm::BasicBlock* take = Block("policy");
      llvm::BasicBlock* earlier = Block("earlier");
      B_.CreateCondBr(B_.CreateICmpSGE(date_, B_.getInt32(from)), take, earlier);
      B_.SetInsertPoint(take);
      // Each policy of a timeline is a function of its own, in a module of its own: LLVM optimises several
      // mid-sized functions much faster than one that holds every policy, and the engine compiles the
      // modules in parallel.
      auto* sub =
          llvm::Function::Create(MemberType(C_), llvm::Function::ExternalLinkage, MemberName(index), M_);
      sub->addFnAttr(llvm::Attribute::NoUnwind);
      llvm::Value* failed = B_.CreateCall(sub, {rec_, res_, ctx_, B_.CreateAdd(base_, index_)});
      B_.CreateCondBr(B_.CreateICmpNE(failed, B_.getInt32(0)), sub_failed, latch_, unlikely_);
      B_.SetInsertPoint(earlier);
    }
    Finish(Result::kNotInForce, 0);
  }

  B_.SetInsertPoint(latch_);
  B_.CreateBr(header);
  B_.SetInsertPoint(exit);
  B_.CreateRet(n);
  return members;
}

// i32 p<k>_decide(record, result, ctx, record index)
llvm::FunctionType* Generator::MemberType(llvm::LLVMContext& c) {
  auto* ptr = llvm::PointerType::get(c, 0);
  return llvm::FunctionType::get(llvm::Type::getInt32Ty(c), {ptr, ptr, ptr, llvm::Type::getInt64Ty(c)},
                                 false);
}

std::string Generator::MemberName(int index) {
  return "p" + std::to_string(index) + "_decide";
}

// p<k>_decide(record, result, ctx, record index): one policy of a timeline deciding one record; 0, or 1
// after storing the record's error status (the caller returns to the host).
void Generator::BuildMember(int index) {
  const ir::TimelineEntry& entry = root_.timeline[static_cast<size_t>(index) - 1];
  fn_ = llvm::Function::Create(MemberType(C_), llvm::Function::ExternalLinkage, MemberName(index), M_);
  fn_->addFnAttr(llvm::Attribute::NoUnwind);
  for (unsigned a : {0u, 1u, 2u}) fn_->addParamAttr(a, llvm::Attribute::NoAlias);
  ctx_ = fn_->getArg(2);
  B_.SetInsertPoint(Block("entry"));
  auto* pair = llvm::ArrayType::get(i128_, 2);
  rat_a_ = B_.CreateAlloca(pair);
  rat_b_ = B_.CreateAlloca(pair);
  rat_out_ = B_.CreateAlloca(pair);
  for (auto* a : {rat_a_, rat_b_, rat_out_}) a->setAlignment(llvm::Align(16));
  key_buf_ = B_.CreateAlloca(llvm::ArrayType::get(i64_, sizeof(QuotaKeyParts) / 8));
  key_buf_->setAlignment(llvm::Align(8));
  memo_.clear();
  for (size_t q = 0; q < entry.program->quotas.size(); ++q) memo_.push_back(B_.CreateAlloca(i64_));
  rec_ = fn_->getArg(0);
  res_ = fn_->getArg(1);
  index_ = fn_->getArg(3);
  base_ = B_.getInt64(0);
  llvm::Value* has_as_of =
      B_.CreateICmpNE(LoadAt(ctx_, offsetof(Context, has_as_of), i32_, 4), B_.getInt32(0));
  llvm::Value* as_of = LoadAt(ctx_, offsetof(Context, as_of), i32_, 4);
  consume_ = LoadAt(ctx_, offsetof(Context, consume), i32_, 4);
  int field = entry.program->date_field >= 0 ? entry.field_map[entry.program->date_field] : -1;
  llvm::Value* d = field >= 0 ? LoadAt(rec_, layout_.fields[field].offset, i32_, 4) : B_.getInt32(0);
  date_ = B_.CreateSelect(has_as_of, as_of, d);
  llvm::BasicBlock* body = Block("body");
  latch_ = Block("decided");
  fail_ = Block("fail");
  B_.CreateBr(body);
  B_.SetInsertPoint(latch_);
  B_.CreateRet(B_.getInt32(0));
  B_.SetInsertPoint(fail_);
  fail_site_ = B_.CreatePHI(i32_, 4);
  StoreAt(res_, offsetof(Result, status), B_.getInt8(Result::kError), 1);
  StoreAt(res_, offsetof(Result, error_site), fail_site_, 4);
  B_.CreateRet(B_.getInt32(1));
  B_.SetInsertPoint(body);
  ProgramBody(index, &entry);
}

void Generator::ProgramBody(int index, const ir::TimelineEntry* entry) {
  p_ = plan_.programs[index].program;
  program_index_ = index;
  const std::vector<int>& order = plan_.programs[index].rule_order;
  dfs_position_.assign(p_->rules.size(), -1);
  for (size_t k = 0; k < order.size(); ++k) dfs_position_[order[k]] = static_cast<int>(k);
  for (llvm::AllocaInst* m : memo_) B_.CreateStore(B_.getInt64(-1), m);

  Fields(entry);
  if (p_->from != INT_MIN || p_->until != INT_MAX) {
    llvm::Value* outside = B_.CreateOr(B_.CreateICmpSLT(date_, B_.getInt32(p_->from)),
                                       B_.CreateICmpSGT(date_, B_.getInt32(p_->until)));
    llvm::BasicBlock* not_in_force = Block("notinforce");
    llvm::BasicBlock* in_force = Block("inforce");
    B_.CreateCondBr(outside, not_in_force, in_force);
    B_.SetInsertPoint(not_in_force);
    Finish(Result::kNotInForce, index);
    B_.SetInsertPoint(in_force);
  }

  // Every applicable root rule, resolved through its exceptions, chosen among as it comes (docs/language.md,
  // "How the final outcome is chosen"): the first root with the highest severity wins; a later root as severe
  // with another outcome is a conflict; every root giving the winning outcome determines it. Keeping only the
  // running choice (not each root's outcome) to the end keeps few values alive across the roots.
  Outcome best{B_.getInt64(OutcomeCode(ir::OutcomeIR{})), B_.getInt32(-1), ZeroMask()};
  llvm::Value* conflict = B_.getFalse();
  // The roots may be taken in any order (the choice above does not depend on it, a conflict or an error is
  // the interpreter's, and quotas are consumed after, in the rules' order): the policy's own rules first,
  // then the layers it imports (Part 746 under the AI rules), which left fewer values live across the rules
  // that test quotas (ai_diffusion_2025: 410.8 -> 395.1 instructions a decision; docs/performance.md, session
  // 18).
  std::vector<int> roots_order = p_->roots;
  std::stable_partition(roots_order.begin(), roots_order.end(),
                        [&](int r) { return p_->rules[r].policy == p_->name; });
  for (int r : roots_order) {
    Naming naming(this, p_->rules[r].id);
    llvm::Value* applies = Applies(r);
    llvm::BasicBlock* before = B_.GetInsertBlock();
    llvm::BasicBlock* then = Block("root");
    llvm::BasicBlock* next = Block("nextroot");
    B_.CreateCondBr(applies, then, next);
    B_.SetInsertPoint(then);
    Outcome x = Resolve(r);
    llvm::Value* higher = B_.CreateICmpSGT(x.severity, best.severity);
    llvm::Value* same = B_.CreateICmpEQ(x.code, best.code);  // the same outcome is as severe
    llvm::Value* as_severe = B_.CreateICmpEQ(x.severity, best.severity);
    Outcome chosen;
    chosen.code = B_.CreateSelect(higher, x.code, best.code);
    chosen.severity = B_.CreateSelect(higher, x.severity, best.severity);
    for (int w = 0; w < kRuleWords; ++w)
      chosen.mask.push_back(B_.CreateSelect(
          higher, x.mask[w], B_.CreateSelect(same, B_.CreateOr(best.mask[w], x.mask[w]), best.mask[w])));
    llvm::Value* now_conflict = B_.CreateSelect(
        higher, B_.getFalse(), B_.CreateOr(conflict, B_.CreateAnd(as_severe, B_.CreateNot(same))));
    llvm::BasicBlock* then_end = B_.GetInsertBlock();
    B_.CreateBr(next);
    B_.SetInsertPoint(next);
    auto* c = B_.CreatePHI(i1_, 2);
    c->addIncoming(now_conflict, then_end);
    c->addIncoming(conflict, before);
    conflict = c;
    best = Join(chosen, then_end, best, before);
  }
  std::vector<llvm::Value*> mask = best.mask;
  FailIf(conflict, -1);
  Consume(mask);
  StoreDecision(Outcome{best.code, best.severity, mask}, index);
}

void Generator::Fields(const ir::TimelineEntry* entry) {
  env_.assign(p_->fields.size(), CV{});
  // Required inputs (no default) are in every record the reader accepts: one test per presence word leaves a
  // record that lacks one to the interpreter, and the code after it treats each as present.
  // Only fields the code reads count: a record without its id, say, is decided here as the interpreter would.
  std::vector<uint8_t> read(p_->fields.size(), 0);
  for (const ir::Expr& e : p_->exprs)
    if (e.op == ir::Op::kField && e.index >= 0) read[e.index] = 1;
  // Input never carries a derived field, but a test may fix one (`with tpp = ...`): such a record is left to
  // the interpreter too, so that compiled code always computes derived fields, whose values it then knows
  // more of (a product of whole numbers has no denominator to test).
  std::vector<uint64_t> required(layout_.presence_words, 0), derived(layout_.presence_words, 0);
  for (size_t j = 0; j < p_->fields.size(); ++j) {
    const ir::Field& f = p_->fields[j];
    int root_field = entry ? entry->field_map[j] : static_cast<int>(j);
    if (root_field < 0 || layout_.fields[root_field].kind == batch::SlotKind::kNone) continue;
    if (read[j] && f.kind == ir::Field::kInput && !f.value)
      required[root_field / 64] |= uint64_t{1} << (root_field % 64);
    if (f.kind == ir::Field::kDerived) derived[root_field / 64] |= uint64_t{1} << (root_field % 64);
  }
  llvm::Value* missing = B_.getFalse();
  for (size_t w = 0; w < required.size(); ++w) {
    if (!required[w] && !derived[w]) continue;
    llvm::Value* word = B_.CreateAnd(LoadAt(rec_, 8 * w, i64_, 8), B_.getInt64(required[w] | derived[w]));
    missing = B_.CreateOr(missing, B_.CreateICmpNE(word, B_.getInt64(required[w])));
  }
  FailIf(missing, -1);
  for (size_t j = 0; j < p_->fields.size(); ++j) {
    int root_field = entry ? entry->field_map[j] : static_cast<int>(j);
    const std::vector<int>* members =
        entry && !entry->member_map[j].empty() ? &entry->member_map[j] : nullptr;
    const ir::Field& f = p_->fields[j];
    // An input no expression reads is never loaded (nor, in a timeline, remapped): it cannot change the
    // decision. A field with a default is, since whether the record gives it decides whether its value is
    // computed (which may fail); a derived one is always computed (above).
    bool unread = !read[j] && f.kind != ir::Field::kDerived && !f.value;
    if (root_field >= 0 && !unread && f.kind != ir::Field::kDerived) {
      bool known = (required[root_field / 64] >> (root_field % 64)) & 1;
      env_[j] = LoadField(root_field, p_->fields[j], members, known);
    } else {
      env_[j].kind = ValueKind::kAbsent;
      env_[j].present = B_.getFalse();
    }
  }
  CheckKeys(false);
  // Defaults where the record does not give them, and every derived field (a record that gives one is the
  // interpreter's, above), in dependency order, as the interpreter's ComputeFields.
  for (int j : p_->field_order) {
    const ir::Field& f = p_->fields[j];
    if (!f.value) continue;
    Naming naming(this, f.name);
    CV given = env_[j];
    ValueKind kind = given.kind != ValueKind::kAbsent ? given.kind : f.value->kind;
    auto compute = [&] { return f.value->op == ir::Op::kField ? env_[f.value->index] : Gen(*f.value); };
    if (given.present == B_.getFalse()) {
      env_[j] = compute();
      continue;
    }
    llvm::BasicBlock* before = B_.GetInsertBlock();
    llvm::BasicBlock* calc = Block("field");
    llvm::BasicBlock* done = Block("fielddone");
    B_.CreateCondBr(given.present, done, calc);
    B_.SetInsertPoint(calc);
    CV computed = compute();
    llvm::BasicBlock* calc_end = B_.GetInsertBlock();
    B_.CreateBr(done);
    B_.SetInsertPoint(done);
    env_[j] = Merge(kind, given, before, computed, calc_end);
  }
  CheckKeys(true);
}

CV Generator::LoadField(int root_field, const ir::Field& f, const std::vector<int>* member_map,
                        bool known_present) {
  const batch::PackedField& pf = layout_.fields[root_field];
  CV v;
  v.kind = ValueKindOf(pf.kind);
  if (v.kind == ValueKind::kAbsent) {
    Unsupported("field '" + f.name + "' cannot be packed");
    return v;
  }
  if (known_present) {
    v.present = B_.getTrue();
  } else {
    llvm::Value* word = LoadAt(rec_, 8 * (root_field / 64), i64_, 8);
    v.present = B_.CreateTrunc(B_.CreateLShr(word, root_field % 64), i1_);
  }
  size_t at = pf.offset;
  switch (pf.kind) {
    case batch::SlotKind::kBool:
      v.b = B_.CreateICmpNE(LoadAt(rec_, at, i8_, 1), B_.getInt8(0));
      break;
    case batch::SlotKind::kEnum:
      v.i = B_.CreateZExt(LoadAt(rec_, at, i16_, 2), i32_);
      if (member_map && IsIdentity(*member_map)) {
        // The same members in the same order (the policy and the timeline import one enum): no table, and a
        // member the policy does not have is still the interpreter's.
        FailIf(B_.CreateAnd(v.present,
                            B_.CreateICmpUGE(v.i, B_.getInt32(static_cast<uint32_t>(member_map->size())))),
               -1);
        v.i = B_.CreateSelect(v.present, v.i, B_.getInt32(0));
      } else if (member_map) {
        // A timeline's member numbering differs from the policy's: remap, and leave a member the policy does
        // not have to the interpreter.
        std::vector<int32_t> map(member_map->begin(), member_map->end());
        auto* init = llvm::ConstantDataArray::get(C_, llvm::ArrayRef<int32_t>(map));
        auto* table = new llvm::GlobalVariable(M_, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                               init, "members");
        llvm::Value* inside = B_.CreateICmpULT(v.i, B_.getInt32(static_cast<uint32_t>(map.size())));
        llvm::Value* idx = B_.CreateZExt(B_.CreateSelect(inside, v.i, B_.getInt32(0)), i64_);
        llvm::Value* mapped =
            B_.CreateLoad(i32_, B_.CreateInBoundsGEP(init->getType(), table, {B_.getInt64(0), idx}));
        mapped = B_.CreateSelect(inside, mapped, B_.getInt32(-1));
        FailIf(B_.CreateAnd(v.present, B_.CreateICmpSLT(mapped, B_.getInt32(0))), -1);
        v.i = B_.CreateSelect(v.present, mapped, B_.getInt32(0));
      }
      break;
    case batch::SlotKind::kDate:
    case batch::SlotKind::kText:
      v.i = LoadAt(rec_, at, i32_, 4);
      break;
    case batch::SlotKind::kInt:
      v.num = B_.CreateSExt(LoadAt(rec_, at, i64_, 8), i128_);
      v.den = I128(1);
      break;
    case batch::SlotKind::kRational:
      v.num = LoadAt(rec_, at, i128_, 16);
      v.den = B_.CreateSelect(v.present, LoadAt(rec_, at + 16, i128_, 16), I128(1));
      break;
    case batch::SlotKind::kNone:
      break;
  }
  return v;
}

// In force on the date and its condition holds (a rule without a condition never applies).
llvm::Value* Generator::Applies(int rule) {
  const ir::Rule& r = p_->rules[rule];
  Naming naming(this, r.id);
  if (!r.when) return B_.getFalse();
  if (r.from == INT_MIN && r.until == INT_MAX) return Bool(Gen(*r.when));
  llvm::Value* in_force = B_.CreateAnd(B_.CreateICmpSGE(date_, B_.getInt32(r.from)),
                                       B_.CreateICmpSLE(date_, B_.getInt32(r.until)));
  llvm::BasicBlock* before = B_.GetInsertBlock();
  llvm::BasicBlock* eval = Block("when");
  llvm::BasicBlock* done = Block("whendone");
  B_.CreateCondBr(in_force, eval, done);
  B_.SetInsertPoint(eval);
  llvm::Value* holds = Bool(Gen(*r.when));
  llvm::BasicBlock* eval_end = B_.GetInsertBlock();
  B_.CreateBr(done);
  B_.SetInsertPoint(done);
  auto* phi = B_.CreatePHI(i1_, 2);
  phi->addIncoming(B_.getFalse(), before);
  phi->addIncoming(holds, eval_end);
  return phi;
}

std::vector<llvm::Value*> Generator::ZeroMask() {
  return std::vector<llvm::Value*>(kRuleWords, B_.getInt64(0));
}

Generator::Outcome Generator::Leaf(int rule) {
  const ir::Rule& r = p_->rules[rule];
  Outcome o;
  llvm::Value* code = B_.getInt64(OutcomeCode(r.outcome));
  if (r.outcome.notify)
    code = B_.CreateOr(code, B_.CreateShl(B_.CreateZExt(Bool(Gen(*r.outcome.notify)), i64_), kNotifyShift));
  o.code = code;
  o.severity = B_.getInt32(p_->Severity(r.outcome));
  o.mask = ZeroMask();
  int pos = dfs_position_[rule];
  o.mask[pos / 64] = B_.getInt64(uint64_t{1} << (pos % 64));
  return o;
}

// Phis in the current block joining `x` (from xb) and `y` (from yb).
Generator::Outcome Generator::Join(const Outcome& x, llvm::BasicBlock* xb, const Outcome& y,
                                   llvm::BasicBlock* yb) {
  auto phi = [&](llvm::Value* a, llvm::Value* b) -> llvm::Value* {
    if (a == b) return a;
    auto* p = B_.CreatePHI(a->getType(), 2);
    p->addIncoming(a, xb);
    p->addIncoming(b, yb);
    return p;
  };
  Outcome o;
  o.code = phi(x.code, y.code);
  o.severity = phi(x.severity, y.severity);
  for (int w = 0; w < kRuleWords; ++w) o.mask.push_back(phi(x.mask[w], y.mask[w]));
  return o;
}

// An applicable rule is replaced by its applicable exceptions, recursively; those must agree. Its outcome's
// rules are the leaves of all of them (interp::DefaultLogic::Resolve).
Generator::Outcome Generator::Resolve(int rule) {
  const ir::Rule& r = p_->rules[rule];
  Naming naming(this, r.id);
  if (r.exceptions.empty()) return Leaf(rule);
  llvm::Value* have = B_.getFalse();
  Outcome acc{B_.getInt64(0), B_.getInt32(0), ZeroMask()};
  for (int e : r.exceptions) {
    llvm::Value* applies = Applies(e);
    llvm::BasicBlock* before = B_.GetInsertBlock();
    llvm::BasicBlock* then = Block("exception");
    llvm::BasicBlock* next = Block("nextexception");
    B_.CreateCondBr(applies, then, next);
    B_.SetInsertPoint(then);
    Outcome x = Resolve(e);
    FailIf(B_.CreateAnd(have, B_.CreateICmpNE(x.code, acc.code)), -1);
    for (int w = 0; w < kRuleWords; ++w) x.mask[w] = B_.CreateOr(x.mask[w], acc.mask[w]);
    llvm::BasicBlock* then_end = B_.GetInsertBlock();
    B_.CreateBr(next);
    B_.SetInsertPoint(next);
    auto* phi = B_.CreatePHI(i1_, 2);
    phi->addIncoming(have, before);
    phi->addIncoming(B_.getTrue(), then_end);
    have = phi;
    acc = Join(acc, before, x, then_end);
  }
  llvm::BasicBlock* before = B_.GetInsertBlock();
  llvm::BasicBlock* leaf = Block("leaf");
  llvm::BasicBlock* done = Block("resolved");
  B_.CreateCondBr(have, done, leaf);
  B_.SetInsertPoint(leaf);
  Outcome own = Leaf(rule);
  llvm::BasicBlock* leaf_end = B_.GetInsertBlock();
  B_.CreateBr(done);
  B_.SetInsertPoint(done);
  return Join(acc, before, own, leaf_end);
}

// Only the determining rules consume their quotas, after the decision, in the order of the rules
// (interp::ConsumeQuotas); gen_quota.cc makes each use.
void Generator::Consume(const std::vector<llvm::Value*>& mask) {
  const std::vector<int>& order = plan_.programs[program_index_].rule_order;
  // Per rule word, the consuming rules from position k on (for whether a later use may follow).
  std::vector<uint64_t> later(kRuleWords, 0);
  for (size_t k = 0; k < order.size(); ++k)
    if (!p_->rules[order[k]].consumes.empty()) later[k / 64] |= uint64_t{1} << (k % 64);
  for (size_t k = 0; k < order.size(); ++k) {
    const ir::Rule& r = p_->rules[order[k]];
    if (r.consumes.empty()) continue;
    Naming naming(this, r.id);
    later[k / 64] &= ~(uint64_t{1} << (k % 64));
    llvm::Value* bit = B_.CreateAnd(B_.CreateLShr(mask[k / 64], k % 64), B_.getInt64(1));
    llvm::BasicBlock* take = Block("consume");
    llvm::BasicBlock* next = Block("consumed");
    B_.CreateCondBr(B_.CreateICmpNE(bit, B_.getInt64(0)), take, next);
    B_.SetInsertPoint(take);
    // Whether a later determining rule consumes too (the rule's own later quotas always follow).
    llvm::Value* after = B_.getFalse();
    for (int w = 0; w < kRuleWords; ++w)
      if (later[w])
        after =
            B_.CreateOr(after, B_.CreateICmpNE(B_.CreateAnd(mask[w], B_.getInt64(later[w])), B_.getInt64(0)));
    for (size_t j = 0; j < r.consumes.size(); ++j)
      if (!UseQuota(r.consumes[j], j + 1 < r.consumes.size() ? B_.getTrue() : after)) return;
    B_.CreateBr(next);
    B_.SetInsertPoint(next);
  }
}

// Each path through a record writes its whole result once.
void Generator::StoreDecision(const Outcome& o, int program) {
  StoreAt(res_, 0, o.code, 8);  // status, kind, notify, symbol, review (OutcomeCode)
  StoreAt(res_, offsetof(Result, program), B_.getInt16(static_cast<uint16_t>(program)), 2);
  StoreAt(res_, offsetof(Result, date), date_, 4);
  StoreAt(res_, offsetof(Result, error_site), B_.getInt32(-1), 4);
  for (int w = 0; w < kRuleWords; ++w) StoreAt(res_, offsetof(Result, rules) + 8 * w, o.mask[w], 8);
  B_.CreateBr(latch_);
}

void Generator::Finish(uint8_t status, int program) {
  Outcome none{B_.getInt64(OutcomeCode(ir::OutcomeIR{})), B_.getInt32(0), ZeroMask()};
  StoreDecision(none, program);  // the defaults: no licence required, no rules
  B_.GetInsertBlock()->getTerminator()->eraseFromParent();
  StoreAt(res_, offsetof(Result, status), B_.getInt8(status), 1);
  B_.CreateBr(latch_);
}

// ---- small helpers ----

llvm::Value* Generator::Bool(const CV& v) {
  return v.b ? v.b : B_.getFalse();
}
llvm::Value* Generator::Int(const CV& v) {
  return v.i ? v.i : B_.getInt32(0);
}
llvm::Value* Generator::Num(const CV& v) {
  return v.num ? v.num : I128(0);
}
llvm::Value* Generator::Den(const CV& v) {
  return v.den ? v.den : I128(1);
}

CV Generator::Number(llvm::Value* num, llvm::Value* den) {
  CV v;
  v.kind = ValueKind::kNumber;
  v.num = num;
  v.den = den;
  return v;
}

CV Generator::BoolValue(llvm::Value* b) {
  CV v;
  v.kind = ValueKind::kBool;
  v.b = b;
  return v;
}

llvm::ConstantInt* Generator::I128(i128 x) {
  auto u = static_cast<unsigned __int128>(x);
  uint64_t words[2] = {static_cast<uint64_t>(u), static_cast<uint64_t>(u >> 64)};
  return llvm::ConstantInt::get(C_, llvm::APInt(128, words));
}

// A block's name says what it belongs to (`when.cuba`, `fits.aid_lpp`): EDICT_JIT_DUMP's output, and the
// per-block profiles of docs/performance.md, read them. Names do not change the machine code.
llvm::BasicBlock* Generator::Block(const char* name) {
  if (naming_.empty()) return llvm::BasicBlock::Create(C_, name, fn_);
  return llvm::BasicBlock::Create(C_, std::string(name) + "." + naming_, fn_);
}

// Leaves the record to the interpreter when `cond` holds, recording `site` (-1: none) in its result.
void Generator::FailIf(llvm::Value* cond, int site) {
  if (cond == B_.getFalse()) return;
  llvm::BasicBlock* ok = Block("ok");
  fail_site_->addIncoming(B_.getInt32(site), B_.GetInsertBlock());
  B_.CreateCondBr(cond, fail_, ok, unlikely_);
  B_.SetInsertPoint(ok);
}

int Generator::Site(const ir::Expr& e, std::string message) {
  plan_.sites.push_back({std::move(message), e.span});
  return static_cast<int>(plan_.sites.size()) - 1;
}

void Generator::Unsupported(const std::string& why) {
  if (!plan_.supported) return;
  plan_.supported = false;
  plan_.unsupported = why;
}

llvm::FunctionCallee Generator::Helper(const char* name, llvm::Type* ret, std::vector<llvm::Type*> params) {
  auto callee = M_.getOrInsertFunction(name, llvm::FunctionType::get(ret, params, false));
  if (auto* f = llvm::dyn_cast<llvm::Function>(callee.getCallee())) f->addFnAttr(llvm::Attribute::NoUnwind);
  return callee;
}

uint32_t Generator::TextId(std::string_view text) {
  if (text.empty()) return 0;
  auto it = text_ids_.find(text);
  if (it != text_ids_.end()) return it->second;
  plan_.texts.emplace_back(text);
  uint32_t id = static_cast<uint32_t>(plan_.texts.size());
  text_ids_.emplace(std::string(text), id);
  return id;
}

llvm::Value* Generator::LoadAt(llvm::Value* base, size_t offset, llvm::Type* ty, size_t align) {
  return B_.CreateAlignedLoad(ty, B_.CreateConstInBoundsGEP1_64(i8_, base, offset), llvm::Align(align));
}

void Generator::StoreAt(llvm::Value* base, size_t offset, llvm::Value* v, size_t align) {
  B_.CreateAlignedStore(v, B_.CreateConstInBoundsGEP1_64(i8_, base, offset), llvm::Align(align));
}

std::vector<GeneratedPart> GenerateModules(const ir::Program& program, const batch::PackedLayout& layout,
                                           const llvm::DataLayout& data_layout, Plan* plan) {
  std::vector<GeneratedPart> parts;
  auto add = [&](const std::string& name) -> llvm::Module& {
    GeneratedPart part;
    part.name = name;
    part.context = std::make_unique<llvm::LLVMContext>();
    part.module = std::make_unique<llvm::Module>("edict." + program.name + "." + name, *part.context);
    part.module->setDataLayout(data_layout);
    parts.push_back(std::move(part));
    return *parts.back().module;
  };
  TextIds text_ids;
  std::vector<int> members;
  {
    Generator gen(add("edict_decide"), *plan, layout, program, text_ids);
    gen.PlanPrograms(program);
    members = gen.BuildDecide();
  }
  for (int index : members) {
    Generator gen(add("p" + std::to_string(index)), *plan, layout, program, text_ids);
    gen.BuildMember(index);
  }
  return parts;
}

}  // namespace edict::jit
