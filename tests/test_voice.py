"""The book speaks to its reader about its subject.

Reader-facing text (prose, captions, comments in shown code, printed strings) never
mentions the material the book was written from, the build, the test suite or the
project's history, and every reference to another chapter of the book is a link
(``{ref}``), so that a renamed or missing chapter breaks the build, not the reader.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parent.parent / "book"
PAGES = sorted(BOOK.glob("*.md"))

# Words of the workshop, not of the subject (case-insensitive). A "random seed" is fine;
# "the seed's code" or "seed article" is not.
JARGON = [
    r"source (article|document)s?",
    r"seed (article|document|text)s?",
    r"\bthe seeds?'s?\b(?! of)",
    r"\bseed \d{3}\b",
    r"test suite",
    r"\bnbval\b",
    r"jupyter-cache",
    r"build (log|speed|time)s?",
    r"threadpool",
    r"lossbook's tests",
]
# "Chapter 7" as plain text (a link renders the chapter's title); "chapter 5 of
# {cite:t}`goodfellow2016`" names another book's chapter and is fine.
PLAIN_CHAPTER = re.compile(r"\b[Cc]hapters? \d+(?!\s*(of|in)\b)(?:\s*(?:,|and|to|-|–)\s*\d+)*(?!\s*(of|in)\b)")


def _text_outside_comments(text: str) -> str:
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_no_workshop_jargon(page):
    text = _text_outside_comments(page.read_text(encoding="utf-8"))
    found = [
        f"line {text[: m.start()].count(chr(10)) + 1}: {m.group(0)!r}"
        for pattern in JARGON
        for m in re.finditer(pattern, text, re.I)
    ]
    assert not found, found


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_chapters_are_linked_not_named(page):
    text = _text_outside_comments(page.read_text(encoding="utf-8"))
    found = []
    for m in PLAIN_CHAPTER.finditer(text):
        after = text[m.end(): m.end() + 30]
        before = text[max(0, m.start() - 200): m.start()]
        if re.match(r"\s*(of|in)\b", after) or "{cite" in before:  # another book's chapter
            continue
        line = text[: m.start()].count("\n") + 1
        found.append(f"line {line}: {m.group(0)!r}")
    assert not found, f"name chapters with {{ref}} links: {found}"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_no_forward_reference_left_unlinked(page):
    # While a chapter is planned, a reference to it waits as <!-- LINK-LATER label: topic -->;
    # once every chapter exists, each must be a {ref} link in the prose.
    text = page.read_text(encoding="utf-8")
    left = [f"line {text[: m.start()].count(chr(10)) + 1}" for m in re.finditer("LINK-LATER", text)]
    assert not left, f"turn these placeholders into {{ref}} links: {left}"


def test_the_checks_catch_what_they_should(tmp_path):
    bad = "As Chapter 7 showed, one of the source articles is wrong; the test suite agrees."
    assert PLAIN_CHAPTER.search(bad)
    assert any(re.search(p, bad, re.I) for p in JARGON)
    good = "Draw with a random seed; chapter 5 of {cite:t}`goodfellow2016` says more."
    assert not any(re.search(p, good, re.I) for p in JARGON)
    m = PLAIN_CHAPTER.search(good)
    assert m is None or re.match(r"\s*(of|in)\b", good[m.end():])
