"""Show in _toc.yml exactly the planned pages that exist.

_toc.yml holds the whole outline of the book. A page that is planned but not written
is a commented line ``#     - file: book/<slug>``, so the book never shows an empty
page; a part none of whose pages exist is commented out whole. This script
uncomments the line of every page whose ``book/<slug>.md`` exists (and its part's
``caption``/``numbered``/``chapters`` lines), and comments out the line of every
page that does not exist. Nothing else in the file changes, comments included.

Usage (from the repository root)::

    python tools/sync_toc.py           # rewrite _toc.yml
    python tools/sync_toc.py --check   # exit 1 if _toc.yml would change

``make sync`` runs it. A page that is not in the plan at all must be added to
_toc.yml by hand, at its place in the outline.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOC = ROOT / "_toc.yml"

# "  # - caption: ..." / "  #   chapters:" / "  #     - file: book/x   # note"
LINE = re.compile(r"^(?P<indent>\s*)(?P<hash>#\s?)?(?P<body>.*)$")
FILE = re.compile(r"^\s*-\s*file:\s*(?P<file>\S+)")
PART = re.compile(r"^\s*-\s*caption:")


def _split(line: str) -> tuple[str, bool, str]:
    """(indent, commented, body) of a line of the part list."""
    m = LINE.match(line)
    return m["indent"], m["hash"] is not None, m["body"]


def _exists(page: str, root: Path) -> bool:
    return any((root / f"{page}{suffix}").exists() for suffix in (".md", ".ipynb", ".rst"))


def synced(text: str, root: Path = ROOT) -> str:
    """The text of _toc.yml with each page line commented iff its page is missing."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("parts:")) + 1
    # Blocks: a part starts at a (possibly commented) "- caption:" line and runs to the
    # line before the next one (or the end); blank lines and pure comments inside stay.
    heads = [i for i in range(start, len(lines)) if PART.match(_split(lines[i])[2])]
    out = lines[:]
    for h, head in enumerate(heads):
        end = heads[h + 1] if h + 1 < len(heads) else len(lines)
        block = range(head, end)
        pages = {}
        for i in block:
            _, _, body = _split(lines[i])
            m = FILE.match(body)
            if m:
                pages[i] = _exists(m["file"], root)
        any_page = any(pages.values())
        # Structural lines of the part: the caption and the option lines before the
        # first page ("numbered:", "chapters:"), i.e. YAML keys, not free comments.
        first_page = min(pages, default=end)
        for i in block:
            indent, commented, body = _split(lines[i])
            if not body.strip():
                continue
            if i in pages:
                want = pages[i]
            elif i < first_page and (i == head or re.match(r"^\s*[a-z_]+:", body)):
                want = any_page
            else:
                continue  # a free comment: leave it
            if want and commented:
                out[i] = f"{indent}{body}"
            elif not want and not commented:
                out[i] = f"{indent}# {body}"
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    args = parser.parse_args(argv)
    text = TOC.read_text(encoding="utf-8")
    new = synced(text)
    if new == text:
        print("_toc.yml lists exactly the pages that exist")
        return 0
    if args.check:
        print("_toc.yml is out of date: run `make sync` (python tools/sync_toc.py)")
        return 1
    TOC.write_text(new, encoding="utf-8")
    print("updated _toc.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
