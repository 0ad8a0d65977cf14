#include "runtime/io/record_json.h"

#include "runtime/date.h"
#include "runtime/io/writer.h"

namespace edict::io {

std::string RecordJson(const ir::Program& program, const interp::Record& record, std::string_view id) {
  std::string out = "{";
  if (program.id_field >= 0) out += JsonEscape(program.fields[program.id_field].name) + ":" + JsonEscape(id);
  for (size_t i = 0; i < program.fields.size() && i < record.values.size(); ++i) {
    const ir::Field& f = program.fields[i];
    const Value& v = record.values[i];
    if (static_cast<int>(i) == program.id_field || f.kind == ir::Field::kDerived || v.absent()) continue;
    std::string value;
    switch (v.kind) {
      case ValueKind::kBool:
        value = v.b ? "true" : "false";
        break;
      case ValueKind::kNumber:
        // Input numbers are read from decimal text, so they are finite decimals; a fraction would not read
        // back, and is written as text to make that an error rather than another number.
        value = v.num.ToString();
        if (value.find('/') != std::string::npos) value = JsonEscape(value);
        break;
      case ValueKind::kText:
        value = JsonEscape(v.text);
        break;
      case ValueKind::kDate:
        value = "\"" + FormatDate(v.i) + "\"";
        break;
      case ValueKind::kEnum:
        if (f.enum_index >= 0 && v.i >= 0 &&
            static_cast<size_t>(v.i) < program.enums[f.enum_index].members.size())
          value = JsonEscape(program.enums[f.enum_index].members[v.i]);
        else
          continue;
        break;
      default:
        continue;  // sets are never input
    }
    out += (out.size() > 1 ? "," : "") + JsonEscape(f.name) + ":" + value;
  }
  return out + "}";
}

}  // namespace edict::io
