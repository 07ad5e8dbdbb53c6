"""Regularization penalties: terms on the weights that are added to a data loss.

A penalty has no target: each function takes the weights ``w`` (any shape) and a
keyword-only ``reduction`` in ``{"sum", "mean", "none"}``, whose default is ``"sum"``
(the norm of the whole weight vector, as in the textbook formulas).  Each has a
``grad`` attribute of the same signature giving the derivative with respect to ``w``.

The factor conventions differ between libraries, and they matter: the same number
``alpha`` means twice the shrinkage in one library as in another.  Each docstring says
how its term maps onto weight decay, scikit-learn and Keras.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ._core import grad_of, reduce, reduce_grad, register
from .facts import Case, Hyper, Limit, away_from, draw

__all__ = ["l1_penalty", "l2_penalty", "elastic_net"]


#: A penalty is a norm of the whole weight vector: the sum comes first.
_REDUCTIONS = ("sum", "mean", "none")


def _weights_sample(*kinks):
    """A ``sample(rng, n)`` of ``n`` weights that keep 0.05 away from ``kinks``."""
    return lambda rng, n: Case((away_from(draw("real", rng, n), kinks),))


def _prepare_penalty(fn: str, w, reduction: str) -> np.ndarray:
    """The preparation every penalty and its grad share: ``w`` as a non-empty float array."""
    checks.reduction(fn, reduction, _REDUCTIONS)
    return checks.float_array(fn, "w", w)


@register(
    "penalty",
    inputs=("w",),
    target=None,
    prediction="real",
    labels=None,
    per_example="element",
    reductions=_REDUCTIONS,
    hyper=(),
    convex=True,
    differentiable=False,
    kinks="at w_j = 0 (the subgradient 0 is used there)",
    proper=None,
    sample=_weights_sample(0.0),
)
def l1_penalty(w, *, reduction="sum"):
    r"""L1 penalty: the sum of the absolute weights (the lasso term).

    .. math::
        \ell_j = |w_j|, \qquad
        \Omega(w) = \sum_j \ell_j = \|w\|_1

    Args:
        w: weights, any shape.
        reduction: ``"sum"`` (default, :math:`\|w\|_1`), ``"mean"`` or ``"none"``.

    Shape:
        ``w`` of any shape ``(*)``; a scalar, or ``(*)`` with ``reduction="none"``.

    Example:
        >>> print(l1_penalty([1.0, -2.0, 0.5]))
        3.5

    The derivative is :math:`\operatorname{sign}(w_j)`, taking the subgradient 0 at
    :math:`w_j = 0` (the point where lasso solutions sit: the kink is what makes
    weights exactly zero).  Keras ``keras.regularizers.L1(l1)`` is
    ``l1 * l1_penalty(w)``; scikit-learn's ``Lasso(alpha)`` minimizes
    :math:`\frac{1}{2n}\|y - Xw\|^2 + \alpha\|w\|_1`, i.e. adds
    ``alpha * l1_penalty(w)`` to half the mean squared error.  See :func:`l2_penalty`
    and :func:`elastic_net`.

    References:
        Tibshirani, R. (1996). Regression shrinkage and selection via the lasso.
        Journal of the Royal Statistical Society B, 58(1), 267-288.
    """
    a = _prepare_penalty("l1_penalty", w, reduction)
    return reduce(np.abs(a), reduction)


@grad_of(l1_penalty)
def _l1_penalty_grad(w, *, reduction="sum"):
    a = _prepare_penalty("l1_penalty", w, reduction)
    return reduce_grad(np.sign(a), reduction)  # sign(0) = 0: the minimal subgradient


@register(
    "penalty",
    inputs=("w",),
    target=None,
    prediction="real",
    labels=None,
    per_example="element",
    reductions=_REDUCTIONS,
    hyper=(),
    convex=True,
    differentiable=True,
    proper=None,
    sample=_weights_sample(),
)
def l2_penalty(w, *, reduction="sum"):
    r"""L2 penalty: half the sum of the squared weights (the ridge term).

    .. math::
        \ell_j = \tfrac12 w_j^2, \qquad
        \Omega(w) = \sum_j \ell_j = \tfrac12 \|w\|_2^2

    Args:
        w: weights, any shape.
        reduction: ``"sum"`` (default), ``"mean"`` or ``"none"``.

    Shape:
        ``w`` of any shape ``(*)``; a scalar, or ``(*)`` with ``reduction="none"``.

    Example:
        >>> print(l2_penalty([1.0, -2.0, 0.5]))
        2.625

    The factor :math:`\tfrac12` makes the derivative exactly :math:`w`, so adding
    ``lam * l2_penalty(w)`` to a loss adds ``lam * w`` to the gradient, and a gradient
    step with learning rate ``lr`` multiplies the weights by ``(1 - lr * lam)``: this is
    *weight decay* with coefficient ``lam`` (``weight_decay=lam`` in ``torch.optim.SGD``;
    the equivalence breaks for adaptive optimizers such as Adam, which is why AdamW
    decouples the decay).  Other libraries drop the half:
    scikit-learn's ``Ridge(alpha)`` minimizes :math:`\|y - Xw\|^2 + \alpha\|w\|_2^2`,
    which is ``2 * alpha * l2_penalty(w)``, and Keras ``keras.regularizers.L2(l2)`` is
    ``l2 * sum(w**2) = 2 * l2 * l2_penalty(w)`` (Keras also stores ``l2`` as float32,
    so ``L2(0.3)`` uses 0.30000001192...).  See :func:`l1_penalty` (the lasso term) and
    :func:`elastic_net` (a mix of the two).

    References:
        Hoerl, A. E., & Kennard, R. W. (1970). Ridge regression: biased estimation for
        nonorthogonal problems. Technometrics, 12(1), 55-67.
        Loshchilov, I., & Hutter, F. (2019). Decoupled weight decay regularization. ICLR.
    """
    a = _prepare_penalty("l2_penalty", w, reduction)
    return reduce(0.5 * a * a, reduction)


@grad_of(l2_penalty)
def _l2_penalty_grad(w, *, reduction="sum"):
    a = _prepare_penalty("l2_penalty", w, reduction)
    return reduce_grad(a.copy(), reduction)


def _prepare_elastic_net(w, alpha, l1_ratio, reduction):
    """The preparation elastic_net and its grad share: ``w``, alpha >= 0, l1_ratio in [0, 1]."""
    fn = "elastic_net"
    a = _prepare_penalty(fn, w, reduction)
    alpha = checks.at_least(fn, "alpha", alpha)
    l1_ratio = checks.in_range(fn, "l1_ratio", l1_ratio, 0, 1, hint=" (1 = lasso, 0 = ridge)")
    return a, a.dtype.type(alpha), a.dtype.type(l1_ratio)  # float32 stays float32


@register(
    "penalty",
    inputs=("w",),
    target=None,
    prediction="real",
    labels=None,
    per_example="element",
    reductions=_REDUCTIONS,
    hyper=(
        Hyper("alpha", 1.0, 0.0, 5.0, step=0.05),
        Hyper("l1_ratio", 0.5, 0.0, 1.0, step=0.05, reduces_to=(
            Limit(1.0, "l1_penalty", note="l1_ratio = 1: alpha * l1_penalty (the lasso)"),
            Limit(0.0, "l2_penalty", note="l1_ratio = 0: alpha * l2_penalty (ridge)"),
        )),
    ),
    convex=True,
    differentiable=False,
    kinks="at w_j = 0 when l1_ratio > 0 (the subgradient 0 is used there)",
    proper=None,
    sample=_weights_sample(0.0),
)
def elastic_net(w, *, alpha=1.0, l1_ratio=0.5, reduction="sum"):
    r"""Elastic-net penalty: a convex mix of the L1 and (half) L2 penalties.

    .. math::
        \ell_j = \alpha \left( \rho\, |w_j| + \frac{1 - \rho}{2}\, w_j^2 \right),
        \qquad
        \Omega(w) = \sum_j \ell_j
        = \alpha \left( \rho \|w\|_1 + \frac{1 - \rho}{2} \|w\|_2^2 \right)

    with :math:`\rho` = ``l1_ratio``.

    Args:
        w: weights, any shape.
        alpha: overall strength :math:`\alpha \ge 0`.
        l1_ratio: mixing :math:`\rho \in [0, 1]`; 1 gives ``alpha *`` :func:`l1_penalty`
            (lasso), 0 gives ``alpha *`` :func:`l2_penalty` (ridge, with the half).
        reduction: ``"sum"`` (default), ``"mean"`` or ``"none"``.

    Shape:
        ``w`` of any shape ``(*)``; a scalar, or ``(*)`` with ``reduction="none"``.

    Example:
        >>> print(elastic_net([1.0, -2.0, 0.5], alpha=2.0, l1_ratio=0.5))
        6.125

    This is exactly the penalty term of scikit-learn's ``ElasticNet(alpha, l1_ratio)``,
    which minimizes :math:`\frac{1}{2n}\|y - Xw\|^2 + \Omega(w)`.  In Keras it is
    ``keras.regularizers.L1L2(l1=alpha * l1_ratio, l2=alpha * (1 - l1_ratio) / 2)``
    (Keras has no half on its squared term).  The L2 part keeps the objective strictly
    convex, so correlated features share weight instead of the lasso picking one at
    random (Zou & Hastie 2005).

    References:
        Zou, H., & Hastie, T. (2005). Regularization and variable selection via the
        elastic net. Journal of the Royal Statistical Society B, 67(2), 301-320.
    """
    a, alpha, l1_ratio = _prepare_elastic_net(w, alpha, l1_ratio, reduction)
    return reduce(alpha * (l1_ratio * np.abs(a) + 0.5 * (1 - l1_ratio) * a * a), reduction)


@grad_of(elastic_net)
def _elastic_net_grad(w, *, alpha=1.0, l1_ratio=0.5, reduction="sum"):
    a, alpha, l1_ratio = _prepare_elastic_net(w, alpha, l1_ratio, reduction)
    return reduce_grad(alpha * (l1_ratio * np.sign(a) + (1 - l1_ratio) * a), reduction)
