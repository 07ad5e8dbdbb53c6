"""``jupyter-book`` with Sphinx's parallel reading: notebooks execute in several processes.

Usage: ``python tools/jb.py build . -W -n --keep-going`` (the arguments of
``jupyter-book``); ``BOOK_JOBS`` (default 2) sets the number of processes. Jupyter Book
1.x passes ``jobs`` to Sphinx but its command line has no option for it. With several
processes myst-nb executes each process's share of the notebooks, which roughly halves
a cold build on two cores.

Sphinx reads in parallel only if every extension declares that it is safe; two of
Jupyter Book's own extensions declare nothing, so they are declared here, each with
the reason it is safe.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys

import jupyter_book.sphinx as jb_sphinx
from jupyter_book.cli.main import main

# extension module -> why its setup is safe for parallel reading and writing
UNDECLARED = {
    # replaces TocTreeCollector.assign_section_numbers, which Sphinx runs in the main
    # process once every page has been read
    "sphinx_multitoc_numbering": "patches the main process's section numbering only",
    # adds config values, node classes and transforms for the LaTeX builder: per page,
    # no shared state
    "sphinx_jupyterbook_latex": "per-page LaTeX transforms and node classes only",
}


def declare_parallel_safe(name: str) -> None:
    """Make the extension ``name`` declare parallel-read and -write safety."""
    module = importlib.import_module(name)
    setup = module.setup

    def parallel_safe_setup(app):
        meta = setup(app) or {}
        return {**meta, "parallel_read_safe": True, "parallel_write_safe": True}

    module.setup = parallel_safe_setup


def create_execution_cache(argv: list[str]) -> None:
    """Create the jupyter-cache database of ``jupyter-book build SOURCE`` before the build.

    On a cold build each reading process opens the cache on its first notebook, and two
    processes creating its tables at the same moment fail with "table settings already
    exists". Created once here, before the processes start, it is only opened by them.
    """
    if len(argv) < 2 or argv[0] != "build":
        return
    from pathlib import Path

    from jupyter_cache.cache.main import JupyterCacheBase

    output = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--path-output"), argv[1])
    path = Path(output) / "_build" / ".jupyter_cache"
    path.mkdir(parents=True, exist_ok=True)
    JupyterCacheBase(str(path)).db  # noqa: B018  (creates the tables)


if __name__ == "__main__":
    create_execution_cache(sys.argv[1:])
    for extension in UNDECLARED:
        declare_parallel_safe(extension)
    jobs = int(os.environ.get("BOOK_JOBS", "2"))
    jb_sphinx.build_sphinx = functools.partial(jb_sphinx.build_sphinx, jobs=jobs)
    sys.exit(main())
