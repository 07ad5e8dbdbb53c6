"""Every lossbook loss in Keras 3 on TensorFlow: the adapters of ``lossbook.frameworks.mapping``.

Each loss function here has the name and the signature of the lossbook loss it
reproduces and computes it with ``keras.losses`` (with the options that make it agree)
where Keras has the loss, else with ``keras.ops``; the mapping's entry says which and
why (``mapping.entry(name).keras``).  Inputs are TensorFlow tensors created under
``tf.device(...)``; the result is a tensor, differentiable with ``tf.GradientTape``.

Keras losses compute in ``keras.config.floatx()`` (float32) unless given ``dtype``:
every adapter passes the dtype of its inputs.  Keras averages most losses over the last
axis before the batch reduction; the elementwise ones here therefore feed Keras one
column, ``(M, 1)``, so that ``"sum"`` and ``"none"`` mean what they mean in lossbook.

TensorFlow and Keras are imported by :func:`load`, never by importing this module.
"""

from __future__ import annotations

import math

tf = keras = ops = None  # bound by load()

NAME = "keras"

# lossbook's reduction -> Keras's
_REDUCTION = {"mean": "sum_over_batch_size", "sum": "sum", "none": None}


def load():
    """Import TensorFlow and Keras quietly (``ImportError`` when missing); return this module."""
    global tf, keras, ops
    if tf is None:
        from . import import_tensorflow

        _tf = import_tensorflow()
        import keras as _keras

        if _keras.backend.backend() != "tensorflow":
            raise ImportError(
                f"Keras runs on the {_keras.backend.backend()!r} backend; lossbook compares "
                "Keras on TensorFlow (set KERAS_BACKEND=tensorflow)"
            )
        tf, keras, ops = _tf, _keras, _keras.ops
    import sys

    return sys.modules[__name__]


def version() -> str:
    return f"tensorflow {tf.__version__}, keras {keras.__version__}"


def devices() -> list[str]:
    """TensorFlow's devices here: ``/CPU:0``, then each GPU it detects (``/GPU:i``)."""
    found = ["/CPU:0"]
    for i, _ in enumerate(tf.config.list_logical_devices("GPU")):
        found.append(f"/GPU:{i}")
    return found


def supports(device: str, dtype: str) -> str | None:
    return None


def placement(device: str, dtype: str):
    """Context manager placing TensorFlow ops on ``device``."""
    return tf.device(device)


def convert(a, device: str, dtype: str):
    """A NumPy array as a tensor on ``device``: integers int64, floats ``dtype``."""
    with tf.device(device):
        if a.dtype.kind in "biu":
            return tf.constant(a, dtype=tf.int64)
        return tf.constant(a, dtype=dtype)


def value_and_grad(fn, args, kwargs, predictions, *, compile=False):
    """A function ``step()`` returning (value, gradients by ``tf.GradientTape``).

    The gradient is that of the sum of the value.  Runs eagerly (as a custom training
    loop does), or as a ``tf.function`` graph with ``compile=True`` (as ``fit`` does).
    """
    watched = [args[i] for i in predictions]

    def run(*xs):
        with tf.GradientTape() as tape:
            for x in xs:
                tape.watch(x)
            full = list(args)
            for i, x in zip(predictions, xs):
                full[i] = x
            value = fn(*full, **kwargs)
            total = tf.reduce_sum(value)
        return value, tape.gradient(total, list(xs))

    if compile:
        run = tf.function(run)

    def step():
        value, grads = run(*watched)
        value.numpy()  # waits for the device
        return value, grads

    return step


def value_only(fn, args, kwargs, *, compile=False):
    """A function ``step()`` returning the value alone, eagerly or as a ``tf.function``."""
    run = (lambda *xs: fn(*xs, **kwargs))
    if compile:
        run = tf.function(run)

    def step():
        value = run(*args)
        value.numpy()
        return value

    return step


def to_numpy(t):
    import numpy as np

    if t is None:
        return None
    return np.asarray(t.numpy())


