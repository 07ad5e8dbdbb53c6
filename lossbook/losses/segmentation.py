r"""Segmentation losses: the overlap of a predicted mask with the target mask.

Each function takes the target mask ``y_true`` (0/1, or soft values in [0, 1]) and the
predicted mask ``y_pred`` (probabilities in [0, 1], e.g. after a sigmoid) of the same
shape ``(N, *)``, with one sample per entry of the first axis, and gives one loss per
sample: the overlap is summed over every axis but the first (the pixels, voxels and
channels of a sample), as ``keras.losses.Dice(axis=(1, ..., k))`` does.  The reduction
then averages (or sums) over the N samples.

Both losses are written with the three soft counts of a sample,

.. math::
    \mathrm{TP} = \sum_k y_k \hat y_k, \qquad
    \mathrm{FN} = \sum_k y_k (1 - \hat y_k), \qquad
    \mathrm{FP} = \sum_k (1 - y_k) \hat y_k,

so that ``1 - overlap`` is a ratio of sums of non-negative terms: nothing cancels when
the overlap is close to 1, where ``1 - 2 TP / (...)`` would lose digits.  Each has a
``grad`` attribute of the same signature giving the derivative with respect to
``y_pred``.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ._core import REDUCTIONS, grad_of, reduce, reduce_grad, register, result_dtype
from .facts import Case, Hyper, Limit, draw

__all__ = ["dice", "tversky"]

# keras.config.epsilon(), added to the denominator of Keras's Dice and Tversky.  A Python
# float, so float32 inputs stay float32.
_EPS = 1e-7


def _prepare_masks(fn, y_true, y_pred, reduction):
    """Target and predicted masks of one shape ``(N, *)``, values in [0, 1], and the axes.

    Integer or boolean targets never promote a float32 prediction.
    """
    checks.reduction(fn, reduction)
    raw = np.asarray(y_true)
    t = checks.float_array(fn, "y_true", y_true)
    p = checks.float_array(fn, "y_pred", y_pred)
    checks.same_shape(fn, "y_true", t, "y_pred", p)
    if p.ndim < 2:
        raise ValueError(
            f"{fn}: y_pred must have shape (N, *) with at least one axis after the sample "
            f"axis N, got shape {p.shape} (for a single mask pass y_true[None] and y_pred[None])"
        )
    checks.probabilities(fn, "y_true", t)
    checks.probabilities(fn, "y_pred", p)
    dtype = p.dtype if raw.dtype.kind in "biu" else result_dtype(t, p)
    return t.astype(dtype, copy=False), p.astype(dtype, copy=False), tuple(range(1, p.ndim))


def _overlap(t, p, axes, a, b, c):
    r"""Per sample, the numerator and denominator of ``1 - overlap`` and the counts.

    ``1 - c TP / (c TP + a FN + b FP + eps) = (a FN + b FP + eps) / (c TP + a FN + b FP + eps)``.
    """
    tp = np.sum(t * p, axis=axes)
    fn = np.sum(t * (1 - p), axis=axes)
    fp = np.sum((1 - t) * p, axis=axes)
    num = a * fn + b * fp + _EPS
    return num, c * tp + num, tp


def _overlap_grad(t, p, axes, a, b, c, reduction):
    r"""Derivative in ``y_pred`` of ``num / den`` of :func:`_overlap`, reduced over samples.

    With ``dnum/dp = -a y + b (1 - y)`` and ``dden/dp = c y + dnum/dp``,
    ``d(num/den)/dp = c (TP dnum/dp - num y) / den^2``.
    """
    num, den, tp = _overlap(t, p, axes, a, b, c)
    expand = (slice(None),) + (None,) * len(axes)
    dnum = b * (1 - t) - a * t
    d = c * (tp[expand] * dnum - num[expand] * t) / (den * den)[expand]
    if reduction == "mean":
        d /= p.shape[0]  # the mean is over samples, not over their pixels
    return d


def _mask_sample(rng, n):
    """``n`` soft target masks and predicted masks of 2 x 3 pixels."""
    return Case((draw("probability", rng, (n, 2, 3)), draw("probability", rng, (n, 2, 3))))


# The facts dice and tversky share (tversky adds its hyperparameters).
_MASK_FACTS = dict(
    inputs=("y_true", "y_pred"),
    target="probability",
    prediction="probability",
    labels="a 0/1 mask (soft values in [0, 1] allowed) of shape (N, *)",
    per_example="sample",
    reductions=REDUCTIONS,
    convex=False,  # a ratio of sums: quasi-convex at best, not convex
    differentiable=True,  # the denominator is at least eps > 0
    proper=None,
    sample=_mask_sample,
)


@register("segmentation", hyper=(), **_MASK_FACTS)
def dice(y_true, y_pred, *, reduction="mean"):
    r"""Dice loss: one minus the soft Dice coefficient of each sample's masks (Keras's Dice).

    .. math::
        \ell_i = 1 - \frac{2 \sum_k y_{ik} \hat y_{ik}}
                          {\sum_k y_{ik} + \sum_k \hat y_{ik} + \epsilon}
               = \frac{\mathrm{FN}_i + \mathrm{FP}_i + \epsilon}
                      {2\,\mathrm{TP}_i + \mathrm{FN}_i + \mathrm{FP}_i + \epsilon},
        \qquad \epsilon = 10^{-7}, \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    where :math:`k` runs over every axis of a sample (all but the first) and TP, FN,
    FP are the soft counts of ``lossbook.losses.segmentation``.

    Args:
        y_true: target masks :math:`y` in [0, 1] (0/1, or soft).
        y_pred: predicted masks :math:`\hat y` in [0, 1] (probabilities, e.g. a
            sigmoid's output).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per sample).

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)`` with N samples and at
        least one more axis (``(N, H, W)``, ``(N, H, W, C)``, ...); a scalar, or
        ``(N,)`` with ``reduction="none"``.

    Example:
        >>> y = [[[1.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]]
        >>> p = [[[0.0, 1.0], [0.0, 1.0]], [[0.4, 0.0], [0.0, 0.9]]]
        >>> print(dice(y, p, reduction="none").round(6))  # Keras's own example
        [0.5      0.757576]

    This is Keras ``keras.losses.Dice(axis=(1, ..., k))`` with every axis but the first,
    :math:`\epsilon = 10^{-7}` (``keras.config.epsilon()``) in the denominator
    included; Keras's default ``axis=None`` instead pools the whole batch into one
    coefficient.  Without :math:`\epsilon` a sample whose target and prediction are
    both empty would be 0/0 (NaN); with it its loss is 1, the largest possible,
    although the prediction is perfect: Dice is for samples whose masks are not
    empty.  The derivative ``grad`` is
    :math:`2\,(\mathrm{TP} (1 - 2y) - (\mathrm{FN} + \mathrm{FP} + \epsilon)\,y) / D^2`
    with :math:`D` the denominator.  ``optax.losses.dice_loss`` differs: it applies a
    softmax over a trailing class axis by default, averages the per-class losses and
    adds ``smooth=1`` to numerator and denominator.  PyTorch has no Dice loss.
    :func:`tversky` weighs the two kinds of error separately (its
    :math:`\alpha = \beta = 1/2` is this loss with :math:`2\epsilon`).  On hard 0/1
    masks the Dice coefficient is the F1 score of the pixels; :func:`binary_cross_entropy`
    is the per-pixel loss it is often added to.

    References:
        Dice, L. R. (1945). Measures of the amount of ecologic association between
        species. Ecology, 26(3), 297-302.  Milletari, F., Navab, N., & Ahmadi, S.-A.
        (2016). V-Net: fully convolutional neural networks for volumetric medical
        image segmentation. 3DV.
    """
    t, p, axes = _prepare_masks("dice", y_true, y_pred, reduction)
    num, den, _ = _overlap(t, p, axes, 1.0, 1.0, 2.0)
    return reduce(num / den, reduction)


@grad_of(dice)
def _dice_grad(y_true, y_pred, *, reduction="mean"):
    t, p, axes = _prepare_masks("dice", y_true, y_pred, reduction)
    return _overlap_grad(t, p, axes, 1.0, 1.0, 2.0, reduction)


def _prepare_tversky(y_true, y_pred, alpha, beta, reduction):
    """The preparation tversky and its grad share: masks, axes, alpha and beta."""
    alpha = checks.at_least("tversky", "alpha", alpha)
    beta = checks.at_least("tversky", "beta", beta)
    return (*_prepare_masks("tversky", y_true, y_pred, reduction), alpha, beta)


@register(
    "segmentation",
    hyper=(
        Hyper("alpha", 0.5, 0.0, 1.0, step=0.05,
              reduces_to=(Limit(0.5, None, note="alpha = beta = 1/2: dice with epsilon 2e-7 "
                                               "in place of 1e-7 (a limit in both hyperparameters)"),)),
        Hyper("beta", 0.5, 0.0, 1.0, step=0.05),
    ),
    **_MASK_FACTS,
)
def tversky(y_true, y_pred, *, alpha=0.5, beta=0.5, reduction="mean"):
    r"""Tversky loss: Dice with separate weights on missed target and on false alarms (Keras's).

    .. math::
        \ell_i = 1 - \frac{\mathrm{TP}_i}
                          {\mathrm{TP}_i + \alpha\,\mathrm{FN}_i + \beta\,\mathrm{FP}_i + \epsilon}
               = \frac{\alpha\,\mathrm{FN}_i + \beta\,\mathrm{FP}_i + \epsilon}
                      {\mathrm{TP}_i + \alpha\,\mathrm{FN}_i + \beta\,\mathrm{FP}_i + \epsilon},
        \qquad \epsilon = 10^{-7}, \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    with the soft counts of sample :math:`i` summed over every axis but the first:
    :math:`\mathrm{TP} = \sum y \hat y`, :math:`\mathrm{FN} = \sum y (1 - \hat y)` (the
    missed target mass), :math:`\mathrm{FP} = \sum (1 - y) \hat y` (the false alarms).

    Args:
        y_true: target masks :math:`y` in [0, 1].
        y_pred: predicted masks :math:`\hat y` in [0, 1].
        alpha: :math:`\alpha \ge 0`, the weight of the false negatives (default 0.5):
            raise it to favour recall.
        beta: :math:`\beta \ge 0`, the weight of the false positives (default 0.5):
            raise it to favour precision.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per sample).

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)`` with N samples and at
        least one more axis; a scalar, or ``(N,)`` with ``reduction="none"``.

    Example:
        >>> y = [[1.0, 1.0, 1.0, 0.0]]
        >>> p = [[1.0, 0.0, 0.0, 0.0]]  # TP = 1, FN = 2 (missed target), FP = 0
        >>> print(round(tversky(y, p, alpha=0.7, beta=0.3), 6))  # 1 - 1 / (1 + 0.7 * 2)
        0.583333
        >>> print(round(tversky(y, p, alpha=0.3, beta=0.7), 6))  # 1 - 1 / (1 + 0.3 * 2)
        0.375

    This follows Keras ``keras.losses.Tversky(alpha, beta, axis=(1, ..., k))``, whose
    code puts ``alpha`` on the missed target mass :math:`\sum y (1 - \hat y)` (false
    negatives) and ``beta`` on the false positives: the opposite of the letters of
    Tversky (1977) and Salehi et al. (2017), where :math:`\alpha` weighs the false
    positives, and of Keras's own docstring, which says so too; ``optax.losses.dice_loss``
    uses the paper's letters.  To port a paper's :math:`(\alpha, \beta)`, swap them.
    The :math:`\epsilon = 10^{-7}` in the denominator is Keras's: without it a
    sample with empty target and prediction is 0/0 (NaN); with it the loss is 1.  At
    :math:`\alpha = \beta = 1/2` the denominator is
    :math:`(\sum y + \sum \hat y)/2 + \epsilon`, so this is :func:`dice` with
    :math:`2\epsilon` in place of :math:`\epsilon` (Keras calls the two equivalent);
    :math:`\alpha = \beta = 1` gives one minus the soft Jaccard index (IoU).

    References:
        Tversky, A. (1977). Features of similarity. Psychological Review, 84(4),
        327-352.  Salehi, S. S. M., Erdogmus, D., & Gholipour, A. (2017). Tversky loss
        function for image segmentation using 3D fully convolutional deep networks.
        MLMI (MICCAI workshop).
    """
    t, p, axes, alpha, beta = _prepare_tversky(y_true, y_pred, alpha, beta, reduction)
    num, den, _ = _overlap(t, p, axes, alpha, beta, 1.0)
    return reduce(num / den, reduction)


@grad_of(tversky)
def _tversky_grad(y_true, y_pred, *, alpha=0.5, beta=0.5, reduction="mean"):
    t, p, axes, alpha, beta = _prepare_tversky(y_true, y_pred, alpha, beta, reduction)
    return _overlap_grad(t, p, axes, alpha, beta, 1.0, reduction)
