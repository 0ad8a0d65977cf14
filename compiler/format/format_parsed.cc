// Formatting guarded by the parser: a file that does not parse is reported, never laid out.
#include "compiler/format/format.h"
#include "compiler/frontend/parse.h"

namespace edict::format {

FormatResult FormatParsed(const SourceFile& file, DiagnosticList& diags) {
  DiagnosticList parse_diags;
  frontend::ParseModule(file, parse_diags);
  diags.Append(parse_diags);
  if (parse_diags.HasErrors()) {
    FormatResult r;
    r.error = "not formatted: the file has syntax errors";
    return r;
  }
  return FormatSource(file.text);
}

}  // namespace edict::format
