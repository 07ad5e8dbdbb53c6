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

Files are copied after a successful build and only when their size or
modification time changed, so a rebuild with nothing to do stays fast.
"""

from __future__ import annotations

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
}

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


def check_config(app: Sphinx, config) -> None:
    """Fail early and clearly if a file is missing or a setting names the network."""
    root = Path(app.confdir)
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
    root = Path(app.confdir)
    out = Path(app.outdir) / "_static" / PREFIX
    copied = sum(_copy(root / src, out / dest) for dest, src in ASSETS.items())
    if copied:
        logger.info(f"offline_assets: copied {copied} files into {out}")


def _tuple_nitpick_ignore(app: Sphinx, config) -> None:
    # _config.yml can only write lists; Sphinx looks up (type, target) tuples.
    config.nitpick_ignore = {tuple(item) for item in config.nitpick_ignore}


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _tuple_nitpick_ignore)
    app.connect("config-inited", check_config)
    app.connect("build-finished", copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
