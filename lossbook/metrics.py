r"""Evaluation metrics: what a trained model is judged by, as opposed to what it minimizes.

A loss is what training minimizes; a metric is what the application cares about
(accuracy, recall of a rare class, ranking quality, interval coverage, error rate).
Everything here is NumPy and takes ``y_true`` first, like :mod:`lossbook.losses`.
Where scikit-learn already has a metric (precision-recall and ROC curves, average
precision, ``ndcg_score``, ``calibration_curve``, confusion matrices) use it; the
functions below are the ones it lacks, or lacks in the form the book needs (ranking
metrics over a user-item matrix with training items excluded, recall at a fixed
false-positive rate, the edit-distance error rate of speech recognition).

Example:
    >>> accuracy([0, 1, 1], [[2.0, 1.0], [0.5, 3.0], [1.0, 0.0]])
    0.6666666666666666
"""

from __future__ import annotations

import numpy as np

from lossbook import checks

__all__ = [
    "accuracy",
    "recall_at_k",
    "ndcg_at_k",
    "perplexity",
    "coverage",
    "precision_recall_at_threshold",
    "threshold_for_recall",
    "recall_at_fpr",
    "calibration_table",
    "expected_calibration_error",
    "binary_reliability",
    "binary_calibration_error",
    "edit_distance",
    "char_error_rate",
]


