r"""Putting figures on a page: the static chart's HTML, the live panel's placeholder, :func:`show`.

**The static chart on the book's page.** :func:`fragment` compiles a chart to Vega
twice, side by side (*wide*) and with its panels stacked (*narrow*, for phones), and
writes a ``<div class="lossbook-chart">`` that holds both specs and the data once,
as JSON.  The page loads no JavaScript per chart: the book's extension
(``tools/offline_assets.py``) adds ``_static/offline/lossbook-charts.js`` to every
page that holds a chart, and that script loads Vega once (from ``_static``, never
from the network), draws each chart in the layout that fits its column and keeps its
view in ``element.vegaView`` (and ``window.lossbookCharts``), for
``tools/check_sliders.py``.  Outside the book (a notebook), the same HTML shows a
short note instead of the chart.

**The live panel in a notebook, a note on the page.** A live panel (and :func:`show`)
displays as a MIME bundle with two renderings: the ipywidgets view, which Jupyter and
Colab show, and an HTML one, which the book's page shows instead (``_config.yml``
ranks ``text/html`` above the widget view for the HTML builder, and the extension
drops the saved widget state of the panels it replaced, named by
``data-lossbook-model``).  So the page never shows dead controls.

:func:`page` wraps fragments in a standalone HTML page that inlines Vega, for tests
and for charts saved outside the book.
"""

from __future__ import annotations

import functools
import html as _html
import json
from pathlib import Path

__all__ = ["fragment", "narrow_spec", "page", "placeholder", "Shown", "show", "embed", "chart_bytes",
           "SCRIPT", "VEGA"]

#: The page script, relative to ``_static`` (copied there by ``tools/offline_assets.py``).
SCRIPT = "offline/lossbook-charts.js"
#: Vega's browser build, relative to ``_static``; the page script loads it from beside itself.
VEGA = "offline/vega/vega.min.js"
_ROOT = Path(__file__).resolve().parents[2]
#: The Vega-Lite version Altair writes (the compiler vl-convert bundles the same).
_VL = "6.4"


def narrow_spec(spec: dict, width: int) -> dict:
    """A Vega-Lite spec with its panels stacked and no wider than ``width`` pixels.

    Every ``hconcat`` becomes a ``vconcat``; every panel (and the message line) is at
    most ``width`` wide, its title and text marks limited to that width.
    """
    if isinstance(spec, list):
        return [narrow_spec(s, width) for s in spec]
    if not isinstance(spec, dict):
        return spec
    out = {}
    for k, v in spec.items():
        if k in ("datasets", "data", "params", "transform", "encoding"):
            out[k] = v
        elif k == "hconcat":
            out["vconcat"] = narrow_spec(v, width)
        else:
            out[k] = narrow_spec(v, width)
    if isinstance(out.get("width"), (int, float)) and out["width"] > width:
        out["width"] = width
        if isinstance(out.get("title"), dict):
            out["title"] = {**out["title"], "limit": width + 30}
        if isinstance(out.get("mark"), dict) and "limit" in out["mark"]:
            out["mark"] = {**out["mark"], "limit": width}
    return out


def _compile(spec: dict) -> dict:
    import vl_convert as vlc

    return vlc.vegalite_to_vega(spec, vl_version=_VL)


def _split_data(vega: dict, names) -> dict:
    """Take the named datasets' values out of a Vega spec (the page holds them once)."""
    for d in vega.get("data", []):
        if d.get("name") in names:
            d.pop("values", None)
    return vega


def _columns(rows: list) -> dict:
    """A table as columns and rows of values: keys are not repeated per row."""
    cols = list(dict.fromkeys(k for r in rows for k in r))
    return {"columns": cols, "rows": [[r.get(c) for c in cols] for r in rows]}


def _json(obj) -> str:
    # "</" would end the <script> element; "<\/" is the same string to JSON.
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def _narrow_width(spec: dict) -> int:
    return int(spec.get("usermeta", {}).get("lossbook", {}).get("narrow", 280))


