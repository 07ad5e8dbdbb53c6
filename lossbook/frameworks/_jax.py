"""Every lossbook loss in JAX and optax: the adapters of ``lossbook.frameworks.mapping``.

Each loss function here has the name and the signature of the lossbook loss it
reproduces and computes it with ``optax.losses`` where optax has the loss (optax's
losses return one value per example: the reduction is ours), else with ``jax.numpy``;
the mapping's entry says which and why (``mapping.entry(name).jax``).  Every function
is traceable by ``jax.jit`` and differentiable by ``jax.grad``.

JAX computes in float32 unless 64-bit mode is on; :func:`placement` turns it on for a
float64 run with the ``jax.enable_x64`` context manager, which restores the caller's
setting on exit (nothing global is left changed).

JAX and optax are imported by :func:`load`, never by importing this module.
"""

from __future__ import annotations

import contextlib
import math

jax = jnp = optax = None  # bound by load()

NAME = "jax"


def load():
    """Import JAX (quietly) and optax (``ImportError`` when missing); return this module."""
    global jax, jnp, optax
    if jax is None:
        from . import import_jax

        _jax = import_jax()
        import jax.numpy as _jnp
        import optax as _optax

        jax, jnp, optax = _jax, _jnp, _optax
    import sys

    return sys.modules[__name__]


def version() -> str:
    return f"jax {jax.__version__}, optax {optax.__version__}"


def devices() -> list[str]:
    """JAX's devices here: ``cpu:0``, then the default backend's devices if not the CPU."""
    found = ["cpu:0"]
    try:
        default = jax.devices()
    except RuntimeError:  # a backend that fails to start
        default = []
    found += [f"{d.platform}:{d.id}" for d in default if d.platform != "cpu"]
    return found


def _device(label: str):
    platform, idx = label.rsplit(":", 1)
    for d in jax.devices(platform):
        if d.id == int(idx):
            return d
    raise ValueError(f"JAX has no device {label!r}")


def supports(device: str, dtype: str) -> str | None:
    return None


@contextlib.contextmanager
def placement(device: str, dtype: str):
    """64-bit mode for float64 (restored on exit) and ``device`` as the default device."""
    with jax.enable_x64(dtype == "float64"), jax.default_device(_device(device)):
        yield


def convert(a, device: str, dtype: str):
    """A NumPy array on ``device``: integers int32/int64, floats ``dtype``."""
    if a.dtype.kind in "biu":
        return jax.device_put(jnp.asarray(a, dtype=jnp.int64 if dtype == "float64" else jnp.int32), _device(device))
    return jax.device_put(jnp.asarray(a, dtype=dtype), _device(device))


def value_and_grad(fn, args, kwargs, predictions, *, compile=False):
    """A function ``step()`` returning (value, gradients by ``jax.grad`` of the sum).

    With ``compile=True`` the value-and-gradient function is ``jax.jit``-compiled (the
    usual way to run JAX; the first call compiles).
    """
    predictions = tuple(predictions)
    rest = {i: a for i, a in enumerate(args) if i not in predictions}

    def total(*xs):
        full = [rest.get(i) for i in range(len(args))]
        for i, x in zip(predictions, xs):
            full[i] = x
        value = fn(*full, **kwargs)
        return jnp.sum(value), value

    vg = jax.value_and_grad(total, argnums=tuple(range(len(predictions))), has_aux=True)
    if compile:
        vg = jax.jit(vg)
    xs = [args[i] for i in predictions]

    def step():
        (_, value), grads = vg(*xs)
        jax.block_until_ready((value, grads))
        return value, grads

    return step


def value_only(fn, args, kwargs, *, compile=False):
    """A function ``step()`` returning the value alone, ``jax.jit``-compiled if asked."""
    run = (lambda *xs: fn(*xs, **kwargs))
    if compile:
        run = jax.jit(run)

    def step():
        return jax.block_until_ready(run(*args))

    return step


def to_numpy(t):
    import numpy as np

    if t is None:
        return None
    return np.asarray(t)


