"""Print the whole book as one PDF: the single-page HTML build, in headless Chromium.

``make pdf`` builds the book as one HTML page (``jupyter-book build . --builder
singlehtml``: the same doctrees and the same cache of executed notebooks as ``make
book``, so no notebook runs again) and then runs this script, which

1. opens ``_build/singlehtml/book/index.html`` from disk with the network off;
2. waits until MathJax has typeset every equation and every chart is drawn;
3. opens the exercises' solutions and every dropdown (a printed book shows them), adds a
   title page (title, authors, version, date, licences, website) and a contents page
   (chapters and their sections, as links), and starts every chapter on a new page;
4. prints it with Chromium's PDF printer (A4, page numbers in the footer);
5. adds the PDF's outline (bookmarks: the chapters and their sections, each pointing at
   its page) and its metadata with pypdf, into ``_build/html/lossbook.pdf``, where the
   download menu of every page and the footer link it.

Chapter numbers, figure and equation numbers and the bibliography are the HTML
build's own. The print stylesheet (``book/_static/lossbook.css``, ``@media print``)
wraps code instead of cutting it off. Printing takes minutes (MathJax's thousands of
equations are most of the work), so nothing is printed again when the single page,
this script, the CSS, the configuration and the version are what the last PDF was
printed from (``--force`` prints anyway).

Usage::

    python tools/pdf.py [SINGLE_PAGE_HTML] [OUTPUT_PDF] [--force]

Needs the ``playwright`` and ``pypdf`` packages and Debian's Chromium
(``/usr/bin/chromium`` or ``$CHROMIUM``); never downloads a browser.
"""

from __future__ import annotations

import argparse
import hashlib
import html as html_escape
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_offline  # noqa: E402
from book_site import build_year, package_version  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SINGLE = ROOT / "_build" / "singlehtml" / "book" / "index.html"
OUT = ROOT / "_build" / "html" / "lossbook.pdf"
#: Milliseconds to wait for MathJax on the whole book, and for the charts.
TIMEOUT_MS = 900_000
#: Print scale: the screen's 16 px text at 85% reads like a printed book's 10 pt, and
#: 80-character code lines fit the A4 column.
SCALE = 0.85

_MATHJAX_DONE = """
() => new Promise((resolve, reject) => {
  const mj = window.MathJax;
  if (!mj || !mj.startup || !mj.startup.promise) { resolve("no MathJax"); return; }
  mj.startup.promise.then(() => resolve("done"), e => reject(String(e)));
})
"""

_FRAMES_READY = """
() => Array.from(document.querySelectorAll("iframe")).every(f => {
  f.loading = "eager";
  const d = f.contentDocument;
  return d && d.readyState === "complete" && (!d.documentElement.innerHTML.includes("vegaEmbed")
    || d.querySelector(".vega-embed canvas, .vega-embed svg"));
})
"""

# Show what the screen hides behind a click: solutions, dropdowns, <details>.
_OPEN_ALL = """
() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  document.querySelectorAll(".toggle-hidden").forEach(e => e.classList.remove("toggle-hidden"));
  document.querySelectorAll(".toggle-details, .dropdown.admonition").forEach(e => e.classList.add("toggle-details--open"));
  document.querySelectorAll("button.toggle-button").forEach(b => b.remove());
}
"""

# The chapters (each page of the HTML book is a section after a span#document-...) and
# their sections: [anchor, title, [[anchor, title], ...]]. Titles as a reader sees them:
# the section number, the text, the maths as its characters; no permalink sign. (In the
# single page a chapter's title is an h2, its sections' h3.) Several chapters have a
# section "exercises": where an id is not unique, a new anchor is added for the PDF.
_OUTLINE = """
() => {
  const title = (s) => {
    const h = s.querySelector(":scope > h1, :scope > h2, :scope > h3, :scope > h4");
    if (!h) return "";
    const c = h.cloneNode(true);
    c.querySelectorAll(".headerlink").forEach(e => e.remove());
    c.querySelectorAll("mjx-container").forEach(m => {
      const mml = m.querySelector("mjx-assistive-mml");
      m.replaceWith(document.createTextNode(mml ? mml.textContent : ""));
    });
    return c.textContent.replace(/\\s+/g, " ").trim();
  };
  const counts = new Map();
  document.querySelectorAll("[id]").forEach(e => counts.set(e.id, (counts.get(e.id) || 0) + 1));
  let n = 0;
  const anchor = (s) => {
    if (s.id && counts.get(s.id) === 1) return s.id;
    const span = document.createElement("span");
    span.id = `lossbook-pdf-${++n}`;
    s.prepend(span);
    return span.id;
  };
  return Array.from(document.querySelectorAll('article.bd-article span[id^="document-"] + section')).map(s => [
    anchor(s), title(s),
    Array.from(s.querySelectorAll(":scope > section")).map(t => [anchor(t), title(t)]),
  ]);
}
"""

