// Builds crates/dyad-web/assets/world.json from Natural Earth 1:110m country shapes
// (the `world-atlas` npm package): one projected SVG path per country, so the server embeds a
// ready-to-draw map and needs no JavaScript geometry at run time.
//
// Usage (outside the repository, see assets/README.md):
//   mkdir -p /tmp/mapbuild && cd /tmp/mapbuild
//   npm install world-atlas@2 topojson-client@3 d3-geo@3
//   node /path/to/crates/dyad-web/assets/make_world.mjs > /path/to/crates/dyad-web/assets/world.json
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// Resolve packages from the working directory (the scratch build folder), not from this file's
// folder inside the repository, which has no node_modules.
const require = createRequire(join(process.cwd(), "noop.js"));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);
const { feature } = await load("topojson-client");
const { geoEqualEarth, geoPath } = await load("d3-geo");
const topo = JSON.parse(readFileSync(require.resolve("world-atlas/countries-110m.json"), "utf8"));
const countries = feature(topo, topo.objects.countries);

// Equal Earth keeps areas true, so no country looks bigger than it is; 960 units wide is enough
// detail for 1:110m data while one decimal keeps the file small.
const width = 960;
const projection = geoEqualEarth().fitWidth(width, { type: "Sphere" });
const path = geoPath(projection).digits(1);
const [[, y0], [, y1]] = path.bounds({ type: "Sphere" });
const height = Math.ceil(y1 - y0);

const out = {
  source: "Natural Earth 1:110m admin 0 countries via world-atlas countries-110m.json",
  projection: "Equal Earth",
  width,
  height,
  sphere: path({ type: "Sphere" }),
  // world-atlas ids are ISO 3166-1 numeric codes as text; a few areas (Kosovo, Northern Cyprus,
  // Somaliland) have none, and keep only their name.
  countries: countries.features
    .map((f) => ({ id: f.id ?? null, name: f.properties.name, d: path(f) }))
    .filter((c) => c.d)
    .sort((a, b) => a.name.localeCompare(b.name)),
};
process.stdout.write(JSON.stringify(out) + "\n");
