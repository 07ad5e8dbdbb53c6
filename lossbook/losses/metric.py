"""Metric-learning losses: pairs, triplets and batches of embeddings.

These losses shape an embedding space: similar items close, dissimilar items far.  As
everywhere in lossbook the target comes first (``contrastive(similar, distance)``,
``cosine_embedding(y, x1, x2)``, ``margin_ranking(y, x1, x2)``); PyTorch puts it last
(``F.cosine_embedding_loss(x1, x2, y)``).  :func:`triplet` and :func:`info_nce` have no
target at all: which item is positive is encoded by position.

Each function has a ``grad`` attribute of the same signature returning the derivative
with respect to its prediction input, or a tuple of derivatives, one per embedding
input.  With ``reduction="none"`` the gradient is that of the *sum* of the per-example
losses; for the elementwise losses this is each example's derivative of its own loss.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ._core import REDUCTIONS, grad_of, reduce, reduce_grad, register, result_dtype, sigmoid, softplus
from .facts import Case, Hyper, away_from, draw

__all__ = [
    "contrastive",
    "triplet",
    "info_nce",
    "symmetric_info_nce",
    "nt_xent",
    "cosine_embedding",
    "margin_ranking",
    "hinge_embedding",
]


# --------------------------------------------------------------------------- helpers
def _weight(reduction: str, n: int) -> float:
    """Factor turning derivatives of per-example losses into that of the reduced loss."""
    return 1.0 / n if reduction == "mean" else 1.0


def _embeddings(fn: str, names: tuple, arrays: tuple, ndims=(1, 2)) -> list:
    """Float arrays of one shape and a common dtype, with ``ndim`` in ``ndims``."""
    out = [checks.float_array(fn, name, a) for name, a in zip(names, arrays)]
    for name, a in zip(names[1:], out[1:]):
        checks.same_shape(fn, names[0], out[0], name, a)
    if out[0].ndim not in ndims:
        want = " or ".join(("(D,)", "(N, D)")[d - 1] for d in ndims)
        raise ValueError(f"{fn}: {names[0]} must have shape {want}, got shape {out[0].shape}")
    dtype = result_dtype(*out)
    return [a.astype(dtype, copy=False) for a in out]


def _unit_rows(rng, n, dim=3):
    """``n`` embeddings of unit length, as SimCLR and CLIP use them (cosine logits)."""
    x = draw("embedding", rng, (n, dim))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _triplet_sample(rng, n, dim=3):
    """Triplets whose hinge m + d(a, p) - d(a, n) keeps 0.05 away from 0 (m = 1)."""
    a, p, q = (draw("embedding", rng, (n, dim)) for _ in range(3))
    for _ in range(100):
        v = 1.0 + np.linalg.norm(a - p, axis=1) - np.linalg.norm(a - q, axis=1)
        bad = np.abs(v) < 0.05
        if not bad.any():
            break
        q[bad] = draw("embedding", rng, (int(bad.sum()), dim))
    return Case((a, p, q))


def _cosine_sample(rng, n, dim=3):
    """Labelled pairs whose cosines keep 0.05 away from the default margin 0."""
    y = draw("pm1", rng, n)
    x1, x2 = draw("embedding", rng, (n, dim)), draw("embedding", rng, (n, dim))
    for _ in range(100):
        cos = np.sum(x1 * x2, axis=1) / np.sqrt(np.sum(x1 * x1, axis=1) * np.sum(x2 * x2, axis=1))
        bad = np.abs(cos) < 0.05
        if not bad.any():
            break
        x2[bad] = draw("embedding", rng, (int(bad.sum()), dim))
    return Case((y, x1, x2))


def _ranking_sample(rng, n):
    """Pairs of scores whose differences keep 0.05 away from the default margin 0."""
    y, x1 = draw("pm1", rng, n), draw("score", rng, n)
    return Case((y, x1, x1 - away_from(draw("score", rng, n), [0.0])))


# --------------------------------------------------------------------------- contrastive
def _prepare_contrastive(similar, distance, margin, reduction):
    """The preparation contrastive and its grad share: pair labels, distances, margin."""
    fn = "contrastive"
    checks.reduction(fn, reduction)
    margin = checks.positive(fn, "margin", margin)
    d = checks.float_array(fn, "distance", distance)
    s = checks.float_array(fn, "similar", similar)
    checks.same_shape(fn, "similar", s, "distance", d)
    checks.binary_labels(fn, "similar", s, meaning="1 (similar pair) or 0 (dissimilar pair)")
    checks.nonnegative_values(
        fn, "distance", d, what="distances", hint=" (e.g. Euclidean norms of embedding differences)"
    )
    return s.astype(d.dtype, copy=False), d, d.dtype.type(margin)


@register(
    "metric",
    inputs=("similar", "distance"),
    target="binary01",
    prediction="distance",
    labels="1 for a similar pair, 0 for a dissimilar pair",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(Hyper("margin", 1.0, 0.1, 3.0, step=0.05),),
    convex=True,  # d^2 and max(0, m - d)^2 are convex in d
    differentiable=True,  # the second derivative jumps at d = margin (dissimilar pairs)
    proper=None,
    sample=lambda rng, n: Case((draw("binary01", rng, n), away_from(draw("distance", rng, n), [1.0]))),
)
def contrastive(similar, distance, *, margin=1.0, reduction="mean"):
    r"""Contrastive loss on pair distances: pull similar pairs together, push others past a margin.

    .. math::
        \ell_i = s_i\, \tfrac12 d_i^2 + (1 - s_i)\, \tfrac12 \max(0, m - d_i)^2,
        \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    with :math:`s_i \in \{0, 1\}` (1 for a similar pair), :math:`d_i \ge 0` the distance
    between the two embeddings of pair :math:`i`, and margin :math:`m`.

    Args:
        similar: pair labels :math:`s`, 1 for a similar pair and 0 for a dissimilar one
            (the target, passed first; PyTorch-style APIs put the target last).
        distance: distances :math:`d \ge 0` (e.g. ``np.linalg.norm(f(x1) - f(x2), axis=1)``).
        margin: :math:`m > 0`; dissimilar pairs farther apart than this cost nothing.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``similar`` and ``distance`` of the same shape ``(N,)`` (N = pairs), or any
        common shape; a scalar, or that shape with ``reduction="none"``.  ``grad``
        returns the derivative with respect to ``distance``.

    Example:
        >>> print(contrastive([1, 0, 0], [0.5, 0.25, 2.0], margin=1.0))
        0.135416666

    The factor :math:`\tfrac12` follows Hadsell, Chopra & LeCun (2006), so the gradient
    is :math:`s d - (1 - s)\max(0, m - d)`; some libraries drop it (TensorFlow Addons'
    ``contrastive_loss`` is twice this value).  PyTorch has no built-in contrastive loss
    (``nn.CosineEmbeddingLoss`` is the nearest; see :func:`cosine_embedding`).  Two
    corrections to a source of this book: a "contrastive loss" printed as a log-ratio
    that simplifies to :math:`\log 1 = 0` is not this loss, which is a function of pair
    distances with a margin; and contrastive loss is not a K-means or clustering
    method: it trains an embedding (for example a siamese network) on labelled pairs,
    and clustering, if any, happens afterwards in the learned space.  See
    :func:`triplet` and :func:`info_nce` for losses that compare several pairs at once.

    References:
        Hadsell, R., Chopra, S., & LeCun, Y. (2006). Dimensionality reduction by learning
        an invariant mapping. CVPR.
        Chopra, S., Hadsell, R., & LeCun, Y. (2005). Learning a similarity metric
        discriminatively, with application to face verification. CVPR.
    """
    s, d, m = _prepare_contrastive(similar, distance, margin, reduction)
    gap = np.maximum(m - d, 0)
    return reduce(0.5 * (s * d * d + (1 - s) * gap * gap), reduction)


@grad_of(contrastive)
def _contrastive_grad(similar, distance, *, margin=1.0, reduction="mean"):
    s, d, m = _prepare_contrastive(similar, distance, margin, reduction)
    return reduce_grad(s * d - (1 - s) * np.maximum(m - d, 0), reduction)


# --------------------------------------------------------------------------- triplet
def _pnorm(x: np.ndarray, p) -> np.ndarray:
    """The p-norm along the last axis, scaled by the largest entry.

    Dividing by ``max|x|`` first keeps ``|x|**p`` from overflowing (entries of 1e20
    in float32, or of 1e160 with p = 2 in float64) or underflowing; an infinite
    entry gives an infinite norm and a NaN gives NaN.
    """
    a = np.abs(x)
    top = np.max(a, axis=-1, keepdims=True)
    scale = np.where((top > 0) & np.isfinite(top), top, 1).astype(x.dtype)
    r = a / scale
    return scale[..., 0] * np.sum(r**p, axis=-1) ** (1 / p)


def _pnorm_grad(x: np.ndarray, norm: np.ndarray, p) -> np.ndarray:
    r"""d||x||_p / dx = sign(x) (|x| / ||x||_p)^(p-1), bounded by 1 in every entry.

    At x = 0 (norm 0) the derivative is taken as 0; a zero or infinite norm would
    give 0/0 or inf/inf, which is silenced and then replaced.
    """
    if p == 1:
        return np.sign(x)
    n = norm[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.sign(x) * (np.abs(x) / n) ** (p - 1)
    return np.where(n > 0, g, 0).astype(x.dtype, copy=False)


def _prepare_triplet(anchor, positive, negative, margin, p, eps, swap, reduction):
    """The preparation triplet and its grad share: checks, differences and distances."""
    fn = "triplet"
    checks.reduction(fn, reduction)
    margin = checks.at_least(fn, "margin", margin)
    p = checks.at_least(fn, "p", p, 1, hint=" (a norm order)")
    eps = checks.at_least(fn, "eps", eps)
    swap = checks.flag(fn, "swap", swap)
    names = ("anchor", "positive", "negative")
    a, pos, neg = _embeddings(fn, names, (anchor, positive, negative))
    eps = a.dtype.type(eps)
    # PyTorch's pairwise_distance adds eps to the difference (not to the norm):
    # d(x1, x2) = ||x1 - x2 + eps||_p, which keeps the norm away from its kink at 0.
    diffs = {"ap": a - pos + eps, "an": a - neg + eps}
    if swap:
        diffs["pn"] = pos - neg + eps
    dist = {k: _pnorm(v, p) for k, v in diffs.items()}
    use_pn = dist["pn"] < dist["an"] if swap else np.zeros(dist["an"].shape, bool)
    d_neg = np.where(use_pn, dist["pn"], dist["an"]) if swap else dist["an"]
    v = a.dtype.type(margin) + dist["ap"] - d_neg
    return a, diffs, dist, use_pn, v, p


@register(
    "metric",
    inputs=("anchor", "positive", "negative"),
    target=None,
    prediction="embedding",
    labels=None,
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(
        Hyper("margin", 1.0, 0.0, 3.0, step=0.05),
        Hyper("p", 2, 1.0, 4.0, step=0.5),
    ),
    options=("eps", "swap"),
    convex=False,  # minus a distance is concave
    differentiable=False,
    kinks="where margin + d(a, p) = d(a, n) (the hinge; eps keeps the norms off theirs)",
    proper=None,
    sample=_triplet_sample,
)
def triplet(
    anchor, positive, negative, *, margin=1.0, p=2, eps=1e-6, swap=False, reduction="mean"
):
    r"""Triplet margin loss: the positive must be closer to the anchor than the negative, by a margin.

    .. math::
        \ell_i = \max\bigl(0,\; m + d(a_i, p_i) - d(a_i, n_i)\bigr), \qquad
        d(x, y) = \|x - y + \epsilon\|_p, \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    With ``swap=True`` the negative distance is
    :math:`\min(d(a_i, n_i), d(p_i, n_i))` (the "distance swap" of Balntas et al. 2016).

    Args:
        anchor: anchor embeddings :math:`a`.
        positive: embeddings :math:`p` of the same identity as the anchor.
        negative: embeddings :math:`n` of a different identity.
        margin: :math:`m \ge 0`.
        p: norm order, a finite number >= 1 (PyTorch's default 2).
        eps: :math:`\epsilon \ge 0`, added to every difference as PyTorch's
            ``F.pairwise_distance`` does.
        swap: use the distance swap.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``anchor``, ``positive`` and ``negative`` of the same shape ``(N, D)``
        (N = triplets, D = embedding dimension) or ``(D,)`` for a single triplet; a
        scalar, or ``(N,)`` (``()`` for one triplet) with ``reduction="none"``.  There is
        no target: roles are given by position.  ``grad`` returns
        ``(d_anchor, d_positive, d_negative)``, each of the input shape.

    Example:
        >>> print(triplet([[0.0, 0.0]], [[1.0, 0.0]], [[0.0, 1.5]], margin=1.0))
        0.5000000000002

    This is PyTorch's ``F.triplet_margin_loss(anchor, positive, negative, margin, p,
    eps, swap)`` exactly, including the :math:`\epsilon` inside the norm.  Triplets
    whose loss is zero contribute no gradient, which is why FaceNet mines "semi-hard"
    negatives (farther than the positive but within the margin).  The subgradient at
    the hinge's kink is taken as 0 (PyTorch's ``clamp_min`` passes the gradient there).
    Compared with :func:`contrastive`, the margin is relative (between two distances)
    rather than absolute; :func:`info_nce` compares each anchor with many negatives.

    References:
        Weinberger, K. Q., & Saul, L. K. (2009). Distance metric learning for large
        margin nearest neighbor classification. JMLR, 10, 207-244.
        Schroff, F., Kalenichenko, D., & Philbin, J. (2015). FaceNet: A unified
        embedding for face recognition and clustering. CVPR.
        Balntas, V., Riba, E., Ponsa, D., & Mikolajczyk, K. (2016). Learning local
        feature descriptors with triplets and shallow convolutional neural networks. BMVC.
    """
    *_, v, _ = _prepare_triplet(anchor, positive, negative, margin, p, eps, swap, reduction)
    return reduce(np.maximum(v, 0), reduction)


@grad_of(triplet)
def _triplet_grad(
    anchor, positive, negative, *, margin=1.0, p=2, eps=1e-6, swap=False, reduction="mean"
):
    a, diffs, dist, use_pn, v, p = _prepare_triplet(
        anchor, positive, negative, margin, p, eps, swap, reduction
    )
    n = 1 if a.ndim == 1 else a.shape[0]
    # heaviside(v, 0): 1 where the hinge is active, 0 where not, NaN where v is NaN
    active = (np.heaviside(v, 0) * _weight(reduction, n)).astype(a.dtype)[..., None]
    g_ap = _pnorm_grad(diffs["ap"], dist["ap"], p)
    g_an = _pnorm_grad(diffs["an"], dist["an"], p)
    if swap:
        g_pn = _pnorm_grad(diffs["pn"], dist["pn"], p)
        sw = use_pn[..., None]
        g_an, g_pn = np.where(sw, 0, g_an), np.where(sw, g_pn, 0)
    else:
        g_pn = np.zeros_like(g_an)
    return active * (g_ap - g_an), active * (-g_ap - g_pn), active * (g_an + g_pn)


# --------------------------------------------------------------------------- InfoNCE
def _similarity_logits(fn, queries, keys, temperature, reduction):
    """Checks, and the logits ``q k^T / tau`` that info_nce and symmetric_info_nce share."""
    checks.reduction(fn, reduction)
    temperature = checks.positive(fn, "temperature", temperature)
    q, k = _embeddings(fn, ("queries", "keys"), (queries, keys), ndims=(2,))
    return q, k, (q @ k.T) / q.dtype.type(temperature), temperature


def _logsumexp(logits: np.ndarray, axis: int) -> np.ndarray:
    """log-sum-exp along ``axis``, with the maximum subtracted.

    Every exp is then <= 1, so nothing overflows even for logits of 1e4, and the largest
    term contributes exactly 1.
    """
    top = np.max(logits, axis=axis, keepdims=True)
    return np.squeeze(top, axis) + np.log(np.sum(np.exp(logits - top), axis=axis))


# The facts info_nce and symmetric_info_nce share: two towers of embeddings, row i of
# each a positive pair.
_TWO_TOWER_FACTS = dict(
    inputs=("queries", "keys"),
    target=None,
    prediction="embedding",
    labels=None,
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(Hyper("temperature", 0.1, 0.01, 1.0, scale="log"),),
    convex=False,  # the logits q_i . k_j are bilinear in (queries, keys)
    differentiable=True,
    proper=None,
    sample=lambda rng, n: Case((_unit_rows(rng, n), _unit_rows(rng, n))),
)


def _prepare_info_nce(queries, keys, temperature, reduction):
    """The preparation info_nce and its grad share: checks, logits and log-sum-exps."""
    q, k, logits, temperature = _similarity_logits("info_nce", queries, keys, temperature, reduction)
    return q, k, logits, _logsumexp(logits, 1), temperature


@register("metric", **_TWO_TOWER_FACTS)
def info_nce(queries, keys, *, temperature=0.1, reduction="mean"):
    r"""InfoNCE: classify which key belongs to each query, with the other keys as negatives.

    .. math::
        z_{ij} = \frac{q_i^\top k_j}{T}, \qquad
        \ell_i = -\log \frac{e^{z_{ii}}}{\sum_{j=1}^N e^{z_{ij}}}
        = \log \sum_{j=1}^N e^{z_{ij}} - z_{ii}, \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    Row :math:`i` of ``keys`` is the positive for row :math:`i` of ``queries``; the other
    :math:`N - 1` keys of the batch are its negatives.

    Args:
        queries: embeddings :math:`q` (e.g. of one augmented view, or of images).
        keys: embeddings :math:`k` of the matching items (the other view, or captions).
        temperature: :math:`T > 0`; small values sharpen the softmax.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``queries`` and ``keys`` of the same shape ``(N, D)`` (N = batch, D = embedding
        dimension); a scalar, or ``(N,)`` with ``reduction="none"``.  There is no
        target: positives are on the diagonal.  ``grad`` returns
        ``(d_queries, d_keys)``; with ``reduction="none"`` it is the gradient of the sum
        of the :math:`\ell_i` (every key appears in every row's loss).

    Example:
        >>> q = [[1.0, 0.0], [0.0, 1.0]]
        >>> k = [[0.8, 0.6], [0.0, 1.0]]
        >>> print(info_nce(q, k, temperature=0.5))
        0.277500703418

    It is cross-entropy over the similarity logits with targets ``0..N-1``:
    PyTorch ``F.cross_entropy(q @ k.T / tau, torch.arange(N))`` gives the same value.
    The embeddings are used as given: for cosine similarity, as SimCLR and CLIP use,
    normalize the rows to unit length first (then :math:`|z_{ij}| \le 1/T`).  SimCLR's
    NT-Xent also counts the other view's entries of the same batch as negatives, and
    CLIP averages this loss with its transpose (keys as queries); both are built from
    this function.  Minimizing it maximizes a lower bound on the mutual information
    between the two views, :math:`\log N - L` (Oord et al. 2018).  Compare
    :func:`triplet`, which uses a single negative and a margin.

    References:
        van den Oord, A., Li, Y., & Vinyals, O. (2018). Representation learning with
        contrastive predictive coding. arXiv:1807.03748.
        Chen, T., Kornblith, S., Norouzi, M., & Hinton, G. (2020). A simple framework
        for contrastive learning of visual representations (SimCLR). ICML.
        Radford, A., et al. (2021). Learning transferable visual models from natural
        language supervision (CLIP). ICML.
    """
    _, _, logits, lse, _ = _prepare_info_nce(queries, keys, temperature, reduction)
    return reduce(lse - np.diagonal(logits), reduction)


@grad_of(info_nce)
def _info_nce_grad(queries, keys, *, temperature=0.1, reduction="mean"):
    q, k, logits, lse, temperature = _prepare_info_nce(queries, keys, temperature, reduction)
    # d l_i / d z_ij = softmax_j(z_i) - [i == j]
    g = np.exp(logits - lse[:, None])
    g[np.diag_indices_from(g)] -= 1
    g *= q.dtype.type(_weight(reduction, q.shape[0]) / temperature)
    return g @ k, g.T @ q


# --------------------------------------------------------------------------- symmetric InfoNCE
def _prepare_symmetric_info_nce(queries, keys, temperature, reduction):
    """The preparation symmetric_info_nce and its grad share: logits, row and column lses."""
    q, k, logits, temperature = _similarity_logits(
        "symmetric_info_nce", queries, keys, temperature, reduction
    )
    return q, k, logits, _logsumexp(logits, 1), _logsumexp(logits, 0), temperature


@register("metric", **_TWO_TOWER_FACTS)
def symmetric_info_nce(queries, keys, *, temperature=0.1, reduction="mean"):
    r"""Symmetric InfoNCE (the CLIP loss): InfoNCE from queries to keys and back, averaged.

    .. math::
        z_{ij} = \frac{q_i^\top k_j}{T}, \qquad
        \ell_i = \frac12\Bigl(\log \sum_{j=1}^N e^{z_{ij}} - z_{ii}\Bigr)
               + \frac12\Bigl(\log \sum_{j=1}^N e^{z_{ji}} - z_{ii}\Bigr), \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    The first half classifies which key belongs to query :math:`i` (row :math:`i` of
    :math:`z`), the second which query belongs to key :math:`i` (column :math:`i`).

    Args:
        queries: embeddings :math:`q` (e.g. of images).
        keys: embeddings :math:`k` of the matching items (e.g. their captions); row
            :math:`i` of each is a positive pair.
        temperature: :math:`T > 0` (CLIP learns it, starting at 0.07).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``queries`` and ``keys`` of the same shape ``(N, D)`` (N = pairs, D = embedding
        dimension); a scalar, or ``(N,)`` with ``reduction="none"``.  ``grad`` returns
        ``(d_queries, d_keys)``; with ``reduction="none"`` it is the gradient of the
        sum of the :math:`\ell_i`.

    Example:
        >>> q = [[1.0, 0.0], [0.0, 1.0]]
        >>> k = [[0.8, 0.6], [0.0, 1.0]]
        >>> print(symmetric_info_nce(q, k, temperature=0.5))
        0.298736168

    Row :math:`i` of ``reduction="none"`` is the mean of row :math:`i` of
    :func:`info_nce` ``(queries, keys)`` and of :func:`info_nce` ``(keys, queries)``;
    in PyTorch, ``(F.cross_entropy(z, labels) + F.cross_entropy(z.T, labels)) / 2``
    with ``z = q @ k.T / tau`` and ``labels = torch.arange(N)``, which is how CLIP and
    open_clip's ``ClipLoss`` compute it (with unit-length embeddings and a learned
    :math:`1/T`).  Both log-sum-exps subtract their maximum, so logits of
    :math:`10^4` are exact.  Neither PyTorch, Keras nor optax ships it as a loss.  See
    :func:`nt_xent` for the SimCLR loss, where both views sit in one batch.

    References:
        Zhang, Y., Jiang, H., Miura, Y., Manning, C. D., & Langlotz, C. P. (2020).
        Contrastive learning of medical visual representations from paired images
        and text (ConVIRT). arXiv:2010.00747.
        Radford, A., et al. (2021). Learning transferable visual models from natural
        language supervision (CLIP). ICML.
    """
    _, _, logits, lse_rows, lse_cols, _ = _prepare_symmetric_info_nce(
        queries, keys, temperature, reduction
    )
    return reduce(0.5 * (lse_rows + lse_cols) - np.diagonal(logits), reduction)


@grad_of(symmetric_info_nce)
def _symmetric_info_nce_grad(queries, keys, *, temperature=0.1, reduction="mean"):
    q, k, logits, lse_rows, lse_cols, temperature = _prepare_symmetric_info_nce(
        queries, keys, temperature, reduction
    )
    # d l / d z_ij = (softmax over row i + softmax over column j) / 2 - [i == j]
    g = np.exp(logits - lse_rows[:, None])
    g += np.exp(logits - lse_cols[None, :])
    g *= 0.5
    g[np.diag_indices_from(g)] -= 1
    g *= q.dtype.type(_weight(reduction, q.shape[0]) / temperature)
    return g @ k, g.T @ q


# --------------------------------------------------------------------------- NT-Xent
def _prepare_nt_xent(embeddings, labels, temperature):
    """The preparation nt_xent and its grad share.

    Returns the embeddings, their norms (clipped as optax clips them), the unit rows,
    the logits, the masks of positive pairs and of different-label pairs, the
    log-sum-exp of each row over its different-label pairs, and the temperature.
    """
    fn = "nt_xent"
    temperature = checks.positive(fn, "temperature", temperature)
    x = checks.float_array(fn, "embeddings", embeddings)
    if x.ndim != 2:
        raise ValueError(f"{fn}: embeddings must have shape (N, D), got shape {x.shape}")
    n = x.shape[0]
    y = checks.class_labels(fn, "labels", labels)
    if y.shape != (n,):
        raise ValueError(
            f"{fn}: labels must have shape (N,) = ({n},), one group label per row of "
            f"embeddings, got shape {y.shape}"
        )
    same = y[:, None] == y[None, :]
    positive = same & ~np.eye(n, dtype=bool)
    if not positive.any():
        raise ValueError(
            f"{fn}: labels must give at least one positive pair (two rows with the same "
            f"label), got {n} distinct label(s); optax returns NaN (0 / 0) for such a batch"
        )
    # optax's cosine similarity clips each squared norm at the machine epsilon of the
    # dtype: a zero row gives similarities 0 instead of 0 / 0.
    eps = np.finfo(x.dtype).eps
    sq = np.sum(x * x, axis=1)
    norm = np.sqrt(np.maximum(sq, eps))
    u = x / norm[:, None]
    s = (u @ u.T) / x.dtype.type(temperature)
    different = ~same
    # log-sum-exp of each row over its different-label pairs (the negatives): -inf for
    # a row without negatives; the row maximum is subtracted, so nothing overflows.
    neg = np.where(different, s, -np.inf)
    top = neg.max(axis=1)
    top = np.where(np.isfinite(top), top, 0).astype(x.dtype, copy=False)
    with np.errstate(divide="ignore"):  # log 0 = -inf: a row without negatives
        lse_neg = top + np.log(np.sum(np.exp(neg - top[:, None]), axis=1))
    return x, sq > eps, norm, u, s, positive, different, lse_neg, temperature


def _nt_xent_sample(rng, n, dim=3):
    """``n`` embeddings in groups of two views with the same label (SimCLR's batches)."""
    return Case((draw("embedding", rng, (n, dim)), rng.permutation(np.arange(n) // 2)))


@register(
    "metric",
    inputs=("embeddings", "labels"),
    target="class_index",
    target_arg="labels",
    prediction="embedding",
    labels="an integer group label per row: rows with the same label are positive pairs",
    per_example=False,
    reductions=(),
    hyper=(Hyper("temperature", 0.07, 0.01, 1.0, scale="log"),),
    convex=False,  # cosine similarities are not convex in the embeddings
    differentiable=False,
    kinks="where a row's squared norm equals the machine epsilon of its dtype (optax's clip)",
    proper=None,
    sample=_nt_xent_sample,
)
def nt_xent(embeddings, labels, *, temperature=0.07):
    r"""NT-Xent, the SimCLR loss: each positive pair against the anchor's other-label pairs.

    .. math::
        s_{ij} = \frac{u_i^\top u_j}{T}, \qquad
        u_i = \frac{x_i}{\max(\|x_i\|, \sqrt{\epsilon})}, \qquad
        \ell_{ij} = -\log \frac{e^{s_{ij}}}
                           {e^{s_{ij}} + \sum_{k:\, c_k \ne c_i} e^{s_{ik}}},

    .. math::
        L = \frac{1}{|P|} \sum_{(i, j) \in P} \ell_{ij}, \qquad
        P = \{(i, j) : i \ne j,\ c_i = c_j\}

    with labels :math:`c` and :math:`\epsilon` the machine epsilon of the dtype.

    Args:
        embeddings: embeddings :math:`x`, one row per item (both views of each item
            in one batch).
        labels: an integer group label :math:`c_i` per row; rows with the same label
            are positive pairs (e.g. ``[0, 0, 1, 1]`` for two views of two images).
        temperature: :math:`T > 0` (default 0.07, optax's).

    Shape:
        ``embeddings`` ``(N, D)`` (N = rows, D = embedding dimension) and ``labels``
        ``(N,)``; the result is a scalar (there is no ``reduction``).  ``grad``
        returns the derivative with respect to ``embeddings``, ``(N, D)``.

    Example:
        >>> x = [[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-0.6, 0.8]]
        >>> print(nt_xent(x, [0, 0, 1, 1], temperature=0.5))
        0.430190277

    This is ``optax.losses.ntxent(embeddings, labels, temperature)`` exactly: cosine
    similarities with each squared norm clipped below at the machine epsilon (so a
    zero row has similarity 0 with everything, instead of NaN), and for each ordered
    positive pair :math:`(i, j)` a softmax over that pair and the pairs of :math:`i`
    with a *different* label; the other positives of :math:`i` are left out of the
    denominator.  With exactly two views per label, as in SimCLR's batches, that
    denominator is every row but :math:`i`, the paper's.  Each :math:`\ell_{ij}` is computed as
    :math:`\mathrm{softplus}(\log\sum_{k} e^{s_{ik}} - s_{ij})` over the negatives
    :math:`k`, exact for any temperature; optax subtracts each row's largest
    similarity instead, so at small temperatures a positive pair far below another
    positive of the same row gives :math:`\log 0` there (at :math:`T = 10^{-3}`:
    a loss of :math:`-\infty` and NaN gradients).  A batch without a positive pair raises
    here (optax returns NaN).  :func:`info_nce` is the two-tower form with the
    positives on the diagonal and unnormalized embeddings; :func:`symmetric_info_nce`
    averages it both ways.  PyTorch and Keras have no NT-Xent loss (PyTorch Metric
    Learning's ``NTXentLoss`` is the same family).

    References:
        Chen, T., Kornblith, S., Norouzi, M., & Hinton, G. (2020). A simple framework
        for contrastive learning of visual representations (SimCLR). ICML.
        Sohn, K. (2016). Improved deep metric learning with multi-class N-pair loss
        objective. NeurIPS.
    """
    _, _, _, _, s, positive, _, lse_neg, _ = _prepare_nt_xent(embeddings, labels, temperature)
    i, j = np.nonzero(positive)
    # -log(e^s / (e^s + sum_k e^{s_k})) = log(1 + e^{lse_neg - s}) = softplus(lse_neg - s)
    return np.mean(softplus(lse_neg[i] - s[i, j]))


@grad_of(nt_xent)
def _nt_xent_grad(embeddings, labels, *, temperature=0.07):
    x, unclipped, norm, u, s, positive, different, lse_neg, temperature = _prepare_nt_xent(
        embeddings, labels, temperature
    )
    i, j = np.nonzero(positive)
    # l_ij = softplus(t_ij), t_ij = lse_neg_i - s_ij: dl/dt = sigmoid(t), dt/ds_ij = -1,
    # dt/ds_ik = softmax of row i over its negatives k.
    w = x.dtype.type(1 / i.size)
    sig = sigmoid(lse_neg[i] - s[i, j]) * w
    g = np.zeros_like(s)
    g[i, j] = -sig
    pull = np.bincount(i, weights=sig, minlength=s.shape[0]).astype(x.dtype, copy=False)
    top = np.where(np.isfinite(lse_neg), lse_neg, 0).astype(x.dtype, copy=False)
    softmax_neg = np.exp(np.where(different, s - top[:, None], -np.inf))
    g += pull[:, None] * softmax_neg
    # s_ij = u_i . u_j / tau is symmetric: d/du = (g + g^T) u / tau
    d_u = ((g + g.T) @ u) / x.dtype.type(temperature)
    # u = x / norm: d/dx = (d_u - u (u . d_u)) / norm where the norm is not clipped,
    # d_u / norm where it is (norm is then the constant sqrt(eps)).
    radial = np.where(unclipped, np.sum(u * d_u, axis=1), 0).astype(x.dtype, copy=False)
    return (d_u - radial[:, None] * u) / norm[:, None]


# --------------------------------------------------------------------------- cosine
_COS_EPS = 1e-12  # PyTorch's EPSILON in aten/src/ATen/native/Loss.cpp


def _prepare_cosine_embedding(y, x1, x2, margin, reduction):
    """The preparation cosine_embedding and its grad share: checks, norms and cosines."""
    fn = "cosine_embedding"
    checks.reduction(fn, reduction)
    margin = checks.in_range(fn, "margin", margin, -1, 1, hint=" (a cosine)")
    a, b = _embeddings(fn, ("x1", "x2"), (x1, x2))
    t = checks.float_array(fn, "y", y)
    if t.shape != a.shape[:-1]:
        raise ValueError(
            f"{fn}: y must have shape {a.shape[:-1]} (one label per pair of rows of x1 "
            f"and x2 {a.shape}), got shape {t.shape}"
        )
    checks.pm1_labels(fn, "y", t)
    t = t.astype(a.dtype, copy=False)
    dot = np.sum(a * b, axis=-1)
    # As PyTorch: eps is added to each squared norm, so a zero vector gives cos = 0
    # instead of 0/0; on vectors of norm >> 1e-6 it changes nothing visible.
    sq1 = np.sum(a * a, axis=-1) + _COS_EPS
    sq2 = np.sum(b * b, axis=-1) + _COS_EPS
    den = np.sqrt(sq1 * sq2)
    cos = dot / den
    return t, a, b, sq1, sq2, den, cos, a.dtype.type(margin)


@register(
    "metric",
    inputs=("y", "x1", "x2"),
    target="pm1",
    prediction="embedding",
    labels="+1 for a similar pair, -1 for a dissimilar pair",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(Hyper("margin", 0.0, -1.0, 1.0, step=0.05),),
    convex=False,
    differentiable=False,
    kinks="where cos(x1, x2) = margin for a dissimilar pair (y = -1)",
    proper=None,
    sample=_cosine_sample,
)
def cosine_embedding(y, x1, x2, *, margin=0.0, reduction="mean"):
    r"""Cosine embedding loss: raise the cosine of similar pairs, push dissimilar ones below a margin.

    .. math::
        \ell_i = \begin{cases}
        1 - \cos(x_{1i}, x_{2i}) & y_i = 1 \\
        \max\bigl(0, \cos(x_{1i}, x_{2i}) - m\bigr) & y_i = -1
        \end{cases}, \qquad
        \cos(u, v) = \frac{u^\top v}{\sqrt{(\|u\|^2 + \epsilon)(\|v\|^2 + \epsilon)}},
        \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    with :math:`\epsilon = 10^{-12}`.

    Args:
        y: pair labels, +1 (similar) or -1 (dissimilar); the target, passed first
            (PyTorch's ``F.cosine_embedding_loss(x1, x2, y)`` puts it last).
        x1: first embeddings.
        x2: second embeddings.
        margin: :math:`m \in [-1, 1]`; 0 to 0.5 is the usual range.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``x1`` and ``x2`` of the same shape ``(N, D)`` (N = pairs, D = embedding
        dimension) with ``y`` of shape ``(N,)``, or ``(D,)`` with a scalar ``y``; a
        scalar, or ``(N,)`` with ``reduction="none"``.  ``grad`` returns
        ``(d_x1, d_x2)``.

    Example:
        >>> print(cosine_embedding([1, -1], [[1.0, 0.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 0.0]],
        ...                        margin=0.5))
        0.25

    Matches PyTorch ``F.cosine_embedding_loss`` including its
    :math:`\epsilon = 10^{-12}` added to each squared norm (so a zero vector gives
    cosine 0, and loss 1 for a similar pair, instead of NaN).  PyTorch silently gives 0
    loss for labels other than :math:`\pm 1`; here they raise.  Keras has only
    ``keras.losses.CosineSimilarity`` (the negative cosine, without labels or margin).
    The cosine ignores vector length, so it is the loss to use when embeddings will be
    compared by angle; see :func:`contrastive` for a distance-based counterpart.

    References:
        PyTorch documentation, ``torch.nn.CosineEmbeddingLoss``.
        Bromley, J., Guyon, I., LeCun, Y., Säckinger, E., & Shah, R. (1993). Signature
        verification using a "siamese" time delay neural network. NIPS.
    """
    t, _, _, _, _, _, cos, m = _prepare_cosine_embedding(y, x1, x2, margin, reduction)
    loss = np.where(t == 1, 1 - cos, np.maximum(cos - m, 0))
    return reduce(np.where(np.isnan(t), np.nan, loss).astype(cos.dtype), reduction)


@grad_of(cosine_embedding)
def _cosine_embedding_grad(y, x1, x2, *, margin=0.0, reduction="mean"):
    t, a, b, sq1, sq2, den, cos, m = _prepare_cosine_embedding(y, x1, x2, margin, reduction)
    n = 1 if a.ndim == 1 else a.shape[0]
    # d cos / d x1 = x2 / den - cos x1 / sq1 (and symmetrically for x2)
    dcos1 = b / den[..., None] - (cos / sq1)[..., None] * a
    dcos2 = a / den[..., None] - (cos / sq2)[..., None] * b
    coef = np.where(t == 1, -1, np.heaviside(cos - m, 0))
    coef = np.where(np.isnan(t), np.nan, coef) * _weight(reduction, n)
    coef = coef.astype(a.dtype)[..., None]
    return coef * dcos1, coef * dcos2


# --------------------------------------------------------------------------- ranking
def _prepare_margin_ranking(y, x1, x2, margin, reduction):
    """The preparation margin_ranking and its grad share: labels and hinge arguments."""
    fn = "margin_ranking"
    checks.reduction(fn, reduction)
    margin = checks.real(fn, "margin", margin, finite=True)
    a = checks.float_array(fn, "x1", x1)
    b = checks.float_array(fn, "x2", x2)
    t = checks.float_array(fn, "y", y)
    checks.same_shape(fn, "x1", a, "x2", b)
    checks.same_shape(fn, "y", t, "x1", a)
    checks.pm1_labels(fn, "y", t)
    dtype = result_dtype(a, b)
    t, a, b = (z.astype(dtype, copy=False) for z in (t, a, b))
    return t, -t * (a - b) + dtype.type(margin)


@register(
    "metric",
    inputs=("y", "x1", "x2"),
    target="pm1",
    prediction="score",
    labels="+1 if x1 should rank higher, -1 if x2 should",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(Hyper("margin", 0.0, 0.0, 2.0, step=0.05),),
    convex=True,
    differentiable=False,
    kinks="where y (x1 - x2) = margin (the subgradient 0 is used there)",
    proper=None,
    sample=_ranking_sample,
)
def margin_ranking(y, x1, x2, *, margin=0.0, reduction="mean"):
    r"""Margin ranking loss: the item that should rank higher must score higher by a margin.

    .. math::
        \ell_i = \max\bigl(0,\; -y_i (x_{1i} - x_{2i}) + m\bigr), \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y: +1 if ``x1`` should rank above ``x2``, -1 if below; the target, passed first
            (PyTorch's ``F.margin_ranking_loss(x1, x2, y)`` puts it last).
        x1: scores of the first items.
        x2: scores of the second items.
        margin: :math:`m`, a real number (0 by default, as PyTorch).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y``, ``x1`` and ``x2`` of the same shape ``(N,)`` (N = pairs) or any common
        shape; no broadcasting.  A scalar, or that shape with ``reduction="none"``.
        ``grad`` returns ``(d_x1, d_x2)``.

    Example:
        >>> print(margin_ranking([1, -1, 1], [2.0, 1.0, 0.5], [1.0, 1.5, 3.0], margin=0.5))
        1.0

    This is PyTorch's ``F.margin_ranking_loss`` (which also broadcasts; lossbook does
    not).  It is the hinge loss on the score difference, the pairwise loss of
    RankSVM (Herbrich et al. 2000; Joachims 2002).  Its smooth counterpart is
    Bayesian personalized ranking (BPR), :math:`-\log \sigma(x_1 - x_2)` for a preferred
    item :math:`x_1` (Rendle et al. 2009), which is logistic loss on the difference and
    keeps pushing pairs that are already ordered.  See :func:`triplet` for the same
    hinge on distances.

    References:
        Herbrich, R., Graepel, T., & Obermayer, K. (2000). Large margin rank boundaries
        for ordinal regression. Advances in Large Margin Classifiers, MIT Press.
        Joachims, T. (2002). Optimizing search engines using clickthrough data. KDD.
        Rendle, S., Freudenthaler, C., Gantner, Z., & Schmidt-Thieme, L. (2009). BPR:
        Bayesian personalized ranking from implicit feedback. UAI.
    """
    _, v = _prepare_margin_ranking(y, x1, x2, margin, reduction)
    return reduce(np.maximum(v, 0), reduction)


@grad_of(margin_ranking)
def _margin_ranking_grad(y, x1, x2, *, margin=0.0, reduction="mean"):
    t, v = _prepare_margin_ranking(y, x1, x2, margin, reduction)
    d1 = reduce_grad(-t * np.heaviside(v, 0), reduction)  # NaN where v is NaN
    return d1, -d1


# --------------------------------------------------------------------------- hinge embedding
def _prepare_hinge_embedding(y_true, distance, margin, reduction):
    """The preparation hinge_embedding and its grad share: labels, distances, margin."""
    fn = "hinge_embedding"
    checks.reduction(fn, reduction)
    margin = checks.at_least(fn, "margin", margin)
    d = checks.float_array(fn, "distance", distance)
    y = checks.float_array(fn, "y_true", y_true)
    checks.same_shape(fn, "y_true", y, "distance", d)
    checks.pm1_labels(fn, "y_true", y)
    checks.nonnegative_values(
        fn, "distance", d, what="distances", hint=" (e.g. L1 norms of embedding differences)"
    )
    return y.astype(d.dtype, copy=False), d, d.dtype.type(margin)


@register(
    "metric",
    inputs=("y_true", "distance"),
    target="pm1",
    prediction="distance",
    labels="+1 for a similar pair, -1 for a dissimilar pair",
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(Hyper("margin", 1.0, 0.1, 3.0, step=0.05),),
    convex=True,  # d and max(0, m - d) are convex in d
    differentiable=False,
    kinks="at distance = margin for a dissimilar pair (y = -1; the subgradient 0 is used there)",
    proper=None,
    sample=lambda rng, n: Case((draw("pm1", rng, n), away_from(draw("distance", rng, n), [1.0]))),
)
def hinge_embedding(y_true, distance, *, margin=1.0, reduction="mean"):
    r"""Hinge embedding loss: the distance of a similar pair, the margin's shortfall of a dissimilar one.

    .. math::
        \ell_i = \begin{cases}
            d_i & y_i = 1 \\
            \max(0,\ m - d_i) & y_i = -1
        \end{cases}, \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: pair labels :math:`y`, +1 (similar) or -1 (dissimilar); other values
            raise (pass ``2*y - 1`` for 0/1 labels).
        distance: distances :math:`d \ge 0` between the two embeddings of each pair
            (PyTorch suggests the L1 distance).
        margin: :math:`m \ge 0` (default 1); dissimilar pairs farther apart cost
            nothing.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``distance`` of the same shape ``(N, *)`` (N = pairs); a scalar,
        or ``(N, *)`` with ``reduction="none"`` (one value per pair).  No broadcasting.

    Example:
        >>> print(hinge_embedding([1, -1, -1], [0.5, 0.25, 2.0]))  # (0.5 + 0.75 + 0) / 3
        0.416666667

    This is PyTorch ``F.hinge_embedding_loss(distance, y_true, margin)``
    (``nn.HingeEmbeddingLoss``), with the target first.  PyTorch accepts any label:
    where :math:`y` is neither 1 nor -1 it adds both branches,
    :math:`d + \max(0, m - d)`, silently; here such labels raise, and so do negative
    distances.  The derivative ``grad`` is 1 for a similar pair and -1 for a
    dissimilar pair inside the margin; at :math:`d = m` it is taken as 0, where
    PyTorch's autograd passes -1.  It is :func:`contrastive` without the squares (a
    linear pull instead of a quadratic one, and a hinge instead of a squared hinge);
    :func:`cosine_embedding` is the same idea on cosines.  Keras and optax have no
    such loss.

    References:
        PyTorch documentation, ``torch.nn.HingeEmbeddingLoss``.
        Hadsell, R., Chopra, S., & LeCun, Y. (2006). Dimensionality reduction by learning
        an invariant mapping. CVPR.
    """
    y, d, m = _prepare_hinge_embedding(y_true, distance, margin, reduction)
    loss = np.where(y == 1, d, np.maximum(m - d, 0))
    return reduce(np.where(np.isnan(y), np.nan, loss).astype(d.dtype, copy=False), reduction)


@grad_of(hinge_embedding)
def _hinge_embedding_grad(y_true, distance, *, margin=1.0, reduction="mean"):
    y, d, m = _prepare_hinge_embedding(y_true, distance, margin, reduction)
    # heaviside(m - d, 0): 1 inside the margin, 0 outside and at it, NaN where d is NaN
    slope = np.where(y == 1, np.where(np.isnan(d), np.nan, 1), -np.heaviside(m - d, 0))
    slope = np.where(np.isnan(y), np.nan, slope).astype(d.dtype, copy=False)
    return reduce_grad(slope, reduction)
