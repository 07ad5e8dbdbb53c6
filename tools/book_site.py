"""Sphinx extension: what every page of the book says about the book itself.

- **Version**: ``version``/``release`` come from ``lossbook.__version__`` (the single
  source: pyproject.toml reads it too), read from ``lossbook/__init__.py`` without
  importing the package.
- **Footer**: ``html.extra_footer`` in ``_config.yml`` is a template; ``{version}``,
  ``{pdf}`` (the page's relative link to the book's PDF), ``{repository}`` (the
  repository URL of ``_config.yml``) and ``{website}`` (``html.baseurl``) are filled in
  for each page. ``copyright`` may end in ``%Y``, the year of the build (or of
  ``SOURCE_DATE_EPOCH``, for reproducible builds).
- **The PDF**: the download menu of each page offers the whole book as a PDF
  (``lossbook.pdf`` at the site's root, written by ``make pdf``) where the theme offered
  the browser's print dialog; printing the page stays in the menu.
- **Alt text**: an image without alt text gets its figure's caption as alt text (the
  HTML writer would otherwise write the image's file path); an image outside a figure
  gets the title of its section.
- **Figures**: PNG figures over 40 kB are re-encoded with a 256-colour palette after
  the build (a third of the size, no visible change; cached by content).
- **Phones and print**: ``book/_static/lossbook.css`` (display equations and wide tables
  scroll inside the column; code wraps when printed).
- **The single-page build** of ``make pdf`` renders the same nodes as the HTML build.
"""

from __future__ import annotations

import ast
import os
import time
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "book" / "_static"
#: Where `make pdf` puts the book's PDF, relative to the HTML output's root.
PDF_NAME = "lossbook.pdf"


def package_version(root: Path = ROOT) -> str:
    """``lossbook.__version__``, read from the source (no import)."""
    tree = ast.parse((root / "lossbook" / "__init__.py").read_text(encoding="utf-8"))
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in stmt.targets
        ):
            return ast.literal_eval(stmt.value)
    raise ValueError("lossbook/__init__.py defines no __version__")


def build_year() -> int:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return time.gmtime(int(epoch)).tm_year if epoch else time.gmtime().tm_year


def configure(app: Sphinx, config) -> None:
    version = package_version()
    config.version = config.release = version
    if isinstance(config.copyright, str) and "%Y" in config.copyright:
        config.copyright = config.copyright.replace("%Y", str(build_year()))
    static = str(STATIC)
    if static not in [str(Path(app.confdir, p).resolve()) for p in config.html_static_path]:
        config.html_static_path.append(static)
    if "lossbook.css" not in [getattr(c, "filename", c) for c in config.html_css_files]:
        config.html_css_files.append("lossbook.css")


