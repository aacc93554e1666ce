/* dxportal search for the frozen site: no dependencies, no build step.
   Reads q, section and page from the address, loads only the index shards the query needs
   (see dxportal/search/static/export.py), ranks with Whoosh's BM25F scores computed from the
   index's counts, as the server adds Whoosh scores, and renders the server's markup. Visitor text is only ever set with
   textContent. The analysis mirrors dxportal/search/analysis.py; tests/search_vectors.json
   holds the cases both must agree on. */
(function () {
  "use strict";

  var WORD = /[\p{L}\p{N}]+/gu;
  var MARKS = /\p{M}/gu;
  var CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
  var TONES = "\u0300\u0301\u0303\u0309\u0323";
  var TONED = {};
  "aey".split("").forEach(function (base) {
    TONES.split("").forEach(function (mark) { TONED[(base + mark).normalize("NFC")] = [base, mark]; });
  });
  var OLD_STYLE = new RegExp("([ou])([" + Object.keys(TONED).join("") + "])$");  /* not after q */
  var OLD_SOURCE = { o: "ae", u: "y" };
  var MAX_QUERY_CHARS = 200, MAX_WORDS = 12, PAGE_SIZE = 10, SNIPPET_WORDS = 28;

  function canonicalTone(word) {
    var m = OLD_STYLE.exec(word);
    if (!m || word.charAt(m.index - 1) === "q") return word;
    var toned = TONED[m[2]];
    if (OLD_SOURCE[m[1]].indexOf(toned[0]) < 0) return word;
    return word.slice(0, m.index) + (m[1] + toned[1]).normalize("NFC") + toned[0];
  }

  function fold(word) {
    return word.normalize("NFD").replace(MARKS, "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFC");
  }

  function stemEnglish(w) {
    var n = w.length;
    if (n > 3 && /ies$/.test(w) && !/[ea]ies$/.test(w)) return w.slice(0, -3) + "y";
    if (/(sses|xes|ches|shes)$/.test(w)) return w.slice(0, -2);
    if (n > 3 && /es$/.test(w) && !/[aeo]es$/.test(w)) return w.slice(0, -1);
    if (n > 3 && /s$/.test(w) && !/(us|ss)$/.test(w)) return w.slice(0, -1);
    return w;
  }

  /* Words of a text: {exact, folded, start, end}; offsets are UTF-16 indexes into NFC text. */
  function splitWords(text, lang) {
    var out = [], m;
    text = text.normalize("NFC");
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      var exact = canonicalTone(m[0].toLowerCase().normalize("NFC"));
      if (lang === "en") exact = stemEnglish(exact);
      out.push({ exact: exact, folded: fold(exact), start: m.index, end: m.index + m[0].length });
    }
    return out;
  }

  function analyze(text, lang) {
    return splitWords(text, lang).map(function (w) { return w.exact === w.folded ? [w.exact] : [w.exact, w.folded]; });
  }

  /* A field length as Whoosh stores it: one byte, decoded (whoosh.util.numeric.byte_to_length). */
  var LENGTHS = [];
  for (var n = 0; n < 256; n++) LENGTHS.push(Math.round((Math.pow(1.033, n) - 1) * 27));
  var CRC_TABLE = [];
  for (n = 0; n < 256; n++) {
    var c = n;
    for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    CRC_TABLE.push(c >>> 0);
  }

  /* CRC-32 of the UTF-8 bytes: the shard of a term (zlib.crc32 in dxportal/search/export.py). */
  function crc32(text) {
    var bytes = new TextEncoder().encode(text), c = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  function cleanQuery(raw) {
    var text = (raw || "").normalize("NFC").replace(CONTROL, " ").trim().split(/\s+/).join(" ");
    return Array.from(text).slice(0, MAX_QUERY_CHARS).join("");
  }

  function marked(w) { return w.exact !== w.folded; }
  function unique(list) { return list.filter(function (x, i) { return list.indexOf(x) === i; }); }
  function pairTerm(a, b) {
    return marked(a) && marked(b) ? a.exact + " " + b.exact : a.folded + " " + b.folded;
  }

  /* The same structure as dxportal.search.query.parse_query. */
  function parseQuery(raw, lang) {
    var text = cleanQuery(raw), q = { text: text, words: [], phrases: [], loose: [] };
    text.replace(/[“”]/g, '"').split('"').forEach(function (segment, index) {
      var words = splitWords(segment, lang).slice(0, MAX_WORDS - q.words.length);
      if (!words.length) return;
      q.words = q.words.concat(words);
      var pairs = words.slice(1).map(function (w, i) { return pairTerm(words[i], w); });
      if (index % 2 === 1 && words.length > 1) q.phrases.push(pairs);
      else if (index % 2 === 0) q.loose = q.loose.concat(pairs);
    });
    q.terms = unique(q.words.map(function (w) { return w.exact; }));
    return q;
  }

  /* ---- the index: fetched lazily, every file once ---- */
  function Index(root) { this.root = root; this.files = {}; }
  Index.prototype.get = function (path) {
    if (!this.files[path]) {
      this.files[path] = fetch(this.root + path).then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + path);
        return r.json();
      });
    }
    return this.files[path];
  };
  Index.prototype.lookup = function (kind, term) {
    var self = this;
    return this.get("meta.json").then(function (meta) {
      return self.get(kind + "/" + (crc32(term) % meta.shards[kind]) + ".json");
    }).then(function (shard) { return Object.prototype.hasOwnProperty.call(shard, term) ? numbers(shard[term]) : []; });
  };
  /* A document's record: d/<group>.json holds meta.group records in document order. */
  Index.prototype.record = function (doc) {
    var self = this;
    return this.get("meta.json").then(function (meta) {
      return self.get("d/" + Math.floor(doc / meta.group) + ".json").then(function (group) {
        return group[doc % meta.group];
      });
    });
  };
  /* The numbers of a shard's string (dxportal/search/static/postings.py, number_code): base-45
     digits, the first 45 characters of DIGITS before a number's last digit, the others last. */
  var DIGITS = "#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}";
  var DIGIT = {};
  for (n = 0; n < DIGITS.length; n++) DIGIT[DIGITS.charAt(n)] = n;
  function numbers(code) {
    var out = [], value = 0;
    for (var i = 0; i < code.length; i++) {
      var d = DIGIT[code.charAt(i)];
      if (d < 45) value = value * 45 + d;
      else { out.push(value * 45 + d - 45); value = 0; }
    }
    return out;
  }
  /* A word: Map doc -> weight, Whoosh's BM25F score of the word (its fields boosted and
     summed), computed from the counts in t/ as dxportal/search/export.py describes. */
  Index.prototype.postings = function (term) {
    return Promise.all([this.get("meta.json"), this.get("n.json"), this.lookup("t", term)])
      .then(function (r) { return decodeWords(r[0], r[1], r[2]); });
  };
  /* A pair of adjacent words: {weights: Map doc -> weight, docs: [[doc, count]…]}, its
     weight Whoosh's BM25 score of the pairs field. */
  Index.prototype.pair = function (term) {
    if (!this.pairs) this.pairs = {};
    if (!this.pairs[term]) {
      this.pairs[term] = Promise.all([this.get("meta.json"), this.get("n.json"), this.lookup("q", term)])
        .then(function (r) { return decodePair(r[0], r[1], r[2]); });
    }
    return this.pairs[term];
  };
  /* A pair's positions, Map doc -> Set (p/ holds each document's count of position deltas, in
     the order of q/): fetched only to check a quoted phrase of three words or more. */
  Index.prototype.pairPositions = function (term) {
    return Promise.all([this.pair(term), this.lookup("p", term)]).then(function (r) {
      var positions = new Map(), i = 0;
      r[0].docs.forEach(function (d) {
        var pos = 0, set = new Set();
        for (var k = 0; k < d[1]; k++) { pos += r[1][i++]; set.add(pos); }
        positions.set(d[0], set);
      });
      return { positions: positions };
    });
  };

  /* BM25 of one field, as whoosh.scoring.BM25F: idf from the documents that have the term in
     the field, the document's length as Whoosh stores it (n.json: one hex byte each). */
  function fieldScore(meta, field, lengths, df, doc, tf) {
    var k1 = meta.bm25.k1, b = meta.bm25.b;
    var idf = field.boost * (Math.log(meta.count / (df + 1)) + 1);
    var length = LENGTHS[parseInt(lengths[field.name].substr(2 * doc, 2), 16)] || 1;
    var norm = k1 * ((1 - b) + b * length / field.avgfl);
    return idf * ((tf * (k1 + 1)) / (tf + norm));
  }

  function weight(meta, score) { return Math.max(1, Math.round(score * meta.scale)); }

  /* t/ runs: lead (2 × doc delta, +1 when title, tags and summary counts follow), body count. */
  function decodeWords(meta, lengths, flat) {
    var found = [], doc = 0, i = 0, df = {};
    meta.fields.forEach(function (f) { df[f.name] = 0; });
    while (i < flat.length) {
      var lead = flat[i++], counts = { body: flat[i++], title: 0, tags: 0, summary: 0 };
      doc += Math.floor(lead / 2);
      if (lead % 2) { counts.title = flat[i++]; counts.tags = flat[i++]; counts.summary = flat[i++]; }
      meta.fields.forEach(function (f) { if (counts[f.name]) df[f.name]++; });
      found.push([doc, counts]);
    }
    var weights = new Map();
    found.forEach(function (d) {
      var score = 0;
      meta.fields.forEach(function (f) {
        var tf = d[1][f.name];
        if (tf) score += fieldScore(meta, f, lengths, df[f.name], d[0], tf);
      });
      weights.set(d[0], weight(meta, score));
    });
    return weights;
  }

  /* q/ runs: lead (2 × doc delta, +1 when the count follows; else the count is 1). */
  function decodePair(meta, lengths, flat) {
    var found = [], doc = 0, i = 0;
    while (i < flat.length) {
      var lead = flat[i++];
      doc += Math.floor(lead / 2);
      found.push([doc, lead % 2 ? flat[i++] : 1]);
    }
    var field = { name: "pairs", boost: 1.0, avgfl: meta.pairs.avgfl };
    var weights = new Map();
    found.forEach(function (f) {
      weights.set(f[0], weight(meta, fieldScore(meta, field, lengths, found.length, f[0], f[1])));
    });
    return { weights: weights, docs: found };
  }

  function inPhrase(doc, lists) {
    var first = lists[0].positions.get(doc);
    if (!first) return false;
    for (var start of first) {
      if (lists.every(function (l, i) { var s = l.positions.get(doc); return s && s.has(start + i); })) return true;
    }
    return false;
  }

  /* Ranked [{doc, score}], best first: words and phrase pairs required, loose pairs a bonus. */
  function rank(index, q, range) {
    var phrasePairs = unique([].concat.apply([], q.phrases));
    var bonus = unique(q.loose).filter(function (p) { return phrasePairs.indexOf(p) < 0; });
    var long = q.phrases.filter(function (p) { return p.length > 1; });
    return Promise.all([
      Promise.all(q.terms.map(function (t) { return index.postings(t); })),
      Promise.all(phrasePairs.map(function (t) { return index.pair(t); })),
      Promise.all(bonus.map(function (t) { return index.pair(t); })),
      Promise.all(long.map(function (p) { return Promise.all(p.map(function (t) { return index.pairPositions(t); })); }))
    ]).then(function (r) {
      var required = r[0].concat(r[1].map(function (x) { return x.weights; }));
      if (!required.length) return [];
      var hits = [];
      required[0].forEach(function (w, doc) {
        if (range && (doc < range[0] || doc >= range[1])) return;
        var score = 0;
        for (var i = 0; i < required.length; i++) {
          var weight = required[i].get(doc);
          if (weight === undefined) return;
          score += weight;
        }
        if (!r[3].every(function (lists) { return inPhrase(doc, lists); })) return;
        r[2].forEach(function (x) { score += x.weights.get(doc) || 0; });
        hits.push({ doc: doc, score: score });
      });
      return hits.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    });
  }

  function search(index, raw, lang, section) {
    var q = parseQuery(raw, lang);
    if (!q.words.length) return Promise.resolve({ query: q, hits: [] });
    return index.get("meta.json").then(function (meta) {
      return rank(index, q, section ? meta.sections[section] || [0, 0] : null);
    }).then(function (hits) { return { query: q, hits: hits }; });
  }

  /* ---- snippets: the same window as dxportal/search/snippets.py ---- */
  function snippetParts(text, queryWords, lang) {
    text = text.normalize("NFC");
    var words = splitWords(text, lang);
    if (!words.length) return [];
    var mk = new Set(), un = new Set();
    queryWords.forEach(function (w) { (marked(w) ? mk : un).add(w.exact); });
    var hits = words.map(function (w) { return mk.has(w.exact) || un.has(w.folded); });
    var start = 0;
    if (hits.length > SNIPPET_WORDS) {
      var count = 0, best = 0;
      for (var i = 0; i < SNIPPET_WORDS; i++) count += hits[i];
      best = count;
      for (var s = 1; s + SNIPPET_WORDS <= hits.length; s++) {
        count += hits[s + SNIPPET_WORDS - 1] - hits[s - 1];
        if (count > best) { best = count; start = s; }
      }
    }
    var end = Math.min(words.length, start + SNIPPET_WORDS), parts = [];
    var gap = function (a, b) { return text.slice(a, b).replace(/\s+/g, " "); };
    var cursor = words[start].start;
    if (start > 0) parts.push(["…", false]);
    for (var k = start; k < end; k++) {
      parts.push([gap(cursor, words[k].start), false]);
      parts.push([text.slice(words[k].start, words[k].end), hits[k]]);
      cursor = words[k].end;
    }
    parts.push([end < words.length ? "…" : gap(cursor, text.length), false]);
    return parts;
  }

  /* ---- rendering (markup of templates/partials/search_results.html) ---- */
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function pageUrl(q, section, page) {
    var params = new URLSearchParams({ q: q });
    if (section) params.set("section", section);
    if (page > 1) params.set("page", page);
    return "?" + params.toString();
  }

  function render(box, index, result, section, page, lang) {
    var msg = box.dataset, q = result.query, total = result.hits.length;
    var pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    page = Math.min(Math.max(1, page), pages);
    var shown = result.hits.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    return Promise.all(shown.map(function (h) { return index.record(h.doc); })).then(function (docs) {
      var frag = document.createDocumentFragment();
      var count = el("p", "search-count");
      count.setAttribute("role", "status");
      count.textContent = !q.words.length ? msg.msgEmpty
        : fill(total === 0 ? msg.msgNone : total === 1 ? msg.msgOne : msg.msgMany, { num: total, query: q.text });
      frag.appendChild(count);
      if (!docs.length) return frag;
      var list = el("ol", "entry-list search-results");
      list.start = (page - 1) * PAGE_SIZE + 1;
      docs.forEach(function (d) {
        var li = el("li", "entry-card search-result");
        if (d.l !== lang) li.lang = d.l;
        var h = el("h2", "entry-card__title"), a = el("a", null, d.t);
        a.href = d.u;
        h.appendChild(a);
        var meta = el("p", "entry-card__meta");
        meta.appendChild(el("span", "entry-card__section", d.s));
        if (d.i) {
          meta.appendChild(document.createTextNode(" "));
          var time = el("time", null, d.d);
          time.dateTime = d.i;
          meta.appendChild(time);
        }
        var snip = el("p", "entry-card__summary search-result__snippet");
        snippetParts(d.x, q.words, lang).forEach(function (part) {
          snip.appendChild(part[1] ? el("mark", null, part[0]) : document.createTextNode(part[0]));
        });
        li.appendChild(h); li.appendChild(meta); li.appendChild(snip);
        list.appendChild(li);
      });
      frag.appendChild(list);
      if (pages > 1) {
        var nav = el("nav", "pagination"), ul = el("ul");
        nav.setAttribute("aria-label", msg.msgPages);
        nav.appendChild(el("p", null, fill(msg.msgPage, { number: page, count: pages })));
        [[page - 1, "prev", msg.msgPrevious], [page + 1, "next", msg.msgNext]].forEach(function (link) {
          if (link[0] < 1 || link[0] > pages) return;
          var item = el("li"), a = el("a", null, link[2]);
          a.rel = link[1];
          a.href = pageUrl(q.text, section, link[0]);
          item.appendChild(a);
          ul.appendChild(item);
        });
        nav.appendChild(ul);
        frag.appendChild(nav);
      }
      return frag;
    });
  }

  function start() {
    var box = document.getElementById("search-results");
    if (!box || !box.dataset.index) return;
    var index = new Index(box.dataset.index), lang = box.dataset.lang;
    var input = document.getElementById("search-q"), select = document.getElementById("search-section");
    var params = new URLSearchParams(location.search), serial = 0, timer = null;
    var page = parseInt(params.get("page"), 10) || 1;

    function run(raw, section) {
      var mine = ++serial, began = performance.now();
      box.setAttribute("aria-busy", "true");
      if (!box.querySelector(".search-count")) box.replaceChildren(el("p", "search-count", box.dataset.msgLoading));
      return search(index, raw, lang, section).then(function (result) {
        return render(box, index, result, section, page, lang);
      }).then(function (frag) {
        if (mine !== serial) return;
        box.replaceChildren(frag);
        box.dataset.took = Math.round(performance.now() - began);  /* ms, for the benchmark */
        box.removeAttribute("aria-busy");
      }, function () {
        if (mine !== serial) return;
        box.removeAttribute("aria-busy");
        var note = el("p", "search-count", box.dataset.msgError);
        box.insertBefore(note, box.firstChild);
      });
    }

    function update() {
      page = 1;
      var url = pageUrl(input.value, select.value, 1);
      history.replaceState(null, "", input.value.trim() ? url : location.pathname);
      run(input.value, select.value);
    }

    if (params.has("q")) {
      input.value = params.get("q");
      var section = params.get("section") || "";
      if (select.querySelector('option[value="' + CSS.escape(section) + '"]')) select.value = section;
      run(input.value, select.value);
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 40); });
    select.addEventListener("change", update);
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
  if (typeof module !== "undefined") {
    module.exports = { analyze: analyze, splitWords: splitWords, fold: fold, canonicalTone: canonicalTone,
      crc32: crc32, lengths: LENGTHS, cleanQuery: cleanQuery, parseQuery: parseQuery, Index: Index, search: search,
      snippetParts: snippetParts, numbers: numbers, decodeWords: decodeWords, decodePair: decodePair };
  }
})();
