#include "tools/edict/paths.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace edict::cli {

namespace fs = std::filesystem;

std::vector<std::string> ExpandPaths(const std::vector<std::string>& paths, const char* command, bool* ok) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      files.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".edict" && it->is_regular_file(ec)) found.push_back(it->path().string());
    if (ec) {
      std::fprintf(stderr, "edict %s: %s: %s\n", command, p.c_str(), ec.message().c_str());
      *ok = false;
    } else if (found.empty()) {
      std::fprintf(stderr, "edict %s: %s: no .edict files in this folder\n", command, p.c_str());
      *ok = false;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

}  // namespace edict::cli
