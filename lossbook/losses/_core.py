"""Shared machinery of :mod:`lossbook.losses`: input checks, reductions, the registry.

Every loss in the package is a plain function registered here with :func:`register`;
its derivative is attached as the attribute ``grad`` with :func:`grad_of`.  Keeping
the value and the derivative as two ordinary functions (rather than a class) lets
Sphinx document them and lets doctest find their examples.

The checks are strict on purpose: a loss that silently broadcasts ``(N, 1)`` against
``(N,)`` returns a number that looks right and is wrong (an ``(N, N)`` matrix of
residuals gets averaged).  Here it raises a ``ValueError`` that names both shapes.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

REDUCTIONS = ("mean", "sum", "none")

#: The kinds of loss, used by :func:`available` and by the widgets' dropdowns.
KINDS = (
    "regression",  # (y_true, y_pred) of the same shape, elementwise
    "probabilistic",  # regression losses with a distribution parameter (Poisson, Gaussian)
    "classification",  # labels against probabilities, logits or scores
    "divergence",  # two distributions
    "metric",  # pairs, triplets, embeddings
    "sequence",  # CTC
    "penalty",  # regularization terms on weights
)

_REGISTRY: dict[str, Callable] = {}
_KIND: dict[str, str] = {}


# --------------------------------------------------------------------------- registry
def register(kind: str) -> Callable[[Callable], Callable]:
    """Decorator: add a loss function to the registry under its ``__name__``.

    ``kind`` is one of :data:`KINDS`.  The function gets a ``grad`` attribute (set to
    ``None`` until :func:`grad_of` attaches the derivative) and a ``kind`` attribute.
    """
    if kind not in KINDS:
        raise ValueError(f"register: kind must be one of {KINDS}, got {kind!r}")

    def deco(fn: Callable) -> Callable:
        name = fn.__name__
        if name in _REGISTRY:
            raise ValueError(f"register: a loss named {name!r} is already registered")
        _REGISTRY[name] = fn
        _KIND[name] = kind
        fn.kind = kind
        fn.grad = None
        return fn

    return deco


def grad_of(loss: Callable) -> Callable[[Callable], Callable]:
    """Decorator: attach ``g`` as ``loss.grad``, the derivative of ``loss``.

    ``loss.grad`` takes exactly the arguments of ``loss`` and returns the derivative of
    the (reduced) loss with respect to the prediction input, or a tuple of derivatives
    where the loss has several prediction inputs.
    """

    def deco(g: Callable) -> Callable:
        g.__name__ = "grad"
        g.__qualname__ = f"{loss.__name__}.grad"
        if not g.__doc__:
            g.__doc__ = (
                f"Derivative of :func:`{loss.__name__}` with respect to its prediction "
                "input(s); same arguments, same reduction."
            )
        loss.grad = g
        return g

    return deco


def get(name: str) -> Callable:
    """Return the loss function registered as ``name``.

    Example:
        >>> from lossbook import losses
        >>> print(losses.get("mse")([1.0, 2.0], [1.0, 4.0]))
        2.0
    """
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"get: unknown loss {name!r}; available losses are {', '.join(available())}"
        ) from None


def available(kind: str | None = None) -> list[str]:
    """Names of the registered losses, sorted; only those of ``kind`` if given.

    Example:
        >>> from lossbook import losses
        >>> losses.available("penalty")
        ['elastic_net', 'l1_penalty', 'l2_penalty']
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"available: kind must be one of {KINDS} or None, got {kind!r}")
    return sorted(n for n in _REGISTRY if kind is None or _KIND[n] == kind)


# --------------------------------------------------------------------------- checks
def check_reduction(fn: str, reduction, allowed=REDUCTIONS) -> None:
    """Raise unless ``reduction`` is one of ``allowed``."""
    if not isinstance(reduction, str) or reduction not in allowed:
        raise ValueError(
            f"{fn}: reduction must be one of {', '.join(map(repr, allowed))}, "
            f"got {reduction!r}"
        )