def _fill(template: str, app: Sphinx, pathto) -> str:
    repository = (app.config.html_theme_options or {}).get("repository_url", "")
    return (
        template.replace("{version}", app.config.release)
        .replace("{pdf}", pathto(PDF_NAME, 1))
        .replace("{repository}", repository)
        .replace("{website}", app.config.html_baseurl or "")
    )


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Per page: fill the footer template, link the PDF from the download menu."""
    footer = context.get("theme_extra_footer")
    if footer:
        context["theme_extra_footer"] = _fill(footer, app, context["pathto"])
    for button in context.get("header_buttons", []):
        if button.get("label") != "download-buttons":
            continue
        items = button["buttons"]
        for i, item in enumerate(items):
            if item.get("label") == "download-pdf-button":
                items[i:i + 1] = [
                    {
                        "type": "link",
                        "url": context["pathto"](PDF_NAME, 1),
                        "text": "book.pdf",
                        "tooltip": "The whole book as one PDF",
                        "icon": "fas fa-file-pdf",
                        "label": "download-book-pdf-button",
                    },
                    {**item, "text": "print", "icon": "fas fa-print"},
                ]
                break


def _caption(image: nodes.image) -> str:
    parent = image.parent
    while parent is not None and not isinstance(parent, nodes.figure):
        parent = parent.parent
    if parent is not None:
        for caption in parent.findall(nodes.caption):
            return " ".join(caption.astext().split())
    section = image.parent
    while section is not None and not isinstance(section, nodes.section):
        section = section.parent
    if section is not None and section.children and isinstance(section[0], nodes.title):
        return "Figure: " + " ".join(section[0].astext().split())
    return ""


def _needs_alt(image: nodes.image) -> bool:
    alt = (image.get("alt") or "").strip()
    uri = image.get("uri", "")
    return not alt or alt == uri or alt.endswith(Path(uri).name) or alt.startswith("../")


def add_alt_text(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for image in doctree.findall(nodes.image):
        if _needs_alt(image):
            text = _caption(image)
            if text:
                image["alt"] = text


#: Figures smaller than this are left as they are.
PNG_MIN_BYTES = 40_000
#: A re-encoded figure is kept only if it is at most this fraction of the original.
PNG_KEEP_RATIO = 0.8


def _palette_png(data: bytes) -> bytes:
    """The PNG re-encoded with a palette of 256 colours (no dithering), optimized.

    matplotlib's figures are flat colours, anti-aliased lines and colour maps: 256
    colours reproduce them without visible change, at a third of the size.
    """
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(data))
    opaque = image.mode != "RGBA" or image.getchannel("A").getextrema() == (255, 255)
    if opaque:
        palette = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    else:
        palette = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, "PNG", optimize=True)
    return out.getvalue()


def compress_figures(app: Sphinx, exception) -> None:
    """Re-encode the large PNG figures of the output with a palette (page weight).

    Results are cached by the original's hash (``_build/.png-cache``), so a rebuild
    re-encodes only new figures; Sphinx copies an image again only when its source
    changes.
    """
    import hashlib

    if exception is not None or app.builder.format != "html":
        return
    images = Path(app.outdir) / "_images"
    cache = Path(app.outdir).parent / ".png-cache"
    if not images.is_dir():
        return
    saved = 0
    for png in sorted(images.glob("*.png")):
        data = png.read_bytes()
        if len(data) < PNG_MIN_BYTES:
            continue
        key = cache / (hashlib.sha256(data).hexdigest() + ".png")
        if key.exists():
            smaller = key.read_bytes()
        else:
            try:
                smaller = _palette_png(data)
            except Exception:  # not a PNG Pillow reads: leave it
                continue
            if len(smaller) > PNG_KEEP_RATIO * len(data):
                smaller = data
            cache.mkdir(parents=True, exist_ok=True)
            key.write_bytes(smaller)
            # the re-encoded file maps to itself, so a second build does nothing
            (cache / (hashlib.sha256(smaller).hexdigest() + ".png")).write_bytes(smaller)
        if smaller != data:
            png.write_bytes(smaller)
            saved += len(data) - len(smaller)
    if saved:
        logger.info(f"book_site: figures re-encoded with a palette, {saved / 1e6:.1f} MB saved")


def singlehtml_translators(app: Sphinx) -> None:
    """Let the single-page builder (``make pdf``) render every node the HTML one does.

    sphinx-exercise registers its nodes for ``singlehtml`` by name; Sphinx then looks up
    the single-page builder's node handlers under that name only, and no longer under
    ``html``, so sphinx-design's nodes (tabs, cards) fail to render. Copy the ``html``
    handlers that ``singlehtml`` lacks.
    """
    handlers = app.registry.translation_handlers
    if app.builder.name == "singlehtml" and "singlehtml" in handlers:
        for node, visit_depart in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(node, visit_depart)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", configure)
    app.connect("builder-inited", singlehtml_translators)
    # after sphinx-book-theme's header buttons (priority 501)
    app.connect("html-page-context", page_context, priority=900)
    app.connect("doctree-resolved", add_alt_text)
    app.connect("build-finished", compress_figures)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
