r"""Ranking losses: preferences between items, scored by a model.

A ranking loss has no target array: which item should rank higher is given by
position.  :func:`bpr` takes the scores of the preferred items and of the items they
are preferred to, elementwise; its ``grad`` attribute returns the derivatives with
respect to both.  The pairwise hinge on score differences is
:func:`~lossbook.losses.margin_ranking` (with a -1/+1 target) in
:mod:`lossbook.losses.metric`.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ._core import REDUCTIONS, grad_of, reduce, reduce_grad, register, result_dtype, sigmoid, softplus
from .facts import Case, draw

__all__ = ["bpr"]


def _prepare_bpr(pos_scores, neg_scores, reduction):
    """The preparation bpr and its grad share: the score differences ``neg - pos``."""
    fn = "bpr"
    checks.reduction(fn, reduction)
    pos = checks.float_array(fn, "pos_scores", pos_scores)
    neg = checks.float_array(fn, "neg_scores", neg_scores)
    checks.same_shape(fn, "pos_scores", pos, "neg_scores", neg)
    dtype = result_dtype(pos, neg)
    with np.errstate(invalid="ignore"):  # inf - inf (both scores +inf): no limit, NaN
        return neg.astype(dtype, copy=False) - pos.astype(dtype, copy=False)


@register(
    "ranking",
    inputs=("pos_scores", "neg_scores"),
    target=None,
    prediction="score",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,  # softplus of a linear function of the scores
    differentiable=True,
    proper=None,
    sample=lambda rng, n: Case((draw("score", rng, n), draw("score", rng, n))),
)
def bpr(pos_scores, neg_scores, *, reduction="mean"):
    r"""Bayesian personalized ranking (BPR): the logistic loss of each score difference.

    .. math::
        \ell_i = -\log \sigma(s^+_i - s^-_i) = \log\bigl(1 + e^{-(s^+_i - s^-_i)}\bigr),
        \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    Args:
        pos_scores: scores :math:`s^+` of the preferred items (e.g. items a user
            interacted with).
        neg_scores: scores :math:`s^-` of the items they should outrank (e.g. sampled
            items the user did not interact with), paired elementwise.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``pos_scores`` and ``neg_scores`` of the same shape ``(N, *)`` (N = pairs, or
        users by sampled negatives); a scalar, or ``(N, *)`` with
        ``reduction="none"`` (one value per pair).  No broadcasting: repeat the positive
        scores to pair them with several negatives.  ``grad`` returns
        ``(d_pos_scores, d_neg_scores)``.

    Example:
        >>> print(bpr([2.0, 0.0, 1000.0], [0.0, 0.0, -1000.0], reduction="none"))
        [0.12692801 0.69314718 0.        ]

    It is computed as :math:`\mathrm{softplus}(s^- - s^+)` with
    :math:`\mathrm{softplus}(x) = \max(x, 0) + \log(1 + e^{-|x|})`, so a difference
    of :math:`\pm 1000` gives 0 (the true :math:`5 \times 10^{-435}` underflows) and
    exactly 1000, where the naive :math:`-\log(1 / (1 + e^{1000}))` is
    :math:`-\log 0 = \infty` because :math:`e^{1000}` overflows.  The derivatives are
    :math:`\partial\ell/\partial s^+ = -\sigma(s^- - s^+)` and
    :math:`\partial\ell/\partial s^- = \sigma(s^- - s^+)`, computed without overflow.
    PyTorch ``-F.logsigmoid(pos - neg)``, ``-jax.nn.log_sigmoid(pos - neg)`` and
    optax ``sigmoid_binary_cross_entropy(pos - neg, 1)`` give the same values; no
    framework ships it under this name.  It is
    :func:`binary_cross_entropy_with_logits` of the difference with target 1, and the
    smooth counterpart of :func:`margin_ranking`'s hinge: it keeps pushing pairs
    that are already in order, ever more weakly.  Rendle et al. maximize the
    posterior, i.e. add an L2 penalty on the parameters (:func:`l2_penalty`).

    References:
        Rendle, S., Freudenthaler, C., Gantner, Z., & Schmidt-Thieme, L. (2009). BPR:
        Bayesian personalized ranking from implicit feedback. UAI.
    """
    return reduce(softplus(_prepare_bpr(pos_scores, neg_scores, reduction)), reduction)


@grad_of(bpr)
def _bpr_grad(pos_scores, neg_scores, *, reduction="mean"):
    d_neg = reduce_grad(sigmoid(_prepare_bpr(pos_scores, neg_scores, reduction)), reduction)
    return -d_neg, d_neg
