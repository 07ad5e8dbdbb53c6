"""Check that the chapters keep the book's notation: one meaning per reserved symbol.

The preface's notation table is the law of the book. Some symbols are reserved for one
meaning (eta is the learning rate, lambda a penalty's strength, mu a predictive mean,
tau a quantile level, T a temperature, C the number of classes, ...). A machine cannot
read meaning, but it can catch the usual ways a reserved symbol slips into another job:
the symbol in a sentence together with the words of the other job ("the momentum
$\\mu$", "the eigenvalues $\\lambda_i$", "$L$-smooth", "temperature $\\tau$").

Usage::

    python tools/check_notation.py            # list every suspect sentence, exit 1 if any
    python tools/check_notation.py book/11_hinge_svm.md

Each rule is (symbol pattern, words that must not share a sentence with it, why). A
sentence is the text between full stops, with code spans removed (code may name
library arguments like scikit-learn's ``C`` or PyTorch's ``beta``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


@dataclass(frozen=True)
class Rule:
    symbol: str  # regex matched inside math
    forbidden: str  # regex matched in the sentence (case-insensitive)
    meaning: str  # what the symbol is reserved for


RULES = (
    Rule(r"\\eta(?![a-zA-Z])", r"linear predictor|log-rate|log rate|natural parameter|P\(y|probability that", "the learning rate"),
    Rule(r"\\mu(?![a-zA-Z])", r"momentum|curvature|strong(ly)? convex|smallest eigenvalue|heavy[- ]ball coefficient", "the mean of a predictive distribution"),
    Rule(r"\\lambda(?![a-zA-Z])", r"eigenvalue|Poisson rate|rate \$\\lambda|intensity", "the strength of a penalty"),
    Rule(r"(?<![a-zA-Z\\])L(?![a-zA-Z_])", r"\bL-smooth|smoothness constant|Lipschitz constant of the gradient|is \$L\$-smooth", "the training objective"),
    Rule(r"(?<![a-zA-Z\\])C(?![a-zA-Z_])", r"\bSVM constant|soft-margin constant|regularization constant|penalty parameter|cost parameter", "the number of classes"),
    Rule(r"\\tau(?![a-zA-Z])", r"temperature|time constant|half-life", "the quantile level"),
    Rule(r"(?<![a-zA-Z\\])t(?:_i)?\s*\\in\s*\\\{\s*-\s*1", r".", "the step counter (labels in {-1,+1} are y-tilde)"),
    Rule(r"y_\{?01\}?", r".", "nothing (binary labels are y, their +-1 form y-tilde)"),
    Rule(r"(?<![a-zA-Z\\])x\s*=\s*\\log", r".", "the input (a log-rate is z)"),
    Rule(r"(?<![a-zA-Z\\])s(?:_i)?(?![a-zA-Z_])", r"\bscore \$s|scores \$s|margin \$m\s*=\s*\\?t?i?l?d?e?\{?y\}?\s*s\b", "nothing: a raw score is z"),
)

_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
_CODE = re.compile(r"`[^`\n]*`")
_FENCE = re.compile(r"^(```+|~~~+)", re.M)


def prose(text: str) -> str:
    """The Markdown outside code cells and code blocks, with code spans removed."""
    out, fence = [], None
    for line in text.splitlines():
        m = _FENCE.match(line.strip())
        if m:
            marker = m.group(1)
            rest = line.strip()[len(marker):]
            if fence is None:
                fence = marker if rest.startswith("{code-cell}") or rest.startswith("python") or rest in ("", "text", "bash", "console") else "::directive"
                if fence == "::directive":
                    fence = None  # directives (math, admonitions) hold prose: keep reading
                    continue
                continue
            if line.strip() == fence:
                fence = None
            continue
        if fence is None:
            out.append(line)
    return _CODE.sub(" ", "\n".join(out))


def sentences(text: str):
    """(line number, sentence) pairs: split at '. ' and blank lines, math kept whole."""
    line = 1
    for para in re.split(r"(\n\s*\n)", text):
        if not para.strip():
            line += para.count("\n")
            continue
        start = line
        # sentences end at a full stop; a table row or a list item is a sentence of its own
        for sent in re.split(r"(?<=[.!?])\s+(?=[A-Z(])|\n(?=\s*[|*-] )", para):
            yield start, sent
            start += sent.count("\n")
        line += para.count("\n")


def without_notation_table(text: str) -> str:
    """The text less the section that defines the notation (it names every meaning)."""
    return re.sub(r"^## Notation\n.*?(?=^## )", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S | re.M)


def problems(path: Path) -> list[str]:
    found = []
    text = without_notation_table(path.read_text(encoding="utf-8"))
    for lineno, sent in sentences(prose(text)):
        maths = " ".join(a or b for a, b in _MATH.findall(sent))
        if not maths:
            continue
        for rule in RULES:
            if re.search(rule.symbol, maths) and re.search(rule.forbidden, sent, re.I):
                snippet = " ".join(sent.split())[:160]
                found.append(f"{path.name}:~{lineno}: reserved symbol /{rule.symbol}/ is {rule.meaning}: {snippet}")
    return found


def main(argv=None) -> int:
    files = [Path(a) for a in (argv or sys.argv[1:])] or sorted(BOOK.glob("*.md"))
    found = [p for f in files for p in problems(f)]
    print("\n".join(found) or f"{len(files)} files keep the notation")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