def copy_bandwidth(nbytes: int, device: str, repeat: int = 5) -> float:
    """Seconds of one copy of ``nbytes`` on ``device`` (median of ``repeat``)."""
    import statistics
    import time

    with tf.device(device):
        src = tf.ones((nbytes // 4,), tf.float32)
        times = []
        for i in range(repeat + 1):
            t0 = time.perf_counter()
            out = tf.raw_ops.DeepCopy(x=src)
            out[:1].numpy()  # waits for the copy, fetching one number
            if i:  # the first copy is the warm-up
                times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ----------------------------------------------------------------------------- helpers
def _dt(x) -> str:
    return keras.backend.standardize_dtype(x.dtype)


def _reduce(values, reduction):
    if reduction == "mean":
        return ops.mean(values)
    if reduction == "sum":
        return ops.sum(values)
    return values


def _elementwise(loss_class, y_true, y_pred, reduction, sample_weight=None, **options):
    """A Keras loss that averages over the last axis, applied to every element alone.

    Keras's mean over a last axis of length 1 leaves each element's loss as it is, so
    ``"none"`` gives one value per element and ``"sum"`` sums them, as in lossbook.
    """
    loss = loss_class(reduction=_REDUCTION[reduction], dtype=_dt(y_pred), **options)
    column = (-1, 1)
    if sample_weight is not None:
        sample_weight = ops.reshape(sample_weight, (-1,))
    values = loss(ops.reshape(y_true, column), ops.reshape(y_pred, column), sample_weight=sample_weight)
    return ops.reshape(values, ops.shape(y_pred)) if reduction == "none" else values


def _float(y, like):
    return ops.cast(y, _dt(like))


def _one_hot(y_true, logits):
    return ops.one_hot(y_true, ops.shape(logits)[-1], dtype=_dt(logits))


def _pick(values, y_true):
    """``values[i, y_true[i]]`` for each row i."""
    return ops.take_along_axis(values, ops.expand_dims(y_true, -1), axis=-1)[:, 0]


# ----------------------------------------------------------------------------- regression
def mse(y_true, y_pred, *, reduction="mean"):
    return _elementwise(keras.losses.MeanSquaredError, y_true, y_pred, reduction)


def mae(y_true, y_pred, *, reduction="mean"):
    return _elementwise(keras.losses.MeanAbsoluteError, y_true, y_pred, reduction)


def rmse(y_true, y_pred, *, reduction="mean"):
    return ops.sqrt(keras.losses.MeanSquaredError(dtype=_dt(y_pred))(y_true, y_pred))


def huber(y_true, y_pred, *, delta=1.0, reduction="mean"):
    return _elementwise(keras.losses.Huber, y_true, y_pred, reduction, delta=delta)


def smooth_l1(y_true, y_pred, *, beta=1.0, reduction="mean"):
    if beta == 0:
        return mae(y_true, y_pred, reduction=reduction)
    return _elementwise(keras.losses.Huber, y_true, y_pred, reduction, delta=beta) / beta


def log_cosh(y_true, y_pred, *, reduction="mean"):
    return _elementwise(keras.losses.LogCosh, y_true, y_pred, reduction)


def barron(y_true, y_pred, *, alpha=1.0, scale=1.0, reduction="mean"):
    x2 = ops.square((y_pred - y_true) / scale)
    if alpha == 2:
        return _reduce(0.5 * x2, reduction)
    if alpha == 0:
        return _reduce(ops.log1p(0.5 * x2), reduction)
    if alpha == -math.inf:
        return _reduce(-ops.expm1(-0.5 * x2), reduction)
    b = abs(alpha - 2)
    return _reduce(b / alpha * ops.expm1(0.5 * alpha * ops.log1p(x2 / b)), reduction)


def quantile(y_true, y_pred, *, tau=0.5, reduction="mean"):
    u = y_true - y_pred
    return _reduce(ops.maximum(tau * u, (tau - 1) * u), reduction)


def mape(y_true, y_pred, *, reduction="mean"):
    return _elementwise(keras.losses.MeanAbsolutePercentageError, y_true, y_pred, reduction)


def msle(y_true, y_pred, *, reduction="mean"):
    return _elementwise(keras.losses.MeanSquaredLogarithmicError, y_true, y_pred, reduction)


def poisson(y_true, rate, *, reduction="mean"):
    return _elementwise(keras.losses.Poisson, y_true, rate, reduction)


def poisson_nll(y_true, log_rate, *, log_input=True, full=False, eps=1e-8, reduction="mean"):
    if not log_input and eps == keras.config.epsilon() and not full:
        return poisson(y_true, log_rate, reduction=reduction)  # Keras's Poisson is this case
    if log_input:
        values = ops.exp(log_rate) - y_true * log_rate
    else:
        values = log_rate - y_true * ops.log(log_rate + eps)
    if full:  # Stirling's log y! where y > 1, as PyTorch
        y = ops.maximum(y_true, 1.0)
        values = values + ops.where(y_true > 1, y * ops.log(y) - y + 0.5 * ops.log(2 * math.pi * y), 0.0)
    return _reduce(values, reduction)


def gaussian_nll(y_true, mean, var, *, eps=1e-6, full=False, reduction="mean"):
    v = ops.maximum(var, eps)
    values = 0.5 * (ops.log(v) + (mean - y_true) ** 2 / v)
    if full:
        values = values + 0.5 * math.log(2 * math.pi)
    return _reduce(values, reduction)


# ----------------------------------------------------------------------------- classification
def binary_cross_entropy(y_true, y_pred, *, weight=None, eps=None, reduction="mean"):
    if eps is not None and eps != keras.config.epsilon():
        y_pred = ops.clip(y_pred, eps, 1 - eps)  # Keras then clips at 1e-7 too: no effect
    return _elementwise(keras.losses.BinaryCrossentropy, y_true, y_pred, reduction, sample_weight=weight)


def binary_cross_entropy_with_logits(y_true, logits, *, pos_weight=None, reduction="mean"):
    if pos_weight is not None:  # no pos_weight in Keras: TensorFlow's weighted form
        pos_weight = ops.cast(pos_weight, _dt(logits))
        return _reduce(tf.nn.weighted_cross_entropy_with_logits(y_true, logits, pos_weight), reduction)
    return _elementwise(keras.losses.BinaryCrossentropy, y_true, logits, reduction, from_logits=True)


def cross_entropy(y_true, logits, *, weight=None, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    dt = _dt(logits)
    c = ops.shape(logits)[-1]
    if len(y_true.shape) == 2 and weight is None:  # class probabilities
        loss = keras.losses.CategoricalCrossentropy(
            from_logits=True, label_smoothing=label_smoothing, reduction=_REDUCTION[reduction], dtype=dt
        )
        return loss(y_true, logits)
    if len(y_true.shape) == 2:
        # Class weights with probability targets: -sum_c w_c t'_c log p_c.  Not by
        # folding the weights into CategoricalCrossentropy's targets: its TensorFlow op
        # takes the gradient to be softmax - targets, true only for rows summing to 1.
        t = (1 - label_smoothing) * y_true + label_smoothing / c
        values = -ops.sum(t * ops.cast(weight, dt) * ops.log_softmax(logits, axis=-1), axis=-1)
        return _reduce(values, reduction)
    valid = ops.not_equal(y_true, ignore_index)
    safe = ops.where(valid, y_true, 0)
    # PyTorch's weighted mean divides by the weights of the valid rows: Keras's
    # "mean_with_sample_weight" with sample_weight = weight[y] (the ignored rows masked)
    w_y = ops.ones(ops.shape(y_true), dt) if weight is None else ops.take(ops.cast(weight, dt), safe)
    w_y = ops.where(valid, w_y, 0.0)
    red = "mean_with_sample_weight" if reduction == "mean" else _REDUCTION[reduction]
    if not label_smoothing:
        loss = keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, ignore_class=ignore_index, reduction=red, dtype=dt
        )
        return loss(y_true, logits, sample_weight=w_y)
    if weight is None:
        loss = keras.losses.CategoricalCrossentropy(
            from_logits=True, label_smoothing=label_smoothing, reduction=red, dtype=dt
        )
        return loss(_one_hot(safe, logits), logits, sample_weight=w_y)
    # PyTorch weights the smoothing term's class c by weight[c], which no sample_weight
    # can do: -sum_c w_c t'_c log p_c, as above
    t = (1 - label_smoothing) * _one_hot(safe, logits) + label_smoothing / c
    values = -ops.sum(t * ops.cast(weight, dt) * ops.log_softmax(logits, axis=-1), axis=-1)
    values = ops.where(valid, values, 0.0)
    if reduction == "mean":
        return ops.sum(values) / ops.sum(w_y)
    return _reduce(values, reduction)


def nll(y_true, log_probs, *, weight=None, ignore_index=-100, reduction="mean"):
    dt = _dt(log_probs)
    valid = ops.not_equal(y_true, ignore_index)
    safe = ops.where(valid, y_true, 0)
    w_y = ops.ones(ops.shape(y_true), dt) if weight is None else ops.take(ops.cast(weight, dt), safe)
    w_y = ops.where(valid, w_y, 0.0)
    values = -w_y * _pick(log_probs, safe)
    if reduction == "mean":
        return ops.sum(values) / ops.sum(w_y)
    return _reduce(values, reduction)


def focal(y_true, logits, *, gamma=2.0, alpha=None, reduction="mean"):
    return _elementwise(
        keras.losses.BinaryFocalCrossentropy, y_true, logits, reduction, from_logits=True, gamma=gamma,
        apply_class_balancing=alpha is not None, alpha=0.25 if alpha is None else alpha,
    )


def categorical_focal(y_true, logits, *, alpha=0.25, gamma=2.0, label_smoothing=0.0, reduction="mean"):
    if len(y_true.shape) == 1:
        y_true = _one_hot(y_true, logits)
    loss = keras.losses.CategoricalFocalCrossentropy(
        from_logits=True, alpha=alpha, gamma=gamma, label_smoothing=label_smoothing,
        reduction=_REDUCTION[reduction], dtype=_dt(logits),
    )
    return loss(y_true, logits)


def poly1(y_true, logits, *, epsilon=1.0, reduction="mean"):
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None, dtype=_dt(logits))(y_true, logits)
    p_y = _pick(ops.softmax(logits, axis=-1), y_true)
    return _reduce(ce + epsilon * (1 - p_y), reduction)


def sparsemax(y_true, scores, *, reduction="mean"):
    z = ops.flip(ops.sort(scores, axis=-1), axis=-1)  # descending
    k = ops.arange(1, ops.shape(scores)[-1] + 1, dtype=_dt(scores))
    cumsum = ops.cumsum(z, axis=-1)
    k_z = ops.sum(ops.cast(1 + k * z > cumsum, "int32"), axis=-1, keepdims=True)
    tau = (ops.take_along_axis(cumsum, k_z - 1, axis=-1) - 1) / ops.cast(k_z, _dt(scores))
    support = scores > tau
    loss = 0.5 * ops.sum(ops.where(support, scores**2 - tau**2, 0.0), axis=-1) - _pick(scores, y_true) + 0.5
    return _reduce(loss, reduction)


def hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    if margin == 1:
        return _elementwise(keras.losses.Hinge, y_true, scores, reduction)
    return _reduce(ops.relu(margin - y_true * scores), reduction)


def squared_hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    if margin == 1:
        return _elementwise(keras.losses.SquaredHinge, y_true, scores, reduction)
    return _reduce(ops.relu(margin - y_true * scores) ** 2, reduction)


def multiclass_hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    true = _pick(scores, y_true)
    others = ops.where(ops.cast(_one_hot(y_true, scores), "bool"), -math.inf, scores)
    return _reduce(ops.relu(margin + ops.max(others, axis=-1) - true), reduction)


def modified_huber(y_true, scores, *, reduction="mean"):
    m = y_true * scores
    return _reduce(ops.where(m >= -1, ops.relu(1 - m) ** 2, -4 * m), reduction)


def exponential(y_true, scores, *, reduction="mean"):
    return _reduce(ops.exp(-y_true * scores), reduction)


def categorical_hinge(y_true, scores, *, reduction="mean"):
    loss = keras.losses.CategoricalHinge(reduction=_REDUCTION[reduction], dtype=_dt(scores))
    return loss(y_true, scores)


def soft_margin(y_true, scores, *, reduction="mean"):
    return _reduce(ops.softplus(-y_true * scores), reduction)


def multilabel_soft_margin(y_true, logits, *, weight=None, reduction="mean"):
    if weight is None:  # BinaryCrossentropy's mean over the last axis is PyTorch's mean over C
        loss = keras.losses.BinaryCrossentropy(from_logits=True, reduction=_REDUCTION[reduction], dtype=_dt(logits))
        return loss(y_true, logits)
    values = ops.binary_crossentropy(y_true, logits, from_logits=True) * ops.cast(weight, _dt(logits))
    return _reduce(ops.mean(values, axis=-1), reduction)


def multi_margin(y_true, scores, *, p=1, margin=1.0, weight=None, reduction="mean"):
    dt = _dt(scores)
    hinge_ = ops.relu(margin - ops.expand_dims(_pick(scores, y_true), -1) + scores) ** p
    if weight is not None:
        hinge_ = hinge_ * ops.expand_dims(ops.take(ops.cast(weight, dt), y_true), -1)
    hinge_ = ops.where(ops.cast(_one_hot(y_true, scores), "bool"), 0.0, hinge_)  # j != y only
    return _reduce(ops.sum(hinge_, axis=-1) / ops.cast(ops.shape(scores)[-1], dt), reduction)


def _label_set(y_true, scores):
    """Multi-hot (N, C) of the targets listed in each row of ``y_true`` before its first -1."""
    listed = ops.cumprod(ops.cast(ops.not_equal(y_true, -1), "int32"), axis=-1)  # 1 until the first -1
    hot = ops.one_hot(ops.where(listed > 0, y_true, 0), ops.shape(scores)[-1], dtype=_dt(scores))
    return ops.minimum(ops.sum(hot * ops.cast(ops.expand_dims(listed, -1), _dt(scores)), axis=1), 1.0)


def multilabel_margin(y_true, scores, *, reduction="mean"):
    t = _label_set(y_true, scores)
    # every (target j, non-target k) pair: max(0, 1 - (s_j - s_k))
    pairs = ops.relu(1 - ops.expand_dims(scores, 2) + ops.expand_dims(scores, 1))
    mask = ops.expand_dims(t, 2) * ops.expand_dims(1 - t, 1)
    return _reduce(ops.sum(pairs * mask, axis=(1, 2)) / ops.cast(ops.shape(scores)[-1], _dt(scores)), reduction)


def chunked_cross_entropy(y_true, hidden, weight, *, chunk_size=4096, ignore_index=-100, reduction="mean"):
    loss = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=ignore_index, reduction=_REDUCTION[reduction], dtype=_dt(hidden)
    )
    return loss(y_true, ops.matmul(hidden, ops.transpose(weight)))


