// Quotas in compiled code: `fits q`, and the uses the determining rules make. A quota keyed by one text or
// enum, with a whole limit, has a path of its own in the generated code: the key's id finds its slot in the
// direct table kept for the batch's text table (QuotaFast, abi.h), and a whole running total is read,
// compared and updated in place. Everything else calls the helpers (quotas.h): a key not met yet, a year the
// key's entries do not hold, a fraction, an overflow, a record whose figures are kept. QuotaState does the
// same work in full there and keeps the tables the fast path reads current.
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include "runtime/jit/generator.h"
#include "runtime/jit/quotas.h"

namespace edict::jit {

bool Generator::FastQuota(const ir::Quota& q) const {
  return q.keys.size() == 1 && (q.keys[0]->kind == ValueKind::kText || q.keys[0]->kind == ValueKind::kEnum) &&
         q.limit.den == 1;
}

// Records ahead of the one being decided, the entries `fits` will read for them are fetched into the cache:
// for a fast quota keyed by a required text input (a consignee's name), the key's direct
// entry kAheadEntry records ahead, and the running total it names (and the slot's count of additions)
// kAheadTotal records ahead, when that entry is already in the cache. Without it, a batch over many keys
// waits on two dependent cache misses per quota and record: the records and results streaming through evict
// the tables. A prefetch never faults and changes nothing, so any address will do where an entry is stale.
constexpr int64_t kAheadEntry = 8, kAheadTotal = 4;

void Generator::PrefetchQuotas(llvm::Value* records, llvm::Value* n) {
  if (!plan_.supported || root_.quotas.empty()) return;
  std::vector<std::pair<int, const batch::PackedField*>> keyed;  // (plan quota, the key's packed field)
  const std::vector<uint8_t> live = LiveQuotas(root_);
  for (size_t qi = 0; qi < root_.quotas.size(); ++qi) {
    const ir::Quota& q = root_.quotas[qi];
    if (!live[qi] || !FastQuota(q) || q.keys[0]->op != ir::Op::kField) continue;
    const ir::Field& f = root_.fields[q.keys[0]->index];
    if (f.kind != ir::Field::kInput || f.value) continue;
    const batch::PackedField& pf = layout_.fields[q.keys[0]->index];
    // Texts only: an enum's table (a destination's, 250 members) stays in the cache without help, and
    // fetching it ahead cost more than it saved (measured: docs/performance.md, session 18).
    if (pf.kind != batch::SlotKind::kText) continue;
    keyed.emplace_back(plan_.programs[0].quota_ids[qi], &pf);
  }
  if (keyed.empty()) return;
  llvm::Function* prefetch = llvm::Intrinsic::getDeclaration(&M_, llvm::Intrinsic::prefetch, {ptr_});
  auto fetch = [&](llvm::Value* at) {  // for writing, kept in every cache level
    B_.CreateCall(prefetch, {at, B_.getInt32(1), B_.getInt32(3), B_.getInt32(1)});
  };
  llvm::Value* last = B_.CreateSub(n, B_.getInt64(1));
  auto key_id = [&](const batch::PackedField& pf, int64_t ahead) {
    llvm::Value* j = B_.CreateAdd(index_, B_.getInt64(ahead));
    j = B_.CreateSelect(B_.CreateICmpSLT(j, n), j, last);
    llvm::Value* rec = B_.CreateInBoundsGEP(i8_, records, B_.CreateMul(j, B_.getInt64(layout_.size)));
    return B_.CreateZExt(LoadAt(rec, pf.offset, i32_, 4), i64_);
  };
  llvm::Value* fast = LoadAt(ctx_, offsetof(Context, fast), ptr_, 8);
  for (const auto& [qid, pf] : keyed) {
    Direct direct = DirectTable(fast, qid);
    // Addresses from ids and slots not checked: GEPs without `inbounds` (a prefetch of any address is fine).
    fetch(DirectEntry(direct, key_id(*pf, kAheadEntry), false));
    // The total: only where the entry is in the table (its memo then names a slot, or is 0 for none yet).
    llvm::Value* id = key_id(*pf, kAheadTotal);
    llvm::BasicBlock* read = Block("prefetchtotal");
    llvm::BasicBlock* done = Block("prefetched");
    B_.CreateCondBr(B_.CreateICmpULT(id, direct.size), read, done);
    B_.SetInsertPoint(read);
    llvm::Value* memo = LoadAt(DirectEntry(direct, id, true), offsetof(QuotaRecent, memo), i64_, 8);
    llvm::Value* slot = B_.CreateSub(B_.CreateLShr(memo, 32), B_.getInt64(1));
    fetch(PerSlot(fast, offsetof(QuotaFast, totals), sizeof(Rational), slot, false));
    fetch(PerSlot(fast, offsetof(QuotaFast, added), sizeof(uint32_t), slot, false));
    B_.CreateBr(done);
    B_.SetInsertPoint(done);
  }
}

// The quota's key values, in order (the interpreter's QuotaKey); false when the generator cannot pass them.
bool Generator::QuotaKeys(const ir::Quota& q, std::vector<CV>* keys) {
  if (q.keys.size() > static_cast<size_t>(kMaxQuotaKeys)) {
    Unsupported("a quota with more than " + std::to_string(kMaxQuotaKeys) + " keys");
    return false;
  }
  for (const ir::Expr* key : q.keys) {
    if (key->kind != ValueKind::kBool && key->kind != ValueKind::kNumber && key->kind != ValueKind::kText &&
        key->kind != ValueKind::kDate && key->kind != ValueKind::kEnum) {
      Unsupported("a quota key that is not a bool, number, text, date or enum");
      return false;
    }
    keys->push_back(Gen(*key));
  }
  return true;
}

// Fills key_buf_ with the key values and period (QuotaKeyParts), for the helpers.
void Generator::QuotaKeyBuffer(const ir::Quota& q, const std::vector<CV>& keys) {
  for (size_t k = 0; k < keys.size(); ++k) {
    const CV& v = keys[k];
    int64_t tag = kKeyAbsent;
    llvm::Value* payload = B_.getInt64(0);
    switch (q.keys[k]->kind) {
      case ValueKind::kBool:
        tag = kKeyBool;
        payload = B_.CreateZExt(Bool(v), i64_);
        break;
      case ValueKind::kNumber:
        tag = kKeyInt;
        FailIf(B_.CreateNot(B_.CreateAnd(B_.CreateICmpEQ(Den(v), I128(1)), FitsI64(Num(v)))), -1);
        payload = B_.CreateTrunc(Num(v), i64_);
        break;
      case ValueKind::kText:
        tag = kKeyText;
        payload = B_.CreateZExt(Int(v), i64_);
        break;
      case ValueKind::kDate:
        tag = kKeyDate;
        payload = B_.CreateSExt(Int(v), i64_);
        break;
      default:  // kEnum (QuotaKeys let no other kind through)
        tag = kKeyEnum;
        payload = B_.CreateSExt(Int(v), i64_);
        break;
    }
    llvm::Value* t = B_.getInt64(tag);
    if (v.present) {
      t = B_.CreateSelect(v.present, t, B_.getInt64(kKeyAbsent));
      payload = B_.CreateSelect(v.present, payload, B_.getInt64(0));
    }
    StoreAt(key_buf_, 16 * k, t, 8);
    StoreAt(key_buf_, 16 * k + 8, payload, 8);
  }
  for (size_t k = keys.size(); k < static_cast<size_t>(kMaxQuotaKeys); ++k) {
    StoreAt(key_buf_, 16 * k, B_.getInt64(0), 8);
    StoreAt(key_buf_, 16 * k + 8, B_.getInt64(0), 8);
  }
  // The host turns the date into the year (QuotaState::Period), remembering the last one.
  llvm::Value* period = q.calendar_year ? B_.CreateSExt(date_, i64_) : B_.getInt64(0);
  StoreAt(key_buf_, offsetof(QuotaKeyParts, period), period, 8);
}

// Whether the date lies inside the quota's window (always, for a quota without one).
llvm::Value* Generator::InWindow(const ir::Quota& q) {
  if (!q.window) return B_.getTrue();
  return B_.CreateAnd(B_.CreateICmpSGE(date_, B_.getInt32(q.window_from)),
                      B_.CreateICmpSLE(date_, B_.getInt32(q.window_to)));
}

// Continues at a new block when `cond` holds, else goes to `slow`.
void Generator::OrSlow(llvm::Value* cond, llvm::BasicBlock* slow) {
  llvm::BasicBlock* next = Block("quotafast");
  B_.CreateCondBr(cond, next, slow, llvm::MDBuilder(C_).createBranchWeights(1 << 10, 1));
  B_.SetInsertPoint(next);
}

// a + b of two whole numbers, continuing where the sum is a Rational (edict::Add: the range is symmetric,
// so -2^127 is out), else going to `slow`, whose helper reports the overflow as the interpreter does.
llvm::Value* Generator::WholeSum(llvm::Value* a, llvm::Value* b, llvm::BasicBlock* slow) {
  llvm::Value* sum = B_.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_with_overflow, a, b);
  llvm::Value* r = B_.CreateExtractValue(sum, 0);
  OrSlow(B_.CreateAnd(B_.CreateNot(B_.CreateExtractValue(sum, 1)), B_.CreateICmpSGE(r, I128(-kRationalMax))),
         slow);
  return r;
}

