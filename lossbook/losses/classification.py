"""Classification losses: labels against probabilities, logits or scores.

Binary losses (:func:`binary_cross_entropy`, :func:`binary_cross_entropy_with_logits`,
:func:`focal`, :func:`hinge`, :func:`squared_hinge`) take ``(y_true, y_pred)`` of
exactly the same shape and work elementwise.  Multiclass losses
(:func:`cross_entropy`, :func:`multiclass_hinge`) take logits or scores of shape
``(N, C)`` and integer labels of shape ``(N,)`` (or, for :func:`cross_entropy`, class
probabilities of shape ``(N, C)``).  Every function has a ``grad`` attribute of the same
signature that returns the derivative of the reduced loss with respect to the
prediction input.

Whatever can be computed from logits is computed from logits, with the tricks written
down where they are used: softplus as ``max(z, 0) + log1p(exp(-|z|))``, the sigmoid from
``exp(-|z|)``, log-softmax as ``z - max(z) - log(sum(exp(z - max(z))))``.  Logits of
``+-1e4`` give finite, exact losses in float32 and float64, and infinite logits give the
mathematical limit wherever the loss has one.

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


def _margin_sample(rng, n):
    """-1/+1 labels and scores whose margins y s keep away from the default margin 1."""
    y = draw("pm1", rng, n)
    return Case((y, y * away_from(draw("score", rng, n), [1.0])))


def _multiclass_sample(rng, n, classes=4):
    """Labels and scores (N, C) away from the kinks of the Crammer-Singer hinge.

    A row is redrawn while the best wrong score is within 0.05 of the true score minus
    the margin (the hinge's kink) or of the second-best wrong score (where the max
    switches class).
    """
    y = draw("class_index", rng, n, classes=classes)
    s = draw("score", rng, (n, classes))
    rows = np.arange(n)
    for _ in range(100):
        others = s.copy()
        others[rows, y] = -np.inf
        second, best = np.sort(others, axis=1)[:, -2:].T
        bad = (np.abs(1.0 + best - s[rows, y]) < 0.05) | (best - second < 0.05)
        if not bad.any():
            break
        s[bad] = draw("score", rng, (int(bad.sum()), classes))
    return Case((y, s))


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
    raw = np.asarray(y_true)
    y = checks.float_array(fn, "y_true", y_true)
    s = checks.float_array(fn, "scores", scores)
    checks.same_shape(fn, "y_true", y, "scores", s)
    checks.pm1_labels(fn, "y_true", y)
    dtype = _target_dtype(raw, y, s)
    return y.astype(dtype, copy=False), s.astype(dtype, copy=False), margin


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
    ``nn.SoftMarginLoss`` is the logistic loss; see :func:`multiclass_hinge` for
    ``nn.MultiMarginLoss``.

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
    PyTorch ``nn.MultiMarginLoss`` is the Weston-Watkins loss instead:
    :math:`\frac1C \sum_{j \ne y} \max(0, m - s_y + s_j)`, a sum over *all* wrong
    classes divided by C.  Keras ``keras.losses.CategoricalHinge`` takes one-hot
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