def as_float(x, fn: str, arg: str, *, allow_empty: bool = False) -> np.ndarray:
    """Convert ``x`` to a floating array; integers and booleans become float64.

    Floating inputs keep their dtype (float32 in, float32 out).  Raises ``ValueError``
    for non-numeric input and, unless ``allow_empty``, for an empty array.
    """
    try:
        a = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{fn}: {arg} must be array-like numbers, got {type(x).__name__}") from exc
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    elif a.dtype.kind != "f":
        raise ValueError(f"{fn}: {arg} must hold real numbers, got dtype {a.dtype}")
    if a.size == 0 and not allow_empty:
        raise ValueError(f"{fn}: {arg} must not be empty, got shape {a.shape}")
    return a


def as_labels(x, fn: str, arg: str, n_classes: int | None = None, *, ignore_index=None) -> np.ndarray:
    """Convert ``x`` to an integer label array, checking ``0 <= label < n_classes``.

    Labels equal to ``ignore_index`` are exempt from the range check.
    """
    a = np.asarray(x)
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
            raise ValueError(f"{fn}: {arg} must hold integer class labels, got non-integer values")
        a = a.astype(np.int64)
    elif a.dtype.kind not in "iu":
        raise ValueError(f"{fn}: {arg} must hold integer class labels, got dtype {a.dtype}")
    if a.size == 0:
        raise ValueError(f"{fn}: {arg} must not be empty, got shape {a.shape}")
    if n_classes is not None:
        check = a if ignore_index is None else a[a != ignore_index]
        bad = check[(check < 0) | (check >= n_classes)]
        if bad.size:
            raise ValueError(
                f"{fn}: {arg} must hold class labels in [0, {n_classes - 1}]"
                + (f" (or ignore_index={ignore_index})" if ignore_index is not None else "")
                + f", got {bad.flat[0]}"
            )
    return a


def same_shape(fn: str, a: np.ndarray, b: np.ndarray, name_a: str = "y_true", name_b: str = "y_pred") -> None:
    """Raise unless ``a`` and ``b`` have exactly the same shape (no broadcasting)."""
    if a.shape != b.shape:
        hint = ""
        if a.ndim != b.ndim and a.size == b.size:
            hint = " (they hold the same number of values: reshape one, e.g. with .reshape(-1))"
        raise ValueError(
            f"{fn}: {name_a} and {name_b} must have the same shape, got {name_a} {a.shape} "
            f"and {name_b} {b.shape}{hint}; lossbook never broadcasts them, because "
            f"(N, 1) against (N,) would silently compare every pair (an (N, N) result)"
        )


def check_probabilities(fn: str, p: np.ndarray, arg: str) -> None:
    """Raise if any (non-NaN) entry of ``p`` lies outside [0, 1]."""
    bad = p[(p < 0) | (p > 1)]
    if bad.size:
        raise ValueError(f"{fn}: {arg} must hold probabilities in [0, 1], got {bad.flat[0]}")


def check_positive(fn: str, value, arg: str, *, strict: bool = True) -> None:
    """Raise unless the scalar hyperparameter ``value`` is positive (or >= 0)."""
    ok = value > 0 if strict else value >= 0
    if not np.isscalar(value) or not ok:
        raise ValueError(f"{fn}: {arg} must be {'> 0' if strict else '>= 0'}, got {value!r}")


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The floating dtype of a computation on ``arrays`` (float32 stays float32)."""
    return np.result_type(*[a.dtype for a in arrays if a.dtype.kind == "f"] or [np.float64])


# --------------------------------------------------------------------------- reductions
def reduce(values: np.ndarray, reduction: str):
    """Apply ``reduction`` to per-element losses: a scalar for mean/sum, else the array."""
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values


def reduce_grad(d: np.ndarray, reduction: str) -> np.ndarray:
    """Turn per-element derivatives into the derivative of the reduced loss.

    The mean divides every element's derivative by the number of elements; the sum and
    ``"none"`` (each element's derivative of its own loss) leave them as they are.
    """
    if reduction == "mean":
        return d / d.size
    return d
