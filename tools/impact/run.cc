#include "tools/impact/run.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "runtime/date.h"
#include "runtime/io/csv.h"
#include "runtime/io/reader.h"
#include "runtime/parallel/pool.h"

namespace edict::impact {

namespace {

// Where the grouping fields are, in the old policy's schema and packed layout.
struct KeyFields {
  explicit KeyFields(const ir::Program& p) {
    auto enum_field = [&](const char* name) {
      int f = p.FieldIndex(name);
      return f >= 0 && p.fields[f].type && p.fields[f].type->kind == TypeKind::kEnum ? f : -1;
    };
    country = enum_field("destination");
    item = enum_field("item");
    date = p.date_field;
  }
  int country = -1, item = -1, date = -1;
};

RowKeys KeysOf(const KeyFields& k, const batch::PackedLayout& layout, const uint8_t* rec) {
  RowKeys keys;
  auto member = [&](int field) {
    if (field < 0 || !batch::Present(rec, field)) return -1;
    uint16_t m;
    std::memcpy(&m, rec + layout.fields[field].offset, sizeof m);
    return static_cast<int>(m);
  };
  keys.country = member(k.country);
  keys.item = member(k.item);
  if (k.date >= 0 && batch::Present(rec, k.date) && layout.fields[k.date].kind == batch::SlotKind::kDate) {
    int32_t days;
    std::memcpy(&days, rec + layout.fields[k.date].offset, sizeof days);
    keys.date = days;
  } else {
    return keys;
  }
  int y;
  unsigned m, d;
  CivilFromDays(keys.date, &y, &m, &d);
  keys.month = y * 12 + static_cast<int>(m) - 1;
  return keys;
}

RowKeys KeysOf(const KeyFields& k, const interp::Record& rec) {
  RowKeys keys;
  auto member = [&](int field) {
    return field >= 0 && rec.values[field].kind == ValueKind::kEnum ? rec.values[field].i : -1;
  };
  keys.country = member(k.country);
  keys.item = member(k.item);
  if (k.date >= 0 && rec.values[k.date].kind == ValueKind::kDate) {
    keys.date = rec.values[k.date].i;
    int y;
    unsigned m, d;
    CivilFromDays(keys.date, &y, &m, &d);
    keys.month = y * 12 + static_cast<int>(m) - 1;
  }
  return keys;
}

// The pieces of a --rows line, appended in place (millions of moved rows: no temporaries).
void AppendCell(std::string& out, std::string_view s, bool json) {
  if (json)
    out += io::JsonEscape(s);
  else if (s.find_first_of(",\"\n\r") == std::string_view::npos)
    out += s;
  else
    out += io::CsvCell(s);
}

void AppendRules(std::string& out, const interp::DecisionView* d, bool json) {
  size_t n = d ? d->rules.size() : 0;
  if (json) {
    out.push_back('[');
    for (size_t i = 0; i < n; ++i) {
      if (i) out.push_back(',');
      AppendCell(out, d->program->rules[d->rules[i]].id, true);
    }
    out.push_back(']');
    return;
  }
  std::string cell;  // rule ids are identifiers: no quoting needed, but kept safe
  for (size_t i = 0; i < n; ++i) {
    if (i) cell.push_back(' ');
    cell += d->program->rules[d->rules[i]].id;
  }
  AppendCell(out, cell, false);
}

// One moved row of --rows.
struct MovedRow {
  int line = 0;
  std::string_view id;
  RowKeys keys;
  const std::string* from = nullptr;
  const std::string* to = nullptr;
  const interp::DecisionView* before = nullptr;  // null: the row was invalid on that side
  const interp::DecisionView* after = nullptr;
};

void AppendRow(std::string& out, const ImpactRun& run, const KeyFields& k, const MovedRow& row,
               io::KeepWriter* keep, std::string_view text) {
  const ir::Program& p = *run.old_program;
  static const std::string kNone;
  auto member = [&](int field, int m) -> const std::string& {
    return field >= 0 && m >= 0 ? p.enums[p.fields[field].enum_index].members[m] : kNone;
  };
  const std::string& destination = member(k.country, row.keys.country);
  const std::string& item = member(k.item, row.keys.item);
  std::string date = row.keys.month >= 0 ? FormatDate(row.keys.date) : "";
  bool json = run.rows_format == io::Format::kJsonl;
  size_t start = out.size();
  // A value, or null (JSON) / an empty cell (CSV) when there is none.
  auto value = [&](std::string_view s) {
    if (json && s.empty())
      out += "null";
    else
      AppendCell(out, s, json);
  };
  if (json) {
    out += "{\"line\":";
    out += std::to_string(row.line);
    out += ",\"id\":";
    AppendCell(out, row.id, true);
    out += ",\"destination\":";
    value(destination);
    out += ",\"item\":";
    value(item);
    out += ",\"date\":";
    value(date);
    out += ",\"from\":";
    AppendCell(out, *row.from, true);
    out += ",\"to\":";
    AppendCell(out, *row.to, true);
    out += ",\"from_rules\":";
    AppendRules(out, row.before, true);
    out += ",\"to_rules\":";
    AppendRules(out, row.after, true);
    out.push_back('}');
  } else {
    out += std::to_string(row.line);
    for (std::string_view cell :
         {row.id, std::string_view(destination), std::string_view(item), std::string_view(date),
          std::string_view(*row.from), std::string_view(*row.to)}) {
      out.push_back(',');
      value(cell);
    }
    out.push_back(',');
    AppendRules(out, row.before, false);
    out.push_back(',');
    AppendRules(out, row.after, false);
  }
  if (keep) {
    keep->Read(text);
    std::string line = out.substr(start);
    out.resize(start);
    json ? keep->AppendJson(line) : keep->AppendCsv(line);
    out += line;
  }
  out.push_back('\n');
}

struct Entry {
  int line = 0;
  std::string_view text;
  long packed_old = -1, packed_new = -1;
  std::string id, error_old, error_new;
};

struct Worker {
  Worker(const ImpactRun& run, const cli::ShipmentInput& input, bool strict)
      : old_parser(*run.old_program),
        new_parser(*run.new_program),
        old_batch(run.old_jit->NewBatch()),
        new_batch(run.new_jit->NewBatch()),
        tally(*run.old_program) {
    std::string error;  // checked by the caller
    input.SetHeader(old_parser, strict, &error);
    input.SetHeader(new_parser, strict, &error);
    if (run.rows && run.keep && run.keep->active())
      keep = std::make_unique<io::KeepWriter>(*run.keep, run.rows_format == io::Format::kJsonl);
    // The report compares outcomes and rules, never quota figures: no key is turned into text.
    old_decisions.set_quota_figures(false);
    new_decisions.set_quota_figures(false);
  }
  io::RecordParser old_parser, new_parser;
  std::unique_ptr<batch::Batch> old_batch, new_batch;
  jit::BatchDecisions old_decisions, new_decisions;
  std::vector<Entry> entries;
  io::CsvCells cells;
  std::unique_ptr<io::KeepWriter> keep;
  std::vector<int> old_rules, new_rules;
  std::vector<uint32_t> text_map;  // CopyRecord's: old batch text index -> new batch text index
  std::string rows;
  Tally tally;
};

// Appends the record `i` of `from` to `to` (same slots), storing its texts in `to`'s table. `map` remembers
// where each text of `from` went (UINT32_MAX: not yet), so that a text many records share (a consignee) is
// stored, and looked up, once per chunk.
void CopyRecord(const batch::Batch& from, size_t i, batch::Batch* to, const std::vector<int>& text_fields,
                std::vector<uint32_t>& map) {
  const batch::PackedLayout& layout = to->layout();
  uint8_t* rec = to->Add(from.lines()[i]);
  const uint8_t* src = from.record(i);
  std::memcpy(rec, src, layout.size);
  for (int f : text_fields) {
    if (!batch::Present(src, f)) continue;
    const batch::PackedField& slot = layout.fields[f];
    uint32_t index;
    std::memcpy(&index, src + slot.offset, sizeof index);
    if (!slot.interned) {  // a text of its own (an id): stored again
      uint32_t stored = to->texts().Append(from.texts().Get(index));
      std::memcpy(rec + slot.offset, &stored, sizeof stored);
      continue;
    }
    if (index >= map.size()) map.resize(std::max<size_t>(index + 1, map.size() * 2), UINT32_MAX);
    uint32_t& there = map[index];
    if (there == UINT32_MAX) there = to->texts().Intern(from.texts().Get(index));
    std::memcpy(rec + slot.offset, &there, sizeof there);
  }
}

// How the new policy gets its records: parsed again (another schema), copied from the old policy's batch (the
// same records, other text constants), or the old policy's batch itself (the same records and text
// constants).
enum class Sharing { kParse, kCopy, kShare };

void Parse(const ImpactRun& run, bool csv, Sharing sharing, const std::vector<int>& text_fields,
           const io::InputRecord* begin, const io::InputRecord* end, Worker& w) {
  bool same = sharing != Sharing::kParse;
  run.old_jit->Reset(w.old_batch.get());
  run.new_jit->Reset(w.new_batch.get());
  w.entries.clear();
  w.text_map.assign(w.text_map.size(), UINT32_MAX);
  for (const io::InputRecord* r = begin; r != end; ++r) {
    Entry e;
    e.line = r->line;
    e.text = r->text;
    std::string new_id;
    if (csv && !w.cells.Split(r->text, &e.error_old)) {
      e.error_new = e.error_old;
    } else if (csv) {
      if (w.old_parser.ParseCsv(w.cells.cells(), w.old_batch.get(), r->line, &e.error_old, &e.id))
        e.packed_old = static_cast<long>(w.old_batch->size()) - 1;
      if (!same && w.new_parser.ParseCsv(w.cells.cells(), w.new_batch.get(), r->line, &e.error_new, &new_id))
        e.packed_new = static_cast<long>(w.new_batch->size()) - 1;
    } else {
      if (w.old_parser.ParseJson(r->text, w.old_batch.get(), r->line, &e.error_old, &e.id))
        e.packed_old = static_cast<long>(w.old_batch->size()) - 1;
      if (!same && w.new_parser.ParseJson(r->text, w.new_batch.get(), r->line, &e.error_new, &new_id))
        e.packed_new = static_cast<long>(w.new_batch->size()) - 1;
    }
    if (same) {
      e.error_new = e.error_old;
      if (e.packed_old >= 0 && sharing == Sharing::kShare) {
        e.packed_new = e.packed_old;
      } else if (e.packed_old >= 0) {
        CopyRecord(*w.old_batch, static_cast<size_t>(e.packed_old), w.new_batch.get(), text_fields,
                   w.text_map);
        e.packed_new = e.packed_old;
      }
    }
    if (e.id.empty()) e.id = std::move(new_id);
    w.entries.push_back(std::move(e));
  }
}

void Compare(const ImpactRun& run, const KeyFields& k, Worker& w) {
  w.rows.clear();
  for (const Entry& e : w.entries) {
    interp::DecisionView before, after;
    SideDecision a, b;
    RowKeys keys;
    if (e.packed_old >= 0) {
      before = w.old_decisions.View(static_cast<size_t>(e.packed_old), &w.old_rules);
      a = {true, &before};
      keys = KeysOf(k, w.old_batch->layout(), w.old_batch->record(static_cast<size_t>(e.packed_old)));
    } else {
      w.tally.AddInvalid(true, e.line, e.error_old);
    }
    if (e.packed_new >= 0) {
      after = w.new_decisions.View(static_cast<size_t>(e.packed_new), &w.new_rules);
      b = {true, &after};
    } else {
      w.tally.AddInvalid(false, e.line, e.error_new);
    }
    int la, lb;
    if (w.tally.Add(a, b, keys, &la, &lb) && run.rows)
      AppendRow(w.rows, run, k, {e.line, e.id, keys, &w.tally.Label(la), &w.tally.Label(lb), a.view, b.view},
                w.keep.get(), e.text);
  }
}

bool RunJit(const ImpactRun& run, cli::ShipmentInput& input, bool strict, Tally* tally, std::string* error) {
  size_t n =
      run.workers > 0 ? static_cast<size_t>(run.workers) : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t t = 0; t < n; ++t) workers.push_back(std::make_unique<Worker>(run, input, strict));
  Sharing sharing = Sharing::kParse;
  if (SameRecords(*run.old_program, run.old_jit->layout(), *run.new_program, run.new_jit->layout())) {
    // The new policy's code can read the old policy's batch when the text constants sit at the same indices
    // and the same fields are interned (texts are compared by index).
    sharing = run.old_jit->plan().texts == run.new_jit->plan().texts ? Sharing::kShare : Sharing::kCopy;
    const auto &a = run.old_jit->layout().fields, &b = run.new_jit->layout().fields;
    for (size_t f = 0; f < a.size(); ++f)
      if (a[f].interned != b[f].interned) sharing = Sharing::kCopy;
  }
  std::vector<int> text_fields;
  for (size_t f = 0; f < run.new_jit->layout().fields.size(); ++f)
    if (run.new_jit->layout().fields[f].kind == batch::SlotKind::kText)
      text_fields.push_back(static_cast<int>(f));
  auto new_batch = [&](const Worker& w) -> const batch::Batch& {
    return sharing == Sharing::kShare ? *w.old_batch : *w.new_batch;
  };
  bool stateless = run.old_jit->stateless() && run.new_jit->stateless();
  KeyFields keys(*run.old_program);
  MemoryLedger old_ledger, new_ledger;
  std::vector<io::InputRecord> records;
  long seen = 0;
  while (input.Next(&records)) {
    size_t used = std::min(n, records.size() / 1024 + 1);
    size_t share = (records.size() + used - 1) / used;
    ParallelFor(used, [&](size_t t) {
      Worker& w = *workers[t];
      size_t b = std::min(records.size(), t * share), e = std::min(records.size(), (t + 1) * share);
      Parse(run, input.csv(), sharing, text_fields, records.data() + b, records.data() + e, w);
      if (stateless) {
        run.old_jit->DecideBatch(*w.old_batch, old_ledger, run.options, &w.old_decisions, 1);
        run.new_jit->DecideBatch(new_batch(w), new_ledger, run.options, &w.new_decisions, 1);
      }
    });
    if (!stateless) {
      // Each policy sees its shipments in input order; the two policies are independent of each other. A
      // side's workers share one quota bookkeeping, so its totals hold from one worker's batch to the next.
      for (size_t t = 1; t < used; ++t) {
        workers[t]->old_decisions.ShareQuotaState(workers[0]->old_decisions);
        workers[t]->new_decisions.ShareQuotaState(workers[0]->new_decisions);
      }
      std::thread old_side([&] {
        for (size_t t = 0; t < used; ++t)
          run.old_jit->DecideBatch(*workers[t]->old_batch, old_ledger, run.options,
                                   &workers[t]->old_decisions, 1);
      });
      for (size_t t = 0; t < used; ++t)
        run.new_jit->DecideBatch(new_batch(*workers[t]), new_ledger, run.options, &workers[t]->new_decisions,
                                 1);
      old_side.join();
    }
    ParallelFor(used, [&](size_t t) { Compare(run, keys, *workers[t]); });
    for (size_t t = 0; t < used && run.rows; ++t) {
      const std::string& o = workers[t]->rows;
      if (std::fwrite(o.data(), 1, o.size(), run.rows) != o.size()) {
        *error = "cannot write the rows";
        return false;
      }
    }
    seen += static_cast<long>(records.size());
    if (run.progress) run.progress->Rows(seen, input.bytes_read(), input.size());
  }
  if (run.progress) run.progress->Done();
  if (input.Failed(error)) return false;
  for (auto& w : workers) tally->Merge(w->tally);
  return true;
}

bool RunInterpreter(const ImpactRun& run, cli::ShipmentInput& input, bool strict, Tally* tally,
                    std::string* error) {
  io::RecordParser old_parser(*run.old_program), new_parser(*run.new_program);
  input.SetHeader(old_parser, strict, error);
  input.SetHeader(new_parser, strict, error);
  error->clear();
  std::unique_ptr<io::KeepWriter> keep;
  if (run.rows && run.keep && run.keep->active())
    keep = std::make_unique<io::KeepWriter>(*run.keep, run.rows_format == io::Format::kJsonl);
  KeyFields keys(*run.old_program);
  MemoryLedger old_ledger, new_ledger;
  io::CsvCells cells;
  interp::Record old_rec, new_rec;
  std::vector<io::InputRecord> records;
  std::string rows;
  long seen = 0;
  while (input.Next(&records)) {
    rows.clear();
    for (const io::InputRecord& r : records) {
      std::string id, new_id, old_error, new_error;
      bool ok_old = false, ok_new = false;
      if (input.csv() && !cells.Split(r.text, &old_error)) {
        new_error = old_error;
      } else if (input.csv()) {
        ok_old = old_parser.ParseCsv(cells.cells(), &old_rec, &old_error, &id);
        ok_new = new_parser.ParseCsv(cells.cells(), &new_rec, &new_error, &new_id);
      } else {
        ok_old = old_parser.ParseJson(r.text, &old_rec, &old_error, &id);
        ok_new = new_parser.ParseJson(r.text, &new_rec, &new_error, &new_id);
      }
      if (id.empty()) id = new_id;
      old_rec.line = new_rec.line = r.line;
      interp::Decision da, db;
      interp::DecisionView before, after;
      SideDecision a, b;
      RowKeys k;
      if (ok_old) {
        k = KeysOf(keys, old_rec);
        da = interp::Decide(*run.old_program, old_rec, old_ledger, run.options);
        before = interp::DecisionView::Of(da);
        a = {true, &before};
      } else {
        tally->AddInvalid(true, r.line, old_error);
      }
      if (ok_new) {
        db = interp::Decide(*run.new_program, new_rec, new_ledger, run.options);
        after = interp::DecisionView::Of(db);
        b = {true, &after};
      } else {
        tally->AddInvalid(false, r.line, new_error);
      }
      int la, lb;
      if (tally->Add(a, b, k, &la, &lb) && run.rows)
        AppendRow(rows, run, keys, {r.line, id, k, &tally->Label(la), &tally->Label(lb), a.view, b.view},
                  keep.get(), r.text);
    }
    if (run.rows && std::fwrite(rows.data(), 1, rows.size(), run.rows) != rows.size()) {
      *error = "cannot write the rows";
      return false;
    }
    seen += static_cast<long>(records.size());
    if (run.progress) run.progress->Rows(seen, input.bytes_read(), input.size());
  }
  if (run.progress) run.progress->Done();
  return !input.Failed(error);
}

}  // namespace

