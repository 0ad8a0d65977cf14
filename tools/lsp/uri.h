// file:// URIs <-> paths (RFC 3986 percent-encoding).
#pragma once

#include <string>

namespace edict::lsp {

std::string UriToPath(const std::string& uri);
std::string PathToUri(const std::string& path);

}  // namespace edict::lsp
