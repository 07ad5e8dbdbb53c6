"""Divergences between two discrete probability distributions.

:func:`kl_divergence` takes the target distribution first and the predicted
distribution second, like every loss in :mod:`lossbook.losses` (PyTorch's
``F.kl_div`` takes the log of the prediction first).  Its ``grad`` attribute gives the
derivative with respect to the prediction.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ._core import grad_of, register, result_dtype
from .facts import Case, draw

__all__ = ["kl_divergence"]

_KL_REDUCTIONS = ("batchmean", "sum", "mean", "none")


def _prepare_kl_divergence(p, q, eps, reduction):
    """The preparation kl_divergence and its grad share.

    Returns ``(p, q, q_raw)`` of shape (N, C) in one dtype: ``p`` and ``q`` clipped to
    ``[eps, 1]`` when ``eps`` is given, ``q_raw`` unclipped (the gradient needs it).
    """
    fn = "kl_divergence"
    checks.reduction(fn, reduction, _KL_REDUCTIONS)
    eps = checks.in_range(fn, "eps", eps, 0, 1, closed="neither", optional=True)
    p = checks.float_array(fn, "p", p)
    q = checks.float_array(fn, "q", q)
    checks.same_shape(fn, "p", p, "q", q)
    if p.ndim != 2:
        raise ValueError(
            f"{fn}: p and q must have shape (N, C), one distribution per row, got shape {p.shape}"
            + (" (for one distribution pass p[None, :] and q[None, :])" if p.ndim == 1 else "")
        )
    checks.probabilities(fn, "p", p)
    checks.probabilities(fn, "q", q)
    dtype = result_dtype(p, q)
    p = p.astype(dtype, copy=False)
    q_raw = q.astype(dtype, copy=False)
    if eps is None:
        return p, q_raw, q_raw
    return np.clip(p, eps, 1), np.clip(q_raw, eps, 1), q_raw


def _kl_reduce(values: np.ndarray, reduction: str, n_rows: int):
    if reduction == "none":
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "batchmean":
        return total / values.dtype.type(n_rows)
    return total / values.dtype.type(values.size)  # "mean": over all N * C entries


@register(
    "divergence",
    inputs=("p", "q"),
    target="class_probabilities",
    prediction="class_probabilities",
    labels=None,
    per_example="element",
    reductions=_KL_REDUCTIONS,
    hyper=(),
    options=("eps",),
    convex=True,  # -p log q is convex in q
    differentiable=True,
    proper=True,  # minimized over q by q = p (Gibbs' inequality)
    sample=lambda rng, n: Case(tuple(draw("class_probabilities", rng, (n, 4)) for _ in "pq")),
)
def kl_divergence(p, q, *, eps=None, reduction="batchmean"):
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(p \,\|\, q)` of each row of ``q`` from ``p``.

    .. math::
        \ell_{ic} = p_{ic} \log \frac{p_{ic}}{q_{ic}}
        \quad (0 \log \tfrac{0}{q} = 0), \qquad
        \mathrm{KL} = \frac1N \sum_{i=1}^N \sum_{c=1}^C \ell_{ic}
        \quad\text{(batchmean)}

    ``"sum"`` adds all :math:`\ell_{ic}`, ``"mean"`` divides that sum by :math:`NC`
    (which is not a KL divergence of anything), ``"none"`` returns the :math:`\ell_{ic}`.

    Args:
        p: target distribution :math:`p`, probabilities in [0, 1], one distribution
            per row.
        q: predicted distribution :math:`q`, probabilities in [0, 1].
        eps: ``None`` (default) for the exact divergence; a number in (0, 1) clips
            both :math:`p` and :math:`q` to :math:`[\epsilon, 1]` first, as Keras does
            with ``1e-7`` (the derivative is then 0 where :math:`q < \epsilon`).
        reduction: ``"batchmean"`` (default), ``"sum"``, ``"mean"`` or ``"none"``.

    Shape:
        ``p`` and ``q`` of shape ``(N, C)``: N distributions over C classes; a scalar,
        or ``(N, C)`` with ``reduction="none"``.

    Example:
        >>> print(round(kl_divergence([[0.5, 0.5]], [[0.9, 0.1]]), 6))
        0.510826

    Where :math:`p_{ic} > 0` and :math:`q_{ic} = 0` the divergence is :math:`+\infty`.
    It is not symmetric; it is zero only for :math:`q = p`; and the cross-entropy
    splits as :math:`H(p, q) = H(p) + \mathrm{KL}(p \,\|\, q)`, so minimizing
    :func:`~lossbook.losses.cross_entropy` over :math:`q` minimizes the divergence.
    The derivative with respect to :math:`q` is :math:`-p / q` (reduced).

    PyTorch ``F.kl_div(input, target)`` (``nn.KLDivLoss``) takes the *log* of the
    prediction first and the target second, so this function's
    ``kl_divergence(p, q)`` is ``F.kl_div(q.log(), p, reduction="batchmean")``; its
    default reduction is ``"mean"`` (over all entries, with a warning that
    ``"batchmean"`` is the divergence), and at :math:`p = q = 0` it gives NaN
    (:math:`0 \cdot \log 0`) where this gives 0.  Keras ``keras.losses.KLDivergence``
    clips both arguments to ``[1e-7, 1]``, sums over the last axis and averages over
    the batch: ``eps=1e-7`` reproduces it, but a zero in :math:`p` then adds
    :math:`10^{-7} \log(10^{-7} / q)`.  SciPy ``scipy.special.rel_entr(p, q)`` is
    ``reduction="none"``, and ``scipy.stats.entropy(p, q)`` normalizes the rows first.

    References:
        Kullback, S., Leibler, R. A. (1951). On information and sufficiency. Annals of
        Mathematical Statistics 22(1), 79-86.
    """
    p, q, _ = _prepare_kl_divergence(p, q, eps, reduction)
    out = np.zeros_like(p)
    has_mass = ~(p == 0)  # 0 log(0 / q) = 0 for every q; NaN counts as mass (NaN out)
    out[has_mass & (q == 0)] = np.inf  # p > 0 where q = 0: infinitely surprising
    regular = has_mass & ~(q == 0)
    pr, qr = p[regular], q[regular]
    # log(p / q) is accurate when p is close to q (where log p - log q cancels), but
    # p / q can overflow (q subnormal) or underflow; there log p - log q is used.
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        log_ratio = np.log(pr / qr)
    bad = np.isinf(log_ratio)
    log_ratio[bad] = np.log(pr[bad]) - np.log(qr[bad])
    out[regular] = pr * log_ratio
    return _kl_reduce(out, reduction, p.shape[0])


@grad_of(kl_divergence)
def _kl_divergence_grad(p, q, *, eps=None, reduction="batchmean"):
    p, q, q_raw = _prepare_kl_divergence(p, q, eps, reduction)
    d = np.zeros_like(p)
    has_mass = ~(p == 0)
    d[has_mass & (q == 0)] = -np.inf
    regular = has_mass & ~(q == 0)
    d[regular] = -p[regular] / q[regular]
    if eps is not None:
        # clipping has slope 0 below eps; NaN stays (NaN in, NaN out)
        d[q_raw < eps] = 0
    if reduction == "batchmean":
        d /= p.shape[0]
    elif reduction == "mean":
        d /= d.size
    return d
