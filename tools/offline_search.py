"""Sphinx extension: full-text search that works from disk, with excerpts and a ranking
that puts the chapter about a loss first.

Sphinx's search page shows, under each result, an excerpt of the page around the words
searched for. To get it, ``searchtools.js`` fetches the result's HTML page with
``fetch()``, which a browser refuses for ``file://`` pages: opened from disk, the
results had no excerpts and the console logged one failed fetch per result. This
extension

- writes, for every page, a small script ``_static/search-text/<page>.js`` with the
  page's text (headings, prose, code and maths as TeX, no markup but the ids that
  search results link to), taken from the same doctree the page is written from;
- adds ``lossbook-search.js`` to the search page only: it answers searchtools'
  ``fetch()`` of a page of the book with that text, loaded by a ``<script>`` tag
  (which ``file://`` allows) only for the pages in the results. Anything else is
  fetched as before. The same happens over http: the text is smaller than the page;
- installs a scorer (Sphinx's ``html_search_scorer``, ``search-scorer.js``): a
  result on a page whose *title* names every word of the query ranks above every
  other result, the page itself above its sections. "Huber" opens with the chapter on
  robust losses (whose title names Huber), not with the glossary entry or the API
  function that Sphinx ranks first for an exact object name.

The static files live in ``book/_static/`` beside the other files of the book's
pages; the extension adds that folder to ``html_static_path``.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "book" / "_static"
#: Folder (under _static) of the per-page text scripts.
TEXT_DIR = "search-text"
#: The callback the per-page scripts call (defined by lossbook-search.js).
CALLBACK = "lossbookSearchText"

#: Subtrees whose text is not part of the page's readable text.
_SKIP = (nodes.raw, nodes.comment, nodes.substitution_definition, nodes.system_message,
         nodes.image, nodes.pending)
#: Elements after which a space separates words (blocks, cells, list items...).
_BLOCK = (nodes.TextElement, nodes.Structural, nodes.list_item, nodes.entry,
          nodes.definition_list_item, nodes.field, nodes.admonition)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _reduce(node: nodes.Node, out: list[str]) -> None:
    """Append the text of ``node`` to ``out``: text escaped, ids as empty elements.

    An element with ids becomes ``<div id="first-id">...</div>`` around its text, so
    that ``[role=main] #id`` (how searchtools finds a section) selects the right part
    of the text; its other ids are empty spans.
    """
    if isinstance(node, nodes.target):  # no text, but links may point at its ids
        out.extend(f'<span id="{_escape(i)}"></span>' for i in node.get("ids", []))
        return
    if isinstance(node, _SKIP):
        return
    if isinstance(node, nodes.Text):
        out.append(_escape(node.astext()))
        return
    if not isinstance(node, nodes.Element):
        return
    ids = node.get("ids") or []
    if ids:
        out.append(f'<div id="{_escape(ids[0])}">')
        out.extend(f'<span id="{_escape(i)}"></span>' for i in ids[1:])
    for child in node.children:
        _reduce(child, out)
    if isinstance(node, _BLOCK):
        out.append(" ")
    if ids:
        out.append("</div>")


def page_text(doctree: nodes.document) -> str:
    """The reduced HTML (text and ids) of one page, whitespace collapsed."""
    out: list[str] = []
    _reduce(doctree, out)
    return " ".join("".join(out).split())


def _is_page_builder(app: Sphinx) -> bool:
    return app.builder.name in ("html", "dirhtml")


def write_page_text(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if not _is_page_builder(app):
        return
    if pagename == "search":
        app.add_js_file("lossbook-search.js")  # this page only (Sphinx resets per page)
        return
    if doctree is None:
        return
    dest = Path(app.outdir) / "_static" / TEXT_DIR / f"{pagename}.js"
    dest.parent.mkdir(parents=True, exist_ok=True)
    payload = f"{CALLBACK}({json.dumps(pagename)}, {json.dumps(page_text(doctree), ensure_ascii=False)});\n"
    dest.write_text(payload, encoding="utf-8")


def configure(app: Sphinx, config) -> None:
    static = str(STATIC)
    if static not in [str(Path(app.confdir, p).resolve()) for p in config.html_static_path]:
        config.html_static_path.append(static)
    if not config.html_search_scorer:
        config.html_search_scorer = str(STATIC / "search-scorer.js")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", configure)
    app.connect("html-page-context", write_page_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
