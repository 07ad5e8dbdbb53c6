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


def cache_path(argv: list[str]):
    """The jupyter-cache folder of ``jupyter-book build SOURCE [--path-output DIR]``, else None."""
    if len(argv) < 2 or argv[0] != "build":
        return None
    from pathlib import Path

    output = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--path-output"), argv[1])
    return Path(output) / "_build" / ".jupyter_cache"


def create_execution_cache(path) -> None:
    """Create the jupyter-cache database before the reading processes start.

    On a cold build each process opens the cache on its first notebook, and two
    processes creating its tables at the same moment fail ("table settings already
    exists"). It is created in a child process, so that the processes Sphinx forks
    inherit no open database connection.
    """
    import subprocess

    path.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", "import sys; from jupyter_cache import get_cache; get_cache(sys.argv[1]).db",
                    str(path)], check=True)


def serialize_execution_cache(path) -> None:
    """Make every use of the execution cache exclusive across the reading processes.

    jupyter-cache records an executed notebook in its database before it writes the
    notebook's file, and nothing stops another process from reading in between; each
    cache operation (never the execution itself) now holds an exclusive lock on a file
    in the cache folder. Nested operations of one process take the lock once.
    """
    import fcntl
    import threading

    from jupyter_cache.cache.main import JupyterCacheBase

    lock_file, depth = path / "lossbook-build.lock", threading.local()

    def locked(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if getattr(depth, "n", 0):
                return method(self, *args, **kwargs)
            with open(lock_file, "a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                depth.n = 1
                try:
                    return method(self, *args, **kwargs)
                finally:
                    depth.n = 0
                    fcntl.flock(handle, fcntl.LOCK_UN)
        return wrapper

    for name in ("match_cache_notebook", "merge_match_into_notebook", "get_cache_bundle",
                 "cache_notebook_bundle", "add_nb_to_project", "truncate_caches", "remove_cache"):
        setattr(JupyterCacheBase, name, locked(getattr(JupyterCacheBase, name)))


if __name__ == "__main__":
    cache = cache_path(sys.argv[1:])
    if cache is not None:
        create_execution_cache(cache)
        serialize_execution_cache(cache)
    for extension in UNDECLARED:
        declare_parallel_safe(extension)
    jobs = int(os.environ.get("BOOK_JOBS", "2"))
    jb_sphinx.build_sphinx = functools.partial(jb_sphinx.build_sphinx, jobs=jobs)
    sys.exit(main())
