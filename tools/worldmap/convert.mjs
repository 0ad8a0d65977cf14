// Converts Natural Earth's country shapes (the world-atlas package's TopoJSON, 1:110m, with the countries
// that scale leaves out taken from 1:50m) into tools/worldmap/countries.tsv, the map `edict impact --html`
// draws: one line per country, `ALPHA2 <tab> name <tab> x,y <tab> SVG path`, projected with the Equal Earth
// projection into a 960-wide box. Run once, by hand; the output is committed (no network at build or run
// time):
//   cd tools/worldmap && npm ci && node convert.mjs > countries.tsv
import { readFileSync } from "node:fs";

const atlas = (scale) =>
  JSON.parse(readFileSync(new URL(`node_modules/world-atlas/countries-${scale}.json`, import.meta.url)));
// ISO 3166-1 numeric -> alpha-2, from Debian's iso-codes (the same source as stdlib/countries).
const iso = JSON.parse(readFileSync("/usr/share/iso-codes/json/iso_3166-1.json"))["3166-1"];
const alpha2 = new Map(iso.map((c) => [c.numeric, c.alpha_2]));
// Natural Earth shapes without an ISO number.
const byName = new Map([["Kosovo", "XK"], ["N. Cyprus", "CY"], ["Somaliland", "SO"]]);

// Equal Earth (Šavrič, Patterson, Jenny 2018).
const A1 = 1.340264, A2 = -0.081106, A3 = 0.000893, A4 = 0.003796, M = Math.sqrt(3) / 2;
function project([lon, lat]) {
  const l = (lon * Math.PI) / 180, p = (lat * Math.PI) / 180;
  const t = Math.asin(M * Math.sin(p)), t2 = t * t, t6 = t2 * t2 * t2;
  const x = (l * Math.cos(t)) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)));
  const y = t * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
  return [x, y];
}
const [maxX] = project([180, 0]);
const [, maxY] = project([0, 90]);
const W = 960, S = W / (2 * maxX), H = Math.round(2 * maxY * S);
const screen = (pt) => {
  const [x, y] = project(pt);
  return [Math.round((x + maxX) * S * 10) / 10, Math.round((maxY - y) * S * 10) / 10];
};

// The outline of the map: the meridians at -180 and 180 degrees.
function sphere() {
  const pts = [];
  for (let lat = -90; lat <= 90; lat += 2) pts.push(screen([180, lat]));
  for (let lat = 90; lat >= -90; lat -= 2) pts.push(screen([-180, lat]));
  return "M" + pts.map(([x, y]) => `${x},${y}`).join(" ") + "Z";
}

function decodeArcs(topo) {
  const [sx, sy] = topo.transform.scale, [tx, ty] = topo.transform.translate;
  return topo.arcs.map((arc) => {
    let x = 0, y = 0;
    return arc.map(([dx, dy]) => [(x += dx) * sx + tx, (y += dy) * sy + ty]);
  });
}

function rings(geometry, arcs) {
  const ring = (indices) => {
    const pts = [];
    for (const i of indices) {
      const a = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
      pts.push(...(pts.length ? a.slice(1) : a));
    }
    return pts;
  };
  const polys = geometry.type === "Polygon" ? [geometry.arcs] : geometry.type === "MultiPolygon" ? geometry.arcs : [];
  return polys.flatMap((poly) => poly.map(ring));
}

// A ring that crosses the antimeridian (Russia's Chukotka, Fiji) jumps by about 360 degrees of longitude:
// drawn twice, shifted east and west into one piece each, and cut by the sphere's outline (`#sphere`, a
// clip path in the page).
function unwrap(ring) {
  const crosses = ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180);
  if (!crosses) return [ring];
  const east = ring.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat]);
  return [east, east.map(([lon, lat]) => [lon - 360, lat])];
}

function shape(geometry, arcs) {
  let d = "", best = null;
  for (const r of rings(geometry, arcs).flatMap(unwrap)) {
    const pts = [];
    for (const p of r.map(screen)) {
      const last = pts[pts.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) pts.push(p);
    }
    if (pts.length < 3) continue;
    d += "M" + pts.map(([x, y]) => `${x},${y}`).join(" ") + "Z";
    // The label point: the middle of the largest ring's box.
    const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
    const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    const area = (box[2] - box[0]) * (box[3] - box[1]);
    if (!best || area > best.area) best = { area, x: (box[0] + box[2]) / 2, y: (box[1] + box[3]) / 2 };
  }
  return best ? { d, x: Math.round(best.x * 10) / 10, y: Math.round(best.y * 10) / 10 } : null;
}

const countries = new Map();
for (const scale of ["110m", "50m"]) {
  const topo = atlas(scale);
  const arcs = decodeArcs(topo);
  for (const g of topo.objects.countries.geometries) {
    const code = alpha2.get(g.id) ?? byName.get(g.properties.name);
    if (!code || (countries.has(code) && countries.get(code).scale !== scale)) continue;
    const s = shape(g, arcs);
    if (!s) continue;
    const prev = countries.get(code);
    if (prev) {  // two shapes for one code at one scale (Cyprus and N. Cyprus): one path
      prev.d += s.d;
      continue;
    }
    countries.set(code, { scale, name: g.properties.name, ...s });
  }
}

const out = [
  `# Country shapes for edict impact --html: Natural Earth ${"1:110m"} (1:50m for countries 1:110m leaves out),`,
  "# through world-atlas 2.0.2 (Natural Earth 4.1.0); see tools/worldmap/README.md for the licences.",
  `# Equal Earth projection, viewBox 0 0 ${W} ${H}. Columns: alpha-2, name, label x,y, scale, SVG path.`,
  `#viewBox 0 0 ${W} ${H}`,
  "#sphere\t" + sphere(),
];
for (const [code, c] of [...countries].sort(([a], [b]) => a.localeCompare(b)))
  out.push([code, c.name, `${c.x},${c.y}`, c.scale, c.d].join("\t"));
process.stdout.write(out.join("\n") + "\n");
