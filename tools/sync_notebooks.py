"""Keep every book/<name>.ipynb a faithful, output-free copy of book/<name>.md.

The MyST Markdown file is the source of each chapter (it diffs and reviews well);
the paired .ipynb beside it is what Colab, Binder and the download button open.
Sphinx builds from the .md (``_config.yml`` excludes ``book/*.ipynb``).

Usage (from the repository root)::

    python tools/sync_notebooks.py           # rewrite every .ipynb from its .md
    python tools/sync_notebooks.py --check   # exit 1 and list the pairs out of sync
    python tools/sync_notebooks.py book/07_quantile_probabilistic.md   # one chapter

``make sync`` runs the first form. tests/test_book.py uses :func:`problems` to fail
when a pair differs (cell types, sources or tags), when an .ipynb holds outputs or
execution counts, or when one half of a pair is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def is_notebook(md: Path) -> bool:
    """True if ``md`` is a MyST notebook (a jupytext header with format_name myst)."""
    text = md.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    header = text.split("---", 2)[1]
    return "jupytext:" in header and "format_name: myst" in header


def notebook_sources(book: Path = BOOK) -> list[Path]:
    """The MyST notebooks of the book, sorted (plain Markdown pages are not notebooks)."""
    return sorted(md for md in book.glob("*.md") if is_notebook(md))


def from_markdown(md: Path) -> nbformat.NotebookNode:
    """The notebook that ``md`` describes, without outputs (jupytext writes none)."""
    nb = jupytext.read(md, fmt="md:myst")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source, list(c.get("metadata", {}).get("tags", []))) for c in nb.cells]


def problems(md: Path) -> list[str]:
    """Why ``md`` and its paired .ipynb are out of sync (empty list: in sync)."""
    ipynb = md.with_suffix(".ipynb")
    name = md.relative_to(ROOT) if md.is_relative_to(ROOT) else md
    if not ipynb.exists():
        return [f"{name}: the paired {ipynb.name} is missing (run `make sync`)"]
    found = nbformat.read(ipynb, as_version=4)
    out = []
    for i, cell in enumerate(found.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            out.append(f"{ipynb.name}: cell {i} holds outputs (commit notebooks without outputs)")
        if cell.get("execution_count") is not None:
            out.append(f"{ipynb.name}: cell {i} has execution_count {cell.execution_count}")
    want, got = _cells(from_markdown(md)), _cells(found)
    if len(want) != len(got):
        out.append(f"{name}: {len(want)} cells, but {ipynb.name} has {len(got)} (run `make sync`)")
    for i, (w, g) in enumerate(zip(want, got)):
        for what, a, b in zip(("type", "source", "tags"), w, g):
            if a != b:
                out.append(f"{name}: cell {i} differs from {ipynb.name} in its {what} (run `make sync`)")
                break
    return out


def orphans(book: Path = BOOK) -> list[Path]:
    """.ipynb files with no MyST notebook of the same name beside them."""
    sources = {md.with_suffix(".ipynb") for md in notebook_sources(book)}
    return sorted(p for p in book.glob("*.ipynb") if p not in sources)


def _stable_ids(nb: nbformat.NotebookNode, old: nbformat.NotebookNode | None, stem: str) -> None:
    """Give the cells ids that do not change from one sync to the next.

    jupytext draws random cell ids, which would rewrite every .ipynb on every sync.
    A cell keeps the id of the old cell with the same type and source, else of the
    old cell at the same position and of the same type; a new cell gets an id hashed
    from the notebook name, its position and its source.
    """
    old_cells = old.cells if old is not None else []
    by_content: dict[tuple[str, str], str] = {}
    for c in old_cells:
        by_content.setdefault((c.cell_type, c.source), c.get("id"))
    used: set[str] = set()
    for i, cell in enumerate(nb.cells):
        candidates = [by_content.get((cell.cell_type, cell.source))]
        if i < len(old_cells) and old_cells[i].cell_type == cell.cell_type:
            candidates.append(old_cells[i].get("id"))
        digest = hashlib.sha1(f"{stem}:{i}:{cell.source}".encode()).hexdigest()
        candidates += [digest[:8], digest[8:16], digest[16:24]]
        cell.id = next(c for c in candidates if c and c not in used)
        used.add(cell.id)


def sync(md: Path) -> bool:
    """Write the .ipynb of ``md``; return True if its content changed."""
    ipynb = md.with_suffix(".ipynb")
    nb = from_markdown(md)
    old = nbformat.read(ipynb, as_version=4) if ipynb.exists() else None
    _stable_ids(nb, old, md.stem)
    text = jupytext.writes(nb, fmt="ipynb").rstrip("\n") + "\n"  # as `jupytext --sync` writes it
    if ipynb.exists() and ipynb.read_text(encoding="utf-8") == text:
        return False
    ipynb.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    parser.add_argument("files", nargs="*", type=Path, help="chapters (.md) to sync; all by default")
    args = parser.parse_args(argv)
    sources = [f.resolve() for f in args.files] or notebook_sources()
    if args.check:
        found = [p for md in sources for p in problems(md)]
        found += [f"{p.relative_to(ROOT)}: no {p.stem}.md beside it" for p in orphans()]
        print("\n".join(found) or f"{len(sources)} notebook pairs in sync")
        return 1 if found else 0
    for md in sources:
        if sync(md):
            print(f"wrote {md.with_suffix('.ipynb').relative_to(ROOT)}")
    for p in orphans():
        print(f"warning: {p.relative_to(ROOT)} has no {p.stem}.md beside it", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