// Quota `qid`'s direct table in fast's tables: its entries and how many key ids it holds.
Generator::Direct Generator::DirectTable(llvm::Value* fast, int qid) {
  llvm::Value* direct = B_.CreateConstInBoundsGEP1_64(i8_, LoadAt(fast, offsetof(QuotaFast, direct), ptr_, 8),
                                                      static_cast<uint64_t>(qid) * sizeof(QuotaDirect));
  return Direct{LoadAt(direct, offsetof(QuotaDirect, data), ptr_, 8),
                LoadAt(direct, offsetof(QuotaDirect, size), i64_, 8)};
}

// The first of key `id`'s entries; `checked`: id is below the table's size.
llvm::Value* Generator::DirectEntry(const Direct& d, llvm::Value* id, bool checked) {
  llvm::Value* offset = B_.CreateMul(id, B_.getInt64(kPeriodsPerKey * sizeof(QuotaRecent)));
  return checked ? B_.CreateInBoundsGEP(i8_, d.data, offset) : B_.CreateGEP(i8_, d.data, offset);
}

// The address of `slot`'s element in the per-slot array at `array` in QuotaFast (totals, added);
// `checked`: the slot is one of the array's.
llvm::Value* Generator::PerSlot(llvm::Value* fast, size_t array, size_t size, llvm::Value* slot,
                                bool checked) {
  llvm::Value* base = LoadAt(fast, array, ptr_, 8);
  llvm::Value* offset = B_.CreateMul(slot, B_.getInt64(size));
  return checked ? B_.CreateInBoundsGEP(i8_, base, offset) : B_.CreateGEP(i8_, base, offset);
}

