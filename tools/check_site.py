"""Check the built book as a reader on a phone, on a slow connection and in search sees it.

Three checks of ``_build/html`` in headless Chromium, opened from ``file://`` with the
network off (the browser and its flags are ``check_offline``'s):

**Narrow screens** (``narrow``): every page at 400 px wide, with every dropdown,
solution and tab opened. No display equation, table, image, chart frame or Vega chart
may stick out of the text column, unless it sits in a scroll box that fits the column
(display maths and wide tables scroll sideways); nothing may be cut off by a box that
hides its overflow; a chart's frame must hold its chart (the document inside an
``<iframe>`` no wider than the frame); and the page itself must not scroll sideways.

**Page weight** (``weights``): what each page alone makes a reader download. While a
page loads, every file it requests is recorded, as are the files its HTML names
(``src``/``href``/``srcset``, also inside an ``<iframe srcdoc>``). A file that two or
more pages use (the theme's CSS and JavaScript, MathJax and its fonts, the search
index, a shared chart library) is a *shared asset*: the browser fetches it once for
the whole site, so it is counted once, in the site's shared total, and reported
separately. A page's *weight* is its HTML file (inlined scripts, styles, images and
``srcdoc`` frames included) plus the files that it alone uses (its figures, its own
frames and data). Sizes are bytes on disk, before any HTTP compression.

**Search** (``search``): a query on ``search.html`` from disk: the results must come
with excerpts, no request may fail, and the first result must be the expected page.

Usage::

    python tools/check_site.py                      # all three, every page
    python tools/check_site.py weights              # the page-weight table
    python tools/check_site.py narrow book/06_robust.html
    python tools/check_site.py search Huber=book/06_robust hinge=book/11_hinge_svm

Needs the ``playwright`` package and Debian's Chromium (``/usr/bin/chromium`` or
``$CHROMIUM``); never downloads a browser.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_offline  # noqa: E402
from check_offline import HTML, REDIRECT, TIMEOUT_MS  # noqa: E402

#: The phone width of the narrow check, in CSS pixels.
NARROW_PX = 400
#: Page-weight limits (bytes): the median page, and any page.
MEDIAN_LIMIT = 1_500_000
MAX_LIMIT = 4_000_000

# ------------------------------------------------------------------ pages


def site_pages(html: Path = HTML) -> list[str]:
    """The pages of the site (relative paths), redirect stubs left out."""
    out = []
    for path in sorted(html.rglob("*.html")):
        if "_static" in path.relative_to(html).parts:
            continue
        if REDIRECT.search(path.read_text(encoding="utf-8", errors="replace")[:2000]):
            continue
        out.append(path.relative_to(html).as_posix())
    return out


# ------------------------------------------------------------------ files a page names


class _Refs(HTMLParser):
    """Local files named by an HTML document: src, href of stylesheets/icons, srcset,
    iframe srcdoc (parsed in turn)."""

    LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "shortcut icon"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed", "track") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "object" and a.get("data"):
            self.urls.append(a["data"])
        if tag == "link" and a.get("href") and (a.get("rel") or "").lower() in self.LINK_RELS:
            self.urls.append(a["href"])
        if a.get("srcset"):
            self.urls += [part.strip().split(" ")[0] for part in a["srcset"].split(",") if part.strip()]
        if tag == "iframe" and a.get("srcdoc"):
            inner = _Refs()
            inner.feed(a["srcdoc"])
            self.urls += inner.urls


def _local_file(url: str, base: Path, html: Path) -> Path | None:
    """The file of the site that ``url`` (relative to the page ``base``) names."""
    if not url or url.startswith(("data:", "blob:", "about:", "javascript:", "#")):
        return None
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = Path(unquote(parts.path))
    elif parts.scheme or url.startswith("//"):
        return None  # the network: check_offline reports it
    else:
        path = (base.parent / unquote(parts.path)).resolve()
    try:
        path.relative_to(html.resolve())
    except ValueError:
        return None
    return path if path.is_file() else None


def named_files(page: Path, html: Path = HTML) -> set[Path]:
    refs = _Refs()
    refs.feed(page.read_text(encoding="utf-8", errors="replace"))
    found = (_local_file(u, page, html) for u in refs.urls)
    return {f for f in found if f is not None and f != page.resolve()}


# ------------------------------------------------------------------ page weight


@dataclass
class Weight:
    page: str
    html: int
    own: dict[str, int] = field(default_factory=dict)  # file -> bytes, used by this page only

    @property
    def total(self) -> int:
        return self.html + sum(self.own.values())


@dataclass
class Weights:
    pages: list[Weight]
    shared: dict[str, int]  # file -> bytes, used by two or more pages (counted once)

    @property
    def median(self) -> float:
        return statistics.median(w.total for w in self.pages)

    @property
    def heaviest(self) -> Weight:
        return max(self.pages, key=lambda w: w.total)

    def table(self) -> str:
        lines = [f"{'page':42s} {'html':>10s} {'own files':>10s} {'weight':>10s}"]
        for w in sorted(self.pages, key=lambda w: -w.total):
            lines.append(f"{w.page:42s} {w.html:10,d} {sum(w.own.values()):10,d} {w.total:10,d}")
        lines.append(
            f"median {self.median:,.0f} B; heaviest {self.heaviest.page} {self.heaviest.total:,d} B; "
            f"shared assets {len(self.shared)} files, {sum(self.shared.values()):,d} B (once per site)"
        )
        return "\n".join(lines)


def weigh(requested: dict[str, set[Path]], html: Path = HTML) -> Weights:
    """Page weights from the files each page requested (page -> files), plus the files
    each page's HTML names."""
    html = html.resolve()
    used: dict[str, set[Path]] = {}
    for page, files in requested.items():
        path = (html / page).resolve()
        used[page] = ({f.resolve() for f in files} | named_files(path, html)) - {path}
    users: dict[Path, int] = {}
    for files in used.values():
        for f in files:
            users[f] = users.get(f, 0) + 1
    rel = lambda f: f.relative_to(html).as_posix()  # noqa: E731
    pages = [
        Weight(page, (html / page).stat().st_size,
               {rel(f): f.stat().st_size for f in files if users[f] == 1})
        for page, files in used.items()
    ]
    shared = {rel(f): f.stat().st_size for f, n in users.items() if n > 1}
    return Weights(pages, shared)