# ----------------------------------------------------------------------------- divergence
def kl_divergence(p, q, *, eps=None, reduction="batchmean"):
    dt = _dt(q)
    if reduction == "none" or (eps is not None and eps != keras.config.epsilon()):
        if eps is not None:
            p, q = ops.clip(p, eps, 1.0), ops.clip(q, eps, 1.0)
        values = ops.where(p > 0, p * ops.log(ops.where(p > 0, p, 1.0) / q), 0.0)
        return values if reduction == "none" else _kl_reduce(ops.sum(values, axis=-1), reduction, q)
    per_row = keras.losses.KLDivergence(reduction=None, dtype=dt)(p, q)  # clips both at 1e-7
    return _kl_reduce(per_row, reduction, q)


def _kl_reduce(per_row, reduction, q):
    if reduction == "batchmean":
        return ops.mean(per_row)
    if reduction == "sum":
        return ops.sum(per_row)
    return ops.mean(per_row) / ops.cast(ops.shape(q)[-1], _dt(q))  # "mean": over N * C


# ----------------------------------------------------------------------------- segmentation
def _sample_axes(x):
    return tuple(range(1, len(x.shape)))


def dice(y_true, y_pred, *, reduction="mean"):
    loss = keras.losses.Dice(axis=_sample_axes(y_pred), reduction=_REDUCTION[reduction], dtype=_dt(y_pred))
    return loss(y_true, y_pred)