def _binary(fn: str, y_true, scores):
    y = np.asarray(y_true)
    s = np.asarray(scores, dtype=float)
    if y.ndim != 1 or s.shape != y.shape:
        raise ValueError(f"{fn}: y_true and scores must be 1-D of the same length, "
                         f"got shapes {y.shape} and {s.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"{fn}: y_true must hold 0 or 1, got values {np.unique(y)[:5]}")
    return y.astype(bool), s


def accuracy(y_true, y_pred) -> float:
    """Fraction of correct predictions, from labels or from class scores.

    Args:
        y_true: integer class labels.
        y_pred: predicted labels of the same shape, or scores (logits or probabilities)
            with one more trailing axis of C classes, whose argmax is the prediction.

    Shape: ``y_true`` ``(N,)``; ``y_pred`` ``(N,)`` or ``(N, C)``.

    Example:
        >>> accuracy([1, 2, 0], [1, 2, 2])
        0.6666666666666666
    """
    y = np.asarray(y_true)
    p = np.asarray(y_pred)
    if p.ndim == y.ndim + 1:
        p = p.argmax(axis=-1)
    if p.shape != y.shape:
        raise ValueError(f"accuracy: y_pred must have shape {y.shape} (labels) or "
                         f"{y.shape + ('C',)} (scores), got {np.asarray(y_pred).shape}")
    return float(np.mean(p == y))


# ----------------------------------------------------------------------------- ranking
def _ranking_inputs(fn: str, relevance, scores, k, exclude):
    rel = np.asarray(relevance, dtype=float)
    s = np.array(scores, dtype=float)
    if rel.ndim != 2 or s.shape != rel.shape:
        raise ValueError(f"{fn}: relevance and scores must be 2-D (users, items) of the same "
                         f"shape, got {rel.shape} and {s.shape}")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{fn}: k must be a positive integer, got {k!r}")
    if np.any(rel < 0):
        raise ValueError(f"{fn}: relevance must be >= 0")
    if exclude is not None:
        ex = np.asarray(exclude, dtype=bool)
        if ex.shape != s.shape:
            raise ValueError(f"{fn}: exclude must have shape {s.shape}, got {ex.shape}")
        if np.any(ex & (rel > 0)):
            raise ValueError(f"{fn}: an excluded item is also relevant (train and test overlap?)")
        s[ex] = -np.inf
    k = min(int(k), s.shape[1])
    # stable sort of -scores: tied items are ranked by their index, lowest first
    # (sklearn's ndcg_score(..., ignore_ties=True) puts the highest index first)
    top = np.argsort(-s, axis=1, kind="stable")[:, :k]
    return rel, top, k


def _reduce_users(fn, per_user, has_rel, reduction):
    if reduction == "none":
        return np.where(has_rel, per_user, np.nan)
    if reduction != "mean":
        raise ValueError(f"{fn}: reduction must be 'mean' or 'none', got {reduction!r}")
    if not has_rel.any():
        raise ValueError(f"{fn}: no user has a relevant item")
    return float(per_user[has_rel].mean())


def recall_at_k(relevant, scores, k, *, exclude=None, reduction="mean"):
    r"""Recall at k: the share of each user's relevant items found in their top k.

    .. math::
        \text{recall@}k(u) = \frac{|\text{top}_k(u) \cap \text{rel}(u)|}{|\text{rel}(u)|}

    averaged over the users with at least one relevant item (a user with none has no
    recall to measure).  Some papers divide by :math:`\min(k, |\text{rel}(u)|)` instead,
    so that a perfect ranking scores 1 even when a user has more than k relevant items;
    this function uses the plain definition.

    Args:
        relevant: 0/1 (or boolean) held-out interactions.
        scores: the model's scores; higher ranks first.
        k: length of the recommended list.
        exclude: items not to recommend (typically the training interactions); they are
            ranked last.
        reduction: ``"mean"`` over users with a relevant item, or ``"none"`` (per user,
            NaN for users without one).

    Shape: ``relevant``, ``scores``, ``exclude``: ``(U, I)`` (U = users, I = items).

    Example:
        >>> recall_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.5]], k=2)
        0.5
    """
    rel, top, _ = _ranking_inputs("recall_at_k", relevant, scores, k, exclude)
    rel = rel > 0
    hits = np.take_along_axis(rel, top, axis=1).sum(axis=1)
    n_rel = rel.sum(axis=1)
    per_user = hits / np.maximum(n_rel, 1)
    return _reduce_users("recall_at_k", per_user, n_rel > 0, reduction)


def ndcg_at_k(relevance, scores, k, *, exclude=None, reduction="mean"):
    r"""Normalized discounted cumulative gain at k (Järvelin and Kekäläinen, 2002).

    .. math::
        \text{DCG@}k(u) = \sum_{j=1}^{k} \frac{\text{rel}_u(\pi_u(j))}{\log_2(j + 1)},
        \qquad
        \text{NDCG@}k(u) = \frac{\text{DCG@}k(u)}{\text{IDCG@}k(u)}

    where :math:`\pi_u(j)` is the item at rank j by score and IDCG is the DCG of the
    ideal ordering.  Linear gain, equal to ``sklearn.metrics.ndcg_score(relevance,
    scores, k=k)`` when no scores tie.  Tied scores are ranked by item index, lowest
    first (scikit-learn averages over ties, or with ``ignore_ties=True`` puts the highest
    index first).  Users with no relevant item are left out of the mean (scikit-learn
    counts them as 0).

    Args:
        relevance: graded relevance >= 0 (0/1 for implicit feedback).
        scores: the model's scores; higher ranks first.
        k: depth of the list.
        exclude: items ranked last (training interactions).
        reduction: ``"mean"`` or ``"none"`` (per user, NaN without relevant items).

    Shape: ``(U, I)`` for all three.

    Example:
        >>> round(ndcg_at_k([[1, 0, 1]], [[0.9, 0.8, 0.1]], k=3), 4)
        0.9197

    References: Järvelin, K. and Kekäläinen, J. (2002). Cumulated gain-based evaluation
    of IR techniques. ACM TOIS 20(4).
    """
    rel, top, k = _ranking_inputs("ndcg_at_k", relevance, scores, k, exclude)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (np.take_along_axis(rel, top, axis=1) * discount).sum(axis=1)
    ideal = -np.sort(-rel, axis=1)[:, :k]
    idcg = (ideal * discount).sum(axis=1)
    has_rel = idcg > 0
    per_user = dcg / np.where(has_rel, idcg, 1.0)
    return _reduce_users("ndcg_at_k", per_user, has_rel, reduction)


# ------------------------------------------------------------------------ language
def perplexity(nll, mask=None) -> float:
    r"""Perplexity: the exponential of the mean negative log-likelihood per token.

    .. math:: \mathrm{PPL} = \exp\Bigl(\frac{1}{M} \sum_{i} -\log \hat p(y_i)\Bigr)

    over the M real tokens.  The NLL must be in nats (natural logarithm, what
    cross-entropy losses return); a model that spreads its probability evenly over V
    symbols has perplexity V.  The mean is over *tokens*, not over sequences: averaging
    each sentence's mean and then exponentiating weighs short sentences more.

    Args:
        nll: the mean NLL per token (a scalar), or per-token NLLs.
        mask: optional boolean array, True on the real (non-padding) tokens of ``nll``.

    Example:
        >>> float(round(perplexity(np.log(4.0)), 6))
        4.0
    """
    v = np.asarray(nll, dtype=float)
    if mask is not None:
        m = np.asarray(mask, dtype=bool)
        if m.shape != v.shape:
            raise ValueError(f"perplexity: mask must have the shape of nll {v.shape}, got {m.shape}")
        if not m.any():
            raise ValueError("perplexity: mask selects no token")
        v = v[m]
    if v.size == 0:
        raise ValueError("perplexity: nll is empty")
    return float(np.exp(v.mean()))


# ------------------------------------------------------------------------ intervals
def coverage(y, lo=None, hi=None) -> float:
    r"""Fraction of the targets inside a prediction interval ``lo <= y <= hi``.

    One side may be ``None`` (unbounded): the coverage of a predicted
    :math:`\tau`-quantile ``hi`` alone should be about :math:`\tau`, and a value-at-risk
    model at level :math:`\tau` is exceeded (``y < lo``) about a share :math:`\tau`
    of the days, so ``1 - coverage(y, lo=var)`` is its exceedance rate.

    Shape: ``y``, ``lo``, ``hi`` broadcast to ``y``'s shape ``(N,)``.

    Example:
        >>> coverage([1.0, 2.0, 3.0, 4.0], lo=1.5, hi=[3.0, 3.0, 3.0, 3.5])
        0.5
    """
    y = np.asarray(y, dtype=float)
    if lo is None and hi is None:
        raise ValueError("coverage: give lo, hi or both")
    inside = np.ones(y.shape, dtype=bool)
    for name, bound, op in (("lo", lo, np.greater_equal), ("hi", hi, np.less_equal)):
        if bound is None:
            continue
        b = np.asarray(bound, dtype=float)
        try:
            b = np.broadcast_to(b, y.shape)
        except ValueError:
            raise ValueError(f"coverage: {name} of shape {b.shape} does not match y {y.shape}") from None
        inside &= op(y, b)
    if y.size == 0:
        raise ValueError("coverage: y is empty")
    return float(inside.mean())


# --------------------------------------------------------------------- thresholds
def precision_recall_at_threshold(y_true, scores, threshold):
    """Precision and recall of the rule "positive when score >= threshold".

    Precision is defined as 1 when nothing is predicted positive (scikit-learn's
    ``precision_recall_curve`` convention at its last point).

    Shape: ``y_true`` (0/1) and ``scores`` ``(N,)``.

    Example:
        >>> precision_recall_at_threshold([0, 1, 1, 0], [0.1, 0.8, 0.4, 0.6], 0.5)
        (0.5, 0.5)
    """
    y, s = _binary("precision_recall_at_threshold", y_true, scores)
    if not y.any():
        raise ValueError("precision_recall_at_threshold: y_true has no positive, recall is undefined")
    pred = s >= threshold
    tp = np.sum(pred & y)
    precision = tp / pred.sum() if pred.any() else 1.0
    return float(precision), float(tp / y.sum())


def threshold_for_recall(y_true, scores, recall) -> float:
    """The largest threshold whose rule "score >= threshold" reaches the given recall.

    Fraud and anomaly detection fix the recall they need (catch 90% of frauds) and
    read off the threshold, then pay for it in precision.  The result is one of the
    positive examples' scores.

    Example:
        >>> threshold_for_recall([0, 1, 1, 0, 1], [0.1, 0.9, 0.4, 0.6, 0.7], 2 / 3)
        0.7
    """
    y, s = _binary("threshold_for_recall", y_true, scores)
    if not 0 < recall <= 1:
        raise ValueError(f"threshold_for_recall: recall must be in (0, 1], got {recall!r}")
    pos = np.sort(s[y])[::-1]
    if pos.size == 0:
        raise ValueError("threshold_for_recall: y_true has no positive")
    # the j-th largest positive score catches at least j positives (more with ties)
    need = int(np.ceil(recall * pos.size - 1e-12))
    return float(pos[need - 1])


def recall_at_fpr(y_true, scores, fpr) -> float:
    """Best recall (true-positive rate) of a threshold rule whose false-positive rate is <= fpr.

    The operating point of a fraud or alarm system: "how many frauds do we catch if at
    most 1% of honest customers are flagged?".  A point of the ROC curve
    (``sklearn.metrics.roc_curve``), without interpolation.

    Example:
        >>> recall_at_fpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.8, 0.7, 0.9], 0.0)
        0.5
    """
    y, s = _binary("recall_at_fpr", y_true, scores)
    if not 0 <= fpr <= 1:
        raise ValueError(f"recall_at_fpr: fpr must be in [0, 1], got {fpr!r}")
    if y.all() or not y.any():
        raise ValueError("recall_at_fpr: y_true needs both classes")
    neg = np.sort(s[~y])[::-1]
    allowed = int(np.floor(fpr * neg.size + 1e-12))        # negatives we may flag
    # flag everything strictly above the (allowed+1)-th largest negative score
    if allowed >= neg.size:
        return 1.0
    return float(np.mean(s[y] > neg[allowed]))


# --------------------------------------------------------------------- calibration
def _finite_probabilities(fn: str, arg: str, p: np.ndarray) -> None:
    """Raise unless every entry of ``p`` is a probability in [0, 1] (NaN included: it cannot be binned)."""
    if not np.isfinite(p).all():
        raise ValueError(f"{fn}: {arg} must hold probabilities in [0, 1], got {checks.show(p[~np.isfinite(p)].flat[0])}")
    checks.probabilities(fn, arg, p)


def _confidence(fn, y_true, probs):
    y = np.asarray(y_true)
    p = np.asarray(probs, dtype=float)
    _finite_probabilities(fn, "probs", p)
    if p.ndim == 1:  # binary: P(y = 1); the confidence is that of the predicted class
        if p.shape != y.shape or not np.isin(y, (0, 1)).all():
            raise ValueError(f"{fn}: binary probs need 0/1 labels of the same shape {p.shape}")
        pred = (p >= 0.5).astype(int)
        conf = np.where(pred == 1, p, 1 - p)
    elif p.ndim == 2:
        if y.shape != (p.shape[0],):
            raise ValueError(f"{fn}: y_true must have shape ({p.shape[0]},), got {y.shape}")
        pred = p.argmax(axis=1)
        conf = p.max(axis=1)
    else:
        raise ValueError(f"{fn}: probs must be (N,) or (N, C), got {p.shape}")
    return conf, (pred == y).astype(float)


def calibration_table(y_true, probs, n_bins=15) -> dict:
    """Reliability diagram data: confidence and accuracy in equal-width confidence bins.

    For each of ``n_bins`` bins of the top-label confidence (right-closed:
    ``lo < conf <= hi``, the first bin also holds 0): its edges, the mean confidence, the
    accuracy and the number of examples (NaN means for empty bins).

    Shape: binary ``probs`` ``(N,)`` = P(y = 1) with 0/1 labels, or ``(N, C)`` rows of
    class probabilities with integer labels ``(N,)``.
    """
    conf, correct = _confidence("calibration_table", y_true, probs)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    count = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(idx, conf, minlength=n_bins) / count
        acc = np.bincount(idx, correct, minlength=n_bins) / count
    return {"lo": edges[:-1], "hi": edges[1:], "confidence": mean_conf, "accuracy": acc,
            "count": count}


def expected_calibration_error(y_true, probs, n_bins=15) -> float:
    r"""Expected calibration error (Naeini et al., 2015; Guo et al., 2017).

    .. math::
        \mathrm{ECE} = \sum_{b=1}^{B} \frac{n_b}{N}\,
        \bigl|\operatorname{acc}(b) - \operatorname{conf}(b)\bigr|

    over B equal-width bins of the top-label confidence (see :func:`calibration_table`).
    It is 0 for a calibrated model and depends on the binning; report the number of
    bins with it.

    Example:
        >>> # bin (0.8, 0.9]: 3 examples, confidence 0.9, accuracy 2/3; bin (0.7, 0.8]: 1 right at 0.8
        >>> round(expected_calibration_error([1, 1, 0, 0], [0.9, 0.9, 0.9, 0.2], n_bins=10), 6)
        0.225

    References: Guo, C., Pleiss, G., Sun, Y. and Weinberger, K. Q. (2017). On
    calibration of modern neural networks. ICML.
    """
    t = calibration_table(y_true, probs, n_bins)
    n = t["count"].sum()
    full = t["count"] > 0
    gap = np.abs(t["accuracy"][full] - t["confidence"][full])
    return float(np.sum(t["count"][full] / n * gap))


_STRATEGIES = ("uniform", "quantile")


def binary_reliability(y_true, p, *, n_bins=10, strategy="uniform") -> dict:
    r"""Reliability diagram data of a binary model: per bin of ``p``, its mean and the share of positives.

    The bins hold the predicted probabilities :math:`\hat p_i = P(y_i = 1)` themselves
    (not the confidence of the predicted class, as :func:`calibration_table` does), so a
    model that overestimates every probability shows gaps of one sign.
    ``strategy="uniform"``: ``n_bins`` equal-width bins of [0, 1], right-closed
    (``lo < p <= hi``, the first also holds 0), as scikit-learn's ``calibration_curve``;
    empty bins are left out. ``strategy="quantile"``: ``n_bins`` bins of equal count
    (the rows sorted by ``p``, split as evenly as possible), the right choice when the
    probabilities crowd near 0 or 1, as with rare positives.

    Returns:
        dict of arrays over the non-empty bins: ``"mean_p"``, ``"freq"`` (share of
        positives) and ``"count"``.

    Example:
        >>> t = binary_reliability([0, 1, 0, 1], [0.1, 0.2, 0.7, 0.9], n_bins=2)
        >>> t["mean_p"].round(2).tolist(), t["freq"].tolist(), t["count"].tolist()
        ([0.15, 0.8], [0.5, 0.5], [2, 2])
    """
    y, q = _binary("binary_reliability", y_true, p)
    _finite_probabilities("binary_reliability", "p", q)
    if strategy not in _STRATEGIES:
        raise ValueError(f"binary_reliability: strategy must be 'uniform' or 'quantile', got {strategy!r}")
    if int(n_bins) != n_bins or n_bins < 1 or (strategy == "quantile" and n_bins > len(q)):
        raise ValueError(f"binary_reliability: n_bins must be a whole number from 1 to the number of "
                         f"examples ({len(q)}), got {n_bins!r}")
    n_bins = int(n_bins)
    if strategy == "uniform":
        idx = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], q, side="left")
    else:
        idx = np.empty(len(q), dtype=int)
        for k, rows in enumerate(np.array_split(np.argsort(q, kind="stable"), n_bins)):
            idx[rows] = k
    count = np.bincount(idx, minlength=n_bins)
    full = count > 0
    return {"mean_p": np.bincount(idx, q, minlength=n_bins)[full] / count[full],
            "freq": np.bincount(idx, y.astype(float), minlength=n_bins)[full] / count[full],
            "count": count[full]}


