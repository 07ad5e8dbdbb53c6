"""Prove that the static interactive charts of a built page respond to their sliders.

Opens an HTML page (a built chapter such as ``_build/html/book/23_playground.html``,
or any page holding charts made by :func:`lossbook.interactive.fragment`) in headless
Chromium with the network off, finds every chart (each ``.lossbook-chart`` element,
whose Vega view ``lossbook-charts.js`` keeps in ``window.lossbookCharts``; or a frame
with ``window.vegaView``), and in each one moves every slider (``input[type=range]``
among its controls) to its minimum and to its maximum with real ``input`` events,
reading the drawn marks after each move from Vega's scene graph.  It fails (exit
status 1) when

- the page requests anything that is not a local file (the charts must be offline);
- the page or a chart raises a JavaScript error;
- a page holds no chart, or a chart does not finish rendering;
- in a chart, no slider changes the drawn marks (``--slider LABEL``: that slider
  must; ``--every-slider``: each one must), or the marks named by ``--mark`` hold
  nothing;
- moving a slider away and back does not give the first drawing again;
- a chart has no slider and none of its menus changes the drawn marks (for a chart
  driven by menus alone, each menu is set to its first and to its last option);
- a slider of a chart made by :mod:`lossbook.interactive` does not change the drawn
  marks where its figure's spec says it matters: the chart lists, for each slider,
  the parameters that make it matter (e.g. "Huber's delta: with Huber checked"),
  derived from the controls' ``when``, and the check sets them first.

Usage::

    python tools/check_sliders.py _build/html/book/23_playground.html
    python tools/check_sliders.py page.html --mark path --slider "learning rate"

Needs the ``playwright`` Python package and Debian's Chromium at ``/usr/bin/chromium``
(or the path in ``$CHROMIUM``); Playwright's own browser download is never used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# The browser, its quiet flags and what counts as local are check_offline's.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_offline import CHROMIUM, FLAGS, LOCAL, TIMEOUT_MS  # noqa: E402

# The charts of a frame: the views of lossbook-charts.js, else a lone window.vegaView.
_CHARTS = r"""
const charts = () => (window.lossbookCharts && window.lossbookCharts.length)
  ? window.lossbookCharts.map(c => ({view: c.view, el: c.el}))
  : (window.vegaView ? [{view: window.vegaView, el: document.body}] : []);
