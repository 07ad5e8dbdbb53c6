"""Execute one chapter as the build does, and report its errors, warnings and time.

Usage (from the repository root, in the book's environment)::

    .venv/bin/python tools/run_chapter.py book/07_quantile_probabilistic.md [--save out.ipynb]

It syncs the chapter's paired .ipynb from its .md (as ``make sync`` would for this one
file), runs every cell in a fresh kernel with ``book/`` as the working directory (as
Jupyter Book and nbval do), prints the cells that raised or wrote to stderr, and the
wall time of the whole notebook and of its slowest cells. With ``--save`` the executed
notebook is written out, to read its outputs. Exit status 1 if a cell raised.

This is the quick loop for writing a chapter: the full ``make book`` then checks its
cross-references and renders it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import sync_notebooks  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", type=Path, help="book/<NN>_<slug>.md")
    parser.add_argument("--save", type=Path, help="write the executed notebook here")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell (the build's limit)")
    args = parser.parse_args(argv)
    md = args.chapter.resolve()
    if md.suffix != ".md" or not md.exists():
        parser.error(f"{args.chapter} is not a chapter source (book/<name>.md)")
    sync_notebooks.sync(md)
    nb = sync_notebooks.from_markdown(md)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(md.parent)}})
    times = []
    start = time.perf_counter()
    failed = False
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t0 = time.perf_counter()
            try:
                client.execute_cell(cell, i)
            except CellExecutionError as exc:
                failed = True
                print(f"--- cell {i} raised:\n{cell.source}\n{exc}", file=sys.stderr)
                break
            times.append((time.perf_counter() - t0, i))
            for out in cell.get("outputs", []):
                if out.get("name") == "stderr":
                    print(f"--- cell {i} wrote to stderr:\n{out.get('text', '')[:2000]}")
    total = time.perf_counter() - start
    if args.save:
        nbformat.write(nb, args.save)
    slow = ", ".join(f"cell {i}: {t:.1f} s" for t, i in sorted(times, reverse=True)[:3])
    print(f"{md.name}: {'FAILED' if failed else 'ok'} in {total:.1f} s (slowest: {slow})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