def binary_calibration_error(y_true, p, *, n_bins=10, strategy="uniform") -> float:
    r"""Expected calibration error of a binary model, binning :math:`\hat p` itself.

    .. math::
        \mathrm{ECE} = \sum_{k} \frac{|B_k|}{N}\,
        \Bigl|\frac{1}{|B_k|}\sum_{i \in B_k} y_i - \frac{1}{|B_k|}\sum_{i \in B_k} \hat p_i\Bigr|

    over the bins :math:`B_k` of :func:`binary_reliability` (equal width or equal count).
    It is 0 for a calibrated model up to sampling noise and depends on the bins: report
    them with it. :func:`expected_calibration_error` bins the top-label confidence
    :math:`\max(\hat p, 1 - \hat p)` instead, the convention for many classes; for two
    classes it puts :math:`\hat p = 0.1` and :math:`0.9` into one bin, where gaps of opposite
    signs cancel.

    Example:
        >>> round(binary_calibration_error([0, 1, 0, 1], [0.1, 0.2, 0.7, 0.9], n_bins=2), 3)
        0.325
    """
    t = binary_reliability(y_true, p, n_bins=n_bins, strategy=strategy)
    return float(np.sum(t["count"] / t["count"].sum() * np.abs(t["freq"] - t["mean_p"])))


