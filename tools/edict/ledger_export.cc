#include "tools/edict/ledger_export.h"

#include <ctime>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "runtime/io/csv.h"
#include "runtime/io/writer.h"
#include "runtime/ledger/amount.h"
#include "tools/edict/shipment_input.h"

namespace edict::cli {

namespace {

std::string Hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// An amount as JSON: a number when whole, else its exact text.
std::string JsonAmount(const Rational& r) {
  return r.IsInteger() ? r.ToString() : io::JsonEscape(r.ToString());
}

std::string JsonText(const std::string& s) {
  return s.empty() ? "null" : io::JsonEscape(s);
}

constexpr const char* kCsvColumns =
    "position,entry,id,content,recorded_at,run,command,policy_id,policy_version,policy_hash,edict_version,"
    "input_name,input_format,csv_header,decision,input,quota,key,ledger_key,period,amount,before,limit,unit,"
    "voided_by,reason";

std::string RunJson(const ledger::RunRecord& r) {
  return ",\"run\":" + std::to_string(r.run) + ",\"command\":" + JsonText(r.command) +
         ",\"policy_id\":" + JsonText(r.policy_id) + ",\"policy_version\":" + JsonText(r.policy_version) +
         ",\"policy_hash\":" + JsonText(r.policy_hash) + ",\"edict_version\":" + JsonText(r.edict_version) +
         ",\"input_name\":" + JsonText(r.input_name) + ",\"input_format\":" + JsonText(r.input_format) +
         ",\"csv_header\":" + JsonText(r.csv_header);
}

std::string RunCsv(const ledger::RunRecord& r) {
  return std::to_string(r.run) + "," + io::CsvCell(r.command) + "," + io::CsvCell(r.policy_id) + "," +
         io::CsvCell(r.policy_version) + "," + io::CsvCell(r.policy_hash) + "," +
         io::CsvCell(r.edict_version) + "," + io::CsvCell(r.input_name) + "," + io::CsvCell(r.input_format) +
         "," + io::CsvCell(r.csv_header);
}

std::string ShipmentJson(const ledger::RecordedShipment& s) {
  std::string out = "{\"position\":" + std::to_string(s.position) +
                    ",\"entry\":\"shipment\",\"id\":" + io::JsonEscape(s.id) + ",\"content\":\"" +
                    Hex(s.content) + "\",\"recorded_at\":\"" + IsoTime(s.at) + "\"" + RunJson(s.run) +
                    ",\"input\":" + io::JsonEscape(s.input) + ",\"decision\":{" + s.decision + "},\"uses\":[";
  for (size_t i = 0; i < s.uses.size(); ++i) {
    const ledger::RecordedUse& u = s.uses[i];
    out += (i ? ",{" : "{") + std::string("\"quota\":") + io::JsonEscape(u.quota) +
           ",\"key\":" + io::JsonEscape(u.label) + ",\"ledger_key\":" + io::JsonEscape(u.ledger_key) +
           ",\"period\":" + io::JsonEscape(u.period) + ",\"amount\":" + JsonAmount(u.amount) +
           ",\"before\":" + JsonAmount(u.before) + ",\"limit\":" + (u.limit ? JsonAmount(*u.limit) : "null") +
           ",\"unit\":" + io::JsonEscape(u.unit) + "}";
  }
  out += "],\"voided_by\":" + (s.voided_by ? std::to_string(s.voided_by) : std::string("null")) + "}\n";
  return out;
}

std::string ShipmentCsv(const ledger::RecordedShipment& s) {
  std::string head = std::to_string(s.position) + ",shipment," + io::CsvCell(s.id) + "," + Hex(s.content) +
                     "," + IsoTime(s.at) + "," + RunCsv(s.run) + "," + io::CsvCell(s.decision) + "," +
                     io::CsvCell(s.input) + ",";
  std::string tail = "," + (s.voided_by ? std::to_string(s.voided_by) : std::string()) + ",\n";
  if (s.uses.empty()) return head + ",,,,,,," + tail;
  std::string out;
  for (const ledger::RecordedUse& u : s.uses)
    out += head + io::CsvCell(u.quota) + "," + io::CsvCell(u.label) + "," + io::CsvCell(u.ledger_key) + "," +
           io::CsvCell(u.period) + "," + u.amount.ToString() + "," + u.before.ToString() + "," +
           (u.limit ? u.limit->ToString() : "") + "," + io::CsvCell(u.unit) + tail;
  return out;
}

std::string VoidJson(const ledger::VoidRecord& v) {
  return "{\"position\":" + std::to_string(v.position) +
         ",\"entry\":\"void\",\"id\":" + io::JsonEscape(v.id) + ",\"voids\":" + std::to_string(v.voided) +
         ",\"recorded_at\":\"" + IsoTime(v.at) + "\"" + RunJson(v.run) +
         ",\"reason\":" + io::JsonEscape(v.reason) + "}\n";
}

std::string VoidCsv(const ledger::VoidRecord& v) {
  return std::to_string(v.position) + ",void," + io::CsvCell(v.id) + ",," + IsoTime(v.at) + "," +
         RunCsv(v.run) + ",,,,,,,,,,," + std::to_string(v.voided) + "," + io::CsvCell(v.reason) + "\n";
}

}  // namespace

std::string IsoTime(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool ExportLedger(ledger::Store& store, bool csv, FILE* out, std::string* error) {
  bool write_ok = true;
  auto write = [&](const std::string& s) {
    write_ok = write_ok && std::fwrite(s.data(), 1, s.size(), out) == s.size();
    return write_ok;
  };
  if (csv) write(std::string(kCsvColumns) + "\n");
  return store.ForEachEntry(
      [&](const ledger::RecordedShipment* s, const ledger::VoidRecord* v) {
        if (s) return write(csv ? ShipmentCsv(*s) : ShipmentJson(*s));
        return write(csv ? VoidCsv(*v) : VoidJson(*v));
      },
      error);
}

// ---- import ----

namespace {

// One entry of an export, as read back.
struct Entry {
  int line = 0;
  int64_t position = 0;
  bool is_void = false;
  std::string id, decision, input, reason;
  uint64_t content = 0;
  ledger::RunInfo run;
  struct Use {
    std::string quota, label, ledger_key, unit;
    Rational amount;
    std::optional<Rational> limit;
  };
  std::vector<Use> uses;
};

bool ParseHex(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 16 || s.find_first_not_of("0123456789abcdef") != std::string::npos)
    return false;
  *out = std::stoull(s, nullptr, 16);
  return true;
}

// Objects keep their members' order: a decision's members are recorded as eval wrote them.
using Json = nlohmann::ordered_json;

std::optional<Rational> AmountFromJson(const Json& j) {
  if (j.is_number_integer()) return Rational::Int(j.get<int64_t>());
  if (j.is_string()) return ledger::ParseAmount(j.get<std::string>());
  return std::nullopt;
}

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool FromJson(std::string_view text, int line, Entry* e, std::string* error) {
  auto j = Json::parse(text, nullptr, false);
  auto fail = [&](const std::string& why) {
    *error = "line " + std::to_string(line) + ": " + why;
    return false;
  };
  if (!j.is_object()) return fail("not a JSON object of a ledger export");
  e->line = line;
  std::string entry = Str(j, "entry");
  if (entry != "shipment" && entry != "void") return fail("\"entry\" is neither \"shipment\" nor \"void\"");
  e->is_void = entry == "void";
  e->id = Str(j, "id");
  if (e->id.empty()) return fail("no \"id\"");
  e->run.command = Str(j, "command");
  e->run.policy_id = Str(j, "policy_id");
  e->run.policy_version = Str(j, "policy_version");
  e->run.policy_hash = Str(j, "policy_hash");
  e->run.edict_version = Str(j, "edict_version");
  e->run.input_name = Str(j, "input_name");
  e->run.input_format = Str(j, "input_format");
  e->run.csv_header = Str(j, "csv_header");
  if (e->is_void) {
    e->reason = Str(j, "reason");
    return true;
  }
  if (!ParseHex(Str(j, "content"), &e->content)) return fail("\"content\" is not 16 hex digits");
  e->input = Str(j, "input");
  auto d = j.find("decision");
  if (d == j.end() || !d->is_object() || d->empty()) return fail("no \"decision\" object");
  std::string members = d->dump();
  e->decision = members.substr(1, members.size() - 2);
  auto uses = j.find("uses");
  if (uses == j.end() || !uses->is_array()) return fail("no \"uses\" array");
  for (const auto& u : *uses) {
    Entry::Use use;
    use.quota = Str(u, "quota");
    use.label = Str(u, "key");
    use.ledger_key = Str(u, "ledger_key");
    use.unit = Str(u, "unit");
    auto amount = u.contains("amount") ? AmountFromJson(u["amount"]) : std::nullopt;
    if (use.ledger_key.empty() || !amount) return fail("a use without \"ledger_key\" or \"amount\"");
    use.amount = *amount;
    if (u.contains("limit") && !u["limit"].is_null()) use.limit = AmountFromJson(u["limit"]);
    e->uses.push_back(std::move(use));
  }
  return true;
}

}  // namespace

bool ImportLedger(ledger::Store& store, const std::string& path, const std::string& input_format,
                  size_t batch, ImportCounts* counts, std::string* error) {
  ShipmentInput input;
  if (!input.Open(path, input_format, error)) return false;
  std::map<std::string, int> column;  // CSV: by name
  for (size_t c = 0; c < input.header().size(); ++c) column[input.header()[c]] = static_cast<int>(c);
  if (input.csv())
    for (const char* need :
         {"position", "entry", "id", "content", "decision", "input", "ledger_key", "amount"})
      if (!column.count(need)) {
        *error = path + ": not a ledger export (no column '" + need + "')";
        return false;
      }
  io::CsvCells cells;
  std::vector<Entry> pending;
  // Records the pending shipments in one transaction, as given.
  auto flush = [&]() -> bool {
    if (pending.empty()) return true;
    if (!store.Begin(true, error)) return false;
    auto fail = [&] {
      store.Rollback();
      return false;
    };
    std::vector<std::string_view> ids;
    for (const Entry& e : pending) ids.push_back(e.id);
    std::vector<ledger::RecordedShipment> found;
    if (!store.Find(ids, &found, error)) return fail();
    std::unordered_map<std::string_view, const ledger::RecordedShipment*> recorded;
    for (const auto& r : found) recorded[r.id] = &r;
    ledger::ChunkRecords chunk;
    std::unordered_map<std::string, uint64_t> in_chunk;
    std::string run_key;
    for (const Entry& e : pending) {
      auto it = recorded.find(e.id);
      auto seen = in_chunk.find(e.id);
      if (it != recorded.end() || seen != in_chunk.end()) {
        uint64_t content = it != recorded.end() ? it->second->content : seen->second;
        if (content == e.content) {
          ++counts->already;
        } else {
          ++counts->conflicts;
          std::fprintf(stderr,
                       "edict ledger import: %s:%d: shipment id '%s' is recorded with other content\n",
                       path.c_str(), e.line, e.id.c_str());
        }
        continue;
      }
      in_chunk[e.id] = e.content;
      // One run per provenance: the entries keep the policy and edict that decided them.
      std::string key = e.run.policy_hash + "\n" + e.run.edict_version + "\n" + e.run.input_name;
      if (key != run_key) {
        if (!chunk.entries.empty()) {
          if (store.Record(chunk, error) != ledger::Store::RecordResult::kOk) return fail();
          chunk.Clear();
        }
        ledger::RunInfo run = e.run;
        run.command = "import";
        if (run.edict_version.empty()) run.edict_version = EDICT_VERSION;
        store.SetRun(run);
        run_key = key;
      }
      ledger::EntryRecord r;
      r.id = e.id;
      r.input = e.input;
      r.content = e.content;
      if (!store.InternOutcome(e.decision, &r.outcome, error)) return fail();
      r.first_use = static_cast<uint32_t>(chunk.uses.size());
      for (const Entry::Use& u : e.uses) {
        ledger::UseRecord use;
        use.ledger_key = u.ledger_key;
        use.quota = u.quota;
        use.label = u.label;
        use.unit = u.unit;
        use.limit = u.limit.value_or(Rational{});
        use.amount = u.amount;
        use.before = store.Consumed(u.ledger_key);
        if (!store.Add(u.ledger_key, u.amount)) {
          *error = "overflow adding the uses of '" + e.id + "'";
          return fail();
        }
        chunk.uses.push_back(use);
      }
      r.uses = static_cast<uint32_t>(e.uses.size());
      chunk.entries.push_back(r);
      ++counts->shipments;
    }
    if (!chunk.entries.empty() && store.Record(chunk, error) != ledger::Store::RecordResult::kOk)
      return fail();
    pending.clear();
    return store.Commit(error);
  };
  auto void_entry = [&](const Entry& e) -> bool {
    if (!flush()) return false;
    ledger::RunInfo run = e.run;
    run.command = "import";
    if (run.edict_version.empty()) run.edict_version = EDICT_VERSION;
    ledger::VoidRecord v;
    if (!store.Void(e.id, e.reason, run, &v, error)) return false;
    ++counts->voids;
    return true;
  };
  std::vector<io::InputRecord> records;
  Entry csv_entry;  // CSV: the rows of one position make one entry
  bool have_csv_entry = false;
  auto cell = [&](const char* name) -> std::string {
    auto it = column.find(name);
    return it == column.end() || static_cast<size_t>(it->second) >= cells.cells().size()
               ? std::string()
               : std::string(cells.cells()[it->second]);
  };
  auto take = [&](Entry&& e) -> bool {
    if (e.is_void) return void_entry(e);
    pending.push_back(std::move(e));
    return pending.size() < batch || flush();
  };
  while (input.Next(&records)) {
    for (const io::InputRecord& rec : records) {
      if (!input.csv()) {
        if (rec.text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        Entry e;
        if (!FromJson(rec.text, rec.line, &e, error)) {
          *error = path + ":" + error->substr(5);
          return false;
        }
        if (!take(std::move(e))) return false;
        continue;
      }
      if (!cells.Split(rec.text, error)) {
        *error = path + ":" + std::to_string(rec.line) + ": " + *error;
        return false;
      }
      int64_t position = std::atoll(cell("position").c_str());
      if (have_csv_entry && position != csv_entry.position) {
        if (!take(std::move(csv_entry))) return false;
        have_csv_entry = false;
      }
      if (!have_csv_entry) {
        csv_entry = Entry();
        csv_entry.line = rec.line;
        csv_entry.position = position;
        csv_entry.is_void = cell("entry") == "void";
        csv_entry.id = cell("id");
        csv_entry.reason = cell("reason");
        csv_entry.decision = cell("decision");
        csv_entry.input = cell("input");
        csv_entry.run.policy_id = cell("policy_id");
        csv_entry.run.policy_version = cell("policy_version");
        csv_entry.run.policy_hash = cell("policy_hash");
        csv_entry.run.edict_version = cell("edict_version");
        csv_entry.run.input_name = cell("input_name");
        csv_entry.run.input_format = cell("input_format");
        csv_entry.run.csv_header = cell("csv_header");
        if (!csv_entry.is_void &&
            (!ParseHex(cell("content"), &csv_entry.content) || csv_entry.decision.empty())) {
          *error = path + ":" + std::to_string(rec.line) + ": not a row of a ledger export";
          return false;
        }
        have_csv_entry = true;
      }
      if (!csv_entry.is_void && !cell("ledger_key").empty()) {
        Entry::Use u;
        u.quota = cell("quota");
        u.label = cell("key");
        u.ledger_key = cell("ledger_key");
        u.unit = cell("unit");
        auto amount = ledger::ParseAmount(cell("amount"));
        if (!amount) {
          *error = path + ":" + std::to_string(rec.line) + ": amount '" + cell("amount") + "' is no number";
          return false;
        }
        u.amount = *amount;
        if (!cell("limit").empty()) u.limit = ledger::ParseAmount(cell("limit"));
        csv_entry.uses.push_back(std::move(u));
      }
    }
  }
  if (input.Failed(error)) return false;
  if (have_csv_entry && !take(std::move(csv_entry))) return false;
  return flush();
}

}  // namespace edict::cli