_PRINT_CSS = """
@media print {
  .lossbook-cover { break-after: page; min-height: 90vh; display: flex; flex-direction: column;
                    justify-content: center; text-align: center; }
  .lossbook-cover h1 { font-size: 2.4rem; margin-bottom: 1rem; }
  .lossbook-cover p { margin: 0.3rem 0; }
  .lossbook-cover .lossbook-cover-small { font-size: 0.85rem; margin-top: 3rem; }
  .lossbook-contents { break-after: page; }
  .lossbook-contents h2 { margin-top: 0; }
  .lossbook-contents ol { list-style: none; padding-left: 0; }
  .lossbook-contents > ol > li { margin-top: 0.45rem; font-weight: 600; break-inside: avoid; }
  .lossbook-contents ol ol { padding-left: 1.6rem; font-weight: 400; font-size: 0.85rem; columns: 2; }
  .lossbook-contents a { color: inherit; text-decoration: none; }
  .bd-footer-content { break-before: avoid; }
  /* Every chapter (each page of the HTML book) starts on a new sheet. */
  article.bd-article span[id^="document-"] + section { break-before: page; }
}
"""


def cover_html(config: dict, version: str, date: str) -> str:
    e = html_escape.escape
    repo = config.get("repository", {}).get("url", "")
    site = (config.get("html", {}) or {}).get("baseurl", "")
    return f"""
<section class="lossbook-cover">
  <h1>{e(config.get("title", "lossbook"))}</h1>
  <p>{e(config.get("author", ""))}</p>
  <p>Version {e(version)} · {e(date)}</p>
  <p class="lossbook-cover-small">Read online: {e(site)} · Source, notebooks and issues: {e(repo)}</p>
  <p class="lossbook-cover-small">Text and figures: Creative Commons Attribution-ShareAlike 4.0
  (CC BY-SA 4.0). Code: MIT licence.</p>
</section>
"""


def contents_html(outline: list) -> str:
    """A contents page whose links also make every heading a destination of the PDF."""
    e = html_escape.escape
    items = []
    for sid, title, sections in outline:
        subs = "".join(f'<li><a href="#{e(i)}">{e(t)}</a></li>' for i, t in sections if i and t)
        items.append(f'<li><a href="#{e(sid)}">{e(title)}</a>' + (f"<ol>{subs}</ol>" if subs else "") + "</li>")
    return f'<section class="lossbook-contents"><h2>Contents</h2><ol>{"".join(items)}</ol></section>'


FOOTER = """
<div style="font-size:8px; width:100%; text-align:center; color:#666;">
  <span class="pageNumber"></span> / <span class="totalPages"></span>
</div>
"""


def fingerprint(single: Path) -> str:
    """What the PDF is made of: the single page, this script, the CSS, the configuration."""
    digest = hashlib.sha256()
    for path in (single, Path(__file__), ROOT / "book" / "_static" / "lossbook.css", ROOT / "_config.yml"):
        digest.update(path.read_bytes() if path.exists() else b"")
    digest.update(package_version().encode())
    return digest.hexdigest()


