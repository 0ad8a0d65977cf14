// The country shapes of `edict impact --html` (tools/worldmap/countries.tsv, embedded in the binary at build
// time): Natural Earth outlines, projected, as SVG paths.
#pragma once

#include <string>
#include <vector>

namespace edict::impact {

struct CountryShape {
  std::string code;  // ISO 3166-1 alpha-2
  std::string name;
  double x = 0, y = 0;  // a point inside, for a marker
  bool small = false;   // too small to see at this scale (from Natural Earth 1:50m): drawn with a marker too
  std::string path;     // SVG path data
};

struct WorldMap {
  std::string view_box;                 // "0 0 960 467"
  std::string sphere;                   // the outline of the whole map
  std::vector<CountryShape> countries;  // by code
};

const WorldMap& TheWorldMap();

}  // namespace edict::impact
