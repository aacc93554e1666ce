// Runs queries with the JS client against an exported static index on disk and prints the
// ranked document addresses as JSON: node run_queries.js DATA_DIR LANG QUERY... (used by pytest).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const search = require(path.join(__dirname, "../../site/dxportal/static/js/search.js"));

const [dataDir, lang, ...queries] = process.argv.slice(2);
global.fetch = async (file) => {
  const text = fs.readFileSync(file, "utf8");
  return { ok: true, status: 200, json: async () => JSON.parse(text) };
};

(async () => {
  const index = new search.Index(dataDir.endsWith("/") ? dataDir : dataDir + "/");
  const out = {};
  for (const raw of queries) {
    const result = await search.search(index, raw, lang, "");
    out[raw] = [];
    for (const hit of result.hits) out[raw].push((await index.record(hit.doc)).u);
  }
  process.stdout.write(JSON.stringify(out));
})();
