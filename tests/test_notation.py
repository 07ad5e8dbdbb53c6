"""The book keeps its notation: the preface's table defines each reserved symbol once,
and no chapter uses a reserved symbol for another job (tools/check_notation.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

_spec = importlib.util.spec_from_file_location("_check_notation", ROOT / "tools" / "check_notation.py")
check_notation = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = check_notation
_spec.loader.exec_module(check_notation)

PAGES = sorted(BOOK.glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_reserved_symbols_keep_their_meaning(page):
    assert check_notation.problems(page) == []


# (symbol as written in the table, words its row must contain)
TABLE = [
    (r"$\eta$", "learning rate"),
    (r"$\lambda$", "penalty"),
    (r"$\mu$", "mean"),
    (r"$\tau$", "quantile"),
    (r"$T$", "temperature"),
    (r"$\kappa", "condition number"),
    (r"$\beta$", "momentum"),
    (r"$\tilde y", "-1"),
    (r"$z$", "logit"),
    (r"$C$", "classes"),
]


@pytest.mark.parametrize("symbol,meaning", TABLE)
def test_preface_table_defines_each_reserved_symbol(symbol, meaning):
    text = (BOOK / "preface.md").read_text(encoding="utf-8")
    table = text.split("## Notation", 1)[1].split("\n## ", 1)[0]
    rows = [r for r in table.splitlines() if r.startswith("|") and symbol in r.split("|")[1]]
    assert rows, f"the notation table has no row for {symbol}"
    assert any(meaning.lower() in r.lower() for r in rows), rows


@pytest.mark.parametrize(
    "sentence",
    [
        "With momentum $\\mu$ the heavy ball rolls on.",
        "The eigenvalues $\\lambda_i$ of the Hessian are positive.",
        "Divide the logits by a temperature $\\tau$ first.",
        "The function is $L$-smooth with smoothness constant $L$.",
        "Model the log-rate $\\eta = \\log\\mu$ linearly.",
    ],
)
def test_the_checker_catches_a_clash(tmp_path, sentence):
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\n{sentence}\n", encoding="utf-8")
    assert check_notation.problems(page)


def test_the_checker_passes_the_right_use(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\nThe learning rate $\\eta$ scales the step, and the momentum $\\beta$ "
        "averages the gradients. Code may name `C` for scikit-learn's SVM constant.\n",
        encoding="utf-8",
    )
    assert check_notation.problems(page) == []