std::string RowsCsvHeader() {
  return "line,id,destination,item,date,from,to,from_rules,to_rules";
}

bool SameRecords(const ir::Program& a, const batch::PackedLayout& la, const ir::Program& b,
                 const batch::PackedLayout& lb) {
  if (a.fields.size() != b.fields.size() || la.size != lb.size || la.presence_words != lb.presence_words ||
      a.id_field != b.id_field)
    return false;
  for (size_t i = 0; i < a.fields.size(); ++i) {
    const ir::Field &fa = a.fields[i], &fb = b.fields[i];
    if (fa.name != fb.name || fa.kind != fb.kind || fa.count != fb.count ||
        (fa.value == nullptr) != (fb.value == nullptr))
      return false;
    if (!fa.type || !fb.type || fa.type->kind != fb.type->kind || fa.type->integer != fb.type->integer ||
        !(fa.type->dims == fb.type->dims))
      return false;
    if (la.fields[i].kind != lb.fields[i].kind || la.fields[i].offset != lb.fields[i].offset) return false;
    if (fa.type->kind == TypeKind::kEnum) {
      const ir::Enum &ea = a.enums[fa.enum_index], &eb = b.enums[fb.enum_index];
      if (ea.members != eb.members || ea.is_table != eb.is_table || ea.name != eb.name) return false;
    }
  }
  return true;
}

bool Run(const ImpactRun& run, cli::ShipmentInput& input, bool strict, Tally* tally, std::string* error) {
  if (run.old_jit && run.new_jit) return RunJit(run, input, strict, tally, error);
  return RunInterpreter(run, input, strict, tally, error);
}

}  // namespace edict::impact