# ------------------------------------------------------------------ the browser


# Open every dropdown, solution and tab, so that what they hide is measured too.
_OPEN_ALL = r"""
() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  const style = document.createElement("style");
  style.textContent = `
    .toggle-hidden, .sd-tab-content, .dropdown .admonition-body, details > * {
      display: block !important; visibility: visible !important; height: auto !important; }`;
  document.head.appendChild(style);
}
"""

# What sticks out of the text column, or is cut off, at this width.
_NARROW = r"""
(px) => {
  const article = document.querySelector("article.bd-article") || document.querySelector("[role=main]");
  if (!article) return {problems: [], checked: 0};
  const cs = getComputedStyle(article);
  const a = article.getBoundingClientRect();
  const col = {left: a.left + parseFloat(cs.paddingLeft), right: a.right - parseFloat(cs.paddingRight)};
  const what = (el) => {
    const id = el.id || (el.closest("[id]") || {}).id || "";
    const label = el.matches("mjx-container") ? "equation" : el.matches("iframe") ? "chart frame"
      : el.matches(".vega-embed") ? "chart" : el.tagName.toLowerCase();
    const text = (el.getAttribute("aria-label") || el.textContent || el.getAttribute("src") || "").trim().slice(0, 50);
    return `${label} near #${id}: ${JSON.stringify(text)}`;
  };
  const scrolls = (s) => s === "auto" || s === "scroll";
  const problems = [];
  const sel = 'mjx-container[display="true"], table, img, iframe, .vega-embed, div.math, svg, canvas';
  let checked = 0;
  for (const el of article.querySelectorAll(sel)) {
    if (el.closest("mjx-container") && el.tagName.toLowerCase() === "svg") continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    checked += 1;
    // Walk up to the column: a scroll box that fits makes it fine; a box that hides
    // its overflow and is narrower than the element cuts it off.
    let scroller = null, cutBy = null;
    for (let p = el.parentElement; p && p !== article; p = p.parentElement) {
      const s = getComputedStyle(p);
      const pr = p.getBoundingClientRect();
      if (scrolls(s.overflowX)) { scroller = p; break; }
      if ((s.overflowX === "hidden" || s.overflowX === "clip") && (r.right > pr.right + 1 || r.left < pr.left - 1)) {
        cutBy = p; break;
      }
    }
    if (cutBy) {
      problems.push(`${what(el)} is ${Math.round(r.width)} px wide, cut off by a ${cutBy.tagName.toLowerCase()}.${cutBy.className} of ${Math.round(cutBy.getBoundingClientRect().width)} px`);
      continue;
    }
    const box = scroller ? scroller.getBoundingClientRect() : r;
    if (box.right > col.right + 1 || box.left < col.left - 1) {
      problems.push(`${what(el)} spans ${Math.round(box.left)}..${Math.round(box.right)} px, outside the column ${Math.round(col.left)}..${Math.round(col.right)} px`);
      continue;
    }
    const own = getComputedStyle(el);
    if ((own.overflowX === "hidden" || own.overflowX === "clip") && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`${what(el)} hides ${el.scrollWidth - el.clientWidth} px of its content`);
      continue;
    }
    if (el.tagName.toLowerCase() === "iframe") {
      let doc = null;
      try { doc = el.contentDocument; } catch (e) { doc = null; }
      if (doc && doc.documentElement) {
        const inner = Math.max(doc.documentElement.scrollWidth, doc.body ? doc.body.scrollWidth : 0);
        if (inner > el.clientWidth + 1) {
          problems.push(`${what(el)}: its content is ${inner} px wide in a frame of ${el.clientWidth} px`);
        }
      }
    }
  }
  const pageWidth = document.documentElement.scrollWidth;
  if (pageWidth > window.innerWidth + 1) {
    // The culprits: sticking out, and inside no box that scrolls or clips.
    const contained = (e) => {
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX !== "visible" || s.position === "fixed") return true;
      }
      return false;
    };
    const wide = Array.from(document.body.querySelectorAll("*"))
      .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1; })
      .filter(e => getComputedStyle(e).position !== "fixed" && !contained(e))
      .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
      .slice(0, 3).map(e => `${e.tagName.toLowerCase()}.${String(e.className).split(" ")[0]} ${JSON.stringify(e.textContent.trim().slice(0, 40))}`);
    problems.push(`the page is ${pageWidth} px wide at ${window.innerWidth} px: it scrolls sideways (${wide.join(", ")})`);
  }
  return {problems, checked};
}
"""

