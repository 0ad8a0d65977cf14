#include "tools/impact/worldmap.h"

#include <cstdlib>
#include <string_view>

extern const unsigned char kWorldMapTsv[];
extern const unsigned long kWorldMapTsvSize;

namespace edict::impact {

namespace {

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t tab; (tab = line.find('\t', start)) != std::string_view::npos; start = tab + 1)
    out.push_back(line.substr(start, tab - start));
  out.push_back(line.substr(start));
  return out;
}

WorldMap Load() {
  WorldMap map;
  std::string_view text(reinterpret_cast<const char*>(kWorldMapTsv), kWorldMapTsvSize);
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.rfind("#viewBox ", 0) == 0) {
      map.view_box = std::string(line.substr(9));
      continue;
    }
    std::vector<std::string_view> cells = Split(line);
    if (cells.size() == 2 && cells[0] == "#sphere") map.sphere = std::string(cells[1]);
    if (line.empty() || line[0] == '#' || cells.size() != 5) continue;
    CountryShape c;
    c.code = std::string(cells[0]);
    c.name = std::string(cells[1]);
    std::string point(cells[2]);
    c.x = std::strtod(point.c_str(), nullptr);
    size_t comma = point.find(',');
    if (comma != std::string::npos) c.y = std::strtod(point.c_str() + comma + 1, nullptr);
    c.small = cells[3] != "110m";
    c.path = std::string(cells[4]);
    map.countries.push_back(std::move(c));
  }
  return map;
}

}  // namespace

const WorldMap& TheWorldMap() {
  static const WorldMap map = Load();
  return map;
}

}  // namespace edict::impact
