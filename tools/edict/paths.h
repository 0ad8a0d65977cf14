// Folders wherever files are: `edict check policies/`, `edict test policies/ more.edict`, `edict fmt
// stdlib/`.
#pragma once

#include <string>
#include <vector>

namespace edict::cli {

// The paths given, with each folder replaced by every *.edict file under it (recursively, sorted by path so
// that output is stable). A folder that cannot be listed is said on stderr as "edict COMMAND: ..." and sets
// `*ok` to false; a folder with no .edict file is said too, and also sets it (a typo must not pass as "0
// tests, 0 failed").
std::vector<std::string> ExpandPaths(const std::vector<std::string>& paths, const char* command, bool* ok);

}  // namespace edict::cli
