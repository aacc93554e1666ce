// Prints every term's weights as the JS client computes them from an exported static index:
// node dump_weights.js DATA_DIR -> {"t": {term: {doc: weight}}, "q": {...}} (used by pytest).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const search = require(path.join(__dirname, "../../site/dxportal/static/js/search.js"));

const data = process.argv[2];
const read = (name) => JSON.parse(fs.readFileSync(path.join(data, name), "utf8"));
const meta = read("meta.json");
const lengths = read("n.json");
const out = { t: {}, q: {} };
for (const kind of ["t", "q"]) {
  for (const name of fs.readdirSync(path.join(data, kind))) {
    for (const [term, code] of Object.entries(read(path.join(kind, name)))) {
      const flat = search.numbers(code);
      const weights = kind === "t" ? search.decodeWords(meta, lengths, flat)
        : search.decodePair(meta, lengths, flat).weights;
      out[kind][term] = Object.fromEntries(weights);
    }
  }
}
process.stdout.write(JSON.stringify(out));