def add_outline(raw: Path, out: Path, outline: list, metadata: dict) -> int:
    """Copy the printed PDF ``raw`` to ``out`` with bookmarks for ``outline`` (chapters
    and their sections, at the pages Chromium put their headings on) and metadata."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(raw)
    dests = reader.named_destinations
    writer = PdfWriter(clone_from=reader)

    def page_of(anchor: str) -> int | None:
        dest = dests.get(f"/{anchor}") or dests.get(anchor)
        return None if dest is None else reader.get_destination_page_number(dest)

    count = 0
    for sid, title, sections in outline:
        page = page_of(sid)
        if page is None or not title:
            continue
        parent = writer.add_outline_item(title=title, page_number=page)
        count += 1
        for sub_id, sub_title in sections:
            sub_page = page_of(sub_id)
            if sub_page is not None and sub_title:
                writer.add_outline_item(title=sub_title, page_number=sub_page, parent=parent)
                count += 1
    writer.page_mode = "/UseOutlines"
    writer.add_metadata(metadata)
    with open(out, "wb") as f:
        writer.write(f)
    return count


def print_pdf(single: Path = SINGLE, out: Path = OUT, log=print, force: bool = False) -> dict:
    """Print ``single`` into ``out``; return timings and counts (``skipped`` when the
    PDF is already the print of this page)."""
    single, out = Path(single).resolve(), Path(out).resolve()
    if not single.is_file():
        raise FileNotFoundError(
            f"{single} does not exist: build it with `jupyter-book build . --builder singlehtml` (`make pdf`)"
        )
    stamp = single.parent / ".lossbook-pdf.sha256"
    print_id = fingerprint(single)
    if not force and out.is_file() and stamp.is_file() and stamp.read_text().split() == [print_id, str(out)]:
        log(f"pdf: {out} is up to date")
        return {"skipped": True, "errors": []}
    # Sphinx writes the single page at its root document's path (book/index.html) but
    # links its assets relative to the output's root (_static/, _images/): open a copy
    # that sits at that root.
    site = single.parent
    while not (site / "_static").is_dir() and site != site.parent:
        site = site.parent
    page_file = single
    if site != single.parent:
        page_file = site / "lossbook-print.html"
        page_file.write_bytes(single.read_bytes())
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    version = package_version()
    year = build_year()
    date = time.strftime("%Y-%m-%d", time.gmtime()) if year == time.gmtime().tm_year else str(year)
    timings: dict = {"skipped": False}
    start = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lossbook-pdf-") as tmp, \
            check_offline.Browser(site, shots=None, width=1000, height=1400) as browser:
        page = browser.context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri(), wait_until="load")
        timings["load_s"] = time.perf_counter() - start
        timings["mathjax"] = page.evaluate(_MATHJAX_DONE)
        page.wait_for_function(_FRAMES_READY)
        timings["typeset_s"] = time.perf_counter() - start
        timings["equations"] = page.evaluate("() => document.querySelectorAll('mjx-container').length")
        page.evaluate(_OPEN_ALL)
        outline = page.evaluate(_OUTLINE)
        page.add_style_tag(content=_PRINT_CSS)
        page.evaluate(
            """([front, title]) => {
                 const article = document.querySelector("article.bd-article") || document.body;
                 article.insertAdjacentHTML("afterbegin", front);
                 document.title = title;
               }""",
            [cover_html(config, version, date) + contents_html(outline), config.get("title", "lossbook")],
        )
        raw = Path(tmp) / "printed.pdf"
        page.pdf(
            path=str(raw), format="A4", print_background=True, scale=SCALE,
            margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
            display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
        )
        page.close()
        timings["printed_s"] = time.perf_counter() - start
        timings["bookmarks"] = add_outline(raw, out, outline, {
            "/Title": config.get("title", "lossbook"),
            "/Author": config.get("author", ""),
            "/Subject": f"Version {version}",
            "/Keywords": "loss functions, machine learning, optimization",
        })
    if page_file != single:
        page_file.unlink(missing_ok=True)
    timings["total_s"] = time.perf_counter() - start
    timings["errors"] = errors
    stamp.write_text(f"{print_id} {out}\n")
    log(f"pdf: {out} ({out.stat().st_size / 1e6:.1f} MB, {timings['bookmarks']} bookmarks), "
        f"{timings['equations']} equations typeset; loaded in {timings['load_s']:.0f} s, typeset by "
        f"{timings['typeset_s']:.0f} s, printed by {timings['printed_s']:.0f} s, done in {timings['total_s']:.0f} s")
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("single", nargs="?", type=Path, default=SINGLE)
    parser.add_argument("out", nargs="?", type=Path, default=OUT)
    parser.add_argument("--force", action="store_true", help="print even if the PDF is up to date")
    args = parser.parse_args(argv)
    timings = print_pdf(args.single, args.out, force=args.force)
    for error in timings["errors"]:
        print(f"pdf: JavaScript error on the page: {error}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
