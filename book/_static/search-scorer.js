/*
 * lossbook: search ranking (Sphinx's html_search_scorer; tools/offline_search.py).
 *
 * Sphinx ranks an exact object name (the API function lossbook.losses.huber, the
 * glossary term "Huber loss") above the pages that explain it. A reader who searches a
 * loss's name wants its chapter: a result on a page whose title names every word of
 * the query ranks above all others, the page itself above its sections. Sphinx embeds
 * this file after searchtools.js, so Scorer exists and keeps its other weights.
 */
"use strict";
(() => {
  const query = new URLSearchParams(window.location.search).get("q") || "";
  const words = query.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((w) => w.length > 1);
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // A word of the query at the start of a word of the title ("loss" in "losses").
  const patterns = words.map((w) => new RegExp(`(^|[^\\p{L}\\p{N}_])${escape(w)}`, "u"));

  Scorer.score = (result) => {
    const [docname, , anchor, , score] = result;
    const index = typeof Search !== "undefined" ? Search._index : null;
    if (!index || !patterns.length) return score;
    const i = index.docnames.indexOf(docname);
    const title = i < 0 ? "" : String(index.titles[i]).toLowerCase();
    if (!patterns.every((p) => p.test(title))) return score;
    return score + 1000 + (anchor ? 0 : 100);
  };
})();
