/*
 * lossbook: search excerpts that work from disk (tools/offline_search.py).
 *
 * Sphinx's searchtools.js fetches each result's page to show an excerpt under it; a
 * browser refuses fetch() for file:// pages. This script, loaded on the search page
 * only, answers those fetches with the page's text, which the build wrote into
 * _static/search-text/<page>.js and which a <script> tag may load from disk. Any other
 * fetch goes to the browser as before.
 */
"use strict";
(() => {
  const root = document.documentElement.dataset.content_root || "";
  const texts = new Map();    // page name -> its text (reduced HTML), once loaded
  const pending = new Map();  // page name -> promise of its text

  // Called by each _static/search-text/<page>.js. (Search is searchtools.js's global
  // `const`: a binding of the page, not a property of window.)
  window.lossbookSearchText = (page, html) => {
    texts.set(page, html);
  };

  const load = (page) => {
    if (texts.has(page)) return Promise.resolve(texts.get(page));
    if (!pending.has(page)) {
      pending.set(page, new Promise((resolve) => {
        const script = document.createElement("script");
        script.src = `${root}_static/search-text/${page}.js`;
        script.onload = () => resolve(texts.get(page) || "");
        script.onerror = () => resolve("");  // no excerpt, but no failed fetch either
        document.head.appendChild(script);
      }));
    }
    return pending.get(page);
  };

  // "./book/06_robust.html" -> "book/06_robust", for the pages of the book only.
  const pageOf = (url) => {
    if (typeof url !== "string" || !url.startsWith(root)) return null;
    const suffix = (window.DOCUMENTATION_OPTIONS || {}).FILE_SUFFIX || ".html";
    if (!url.endsWith(suffix)) return null;
    const page = url.slice(root.length, url.length - suffix.length);
    const index = typeof Search !== "undefined" ? Search._index : null;
    return index && index.docnames.includes(page) ? page : null;
  };

  const nativeFetch = window.fetch.bind(window);
  window.fetch = (resource, options) => {
    const page = pageOf(typeof resource === "string" ? resource : resource && resource.url);
    if (page === null) return nativeFetch(resource, options);
    return load(page).then((html) => new Response(
      `<!DOCTYPE html><html><body><div role="main">${html}</div></body></html>`,
      { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } },
    ));
  };
})();