// The running total of `slot` (i64) in fast's table: its address, numerator and denominator.
Generator::Total Generator::LoadTotal(llvm::Value* fast, llvm::Value* slot) {
  Total t;
  t.at = PerSlot(fast, offsetof(QuotaFast, totals), sizeof(Rational), slot, true);
  t.num = LoadAt(t.at, offsetof(Rational, num), i128_, 16);
  t.den = LoadAt(t.at, offsetof(Rational, den), i128_, 16);
  return t;
}

// `fits q` for a fast quota: the memo value Fits (below) keeps, (slot + 1) << 32 | (tuple + 1) << 1 | fits.
llvm::Value* Generator::FitsFast(const ir::Quota& q, int qid, const std::vector<CV>& keys, const CV& amount) {
  llvm::BasicBlock* slow = Block("fitsslow");
  llvm::BasicBlock* join = Block("fitsjoin");
  const CV& key = keys[0];
  llvm::Value* fast = LoadAt(ctx_, offsetof(Context, fast), ptr_, 8);
  if (key.present) OrSlow(key.present, slow);
  llvm::Value* id =
      q.keys[0]->kind == ValueKind::kText ? B_.CreateZExt(Int(key), i64_) : B_.CreateSExt(Int(key), i64_);
  Direct direct = DirectTable(fast, qid);
  OrSlow(B_.CreateICmpULT(id, direct.size), slow);
  llvm::Value* recent = DirectEntry(direct, id, true);
  llvm::Value* epoch = LoadAt(fast, offsetof(QuotaFast, epoch), i32_, 4);
  // Whether `entry` was found in this batch (and, for a quota per calendar year, for the shipment's year).
  auto holds = [&](llvm::Value* entry) {
    llvm::Value* current = B_.CreateICmpEQ(LoadAt(entry, offsetof(QuotaRecent, epoch), i32_, 4), epoch);
    if (!q.calendar_year) return current;
    return B_.CreateAnd(
        current, B_.CreateAnd(B_.CreateICmpSGE(date_, LoadAt(entry, offsetof(QuotaRecent, first), i32_, 4)),
                              B_.CreateICmpSLE(date_, LoadAt(entry, offsetof(QuotaRecent, last), i32_, 4))));
  };
  if (q.calendar_year) {  // the key's first entry, else (rarely: another year) its second
    llvm::BasicBlock* other = Block("fitsotheryear");
    llvm::BasicBlock* found = Block("fitsfound");
    llvm::BasicBlock* from = B_.GetInsertBlock();
    B_.CreateCondBr(holds(recent), found, other, llvm::MDBuilder(C_).createBranchWeights(1 << 6, 1));
    B_.SetInsertPoint(other);
    llvm::Value* second = B_.CreateConstInBoundsGEP1_64(i8_, recent, sizeof(QuotaRecent));
    OrSlow(holds(second), slow);
    llvm::BasicBlock* other_end = B_.GetInsertBlock();
    B_.CreateBr(found);
    B_.SetInsertPoint(found);
    llvm::PHINode* entry = B_.CreatePHI(ptr_, 2);
    entry->addIncoming(recent, from);
    entry->addIncoming(second, other_end);
    recent = entry;
  } else {
    OrSlow(holds(recent), slow);
  }
  llvm::Value* memo = LoadAt(recent, offsetof(QuotaRecent, memo), i64_, 8);
  llvm::Value* slot = B_.CreateSub(B_.CreateLShr(memo, 32), B_.getInt64(1));
  Total t = LoadTotal(fast, slot);
  OrSlow(B_.CreateAnd(B_.CreateICmpEQ(t.den, I128(1)), B_.CreateICmpEQ(Den(amount), I128(1))), slow);
  llvm::Value* sum = WholeSum(t.num, Num(amount), slow);
  llvm::Value* fits = B_.CreateICmpSLE(sum, I128(q.limit.num));
  llvm::Value* packed = B_.CreateOr(memo, B_.CreateZExt(fits, i64_));
  llvm::BasicBlock* fast_end = B_.GetInsertBlock();
  B_.CreateBr(join);
  B_.SetInsertPoint(slow);
  llvm::Value* called = FitsCall(q, qid, keys, amount);
  llvm::BasicBlock* slow_end = B_.GetInsertBlock();
  B_.CreateBr(join);
  B_.SetInsertPoint(join);
  auto* phi = B_.CreatePHI(i64_, 2);
  phi->addIncoming(packed, fast_end);
  phi->addIncoming(called, slow_end);
  return phi;
}

