"""Every lossbook loss in PyTorch: the adapters of ``lossbook.frameworks.mapping``.

Each loss function here has the name and the signature of the lossbook loss it
reproduces (target first, hyperparameters keyword-only, lossbook's defaults) and
computes it with PyTorch, calling the built-in loss of ``torch.nn.functional`` with the
options that make it agree where there is one.  The mapping's entry for the loss says
which call this is and why (``mapping.entry(name).torch``).  Inputs are tensors already
on the device; the result is a tensor, differentiable by autograd.

PyTorch is imported by :func:`load`, never by importing this module (the package's
doctests import every module, also where PyTorch is missing).
"""

from __future__ import annotations

import math

torch = F = None  # bound by load()

NAME = "torch"


def load():
    """Import PyTorch (``ImportError`` when it is missing) and return this module."""
    global torch, F
    if torch is None:
        import torch as _torch
        import torch.nn.functional as _F

        torch, F = _torch, _F
    import sys

    return sys.modules[__name__]


def version() -> str:
    return f"torch {torch.__version__}"


def devices() -> list[str]:
    """The devices PyTorch can run on here: ``cpu``, then each GPU it detects."""
    found = ["cpu"]
    if torch.cuda.is_available():
        found += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return found


def supports(device: str, dtype: str) -> str | None:
    """Why ``dtype`` cannot run on ``device``, or None."""
    if device.startswith("mps") and dtype == "float64":
        return "Apple's MPS backend has no float64"
    return None


def placement(device: str, dtype: str):
    """Nothing to set up: PyTorch tensors carry their device."""
    import contextlib

    return contextlib.nullcontext()


def convert(a, device: str, dtype: str):
    """A NumPy array as a tensor on ``device``: integers int64, floats ``dtype``."""
    t = torch.from_numpy(a.copy())
    if a.dtype.kind in "biu":
        return t.to(device=device, dtype=torch.int64)
    return t.to(device=device, dtype=getattr(torch, dtype))


def value_and_grad(fn, args, kwargs, predictions, *, compile=False):
    """A function ``step()`` returning (value, gradients w.r.t. ``args[predictions]``).

    The gradient is that of the sum of the value (the reduced loss, or the sum of the
    per-element losses with ``reduction="none"``), by autograd.  ``step`` waits for the
    device, so that it can be timed.
    """
    leaves = list(args)

    def step():
        for i in predictions:
            leaves[i] = args[i].detach().requires_grad_(True)
        value = fn(*leaves, **kwargs)
        grads = torch.autograd.grad(value.sum(), [leaves[i] for i in predictions], allow_unused=True)
        if value.is_cuda:
            torch.cuda.synchronize(value.device)
        return value.detach(), grads

    return step


def value_only(fn, args, kwargs, *, compile=False):
    """A function ``step()`` returning the value alone (no graph), waiting for the device."""

    def step():
        with torch.no_grad():
            value = fn(*args, **kwargs)
        if value.is_cuda:
            torch.cuda.synchronize(value.device)
        return value

    return step


def to_numpy(t):
    import numpy as np

    if t is None:
        return None
    return np.asarray(t.detach().cpu().numpy())


