"""Build a few pages of the book, as the full build would, into a private folder.

Usage (from the repository root, in the book's environment)::

    .venv/bin/python tools/build_pages.py book/24_pytorch.md [book/25_tensorflow_keras.md ...] \
        [--out /tmp/pages]

The pages are built as a small book with the real ``_config.yml`` (same extensions,
same warnings-as-errors flags), the preface, glossary and bibliography, and a table of
contents holding only these pages; the HTML lands in ``<out>/_build/html``. Only the
listed chapters execute (cached in ``<out>``). References to chapters outside the
small book are reported as warnings and are expected; any other warning is the page's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALWAYS = ["book/preface", "book/glossary", "book/bibliography"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("/tmp/lossbook_pages"))
    args = parser.parse_args(argv)
    files = []
    for p in args.pages:
        p = p.resolve()
        if not p.exists():
            parser.error(f"{p} does not exist")
        files.append(str(p.relative_to(ROOT).with_suffix("")))
    args.out.mkdir(parents=True, exist_ok=True)
    toc = args.out / "_toc.yml"
    chapters = "\n".join(f"      - file: {f}" for f in files + [a for a in ALWAYS[1:] if a not in files])
    toc.write_text(
        "format: jb-book\nroot: book/preface\nparts:\n  - caption: Pages\n    numbered: true\n"
        f"    chapters:\n{chapters}\n",
        encoding="utf-8",
    )
    # The book's configuration, reading only the pages of this small table of contents.
    config = args.out / "_config.yml"
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    text = text.replace("only_build_toc_files: false", "only_build_toc_files: true")
    text = text.replace(": tools ", f": {ROOT / 'tools'} ")  # local extensions, from the copy's folder
    config.write_text(text, encoding="utf-8")
    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb), "build", str(ROOT), "--toc", str(toc), "--config", str(config),
           "--path-output", str(args.out), "-n", "--keep-going"]
    print(" ".join(cmd))
    # one BLAS/OpenMP thread per process, as the Makefile and tools/run_chapter.py set
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
           "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")}
    done = subprocess.run(cmd, cwd=ROOT, env=env)
    print(f"HTML in {args.out / '_build' / 'html'}")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
