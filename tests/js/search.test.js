// Node's built-in test runner: `node --test tests/js/`. The JS analysis must give exactly what
// the Python analysis gives on the shared vectors (tests/search_vectors.json).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const search = require(path.join(__dirname, "../../site/dxportal/static/js/search.js"));
const vectors = require(path.join(__dirname, "../search_vectors.json"));

for (const v of vectors.analyze) {
  test(`analyze: ${v.why}`, () => {
    assert.deepEqual(search.analyze(v.text, v.lang), v.forms);
  });
}

test("crc32 shards terms like the exporter", () => {
  for (const v of vectors.hash) assert.equal(search.crc32(v.text), v.value, v.text);
});

for (const v of vectors.query) {
  test(`parseQuery: ${JSON.stringify(v.raw).slice(0, 40)}`, () => {
    const q = search.parseQuery(v.raw, v.lang);
    assert.equal(q.text, v.text);
    assert.deepEqual(q.terms, v.terms);
    assert.deepEqual(q.phrases, v.phrases);
    assert.deepEqual([...new Set(q.loose)], v.loose);
  });
}

test("snippets mark unaccented query words in accented text", () => {
  const q = search.parseQuery("chuyen doi", "vi");
  const parts = search.snippetParts("Kế hoạch Chuyển đổi số năm 2021.", q.words, "vi");
  const marked = parts.filter((p) => p[1]).map((p) => p[0]);
  assert.deepEqual(marked, ["Chuyển", "đổi"]);
  assert.equal(parts.map((p) => p[0]).join(""), "Kế hoạch Chuyển đổi số năm 2021.");
});

test("field lengths decode like Whoosh's byte_to_length", () => {
  assert.deepEqual(search.lengths, vectors.lengths);
});
