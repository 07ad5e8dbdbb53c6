"""Prove that the built book works offline, opened from disk.

Loads every page of ``_build/html`` from ``file://`` in headless Chromium with the
network switched off, and fails when

- a page requests anything that is not a local file (a CDN, a font service, ...),
  or a local file that does not exist;
- a page raises an uncaught JavaScript error;
- a page has math that MathJax did not typeset (every ``.math`` element must hold an
  ``mjx-container``, no ``mjx-merror``, no raw ``$$`` or ``\\(`` left in the text);
- a page has an ipywidgets output that the embed manager did not render, or a chart
  (Vega, inlined into an ``<iframe srcdoc>`` by ``lossbook.interactive.embed``) that
  was not drawn.

It also saves a screenshot of each page into ``_build/screenshots/`` for review
(the first screen; ``--full-page`` for the whole page, which is slower).

Usage::

    python tools/check_offline.py                    # every page of _build/html
    python tools/check_offline.py book/preface.html  # some pages (relative to the html dir)

Needs the ``playwright`` Python package and a Chromium binary: Debian's
``chromium`` (``apt-get install -y chromium``) at ``/usr/bin/chromium`` by default, or
the path in ``$CHROMIUM``. Playwright's own browser download is never used.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

#: Flags for a browser that stays quiet: no background traffic of its own.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]

#: Schemes a page may use without touching the network.
LOCAL = ("file:", "data:", "blob:", "about:")

#: Seconds to wait for MathJax to finish and for widgets to appear.
TIMEOUT_MS = 30_000

# Raw TeX delimiters left in the visible text (outside code) mean MathJax missed them.
RAW_MATH = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]")

_INSPECT = r"""
() => {
  const skip = "pre, code, script, style, .highlight, mjx-container, textarea";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.parentElement.closest(skip)) texts.push(n.textContent);
  }
  const maths = Array.from(document.querySelectorAll(".math"));
  return {
    text: texts.join(" "),
    math: maths.length,
    untypeset: maths.filter(m => !m.querySelector("mjx-container")).map(m => m.textContent.slice(0, 80)),
    containers: document.querySelectorAll("mjx-container").length,
    merrors: Array.from(document.querySelectorAll("mjx-merror")).map(e => e.textContent.slice(0, 80)),
    widget_views: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
    widgets: document.querySelectorAll(".jupyter-widgets.lm-Widget, .jupyter-widgets.p-Widget").length,
    widget_errors: Array.from(document.querySelectorAll(".jupyter-widgets")).filter(
      e => /Error displaying widget/.test(e.textContent)).length,
  };
}
"""


@dataclass
class Report:
    page: str
    problems: list[str] = field(default_factory=list)
    math: int = 0
    widgets: int = 0
    charts: int = 0


REDIRECT = re.compile(r'<meta http-equiv="refresh" content="\d+;\s*url=([^"]+)"', re.I)


def pages(html: Path, selected: list[str]) -> list[Path]:
    if selected:
        return [html / p for p in selected]
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)


def check_redirect(path: Path, html: Path) -> Report | None:
    """A redirect page (e.g. the root index.html) only needs its target to exist."""
    match = REDIRECT.search(path.read_text(encoding="utf-8", errors="replace"))
    if match is None:
        return None
    report = Report(path.relative_to(html).as_posix())
    target = match.group(1).split("#")[0]
    if "://" in target or not (path.parent / target).is_file():
        report.problems.append(f"redirects to {target!r}, which is not a page of the book")
    return report


# Iframes of charts (lossbook.interactive.embed: Vega inlined into <iframe srcdoc>)
# load lazily, i.e. never in a headless check that does not scroll: load them now.
_EAGER_IFRAMES = """
() => {
  const frames = Array.from(document.querySelectorAll("iframe"));
  frames.forEach(f => { f.loading = "eager"; });
  return frames.length;
}
"""

# In a frame: is there a Vega chart, and has vega-embed drawn it?
_CHART_DRAWN = """
() => {
  const html = document.documentElement.innerHTML;
  if (!html.includes("vegaEmbed")) return true;
  return !!document.querySelector(".vega-embed canvas, .vega-embed svg");
}
"""

# Wait for MathJax to finish typesetting (or fail), at most TIMEOUT_MS.
_MATHJAX_DONE = """
ms => new Promise(resolve => {
  const mj = window.MathJax;
  if (!mj || !mj.startup || !mj.startup.promise) { resolve("no MathJax"); return; }
  setTimeout(() => resolve("timeout"), ms);
  mj.startup.promise.then(() => resolve("done"), e => resolve("error: " + e));
})
"""


def check_frames(page, report: Report) -> None:
    """Every chart drawn in its iframe (Vega inlined, so no request either)."""
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('iframe')).every("
        "f => f.contentDocument && f.contentDocument.readyState === 'complete')"
    )
    for i, frame in enumerate(page.frames[1:]):
        try:
            frame.wait_for_function(_CHART_DRAWN)
        except Exception:
            report.problems.append(f"iframe {i} ({frame.url}): its chart was not drawn")
            continue
        if frame.evaluate("() => document.documentElement.innerHTML.includes('vegaEmbed')"):
            report.charts += 1


def check_page(context, path: Path, html: Path, shots: Path | None, full_page: bool = False) -> Report:
    redirect = check_redirect(path, html)
    if redirect is not None:
        return redirect
    rel = path.relative_to(html).as_posix()
    report = Report(rel)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    failed: list[str] = []
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else external.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on("pageerror", lambda e: report.problems.append(f"JavaScript error: {e}"))
    page.on(
        "console",
        lambda m: report.problems.append(f"console error: {m.text}")
        if m.type == "error" and "Failed to load resource" not in m.text
        else None,
    )
    try:
        page.goto(path.as_uri(), wait_until="load")
        if page.evaluate(_EAGER_IFRAMES):
            check_frames(page, report)
        state = page.evaluate(_MATHJAX_DONE, TIMEOUT_MS)
        if state not in ("done", "no MathJax"):
            report.problems.append(f"MathJax did not finish: {state}")
        info = page.evaluate(_INSPECT)
        if info["widget_views"]:
            try:  # the embed manager renders on window "load"; give it time
                page.wait_for_function(
                    "n => document.querySelectorAll('.jupyter-widgets.lm-Widget').length >= n",
                    arg=info["widget_views"],
                    timeout=TIMEOUT_MS,
                )
            except Exception:
                pass  # reported below, with the counts
            page.evaluate(_MATHJAX_DONE, TIMEOUT_MS)
            page.wait_for_timeout(500)  # let a widget's late requests (fonts) show up
            info = page.evaluate(_INSPECT)
        report.math, report.widgets = info["containers"], info["widgets"]
        if info["untypeset"]:
            first = ", ".join(repr(t) for t in info["untypeset"][:3])
            report.problems.append(
                f"{len(info['untypeset'])} of {info['math']} math elements not typeset by MathJax: {first}, ..."
            )
        for snippet in info["merrors"]:
            report.problems.append(f"MathJax error: {snippet!r}")
        raw = RAW_MATH.search(info["text"])
        if raw:
            start = max(raw.start() - 40, 0)
            report.problems.append(f"raw TeX left in the page: {info['text'][start:raw.end() + 40]!r}")
        if info["widget_views"] and info["widgets"] < info["widget_views"]:
            report.problems.append(
                f"{info['widget_views']} widget outputs but {info['widgets']} rendered widgets"
            )
        if info["widget_errors"]:
            report.problems.append(f"{info['widget_errors']} widgets show 'Error displaying widget'")
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            name = rel.removesuffix(".html").replace("/", "_") + ".png"
            page.screenshot(path=str(shots / name), full_page=full_page)
    except Exception as exc:  # a timeout or a crash is a failure of this page, not of the run
        report.problems.append(f"could not check the page: {exc}")
    finally:
        page.close()
    report.problems += [f"external request: {u}" for u in external]
    report.problems += [f"request failed: {f}" for f in failed if f.startswith("file:")]
    return report


class Browser:
    """Headless Chromium, network off, fresh profile; check pages one by one.

    Use as a context manager::

        with Browser() as browser:
            report = browser.check(HTML / "book/preface.html")
    """

    def __init__(self, html: Path = HTML, shots: Path | None = SCREENSHOTS, full_page: bool = False,
                 width: int = 1280, height: int = 900):
        self.html, self.shots, self.full_page = html, shots, full_page
        self.viewport = {"width": width, "height": height}

    def __enter__(self) -> "Browser":
        from playwright.sync_api import sync_playwright

        if not Path(CHROMIUM).exists():
            raise FileNotFoundError(
                f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set $CHROMIUM)"
            )
        self._profile = tempfile.TemporaryDirectory(prefix="check-offline-")
        self._pw = sync_playwright().start()
        self.context = self._pw.chromium.launch_persistent_context(
            self._profile.name,  # a fresh --user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            offline=True,
            viewport=self.viewport,
            service_workers="block",
        )

        def guard(route):  # the network is off anyway; refuse explicitly, at once
            if route.request.url.startswith(LOCAL):
                route.continue_()
            else:
                route.abort("internetdisconnected")

        self.context.route("**/*", guard)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.context.close()
        finally:
            self._pw.stop()
            self._profile.cleanup()

    def check(self, path: Path) -> Report:
        return check_page(self.context, path, self.html, self.shots, self.full_page)


def run(selected: list[str] | None = None, html: Path = HTML, shots: Path | None = SCREENSHOTS,
        full_page: bool = False) -> list[Report]:
    """Check the pages; return one report per page (empty ``problems``: all good)."""
    if not (html / "index.html").exists():
        raise FileNotFoundError(f"{html} holds no built book; run `make book` first")
    with Browser(html, shots, full_page) as browser:
        return [browser.check(path) for path in pages(html, selected or [])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="pages relative to the html dir (default: all)")
    parser.add_argument("--html", type=Path, default=HTML)
    parser.add_argument("--screenshots", type=Path, default=SCREENSHOTS)
    parser.add_argument("--no-screenshots", action="store_true")
    parser.add_argument("--full-page", action="store_true", help="screenshot whole pages (slow)")
    args = parser.parse_args(argv)
    shots = None if args.no_screenshots else args.screenshots
    reports = run(args.pages, args.html, shots, args.full_page)
    bad = [r for r in reports if r.problems]
    for r in reports:
        status = "FAIL" if r.problems else "ok  "
        print(f"{status} {r.page:40s} math={r.math:<4d} widgets={r.widgets:<3d} charts={r.charts}")
        for p in r.problems:
            print(f"     - {p}")
    print(f"{len(reports) - len(bad)}/{len(reports)} pages offline-clean"
          + (f"; screenshots in {shots}" if shots else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