# ------------------------------------------------------------------------ sequences
def edit_distance(a, b) -> int:
    """Levenshtein distance: fewest substitutions, insertions and deletions from a to b.

    Works on any sequences of comparable items (strings, lists of label ids).

    Example:
        >>> edit_distance("kitten", "sitting"), edit_distance([1, 2, 3], [1, 3])
        (3, 1)
    """
    a, b = list(a), list(b)
    d = list(range(len(b) + 1))          # distances from the empty prefix of a
    for i, ai in enumerate(a, 1):
        prev_diag, d[0] = d[0], i
        for j, bj in enumerate(b, 1):
            prev_diag, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev_diag + (ai != bj))
    return d[-1]


def char_error_rate(hyps, refs) -> float:
    r"""Character (or label) error rate: total edit distance over total reference length.

    .. math:: \mathrm{CER} = \frac{\sum_n \operatorname{edit}(\hat{\mathbf l}_n, \mathbf l_n)}{\sum_n |\mathbf l_n|}

    The label error rate of CTC models and the character error rate of speech
    recognition; it can exceed 1 when the hypotheses insert many labels, and the empty
    hypothesis scores exactly 1.

    Args:
        hyps: decoded sequences (strings or lists of ids).
        refs: the true sequences, as many as ``hyps``.

    Example:
        >>> char_error_rate(["ab", ""], ["abc", "d"])
        0.5
    """
    hyps, refs = list(hyps), list(refs)
    if len(hyps) != len(refs):
        raise ValueError(f"char_error_rate: {len(hyps)} hypotheses for {len(refs)} references")
    total = sum(len(r) for r in refs)
    if total == 0:
        raise ValueError("char_error_rate: the references are all empty")
    return sum(edit_distance(h, r) for h, r in zip(hyps, refs)) / total