llvm::Value* Generator::FitsCall(const ir::Quota& q, int qid, const std::vector<CV>& keys, const CV& amount) {
  QuotaKeyBuffer(q, keys);
  auto* r = B_.CreateCall(Helper("edict_q_fits", i64_, {ptr_, i32_, ptr_, ptr_}),
                          {ctx_, B_.getInt32(qid), key_buf_, RationalArg(rat_a_, amount)});
  FailIf(B_.CreateICmpSLT(r, B_.getInt64(0)),
         Site(*q.measure, "overflow adding this shipment to quota " + q.id));
  return r;
}

// `fits q`: fixed while one shipment is decided (consumption comes after), so it is remembered per record
// (memo_): -1 not yet; 0 outside the quota's window; else (slot + 1) << 32 | (tuple + 1) << 1 | fits, the
// key's tuple and slot for the record's use of the quota to reuse.
// Outside the quota's window nothing fits, and the keys are not evaluated (as QuotaKey in the interpreter).
CV Generator::Fits(const ir::Expr& e) {
  const ir::Quota& q = p_->quotas[e.index];
  int qid = plan_.programs[program_index_].quota_ids[e.index];
  llvm::AllocaInst* memo = memo_[e.index];
  llvm::Value* known = B_.CreateLoad(i64_, memo);
  llvm::BasicBlock* from = B_.GetInsertBlock();
  llvm::BasicBlock* compute = Block("fits");
  llvm::BasicBlock* done = Block("fitsdone");
  B_.CreateCondBr(B_.CreateICmpSGE(known, B_.getInt64(0)), done, compute);
  B_.SetInsertPoint(compute);
  llvm::BasicBlock* outside = Block("fitsoutside");
  llvm::BasicBlock* inside = Block("fitsinside");
  llvm::BasicBlock* stored = Block("fitsstored");
  B_.CreateCondBr(InWindow(q), inside, outside);
  B_.SetInsertPoint(inside);
  std::vector<CV> keys;
  llvm::Value* r = B_.getInt64(0);
  if (QuotaKeys(q, &keys)) {
    CV amount = Gen(*q.measure);
    r = FastQuota(q) ? FitsFast(q, qid, keys, amount) : FitsCall(q, qid, keys, amount);
  }
  llvm::BasicBlock* inside_end = B_.GetInsertBlock();
  B_.CreateBr(stored);
  B_.SetInsertPoint(outside);
  B_.CreateBr(stored);
  B_.SetInsertPoint(stored);
  auto* value = B_.CreatePHI(i64_, 2);
  value->addIncoming(r, inside_end);
  value->addIncoming(B_.getInt64(0), outside);
  B_.CreateStore(value, memo);
  B_.CreateBr(done);
  B_.SetInsertPoint(done);
  auto* phi = B_.CreatePHI(i64_, 2);
  phi->addIncoming(known, from);
  phi->addIncoming(value, stored);
  return BoolValue(B_.CreateICmpNE(B_.CreateAnd(phi, B_.getInt64(1)), B_.getInt64(0)));
}