def copy_bandwidth(nbytes: int, device: str, repeat: int = 5) -> float:
    """Seconds of one copy of ``nbytes`` on ``device`` (median of ``repeat``)."""
    import statistics
    import time

    src = jax.device_put(jnp.ones((nbytes // 4,), jnp.float32), _device(device))
    copy = jax.jit(jnp.copy)
    times = []
    for i in range(repeat + 1):
        t0 = time.perf_counter()
        copy(src).block_until_ready()
        if i:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ----------------------------------------------------------------------------- helpers
def _reduce(values, reduction):
    if reduction == "mean":
        return jnp.mean(values)
    if reduction == "sum":
        return jnp.sum(values)
    return values


def _one_hot(y_true, logits):
    return jax.nn.one_hot(y_true, logits.shape[-1], dtype=logits.dtype)


def _pick(values, y_true):
    """``values[i, y_true[i]]`` for each row i."""
    return jnp.take_along_axis(values, y_true[:, None], axis=-1)[:, 0]


# ----------------------------------------------------------------------------- regression
def mse(y_true, y_pred, *, reduction="mean"):
    return _reduce(optax.losses.squared_error(y_pred, y_true), reduction)


def mae(y_true, y_pred, *, reduction="mean"):
    return _reduce(jnp.abs(y_pred - y_true), reduction)


def rmse(y_true, y_pred, *, reduction="mean"):
    return jnp.sqrt(jnp.mean(optax.losses.squared_error(y_pred, y_true)))


def huber(y_true, y_pred, *, delta=1.0, reduction="mean"):
    return _reduce(optax.losses.huber_loss(y_pred, y_true, delta=delta), reduction)


def smooth_l1(y_true, y_pred, *, beta=1.0, reduction="mean"):
    if beta == 0:
        return mae(y_true, y_pred, reduction=reduction)
    return _reduce(optax.losses.huber_loss(y_pred, y_true, delta=beta) / beta, reduction)


def log_cosh(y_true, y_pred, *, reduction="mean"):
    return _reduce(optax.losses.log_cosh(y_pred, y_true), reduction)


def barron(y_true, y_pred, *, alpha=1.0, scale=1.0, reduction="mean"):
    x2 = ((y_pred - y_true) / scale) ** 2
    if alpha == 2:
        return _reduce(0.5 * x2, reduction)
    if alpha == 0:
        return _reduce(jnp.log1p(0.5 * x2), reduction)
    if alpha == -math.inf:
        return _reduce(-jnp.expm1(-0.5 * x2), reduction)
    b = abs(alpha - 2)
    return _reduce(b / alpha * jnp.expm1(0.5 * alpha * jnp.log1p(x2 / b)), reduction)


def quantile(y_true, y_pred, *, tau=0.5, reduction="mean"):
    u = y_true - y_pred
    return _reduce(jnp.maximum(tau * u, (tau - 1) * u), reduction)


def mape(y_true, y_pred, *, reduction="mean"):
    return _reduce(100 * jnp.abs(y_true - y_pred) / jnp.maximum(jnp.abs(y_true), 1e-7), reduction)


def msle(y_true, y_pred, *, reduction="mean"):
    d = jnp.log(jnp.maximum(y_pred, 1e-7) + 1) - jnp.log(jnp.maximum(y_true, 1e-7) + 1)
    return _reduce(d**2, reduction)


def poisson(y_true, rate, *, reduction="mean"):
    return _reduce(rate - y_true * jnp.log(rate + 1e-7), reduction)


def poisson_nll(y_true, log_rate, *, log_input=True, full=False, eps=1e-8, reduction="mean"):
    if log_input:
        values = jnp.exp(log_rate) - y_true * log_rate
    else:
        values = log_rate - y_true * jnp.log(log_rate + eps)
    if full:  # Stirling's log y! where y > 1, as PyTorch
        y = jnp.maximum(y_true, 1.0)
        values = values + jnp.where(y_true > 1, y * jnp.log(y) - y + 0.5 * jnp.log(2 * math.pi * y), 0.0)
    return _reduce(values, reduction)


def gaussian_nll(y_true, mean, var, *, eps=1e-6, full=False, reduction="mean"):
    v = jnp.maximum(var, eps)
    values = 0.5 * (jnp.log(v) + (mean - y_true) ** 2 / v)
    if full:
        values = values + 0.5 * math.log(2 * math.pi)
    return _reduce(values, reduction)


# ----------------------------------------------------------------------------- classification
def binary_cross_entropy(y_true, y_pred, *, weight=None, eps=None, reduction="mean"):
    if eps is None:  # PyTorch's convention: each log clamped at -100
        log_p = jnp.maximum(jnp.log(y_pred), -100.0)
        log_q = jnp.maximum(jnp.log1p(-y_pred), -100.0)
    else:  # Keras's: the probability clipped to [eps, 1 - eps]
        p = jnp.clip(y_pred, eps, 1 - eps)
        log_p, log_q = jnp.log(p), jnp.log1p(-p)
    values = -(y_true * log_p + (1 - y_true) * log_q)
    return _reduce(values if weight is None else weight * values, reduction)


def binary_cross_entropy_with_logits(y_true, logits, *, pos_weight=None, reduction="mean"):
    if pos_weight is None:
        return _reduce(optax.losses.sigmoid_binary_cross_entropy(logits, y_true), reduction)
    values = pos_weight * y_true * jax.nn.softplus(-logits) + (1 - y_true) * jax.nn.softplus(logits)
    return _reduce(values, reduction)


def cross_entropy(y_true, logits, *, weight=None, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    c = logits.shape[-1]
    w = jnp.ones((c,), logits.dtype) if weight is None else weight
    if y_true.ndim == 2:  # class probabilities: the mean is over N
        t = optax.smooth_labels(y_true, label_smoothing) if label_smoothing else y_true
        return _reduce(optax.losses.softmax_cross_entropy(logits, t * w), reduction)
    valid = y_true != ignore_index
    safe = jnp.where(valid, y_true, 0)
    if label_smoothing or weight is not None:
        # -sum_c w_c t'_c log p_c with t' the smoothed one-hot: PyTorch's weighting
        t = optax.smooth_labels(_one_hot(safe, logits), label_smoothing)
        values = optax.losses.softmax_cross_entropy(logits, t * w)
    else:
        values = optax.losses.softmax_cross_entropy_with_integer_labels(logits, safe)
    values = jnp.where(valid, values, 0.0)
    if reduction == "mean":  # PyTorch's weighted mean: over the weights of the valid rows
        return jnp.sum(values) / jnp.sum(jnp.where(valid, w[safe], 0.0))
    return _reduce(values, reduction)


def nll(y_true, log_probs, *, weight=None, ignore_index=-100, reduction="mean"):
    valid = y_true != ignore_index
    safe = jnp.where(valid, y_true, 0)
    w_y = jnp.ones(y_true.shape, log_probs.dtype) if weight is None else weight[safe]
    w_y = jnp.where(valid, w_y, 0.0)
    values = -w_y * _pick(log_probs, safe)
    if reduction == "mean":
        return jnp.sum(values) / jnp.sum(w_y)
    return _reduce(values, reduction)


def focal(y_true, logits, *, gamma=2.0, alpha=None, reduction="mean"):
    return _reduce(optax.losses.sigmoid_focal_loss(logits, y_true, alpha=alpha, gamma=gamma), reduction)


def categorical_focal(y_true, logits, *, alpha=0.25, gamma=2.0, label_smoothing=0.0, reduction="mean"):
    # keras.losses.CategoricalFocalCrossentropy(from_logits=True), its clip included
    t = _one_hot(y_true, logits) if y_true.ndim == 1 else y_true
    t = t * (1 - label_smoothing) + label_smoothing / logits.shape[-1]
    p = jnp.clip(jax.nn.softmax(logits, axis=-1), 1e-7, 1 - 1e-7)
    return _reduce(jnp.sum(alpha * (1 - p) ** gamma * -t * jnp.log(p), axis=-1), reduction)


def poly1(y_true, logits, *, epsilon=1.0, reduction="mean"):
    values = optax.losses.poly_loss_cross_entropy(logits, _one_hot(y_true, logits), epsilon=epsilon)
    return _reduce(values, reduction)


def sparsemax(y_true, scores, *, reduction="mean"):
    return _reduce(optax.losses.multiclass_sparsemax_loss(scores, y_true), reduction)


def hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    if margin == 1:
        return _reduce(optax.losses.hinge_loss(scores, y_true), reduction)
    return _reduce(jnp.maximum(margin - y_true * scores, 0), reduction)


def squared_hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    return _reduce(jnp.maximum(margin - y_true * scores, 0) ** 2, reduction)


def multiclass_hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    if margin == 1:
        return _reduce(optax.losses.multiclass_hinge_loss(scores, y_true), reduction)
    others = jnp.where(_one_hot(y_true, scores) > 0, -jnp.inf, scores)
    return _reduce(jnp.maximum(margin + others.max(-1) - _pick(scores, y_true), 0), reduction)


def modified_huber(y_true, scores, *, reduction="mean"):
    # 4 times the binary sparsemax loss, with labels 0/1
    return _reduce(4 * optax.losses.sparsemax_loss(scores, (y_true + 1) / 2), reduction)


def exponential(y_true, scores, *, reduction="mean"):
    return _reduce(jnp.exp(-y_true * scores), reduction)


def categorical_hinge(y_true, scores, *, reduction="mean"):
    pos = jnp.sum(y_true * scores, axis=-1)
    neg = jnp.max((1 - y_true) * scores, axis=-1)
    return _reduce(jnp.maximum(neg - pos + 1, 0), reduction)


def soft_margin(y_true, scores, *, reduction="mean"):
    return _reduce(jax.nn.softplus(-y_true * scores), reduction)


def multilabel_soft_margin(y_true, logits, *, weight=None, reduction="mean"):
    values = optax.losses.sigmoid_binary_cross_entropy(logits, y_true)
    if weight is not None:
        values = values * weight
    return _reduce(jnp.mean(values, axis=-1), reduction)


def multi_margin(y_true, scores, *, p=1, margin=1.0, weight=None, reduction="mean"):
    h = jnp.maximum(margin - _pick(scores, y_true)[:, None] + scores, 0) ** p
    if weight is not None:
        h = h * weight[y_true][:, None]
    h = jnp.where(_one_hot(y_true, scores) > 0, 0.0, h)  # wrong classes only
    return _reduce(jnp.sum(h, axis=-1) / scores.shape[-1], reduction)


def multilabel_margin(y_true, scores, *, reduction="mean"):
    listed = jnp.cumprod(y_true != -1, axis=-1)  # 1 until a row's first -1
    hot = jax.nn.one_hot(jnp.where(listed > 0, y_true, 0), scores.shape[-1], dtype=scores.dtype)
    t = jnp.minimum(jnp.sum(hot * listed[..., None], axis=1), 1)  # the rows' target sets
    pairs = jnp.maximum(1 - scores[:, :, None] + scores[:, None, :], 0)  # target j, other k
    mask = t[:, :, None] * (1 - t[:, None, :])
    return _reduce(jnp.sum(pairs * mask, axis=(1, 2)) / scores.shape[-1], reduction)


def chunked_cross_entropy(y_true, hidden, weight, *, chunk_size=4096, ignore_index=-100, reduction="mean"):
    return cross_entropy(y_true, hidden @ weight.T, ignore_index=ignore_index, reduction=reduction)


# ----------------------------------------------------------------------------- divergence
def kl_divergence(p, q, *, eps=None, reduction="batchmean"):
    if eps is not None:  # Keras's clip of both distributions
        p, q = jnp.clip(p, eps, 1), jnp.clip(q, eps, 1)
    if reduction == "none":
        return jnp.where(p > 0, p * (jnp.log(jnp.where(p > 0, p, 1)) - jnp.log(q)), 0.0)
    per_row = optax.losses.kl_divergence(jnp.log(q), p)
    if reduction == "batchmean":
        return jnp.mean(per_row)
    if reduction == "sum":
        return jnp.sum(per_row)
    return jnp.mean(per_row) / q.shape[-1]  # "mean": over N * C


# ----------------------------------------------------------------------------- segmentation
def _sample_axes(x):
    return tuple(range(1, x.ndim))


def dice(y_true, y_pred, *, reduction="mean"):
    axes = _sample_axes(y_pred)
    inter = jnp.sum(y_true * y_pred, axis=axes)
    return _reduce(1 - 2 * inter / (jnp.sum(y_true, axis=axes) + jnp.sum(y_pred, axis=axes) + 1e-7), reduction)


def tversky(y_true, y_pred, *, alpha=0.5, beta=0.5, reduction="mean"):
    axes = _sample_axes(y_pred)
    tp = jnp.sum(y_true * y_pred, axis=axes)
    missed = jnp.sum(y_true * (1 - y_pred), axis=axes)  # false negatives: Keras's alpha
    false_pos = jnp.sum((1 - y_true) * y_pred, axis=axes)
    return _reduce(1 - tp / (tp + alpha * missed + beta * false_pos + 1e-7), reduction)


# ----------------------------------------------------------------------------- metric learning
def contrastive(similar, distance, *, margin=1.0, reduction="mean"):
    gap = jnp.maximum(margin - distance, 0)
    return _reduce(0.5 * (similar * distance**2 + (1 - similar) * gap**2), reduction)


def _distance(x, y, p, eps):
    """PyTorch's pairwise_distance: the p-norm of x - y + eps."""
    return jnp.sum(jnp.abs(x - y + eps) ** p, axis=-1) ** (1 / p)


def triplet(anchor, positive, negative, *, margin=1.0, p=2, eps=1e-6, swap=False, reduction="mean"):
    if p % 2 == 0 and not swap:
        # optax adds eps to the sum of powers; adding it to the anchor puts it into each
        # difference, as PyTorch does (and optax's powers need no abs for even p)
        values = optax.losses.triplet_margin_loss(anchor + eps, positive, negative, norm_degree=p, margin=margin, eps=0.0)
        return _reduce(values, reduction)
    d_neg = _distance(anchor, negative, p, eps)
    if swap:
        d_neg = jnp.minimum(d_neg, _distance(positive, negative, p, eps))
    return _reduce(jnp.maximum(margin + _distance(anchor, positive, p, eps) - d_neg, 0), reduction)


def hinge_embedding(y_true, distance, *, margin=1.0, reduction="mean"):
    return _reduce(jnp.where(y_true == 1, distance, jnp.maximum(margin - distance, 0)), reduction)


def cosine_embedding(y, x1, x2, *, margin=0.0, reduction="mean"):
    # PyTorch's cosine: 1e-12 added to each squared norm (optax's cosine_similarity
    # clips each squared norm at its epsilon instead)
    n2 = (jnp.sum(x1 * x1, axis=-1) + 1e-12) * (jnp.sum(x2 * x2, axis=-1) + 1e-12)
    cos = jnp.sum(x1 * x2, axis=-1) / jnp.sqrt(n2)
    return _reduce(jnp.where(y == 1, 1 - cos, jnp.maximum(cos - margin, 0)), reduction)


def margin_ranking(y, x1, x2, *, margin=0.0, reduction="mean"):
    return _reduce(jnp.maximum(-y * (x1 - x2) + margin, 0), reduction)


def info_nce(queries, keys, *, temperature=0.1, reduction="mean"):
    logits = queries @ keys.T / temperature
    labels = jnp.arange(queries.shape[0])
    return _reduce(optax.losses.softmax_cross_entropy_with_integer_labels(logits, labels), reduction)


def symmetric_info_nce(queries, keys, *, temperature=0.1, reduction="mean"):
    logits = queries @ keys.T / temperature
    labels = jnp.arange(queries.shape[0])
    ce = optax.losses.softmax_cross_entropy_with_integer_labels
    return _reduce((ce(logits, labels) + ce(logits.T, labels)) / 2, reduction)


def nt_xent(embeddings, labels, *, temperature=0.07):
    return optax.losses.ntxent(embeddings, labels, temperature=temperature)


def bpr(pos_scores, neg_scores, *, reduction="mean"):
    return _reduce(-jax.nn.log_sigmoid(pos_scores - neg_scores), reduction)


# ----------------------------------------------------------------------------- sequence
def ctc(targets, log_probs, *, blank=0, input_lengths=None, target_lengths=None,
        zero_infinity=False, reduction="mean"):
    single = log_probs.ndim == 2
    if single:
        log_probs, targets = log_probs[:, None, :], targets[None, :]
    T, N = log_probs.shape[:2]
    S = targets.shape[1]
    in_len = jnp.full((N,), T) if input_lengths is None else input_lengths.reshape(N)
    tg_len = jnp.full((N,), S) if target_lengths is None else target_lengths.reshape(N)
    # batch first, as logits (log_softmax of log-probabilities changes nothing), and
    # paddings (1.0 = padded) instead of lengths
    logit_paddings = (jnp.arange(T)[None, :] >= in_len[:, None]).astype(log_probs.dtype)
    label_paddings = (jnp.arange(S)[None, :] >= tg_len[:, None]).astype(log_probs.dtype)
    per_seq = optax.losses.ctc_loss(
        jnp.transpose(log_probs, (1, 0, 2)), logit_paddings, targets, label_paddings, blank_id=blank
    )
    if zero_infinity:  # optax's impossible alignments cost ~1e5 (log_epsilon), not inf
        per_seq = jnp.where(per_seq >= 1e4, 0.0, per_seq)
    if reduction == "mean":  # PyTorch's: each loss divided by its target length
        return jnp.mean(per_seq / jnp.maximum(tg_len, 1).astype(per_seq.dtype))
    if reduction == "sum" or single:
        return jnp.sum(per_seq)
    return per_seq


# ----------------------------------------------------------------------------- penalties
def l1_penalty(w, *, reduction="sum"):
    return _reduce(jnp.abs(w), reduction)


def l2_penalty(w, *, reduction="sum"):
    return _reduce(optax.losses.l2_loss(w), reduction)  # 0.5 * w**2


def elastic_net(w, *, alpha=1.0, l1_ratio=0.5, reduction="sum"):
    return _reduce(alpha * (l1_ratio * jnp.abs(w) + 0.5 * (1 - l1_ratio) * w**2), reduction)