def fragment(chart, *, alt: str = "", narrow: int | None = None) -> str:
    """The HTML of a static chart for the book's page (see the module).

    Args:
        chart: an Altair chart (e.g. :meth:`Figure.chart`); its top-level
            ``datasets`` are stored once for both layouts.
        alt: a sentence on what the chart shows (the fallback's text, aria label).
        narrow: the panels' width in the stacked layout (default 280 px).
    """
    # Not validated here (a chart's datasets make Altair's validation slow); the
    # compiler below rejects a malformed spec, and the tests validate every figure's.
    spec = chart.to_dict(validate=False)
    datasets = spec.pop("datasets", {})
    empty = {name: [] for name in datasets}  # the compiler needs the names only
    wide = _split_data(_compile({**spec, "datasets": empty}), datasets)
    slim = narrow_spec(spec, narrow or _narrow_width(spec))
    stacked = _split_data(_compile({**slim, "datasets": empty}), datasets)
    data = {name: _columns(rows) if name != "values" else [r["t"] for r in rows] for name, rows in datasets.items()}
    meta = spec.get("usermeta", {}).get("lossbook", {})
    payload = _json({"wide": wide, "narrow": stacked, "data": data, "sliders": meta.get("sliders", {}),
                     "shown_by": meta.get("shown_by", {})})
    label = _html.escape(alt or "An interactive chart with controls under it.", quote=True)
    note = ("This chart is drawn by the book's web page, where its controls work without Python. "
            "In a notebook, run the live version of the figure.")
    return (f'<div class="lossbook-chart" role="figure" aria-label="{label}">'
            f'<script type="application/json" class="lossbook-chart-spec">{payload}</script>'
            f'<p class="lossbook-chart-fallback"><em>{_html.escape(note)}</em></p></div>')


def chart_bytes(chart, **kwargs) -> int:
    """The bytes a static chart adds to its page (its :func:`fragment`)."""
    return len(fragment(chart, **kwargs).encode())


def _script_text() -> str:
    return (_ROOT / "tools" / "lossbook_charts.js").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _vega_text() -> str:
    path = _ROOT / "node_modules" / "vega" / "build" / "vega.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"page: {path} is missing; run `npm ci` in {_ROOT}")
    return path.read_text(encoding="utf-8")


def page(*fragments: str, title: str = "lossbook chart") -> str:
    """A standalone HTML page holding ``fragments``, with Vega and the page script inlined.

    It loads nothing from the network or the disk; ``tools/check_sliders.py`` and the
    tests open it in headless Chromium.
    """
    vega = _vega_text().replace("</script", "<\\/script")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{_html.escape(title)}</title>"
            f"<script>{vega}</script><script>{_script_text()}</script></head><body>"
            + "".join(fragments) + "</body></html>")


# =========================================================================== live panels
_NOTE = ("<strong>Live in a notebook.</strong> This panel recomputes the figure at every move of a control; "
         "it runs in Jupyter or Colab (open this chapter with the rocket button at the top of the page). "
         "On this page, the chart above is the interactive version.")


def placeholder(model_id: str | None, note: str = _NOTE) -> str:
    """What the book's page shows in place of a live panel (``data-lossbook-model`` names it)."""
    attr = f' data-lossbook-model="{_html.escape(model_id)}"' if model_id else ""
    style = "border-left: 4px solid #0072B2; padding: 0.3em 0.9em; background: rgba(0, 114, 178, 0.07);"
    return f'<div class="lossbook-live-placeholder"{attr} style="{style}"><p>{note}</p></div>'


def widget_bundle(widget, html: str) -> dict:
    """The MIME bundle of an ipywidget with ``html`` as its page rendering."""
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    data = dict(data)
    data["text/html"] = html
    return data


class Shown:
    """What :func:`show` returns: displays the live panel in a notebook, the chart on the page.

    Attributes:
        figure: the figure.
        panel: the ``live.LivePanel``.
        html: the page's HTML (the static chart, then the note on the live panel).
    """

    def __init__(self, figure, panel, html: str):
        self.figure, self.panel, self.html = figure, panel, html

    def _repr_mimebundle_(self, include=None, exclude=None):
        return widget_bundle(self.panel.widget, self.html)


def show(figure, **start) -> Shown:
    """One call in a chapter: the static chart on the page, the live panel in a notebook.

    The static chart is computed on the grid (the controls start at their defaults, or
    at the grid values nearest to ``start``); the live panel starts at ``start``.
    """
    from .live import LivePanel

    static_fig = figure.with_defaults(**start) if start else figure
    panel = LivePanel(figure, **start)
    note = ("<strong>Live in a notebook:</strong> in Jupyter or Colab (the rocket button at the top of "
            "the page) this figure is a live panel that recomputes at every move, between the grid "
            "values too.")
    try:
        chart = fragment(static_fig.chart(), alt=figure.alt, narrow=figure.narrow)
    except ImportError:  # Altair or vl-convert missing: a notebook without them still gets its panel
        chart = ""
    return Shown(figure, panel, chart + placeholder(panel.model_id, note))


class _HTML:
    """A display object with only an HTML rendering (what :func:`embed` returns)."""

    def __init__(self, data: str):
        self.data = data

    def _repr_html_(self):
        return self.data


def embed(chart, height: int | None = None, *, alt: str = ""):
    """Show a static chart on the book's page (see :func:`fragment`); ``height`` is unused.

    Returns an object that displays as HTML (make it the last expression of a cell).
    """
    return _HTML(fragment(chart, alt=alt))
