r"""Losses over a large vocabulary: cross-entropy without materializing the logits.

A language model's last layer multiplies hidden states ``hidden`` of shape ``(N, d)``
(N tokens) by an output embedding ``weight`` of shape ``(V, d)`` (V vocabulary entries)
and feeds the ``(N, V)`` logits to :func:`~lossbook.losses.cross_entropy`.  With
N = 4096 tokens and V = 131072 entries those logits take 2 GiB in float32, and the
gradient another 2 GiB: more than the rest of the step.
:func:`chunked_cross_entropy` computes the same loss and both gradients one slice of
the vocabulary at a time, holding only an ``(N, chunk_size)`` block of logits.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ._core import REDUCTIONS, grad_of, reduce, register, result_dtype
from .facts import Case, draw

__all__ = ["chunked_cross_entropy"]


def _prepare_chunked_cross_entropy(y_true, hidden, weight, chunk_size, ignore_index, reduction):
    """The preparation chunked_cross_entropy and its grad share.

    Returns the labels ``(N,)``, ``hidden`` and ``weight`` in one dtype, the mask of the
    counted (non-ignored) rows and the chunk size.
    """
    fn = "chunked_cross_entropy"
    checks.reduction(fn, reduction)
    chunk_size = checks.integer(fn, "chunk_size", chunk_size, low=1)
    ignore_index = checks.integer(fn, "ignore_index", ignore_index)
    h = checks.float_array(fn, "hidden", hidden)
    if h.ndim != 2:
        raise ValueError(f"{fn}: hidden must have shape (N, d), got shape {h.shape}")
    w = checks.float_array(fn, "weight", weight)
    if w.ndim != 2 or w.shape[1] != h.shape[1]:
        raise ValueError(
            f"{fn}: weight must have shape (V, d) = (V, {h.shape[1]}), one row per "
            f"vocabulary entry with the width of hidden {h.shape}, got shape {w.shape}"
        )
    raw = np.asarray(y_true)
    if raw.shape != (h.shape[0],):
        raise ValueError(
            f"{fn}: y_true must hold class labels of shape (N,) = ({h.shape[0]},), one per "
            f"row of hidden, got shape {raw.shape}"
        )
    labels = checks.class_labels(fn, "y_true", raw, w.shape[0], ignore_index=ignore_index)
    dtype = result_dtype(h, w)
    h, w = h.astype(dtype, copy=False), w.astype(dtype, copy=False)
    return labels, h, w, labels != ignore_index, chunk_size


def _chunks(labels, valid, vocabulary, chunk_size):
    """For each slice of the vocabulary: the slice, and the rows whose label falls in it."""
    rows = np.arange(labels.shape[0])
    for start in range(0, vocabulary, chunk_size):
        stop = min(start + chunk_size, vocabulary)
        here = valid & (labels >= start) & (labels < stop)
        yield slice(start, stop), rows[here], labels[here] - start


def _finite_or_zero(m: np.ndarray) -> np.ndarray:
    """The maxima to subtract: 0 where a maximum is +-inf or NaN (no inf - inf)."""
    return np.where(np.isfinite(m), m, 0).astype(m.dtype, copy=False)


def _logits_block(buffer, hidden, weight_rows):
    """``hidden @ weight_rows.T`` written into the front of ``buffer``: no new allocation."""
    n, width = hidden.shape[0], weight_rows.shape[0]
    z = buffer[: n * width].reshape(n, width)  # a contiguous view
    np.matmul(hidden, weight_rows.T, out=z)
    return z


def _online_logsumexp(labels, h, w, valid, chunk_size):
    r"""Row log-sum-exps of ``h @ w.T`` and the logits of the labels, chunk by chunk.

    The running maximum :math:`m` and the sum :math:`s = \sum e^{z - m}` are updated
    per chunk: :math:`s \leftarrow s\,e^{m_{old} - m_{new}} + \sum_{chunk} e^{z - m_{new}}`
    (Milakov & Gimelshein 2018).  Every exponent is <= 0, so logits of 1e4 are exact.
    """
    n, vocabulary = h.shape[0], w.shape[0]
    buffer = np.empty(n * min(chunk_size, vocabulary), h.dtype)
    top = np.full(n, -np.inf, h.dtype)
    total = np.zeros(n, h.dtype)
    picked = np.zeros(n, h.dtype)  # z_{i, y_i}, taken from the same products as the sum
    for cols, rows, cls in _chunks(labels, valid, vocabulary, chunk_size):
        z = _logits_block(buffer, h, w[cols])
        picked[rows] = z[rows, cls]
        new_top = np.maximum(top, z.max(axis=1))  # NaN propagates
        shift, old_shift = _finite_or_zero(new_top), _finite_or_zero(top)
        with np.errstate(over="ignore", invalid="ignore"):
            # a zero sum (no finite logit yet) stays 0: 0 * e^{big} would be NaN
            total = np.where(total == 0, total, total * np.exp(old_shift - shift))
        z -= shift[:, None]
        np.exp(z, out=z)
        total += z.sum(axis=1)
        top = new_top
    with np.errstate(divide="ignore"):  # log 0 = -inf: a row of -inf logits only
        return _finite_or_zero(top) + np.log(total), picked


def _row_weights(valid, reduction, dtype):
    """The factor of each row's loss in the reduced loss: 1 / (counted rows) for the mean."""
    r = valid.astype(dtype)
    if reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):  # all ignored: 0 / 0 = NaN
            r /= dtype.type(valid.sum())
    return r


