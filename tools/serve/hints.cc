#include "tools/serve/hints.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "tools/serve/request.h"

namespace edict::serve {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The name quoted after `prefix` in `message` ("field 'quantity' ..." -> quantity), or "".
std::string QuotedAfter(const std::string& message, const std::string& prefix) {
  size_t at = message.find(prefix);
  if (at == std::string::npos) return "";
  size_t begin = at + prefix.size(), end = message.find('\'', begin);
  return end == std::string::npos ? "" : message.substr(begin, end - begin);
}

std::string Quoted(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + ("`" + names[i] + "`");
  return out;
}

// A hint for a text that is no member of `en`: a member spelt in another case, a name its description gives
// (Germany -> DE), members containing the text (h100 -> nvidia-h100-sxm), or the closest by spelling.
std::string EnumHint(const ir::Enum& en, const std::string& given) {
  std::string lower = Lower(given);
  auto with_description = [&](size_t m) {
    std::string out = "`" + en.members[m] + "`";
    if (m < en.descriptions.size() && !en.descriptions[m].empty()) out += " (" + en.descriptions[m] + ")";
    return out;
  };
  for (size_t m = 0; m < en.members.size(); ++m)
    if (Lower(en.members[m]) == lower) return "did you mean " + with_description(m) + "?";
  for (size_t m = 0; m < en.descriptions.size(); ++m)
    if (!lower.empty() && Lower(en.descriptions[m]) == lower)
      return "did you mean " + with_description(m) + "?";
  std::vector<std::string> near;
  if (lower.size() >= 3) {
    for (size_t m = 0; m < en.members.size() && near.size() < 4; ++m)
      if (Lower(en.members[m]).find(lower) != std::string::npos) near.push_back(en.members[m]);
    for (size_t m = 0; m < en.descriptions.size() && near.size() < 4; ++m)
      if (Lower(en.descriptions[m]).find(lower) != std::string::npos &&
          std::find(near.begin(), near.end(), en.members[m]) == near.end())
        near.push_back(en.members[m]);
  }
  if (!near.empty()) {
    if (near.size() == 1)
      return "did you mean " +
             with_description(static_cast<size_t>(std::find(en.members.begin(), en.members.end(), near[0]) -
                                                  en.members.begin())) +
             "?";
    return "did you mean one of " + Quoted(near) + "?";
  }
  if (given.size() >= 4) {
    std::string close = DidYouMean(given, en.members);
    if (!close.empty()) return close;
  }
  if (en.members.size() <= 12) return "one of " + Quoted(en.members);
  return "a " + en.name + " such as `" + en.members.front() + "` (" + std::to_string(en.members.size()) +
         " in all)";
}

std::string TypeHint(const ir::Program& p, const ir::Field& f) {
  if (f.enum_index >= 0) return EnumHint(p.enums[f.enum_index], "");
  switch (f.type ? f.type->kind : TypeKind::kError) {
    case TypeKind::kDate:
      return "a date as a string, \"YYYY-MM-DD\"";
    case TypeKind::kBool:
      return "true or false";
    case TypeKind::kNumber:
      return f.count ? "a whole number of at least 1, as a JSON number" : "a JSON number";
    case TypeKind::kText:
      return "a string";
    default:
      return "";
  }
}

}  // namespace

ShipmentProblem Diagnose(const ir::Program& program, std::string_view text, const std::string& message) {
  ShipmentProblem out{message, "", ""};
  // In document order, as the reader met the members.
  nlohmann::ordered_json shipment = nlohmann::ordered_json::parse(text.begin(), text.end(), nullptr, false);
  if (message.rfind("unknown field '", 0) == 0 && shipment.is_object()) {
    std::vector<std::string> inputs;
    for (const ir::Field& f : program.fields)
      if (f.kind != ir::Field::kDerived) inputs.push_back(f.name);
    for (const auto& [key, value] : shipment.items()) {
      if (program.FieldIndex(key) >= 0) continue;
      out.field = key.size() > 64 ? key.substr(0, 64) + "..." : key;
      out.hint = DidYouMean(key, inputs);
      if (out.hint.empty()) out.hint = "the fields are " + Quoted(inputs);
      return out;
    }
    return out;
  }
  std::string name = QuotedAfter(message, "missing required field '");
  bool missing = !name.empty();
  if (!missing) name = QuotedAfter(message, "field '");
  int index = name.empty() ? -1 : program.FieldIndex(name);
  if (index < 0) return out;
  const ir::Field& f = program.fields[index];
  out.field = f.name;
  if (f.kind == ir::Field::kDerived) {
    out.hint = "leave it out: the policy computes it";
    return out;
  }
  if (!missing && f.enum_index >= 0 && shipment.is_object()) {
    auto it = shipment.find(f.name);
    if (it != shipment.end() && it->is_string()) {
      out.hint = EnumHint(program.enums[f.enum_index], it->get<std::string>());
      return out;
    }
  }
  out.hint = TypeHint(program, f);
  return out;
}

}  // namespace edict::serve