def tversky(y_true, y_pred, *, alpha=0.5, beta=0.5, reduction="mean"):
    loss = keras.losses.Tversky(
        alpha=alpha, beta=beta, axis=_sample_axes(y_pred), reduction=_REDUCTION[reduction], dtype=_dt(y_pred)
    )
    return loss(y_true, y_pred)


# ----------------------------------------------------------------------------- metric learning
def contrastive(similar, distance, *, margin=1.0, reduction="mean"):
    gap = ops.relu(margin - distance)
    return _reduce(0.5 * (similar * distance**2 + (1 - similar) * gap**2), reduction)


def _distance(x, y, p, eps):
    """PyTorch's pairwise_distance: the p-norm of x - y + eps."""
    return ops.sum(ops.abs(x - y + eps) ** p, axis=-1) ** (1 / p)


def triplet(anchor, positive, negative, *, margin=1.0, p=2, eps=1e-6, swap=False, reduction="mean"):
    d_neg = _distance(anchor, negative, p, eps)
    if swap:
        d_neg = ops.minimum(d_neg, _distance(positive, negative, p, eps))
    return _reduce(ops.relu(margin + _distance(anchor, positive, p, eps) - d_neg), reduction)


def hinge_embedding(y_true, distance, *, margin=1.0, reduction="mean"):
    return _reduce(ops.where(y_true == 1, distance, ops.relu(margin - distance)), reduction)


