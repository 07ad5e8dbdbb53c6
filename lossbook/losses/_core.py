"""Shared machinery of :mod:`lossbook.losses`: the registry, dtypes and reductions.

Every loss in the package is a plain function registered here with :func:`register`,
which records its facts (:mod:`lossbook.losses.facts`); its derivative is attached as
the attribute ``grad`` with :func:`grad_of`.  Keeping the value and the derivative as
two ordinary functions (rather than a class) lets Sphinx document them and lets
doctest find their examples.

The input checks every loss runs live in :mod:`lossbook.checks`, shared with the
optimizers and the surfaces.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .facts import KINDS, REDUCTIONS, LossInfo, make_info

_REGISTRY: dict[str, Callable] = {}
_INFO: dict[str, LossInfo] = {}


# --------------------------------------------------------------------------- registry
def register(kind: str, **facts) -> Callable[[Callable], Callable]:
    """Decorator: add a loss function to the registry under its ``__name__``, with its facts.

    ``kind`` is one of ``KINDS``; ``facts`` are the keyword arguments of
    :class:`~lossbook.losses.facts.LossInfo` (all of
    :data:`~lossbook.losses.facts.REQUIRED_FACTS`, and the optional ones that apply).
    A missing, unknown or malformed fact, or one that disagrees with the signature,
    raises ``ValueError`` naming the loss, at import.  The function gets the
    attributes ``info`` (its :class:`LossInfo`), ``kind`` and ``grad`` (``None`` until
    :func:`grad_of` attaches the derivative).
    """

    def deco(fn: Callable) -> Callable:
        name = fn.__name__
        if name in _REGISTRY:
            raise ValueError(f"register: a loss named {name!r} is already registered")
        fact_sheet = make_info(fn, kind, facts)
        _REGISTRY[name] = fn
        _INFO[name] = fact_sheet
        fn.info = fact_sheet
        fn.kind = kind
        fn.grad = None
        return fn

    return deco


def grad_of(loss: Callable) -> Callable[[Callable], Callable]:
    """Decorator: attach ``g`` as ``loss.grad``, the derivative of ``loss``.

    ``loss.grad`` takes exactly the arguments of ``loss`` and returns the derivative of
    the (reduced) loss with respect to the prediction input, or a tuple of derivatives
    where the loss has several prediction inputs (in the order of ``loss.info.wrt``).
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


def info(name) -> LossInfo:
    """The facts of the loss registered as ``name`` (or of the loss function itself).

    Example:
        >>> from lossbook import losses
        >>> f = losses.info("focal")
        >>> f.target, f.prediction, f.labels, f.proper
        ('binary01', 'logit', '0/1', False)
        >>> f.hyper["gamma"].reduces_to[0].equals
        'binary_cross_entropy_with_logits'
    """
    if callable(name) and _REGISTRY.get(getattr(name, "__name__", None)) is name:
        return name.info
    if not isinstance(name, str) or name not in _INFO:
        raise ValueError(
            f"info: unknown loss {name!r}; available losses are {', '.join(available())}"
        )
    return _INFO[name]


def _matches(value, wanted) -> bool:
    if wanted is True and not isinstance(value, bool):
        return value is not None and value is not False  # per_example=True: any form
    return value == wanted


def available(kind: str | None = None, **facts) -> list[str]:
    """Names of the registered losses, sorted; only those of ``kind`` and ``facts`` if given.

    Each keyword filters on a fact of :class:`LossInfo` by equality, except that
    ``per_example=True`` keeps the losses with any per-example form (``"element"`` or
    ``"sample"``).

    Example:
        >>> from lossbook import losses
        >>> losses.available("penalty")
        ['elastic_net', 'l1_penalty', 'l2_penalty']
        >>> losses.available("regression", per_example="element", differentiable=True)
        ['barron', 'huber', 'log_cosh', 'mse', 'smooth_l1']
        >>> losses.available("metric", target="pm1")
        ['cosine_embedding', 'hinge_embedding', 'margin_ranking']
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"available: kind must be one of {KINDS} or None, got {kind!r}")
    fields = LossInfo.__dataclass_fields__
    for key in facts:
        if key not in fields or key in ("name", "kind", "sample"):
            raise ValueError(
                f"available: {key} is not a fact to filter on; the facts are "
                f"{', '.join(k for k in fields if k not in ('name', 'kind', 'sample'))}"
            )
    return sorted(
        n for n, i in _INFO.items()
        if (kind is None or i.kind == kind)
        and all(_matches(getattr(i, k), v) for k, v in facts.items())
    )


# --------------------------------------------------------------------------- dtypes and reductions
def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The floating dtype of a computation on ``arrays`` (float32 stays float32)."""
    return np.result_type(*[a.dtype for a in arrays if a.dtype.kind == "f"] or [np.float64])


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


# --------------------------------------------------------------------------- stable logistic pieces
def softplus(t: np.ndarray) -> np.ndarray:
    """``log(1 + e^t)`` without overflow: ``max(t, 0) + log1p(e^-|t|)``.

    Exact at both ends: ``softplus(-1000) = 0`` (the true value underflows), and
    ``softplus(1000) = 1000``; the limits at ``+-inf`` are ``inf`` and 0.
    """
    return np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))


def sigmoid(t: np.ndarray) -> np.ndarray:
    """``1 / (1 + e^-t)`` from ``e^-|t| <= 1``: no overflow, exact down to the smallest float."""
    e = np.exp(-np.abs(t))
    return np.where(t >= 0, 1 / (1 + e), e / (1 + e))
