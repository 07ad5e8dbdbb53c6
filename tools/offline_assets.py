"""Sphinx extension: serve the book's JavaScript from disk, never from a CDN.

Sphinx loads MathJax from cdn.jsdelivr.net and myst-nb loads RequireJS and the
ipywidgets embed manager from cdnjs/jsdelivr. A reader who opens ``_build/html``
from disk without a network connection would then see raw ``$$`` and dead
sliders. This extension copies the pinned npm packages (``package.json``,
installed by ``npm ci``) and ``tools/widgets_shim.js`` into
``_build/html/_static/offline/``, and refuses to build when ``mathjax_path`` or
``nb_ipywidgets_js`` name anything else (a URL, a file it does not provide).

The settings themselves live in ``_config.yml`` (``mathjax_path`` and
``nb_ipywidgets_js``), where a reader of the configuration sees them; this file
only provides the files they point to. The widget scripts are *not* put in
``html_static_path``/``html_js_files``: myst-nb adds ``nb_ipywidgets_js`` only to
the pages that hold a widget, and listing them again would load them twice.

Two more jobs for the book's interactive figures (:mod:`lossbook.interactive`):

* **static charts**: a page that holds a chart (``class="lossbook-chart"``) gets
  ``_static/offline/lossbook-charts.js`` (from ``tools/lossbook_charts.js``), which
  loads Vega once, from ``_static/offline/vega/`` (the pinned npm package), and draws
  every chart of the page; Vega is never inlined into a page.
* **no dead controls**: a live panel's output holds both its widget view and an HTML
  placeholder marked ``data-lossbook-model``; ``_config.yml`` ranks the HTML first for
  this builder, and this extension drops the saved widget state of those panels (and
  the widget scripts, when nothing else is left), so the page neither shows nor loads
  controls that cannot work without a kernel.

Files are copied after a successful build and only when their size or
modification time changed, so a rebuild with nothing to do stays fast.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where the copies go, relative to the HTML output's ``_static`` folder.
PREFIX = "offline"

#: destination (under ``_static/offline/``) -> source (relative to the repository
#: root). A directory is copied whole. MathJax needs, beside its combined file, the
#: pieces it loads on demand: TeX extensions (autoload), the CHTML fonts, the
#: context menu and the accessibility tools the menu offers.
ASSETS = {
    "mathjax/tex-mml-chtml.js": "node_modules/mathjax/es5/tex-mml-chtml.js",
    "mathjax/input": "node_modules/mathjax/es5/input",
    "mathjax/output/chtml": "node_modules/mathjax/es5/output/chtml",
    "mathjax/ui": "node_modules/mathjax/es5/ui",
    "mathjax/a11y": "node_modules/mathjax/es5/a11y",
    "mathjax/sre": "node_modules/mathjax/es5/sre",
    "mathjax/adaptors": "node_modules/mathjax/es5/adaptors",
    "requirejs/require.js": "node_modules/requirejs/require.js",
    # The embed manager finds its icon fonts next to itself (see widgets_shim.js).
    "@jupyter-widgets/html-manager": "node_modules/@jupyter-widgets/html-manager/dist",
    # Points the embed manager at those fonts; lets it typeset with MathJax 3.
    "widgets-shim.js": "tools/widgets_shim.js",
    # The static charts: Vega's browser build, and the script that draws the charts.
    "vega/vega.min.js": "node_modules/vega/build/vega.min.js",
    "lossbook-charts.js": "tools/lossbook_charts.js",
}

#: The page script of the static charts (under ``_static``), and what marks a chart.
CHARTS_JS = f"{PREFIX}/lossbook-charts.js"
CHART_MARK = 'class="lossbook-chart"'
#: What marks a live panel's placeholder, and the widget state's script key in myst-nb.
PANEL_MARK = re.compile(r'data-lossbook-model="([0-9a-f]+)"')
WIDGET_STATE = "ipywidgets_state"

#: Files of a copied directory that the book never loads (other bundles, maps).
SKIP = {"embed.js", "embed.js.map", "embed.js.LICENSE.txt", "libembed-amd.js"}


def _provided(root: Path) -> set[str]:
    """Paths (relative to ``_static``) of the files this extension provides."""
    out = set()
    for dest, src in ASSETS.items():
        path = root / src
        if path.is_dir():
            out.update(
                f"{PREFIX}/{dest}/{f.relative_to(path).as_posix()}"
                for f in path.rglob("*")
                if f.is_file() and f.name not in SKIP
            )
        else:
            out.add(f"{PREFIX}/{dest}")
    return out


def _root(app: Sphinx) -> Path:
    """The repository root: the configuration's folder, or the nearest one above it
    holding ``package.json`` (a single-page build's confdir is the page's folder)."""
    conf = Path(app.confdir).resolve()
    return next((d for d in (conf, *conf.parents) if (d / "package.json").is_file()), conf)


def check_config(app: Sphinx, config) -> None:
    """Fail early and clearly if a file is missing or a setting names the network."""
    root = _root(app)
    missing = [src for src in ASSETS.values() if not (root / src).exists()]
    if missing:
        raise ExtensionError(
            f"offline_assets: missing {', '.join(missing)}; run `npm ci` in "
            f"{root} (`make book` does it)"
        )
    provided = _provided(root)
    wanted = [("mathjax_path", config.mathjax_path)]
    wanted += [("nb_ipywidgets_js", uri) for uri in getattr(config, "nb_ipywidgets_js", {}) or {}]
    for name, uri in wanted:
        if uri not in provided:
            where = "on the network" if "://" in uri or uri.startswith("//") else "not a file"
            raise ExtensionError(
                f"offline_assets: {name} is {uri!r}, {where} this extension copies "
                f"into _static/; the book must work offline, so name a file under "
                f"_static/{PREFIX}/ (see ASSETS in {__file__})"
            )


def _same(src: Path, dst: Path) -> bool:
    if not dst.exists():
        return False
    a, b = src.stat(), dst.stat()
    return a.st_size == b.st_size and int(a.st_mtime) == int(b.st_mtime)


def _copy(src: Path, dst: Path) -> int:
    if src.name in SKIP:
        return 0
    if src.is_dir():
        return sum(_copy(child, dst / child.name) for child in sorted(src.iterdir()))
    if _same(src, dst):
        return 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)  # keeps the mtime, which _same compares next time
    return 1


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    root = _root(app)
    out = Path(app.outdir) / "_static" / PREFIX
    copied = sum(_copy(root / src, out / dest) for dest, src in ASSETS.items())
    if copied:
        logger.info(f"offline_assets: copied {copied} files into {out}")


def add_chart_script(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Give the page the charts' script if it holds a static chart (and only then)."""
    if app.builder.format == "html" and CHART_MARK in context.get("body", ""):
        app.add_js_file(CHARTS_JS, loading_method="defer")


