"""The registry of interactive figures: :func:`register`, :func:`get`, :func:`available`.

A figure registered here is covered by the tests (``tests/test_interactive.py`` runs
its compute function at every grid point, builds its chart, checks its size and moves
every control of its live panel) and by the benchmark (``make bench``).

Example:
    >>> from lossbook import interactive
    >>> "optimizer_playground" in interactive.available()
    True
"""

from __future__ import annotations

__all__ = ["register", "get", "available"]

_FIGURES: dict = {}


def register(figure, *, replace: bool = False):
    """Add ``figure`` to the registry under ``figure.name``; return it."""
    if figure.name in _FIGURES and not replace:
        raise ValueError(f"register: a figure named {figure.name!r} is already registered")
    _FIGURES[figure.name] = figure
    return figure


def get(name: str):
    """The figure registered as ``name``."""
    try:
        return _FIGURES[name]
    except KeyError:
        raise ValueError(f"get: no figure named {name!r}; the figures are {', '.join(available())}") from None


def available() -> list:
    """The names of the registered figures, sorted."""
    return sorted(_FIGURES)