"""

# The drawn marks of chart i: for every mark (optionally only those whose name starts
# with a prefix, e.g. "path" for the unit named "path", whose marks Vega names
# "path_marks"), the geometry of its items.  Vega-Lite's data-less helper marks
# (axes, legends, titles) are roles other than "mark" and are skipped.
_MARKS = "([i, prefix]) => {" + _CHARTS + r"""
  const out = {};
  const round = v => (typeof v === "number" ? Math.round(v * 100) / 100 : v);
  function walk(node) {
    if (!node) return;
    if (node.marktype && node.role === "mark" && (!prefix || (node.name || "").startsWith(prefix))) {
      const items = (node.items || []).map(it => [it.x, it.y, it.x2, it.y2, it.width, it.height,
                                                 it.text, it.fill, it.stroke].map(round));
      const key = node.name || node.marktype;
      out[key] = (out[key] || []).concat(items);
    }
    for (const child of node.items || []) walk(child);
  }
  walk(charts()[i].view.scenegraph().root);
  return out;
}
"""

# The sliders of chart i, each with the parameters that make it matter (the chart's
# "sliders" entry, derived from its figure's spec by lossbook.interactive), if known.
_SLIDERS = "(i) => {" + _CHARTS + r"""
  const c = charts()[i];
  const script = c.el.querySelector && c.el.querySelector("script.lossbook-chart-spec");
  const needs = script ? (JSON.parse(script.textContent).sliders || {}) : {};
  return Array.from(c.el.querySelectorAll("input[type=range]")).map((el, j) => {
    const label = el.closest(".vega-bind") ? el.closest(".vega-bind").textContent.trim() : (el.name || "");
    return {index: j, label, min: el.min, max: el.max, value: el.value, needs: needs[el.name] || null};
  });
}
"""

# Set parameters of chart i; return their previous values.
_SET = "async ([i, values]) => {" + _CHARTS + r"""
  const view = charts()[i].view, old = {};
  for (const [k, v] of Object.entries(values)) { old[k] = view.signal(k); view.signal(k, v); }
  await view.runAsync();
  return old;
}
"""

# Set control ``index`` among the elements matching ``selector`` (a slider, or a menu)
# of chart i to ``value``, with the events a reader's move fires.
_MOVE = "async ([i, selector, index, value]) => {" + _CHARTS + r"""
  const c = charts()[i];
  const el = c.el.querySelectorAll(selector)[index];
  el.value = value;
  el.dispatchEvent(new Event("input", {bubbles: true}));
  el.dispatchEvent(new Event("change", {bubbles: true}));
  await c.view.runAsync();
  return el.value;
}
"""
SLIDER, MENU = "input[type=range]", "select"

# The menus (select elements) of chart i, with their options' values.
_MENUS = "(i) => {" + _CHARTS + r"""
  const c = charts()[i];
  return Array.from(c.el.querySelectorAll("select")).map((el, j) => {
    const bind = el.closest(".vega-bind"), name = bind && bind.querySelector(".vega-bind-name");
    const label = name ? name.textContent.trim() : (el.name || "");
    return {index: j, label, options: Array.from(el.options).map(o => o.value), value: el.value};
  });
}
"""

_COUNT = "() => {" + _CHARTS + " return charts().length; }"

# Whether a frame has charts, and whether they are all drawn (or one failed).
_STATE = r"""() => {
  const els = Array.from(document.querySelectorAll(".lossbook-chart"));
  if (els.length) {
    const states = els.map(e => e.dataset.lossbookState || "waiting");
    return {charts: els.length, drawn: states.every(s => s === "drawn" || s === "error"),
            failed: states.filter(s => s === "error").length};
  }
  const legacy = !!document.querySelector(".vega-embed, #vis");
  return {charts: legacy ? 1 : 0, drawn: !legacy || !!window.vegaView, failed: 0};
}"""


def _launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)


def check_pages(pages, *, mark: str | None = None, slider: str | None = None,
                every_slider: bool = False, verbose: bool = True) -> dict:
    """Check each page in one browser; return ``{page: [problems]}`` (empty lists if all is well)."""
    from playwright.sync_api import sync_playwright

    say = print if verbose else (lambda *a, **k: None)
    results = {}
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            for page_path in pages:
                say(f"{page_path}:")
                results[page_path] = _check_one(browser, Path(page_path), mark, slider, every_slider, say)
        finally:
            browser.close()
    return results


def check(page_path, **kwargs) -> list[str]:
    """Check one page; return the problems found (empty when all is well)."""
    return check_pages([page_path], **kwargs)[page_path]


def _check_one(browser, page_path: Path, mark, slider, every_slider, say) -> list[str]:
    problems: list[str] = []
    context = browser.new_context()
    try:
        # Network off: anything that is not a local file is refused and reported.
        def route(r):
            if r.request.url.startswith(LOCAL):
                r.continue_()
            else:
                problems.append(f"external request: {r.request.url}")
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"JavaScript error: {e}"))
        page.on("console", lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None)
        page.goto(page_path.resolve().as_uri(), wait_until="load", timeout=TIMEOUT_MS)
        # Iframes with loading='lazy' load once scrolled into view.
        for handle in page.query_selector_all("iframe"):
            handle.scroll_into_view_if_needed()
        charts = []  # (frame, index of the chart in it)
        for frame in page.frames:
            try:
                frame.wait_for_load_state("load", timeout=TIMEOUT_MS)
                state = frame.evaluate(_STATE)
                if state["charts"]:
                    frame.wait_for_function(f"() => ({_STATE})().drawn", timeout=TIMEOUT_MS)
                    state = frame.evaluate(_STATE)
            except Exception:  # noqa: BLE001  (detached or cross-origin frames, or a timeout)
                problems.append(f"a frame's charts did not render: {frame.url}")
                continue
            if state["failed"]:
                problems.append(f"{state['failed']} chart(s) failed to render")
            charts += [(frame, i) for i in range(frame.evaluate(_COUNT))]
        if not charts:
            problems.append("no chart found on the page")
        for n, (frame, i) in enumerate(charts):
            problems += _check_chart(n, frame, i, mark, slider, every_slider, say)
    finally:
        context.close()
    return problems


def _canon(marks: dict) -> str:
    """The drawn marks as one comparable text: each mark's items as a sorted multiset
    (Vega may list the same items in another order after an update)."""
    return json.dumps({k: sorted(json.dumps(it) for it in v) for k, v in marks.items()}, sort_keys=True)


def _check_chart(n, frame, i, mark, slider, every_slider, say) -> list[str]:
    problems = []
    frame.evaluate("(i) => {" + _CHARTS + " return charts()[i].view.runAsync().then(() => true); }", i)
    sliders = frame.evaluate(_SLIDERS, i)
    base = frame.evaluate(_MARKS, [i, mark])
    if mark and not any(base.values()):
        problems.append(f"chart {n}: no mark named {mark!r} holds anything")
    say(f"  chart {n}: {len(sliders)} sliders, marks: "
        + ", ".join(f"{k} ({len(v)})" for k, v in sorted(base.items())))
    changed_by = []
    for s in sliders:
        states = []
        old = frame.evaluate(_SET, [i, s["needs"]]) if s["needs"] else None
        for value in (s["min"], s["max"]):
            frame.evaluate(_MOVE, [i, SLIDER, s["index"], value])
            states.append(frame.evaluate(_MARKS, [i, mark]))
        frame.evaluate(_MOVE, [i, SLIDER, s["index"], s["value"]])  # put it back
        if old:
            frame.evaluate(_SET, [i, old])
        if _canon(frame.evaluate(_MARKS, [i, mark])) != _canon(base):
            problems.append(f"chart {n}: moving slider {s['label']!r} away and back does not restore the drawing")
        changed = _canon(states[0]) != _canon(states[1])
        where = f" (with {s['needs']})" if s["needs"] else ""
        say(f"    slider {s['label']!r} {s['min']} -> {s['max']}{where}: "
            + ("the drawing changed" if changed else "no change"))
        if changed:
            changed_by.append(s["label"])
        elif every_slider or s["needs"] is not None:
            # a chart of lossbook.interactive says where each slider matters: each must work
            problems.append(f"chart {n}: slider {s['label']!r} does not change the drawing{where}")
    if slider is not None:
        hits = [s for s in sliders if slider.lower() in s["label"].lower()]
        if not hits:
            problems.append(f"chart {n}: no slider labelled {slider!r}")
        elif not any(h["label"] in changed_by for h in hits):
            problems.append(f"chart {n}: slider {slider!r} does not change the drawing")
    if not sliders:
        # a chart driven by menus alone: choosing its first and last options must change it
        menus = [m for m in frame.evaluate(_MENUS, i) if len(m["options"]) > 1]
        for m in menus:
            states = []
            for value in (m["options"][0], m["options"][-1]):
                frame.evaluate(_MOVE, [i, MENU, m["index"], value])
                states.append(frame.evaluate(_MARKS, [i, mark]))
            frame.evaluate(_MOVE, [i, MENU, m["index"], m["value"]])  # put it back
            changed = _canon(states[0]) != _canon(states[1])
            say(f"    menu {m['label']!r} {m['options'][0]} -> {m['options'][-1]}: "
                + ("the drawing changed" if changed else "no change"))
            if changed:
                changed_by.append(m["label"])
        if not menus:
            problems.append(f"chart {n}: no slider and no menu")
        elif not changed_by:
            problems.append(f"chart {n}: no menu changes the drawing")
    elif not changed_by:
        problems.append(f"chart {n}: no slider changes the drawing")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", type=Path, help="HTML pages to check")
    parser.add_argument("--mark", help="compare only the marks of this Vega-Lite unit name (e.g. path)")
    parser.add_argument("--slider", help="this slider (part of its label) must change the drawing")
    parser.add_argument("--every-slider", action="store_true", help="every slider must change the drawing")
    args = parser.parse_args(argv)
    missing = [p for p in args.pages if not p.is_file()]
    for path in missing:
        print(f"FAIL {path}: no such file")
    results = check_pages([p for p in args.pages if p.is_file()], mark=args.mark, slider=args.slider,
                          every_slider=args.every_slider)
    for path, problems in results.items():
        for problem in problems:
            print(f"FAIL {path}: {problem}")
    failed = bool(missing) or any(results.values())
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
