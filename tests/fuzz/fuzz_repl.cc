// REPL input: each fuzz input is a script of lines for a fresh session, handled as the scripted REPL does
// (lines gathered until an input is complete). A first line `#! NAME.edict ...` loads those of the shipped
// policies (policies/NAME.edict, at most two), as the transcripts' first lines do; other arguments are
// ignored. Commands that reach outside the session are left out: :load and :reload read files (the fuzzer
// would otherwise read whatever the machine has), and :ledger opens a SQLite file, creating it (a long run
// left "$TMP8quotas.db" in its working directory), or connects to a PostgreSQL URL.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>

#include "tests/fuzz/fuzz_common.h"
#include "tools/repl/input.h"
#include "tools/repl/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edict;
  if (size > 16 * 1024) return -1;
  repl::SessionOptions options;
  options.stdlib_dir = fuzz::kStdlib;
  options.parse_cache = fuzz::StdlibCache();
  repl::Session session(options);
  std::string_view text = fuzz::AsText(data, size);
  size_t start = 0;
  if (text.rfind("#! ", 0) == 0) {
    size_t nl = std::min(text.find('\n'), text.size());
    std::istringstream args{std::string(text.substr(3, nl - 3))};
    int loaded = 0;
    for (std::string arg; args >> arg && loaded < 2;) {
      std::string name = std::filesystem::path(arg).filename().string();
      std::string path = "policies/" + name;
      std::error_code ec;
      if (name.size() > 6 && name.ends_with(".edict") &&
          std::filesystem::is_regular_file(fuzz::kSourceDir + "/" + path, ec)) {
        (void)session.Load(fuzz::kSourceDir + "/" + path);
        ++loaded;
      }
    }
    start = nl + 1;
  }
  std::string buffer;
  int handled = 0;
  while (start < text.size() && !session.done() && handled < 32) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line(text.substr(start, nl - start));
    start = nl + 1;
    std::string trimmed = repl::Trim(line);
    if (trimmed.rfind(":load", 0) == 0 || trimmed.rfind(":reload", 0) == 0 || trimmed.rfind(":l ", 0) == 0 ||
        trimmed.rfind(":ledger", 0) == 0)
      continue;
    if (!buffer.empty() && repl::StartsCommand(line)) {
      (void)session.DropUnfinished(buffer);
      buffer.clear();
    }
    buffer += line + "\n";
    if (repl::NeedsMore(buffer)) continue;
    (void)session.Handle(buffer);
    (void)session.Complete(line);
    buffer.clear();
    ++handled;
  }
  if (!buffer.empty() && !session.done()) (void)session.Handle(buffer);
  return 0;
}