def _reachable(state: dict, roots) -> set:
    """The widget models ``roots`` refer to, directly or through their children."""
    seen, todo = set(), list(roots)
    while todo:
        mid = todo.pop()
        if mid in seen or mid not in state:
            continue
        seen.add(mid)
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state[mid].get("state", {})))
    return seen


def drop_replaced_widgets(app: Sphinx, doctree) -> None:
    """Remove the saved state of the live panels the page shows a placeholder for.

    myst-nb keeps a notebook's widget state in a script of the page (and then loads the
    widget manager); the panels' HTML rendering replaced their views, so their state
    would only make dead controls reachable and weigh the page.
    """
    env = app.env
    files = getattr(env, "nb_metadata", {}).get(env.docname, {}).get("js_files", {})
    if WIDGET_STATE not in files:
        return
    from docutils import nodes

    roots = {m for node in doctree.findall(nodes.raw) for m in PANEL_MARK.findall(node.astext())}
    if not roots:
        return
    uri, kwargs = files[WIDGET_STATE]
    saved = json.loads(kwargs["body"])
    drop = _reachable(saved["state"], roots)
    saved["state"] = {k: v for k, v in saved["state"].items() if k not in drop}
    if saved["state"]:
        from myst_nb.core.render import sanitize_script_content

        files[WIDGET_STATE] = (uri, {**kwargs, "body": sanitize_script_content(json.dumps(saved))})
        return
    for key in [k for k in files if k == WIDGET_STATE or k.startswith("ipywidgets_")]:
        del files[key]


def _tuple_nitpick_ignore(app: Sphinx, config) -> None:
    # _config.yml can only write lists; Sphinx looks up (type, target) tuples.
    config.nitpick_ignore = {tuple(item) for item in config.nitpick_ignore}


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _tuple_nitpick_ignore)
    app.connect("config-inited", check_config)
    app.connect("build-finished", copy_assets)
    app.connect("html-page-context", add_chart_script)
    app.connect("doctree-read", drop_replaced_widgets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
