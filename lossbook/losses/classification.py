"""Classification losses: labels against probabilities, logits or scores.

Binary losses (:func:`binary_cross_entropy`, :func:`binary_cross_entropy_with_logits`,
:func:`focal`, :func:`hinge`, :func:`squared_hinge`, and with -1/+1 labels
:func:`soft_margin`, :func:`exponential`, :func:`modified_huber`) take
``(y_true, y_pred)`` of exactly the same shape and work elementwise.  Multiclass losses
take logits, log-probabilities or scores of shape ``(N, C)`` and integer labels of shape
``(N,)`` (:func:`cross_entropy`, which also takes class probabilities, :func:`nll`,
:func:`poly1`, :func:`sparsemax`, :func:`multiclass_hinge`, :func:`multi_margin`),
one-hot rows of shape ``(N, C)`` (:func:`categorical_hinge`,
:func:`categorical_focal`), or several labels per sample (:func:`multilabel_soft_margin`
with multi-hot rows, :func:`multilabel_margin` with rows of class indices ended by -1).
Every function has a ``grad`` attribute of the same signature that returns the
derivative of the reduced loss with respect to the prediction input.

Whatever can be computed from logits is computed from logits, with the tricks written
down where they are used: softplus as ``max(z, 0) + log1p(exp(-|z|))``, the sigmoid from
``exp(-|z|)``, log-softmax as ``z - max(z) - log(sum(exp(z - max(z))))``.  Logits of
``+-1e4`` give finite, exact losses in float32 and float64 (except :func:`exponential`,
whose true value overflows), and for the binary losses and :func:`cross_entropy`
infinite logits give the mathematical limit wherever the loss has one.  Where a
reference clips (Keras's ``1e-7`` in :func:`categorical_focal`), the loss clips too and
its docstring says what the loss would be without it.

Hyperparameter arrays (``weight``, ``pos_weight``) are cast to the dtype of the inputs,
so float32 inputs give a float32 loss; integer labels never promote the dtype.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ._core import REDUCTIONS, grad_of, reduce, reduce_grad, register, result_dtype
from .facts import Case, Hyper, Limit, away_from, draw

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "focal",
    "hinge",
    "squared_hinge",
    "multiclass_hinge",
    "nll",
    "soft_margin",
    "exponential",
    "modified_huber",
    "multilabel_soft_margin",
    "multi_margin",
    "multilabel_margin",
    "categorical_hinge",
    "categorical_focal",
    "poly1",
    "sparsemax",
]

# torch.nn.functional.binary_cross_entropy clamps each log at -100 so that a
# probability of exactly 0 or 1 gives a large finite loss instead of inf (and
# 0 * log(0) gives 0 instead of NaN).
_LOG_CLAMP = -100.0


# --------------------------------------------------------------------------- helpers
def _target_dtype(raw: np.ndarray, t: np.ndarray, pred: np.ndarray) -> np.dtype:
    """Computation dtype: integer or boolean targets never promote the prediction."""
    if raw.dtype.kind in "biu":
        return pred.dtype
    return result_dtype(t, pred)


def _mul0(a, b) -> np.ndarray:
    """``a * b`` with ``0 * inf`` taken as 0 (the limit wherever a weight is exactly 0).

    Only the product of an exact zero and an infinity is replaced; NaN still
    propagates, so NaN in gives NaN out.
    """
    a, b = np.broadcast_arrays(a, b)
    out = np.zeros(a.shape, dtype=np.result_type(a, b))
    np.multiply(a, b, out=out, where=~((a == 0) & np.isinf(b)))
    return out


def _logistic_parts(z: np.ndarray):
    """Stable pieces of the logistic function of the logits ``z``.

    Returns ``(softplus(z), softplus(-z), sigmoid(z), sigmoid(-z))``.  With
    ``e = exp(-|z|)`` in ``[0, 1]`` nothing overflows:
    ``softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e)`` and
    ``sigmoid(|z|) = 1 / (1 + e)``, ``sigmoid(-|z|) = e / (1 + e)``.  At ``z = -20``
    the softplus is ``log1p(2.06e-9) = 2.06e-9``, not the 0 that ``log(1 + exp(z))``
    gives in float32; at ``z = +-inf`` all four pieces take their limits.
    """
    e = np.exp(-np.abs(z))
    log1pe = np.log1p(e)
    sp_pos = np.maximum(z, 0) + log1pe  # softplus(z)  = -log(1 - sigmoid(z))
    sp_neg = np.maximum(-z, 0) + log1pe  # softplus(-z) = -log(sigmoid(z))
    big = 1 / (1 + e)  # sigmoid(|z|)
    small = e / (1 + e)  # sigmoid(-|z|), exact down to the smallest float
    nonneg = z >= 0
    sig = np.where(nonneg, big, small)
    sig_neg = np.where(nonneg, small, big)
    return sp_pos, sp_neg, sig, sig_neg


def _binary_sample(target: str, prediction: str):
    """A ``sample(rng, n)`` of ``(y_true, prediction)`` drawn from two domains."""
    return lambda rng, n: Case((draw(target, rng, n), draw(prediction, rng, n)))


def _margin_sample(rng, n, kinks=(1.0,)):
    """-1/+1 labels and scores whose margins y s keep away from the ``kinks`` (margin 1)."""
    y = draw("pm1", rng, n)
    return Case((y, y * away_from(draw("score", rng, n), kinks)))


def _redraw_rows(rng, s: np.ndarray, bad, domain: str = "score") -> np.ndarray:
    """``s`` (N, C) with every row where ``bad(s)`` holds redrawn, up to 100 times."""
    for _ in range(100):
        rows = bad(s)
        if not rows.any():
            break
        s[rows] = draw(domain, rng, (int(rows.sum()), s.shape[1]))
    return s


def _multiclass_sample(rng, n, classes=4):
    """Labels and scores (N, C) away from the kinks of the Crammer-Singer hinge.

    A row is redrawn while the best wrong score is within 0.05 of the true score minus
    the margin (the hinge's kink) or of the second-best wrong score (where the max
    switches class).
    """
    y = draw("class_index", rng, n, classes=classes)
    rows = np.arange(n)

    def bad(s):
        others = s.copy()
        others[rows, y] = -np.inf
        second, best = np.sort(others, axis=1)[:, -2:].T
        return (np.abs(1.0 + best - s[rows, y]) < 0.05) | (best - second < 0.05)

    return Case((y, _redraw_rows(rng, draw("score", rng, (n, classes)), bad)))


# --------------------------------------------------------------------------- binary cross-entropy
def _prepare_bce(y_true, y_pred, weight, eps, reduction):
    """The preparation binary_cross_entropy and its grad share."""
    fn = "binary_cross_entropy"
    checks.reduction(fn, reduction)
    eps = checks.in_range(fn, "eps", eps, 0, 0.5, closed="neither", optional=True)
    raw = np.asarray(y_true)
    t = checks.float_array(fn, "y_true", y_true)
    p = checks.float_array(fn, "y_pred", y_pred)
    checks.same_shape(fn, "y_true", t, "y_pred", p)
    checks.probabilities(fn, "y_true", t)
    checks.probabilities(fn, "y_pred", p)
    dtype = _target_dtype(raw, t, p)
    t = t.astype(dtype, copy=False)
    p = p.astype(dtype, copy=False)
    w = None if weight is None else checks.weights(fn, "weight", weight, dtype, p.shape)
    return t, p, w, eps


@register(
    "classification",
    inputs=("y_true", "y_pred"),
    target="probability",
    prediction="probability",
    labels="0/1 (soft labels in [0, 1] allowed)",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    options=("weight", "eps"),
    convex=True,
    differentiable=True,
    proper=True,  # the log score
    sample=_binary_sample("probability", "probability"),
)
def binary_cross_entropy(y_true, y_pred, *, weight=None, eps=None, reduction="mean"):
    r"""Binary cross-entropy of predicted probabilities (the Bernoulli negative log-likelihood).

    .. math::
        \ell_i = -w_i \left[ y_i \log p_i + (1 - y_i) \log(1 - p_i) \right],
        \qquad
        \mathrm{BCE} = \frac1N \sum_{i=1}^N \ell_i

    where each logarithm is clamped below at :math:`-100`, as PyTorch does, so that a
    probability of exactly 0 or 1 gives a loss of at most 100 instead of infinity.

    Args:
        y_true: targets :math:`y` in [0, 1] (hard 0/1 labels or soft labels).
        y_pred: predicted probabilities :math:`p` in [0, 1].
        weight: optional non-negative weights :math:`w` of the same shape as
            ``y_pred``, multiplying each element's loss (default: all 1).  The mean
            still divides by the number of elements, not by the sum of the weights.
        eps: ``None`` (default) for PyTorch's clamp of the logarithms at -100; a
            number in (0, 0.5) clips :math:`p` to :math:`[\epsilon, 1 - \epsilon]`
            first, as Keras does with ``epsilon = 1e-7`` (its derivative is then 0
            outside that interval).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred`` (and ``weight``) of the same shape ``(N, *)``; a scalar,
        or ``(N, *)`` with ``reduction="none"``.

    Example:
        >>> print(round(binary_cross_entropy([1.0, 0.0], [0.8, 0.4]), 6))
        0.366985
        >>> print(binary_cross_entropy([1.0], [0.0]), binary_cross_entropy([1.0], [0.0], eps=1e-7))
        100.0 16.11809565095832

    If you have logits, use :func:`binary_cross_entropy_with_logits`: taking the
    sigmoid first and the logarithm afterwards loses everything below
    :math:`\log(\epsilon_{\mathrm{mach}})`.  PyTorch ``F.binary_cross_entropy``
    (``nn.BCELoss``) agrees with the default, including the clamp at -100 and the
    meaning of ``weight``.  Keras ``keras.losses.BinaryCrossentropy()`` clips
    :math:`p` to ``[1e-7, 1 - 1e-7]`` instead, so a confident mistake costs at most
    :math:`-\log(10^{-7}) \approx 16.1` there against 100 in PyTorch; pass
    ``eps=1e-7`` to reproduce it.  Keras also averages over the last axis first
    (the same overall mean).  scikit-learn ``log_loss`` clips at the machine epsilon
    of the input's dtype.  PyTorch's backward pass uses
    :math:`(p - y) / \max(p(1-p), 10^{-12})`, which differs from the exact derivative
    used here only where :math:`p(1-p) < 10^{-12}`.

    References:
        Cox, D. R. (1958). The regression analysis of binary sequences. Journal of the
        Royal Statistical Society B 20(2).
    """
    t, p, w, eps = _prepare_bce(y_true, y_pred, weight, eps, reduction)
    if eps is None:
        # log only where the argument is non-zero (log(0) would warn); the clamp at
        # -100 then turns the -inf left there into -100.  NaN passes both steps.
        log_p = np.log(p, out=np.full(p.shape, -np.inf, p.dtype), where=p != 0)
        log_q = np.log1p(-p, out=np.full(p.shape, -np.inf, p.dtype), where=p != 1)
        log_p = np.maximum(log_p, _LOG_CLAMP)
        log_q = np.maximum(log_q, _LOG_CLAMP)
    else:
        pc = np.clip(p, eps, 1 - eps)
        log_p, log_q = np.log(pc), np.log1p(-pc)
    loss = -(t * log_p + (1 - t) * log_q)
    if w is not None:
        loss = w * loss
    return reduce(loss, reduction)


@grad_of(binary_cross_entropy)
def _binary_cross_entropy_grad(y_true, y_pred, *, weight=None, eps=None, reduction="mean"):
    t, p, w, eps = _prepare_bce(y_true, y_pred, weight, eps, reduction)
    zeros = np.zeros(p.shape, p.dtype)
    if eps is None:
        # d log(p)/dp = 1/p, except where the clamp at -100 is active (slope 0).
        with np.errstate(divide="ignore"):  # log(0) = -inf is exactly the clamped case
            clamped_p = np.log(p) <= _LOG_CLAMP
            clamped_q = np.log1p(-p) <= _LOG_CLAMP
        inv_p = np.divide(1, p, out=zeros.copy(), where=~clamped_p)
        inv_q = np.divide(1, 1 - p, out=zeros.copy(), where=~clamped_q)
    else:
        # Clipping has slope 0 outside [eps, 1 - eps]; NaN stays inside (and NaN).
        inside = ~((p < eps) | (p > 1 - eps))
        pc = np.clip(p, eps, 1 - eps)
        inv_p = np.where(inside, 1 / pc, zeros)
        inv_q = np.where(inside, 1 / (1 - pc), zeros)
    d = (1 - t) * inv_q - t * inv_p
    if w is not None:
        d = w * d
    return reduce_grad(d, reduction)


# --------------------------------------------------------------------------- BCE with logits
def _prepare_bce_with_logits(y_true, logits, pos_weight, reduction):
    """The preparation binary_cross_entropy_with_logits and its grad share."""
    fn = "binary_cross_entropy_with_logits"
    checks.reduction(fn, reduction)
    raw = np.asarray(y_true)
    t = checks.float_array(fn, "y_true", y_true)
    z = checks.float_array(fn, "logits", logits)
    checks.same_shape(fn, "y_true", t, "logits", z)
    checks.probabilities(fn, "y_true", t)
    dtype = _target_dtype(raw, t, z)
    t = t.astype(dtype, copy=False)
    z = z.astype(dtype, copy=False)
    pw = None
    if pos_weight is not None:
        pw = checks.float_array(fn, "pos_weight", pos_weight)
        n_last = z.shape[-1] if z.ndim else 1
        if pw.ndim > 1 or (pw.ndim == 1 and (z.ndim == 0 or pw.shape[0] != n_last)):
            raise ValueError(
                f"{fn}: pos_weight must be a scalar or have shape (C,) = ({n_last},), one "
                f"weight per entry of the last axis of logits {z.shape}, got shape {pw.shape}"
            )
        pw = checks.weights(fn, "pos_weight", pw, dtype)
    return t, z, pw


@register(
    "classification",
    inputs=("y_true", "logits"),
    target="probability",
    prediction="logit",
    labels="0/1 (soft labels in [0, 1] allowed)",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(Hyper("pos_weight", None, 1.0, 19.0, step=0.5, none_means=1.0),),
    convex=True,
    differentiable=True,
    proper=True,  # the log score of sigmoid(z)
    sample=_binary_sample("probability", "logit"),
)
def binary_cross_entropy_with_logits(y_true, logits, *, pos_weight=None, reduction="mean"):
    r"""Binary cross-entropy computed from logits, stable for any logit.

    .. math::
        \ell_i = w^+ y_i \,\mathrm{softplus}(-z_i) + (1 - y_i)\,\mathrm{softplus}(z_i),
        \qquad
        \mathrm{softplus}(z) = \log(1 + e^z) = \max(z, 0) + \log(1 + e^{-|z|}),

    .. math::
        \mathrm{BCE} = \frac1N \sum_{i=1}^N \ell_i

    This is :func:`binary_cross_entropy` at :math:`p = \sigma(z)`, since
    :math:`-\log\sigma(z) = \mathrm{softplus}(-z)` and
    :math:`-\log(1 - \sigma(z)) = \mathrm{softplus}(z)`.  It equals PyTorch's
    :math:`(1 - y) z + (1 + (w^+ - 1) y)\,\mathrm{softplus}(-z)`, but is written as a
    sum of two non-negative terms so that nothing cancels.

    Args:
        y_true: targets :math:`y` in [0, 1] (hard labels or soft labels).
        logits: logits :math:`z` (any real number, including ``+-inf``).
        pos_weight: optional weight :math:`w^+ \ge 0` of the positive term, a scalar or
            one per class, broadcast over the last axis as in PyTorch (default 1).
            :math:`w^+ > 1` raises recall, :math:`w^+ < 1` raises precision.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``logits`` of the same shape ``(N, *)``, ``pos_weight`` of shape
        ``()`` or ``(C,)`` where ``C`` is the last axis; a scalar, or ``(N, *)`` with
        ``reduction="none"``.

    Example:
        >>> print(round(binary_cross_entropy_with_logits([1.0, 0.0], [2.0, -1.0]), 6))
        0.220095
        >>> print(binary_cross_entropy_with_logits([0.0], [-20.0]))
        2.061153620314381e-09

    Numerics: the naive :math:`-\log(1 - \sigma(z))` is 0 at :math:`z = -20` in
    float32 (:math:`1 - \sigma(-20)` rounds to 1), and PyTorch's form
    :math:`z + \mathrm{softplus}(-z)` is :math:`-20 + 20.000000002`, which also
    rounds to 0 in float32; the form above gives :math:`2.06 \times 10^{-9}`.  At
    :math:`z = \pm\infty` it gives the limits 0 or :math:`\infty` (a zero coefficient
    times an infinite softplus counts as 0).  The derivative is
    :math:`(1 - y)\sigma(z) - w^+ y\,\sigma(-z)`, which is
    :math:`\sigma(z)(1 + (w^+ - 1) y) - w^+ y`.

    PyTorch ``F.binary_cross_entropy_with_logits`` (``nn.BCEWithLogitsLoss``) agrees,
    including ``pos_weight``, for finite logits in float64; in float32 it returns 0 at
    :math:`z = -20, y = 0` (its form cancels) and it returns NaN at
    :math:`z = \pm\infty`.  Keras
    ``keras.losses.BinaryCrossentropy(from_logits=True)`` agrees (it calls
    ``tf.nn.sigmoid_cross_entropy_with_logits``, which has no ``pos_weight``; TensorFlow
    has ``tf.nn.weighted_cross_entropy_with_logits`` for that) and averages over the
    last axis first.  scikit-learn's ``log_loss`` takes probabilities, not logits.

    References:
        Cox, D. R. (1958). The regression analysis of binary sequences. Journal of the
        Royal Statistical Society B 20(2).
    """
    t, z, pw = _prepare_bce_with_logits(y_true, logits, pos_weight, reduction)
    sp_pos, sp_neg, _, _ = _logistic_parts(z)
    pos_coef = t if pw is None else pw * t
    # 0 * inf -> 0: at z = +inf a target of exactly 1 costs nothing (and z = -inf, 0).
    loss = _mul0(pos_coef, sp_neg) + _mul0(1 - t, sp_pos)
    return reduce(loss, reduction)


@grad_of(binary_cross_entropy_with_logits)
def _binary_cross_entropy_with_logits_grad(y_true, logits, *, pos_weight=None, reduction="mean"):
    t, z, pw = _prepare_bce_with_logits(y_true, logits, pos_weight, reduction)
    _, _, sig, sig_neg = _logistic_parts(z)
    pos_coef = t if pw is None else pw * t
    # (1 - y) sigma(z) - w+ y sigma(-z): both sigmoids computed without cancellation,
    # so at z = 30, y = 1 the slope is -9.4e-14, not 1 - 1 = 0.
    d = (1 - t) * sig - pos_coef * sig_neg
    return reduce_grad(d, reduction)


# --------------------------------------------------------------------------- cross-entropy
def _prepare_cross_entropy(y_true, logits, weight, ignore_index, label_smoothing, reduction):
    """The preparation cross_entropy and its grad share: ``(z, labels, probs, w, eps)``.

    Exactly one of ``labels`` (int, shape (N,)) and ``probs`` (shape (N, C)) is set.
    ``w`` is the class-weight vector (all ones if ``weight`` is None); ``eps`` the
    label smoothing.
    """
    fn = "cross_entropy"
    checks.reduction(fn, reduction)
    eps = checks.in_range(fn, "label_smoothing", label_smoothing, 0, 1)
    checks.integer(fn, "ignore_index", ignore_index)
    z = checks.float_array(fn, "logits", logits)
    if z.ndim != 2:
        raise ValueError(
            f"{fn}: logits must have shape (N, C), got shape {z.shape}"
            + (" (for one sample pass logits[None, :] and [label])" if z.ndim == 1 else "")
        )
    n, c = z.shape
    try:
        raw = np.asarray(y_true)
    except Exception:  # ragged lists and the like; checks.float_array names the problem
        raw = None
    labels = probs = None
    if raw is None or raw.shape == z.shape:
        # class probabilities (soft labels); ignore_index does not apply to them
        probs = checks.float_array(fn, "y_true", y_true)
        checks.probabilities(fn, "y_true", probs)
        dtype = z.dtype if raw is None else _target_dtype(raw, probs, z)
        probs = probs.astype(dtype, copy=False)
        z = z.astype(dtype, copy=False)
    elif raw.shape == (n,):
        labels = checks.class_labels(fn, "y_true", raw, c, ignore_index=ignore_index)
    else:
        raise ValueError(
            f"{fn}: y_true must hold class labels of shape (N,) = ({n},) or class "
            f"probabilities of shape (N, C) = {z.shape} like logits, got shape {raw.shape}"
        )
    if weight is None:
        w = np.ones(c, dtype=z.dtype)
    else:
        w = checks.weights(fn, "weight", weight, z.dtype, (c,))
    return z, labels, probs, w, eps


def _row_max(z: np.ndarray) -> np.ndarray:
    """Row maxima ``(N, 1)`` to subtract, with non-finite maxima replaced by 0.

    Subtracting the maximum makes every exponent <= 0 (no overflow, and the largest
    term is exactly 1).  A row whose maximum is +inf or -inf would give inf - inf;
    subtracting 0 there leaves the infinities in place; NaN rows stay NaN.
    """
    m = z.max(axis=1, keepdims=True)
    return np.where(np.isinf(m), 0, m).astype(z.dtype, copy=False)


def _shifted_logits(z: np.ndarray) -> np.ndarray:
    """``z`` minus its row maxima: the one ``(N, C)`` array cross-entropy allocates.

    A row with exactly one +inf logit has a limit: softmax puts all its mass on that
    class, so the shifted row is 0 there and -inf elsewhere (PyTorch gives NaN).  A
    row with two or more +inf logits has no limit and stays NaN, as does an all -inf
    row.
    """
    shifted = z - _row_max(z)
    inf_rows = np.flatnonzero(np.isposinf(z).any(axis=1)) if not np.isfinite(z.max(initial=0)) else []
    for i in inf_rows:  # rare: a loop over the affected rows only
        top = np.isposinf(z[i])
        if top.sum() == 1:
            shifted[i] = np.where(top, 0, -np.inf)
    return shifted


@register(
    "classification",
    inputs=("y_true", "logits"),
    target="class_index",
    prediction="logit",
    labels="class index 0..C-1 of shape (N,), or class probabilities of shape (N, C)",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(Hyper("label_smoothing", 0.0, 0.0, 0.4, step=0.05),),
    options=("weight", "ignore_index"),
    convex=True,
    differentiable=True,
    proper=True,  # the log score of softmax(z), without label smoothing
    weighted_mean="with class weights or ignored labels, the sum divided by the total weight "
                  "of the counted labels (PyTorch's rule); otherwise the average",
    sample=lambda rng, n: Case((draw("class_index", rng, n), draw("logit", rng, (n, 4)))),
)
def cross_entropy(y_true, logits, *, weight=None, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    r"""Softmax cross-entropy of logits against class labels or class probabilities.

    With class labels :math:`y_i`, class weights :math:`w_c` and label smoothing
    :math:`\varepsilon` (:math:`\log p_{ic}` is the log-softmax of the logits):

    .. math::
        \ell_i = -(1 - \varepsilon)\, w_{y_i} \log p_{i y_i}
                 - \frac{\varepsilon}{C} \sum_{c=1}^C w_c \log p_{ic},
        \qquad
        \log p_{ic} = z_{ic} - \log \sum_{k=1}^C e^{z_{ik}}

    .. math::
        \mathrm{CE} = \frac{\sum_{i} \ell_i}{\sum_{i:\, y_i \ne \text{ignore}} w_{y_i}}
        \quad\text{(mean)}, \qquad \sum_i \ell_i \quad\text{(sum)}

    where rows whose label equals ``ignore_index`` have :math:`\ell_i = 0`.  With class
    probabilities :math:`t_{ic}` as targets,
    :math:`\ell_i = -\sum_c w_c\, t'_{ic} \log p_{ic}` with
    :math:`t' = (1 - \varepsilon) t + \varepsilon / C`, and the mean divides by
    :math:`N`.

    Args:
        y_true: integer class labels in :math:`[0, C)` of shape ``(N,)``, or class
            probabilities of the same shape as ``logits`` (soft labels; rows are not
            required to sum to 1).
        logits: unnormalized log-probabilities :math:`z`.
        weight: optional non-negative class weights :math:`w` of shape ``(C,)``.
        ignore_index: label whose rows contribute nothing (class labels only).
        label_smoothing: :math:`\varepsilon \in [0, 1]`: the target becomes
            :math:`(1 - \varepsilon)\,\text{one-hot} + \varepsilon / C`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row).

    Shape:
        ``logits`` ``(N, C)`` with N samples and C classes; ``y_true`` ``(N,)`` or
        ``(N, C)``; ``weight`` ``(C,)``; a scalar, or ``(N,)`` with
        ``reduction="none"``.

    Example:
        >>> print(round(cross_entropy([0, 2], [[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), 6))
        0.669079
        >>> print(cross_entropy([1], [[1e4, -1e4]]))
        20000.0

    This reproduces PyTorch ``F.cross_entropy`` (``nn.CrossEntropyLoss``) exactly,
    including its two less obvious rules: the weighted mean divides by the total
    weight of the non-ignored targets (not by N), also when label smoothing is on;
    and a batch in which every label is ignored gives NaN (0 / 0) with
    ``reduction="mean"``.  With probability targets the mean divides by N even with
    weights.  Differences from PyTorch: labels must lie in :math:`[0, C)` or equal
    ``ignore_index`` (PyTorch also raises); integer one-hot targets are accepted
    (PyTorch requires a floating dtype); probability targets are checked to lie in
    [0, 1]; class weights must be >= 0; ``logits`` must be 2-D (no ``(C,)`` or
    ``(N, C, d1, ...)`` forms); and a masked logit of :math:`-\infty` with probability
    target 0 contributes 0 here but NaN (:math:`0 \cdot \infty`) in PyTorch.  A
    :math:`-\infty` logit is a class with probability 0: its label costs
    :math:`+\infty`.  A row with exactly one :math:`+\infty` logit gives the limit (all
    the probability on that class: loss 0 for it, :math:`+\infty` for any other), where
    PyTorch gives NaN; two or more :math:`+\infty` in a row have no limit and give NaN.

    Keras splits the loss in two: ``keras.losses.CategoricalCrossentropy`` takes
    one-hot or probability targets and ``SparseCategoricalCrossentropy`` takes integer
    labels.  Both default to ``from_logits=False``, that is to *probabilities*: they
    renormalize each row, clip to ``[1e-7, 1 - 1e-7]`` and take the log, so pass
    ``from_logits=True`` for logits.  Keras ``label_smoothing`` (categorical only) is
    :math:`y(1 - \varepsilon) + \varepsilon / C`, the same as here; it has no class
    weights in the loss (use ``class_weight`` in ``fit``), and the sparse loss's
    ``ignore_class`` divides by the number of valid rows plus ``1e-7``, so an
    all-ignored batch gives 0 there.  scikit-learn ``log_loss(y, P)`` is this loss on
    probabilities: ``cross_entropy(y, np.log(P))``.

    With two classes and logits :math:`(0, z)` it is
    :func:`binary_cross_entropy_with_logits` of :math:`z`; with probability targets it
    is the entropy of the targets plus :func:`kl_divergence` from them.

    Memory: the value allocates one array the size of ``logits`` (the shifted logits,
    exponentiated in place) and vectors of length N; the gradient allocates its
    output and vectors.  That matters for language models, where ``logits`` can be
    ``4096 x 32768`` floats (512 MiB in float32).

    References:
        Good, I. J. (1952). Rational decisions. Journal of the Royal Statistical
        Society B 14(1).  Szegedy, C. et al. (2016). Rethinking the Inception
        architecture for computer vision. CVPR (label smoothing).
    """
    z, labels, probs, w, eps = _prepare_cross_entropy(
        y_true, logits, weight, ignore_index, label_smoothing, reduction
    )
    n, c = z.shape
    shifted = _shifted_logits(z)  # the one (N, C) allocation
    # Everything that needs the shifted logits themselves is taken out before they
    # are exponentiated in place: the target entries, and the weighted row sums.
    if labels is not None:
        valid = labels != ignore_index
        idx = np.where(valid, labels, 0)
        picked = shifted[np.arange(n), idx]  # z_{i, y_i} - max_i
        w_y = np.where(valid, w[idx], 0).astype(z.dtype, copy=False)
    else:
        tw = probs @ w  # sum_c w_c t_ic
        masked = None
        if shifted.min() == -np.inf:
            # Masked logits (-inf): a zero target there must contribute 0, not
            # 0 * -inf = NaN; a positive target there makes the row's loss +inf.
            masked = np.isneginf(shifted)  # bools: a quarter of a float32 copy
            hit = (masked & (probs > 0) & (w > 0)).any(axis=1)
            shifted[masked] = 0
        tw_shift = np.einsum("ij,ij,j->i", probs, shifted, w)  # no (N, C) temporary
        if masked is not None:
            shifted[masked] = -np.inf
            tw_shift[hit] = -np.inf
    if eps:
        w_shift = shifted @ w  # sum_c w_c (z_ic - max_i)
    np.exp(shifted, out=shifted)
    with np.errstate(divide="ignore", invalid="ignore"):
        # log(0) only for an all -inf row and inf - inf only for a row with two +inf:
        # such rows have no limit and give NaN, as in PyTorch.
        lse = np.log(shifted.sum(axis=1))  # log sum exp(z - max) >= 0
        # -log p_ic = lse_i - (z_ic - max_i)
        if labels is not None:
            loss = (1 - eps) * w_y * (lse - picked)
            if eps:
                loss += (eps / c) * (lse * w.sum() - w_shift)
            loss = np.where(valid, loss, 0).astype(z.dtype, copy=False)
        else:
            loss = (1 - eps) * (lse * tw - tw_shift)
            if eps:
                loss += (eps / c) * (lse * w.sum() - w_shift)
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    denom = w_y.sum() if labels is not None else z.dtype.type(n)
    with np.errstate(divide="ignore", invalid="ignore"):  # all ignored: 0/0 = NaN, as torch
        return total / denom


@grad_of(cross_entropy)
def _cross_entropy_grad(
    y_true, logits, *, weight=None, ignore_index=-100, label_smoothing=0.0, reduction="mean"
):
    z, labels, probs, w, eps = _prepare_cross_entropy(
        y_true, logits, weight, ignore_index, label_smoothing, reduction
    )
    n, c = z.shape
    rows = np.arange(n)
    # softmax in place in the output array: the only (N, C) allocation
    out = _shifted_logits(z)
    np.exp(out, out=out)
    with np.errstate(divide="ignore", invalid="ignore"):  # rows with no limit give NaN
        out /= out.sum(axis=1, keepdims=True)
    # d l_i / d z_ik = p_ik * sum_c w_c t'_ic - w_k t'_ik   (t' = smoothed target)
    w_sum = w.sum()
    if labels is not None:
        valid = labels != ignore_index
        idx = np.where(valid, labels, 0)
        w_y = np.where(valid, w[idx], 0).astype(z.dtype, copy=False)
        a = (1 - eps) * w_y + (eps / c) * w_sum
        out *= a[:, None]
        out[rows, idx] -= (1 - eps) * w_y
        if eps:
            out -= (eps / c) * w
        out[~valid] = 0
        denom = w_y.sum()
    else:
        a = (1 - eps) * (probs @ w) + (eps / c) * w_sum
        out *= a[:, None]
        scaled_w = (1 - eps) * w
        block = max(1, (1 << 16) // c)  # rows per step: temporaries stay small
        for start in range(0, n, block):
            out[start : start + block] -= probs[start : start + block] * scaled_w
        if eps:
            out -= (eps / c) * w
        denom = z.dtype.type(n)
    if reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):  # all ignored: NaN, as the value
            out /= denom
    return out


# --------------------------------------------------------------------------- focal loss
def _prepare_focal(y_true, logits, gamma, alpha, reduction):
    """The preparation focal and its grad share: targets, logits, gamma, alpha."""
    fn = "focal"
    checks.reduction(fn, reduction)
    gamma = checks.at_least(fn, "gamma", gamma)
    alpha = checks.in_range(fn, "alpha", alpha, 0, 1, optional=True)
    raw = np.asarray(y_true)
    t = checks.float_array(fn, "y_true", y_true)
    z = checks.float_array(fn, "logits", logits)
    checks.same_shape(fn, "y_true", t, "logits", z)
    checks.probabilities(fn, "y_true", t)
    dtype = _target_dtype(raw, t, z)
    return t.astype(dtype, copy=False), z.astype(dtype, copy=False), gamma, alpha


@register(
    "classification",
    inputs=("y_true", "logits"),
    target="binary01",
    prediction="logit",
    labels="0/1",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(
        Hyper("gamma", 2.0, 0.0, 4.0, step=0.25,
              reduces_to=(Limit(0.0, "binary_cross_entropy_with_logits",
                                note="gamma = 0 (and alpha None): plain binary cross-entropy"),)),
        Hyper("alpha", None, 0.0, 1.0, step=0.05),  # None: no class weighting
    ),
    convex=False,  # the factor (1 - p_t)^gamma bends it (gamma > 0)
    differentiable=True,
    proper=False,  # sigmoid(z*) is not the true probability (Charoenphakdee et al. 2021)
    sample=_binary_sample("binary01", "logit"),
)
def focal(y_true, logits, *, gamma=2.0, alpha=None, reduction="mean"):
    r"""Binary focal loss on logits: cross-entropy scaled down on easy examples.

    .. math::
        \ell_i = \alpha_{t,i}\,(1 - p_{t,i})^\gamma\,\mathrm{BCE}(y_i, z_i),
        \qquad
        p_{t,i} = y_i\,\sigma(z_i) + (1 - y_i)(1 - \sigma(z_i)),

    .. math::
        \alpha_{t,i} = \alpha y_i + (1 - \alpha)(1 - y_i)
        \ \ (\text{or } 1 \text{ if } \alpha \text{ is None}),
        \qquad
        \mathrm{FL} = \frac1N \sum_{i=1}^N \ell_i

    where :math:`\mathrm{BCE}` is :func:`binary_cross_entropy_with_logits`.

    Args:
        y_true: targets :math:`y` in [0, 1].
        logits: logits :math:`z`.
        gamma: focusing parameter :math:`\gamma \ge 0` (default 2); 0 gives
            plain binary cross-entropy.
        alpha: class-balance weight :math:`\alpha \in [0, 1]` of the positive class, or
            ``None`` (default) for no weighting.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``logits`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.

    Example:
        >>> print(round(focal([1.0, 0.0], [2.0, -1.0]), 6))
        0.012231
        >>> print(round(focal([1.0, 0.0], [2.0, -1.0], gamma=0.0), 6))
        0.220095

    Numerics: :math:`1 - p_t = y\,\sigma(-z) + (1 - y)\,\sigma(z)` is computed from
    the logits with :math:`e^{-|z|}` (no :math:`1 - \sigma(z)` cancellation), so a
    confidently right example gets its tiny weight instead of 0 or NaN, and
    :math:`z = \pm\infty` gives the limit.

    ``torchvision.ops.sigmoid_focal_loss`` computes the same formula, but its default
    is ``alpha=0.25``, while here ``alpha=None`` means no weighting; pass
    ``alpha=0.25`` to match its default.  Keras
    ``keras.losses.BinaryFocalCrossentropy(from_logits=True)`` (defaults
    ``gamma=2.0``, ``alpha=0.25``, ``apply_class_balancing=False``) applies
    :math:`\alpha` only with ``apply_class_balancing=True``, and otherwise agrees
    (its cross-entropy factor is computed from the logits), except that it forms
    :math:`1 - p_t` from the sigmoid output: in float32 that costs about 5 digits
    already at :math:`|z| = 5` and gives 0 for a confidently right example with
    :math:`|z| = 20`, where the loss is :math:`8.8 \times 10^{-27}`.  PyTorch has no
    focal loss in ``torch.nn``.

    References:
        Lin, T.-Y., Goyal, P., Girshick, R., He, K., Dollár, P. (2017). Focal loss for
        dense object detection. ICCV.
    """
    t, z, gamma, alpha = _prepare_focal(y_true, logits, gamma, alpha, reduction)
    sp_pos, sp_neg, sig, sig_neg = _logistic_parts(z)
    ce = _mul0(t, sp_neg) + _mul0(1 - t, sp_pos)
    one_minus_pt = t * sig_neg + (1 - t) * sig  # 1 - p_t without cancellation
    loss = _mul0(one_minus_pt**gamma, ce)
    if alpha is not None:
        loss = _mul0(alpha * t + (1 - alpha) * (1 - t), loss)
    return reduce(loss, reduction)


@grad_of(focal)
def _focal_grad(y_true, logits, *, gamma=2.0, alpha=None, reduction="mean"):
    t, z, gamma, alpha = _prepare_focal(y_true, logits, gamma, alpha, reduction)
    sp_pos, sp_neg, sig, sig_neg = _logistic_parts(z)
    ce = _mul0(t, sp_neg) + _mul0(1 - t, sp_pos)
    u = t * sig_neg + (1 - t) * sig  # 1 - p_t
    # d FL / dz = a_t [ u^g (sigma(z) - y) + g * ce * u^(g-1) * du/dz ],
    # du/dz = sigma(z) sigma(-z) (1 - 2y).  The factor sigma(z) sigma(-z) u^(g-1) is
    # formed in log space, exp(-softplus(z) - softplus(-z) + (g-1) log u), because
    # u^(g-1) alone overflows for tiny u when g < 1; where u = 0 it is taken as 0
    # (its limit for g > 0; for g = 0 the term is multiplied by g = 0 anyway).
    pos = u > 0
    log_u = np.log(np.where(pos, u, 1))
    expo = (gamma - 1) * log_u - sp_pos - sp_neg  # one softplus is finite, so no inf - inf
    factor = np.exp(np.where(pos, expo, -np.inf))
    dce = (1 - t) * sig - t * sig_neg  # sigma(z) - y without cancellation near y = 1
    d = u**gamma * dce + gamma * (1 - 2 * t) * _mul0(factor, ce)
    if alpha is not None:
        d = (alpha * t + (1 - alpha) * (1 - t)) * d
    return reduce_grad(d, reduction)


# --------------------------------------------------------------------------- hinge losses
def _prepare_hinge(fn, y_true, scores, margin, reduction):
    """The preparation hinge, squared_hinge and their grads share: labels, scores, margin."""
    checks.reduction(fn, reduction)
    margin = checks.at_least(fn, "margin", margin)
    return (*_pm1_and_scores(fn, y_true, scores), margin)


def _pm1_and_scores(fn, y_true, scores, arg="scores"):
    """-1/+1 labels and scores of the same shape, checked, in the computation dtype."""
    raw = np.asarray(y_true)
    y = checks.float_array(fn, "y_true", y_true)
    s = checks.float_array(fn, arg, scores)
    checks.same_shape(fn, "y_true", y, arg, s)
    checks.pm1_labels(fn, "y_true", y)
    dtype = _target_dtype(raw, y, s)
    return y.astype(dtype, copy=False), s.astype(dtype, copy=False)


@register(
    "classification",
    inputs=("y_true", "scores"),
    target="pm1",
    prediction="score",
    labels="-1/+1",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(
        Hyper("margin", 1.0, 0.0, 2.0, step=0.05,
              reduces_to=(Limit(0.0, None, note="margin = 0: the perceptron criterion"),)),
    ),
    convex=True,
    differentiable=False,
    kinks="at y s = margin (the subgradient 0 is used there)",
    proper=None,
    sample=_margin_sample,
)
def hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    r"""Hinge loss of a linear classifier: zero once the margin is met.

    .. math::
        \ell_i = \max(0,\ m - y_i s_i),
        \qquad
        \mathrm{Hinge} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: labels :math:`y \in \{-1, +1\}` (0/1 labels raise; pass ``2*y - 1``).
        scores: real-valued scores :math:`s` (decision function, not probabilities).
        margin: :math:`m \ge 0` (default 1); :math:`m = 0` is the perceptron criterion.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``scores`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.

    Example:
        >>> print(hinge([1, -1, 1], [2.0, 0.5, -1.0]))
        1.1666666666666667

    The derivative with respect to :math:`s` is :math:`-y` where the margin is
    violated and 0 elsewhere (0 is taken at the kink :math:`y s = m`).

    Keras ``keras.losses.Hinge`` and scikit-learn ``hinge_loss`` agree with
    :math:`m = 1` and labels :math:`\pm 1`, but both silently convert labels they
    think are 0/1: Keras maps a tensor holding only 0s and 1s to :math:`2y - 1`,
    scikit-learn label-binarizes any two classes.  Here that raises instead, because a
    0 label is a classic bug (it makes :math:`\ell = m` whatever the score).  PyTorch
    ``nn.HingeEmbeddingLoss`` is a different loss (on distances) and
    ``nn.SoftMarginLoss`` is the logistic loss (:func:`soft_margin`); see
    :func:`multi_margin` for ``nn.MultiMarginLoss``.

    References:
        Cortes, C., Vapnik, V. (1995). Support-vector networks. Machine Learning
        20(3), 273-297.
    """
    y, s, margin = _prepare_hinge("hinge", y_true, scores, margin, reduction)
    return reduce(np.maximum(margin - y * s, 0), reduction)


@grad_of(hinge)
def _hinge_grad(y_true, scores, *, margin=1.0, reduction="mean"):
    y, s, margin = _prepare_hinge("hinge", y_true, scores, margin, reduction)
    slack = margin - y * s
    d = np.where(slack > 0, -y, 0).astype(s.dtype, copy=False)
    d = np.where(np.isnan(slack), np.nan, d).astype(s.dtype, copy=False)  # NaN in, NaN out
    return reduce_grad(d, reduction)


@register(
    "classification",
    inputs=("y_true", "scores"),
    target="pm1",
    prediction="score",
    labels="-1/+1",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(Hyper("margin", 1.0, 0.0, 2.0, step=0.05),),
    convex=True,
    differentiable=True,  # the second derivative jumps at y s = margin
    proper=None,
    sample=_margin_sample,
)
def squared_hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    r"""Squared hinge loss: the hinge squared, differentiable at the margin.

    .. math::
        \ell_i = \max(0,\ m - y_i s_i)^2,
        \qquad
        \mathrm{SqHinge} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: labels :math:`y \in \{-1, +1\}` (0/1 labels raise; pass ``2*y - 1``).
        scores: real-valued scores :math:`s`.
        margin: :math:`m \ge 0` (default 1).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``scores`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.

    Example:
        >>> print(squared_hinge([1, -1, 1], [2.0, 0.5, -1.0]))
        2.0833333333333335

    The derivative :math:`-2 y \max(0, m - y s)` is continuous, which is why the
    squared hinge is the default loss of scikit-learn's ``LinearSVC``.  Keras
    ``keras.losses.SquaredHinge`` agrees with :math:`m = 1` and labels :math:`\pm 1`
    and converts 0/1 labels silently, as for :func:`hinge`.

    References:
        Cortes, C., Vapnik, V. (1995). Support-vector networks. Machine Learning
        20(3), 273-297.
    """
    y, s, margin = _prepare_hinge("squared_hinge", y_true, scores, margin, reduction)
    h = np.maximum(margin - y * s, 0)
    return reduce(h * h, reduction)


@grad_of(squared_hinge)
def _squared_hinge_grad(y_true, scores, *, margin=1.0, reduction="mean"):
    y, s, margin = _prepare_hinge("squared_hinge", y_true, scores, margin, reduction)
    return reduce_grad(-2 * y * np.maximum(margin - y * s, 0), reduction)


def _prepare_multiclass_hinge(y_true, scores, margin, reduction):
    """The preparation multiclass_hinge and its grad share.

    Returns the labels, the scores, the score of the true class, the best other class
    and its score, and the margin.
    """
    fn = "multiclass_hinge"
    checks.reduction(fn, reduction)
    margin = checks.at_least(fn, "margin", margin)
    s = checks.float_array(fn, "scores", scores)
    if s.ndim != 2:
        raise ValueError(
            f"{fn}: scores must have shape (N, C), got shape {s.shape}"
            + (" (for one sample pass scores[None, :] and [label])" if s.ndim == 1 else "")
        )
    n, c = s.shape
    if c < 2:
        raise ValueError(f"{fn}: scores must have at least 2 classes (columns), got shape {s.shape}")
    raw = np.asarray(y_true)
    if raw.shape != (n,):
        raise ValueError(f"{fn}: y_true must hold class labels of shape (N,) = ({n},), got shape {raw.shape}")
    y = checks.class_labels(fn, "y_true", raw, c)
    rows = np.arange(n)
    true_score = s[rows, y]
    others = s.copy()
    others[rows, y] = -np.inf  # exclude the true class from the max
    rival = others.argmax(axis=1)  # first maximum on ties; the NaN if a row holds one
    return y, s, true_score, rival, others[rows, rival], margin


@register(
    "classification",
    inputs=("y_true", "scores"),
    target="class_index",
    prediction="score",
    labels="class index 0..C-1",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(Hyper("margin", 1.0, 0.0, 2.0, step=0.05),),
    convex=True,
    differentiable=False,
    kinks="where the margin is met exactly, and where two wrong classes tie for the best score",
    proper=None,
    sample=_multiclass_sample,
)
def multiclass_hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    r"""Multiclass hinge loss of Crammer and Singer: beat the best wrong class by a margin.

    .. math::
        \ell_i = \max\bigl(0,\ m + \max_{j \ne y_i} s_{ij} - s_{i y_i}\bigr),
        \qquad
        \mathrm{Hinge} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: integer class labels in :math:`[0, C)`.
        scores: real-valued class scores :math:`s`.
        margin: :math:`m \ge 0` (default 1).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row).

    Shape:
        ``y_true`` ``(N,)`` and ``scores`` ``(N, C)`` with N samples and C >= 2
        classes; a scalar, or ``(N,)`` with ``reduction="none"``.

    Example:
        >>> print(multiclass_hinge([0, 2], [[2.0, 1.5, -1.0], [0.0, 1.0, 3.0]]))
        0.25

    With two classes and scores :math:`(0, s)` it is :func:`hinge` on :math:`s`.
    scikit-learn ``hinge_loss(y, scores)`` with more than two classes is this loss
    with :math:`m = 1` (pass ``labels=`` when not every class occurs in ``y``).
    PyTorch ``nn.MultiMarginLoss`` is the Weston-Watkins loss instead
    (:func:`multi_margin`):
    :math:`\frac1C \sum_{j \ne y} \max(0, m - s_y + s_j)`, a sum over *all* wrong
    classes divided by C.  Keras ``keras.losses.CategoricalHinge``
    (:func:`categorical_hinge`) takes one-hot
    targets and computes :math:`\max(0, 1 + \max_j (1 - t_j) s_j - s_y)`: the true
    class enters the maximum as 0 rather than being left out, so when every wrong
    score is negative Keras uses 0 where this uses the largest (negative) wrong
    score, and gives a larger loss.

    References:
        Crammer, K., Singer, Y. (2001). On the algorithmic implementation of multiclass
        kernel-based vector machines. Journal of Machine Learning Research 2, 265-292.
    """
    _, s, true_score, _, rival_score, margin = _prepare_multiclass_hinge(y_true, scores, margin, reduction)
    with np.errstate(invalid="ignore"):  # inf - inf (both scores +inf): no limit, NaN
        loss = np.maximum(margin + rival_score - true_score, 0)
    return reduce(loss, reduction)


@grad_of(multiclass_hinge)
def _multiclass_hinge_grad(y_true, scores, *, margin=1.0, reduction="mean"):
    y, s, true_score, rival, rival_score, margin = _prepare_multiclass_hinge(
        y_true, scores, margin, reduction
    )
    with np.errstate(invalid="ignore"):
        slack = margin + rival_score - true_score
    active = np.where(np.isnan(slack), np.nan, slack > 0).astype(s.dtype, copy=False)
    rows = np.arange(s.shape[0])
    d = np.zeros_like(s)
    d[rows, y] = -active  # +1 to the best wrong class, -1 to the true class
    d[rows, rival] += active
    if reduction == "mean":
        d /= s.shape[0]  # the mean is over rows, not over the N*C scores
    return d


# =========================================================================== the loss zoo
# The losses below reproduce one framework's loss each (PyTorch, Keras, optax or
# scikit-learn), its epsilon, clip and reduction included; each docstring names it.


# --------------------------------------------------------------------------- shared checks
def _class_matrix(fn: str, arg: str, x, *, min_classes: int = 2, one_sample: str = " and [label]"):
    """``x`` as a float array of shape (N, C) with at least ``min_classes`` columns."""
    a = checks.float_array(fn, arg, x)
    if a.ndim != 2:
        hint = f" (for one sample pass {arg}[None, :]{one_sample})" if a.ndim == 1 else ""
        raise ValueError(f"{fn}: {arg} must have shape (N, C), got shape {a.shape}{hint}")
    if a.shape[1] < min_classes:
        raise ValueError(
            f"{fn}: {arg} must have at least {min_classes} classes (columns), got shape {a.shape}"
        )
    return a


def _index_labels(fn: str, y_true, shape, *, ignore_index=None) -> np.ndarray:
    """Integer labels ``(N,)`` in [0, C) for scores of ``shape`` (N, C), or raise."""
    n, c = shape
    raw = np.asarray(y_true)
    if raw.shape != (n,):
        hint = " (for one-hot rows pass y_true.argmax(axis=1))" if raw.shape == (n, c) else ""
        raise ValueError(
            f"{fn}: y_true must hold class labels of shape (N,) = ({n},), got shape {raw.shape}{hint}"
        )
    return checks.class_labels(fn, "y_true", raw, c, ignore_index=ignore_index)


def _one_hot(fn: str, y_true, z: np.ndarray, arg: str):
    """One-hot targets of the shape of ``z`` (exactly one 1 per row); both in one dtype."""
    raw = np.asarray(y_true)
    t = checks.float_array(fn, "y_true", y_true)
    if t.shape != z.shape:
        hint = " (for integer labels y pass np.eye(C)[y])" if t.shape == z.shape[:1] else ""
        raise ValueError(
            f"{fn}: y_true must hold one-hot rows of the shape of {arg} {z.shape}, "
            f"got shape {t.shape}{hint}"
        )
    checks.binary_labels(fn, "y_true", t, meaning="one-hot rows of 0 and 1")
    ones = t.sum(axis=1)
    wrong = np.flatnonzero(~np.isnan(ones) & (ones != 1))
    if wrong.size:
        i = wrong[0]
        raise ValueError(
            f"{fn}: y_true must hold one-hot rows (exactly one 1 per row), got {ones[i]:g} ones "
            f"in row {i} (for several labels per sample use multilabel_soft_margin)"
        )
    dtype = _target_dtype(raw, t, z)
    return t.astype(dtype, copy=False), z.astype(dtype, copy=False)


def _class_weights(fn: str, weight, dtype, c: int):
    """Class weights ``(C,)`` in ``dtype``, or None."""
    return None if weight is None else checks.weights(fn, "weight", weight, dtype, (c,))


def _row_grad(d: np.ndarray, reduction: str) -> np.ndarray:
    """The derivative of a per-sample loss: the mean is over the N rows, not N*C entries."""
    return d / d.shape[0] if reduction == "mean" else d


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """``log softmax(z)`` by rows, from the shifted logits (exact for logits of +-1e4)."""
    shifted = _shifted_logits(z)
    with np.errstate(divide="ignore", invalid="ignore"):  # rows with no limit give NaN
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


# --------------------------------------------------------------------------- nll
def _prepare_nll(y_true, log_probs, weight, ignore_index, reduction):
    """The preparation nll and its grad share: ``(x, idx, valid, w_y, nan_rows)``."""
    fn = "nll"
    checks.reduction(fn, reduction)
    checks.integer(fn, "ignore_index", ignore_index)
    x = _class_matrix(fn, "log_probs", log_probs, min_classes=1)
    positive = x[x > 0]
    if positive.size:
        raise ValueError(
            f"{fn}: log_probs must hold log-probabilities <= 0 (e.g. the output of log_softmax), "
            f"got {checks.show(positive[0])} (for logits use cross_entropy, or pass log_softmax(logits))"
        )
    y = _index_labels(fn, y_true, x.shape, ignore_index=ignore_index)
    w = _class_weights(fn, weight, x.dtype, x.shape[1])
    valid = y != ignore_index
    idx = np.where(valid, y, 0)
    w_y = np.ones(x.shape[0], x.dtype) if w is None else w[idx]
    w_y = np.where(valid, w_y, 0).astype(x.dtype, copy=False)
    nan_rows = valid & np.isnan(x).any(axis=1)
    return x, idx, valid, w_y, nan_rows


@register(
    "classification",
    inputs=("y_true", "log_probs"),
    target="class_index",
    prediction="log_probability",
    labels="class index 0..C-1",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(),
    options=("weight", "ignore_index"),
    convex=True,  # linear in the log-probabilities
    differentiable=True,
    proper=True,  # the log score of the probabilities exp(log_probs)
    weighted_mean="with class weights or ignored labels, the sum divided by the total weight "
                  "of the counted labels (PyTorch's rule); otherwise the average",
    sample=lambda rng, n: Case((draw("class_index", rng, n), draw("log_probability", rng, (n, 4)))),
)
def nll(y_true, log_probs, *, weight=None, ignore_index=-100, reduction="mean"):
    r"""Negative log-likelihood of class labels under given log-probabilities.

    With labels :math:`y_i`, log-probabilities :math:`x_{ic} = \log p_{ic}` and class
    weights :math:`w_c`:

    .. math::
        \ell_i = -w_{y_i}\, x_{i y_i} \quad (\ell_i = 0 \text{ if } y_i = \text{ignore}),
        \qquad
        \mathrm{NLL} = \frac{\sum_i \ell_i}{\sum_{i:\, y_i \ne \text{ignore}} w_{y_i}}
        \quad\text{(mean)}, \qquad \sum_i \ell_i \quad\text{(sum)}

    Args:
        y_true: integer class labels in :math:`[0, C)` (or ``ignore_index``).
        log_probs: log-probabilities :math:`x \le 0`, e.g. the output of a
            log-softmax; a positive entry raises (it is a probability above 1, most
            often logits passed by mistake: use :func:`cross_entropy` for those).
        weight: optional non-negative class weights :math:`w` of shape ``(C,)``.
        ignore_index: a label whose rows contribute nothing, neither to the sum nor
            to the mean's denominator; it may be a real class in :math:`[0, C)`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row,
            0 for ignored rows).

    Shape:
        ``log_probs`` ``(N, C)`` with N samples and C classes, ``y_true`` ``(N,)``,
        ``weight`` ``(C,)``; a scalar, or ``(N,)`` with ``reduction="none"``.

    Example:
        >>> print(round(nll([0, 2], np.log([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])), 6))
        0.636483
        >>> print(round(nll([0, 2], np.log([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]]), ignore_index=2), 6))
        0.356675

    This is PyTorch ``F.nll_loss`` (``nn.NLLLoss``) on ``(N, C)`` inputs, including
    its weighted mean (divided by the total weight of the counted labels, not by N)
    and its NaN (0 / 0) when every label of a batch is ignored.  Two differences:
    PyTorch accepts any number (it only picks :math:`-x_{i y_i}`), where a positive
    log-probability raises here; and a NaN anywhere in a counted row makes that row's
    loss NaN here, where PyTorch looks at the picked entry only, so a broken
    log-softmax upstream does not go unnoticed.  ``nll(y, log_softmax(z))`` is
    :func:`cross_entropy` ``(y, z)``: PyTorch's ``CrossEntropyLoss`` is
    ``LogSoftmax`` followed by ``NLLLoss``.  Keras and optax have no loss on
    log-probabilities (their sparse categorical cross-entropy takes probabilities or
    logits).  The gradient is :math:`-w_{y_i}` at the picked entry and 0 elsewhere:
    the coupling between classes comes from the log-softmax in front.

    References:
        Fisher, R. A. (1922). On the mathematical foundations of theoretical
        statistics. Philosophical Transactions of the Royal Society A 222.
    """
    x, idx, valid, w_y, nan_rows = _prepare_nll(y_true, log_probs, weight, ignore_index, reduction)
    loss = -_mul0(w_y, x[np.arange(x.shape[0]), idx])  # a weight of 0 times -inf counts as 0
    loss = np.where(nan_rows, np.nan, loss).astype(x.dtype, copy=False)
    if reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):  # all ignored: 0/0 = NaN, as torch
            return loss.sum() / w_y.sum()
    return reduce(loss, reduction)


@grad_of(nll)
def _nll_grad(y_true, log_probs, *, weight=None, ignore_index=-100, reduction="mean"):
    x, idx, valid, w_y, nan_rows = _prepare_nll(y_true, log_probs, weight, ignore_index, reduction)
    d = np.zeros_like(x)
    d[np.arange(x.shape[0]), idx] = -w_y  # ignored rows have w_y = 0
    d[nan_rows] = np.nan
    if reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):
            d /= w_y.sum()
    return d


# --------------------------------------------------------------------------- soft margin
@register(
    "classification",
    inputs=("y_true", "scores"),
    target="pm1",
    prediction="logit",  # log(1 + exp(-y s)) reads s as the log-odds of y = +1
    labels="-1/+1",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,
    differentiable=True,
    proper=True,  # the log score of sigmoid(s): binary cross-entropy with -1/+1 labels
    sample=_binary_sample("pm1", "logit"),
)
def soft_margin(y_true, scores, *, reduction="mean"):
    r"""Soft-margin (logistic) loss of -1/+1 labels: a smooth hinge.

    .. math::
        \ell_i = \log\bigl(1 + e^{-y_i s_i}\bigr) = \mathrm{softplus}(-y_i s_i),
        \qquad
        \mathrm{SoftMargin} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: labels :math:`y \in \{-1, +1\}` (0/1 labels raise; pass ``2*y - 1``).
        scores: real-valued scores (logits) :math:`s`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per element).

    Shape:
        ``y_true`` and ``scores`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.

    Example:
        >>> print(round(soft_margin([1, -1], [2.0, 0.5]), 6))
        0.550503

    This is PyTorch ``nn.SoftMarginLoss`` (the mean runs over every element), except
    that labels other than -1/+1 raise: PyTorch computes the formula for any
    :math:`y`, and a 0 label gives :math:`\log 2` whatever the score.  It is
    :func:`binary_cross_entropy_with_logits` with the labels :math:`(y + 1) / 2`, the
    logistic regression loss, written with margins :math:`m = y s`: a smooth version of
    :func:`hinge` that never reaches 0.  Computed as
    :math:`\max(-m, 0) + \log(1 + e^{-|m|})`, it is exact for scores of
    :math:`\pm 10^4` in float32 and float64.  Keras and optax have no loss under this
    name (``optax.losses.sigmoid_binary_cross_entropy`` with 0/1 labels is the same).

    References:
        Cox, D. R. (1958). The regression analysis of binary sequences. Journal of the
        Royal Statistical Society B 20(2).
    """
    checks.reduction("soft_margin", reduction)
    y, s = _pm1_and_scores("soft_margin", y_true, scores)
    _, sp_neg, _, _ = _logistic_parts(y * s)
    return reduce(sp_neg, reduction)


@grad_of(soft_margin)
def _soft_margin_grad(y_true, scores, *, reduction="mean"):
    checks.reduction("soft_margin", reduction)
    y, s = _pm1_and_scores("soft_margin", y_true, scores)
    _, _, _, sig_neg = _logistic_parts(y * s)
    return reduce_grad(-y * sig_neg, reduction)  # -y sigma(-y s)


# --------------------------------------------------------------------------- exponential
@register(
    "classification",
    inputs=("y_true", "scores"),
    target="pm1",
    prediction="score",
    labels="-1/+1",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,
    differentiable=True,
    # A margin loss; read through its own link P(y = +1) = sigmoid(2 s) it is proper
    # (Friedman, Hastie, Tibshirani 2000), through sigmoid(s) it is not.
    proper=None,
    sample=_binary_sample("pm1", "score"),
)
def exponential(y_true, scores, *, reduction="mean"):
    r"""Exponential loss of AdaBoost: exp of the negative margin.

    .. math::
        \ell_i = e^{-y_i s_i},
        \qquad
        \mathrm{Exp} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: labels :math:`y \in \{-1, +1\}` (0/1 labels raise; pass ``2*y - 1``).
        scores: real-valued scores :math:`s` (the boosted ensemble's vote).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per element).

    Shape:
        ``y_true`` and ``scores`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.

    Example:
        >>> print(round(exponential([1, -1], [2.0, 0.5]), 6))
        0.892028

    AdaBoost is stagewise minimization of this loss (Friedman, Hastie and Tibshirani
    2000).  Its population minimizer is :math:`s^* = \tfrac12 \log(\eta / (1 - \eta))`
    with :math:`\eta = P(y = +1)`, so :math:`\sigma(2 s)` estimates the probability
    (scikit-learn's ``ExponentialLoss`` uses this "half logit" link).  Against
    :func:`soft_margin` (the logistic loss, which grows linearly for large negative
    margins) it grows exponentially: one mislabelled point with margin -10 costs
    :math:`e^{10} \approx 22026`, which is why AdaBoost is sensitive to label noise.
    The value overflows to ``inf`` once :math:`-y s` exceeds about 709.8 in float64
    (88.7 in float32), where the true value is not representable; no warning is
    raised.  scikit-learn ``sklearn._loss.ExponentialLoss`` (0/1 labels:
    :math:`y e^{-s} + (1 - y) e^{s}`) agrees; PyTorch, Keras and optax have no
    exponential loss.

    References:
        Freund, Y., Schapire, R. E. (1997). A decision-theoretic generalization of
        on-line learning and an application to boosting. Journal of Computer and
        System Sciences 55(1), 119-139.  Friedman, J., Hastie, T., Tibshirani, R.
        (2000). Additive logistic regression: a statistical view of boosting. Annals
        of Statistics 28(2), 337-407.
    """
    checks.reduction("exponential", reduction)
    y, s = _pm1_and_scores("exponential", y_true, scores)
    with np.errstate(over="ignore"):  # exp(> 709.8) is inf: the true value is not representable
        return reduce(np.exp(-y * s), reduction)


@grad_of(exponential)
def _exponential_grad(y_true, scores, *, reduction="mean"):
    checks.reduction("exponential", reduction)
    y, s = _pm1_and_scores("exponential", y_true, scores)
    with np.errstate(over="ignore"):
        return reduce_grad(-y * np.exp(-y * s), reduction)


# --------------------------------------------------------------------------- modified Huber
@register(
    "classification",
    inputs=("y_true", "scores"),
    target="pm1",
    prediction="score",
    labels="-1/+1",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,
    differentiable=True,  # the slope is continuous; the second derivative jumps at y s = +-1
    # A margin loss; read through its own link P(y = +1) = (clip(s, -1, 1) + 1) / 2 it is
    # proper (Zhang 2004), through sigmoid(s) it is not.
    proper=None,
    sample=lambda rng, n: _margin_sample(rng, n, kinks=(-1.0, 1.0)),
)
def modified_huber(y_true, scores, *, reduction="mean"):
    r"""Modified Huber loss: a squared hinge that turns linear below the margin -1.

    With the margin :math:`m_i = y_i s_i`:

    .. math::
        \ell_i = \max(0,\ 1 - m_i)^2 \quad (m_i \ge -1), \qquad
        \ell_i = -4 m_i \quad (m_i < -1),
        \qquad
        \mathrm{MH} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: labels :math:`y \in \{-1, +1\}` (0/1 labels raise; pass ``2*y - 1``).
        scores: real-valued scores :math:`s`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per element).

    Shape:
        ``y_true`` and ``scores`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.

    Example:
        >>> print(modified_huber([1, -1, 1], [2.0, 0.5, -3.0]))
        4.75

    It is :func:`squared_hinge` for :math:`m \ge -1` and continues along its tangent
    (slope -4) below, so one badly misclassified point costs linearly, not
    quadratically: the robustness of :func:`hinge` with a continuous derivative.  Its
    population minimizer is :math:`s^* = 2\eta - 1` on :math:`[-1, 1]`, so
    :math:`(\mathrm{clip}(s, -1, 1) + 1) / 2` estimates :math:`P(y = +1)`, which is
    what scikit-learn's ``SGDClassifier(loss="modified_huber").predict_proba``
    returns.  It is 4 times the binary sparsemax loss ``optax.losses.sparsemax_loss``,
    and so 4 times :func:`sparsemax` on two classes with scores :math:`(0, s)`.
    scikit-learn's ``SGDClassifier(loss="modified_huber")`` (the loss object
    ``sklearn.linear_model._sgd_fast.ModifiedHuber``) agrees, value and derivative;
    PyTorch, Keras and optax have no loss under this name.

    References:
        Zhang, T. (2004). Solving large scale linear prediction problems using
        stochastic gradient descent algorithms. ICML.
    """
    checks.reduction("modified_huber", reduction)
    y, s = _pm1_and_scores("modified_huber", y_true, scores)
    m = y * s
    h = np.maximum(1 - m, 0)
    return reduce(np.where(m >= -1, h * h, -4 * m), reduction)


@grad_of(modified_huber)
def _modified_huber_grad(y_true, scores, *, reduction="mean"):
    checks.reduction("modified_huber", reduction)
    y, s = _pm1_and_scores("modified_huber", y_true, scores)
    m = y * s
    slope = np.where(m >= -1, -2 * np.maximum(1 - m, 0), -4.0)  # d loss / d m
    slope = np.where(np.isnan(m), np.nan, slope)  # NaN in, NaN out
    return reduce_grad((y * slope).astype(s.dtype, copy=False), reduction)


# --------------------------------------------------------------------------- multilabel soft margin
def _prepare_multilabel_soft_margin(y_true, logits, weight, reduction):
    """The preparation multilabel_soft_margin and its grad share: targets, logits, weights."""
    fn = "multilabel_soft_margin"
    checks.reduction(fn, reduction)
    z = _class_matrix(fn, "logits", logits, min_classes=1, one_sample=" and y_true[None, :]")
    raw = np.asarray(y_true)
    t = checks.float_array(fn, "y_true", y_true)
    checks.same_shape(fn, "y_true", t, "logits", z)
    checks.binary_labels(fn, "y_true", t, meaning="0 or 1 (multi-hot: 1 for each label present)")
    dtype = _target_dtype(raw, t, z)
    w = _class_weights(fn, weight, dtype, z.shape[1])
    return t.astype(dtype, copy=False), z.astype(dtype, copy=False), w


@register(
    "classification",
    inputs=("y_true", "logits"),
    target="multi_hot",
    prediction="logit",
    labels="multi-hot 0/1 of shape (N, C)",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(),
    options=("weight",),
    convex=True,
    differentiable=True,
    proper=True,  # the log score of each label's sigmoid
    sample=lambda rng, n: Case((draw("multi_hot", rng, (n, 4)), draw("logit", rng, (n, 4)))),
)
def multilabel_soft_margin(y_true, logits, *, weight=None, reduction="mean"):
    r"""Multi-label logistic loss: one binary cross-entropy per label, averaged over labels.

    .. math::
        \ell_i = \frac1C \sum_{c=1}^C w_c \bigl[ t_{ic}\,\mathrm{softplus}(-z_{ic})
                 + (1 - t_{ic})\,\mathrm{softplus}(z_{ic}) \bigr],
        \qquad
        \mathrm{MLSM} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: multi-hot targets :math:`t \in \{0, 1\}`: 1 for each label present.
        logits: one logit :math:`z` per label (independent sigmoids, not a softmax).
        weight: optional non-negative label weights :math:`w` of shape ``(C,)``; the
            mean over labels still divides by C.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row).

    Shape:
        ``y_true`` and ``logits`` ``(N, C)`` with N samples and C labels, ``weight``
        ``(C,)``; a scalar, or ``(N,)`` with ``reduction="none"``.

    Example:
        >>> print(round(multilabel_soft_margin([[1, 0, 1]], [[2.0, -1.0, 0.0]]), 6))
        0.377779

    This is PyTorch ``nn.MultiLabelSoftMarginLoss``, except that targets other than
    0/1 raise (PyTorch also takes soft targets; -1/+1 targets there silently give a
    wrong loss).  Row :math:`i` is the mean over labels of
    :func:`binary_cross_entropy_with_logits`, so the mean over rows equals that loss's
    mean over all :math:`N \times C` entries (without weights); Keras
    ``BinaryCrossentropy(from_logits=True)``, which averages over the last axis, and
    ``optax.losses.sigmoid_binary_cross_entropy(...).mean(-1)`` agree.  Use it when a
    sample may carry several labels at once; with exactly one label per sample use
    :func:`cross_entropy`.  Computed from the logits (softplus as
    :math:`\max(z, 0) + \log(1 + e^{-|z|})`), it is exact for logits of :math:`\pm 10^4`.

    References:
        Cox, D. R. (1958). The regression analysis of binary sequences. Journal of the
        Royal Statistical Society B 20(2).  Tsoumakas, G., Katakis, I. (2007).
        Multi-label classification: an overview. International Journal of Data
        Warehousing and Mining 3(3).
    """
    t, z, w = _prepare_multilabel_soft_margin(y_true, logits, weight, reduction)
    sp_pos, sp_neg, _, _ = _logistic_parts(z)
    per_label = _mul0(t, sp_neg) + _mul0(1 - t, sp_pos)
    if w is not None:
        per_label = _mul0(w, per_label)
    return reduce(per_label.mean(axis=1), reduction)


@grad_of(multilabel_soft_margin)
def _multilabel_soft_margin_grad(y_true, logits, *, weight=None, reduction="mean"):
    t, z, w = _prepare_multilabel_soft_margin(y_true, logits, weight, reduction)
    _, _, sig, sig_neg = _logistic_parts(z)
    d = ((1 - t) * sig - t * sig_neg) / z.shape[1]  # (sigma(z) - t) / C, without cancellation
    if w is not None:
        d = w * d
    return _row_grad(d, reduction)


# --------------------------------------------------------------------------- multi margin
def _prepare_multi_margin(y_true, scores, p, margin, weight, reduction):
    """The preparation multi_margin and its grad share.

    Returns the labels, the scores, the hinges ``h`` (N, C) (0 at the true class),
    the weight of each row's label (or None), p and the margin.
    """
    fn = "multi_margin"
    checks.reduction(fn, reduction)
    p = checks.integer(fn, "p", p, low=1, high=2, hint=" (PyTorch's MultiMarginLoss has p = 1 or 2)")
    margin = checks.at_least(fn, "margin", margin)
    s = _class_matrix(fn, "scores", scores)
    y = _index_labels(fn, y_true, s.shape)
    w = _class_weights(fn, weight, s.dtype, s.shape[1])
    rows = np.arange(s.shape[0])
    with np.errstate(invalid="ignore"):  # inf - inf: no limit, NaN
        h = margin - s[rows, y][:, None] + s
    h[rows, y] = 0  # the true class is not a rival
    return y, s, h, (None if w is None else w[y]), p, margin


def _multi_margin_sample(rng, n, classes=4):
    """Labels and scores with every wrong class's hinge at least 0.05 from its kink."""
    y = draw("class_index", rng, n, classes=classes)
    rows = np.arange(n)

    def bad(s):
        h = np.abs(1.0 - s[rows, y][:, None] + s)
        h[rows, y] = 1.0
        return (h < 0.05).any(axis=1)

    return Case((y, _redraw_rows(rng, draw("score", rng, (n, classes)), bad)))


@register(
    "classification",
    inputs=("y_true", "scores"),
    target="class_index",
    prediction="score",
    labels="class index 0..C-1",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(
        Hyper("p", 1, 1, 2, step=1, integer=True),
        Hyper("margin", 1.0, 0.0, 2.0, step=0.05),
    ),
    options=("weight",),
    convex=True,  # a sum of hinges (p = 1) or squared hinges (p = 2) of linear functions
    differentiable=False,
    kinks="where a wrong class's score is exactly the true score minus the margin (p = 1)",
    proper=None,
    sample=_multi_margin_sample,
)
def multi_margin(y_true, scores, *, p=1, margin=1.0, weight=None, reduction="mean"):
    r"""Multiclass hinge loss of Weston and Watkins: every wrong class pays its own hinge.

    .. math::
        \ell_i = \frac{1}{C} \sum_{j \ne y_i} w_{y_i}
                 \max\bigl(0,\ m - s_{i y_i} + s_{ij}\bigr)^p,
        \qquad
        \mathrm{MM} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: integer class labels in :math:`[0, C)`.
        scores: real-valued class scores :math:`s`.
        p: 1 (default, the hinge) or 2 (the squared hinge); other values raise.
        margin: :math:`m \ge 0` (default 1).
        weight: optional non-negative class weights :math:`w` of shape ``(C,)``; the
            weight of the *true* class multiplies every term of its row.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row).

    Shape:
        ``y_true`` ``(N,)`` and ``scores`` ``(N, C)`` with N samples and C >= 2
        classes, ``weight`` ``(C,)``; a scalar, or ``(N,)`` with ``reduction="none"``.

    Example:
        >>> print(multi_margin([0, 2], [[2.0, 1.5, -1.0], [0.0, 1.0, 3.0]]))
        0.08333333333333333

    This is PyTorch ``nn.MultiMarginLoss`` as its code computes it: the sum runs over
    the wrong classes but is divided by C, the number of *all* classes (so two
    classes give half of :func:`hinge` on the score difference); the weight multiplies
    the p-th power (:math:`w_y \max(\cdot)^p`, not :math:`(w_y \max(\cdot))^p`); and the
    mean divides by N, not by the sum of the weights as ``NLLLoss`` does.  Every wrong
    class within the margin adds to the loss, where :func:`multiclass_hinge` (Crammer
    and Singer, optax's ``multiclass_hinge_loss``) charges only the best wrong class
    and :func:`categorical_hinge` (Keras) the best wrong class or 0.  Keras and optax
    have no Weston-Watkins loss.

    References:
        Weston, J., Watkins, C. (1999). Support vector machines for multi-class
        pattern recognition. ESANN.
    """
    _, _, h, w_y, p, _ = _prepare_multi_margin(y_true, scores, p, margin, weight, reduction)
    hinge_ = np.maximum(h, 0)
    term = hinge_ if p == 1 else hinge_ * hinge_
    if w_y is not None:
        term = w_y[:, None] * term
    return reduce(term.sum(axis=1) / h.shape[1], reduction)


@grad_of(multi_margin)
def _multi_margin_grad(y_true, scores, *, p=1, margin=1.0, weight=None, reduction="mean"):
    y, s, h, w_y, p, _ = _prepare_multi_margin(y_true, scores, p, margin, weight, reduction)
    coef = (h > 0).astype(s.dtype) if p == 1 else 2 * np.maximum(h, 0)  # d h^p / d h
    coef = np.where(np.isnan(h), np.nan, coef)
    if w_y is not None:
        coef = w_y[:, None] * coef
    coef = coef / s.shape[1]
    rows = np.arange(s.shape[0])
    coef[rows, y] = 0
    d = coef.astype(s.dtype, copy=True)  # +coef_j at each wrong class j ...
    d[rows, y] = -coef.sum(axis=1)  # ... and minus their sum at the true class
    return _row_grad(d, reduction)


# --------------------------------------------------------------------------- multilabel margin
def _prepare_multilabel_margin(y_true, scores, reduction):
    """The preparation multilabel_margin and its grad share: scores and the target mask."""
    fn = "multilabel_margin"
    checks.reduction(fn, reduction)
    s = _class_matrix(fn, "scores", scores, one_sample=" and y_true[None, :]")
    n, c = s.shape
    raw = np.asarray(y_true)
    if raw.shape != s.shape:
        hint = (" (for one label per sample use multi_margin, or pad each label with -1: "
                "np.c_[y, -np.ones((N, C - 1), int)])") if raw.shape == (n,) else ""
        raise ValueError(
            f"{fn}: y_true must have the shape of scores {s.shape}, one row of class indices "
            f"ended by -1 per sample, got shape {raw.shape}{hint}"
        )
    y = checks.class_labels(fn, "y_true", raw)  # integers (whole floats accepted)
    out = y[(y < -1) | (y >= c)]
    if out.size:
        raise ValueError(
            f"{fn}: y_true must hold class indices in [0, {c - 1}], or -1 to end a row's "
            f"list, got {out.flat[0]}"
        )
    ended = np.cumsum(y == -1, axis=1) > 0  # at and after each row's first -1
    r, k = np.nonzero(~ended)
    counts = np.zeros((n, c), dtype=np.int64)
    np.add.at(counts, (r, y[r, k]), 1)
    twice = np.argwhere(counts > 1)
    if twice.size:
        i, cls = twice[0]
        raise ValueError(
            f"{fn}: y_true must list each class at most once per row, got class {cls} twice in "
            f"row {i} (PyTorch would count its pairs twice)"
        )
    return s, counts > 0


def _multilabel_margin_pairs(s: np.ndarray, is_target: np.ndarray):
    """Yield ``(j, hinge, pairs)`` per class j: the hinges 1 - s_j + s_k (N, C) and the
    mask of rows where j is a target and k is not.  One (N, C) slab at a time, so the
    memory is O(N C), not O(N C^2)."""
    for j in np.flatnonzero(is_target.any(axis=0)):
        pairs = is_target[:, j : j + 1] & ~is_target
        with np.errstate(invalid="ignore"):  # inf - inf: no limit, NaN
            yield j, 1 - s[:, j : j + 1] + s, pairs


def _multilabel_margin_sample(rng, n, classes=4):
    """Target lists and scores with every (target, non-target) hinge 0.05 from its kink."""
    y = draw("class_index_lists", rng, (n, classes))
    is_target = np.zeros((n, classes), dtype=bool)
    r, k = np.nonzero(y >= 0)
    is_target[r, y[r, k]] = True
    pairs = is_target[:, :, None] & ~is_target[:, None, :]

    def bad(s):
        h = np.abs(1 - s[:, :, None] + s[:, None, :])
        return ((h < 0.05) & pairs).any(axis=(1, 2))

    return Case((y, _redraw_rows(rng, draw("score", rng, (n, classes)), bad)))


@register(
    "classification",
    inputs=("y_true", "scores"),
    target="class_index_lists",
    prediction="score",
    labels="class indices per row, ended by the first -1",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,  # a sum of hinges of linear functions
    differentiable=False,
    kinks="where a target's score exceeds a non-target's by exactly 1",
    proper=None,
    sample=_multilabel_margin_sample,
)
def multilabel_margin(y_true, scores, *, reduction="mean"):
    r"""Multi-label hinge loss: every target class must beat every other class by 1.

    With :math:`T_i` the set of target classes of row :math:`i`:

    .. math::
        \ell_i = \frac1C \sum_{j \in T_i} \sum_{k \notin T_i}
                 \max\bigl(0,\ 1 - (s_{ij} - s_{ik})\bigr),
        \qquad
        \mathrm{MLM} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: integer targets, one row per sample: the row's target classes, in any
            order, ended by its first -1 (entries after it are ignored, but must still
            lie in :math:`[-1, C-1]`).  A class listed twice raises.
        scores: real-valued class scores :math:`s`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row).

    Shape:
        ``y_true`` and ``scores`` ``(N, C)`` with N samples and C >= 2 classes; a
        scalar, or ``(N,)`` with ``reduction="none"``.

    Example:
        >>> print(multilabel_margin([[3, 0, -1, 1]], [[0.1, 0.2, 0.4, 0.8]]))
        0.85

    In the example the targets are classes 3 and 0 (the 1 after the -1 is ignored),
    and the four (target, non-target) pairs cost 0.4, 0.6, 1.1 and 1.3, divided by
    C = 4.  This is PyTorch ``nn.MultiLabelMarginLoss`` on ``(N, C)`` inputs, with its
    division by C (not by the number of pairs); PyTorch counts a class listed twice
    twice, where it raises here.  It is a ranking loss over labels (Weston and Watkins'
    pairwise hinge applied to label sets), the margin counterpart of
    :func:`multilabel_soft_margin`; with one target per row it is :func:`multi_margin`
    (p = 1, margin 1).  A row with no target (or every class a target) costs 0.
    Keras and optax have no such loss.  The value loops over target classes, one
    ``(N, C)`` slab at a time.

    References:
        Weston, J., Watkins, C. (1999). Support vector machines for multi-class
        pattern recognition. ESANN.  Crammer, K., Singer, Y. (2003). A family of
        additive online algorithms for category ranking. Journal of Machine Learning
        Research 3, 1025-1058.
    """
    s, is_target = _prepare_multilabel_margin(y_true, scores, reduction)
    loss = np.zeros(s.shape[0], dtype=s.dtype)
    for _, h, pairs in _multilabel_margin_pairs(s, is_target):
        loss += np.where(pairs, np.maximum(h, 0), 0).sum(axis=1)
    return reduce(loss / s.shape[1], reduction)


@grad_of(multilabel_margin)
def _multilabel_margin_grad(y_true, scores, *, reduction="mean"):
    s, is_target = _prepare_multilabel_margin(y_true, scores, reduction)
    d = np.zeros_like(s)
    for j, h, pairs in _multilabel_margin_pairs(s, is_target):
        active = (pairs & (h > 0)).astype(s.dtype)
        d += active  # +1 to the non-target k of each violated pair ...
        d[:, j] -= active.sum(axis=1)  # ... -1 to the target j
    return _row_grad(d / s.shape[1], reduction)


# --------------------------------------------------------------------------- categorical hinge
def _prepare_categorical_hinge(y_true, scores, reduction):
    """The preparation categorical_hinge and its grad share.

    Returns the one-hot targets, the scores, ``neg - pos + 1`` per row and the column
    of each row's ``neg = max((1 - t) s)``.
    """
    fn = "categorical_hinge"
    checks.reduction(fn, reduction)
    s = _class_matrix(fn, "scores", scores, one_sample=" and y_true[None, :]")
    t, s = _one_hot(fn, y_true, s, "scores")
    masked = _mul0(1 - t, s)  # the true class enters the max as 0 (Keras), even at s = -inf
    rival = masked.argmax(axis=1)  # the first maximum on ties; the NaN if a row holds one
    neg = masked[np.arange(s.shape[0]), rival]
    pos = _mul0(t, s).sum(axis=1)
    with np.errstate(invalid="ignore"):  # inf - inf: no limit, NaN
        slack = neg - pos + 1
    return t, s, slack, rival


def _categorical_hinge_sample(rng, n, classes=4):
    """One-hot targets and scores away from the kinks of Keras's categorical hinge: the
    slack 1 + neg - pos and the gap between the two largest (1 - t) s at least 0.05."""
    y = draw("class_index", rng, n, classes=classes)
    t = np.eye(classes)[y]

    def bad(s):
        masked = np.sort((1 - t) * s, axis=1)
        second, best = masked[:, -2:].T
        slack = 1 + best - (t * s).sum(axis=1)
        return (np.abs(slack) < 0.05) | (best - second < 0.05)

    return Case((t, _redraw_rows(rng, draw("score", rng, (n, classes)), bad)))


@register(
    "classification",
    inputs=("y_true", "scores"),
    target="multi_hot",
    prediction="score",
    labels="one-hot of shape (N, C)",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,  # max(0, max_j of linear functions - linear function + 1)
    differentiable=False,
    kinks="where 1 + max((1 - t) s) = s_y, and where the two largest (1 - t) s tie "
          "(the best wrong score crossing 0 among them)",
    proper=None,
    sample=_categorical_hinge_sample,
)
def categorical_hinge(y_true, scores, *, reduction="mean"):
    r"""Keras's categorical hinge: beat the best wrong class, or 0, by a margin of 1.

    With one-hot targets :math:`t_i` (so :math:`\sum_c t_{ic} s_{ic} = s_{i y_i}`):

    .. math::
        \ell_i = \max\Bigl(0,\ 1 + \max_c\,(1 - t_{ic})\, s_{ic}
                 - \sum_c t_{ic}\, s_{ic}\Bigr),
        \qquad
        \mathrm{CH} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: one-hot targets :math:`t` (exactly one 1 per row; integer labels
            ``y`` become ``np.eye(C)[y]``).
        scores: real-valued class scores :math:`s`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row).

    Shape:
        ``y_true`` and ``scores`` ``(N, C)`` with N samples and C >= 2 classes; a
        scalar, or ``(N,)`` with ``reduction="none"``.

    Example:
        >>> t = [[1, 0, 0], [0, 0, 1]]
        >>> s = [[2.0, 1.5, -1.0], [-0.5, -1.0, 0.3]]
        >>> print(categorical_hinge(t, s), multiclass_hinge([0, 2], s))
        0.6 0.35

    This is ``keras.losses.CategoricalHinge`` exactly.  The true class stays inside
    the maximum with the value :math:`(1 - 1) s_y = 0`, so the "best wrong score" is
    never below 0: in the second row of the example every wrong score is negative,
    Keras charges :math:`1 + 0 - 0.3 = 0.7` where :func:`multiclass_hinge` (Crammer
    and Singer, the best *wrong* class only; optax ``multiclass_hinge_loss``) charges
    :math:`1 - 0.5 - 0.3 = 0.2`.  The two agree whenever the best wrong score is
    :math:`\ge 0`.  :func:`multi_margin` (PyTorch ``MultiMarginLoss``, Weston and
    Watkins) sums the hinges of all wrong classes instead.  Targets that are not
    one-hot raise here (Keras computes the formula for any targets; its docstring also
    mentions -1/+1 targets, for which :math:`1 - t = 2` doubles the scores).

    References:
        Crammer, K., Singer, Y. (2001). On the algorithmic implementation of multiclass
        kernel-based vector machines. Journal of Machine Learning Research 2, 265-292.
    """
    _, _, slack, _ = _prepare_categorical_hinge(y_true, scores, reduction)
    return reduce(np.maximum(slack, 0), reduction)


@grad_of(categorical_hinge)
def _categorical_hinge_grad(y_true, scores, *, reduction="mean"):
    t, s, slack, rival = _prepare_categorical_hinge(y_true, scores, reduction)
    active = np.where(np.isnan(slack), np.nan, slack > 0).astype(s.dtype, copy=False)
    rows = np.arange(s.shape[0])
    d = -active[:, None] * t  # - d pos / d s
    d[rows, rival] += active * (1 - t[rows, rival])  # + d neg / d s (0 if the max is the true class)
    return _row_grad(d, reduction)


# --------------------------------------------------------------------------- categorical focal
# Keras clips the probabilities to [epsilon, 1 - epsilon] with backend.epsilon() = 1e-7.
_KERAS_EPSILON = 1e-7


def _prepare_categorical_focal(y_true, logits, alpha, gamma, label_smoothing, reduction):
    """The preparation categorical_focal and its grad share.

    Returns the smoothed targets, the softmax ``p``, the clipped ``log p`` and
    ``1 - p``, the mask of unclipped entries, alpha and gamma.
    """
    fn = "categorical_focal"
    checks.reduction(fn, reduction)
    alpha = checks.at_least(fn, "alpha", alpha)
    gamma = checks.at_least(fn, "gamma", gamma)
    smoothing = checks.in_range(fn, "label_smoothing", label_smoothing, 0, 1)
    z = _class_matrix(fn, "logits", logits, one_sample=" and y_true[None, :]")
    t, z = _one_hot(fn, y_true, z, "logits")
    c = z.shape[1]
    if smoothing:
        t = t * (1 - smoothing) + smoothing / c  # Keras: before the softmax, on the targets
    log_p = _log_softmax(z)
    p = np.exp(log_p)
    eps = z.dtype.type(_KERAS_EPSILON)
    high = 1 - eps  # 1 - 1e-7 rounded in the input's dtype, as Keras computes it
    below, above = p < eps, p > high
    inside = ~(below | above)
    # log p from the log-softmax (exact) where no clip applies; 1 - p as -expm1(log p),
    # accurate when p is close to 1.
    log_pc = np.where(below, np.log(eps), np.where(above, np.log(high), log_p))
    one_minus = np.where(below, 1 - eps, np.where(above, 1 - high, -np.expm1(log_p)))
    return t, p, log_pc, one_minus, inside, alpha, gamma


@register(
    "classification",
    inputs=("y_true", "logits"),
    target="multi_hot",
    prediction="logit",
    labels="one-hot of shape (N, C)",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(
        Hyper("alpha", 0.25, 0.0, 1.0, step=0.05),
        Hyper("gamma", 2.0, 0.0, 5.0, step=0.25,
              reduces_to=(Limit(0.0, None, note="gamma = 0: alpha times cross_entropy wherever "
                                                "every probability lies inside Keras's clip "
                                                "[1e-7, 1 - 1e-7]"),)),
        Hyper("label_smoothing", 0.0, 0.0, 0.4, step=0.05),
    ),
    convex=False,  # the factor (1 - p)^gamma bends it (gamma > 0)
    # Keras's clip of p to [1e-7, 1 - 1e-7] flattens the loss beyond it: the slope jumps to 0.
    differentiable=False,
    kinks="where a class with target mass has probability exactly 1e-7 or 1 - 1e-7 "
          "(Keras's clip; the slope is 0 beyond it)",
    proper=False,  # the focusing factor pulls the minimizer towards 1/C (Lin et al. 2017)
    sample=lambda rng, n: Case((np.eye(4)[draw("class_index", rng, n)], draw("logit", rng, (n, 4)))),
)
def categorical_focal(y_true, logits, *, alpha=0.25, gamma=2.0, label_smoothing=0.0, reduction="mean"):
    r"""Softmax focal loss on logits, as Keras computes it (its probability clip included).

    With :math:`p_{ic}` the softmax of the logits clipped to
    :math:`[\epsilon, 1 - \epsilon]`, :math:`\epsilon = 10^{-7}`, and the (smoothed)
    one-hot targets :math:`t'_{ic} = (1 - \varepsilon)\, t_{ic} + \varepsilon / C`:

    .. math::
        \ell_i = -\alpha \sum_{c=1}^C (1 - p_{ic})^\gamma\, t'_{ic} \log p_{ic},
        \qquad
        \mathrm{CFL} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: one-hot targets :math:`t` (exactly one 1 per row).
        logits: unnormalized log-probabilities :math:`z`.
        alpha: a weight :math:`\alpha \ge 0` of *every* class (default 0.25, as Keras).
        gamma: focusing parameter :math:`\gamma \ge 0` (default 2).
        label_smoothing: :math:`\varepsilon \in [0, 1]` (default 0).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row).

    Shape:
        ``y_true`` and ``logits`` ``(N, C)`` with N samples and C >= 2 classes; a
        scalar, or ``(N,)`` with ``reduction="none"``.

    Example:
        >>> print(round(categorical_focal([[0, 1, 0]], [[1.0, 2.0, 0.5]]), 6))
        0.016019
        >>> print(round(categorical_focal([[0, 1, 0]], [[1.0, 2.0, 0.5]], gamma=0.0), 6))
        0.116092

    This is ``keras.losses.CategoricalFocalCrossentropy(from_logits=True)`` (scalar
    ``alpha`` only), with its clip: Keras takes the softmax, clips it to
    :math:`[10^{-7}, 1 - 10^{-7}]` (``backend.epsilon()``; in float32 the upper bound
    rounds to :math:`1 - 1.19 \times 10^{-7}`) and uses the clipped value in both the
    logarithm and the focusing factor.  Without the clip a confidently wrong row
    would cost :math:`\alpha (1 - p_y)^\gamma (-\log p_y)`, growing without bound as
    :math:`p_y \to 0` (about :math:`\alpha` times the logit gap); with it the cost
    stops at :math:`\alpha (1 - 10^{-7})^\gamma \log 10^{7} \approx 4.03` and its
    slope is 0, so such a row no longer trains.  A confidently right row costs at
    least :math:`\alpha\, 10^{-7\gamma} \cdot 10^{-7}` instead of tending to 0.  The
    loss is computed from the log-softmax (exact for logits of :math:`\pm 10^4`),
    with :math:`1 - p` as :math:`-\mathrm{expm1}(\log p)`; where the clip is active the
    values are Keras's.  Label smoothing acts on the targets before the loss, as in
    Keras, so it also charges the wrong classes
    :math:`\alpha (1 - p_c)^\gamma \tfrac{\varepsilon}{C} (-\log p_c)`.

    Unlike the binary :func:`focal`, where :math:`\alpha` weights the positive class
    and :math:`1 - \alpha` the negative one, here :math:`\alpha` multiplies every class:
    with a scalar it only rescales the loss (and the learning rate).  With
    :math:`\gamma = 0` the loss is :math:`\alpha` times :func:`cross_entropy` (with the
    same smoothing) wherever no probability is clipped.  PyTorch and optax have no
    softmax focal loss.

    References:
        Lin, T.-Y., Goyal, P., Girshick, R., He, K., Dollár, P. (2017). Focal loss for
        dense object detection. ICCV.
    """
    t, _, log_pc, one_minus, _, alpha, gamma = _prepare_categorical_focal(
        y_true, logits, alpha, gamma, label_smoothing, reduction
    )
    loss = -alpha * (one_minus**gamma * t * log_pc).sum(axis=1)
    return reduce(loss, reduction)


@grad_of(categorical_focal)
def _categorical_focal_grad(y_true, logits, *, alpha=0.25, gamma=2.0, label_smoothing=0.0, reduction="mean"):
    t, p, log_pc, one_minus, inside, alpha, gamma = _prepare_categorical_focal(
        y_true, logits, alpha, gamma, label_smoothing, reduction
    )
    # With f(p) = -(1 - p)^g log p, d f / d p = g (1 - p)^(g-1) log p - (1 - p)^g / p, and
    # d p_c / d z_k = p_c (delta_ck - p_k), so d l / d z_k = a_k - p_k sum_c a_c with
    # a_c = alpha t_c p_c f'(p_c) = alpha t_c [g (1 - p)^(g-1) p log p - (1 - p)^g],
    # and a_c = 0 where the clip is active.  Inside the clip 1 - p >= 1e-7, so
    # (1 - p)^(g-1) stays finite for g < 1.
    pc = 1 - one_minus
    a = alpha * t * (gamma * one_minus ** (gamma - 1) * pc * log_pc - one_minus**gamma)
    a = np.where(inside, a, 0)
    d = a - p * a.sum(axis=1, keepdims=True)
    return _row_grad(d.astype(p.dtype, copy=False), reduction)


# --------------------------------------------------------------------------- poly-1
def _prepare_poly1(y_true, logits, epsilon, reduction):
    """The preparation poly1 and its grad share: labels, log-softmax and epsilon."""
    fn = "poly1"
    checks.reduction(fn, reduction)
    epsilon = checks.at_least(
        fn, "epsilon", epsilon, low=-1.0,
        hint=" (below -1 the loss no longer falls as p_y rises: it is lowest at p_y = -1/epsilon)",
    )
    z = _class_matrix(fn, "logits", logits)
    y = _index_labels(fn, y_true, z.shape)
    return y, _log_softmax(z), epsilon


@register(
    "classification",
    inputs=("y_true", "logits"),
    target="class_index",
    prediction="logit",
    labels="class index 0..C-1",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(
        Hyper("epsilon", 1.0, -1.0, 3.0, step=0.1,
              reduces_to=(Limit(0.0, "cross_entropy", note="epsilon = 0: plain cross-entropy"),)),
    ),
    # Convex for -1 <= epsilon <= 1: the Hessian is (1 + e p_y) S - e p_y v v^T with
    # S = diag(p) - p p^T, v = onehot(y) - p, and (v.x)^2 <= (1 - p_y)/p_y x^T S x, so it
    # is PSD when 1 - e + 2 e p_y >= 0.  Not convex for epsilon > 1 (the paper's 2).
    convex=True,
    differentiable=True,
    proper=False,  # the minimizer of the expected loss is not the true probability (epsilon != 0)
    sample=lambda rng, n: Case((draw("class_index", rng, n), draw("logit", rng, (n, 4)))),
)
def poly1(y_true, logits, *, epsilon=1.0, reduction="mean"):
    r"""Poly-1 loss: cross-entropy plus epsilon times the missing probability of the true class.

    With :math:`p_{i y_i}` the softmax probability of the true class:

    .. math::
        \ell_i = -\log p_{i y_i} + \epsilon\,(1 - p_{i y_i}),
        \qquad
        \mathrm{Poly1} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: integer class labels in :math:`[0, C)`.
        logits: unnormalized log-probabilities :math:`z`.
        epsilon: :math:`\epsilon \ge -1` (default 1), the change to the first
            coefficient of the loss's expansion in :math:`(1 - p_y)^j`.  Below -1 it
            raises: the loss would then be lowest at :math:`p_y = -1/\epsilon < 1`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row).

    Shape:
        ``y_true`` ``(N,)`` and ``logits`` ``(N, C)`` with N samples and C >= 2
        classes; a scalar, or ``(N,)`` with ``reduction="none"``.

    Example:
        >>> print(round(poly1([0, 2], [[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), 6))
        1.108919
        >>> print(round(poly1([0, 2], [[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], epsilon=0.0), 6))
        0.669079

    Since :math:`-\log p = \sum_{j \ge 1} (1 - p)^j / j`, cross-entropy puts weight 1 on
    the first term :math:`(1 - p_y)`; Poly-1 makes it :math:`1 + \epsilon`.
    :math:`\epsilon = 0` is :func:`cross_entropy`; :math:`\epsilon > 0` pushes harder on
    examples that are already nearly right, :math:`\epsilon < 0` softer (towards
    :func:`focal` -like behaviour).  The derivative is
    :math:`(p - \mathrm{onehot}(y))(1 + \epsilon\, p_y)`.  It is convex for
    :math:`-1 \le \epsilon \le 1` (the default included) but not for larger
    :math:`\epsilon` such as the paper's ImageNet value 2.  This is
    ``optax.losses.poly_loss_cross_entropy`` with ``jax.nn.one_hot`` labels, but
    optax's default is :math:`\epsilon = 2`, lossbook's 1 (the paper's Poly-1
    formulation with :math:`\epsilon_1 = 1`).  Computed from the log-softmax, with
    :math:`1 - p_y = -\mathrm{expm1}(\log p_y)` (no cancellation when :math:`p_y`
    is near 1), it is exact for logits of :math:`\pm 10^4`.  PyTorch and Keras have no
    PolyLoss.

    References:
        Leng, Z., Tan, M., Liu, C., Cubuk, E. D., Shi, X., Cheng, S., Anguelov, D.
        (2022). PolyLoss: a polynomial expansion perspective of classification loss
        functions. ICLR.
    """
    y, log_p, epsilon = _prepare_poly1(y_true, logits, epsilon, reduction)
    log_py = log_p[np.arange(log_p.shape[0]), y]
    return reduce(-log_py - epsilon * np.expm1(log_py), reduction)


@grad_of(poly1)
def _poly1_grad(y_true, logits, *, epsilon=1.0, reduction="mean"):
    y, log_p, epsilon = _prepare_poly1(y_true, logits, epsilon, reduction)
    rows = np.arange(log_p.shape[0])
    p = np.exp(log_p)
    factor = 1 + epsilon * p[rows, y]
    d = p
    d[rows, y] -= 1
    return _row_grad(d * factor[:, None], reduction)


# --------------------------------------------------------------------------- sparsemax
def _sparsemax_parts(z: np.ndarray):
    """``sparsemax(z)`` by rows and the threshold ``tau`` (of the shifted scores).

    Sort each row in decreasing order; the support is the largest k with
    ``1 + k z_(k) > sum_{j <= k} z_(j)``, and ``tau = (sum_{j <= k} z_(j) - 1) / k``.
    The scores are shifted by their row maximum first (sparsemax does not change
    under a shift), so scores of +-1e4 lose nothing.  Returns ``(p, zs, tau)`` with
    ``zs`` the shifted scores.
    """
    zs = z - _row_max(z)
    srt = -np.sort(-zs, axis=1)
    with np.errstate(invalid="ignore"):  # -inf scores: inf - inf in the cumulative sums
        cs = np.cumsum(srt, axis=1)
        k = np.arange(1, z.shape[1] + 1, dtype=z.dtype)
        size = (1 + k * srt > cs).sum(axis=1)  # >= 1: the first entry always qualifies
        size = np.maximum(size, 1)  # (NaN rows give 0; keep the index valid)
        tau = (cs[np.arange(z.shape[0]), size - 1] - 1) / size.astype(z.dtype)
        p = np.maximum(zs - tau[:, None], 0)
    return p, zs, tau


def _prepare_sparsemax(y_true, scores, reduction):
    """The preparation sparsemax and its grad share: labels, scores, sparsemax, NaN rows."""
    fn = "sparsemax"
    checks.reduction(fn, reduction)
    s = _class_matrix(fn, "scores", scores)
    y = _index_labels(fn, y_true, s.shape)
    p, _, _ = _sparsemax_parts(s)
    return y, s, p, np.isnan(s).any(axis=1)


def _sparsemax_sample(rng, n, classes=4):
    """Labels and scores with every score at least 0.05 from the sparsemax threshold,
    where the support changes (and the second derivative jumps)."""
    y = draw("class_index", rng, n, classes=classes)

    def bad(s):
        _, zs, tau = _sparsemax_parts(s)
        return (np.abs(zs - tau[:, None]) < 0.05).any(axis=1)

    return Case((y, _redraw_rows(rng, draw("score", rng, (n, classes)), bad)))


@register(
    "classification",
    inputs=("y_true", "scores"),
    target="class_index",
    prediction="score",
    labels="class index 0..C-1",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,  # a Fenchel-Young loss: the conjugate of a convex function minus a linear one
    differentiable=True,  # the slope sparsemax(z) - onehot(y) is continuous
    # Read as logits (through the softmax) its minimizer is not the true probability;
    # read through its own link it is: the expected loss is minimized where
    # sparsemax(z) equals the true distribution (Blondel, Martins, Niculae 2020).
    proper=False,
    sample=_sparsemax_sample,
)
def sparsemax(y_true, scores, *, reduction="mean"):
    r"""Sparsemax loss: the Fenchel-Young loss whose predicted distribution can hold exact zeros.

    With :math:`p = \mathrm{sparsemax}(s_i)`, the Euclidean projection of the scores
    onto the probability simplex (:math:`p_c = \max(s_{ic} - \tau_i, 0)`, with
    :math:`\tau_i` such that :math:`\sum_c p_c = 1`), and its support :math:`S_i`:

    .. math::
        \ell_i = \sum_{c} p_c\,(s_{ic} - s_{i y_i}) + \tfrac12 \Bigl(1 - \sum_c p_c^2\Bigr)
              = -s_{i y_i} + \tfrac12 \sum_{c \in S_i} (s_{ic}^2 - \tau_i^2) + \tfrac12,
        \qquad
        \mathrm{SM} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: integer class labels in :math:`[0, C)`.
        scores: real-valued class scores :math:`s`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row).

    Shape:
        ``y_true`` ``(N,)`` and ``scores`` ``(N, C)`` with N samples and C >= 2
        classes; a scalar, or ``(N,)`` with ``reduction="none"``.

    Example:
        >>> print(sparsemax([0, 2], [[2.0, 1.5, -1.0], [0.0, 1.0, 3.0]], reduction="none"))
        [0.0625 0.    ]

    In the first row :math:`\tau = 1.25` and :math:`p = (0.75, 0.25, 0)`: the third
    class gets probability exactly 0.  In the second the true score leads by 2, so
    :math:`p` is one-hot and the loss 0.

    The loss is 0 exactly when :math:`\mathrm{sparsemax}(s) = \mathrm{onehot}(y)`, that
    is once the true score leads every other by at least 1 (a margin, as in
    :func:`multiclass_hinge`), and its gradient is
    :math:`\mathrm{sparsemax}(s) - \mathrm{onehot}(y)`, the softmax cross-entropy's
    :math:`\mathrm{softmax}(z) - \mathrm{onehot}(y)` with sparsemax in place of softmax
    (:func:`cross_entropy` is the Fenchel-Young loss of the Shannon entropy, this one
    of the Gini entropy).  It is convex and differentiable; the second derivative jumps
    where a class enters or leaves the support.  With two classes and scores
    :math:`(0, s)` it is :func:`modified_huber` of :math:`(2y - 1, s)` divided by 4.
    This is ``optax.losses.multiclass_sparsemax_loss`` (integer labels); the threshold
    is found by sorting each row, after shifting it by its maximum, so scores of
    :math:`\pm 10^4` are exact.  PyTorch and Keras have no sparsemax loss.

    References:
        Martins, A. F. T., Astudillo, R. F. (2016). From softmax to sparsemax: a sparse
        model of attention and multi-label classification. ICML.  Blondel, M.,
        Martins, A. F. T., Niculae, V. (2020). Learning with Fenchel-Young losses.
        Journal of Machine Learning Research 21(35).
    """
    y, s, p, nan_rows = _prepare_sparsemax(y_true, scores, reduction)
    rows = np.arange(s.shape[0])
    with np.errstate(invalid="ignore"):  # inf - inf: no limit, NaN
        gap = s - s[rows, y][:, None]
    # only the support counts (p = 0 times a gap of -inf would give NaN)
    loss = np.where(p > 0, p * gap, 0).sum(axis=1) + (1 - (p * p).sum(axis=1)) / 2
    loss = np.where(nan_rows, np.nan, loss).astype(s.dtype, copy=False)
    return reduce(loss, reduction)


@grad_of(sparsemax)
def _sparsemax_grad(y_true, scores, *, reduction="mean"):
    y, s, p, nan_rows = _prepare_sparsemax(y_true, scores, reduction)
    d = p.astype(s.dtype, copy=True)
    d[np.arange(s.shape[0]), y] -= 1
    d[nan_rows] = np.nan
    return _row_grad(d, reduction)