// One use of quota `qi` of p_ by the record, logged by the host's QuotaState, or for a fast quota whose
// `fits` found the slot for this record, made here: the total updated, and, where `more` (another use may
// follow for this record), the use noted for Rollback (QuotaUndo). False when the generator cannot pass the
// key.
bool Generator::UseQuota(int qi, llvm::Value* more) {
  const ir::Quota& q = p_->quotas[qi];
  int qid = plan_.programs[program_index_].quota_ids[qi];
  std::vector<CV> keys;
  if (!QuotaKeys(q, &keys)) return false;
  llvm::Value* in_window = InWindow(q);
  CV amount = Gen(*q.measure);
  llvm::Value* memo = B_.CreateLoad(i64_, memo_[qi]);
  llvm::Value* record = B_.CreateAdd(base_, index_);
  llvm::BasicBlock* slow = Block("useslow");
  llvm::BasicBlock* done = Block("used");
  if (FastQuota(q)) {
    // The use is made here when compiled code may record it (no figures kept, a consuming run), `fits` found
    // the slot for this record (memo > 0), the amounts are whole, and the record's undo log and (for the
    // slot's first addition in this batch) the list of slots Flush adds have room.
    llvm::Value* fast = LoadAt(ctx_, offsetof(Context, fast), ptr_, 8);
    OrSlow(
        B_.CreateAnd(B_.CreateAnd(B_.CreateICmpNE(consume_, B_.getInt32(0)),
                                  B_.CreateICmpNE(LoadAt(fast, offsetof(QuotaFast, consume_inline), i32_, 4),
                                                  B_.getInt32(0))),
                     B_.CreateICmpSGT(memo, B_.getInt64(0))),
        slow);
    llvm::Value* slot = B_.CreateSub(B_.CreateAShr(memo, 32), B_.getInt64(1));
    Total t = LoadTotal(fast, slot);
    llvm::Value* added_at = PerSlot(fast, offsetof(QuotaFast, added), sizeof(uint32_t), slot, true);
    llvm::Value* added = B_.CreateAlignedLoad(i32_, added_at, llvm::Align(4));
    OrSlow(B_.CreateAnd(B_.CreateICmpEQ(t.den, I128(1)), B_.CreateICmpEQ(Den(amount), I128(1))), slow);
    llvm::Value* sum = WholeSum(t.num, Num(amount), slow);
    llvm::Value* first = B_.CreateICmpEQ(added, B_.getInt32(0));
    llvm::Value* listed = LoadAt(fast, offsetof(QuotaFast, touched_count), i64_, 8);
    OrSlow(B_.CreateOr(B_.CreateNot(first),
                       B_.CreateICmpULT(listed, LoadAt(fast, offsetof(QuotaFast, touched_cap), i64_, 8))),
           slow);
    // The use is noted for Rollback only where another use may follow for this record: only a later use can
    // fail after this one has been made (nothing after the uses does).
    auto* known = llvm::dyn_cast<llvm::ConstantInt>(more);
    if (!known || !known->isZero()) {
      llvm::BasicBlock* noted = nullptr;
      if (!known) {
        llvm::BasicBlock* note = Block("usenote");
        noted = Block("usenoted");
        B_.CreateCondBr(more, note, noted);
        B_.SetInsertPoint(note);
      }
      // The undo log holds this record's uses; an earlier record's entries are dropped
      // (QuotaState::Undoable).
      llvm::Value* undo = LoadAt(fast, offsetof(QuotaFast, undo), ptr_, 8);
      llvm::Value* n = LoadAt(fast, offsetof(QuotaFast, undo_count), i64_, 8);
      llvm::Value* any = B_.CreateICmpNE(n, B_.getInt64(0));
      llvm::Value* last = B_.CreateSelect(any, B_.CreateSub(n, B_.getInt64(1)), B_.getInt64(0));
      llvm::Value* last_record =
          LoadAt(B_.CreateInBoundsGEP(i8_, undo, B_.CreateMul(last, B_.getInt64(sizeof(QuotaUndo)))),
                 offsetof(QuotaUndo, record), i64_, 8);
      n = B_.CreateSelect(B_.CreateAnd(any, B_.CreateICmpNE(last_record, record)), B_.getInt64(0), n);
      OrSlow(B_.CreateICmpULT(n, LoadAt(fast, offsetof(QuotaFast, undo_cap), i64_, 8)), slow);
      llvm::Value* entry = B_.CreateInBoundsGEP(i8_, undo, B_.CreateMul(n, B_.getInt64(sizeof(QuotaUndo))));
      StoreAt(entry, offsetof(QuotaUndo, record), record, 8);
      StoreAt(entry, offsetof(QuotaUndo, slot), slot, 8);
      StoreAt(entry, offsetof(QuotaUndo, before) + offsetof(Rational, num), t.num, 16);
      StoreAt(entry, offsetof(QuotaUndo, before) + offsetof(Rational, den), I128(1), 16);
      StoreAt(fast, offsetof(QuotaFast, undo_count), B_.CreateAdd(n, B_.getInt64(1)), 8);
      if (noted) {
        B_.CreateBr(noted);
        B_.SetInsertPoint(noted);
      }
    }
    StoreAt(t.at, offsetof(Rational, num), sum, 16);
    B_.CreateAlignedStore(B_.CreateAdd(added, B_.getInt32(1)), added_at, llvm::Align(4));
    llvm::BasicBlock* list = Block("uselist");
    B_.CreateCondBr(first, list, done);
    B_.SetInsertPoint(list);
    StoreAt(B_.CreateInBoundsGEP(i8_, LoadAt(fast, offsetof(QuotaFast, touched), ptr_, 8),
                                 B_.CreateMul(listed, B_.getInt64(sizeof(int32_t)))),
            0, B_.CreateTrunc(slot, i32_), 4);
    StoreAt(fast, offsetof(QuotaFast, touched_count), B_.CreateAdd(listed, B_.getInt64(1)), 8);
    B_.CreateBr(done);
  } else {
    B_.CreateBr(slow);
  }
  B_.SetInsertPoint(slow);
  QuotaKeyBuffer(q, keys);
  // The tuple `fits` found for this record and quota, if it ran: the host need not look the key up again.
  llvm::Value* tuple = B_.CreateTrunc(
      B_.CreateSelect(
          B_.CreateICmpSLT(memo, B_.getInt64(0)), B_.getInt64(-1),
          B_.CreateSub(B_.CreateAnd(B_.CreateAShr(memo, 1), B_.getInt64(0x7fffffff)), B_.getInt64(1))),
      i32_);
  auto* call =
      B_.CreateCall(Helper("edict_q_consume", i32_, {ptr_, i64_, i32_, ptr_, i32_, i32_, ptr_, i32_}),
                    {ctx_, record, B_.getInt32(qid), key_buf_, tuple, B_.CreateZExt(in_window, i32_),
                     RationalArg(rat_a_, amount), consume_});
  FailIf(B_.CreateICmpSLT(call, B_.getInt32(0)), Site(*q.measure, "overflow in quota " + q.id));
  B_.CreateBr(done);
  B_.SetInsertPoint(done);
  return true;
}

}  // namespace edict::jit