def _cosine(x1, x2):
    """PyTorch's cosine of cosine_embedding_loss: 1e-12 added to each squared norm."""
    n2 = (ops.sum(x1 * x1, axis=-1) + 1e-12) * (ops.sum(x2 * x2, axis=-1) + 1e-12)
    return ops.sum(x1 * x2, axis=-1) / ops.sqrt(n2)


def cosine_embedding(y, x1, x2, *, margin=0.0, reduction="mean"):
    cos = _cosine(x1, x2)
    return _reduce(ops.where(y == 1, 1 - cos, ops.relu(cos - margin)), reduction)


def margin_ranking(y, x1, x2, *, margin=0.0, reduction="mean"):
    return _reduce(ops.relu(-y * (x1 - x2) + margin), reduction)


def _diagonal_ce(logits, reduction):
    labels = ops.arange(ops.shape(logits)[0])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=reduction, dtype=_dt(logits))
    return loss(labels, logits)


def info_nce(queries, keys, *, temperature=0.1, reduction="mean"):
    return _diagonal_ce(ops.matmul(queries, ops.transpose(keys)) / temperature, _REDUCTION[reduction])


def symmetric_info_nce(queries, keys, *, temperature=0.1, reduction="mean"):
    logits = ops.matmul(queries, ops.transpose(keys)) / temperature
    both = _diagonal_ce(logits, None) + _diagonal_ce(ops.transpose(logits), None)
    return _reduce(both / 2, reduction)