def _chunked_sample(rng, n, d=3, vocabulary=10):
    """Labels, hidden states and an output embedding with V = 10, chunked by 4 (3 chunks)."""
    return Case(
        (draw("class_index", rng, n, classes=vocabulary),
         draw("embedding", rng, (n, d)) / 2, draw("embedding", rng, (vocabulary, d)) / 2),
        {"chunk_size": 4},
    )


@register(
    "classification",
    inputs=("y_true", "hidden", "weight"),
    target="class_index",
    prediction=("embedding", "embedding"),
    labels="class index 0..V-1 of shape (N,); ignore_index marks rows that do not count",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(),
    options=("chunk_size", "ignore_index"),
    convex=False,  # the logits hidden @ weight.T are bilinear in (hidden, weight)
    differentiable=True,
    # The log score of softmax(hidden @ weight.T) is proper in those logits, but the
    # predictions here are the two factors, not a probability forecast.
    proper=None,
    weighted_mean="with ignored labels, the sum divided by the number of counted rows "
                  "(PyTorch's rule); otherwise the average",
    sample=_chunked_sample,
)
def chunked_cross_entropy(y_true, hidden, weight, *, chunk_size=4096, ignore_index=-100, reduction="mean"):
    r"""Cross-entropy of the logits hidden @ weight.T, one vocabulary chunk at a time.

    .. math::
        z_{iv} = h_i^\top w_v, \qquad
        \ell_i = \log \sum_{v=1}^V e^{z_{iv}} - z_{i y_i}, \qquad
        \mathrm{CE} = \frac{\sum_{i:\, y_i \ne \text{ignore}} \ell_i}
                           {|\{i : y_i \ne \text{ignore}\}|}

    where rows labelled ``ignore_index`` have :math:`\ell_i = 0`.  The log-sum-exp is
    accumulated over vocabulary chunks :math:`c` with a running maximum :math:`m_i` and
    sum :math:`s_i`:
    :math:`m_i' = \max(m_i, \max_{v \in c} z_{iv})`,
    :math:`s_i' = s_i\,e^{m_i - m_i'} + \sum_{v \in c} e^{z_{iv} - m_i'}`, and
    :math:`\log\sum_v e^{z_{iv}} = m_i + \log s_i` at the end.

    Args:
        y_true: integer labels :math:`y_i \in [0, V)` of shape ``(N,)``, or
            ``ignore_index``.
        hidden: hidden states :math:`h` (the last layer's input), one row per token.
        weight: the output embedding :math:`w` (the last layer's weight, as
            ``torch.nn.Linear(d, V, bias=False).weight`` stores it), one row per
            vocabulary entry.
        chunk_size: vocabulary entries per chunk, an integer >= 1 (default 4096):
            memory grows with it, the number of passes falls.
        ignore_index: label of the rows that contribute nothing (default -100, as
            PyTorch); the mean divides by the number of the other rows.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per row).

    Shape:
        ``y_true`` ``(N,)``, ``hidden`` ``(N, d)`` and ``weight`` ``(V, d)`` with N
        tokens, hidden width d and vocabulary size V; a scalar, or ``(N,)`` with
        ``reduction="none"``.  ``grad`` returns ``(d_hidden, d_weight)`` of shapes
        ``(N, d)`` and ``(V, d)``; with ``reduction="none"`` they are the gradient of
        the sum.

    Example:
        >>> h = [[1.0, 0.0], [0.0, 2.0]]
        >>> w = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
        >>> print(round(chunked_cross_entropy([0, 2], h, w, chunk_size=2), 6))
        0.810309
        >>> from lossbook.losses import cross_entropy
        >>> print(round(cross_entropy([0, 2], np.array(h) @ np.array(w).T), 6))
        0.810309

    It equals :func:`cross_entropy` ``(y_true, hidden @ weight.T,
    ignore_index=ignore_index)`` (and PyTorch
    ``F.cross_entropy(hidden @ weight.T, y_true)``), without the ``(N, V)`` logits:
    the value holds one ``(N, chunk_size)`` block of logits, exponentiated in place,
    and vectors of length N.  The gradient needs the log-sum-exps first, so ``grad``
    makes the value's pass and then a second one, recomputing each block of logits
    and turning it in place into :math:`G = r_i\,(\mathrm{softmax}(z_i) - e_{y_i})`
    (:math:`r_i` = 1/count for the mean, 1 for the sum, 0 for an ignored row), then
    accumulating :math:`\partial/\partial h = \sum_c G_c W_c` and writing
    :math:`\partial/\partial W_c = G_c^\top H` chunk by chunk.  Its extra memory is
    the block, :math:`N \cdot \text{chunk\_size}` floats (64 MiB in float32 for
    N = chunk_size = 4096, 3% of the 2 GiB logits of V = 131072), plus
    :math:`O(N d)`; its cost is four products of the size of ``hidden @ weight.T``
    for value and gradient, where the naive way needs three.  Every exponent is
    :math:`\le 0`, so logits of :math:`10^4` are exact; non-finite logits give NaN or
    inf as the arithmetic does (no limits are taken, unlike :func:`cross_entropy`).
    No label smoothing or class weights.  PyTorch 2.12+ has
    ``F.linear_cross_entropy(hidden, weight, y_true,
    options=torch.nn.LinearCrossEntropyOptions())``, which chunks the *tokens*
    instead; Liger Kernel's fused linear cross-entropy and Cut Cross-Entropy do this
    on the GPU.  Keras and optax have no fused form.

    References:
        Milakov, M., & Gimelshein, N. (2018). Online normalizer calculation for
        softmax. arXiv:1805.02867.  Wijmans, E., Huval, B., Hertzberg, A., Koltun, V.,
        & Krähenbühl, P. (2025). Cut your losses in large-vocabulary language models.
        ICLR.
    """
    labels, h, w, valid, chunk_size = _prepare_chunked_cross_entropy(
        y_true, hidden, weight, chunk_size, ignore_index, reduction
    )
    lse, picked = _online_logsumexp(labels, h, w, valid, chunk_size)
    loss = np.where(valid, lse - picked, 0).astype(h.dtype, copy=False)
    if reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):  # all ignored: 0 / 0 = NaN, as torch
            return loss.sum() / h.dtype.type(valid.sum())
    return reduce(loss, reduction)


@grad_of(chunked_cross_entropy)
def _chunked_cross_entropy_grad(
    y_true, hidden, weight, *, chunk_size=4096, ignore_index=-100, reduction="mean"
):
    labels, h, w, valid, chunk_size = _prepare_chunked_cross_entropy(
        y_true, hidden, weight, chunk_size, ignore_index, reduction
    )
    lse, _ = _online_logsumexp(labels, h, w, valid, chunk_size)
    r = _row_weights(valid, reduction, h.dtype)
    n, vocabulary = h.shape[0], w.shape[0]
    buffer = np.empty(n * min(chunk_size, vocabulary), h.dtype)
    d_hidden = np.zeros_like(h)
    d_weight = np.empty_like(w)
    partial = np.empty_like(h)
    for cols, rows, cls in _chunks(labels, valid, vocabulary, chunk_size):
        g = _logits_block(buffer, h, w[cols])
        g -= lse[:, None]
        np.exp(g, out=g)  # softmax probabilities of the chunk
        g[rows, cls] -= 1  # minus the one-hot of the labels that fall in it
        g *= r[:, None]
        d_hidden += np.matmul(g, w[cols], out=partial)
        np.matmul(g.T, h, out=d_weight[cols])
    return d_hidden, d_weight