def copy_bandwidth(nbytes: int, device: str, repeat: int = 5) -> float:
    """Seconds of one device-to-device copy of ``nbytes`` (median of ``repeat``)."""
    import statistics
    import time

    src = torch.empty(nbytes // 4, dtype=torch.float32, device=device).fill_(1.0)
    dst = torch.empty_like(src)
    times = []
    for i in range(repeat + 1):
        if src.is_cuda:
            torch.cuda.synchronize(src.device)
        t0 = time.perf_counter()
        dst.copy_(src)
        if src.is_cuda:
            torch.cuda.synchronize(src.device)
        if i:  # the first copy is the warm-up
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ----------------------------------------------------------------------------- helpers
def _reduce(values, reduction):
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values


def _tensor_like(x, like):
    """``x`` (a Python number or a tensor) as a tensor of ``like``'s dtype and device."""
    return torch.as_tensor(x, dtype=like.dtype, device=like.device)


def _one_hot(y_true, logits):
    return F.one_hot(y_true, logits.shape[-1]).to(logits.dtype)


def _pick(values, y_true):
    """``values[i, y_true[i]]`` for each row i."""
    return values.gather(1, y_true[:, None])[:, 0]


# ----------------------------------------------------------------------------- regression
def mse(y_true, y_pred, *, reduction="mean"):
    return F.mse_loss(y_pred, y_true, reduction=reduction)


def mae(y_true, y_pred, *, reduction="mean"):
    return F.l1_loss(y_pred, y_true, reduction=reduction)


def rmse(y_true, y_pred, *, reduction="mean"):
    return torch.sqrt(F.mse_loss(y_pred, y_true))


def huber(y_true, y_pred, *, delta=1.0, reduction="mean"):
    return F.huber_loss(y_pred, y_true, delta=delta, reduction=reduction)


def smooth_l1(y_true, y_pred, *, beta=1.0, reduction="mean"):
    return F.smooth_l1_loss(y_pred, y_true, beta=beta, reduction=reduction)


def log_cosh(y_true, y_pred, *, reduction="mean"):
    r = y_pred - y_true
    return _reduce(r + F.softplus(-2 * r) - math.log(2), reduction)


def barron(y_true, y_pred, *, alpha=1.0, scale=1.0, reduction="mean"):
    x2 = ((y_pred - y_true) / scale) ** 2
    if alpha == 2:
        return _reduce(0.5 * x2, reduction)
    if alpha == 0:
        return _reduce(torch.log1p(0.5 * x2), reduction)
    if alpha == -math.inf:
        return _reduce(-torch.expm1(-0.5 * x2), reduction)
    b = abs(alpha - 2)
    return _reduce(b / alpha * torch.expm1(0.5 * alpha * torch.log1p(x2 / b)), reduction)


def quantile(y_true, y_pred, *, tau=0.5, reduction="mean"):
    u = y_true - y_pred
    return _reduce(torch.maximum(tau * u, (tau - 1) * u), reduction)


def mape(y_true, y_pred, *, reduction="mean"):
    return _reduce(100 * (y_true - y_pred).abs() / y_true.abs().clamp(min=1e-7), reduction)


def msle(y_true, y_pred, *, reduction="mean"):
    d = torch.log(y_pred.clamp(min=1e-7) + 1) - torch.log(y_true.clamp(min=1e-7) + 1)
    return _reduce(d**2, reduction)


def poisson_nll(y_true, log_rate, *, log_input=True, full=False, eps=1e-8, reduction="mean"):
    return F.poisson_nll_loss(log_rate, y_true, log_input=log_input, full=full, eps=eps, reduction=reduction)


def poisson(y_true, rate, *, reduction="mean"):
    return F.poisson_nll_loss(rate, y_true, log_input=False, eps=1e-7, reduction=reduction)


def gaussian_nll(y_true, mean, var, *, eps=1e-6, full=False, reduction="mean"):
    return F.gaussian_nll_loss(mean, y_true, var, full=full, eps=eps, reduction=reduction)


# ----------------------------------------------------------------------------- classification
def binary_cross_entropy(y_true, y_pred, *, weight=None, eps=None, reduction="mean"):
    if eps is not None:  # Keras's convention: clip the probability instead of the log
        y_pred = y_pred.clamp(eps, 1 - eps)
    return F.binary_cross_entropy(y_pred, y_true, weight=weight, reduction=reduction)


def binary_cross_entropy_with_logits(y_true, logits, *, pos_weight=None, reduction="mean"):
    if pos_weight is not None:
        pos_weight = _tensor_like(pos_weight, logits)
    return F.binary_cross_entropy_with_logits(logits, y_true, pos_weight=pos_weight, reduction=reduction)


def cross_entropy(y_true, logits, *, weight=None, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    return F.cross_entropy(
        logits, y_true, weight=weight, ignore_index=ignore_index,
        label_smoothing=label_smoothing, reduction=reduction,
    )


def nll(y_true, log_probs, *, weight=None, ignore_index=-100, reduction="mean"):
    return F.nll_loss(log_probs, y_true, weight=weight, ignore_index=ignore_index, reduction=reduction)


def focal(y_true, logits, *, gamma=2.0, alpha=None, reduction="mean"):
    # torchvision.ops.sigmoid_focal_loss's formula (its alpha defaults to 0.25)
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, y_true, reduction="none")
    p_t = y_true * p + (1 - y_true) * (1 - p)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = (alpha * y_true + (1 - alpha) * (1 - y_true)) * loss
    return _reduce(loss, reduction)


def categorical_focal(y_true, logits, *, alpha=0.25, gamma=2.0, label_smoothing=0.0, reduction="mean"):
    # keras.losses.CategoricalFocalCrossentropy(from_logits=True), its clip included
    t = _one_hot(y_true, logits) if y_true.ndim == 1 else y_true
    t = t * (1 - label_smoothing) + label_smoothing / logits.shape[-1]
    p = torch.softmax(logits, dim=-1).clamp(1e-7, 1 - 1e-7)
    return _reduce((alpha * (1 - p) ** gamma * -t * torch.log(p)).sum(-1), reduction)


def poly1(y_true, logits, *, epsilon=1.0, reduction="mean"):
    ce = F.cross_entropy(logits, y_true, reduction="none")
    p_y = _pick(torch.softmax(logits, dim=-1), y_true)
    return _reduce(ce + epsilon * (1 - p_y), reduction)


def sparsemax(y_true, scores, *, reduction="mean"):
    # Martins & Astudillo (2016): -z_y + (sum over the support of z_j^2 - tau^2)/2 + 1/2
    z, _ = torch.sort(scores, dim=-1, descending=True)
    k = torch.arange(1, scores.shape[-1] + 1, device=scores.device, dtype=scores.dtype)
    cumsum = z.cumsum(-1)
    k_z = (1 + k * z > cumsum).sum(-1, keepdim=True)  # size of the support
    tau = (cumsum.gather(-1, k_z - 1) - 1) / k_z
    support = scores > tau
    loss = 0.5 * torch.where(support, scores**2 - tau**2, 0).sum(-1) - _pick(scores, y_true) + 0.5
    return _reduce(loss, reduction)


def hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    return _reduce(torch.clamp(margin - y_true * scores, min=0), reduction)


def squared_hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    return _reduce(torch.clamp(margin - y_true * scores, min=0) ** 2, reduction)


def multiclass_hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    true = _pick(scores, y_true)
    rival = scores.scatter(1, y_true[:, None], float("-inf")).amax(1)  # best wrong class
    return _reduce(torch.clamp(margin + rival - true, min=0), reduction)


def modified_huber(y_true, scores, *, reduction="mean"):
    m = y_true * scores
    return _reduce(torch.where(m >= -1, torch.clamp(1 - m, min=0) ** 2, -4 * m), reduction)


def exponential(y_true, scores, *, reduction="mean"):
    return _reduce(torch.exp(-y_true * scores), reduction)


def categorical_hinge(y_true, scores, *, reduction="mean"):
    pos = (y_true * scores).sum(-1)
    neg = ((1 - y_true) * scores).amax(-1)
    return _reduce(torch.clamp(neg - pos + 1, min=0), reduction)


def soft_margin(y_true, scores, *, reduction="mean"):
    return F.soft_margin_loss(scores, y_true, reduction=reduction)


def multilabel_soft_margin(y_true, logits, *, weight=None, reduction="mean"):
    return F.multilabel_soft_margin_loss(logits, y_true, weight=weight, reduction=reduction)


def multi_margin(y_true, scores, *, p=1, margin=1.0, weight=None, reduction="mean"):
    return F.multi_margin_loss(scores, y_true, p=p, margin=margin, weight=weight, reduction=reduction)


def multilabel_margin(y_true, scores, *, reduction="mean"):
    return F.multilabel_margin_loss(scores, y_true, reduction=reduction)


def chunked_cross_entropy(y_true, hidden, weight, *, chunk_size=4096, ignore_index=-100, reduction="mean"):
    if hasattr(F, "linear_cross_entropy"):  # PyTorch >= 2.12: chunked over the batch
        return F.linear_cross_entropy(
            hidden, weight, y_true, ignore_index=ignore_index, reduction=reduction,
            options=torch.nn.LinearCrossEntropyOptions(),
        )
    return F.cross_entropy(hidden @ weight.T, y_true, ignore_index=ignore_index, reduction=reduction)


# ----------------------------------------------------------------------------- divergence
def kl_divergence(p, q, *, eps=None, reduction="batchmean"):
    if eps is not None:  # Keras's clip of both distributions
        p, q = p.clamp(eps, 1), q.clamp(eps, 1)
    return F.kl_div(q.log(), p, reduction=reduction)


# ----------------------------------------------------------------------------- segmentation
def _sample_axes(x):
    return tuple(range(1, x.ndim))


def dice(y_true, y_pred, *, reduction="mean"):
    axes = _sample_axes(y_pred)
    inter = (y_true * y_pred).sum(axes)
    return _reduce(1 - 2 * inter / (y_true.sum(axes) + y_pred.sum(axes) + 1e-7), reduction)


def tversky(y_true, y_pred, *, alpha=0.5, beta=0.5, reduction="mean"):
    axes = _sample_axes(y_pred)
    tp = (y_true * y_pred).sum(axes)
    missed = (y_true * (1 - y_pred)).sum(axes)  # false negatives: Keras's alpha
    false_pos = ((1 - y_true) * y_pred).sum(axes)
    return _reduce(1 - tp / (tp + alpha * missed + beta * false_pos + 1e-7), reduction)


# ----------------------------------------------------------------------------- metric learning
def contrastive(similar, distance, *, margin=1.0, reduction="mean"):
    gap = torch.clamp(margin - distance, min=0)
    return _reduce(0.5 * (similar * distance**2 + (1 - similar) * gap**2), reduction)


def triplet(anchor, positive, negative, *, margin=1.0, p=2, eps=1e-6, swap=False, reduction="mean"):
    return F.triplet_margin_loss(
        anchor, positive, negative, margin=margin, p=p, eps=eps, swap=swap, reduction=reduction
    )


def hinge_embedding(y_true, distance, *, margin=1.0, reduction="mean"):
    return F.hinge_embedding_loss(distance, y_true, margin=margin, reduction=reduction)


def cosine_embedding(y, x1, x2, *, margin=0.0, reduction="mean"):
    return F.cosine_embedding_loss(x1, x2, y, margin=margin, reduction=reduction)


def margin_ranking(y, x1, x2, *, margin=0.0, reduction="mean"):
    return F.margin_ranking_loss(x1, x2, y, margin=margin, reduction=reduction)


def info_nce(queries, keys, *, temperature=0.1, reduction="mean"):
    logits = queries @ keys.T / temperature
    labels = torch.arange(len(queries), device=queries.device)
    return F.cross_entropy(logits, labels, reduction=reduction)


def symmetric_info_nce(queries, keys, *, temperature=0.1, reduction="mean"):
    logits = queries @ keys.T / temperature
    labels = torch.arange(len(queries), device=queries.device)
    both = F.cross_entropy(logits, labels, reduction="none") + F.cross_entropy(logits.T, labels, reduction="none")
    return _reduce(both / 2, reduction)


def nt_xent(embeddings, labels, *, temperature=0.07):
    # optax.losses.ntxent's definition: each positive pair (i, j), i != j, against the
    # pairs of i with a different label; cosine similarity with eps = machine epsilon
    e = embeddings / torch.sqrt((embeddings**2).sum(-1, keepdim=True).clamp(min=torch.finfo(embeddings.dtype).eps))
    sim = e @ e.T / temperature
    same = labels[:, None] == labels[None, :]
    positive = same & ~torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    neg_lse = torch.logsumexp(sim.masked_fill(same, float("-inf")), dim=1, keepdim=True)
    log_softmax = sim - torch.logaddexp(sim, neg_lse)
    return -log_softmax[positive].sum() / positive.sum()


def bpr(pos_scores, neg_scores, *, reduction="mean"):
    return _reduce(-F.logsigmoid(pos_scores - neg_scores), reduction)


# ----------------------------------------------------------------------------- sequence
def ctc(targets, log_probs, *, blank=0, input_lengths=None, target_lengths=None,
        zero_infinity=False, reduction="mean"):
    single = log_probs.ndim == 2
    if single:  # one sequence: a batch of one
        log_probs, targets = log_probs[:, None, :], targets[None, :]
    T, N = log_probs.shape[:2]
    if input_lengths is None:
        input_lengths = torch.full((N,), T, dtype=torch.int64)
    if target_lengths is None:
        target_lengths = torch.full((N,), targets.shape[1], dtype=torch.int64)
    loss = F.ctc_loss(
        log_probs, targets, input_lengths.reshape(N), target_lengths.reshape(N), blank=blank,
        reduction=reduction, zero_infinity=zero_infinity,
    )
    return loss.sum() if single and reduction == "none" else loss


# ----------------------------------------------------------------------------- penalties
def l1_penalty(w, *, reduction="sum"):
    return _reduce(w.abs(), reduction)


def l2_penalty(w, *, reduction="sum"):
    return _reduce(0.5 * w**2, reduction)


def elastic_net(w, *, alpha=1.0, l1_ratio=0.5, reduction="sum"):
    return _reduce(alpha * (l1_ratio * w.abs() + 0.5 * (1 - l1_ratio) * w**2), reduction)