def nt_xent(embeddings, labels, *, temperature=0.07):
    # optax.losses.ntxent's definition (see the PyTorch adapter)
    eps = float(tf.experimental.numpy.finfo(_dt(embeddings)).eps)
    e = embeddings / ops.sqrt(ops.maximum(ops.sum(embeddings**2, axis=-1, keepdims=True), eps))
    sim = ops.matmul(e, ops.transpose(e)) / temperature
    same = ops.equal(ops.expand_dims(labels, 1), ops.expand_dims(labels, 0))
    positive = ops.logical_and(same, ops.logical_not(ops.eye(ops.shape(labels)[0], dtype="bool")))
    neg_lse = ops.logsumexp(ops.where(same, -math.inf, sim), axis=1, keepdims=True)
    log_softmax = sim - ops.logaddexp(sim, neg_lse)
    positive = ops.cast(positive, _dt(embeddings))
    return -ops.sum(ops.where(positive > 0, log_softmax, 0.0)) / ops.sum(positive)


def bpr(pos_scores, neg_scores, *, reduction="mean"):
    return _reduce(-ops.log_sigmoid(pos_scores - neg_scores), reduction)


# ----------------------------------------------------------------------------- sequence
def ctc(targets, log_probs, *, blank=0, input_lengths=None, target_lengths=None,
        zero_infinity=False, reduction="mean"):
    single = len(log_probs.shape) == 2
    if single:
        log_probs, targets = ops.expand_dims(log_probs, 1), ops.expand_dims(targets, 0)
    T, N = ops.shape(log_probs)[0], ops.shape(log_probs)[1]
    if input_lengths is None:
        input_lengths = ops.full((N,), T, dtype="int64")
    if target_lengths is None:
        target_lengths = ops.full((N,), ops.shape(targets)[1], dtype="int64")
    input_lengths, target_lengths = ops.reshape(input_lengths, (N,)), ops.reshape(target_lengths, (N,))
    # batch first, and taken as logits: log_softmax of log-probabilities changes nothing
    per_seq = keras.ops.ctc_loss(
        targets, ops.transpose(log_probs, (1, 0, 2)), target_lengths, input_lengths, mask_index=blank
    )
    if zero_infinity:
        per_seq = ops.where(ops.isinf(per_seq), 0.0, per_seq)
    if reduction == "mean":  # PyTorch's: each loss divided by its target length
        return ops.mean(per_seq / ops.cast(ops.maximum(target_lengths, 1), per_seq.dtype))
    if reduction == "sum" or single:
        return ops.sum(per_seq)
    return per_seq


# ----------------------------------------------------------------------------- penalties
def l1_penalty(w, *, reduction="sum"):
    if reduction == "sum":
        return keras.regularizers.L1(1.0)(w)
    return _reduce(ops.abs(w), reduction)


def l2_penalty(w, *, reduction="sum"):
    if reduction == "sum":
        return keras.regularizers.L2(0.5)(w)  # Keras's L2 has no 1/2
    return _reduce(0.5 * w**2, reduction)


def elastic_net(w, *, alpha=1.0, l1_ratio=0.5, reduction="sum"):
    if reduction == "sum":
        return keras.regularizers.L1L2(l1=alpha * l1_ratio, l2=alpha * (1 - l1_ratio) / 2)(w)
    return _reduce(alpha * (l1_ratio * ops.abs(w) + 0.5 * (1 - l1_ratio) * w**2), reduction)
