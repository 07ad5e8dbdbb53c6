"""Sequence losses: Connectionist Temporal Classification (CTC).

CTC scores a label sequence against per-frame class log-probabilities without knowing
which frame emits which label: it sums the probabilities of every alignment that
collapses to the labels.  The sum over exponentially many alignments is computed by
a dynamic program (the forward algorithm) in log space; its derivative by the
forward-backward algorithm.

As everywhere in lossbook the target comes first: ``ctc(targets, log_probs)``, where
PyTorch has ``F.ctc_loss(log_probs, targets, input_lengths, target_lengths)``.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ._core import REDUCTIONS, grad_of, register
from .facts import Case, draw

__all__ = ["ctc"]


# --------------------------------------------------------------------------- inputs
def _ctc_lengths(x, arg: str, n: int, hi: int, lo: int, batched: bool) -> np.ndarray:
    """Integer lengths of shape (n,) in [lo, hi]."""
    a = np.asarray(x)
    if a.dtype.kind == "f" and np.all(np.isfinite(a)) and np.all(a == np.round(a)):
        a = a.astype(np.int64)
    if a.dtype.kind not in "iu":
        raise ValueError(f"ctc: {arg} must hold integers, got dtype {a.dtype}")
    want = (n,) if batched else ()
    if a.shape != want and not (not batched and a.shape == (1,)):
        raise ValueError(
            f"ctc: {arg} must have shape {want} (one length per sequence), got shape {a.shape}"
        )
    a = a.reshape(-1).astype(np.int64)
    bad = a[(a < lo) | (a > hi)]
    if bad.size:
        raise ValueError(f"ctc: {arg} must lie in [{lo}, {hi}], got {bad[0]}")
    return a


def _prepare_ctc(targets, log_probs, blank, input_lengths, target_lengths, zero_infinity, reduction):
    """The preparation ctc and its grad share.

    Returns ``(targets (N, S), log_probs (T, N, C), input_lengths, target_lengths,
    batched)``, every input checked.
    """
    fn = "ctc"
    checks.reduction(fn, reduction)
    zero_infinity = checks.flag(fn, "zero_infinity", zero_infinity)
    lp = checks.float_array(fn, "log_probs", log_probs)
    if lp.ndim not in (2, 3):
        raise ValueError(
            f"{fn}: log_probs must have shape (T, C) for one sequence or (T, N, C) for a "
            f"batch, got shape {lp.shape}"
        )
    batched = lp.ndim == 3
    if not batched:
        lp = lp[:, None, :]
    T, N, C = lp.shape
    blank = checks.integer(fn, "blank", blank, low=0, high=C - 1, what="an integer class index")
    # log_softmax output is <= 0 exactly; allow a few ulps above 0 for log(p) of
    # probabilities that rounded to slightly above 1.
    tol = 64 * np.finfo(lp.dtype).eps
    bad = lp[lp > tol]
    if bad.size:
        raise ValueError(
            f"{fn}: log_probs must hold log-probabilities <= 0 (e.g. the output of "
            f"log_softmax over the classes), got {bad.flat[0]:g}"
        )

    tg = np.asarray(targets)
    if tg.dtype.kind == "f":
        if not np.all(np.isfinite(tg)) or np.any(tg != np.round(tg)):
            raise ValueError(
                f"{fn}: targets must hold integer class indices, got non-integer values"
            )
        tg = tg.astype(np.int64)
    elif tg.dtype.kind not in "iu":
        raise ValueError(f"{fn}: targets must hold integer class indices, got dtype {tg.dtype}")
    if batched:
        want = "(N, S) padded label sequences, with log_probs (T, N, C)"
    else:
        want = "(S,), with log_probs (T, C)"
    if tg.ndim != (2 if batched else 1) or (batched and tg.shape[0] != N):
        raise ValueError(f"{fn}: targets must have shape {want}, got shape {tg.shape}")
    if not batched:
        tg = tg[None, :]
    tg = tg.astype(np.int64)
    S = tg.shape[1]

    if batched and (input_lengths is None or target_lengths is None):
        raise ValueError(
            f"{fn}: input_lengths and target_lengths are required for a batch "
            f"(log_probs of shape (T, N, C)); pass arrays of shape ({N},)"
        )
    if input_lengths is None:
        il = np.full(1, T)
    else:
        il = _ctc_lengths(input_lengths, "input_lengths", N, T, 1, batched)
    if target_lengths is None:
        tl = np.full(1, S)
    else:
        tl = _ctc_lengths(target_lengths, "target_lengths", N, S, 0, batched)

    # Only the first target_lengths[n] entries of row n are labels; the rest is padding.
    used = np.arange(S)[None, :] < tl[:, None]
    labels = tg[used]
    out = labels[(labels < 0) | (labels >= C)]
    if out.size:
        raise ValueError(f"{fn}: targets must hold class indices in [0, {C - 1}], got {out[0]}")
    if np.any(labels == blank):
        n, s = np.argwhere(used & (tg == blank))[0]
        raise ValueError(
            f"{fn}: targets must not contain the blank index {blank} (CTC inserts blanks "
            f"itself), got it in sequence {n} at position {s}"
        )
    return np.where(used, tg, blank), lp, il, tl, batched


def _ctc_sample(rng, n, frames=7, classes=4, labels=3):
    """A batch of ``n`` label sequences (blank 0) with per-frame log-probabilities."""
    targets = draw("label_sequence", rng, (n, labels), classes=classes)
    log_probs = draw("log_probability", rng, (frames, n, classes))
    lengths = {"input_lengths": np.full(n, frames), "target_lengths": rng.integers(1, labels + 1, n)}
    return Case((targets, log_probs), lengths)


def _ctc_forward_backward(tg, lp, blank, il, tl, *, need_beta: bool):
    """Log-space alpha (and beta) over the blank-interleaved label sequences.

    ``alpha[t, n, s]``: log of the total probability of the alignment prefixes of
    frames ``0..t`` that end in extended state ``s``.  ``beta[t, n, s]``: of the
    suffixes of frames ``t..T_n-1`` that start in ``s``.  Both include the emission at
    ``t``.  Everything stays in log space and is combined with ``np.logaddexp``: the
    probabilities of long alignments (products of T factors below 1) underflow to 0 in
    linear space long before T = 100.

    ``np.logaddexp(-inf, -inf)`` is exactly ``-inf`` (unreachable stays unreachable),
    so the only "invalid value" it can meet is a NaN in ``log_probs``; callers silence
    that warning and let the NaN propagate to the loss.
    """
    T, N, _ = lp.shape
    S = tg.shape[1]
    L = 2 * S + 1
    ext = np.full((N, L), blank, dtype=np.int64)  # blank, l1, blank, l2, ..., blank
    ext[:, 1::2] = tg
    # A state may skip the blank before it unless it is a blank itself or repeats the
    # label two states back (between repeated labels a blank is compulsory).
    skip = np.zeros((N, L), dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    em = lp[:, np.arange(N)[:, None], ext]  # (T, N, L): log y_t(l'_s)
    ninf = lp.dtype.type(-np.inf)

    alpha = np.full((T, N, L), ninf, dtype=lp.dtype)
    alpha[0, :, :2] = em[0, :, :2]
    for t in range(1, T):
        prev = alpha[t - 1]
        stay_or_step = np.logaddexp(prev[:, 1:], prev[:, :-1])
        acc = np.concatenate([prev[:, :1], stay_or_step], axis=1)
        acc[:, 2:] = np.where(skip[:, 2:], np.logaddexp(acc[:, 2:], prev[:, :-2]), acc[:, 2:])
        alpha[t] = acc + em[t]

    rows = np.arange(N)
    last = alpha[il - 1, rows]  # (N, L): alpha at each sequence's own last frame
    end_blank = last[rows, 2 * tl]
    end_label = np.where(tl > 0, last[rows, np.maximum(2 * tl - 1, 0)], ninf)
    log_p = np.logaddexp(end_blank, end_label)
    if not need_beta:
        return log_p, None, None, None, ext

    beta = np.full((T, N, L), ninf, dtype=lp.dtype)
    final = np.full((N, L), ninf, dtype=lp.dtype)  # the two states an alignment may end in
    final[rows, 2 * tl] = 0
    final[rows[tl > 0], 2 * tl[tl > 0] - 1] = 0
    nxt = np.full((N, L), ninf, dtype=lp.dtype)
    for t in range(T - 1, -1, -1):
        acc = np.concatenate([np.logaddexp(nxt[:, :-1], nxt[:, 1:]), nxt[:, -1:]], axis=1)
        acc[:, :-2] = np.where(skip[:, 2:], np.logaddexp(acc[:, :-2], nxt[:, 2:]), acc[:, :-2])
        start = np.where((t == il - 1)[:, None], final, np.where((t < il - 1)[:, None], acc, ninf))
        beta[t] = start + em[t]
        nxt = beta[t]
    return log_p, alpha, beta, em, ext


def _ctc_per_sequence(log_p, zero_infinity):
    loss = -log_p
    if zero_infinity:
        loss = np.where(np.isposinf(loss), 0, loss).astype(log_p.dtype)
    return loss


@register(
    "sequence",
    inputs=("targets", "log_probs"),
    target="label_sequence",
    prediction="log_probability",
    labels="class indices 0..C-1 other than the blank (0 by default)",
    per_example="sample",
    reductions=REDUCTIONS,
    hyper=(),
    options=("blank", "input_lengths", "target_lengths", "zero_infinity"),
    convex=False,  # minus a log-sum-exp of sums of log_probs: concave in them
    differentiable=True,
    proper=None,
    weighted_mean="each sequence's loss divided by its target length, then averaged (PyTorch's rule)",
    sample=_ctc_sample,
)
def ctc(
    targets,
    log_probs,
    *,
    blank=0,
    input_lengths=None,
    target_lengths=None,
    zero_infinity=False,
    reduction="mean",
):
    r"""Connectionist temporal classification: minus the log-probability of all alignments.

    .. math::
        \ell_n = -\log \sum_{\pi \in \mathcal B^{-1}(l_n)} \prod_{t=1}^{T_{x,n}} \hat p^{(n)}_{t, \pi_t},
        \qquad
        L_{\text{mean}} = \frac1N \sum_{n=1}^N \frac{\ell_n}{\max(U_n, 1)}, \qquad
        L_{\text{sum}} = \sum_{n=1}^N \ell_n

    where :math:`\hat p^{(n)}_{t,c} = \exp(\text{log\_probs}[t, n, c])`, :math:`l_n` is the
    label sequence of length :math:`U_n`, and :math:`\mathcal B` collapses an
    alignment :math:`\pi` (one class per frame) by merging repeats and then deleting
    blanks (``a a - b -> a b``; ``a - a -> a a``).

    Args:
        targets: label sequences, integer classes in ``[0, C)`` other than ``blank``
            (the target, passed first; PyTorch puts it second).
        log_probs: per-frame log-probabilities, e.g. ``log_softmax`` of a network's
            outputs over the class axis; every entry must be <= 0.
        blank: index of the blank class (0 by default, as PyTorch).
        input_lengths: frames :math:`T_{x,n}` used of each sequence, in ``[1, T_x]``; required
            for a batch, ``T_x`` by default for one sequence.
        target_lengths: labels :math:`U_n` used of each row of ``targets``, in
            ``[0, U]``; required for a batch, ``U`` by default for one sequence.
        zero_infinity: replace infinite losses (no alignment fits, e.g.
            :math:`T_{x,n}` shorter than :math:`U_n` plus the number of repeated neighbours)
            and their gradients by 0, as PyTorch's ``zero_infinity=True``.
        reduction: ``"mean"`` (default; each loss divided by its target length, then
            averaged over the batch, as PyTorch), ``"sum"`` or ``"none"``.

    Shape:
        One sequence: ``log_probs`` ``(T_x, C)`` and ``targets`` ``(U,)`` (T_x = frames,
        C = classes including the blank, U = labels); the loss is a scalar with every
        reduction.  A batch, as PyTorch: ``log_probs`` ``(T_x, N, C)`` (time first),
        ``targets`` ``(N, U)`` padded with anything past ``target_lengths``,
        ``input_lengths`` and ``target_lengths`` ``(N,)``; a scalar, or ``(N,)`` with
        ``reduction="none"``.  ``grad`` has the shape of ``log_probs``.

    Example:
        >>> import numpy as np
        >>> log_probs = np.log([[0.5, 0.5], [0.5, 0.5]])   # T_x = 2 frames, C = 2 classes
        >>> print(ctc([1], log_probs))   # alignments "1 1", "1 -", "- 1": p = 3/4
        0.287682072

    ``grad`` is the derivative with respect to ``log_probs`` treated as free inputs:
    :math:`\partial \ell_n / \partial \log \hat p_{t,c} = -\gamma_t(c)`, minus the posterior
    probability that frame :math:`t` emits :math:`c`, from the forward-backward
    algorithm.  PyTorch's ``ctc_loss`` backward returns something else for the same
    input, :math:`\hat p_{t,c} - \gamma_t(c)`: the gradient with respect to the *logits*,
    assuming ``log_probs`` came from ``log_softmax``.  The two agree once chained
    through ``log_softmax``, whose backward :math:`g \mapsto g - \hat p \sum_c g_c` sends
    their difference :math:`\hat p_t` to zero; that is the only use PyTorch supports, and on
    raw ``log_probs`` leaves the two disagree.  Infinite losses get NaN gradients, as in PyTorch, unless
    ``zero_infinity=True``.  ``input_lengths`` of 0, and targets given as one
    concatenated 1-D array, which PyTorch accepts, are not supported.  Keras 3's
    ``keras.losses.CTC()(y_true, y_pred)`` takes ``y_pred`` batch first, ``(N, T_x, C)``,
    as logits (it applies log-softmax itself, so log-probabilities give the same
    value), fixes the blank at 0, which also pads ``y_true``, uses all ``T_x`` frames, and
    by default averages the :math:`\ell_n` *without* dividing by the target lengths,
    in float32 even for float64 input.  (Keras 2's ``ctc_batch_cost`` put the blank
    last.)

    When there are as many frames as labels (:math:`T_x = U`) and no label repeats its
    neighbour, the only alignment is the label sequence itself, and the loss is the sum
    over frames of :func:`cross_entropy` of each frame's log-probabilities against its
    label.

    References:
        Graves, A., Fernández, S., Gomez, F., & Schmidhuber, J. (2006). Connectionist
        temporal classification: labelling unsegmented sequence data with recurrent
        neural networks. ICML.
        Hannun, A. (2017). Sequence modeling with CTC. Distill.
    """
    tg, lp, il, tl, batched = _prepare_ctc(
        targets, log_probs, blank, input_lengths, target_lengths, zero_infinity, reduction
    )
    with np.errstate(invalid="ignore"):  # see _ctc_forward_backward: NaN in, NaN out
        log_p, *_ = _ctc_forward_backward(tg, lp, blank, il, tl, need_beta=False)
    loss = _ctc_per_sequence(log_p, zero_infinity)
    if reduction == "mean":
        return (loss / np.maximum(tl, 1).astype(lp.dtype)).mean()
    if reduction == "sum" or not batched:
        return loss.sum()
    return loss


@grad_of(ctc)
def _ctc_grad(
    targets,
    log_probs,
    *,
    blank=0,
    input_lengths=None,
    target_lengths=None,
    zero_infinity=False,
    reduction="mean",
):
    tg, lp, il, tl, batched = _prepare_ctc(
        targets, log_probs, blank, input_lengths, target_lengths, zero_infinity, reduction
    )
    with np.errstate(invalid="ignore"):  # see _ctc_forward_backward: NaN in, NaN out
        log_p, alpha, beta, em, ext = _ctc_forward_backward(tg, lp, blank, il, tl, need_beta=True)
    T, N, C = lp.shape
    # Posterior of passing through state s at frame t: alpha * beta / (y p).  The
    # emission y_t(l'_s) is in both alpha and beta, hence the division.  Where alpha,
    # beta or p is -inf (state unreachable, p = 0) the posterior is 0; the subtraction
    # is skipped there because -inf - (-inf) is NaN.
    ab = alpha + beta
    ok = np.isfinite(ab) & np.isfinite(log_p)[None, :, None]
    log_post = np.full_like(ab, -np.inf)
    np.subtract(ab, em + log_p[None, :, None], out=log_post, where=ok)
    # NaN anywhere in a sequence's input makes its posteriors NaN
    log_post = np.where(np.isnan(ab) | np.isnan(log_p)[None, :, None], np.nan, log_post)
    onehot = (ext[:, :, None] == np.arange(C)).astype(lp.dtype)  # (N, L, C)
    grad = -np.einsum("tns,nsc->tnc", np.exp(log_post), onehot)

    # An impossible target (p = 0, loss inf) has no derivative: NaN as in PyTorch, or 0
    # with zero_infinity (its loss is then the constant 0).
    inf_loss = np.isneginf(log_p)
    grad = np.where(inf_loss[None, :, None], 0 if zero_infinity else np.nan, grad).astype(lp.dtype)
    if reduction == "mean":
        grad = grad / (N * np.maximum(tl, 1)).astype(lp.dtype)[None, :, None]
    return grad if batched else grad[:, 0, :]