# Printed, a code block must wrap its long lines: nothing hidden, nothing to scroll.
_PRINTED = r"""
() => Array.from(document.querySelectorAll("article.bd-article pre")).filter(pre => {
  const s = getComputedStyle(pre);
  return pre.getBoundingClientRect().width > 0 && (!/pre-wrap|pre-line|break-spaces/.test(s.whiteSpace)
    || pre.scrollWidth > pre.clientWidth + 1);
}).map(pre => `code block ${JSON.stringify(pre.textContent.trim().slice(0, 60))} does not wrap on paper`)
"""

_MATHJAX_DONE = check_offline._MATHJAX_DONE

_FRAMES_READY = """
() => {
  const frames = Array.from(document.querySelectorAll("iframe"));
  frames.forEach(f => { f.loading = "eager"; });
  return frames.every(f => f.contentDocument && f.contentDocument.readyState === "complete"
    && (!f.contentDocument.documentElement.innerHTML.includes("vegaEmbed")
        || f.contentDocument.querySelector(".vega-embed canvas, .vega-embed svg")));
}
"""


@dataclass
class PageReport:
    page: str
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    requested: set[Path] = field(default_factory=set)


class Browser(check_offline.Browser):
    """``check_offline``'s browser (headless Chromium, network off, fresh profile) at
    ``width`` px; use as a context manager."""

    def __init__(self, html: Path = HTML, width: int = NARROW_PX, extra_css: Path | None = None):
        super().__init__(html, shots=None, width=width, height=800)
        self.width, self.extra_css = width, extra_css

    def narrow(self, rel: str) -> PageReport:
        """Load one page; record its requests; report what does not fit at this width."""
        report = PageReport(rel)
        page = self.context.new_page()
        page.set_default_timeout(TIMEOUT_MS)

        def record(request):
            if request.url.startswith("file:"):
                path = Path(unquote(urlsplit(request.url).path))
                if path.is_file():
                    report.requested.add(path)

        page.on("request", record)
        try:
            page.goto((self.html / rel).as_uri(), wait_until="load")
            if self.extra_css is not None:  # try a stylesheet on a built site
                page.add_style_tag(path=str(self.extra_css))
            try:
                page.wait_for_function(_FRAMES_READY, timeout=TIMEOUT_MS)
            except Exception:
                report.problems.append("a chart frame did not finish loading")
            page.evaluate(_MATHJAX_DONE, TIMEOUT_MS)
            page.evaluate(_OPEN_ALL)
            page.wait_for_timeout(50)
            result = page.evaluate(_NARROW, self.width)
            report.problems += result["problems"]
            report.checked = result["checked"]
        except Exception as exc:
            report.problems.append(f"could not check the page: {exc}")
        finally:
            page.close()
        return report

    def printed(self, rel: str) -> list[str]:
        """Code blocks that would run off the paper when the page is printed."""
        page = self.context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        try:
            page.goto((self.html / rel).as_uri(), wait_until="load")
            page.emulate_media(media="print")
            return page.evaluate(_PRINTED)
        finally:
            page.close()

    def search(self, query: str) -> dict:
        """Run ``query`` on search.html; the results (href, title, excerpt) and failures."""
        page = self.context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        failed, warnings = [], []
        page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        page.on("pageerror", lambda e: warnings.append(f"JavaScript error: {e}"))
        page.on("console", lambda m: warnings.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        try:
            page.goto((self.html / "search.html").as_uri() + "?q=" + query, wait_until="load")
            # Sphinx writes "Search finished, found N page(s)..." when every result is shown.
            page.wait_for_function(
                "() => /Search finished|did not match/.test((document.querySelector('#search-results .search-summary') || {}).textContent || '')"
            )
            # Excerpts arrive after their text loads: wait until every result has one.
            try:
                page.wait_for_function(
                    "() => Array.from(document.querySelectorAll('#search-results ul.search > li'))"
                    ".every(li => li.querySelector('p.context') || li.querySelector('span'))",
                    timeout=10_000,
                )
            except Exception:
                pass  # reported by the caller: results without excerpts
            results = page.evaluate(
                """() => Array.from(document.querySelectorAll('#search-results ul.search > li')).map(li => {
                    const a = li.querySelector('a');
                    const c = li.querySelector('p.context');
                    return {href: a.getAttribute('href'), title: a.textContent,
                            excerpt: c ? c.textContent : null, described: !!li.querySelector('span')};
                })"""
            )
        finally:
            page.close()
        return {"results": results, "failed": failed, "warnings": warnings}


# ------------------------------------------------------------------ the command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("check", nargs="?", choices=["all", "narrow", "weights", "search"], default="all")
    parser.add_argument("args", nargs="*", help="pages (narrow, weights) or QUERY=page (search)")
    parser.add_argument("--html", type=Path, default=HTML)
    parser.add_argument("--extra-css", type=Path, help="add this stylesheet to each page (to try CSS)")
    args = parser.parse_args(argv)
    if not (args.html / "index.html").exists():
        raise SystemExit(f"{args.html} holds no built book; run `make book` first")
    bad = 0
    with Browser(args.html, extra_css=args.extra_css) as browser:
        if args.check in ("all", "narrow", "weights"):
            pages = args.args if args.check != "all" and args.args else site_pages(args.html)
            reports = [browser.narrow(p) for p in pages]
            if args.check in ("all", "narrow"):
                for r in reports:
                    print(f"{'FAIL' if r.problems else 'ok  '} {r.page:42s} {r.checked} elements at {NARROW_PX} px")
                    for p in r.problems:
                        print(f"     - {p}")
                bad += sum(bool(r.problems) for r in reports)
            if args.check in ("all", "weights"):
                weights = weigh({r.page: r.requested for r in reports}, args.html)
                print(weights.table())
                bad += weights.median >= MEDIAN_LIMIT or weights.heaviest.total >= MAX_LIMIT
        if args.check in ("all", "search"):
            wanted = dict(a.split("=", 1) for a in args.args) if args.check == "search" else {}
            for query, expected in (wanted or {"Huber": "book/06_robust"}).items():
                found = browser.search(query)
                first = found["results"][0]["href"] if found["results"] else None
                excerpts = sum(r["excerpt"] is not None for r in found["results"])
                ok = first is not None and first.split("#")[0] == f"{expected}.html" and not found["failed"]
                bad += not ok
                print(f"{'ok  ' if ok else 'FAIL'} {query!r}: first {first}, {len(found['results'])} results, "
                      f"{excerpts} with excerpts, {len(found['failed'])} failed requests")
                for r in found["results"][:5]:
                    print(f"     {r['href']}: {(r['excerpt'] or '')[:90]!r}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
