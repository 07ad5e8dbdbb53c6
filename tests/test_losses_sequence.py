"""Tests of lossbook.losses.sequence (CTC) against brute force, PyTorch and finite differences."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from lossbook.losses.sequence import ctc
from tests._tools import ATOL_F64, ATOL_FD, RTOL_F32, RTOL_F64, RTOL_FD, central_difference


def log_softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def random_log_probs(shape, seed=0, spread=1.0):
    return log_softmax(np.random.default_rng(seed).normal(scale=spread, size=shape))


def batch(seed=0, T=12, N=4, C=5, S=4):
    """A padded batch with varied lengths, repeated labels and padding of -1."""
    rng = np.random.default_rng(seed)
    lp = random_log_probs((T, N, C), seed)
    tl = np.array([4, 2, 0, 3])[:N]
    il = np.array([12, 9, 5, 7])[:N]
    tg = rng.integers(1, C, size=(N, S))
    tg[0, 1] = tg[0, 0]  # a repeat: needs a blank between them
    tg[np.arange(S)[None, :] >= tl[:, None]] = -1  # padding is never read
    return tg, lp, il, tl


def collapse(path, blank=0):
    out, prev = [], None
    for c in path:
        if c != prev and c != blank:
            out.append(c)
        prev = c
    return tuple(out)


def brute_force_nll(target, log_probs, blank=0):
    """-log of the summed probability of every alignment that collapses to ``target``."""
    T, C = log_probs.shape
    p = 0.0
    for path in itertools.product(range(C), repeat=T):
        if collapse(path, blank) == tuple(target):
            p += np.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
    return -np.log(p) if p > 0 else np.inf


# --------------------------------------------------------------------------- closed form
@pytest.mark.parametrize(
    "target, blank",
    [([1], 0), ([1, 2], 0), ([1, 1], 0), ([2, 1, 2], 0), ([], 0), ([0, 1], 2), ([1, 1, 1], 0)],
)
def test_matches_brute_force_enumeration(target, blank):
    T, C = 5, 3
    lp = random_log_probs((T, C), seed=len(target) + blank)
    expected = brute_force_nll(target, lp, blank)
    got = ctc(target, lp, blank=blank, reduction="sum")
    if np.isinf(expected):  # pragma: no cover - none of the cases above is impossible
        assert got == np.inf
    else:
        np.testing.assert_allclose(got, expected, rtol=RTOL_F64, atol=ATOL_F64)


def test_impossible_alignment_is_inf_by_brute_force_and_ctc():
    # [1, 1, 1] needs 5 frames (1 - 1 - 1); with 4 frames no alignment fits
    lp = random_log_probs((4, 3), seed=3)
    assert brute_force_nll([1, 1, 1], lp) == np.inf
    assert ctc([1, 1, 1], lp, reduction="sum") == np.inf
    assert ctc([1, 1, 1], lp, zero_infinity=True) == 0


def test_empty_target_is_all_blanks():
    lp = random_log_probs((6, 4), seed=1)
    np.testing.assert_allclose(ctc([], lp), -lp[:, 0].sum(), rtol=RTOL_F64)


def test_padding_is_never_read():
    tg, lp, il, tl = batch()
    other = np.where(np.arange(tg.shape[1])[None, :] < tl[:, None], tg, 3)
    kw = dict(input_lengths=il, target_lengths=tl, reduction="none")
    np.testing.assert_array_equal(ctc(tg, lp, **kw), ctc(other, lp, **kw))


def test_batch_equals_single_sequences():
    tg, lp, il, tl = batch()
    per_seq = ctc(tg, lp, input_lengths=il, target_lengths=tl, reduction="none")
    for n in range(len(il)):
        single = ctc(tg[n, : tl[n]], lp[: il[n], n], reduction="sum")
        np.testing.assert_allclose(per_seq[n], single, rtol=RTOL_F64)


# --------------------------------------------------------------------------- PyTorch
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_values_match_torch(reduction, zero_infinity):
    torch = pytest.importorskip("torch")
    tg, lp, il, tl = batch()
    il = il.copy()
    if zero_infinity:
        il[0] = 4  # 4 labels with a repeat need 5 frames: infinite loss
    got = ctc(tg, lp, input_lengths=il, target_lengths=tl, zero_infinity=zero_infinity, reduction=reduction)
    want = torch.nn.functional.ctc_loss(
        torch.from_numpy(lp), torch.from_numpy(np.where(tg < 0, 0, tg)), torch.from_numpy(il),
        torch.from_numpy(tl), zero_infinity=zero_infinity, reduction=reduction,
    ).numpy()
    np.testing.assert_allclose(got, want, rtol=RTOL_F64, atol=ATOL_F64)


def test_unbatched_matches_torch():
    torch = pytest.importorskip("torch")
    lp = random_log_probs((9, 6), seed=5)
    tg = np.array([3, 3, 1, 5])
    want = torch.nn.functional.ctc_loss(
        torch.from_numpy(lp), torch.from_numpy(tg), torch.tensor(9), torch.tensor(4), reduction="mean"
    )
    np.testing.assert_allclose(ctc(tg, lp), want.item(), rtol=RTOL_F64)


def test_impossible_without_zero_infinity_matches_torch():
    torch = pytest.importorskip("torch")
    lp = random_log_probs((3, 1, 3), seed=2)
    tg = np.array([[1, 1, 1]])
    lengths = dict(input_lengths=np.array([3]), target_lengths=np.array([3]))
    x = torch.from_numpy(lp).requires_grad_()
    loss = torch.nn.functional.ctc_loss(x, torch.from_numpy(tg), torch.tensor([3]), torch.tensor([3]), reduction="sum")
    loss.backward()
    assert ctc(tg, lp, reduction="sum", **lengths) == loss.item() == np.inf
    assert np.all(np.isnan(ctc.grad(tg, lp, reduction="sum", **lengths))) and torch.isnan(x.grad).all()
    np.testing.assert_array_equal(ctc.grad(tg, lp, zero_infinity=True, **lengths), 0)


def test_long_sequence_is_finite_and_matches_torch():
    # T = 400 frames: the probability of one alignment is ~ (1/30)^400 = 1e-591,
    # far below the smallest double; only log-space recursions survive.
    torch = pytest.importorskip("torch")
    T, C = 400, 30
    lp = random_log_probs((T, 1, C), seed=7)
    tg = np.random.default_rng(7).integers(1, C, size=(1, 60))
    lengths = dict(input_lengths=np.array([T]), target_lengths=np.array([60]))
    got = ctc(tg, lp, reduction="sum", **lengths)
    want = torch.nn.functional.ctc_loss(
        torch.from_numpy(lp), torch.from_numpy(tg), torch.tensor([T]), torch.tensor([60]), reduction="sum"
    ).item()
    assert np.isfinite(got) and got > 600
    np.testing.assert_allclose(got, want, rtol=RTOL_F64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_log_probs_match_torch(dtype):
    # logits of +-1e4 give log-probabilities of 0 and -2e4; exact zeros (-inf) are allowed
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    logits = rng.choice([-1e4, 1e4], size=(8, 2, 4))
    logits[:, :, 0] = 0.0
    lp = log_softmax(logits).astype(dtype)
    lp[2, 0, 3] = -np.inf
    tg = np.array([[1, 2, 3], [3, 3, 0]])
    il, tl = np.array([8, 8]), np.array([3, 2])
    got = ctc(tg, lp, input_lengths=il, target_lengths=tl, reduction="none")
    grad = ctc.grad(tg, lp, input_lengths=il, target_lengths=tl, reduction="sum")
    want = torch.nn.functional.ctc_loss(
        torch.from_numpy(lp.astype(np.float64)), torch.from_numpy(tg), torch.from_numpy(il),
        torch.from_numpy(tl), reduction="none",
    ).numpy()
    assert got.dtype == dtype and grad.dtype == dtype
    assert np.all(np.isfinite(got)) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(got, want, rtol=RTOL_F32 if dtype == np.float32 else RTOL_F64)


# --------------------------------------------------------------------------- gradients
def small_batch():
    # spread 0.3: every probability stays well below 1, so the log-probabilities stay
    # below -2h and the finite-difference points remain valid log-probabilities
    lp = random_log_probs((6, 2, 4), seed=11, spread=0.3)
    assert lp.max() < -0.1
    return np.array([[1, 1, 2], [3, 2, 0]]), lp, np.array([6, 5]), np.array([3, 2])


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_grad_matches_central_difference(reduction):
    tg, lp, il, tl = small_batch()
    kw = dict(input_lengths=il, target_lengths=tl, reduction=reduction)
    fd = central_difference(lambda x: ctc(tg, x, **kw), lp)
    np.testing.assert_allclose(ctc.grad(tg, lp, **kw), fd, rtol=RTOL_FD, atol=ATOL_FD)


def test_grad_none_is_grad_of_sum():
    tg, lp, il, tl = small_batch()
    kw = dict(input_lengths=il, target_lengths=tl)
    np.testing.assert_array_equal(ctc.grad(tg, lp, reduction="none", **kw), ctc.grad(tg, lp, reduction="sum", **kw))


def test_single_sequence_grad_matches_central_difference():
    lp = random_log_probs((5, 3), seed=12, spread=0.3)
    assert lp.max() < -0.1
    fd = central_difference(lambda x: ctc([2, 1], x), lp)
    np.testing.assert_allclose(ctc.grad([2, 1], lp), fd, rtol=RTOL_FD, atol=ATOL_FD)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_grad_through_log_softmax_matches_torch_autograd(reduction):
    # Torch's ctc backward is only correct after log_softmax (see the next test), so
    # both gradients are chained through it to the raw logits before comparing.
    torch = pytest.importorskip("torch")
    tg, _, il, tl = batch()
    logits = np.random.default_rng(9).normal(size=(12, 4, 5))
    lp = log_softmax(logits)
    g = ctc.grad(tg, lp, input_lengths=il, target_lengths=tl, reduction=reduction)
    g_logits = g - np.exp(lp) * g.sum(axis=-1, keepdims=True)  # log_softmax's Jacobian^T
    z = torch.from_numpy(logits).requires_grad_()
    torch.nn.functional.ctc_loss(
        torch.log_softmax(z, -1), torch.from_numpy(np.where(tg < 0, 0, tg)), torch.from_numpy(il),
        torch.from_numpy(tl), reduction=reduction,
    ).backward()
    np.testing.assert_allclose(g_logits, z.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


def test_torch_leaf_gradient_is_softmax_minus_posterior():
    # What the docstring claims about PyTorch: differentiating ctc_loss with respect to
    # log_probs as a leaf gives y - gamma, not the true derivative -gamma.
    torch = pytest.importorskip("torch")
    lp = random_log_probs((7, 1, 4), seed=13)
    tg = np.array([[1, 3, 3]])
    x = torch.from_numpy(lp).requires_grad_()
    torch.nn.functional.ctc_loss(x, torch.from_numpy(tg), torch.tensor([7]), torch.tensor([3]), reduction="sum").backward()
    ours = ctc.grad(tg, lp, input_lengths=[7], target_lengths=[3], reduction="sum")
    np.testing.assert_allclose(x.grad.numpy(), np.exp(lp) + ours, rtol=RTOL_F64, atol=ATOL_F64)


def test_posteriors_sum_to_one_per_frame():
    # -grad is the posterior over classes at each frame: it sums to 1 where the frame is used
    tg, lp, il, tl = batch()
    g = ctc.grad(tg, lp, input_lengths=il, target_lengths=tl, reduction="sum")
    used = np.arange(lp.shape[0])[:, None] < il[None, :]
    np.testing.assert_allclose(-g.sum(axis=-1)[used], 1.0, rtol=1e-12)
    np.testing.assert_array_equal(g[~used], 0.0)


# --------------------------------------------------------------------------- dtype, NaN, speed
def test_float32_preserved():
    tg, lp, il, tl = batch()
    lp32 = lp.astype(np.float32)
    kw = dict(input_lengths=il, target_lengths=tl)
    loss32 = ctc(tg, lp32, **kw)
    assert loss32.dtype == np.float32
    assert ctc.grad(tg, lp32, **kw).dtype == np.float32
    assert ctc(tg, lp32, reduction="none", **kw).dtype == np.float32
    np.testing.assert_allclose(loss32, ctc(tg, lp, **kw), rtol=RTOL_F32)


def test_nan_in_nan_out():
    lp = random_log_probs((5, 3), seed=0)
    lp[2, 0] = np.nan  # the blank is on every path
    assert np.isnan(ctc([1, 2], lp))
    assert np.isnan(ctc.grad([1, 2], lp)).any()


def test_batch_of_realistic_size_is_fast():
    # T=50, N=8, S=10, C=20: the loop is over time only, states and batch are vectorized
    rng = np.random.default_rng(0)
    lp = random_log_probs((50, 8, 20), seed=0)
    tg = rng.integers(1, 20, size=(8, 10))
    kw = dict(input_lengths=np.full(8, 50), target_lengths=rng.integers(5, 11, size=8))
    start = time.perf_counter()
    ctc(tg, lp, **kw)
    ctc.grad(tg, lp, **kw)
    # generous bound (milliseconds in practice) so that a loaded machine does not fail it
    assert time.perf_counter() - start < 1.0


# --------------------------------------------------------------------------- malformed
LP = random_log_probs((6, 2, 4), seed=0)
OK = dict(input_lengths=[6, 6], target_lengths=[2, 2])


@pytest.mark.parametrize(
    "targets, log_probs, kwargs, message",
    [
        ([[1, 0], [2, 3]], LP, OK, r"ctc: targets must not contain the blank index 0 \(CTC inserts blanks itself\), got it in sequence 0 at position 1"),
        ([[1, 4], [2, 3]], LP, OK, r"ctc: targets must hold class indices in \[0, 3\], got 4"),
        ([[1, 2], [2, 3]], -LP, OK, r"ctc: log_probs must hold log-probabilities <= 0 \(e.g. the output of log_softmax over the classes\), got 1\.\d+"),
        ([[1, 2], [2, 3]], LP, {}, r"ctc: input_lengths and target_lengths are required for a batch \(log_probs of shape \(T, N, C\)\); pass arrays of shape \(2,\)"),
        ([[1, 2], [2, 3]], LP, dict(input_lengths=[6, 6], target_lengths=[2, 3]), r"ctc: target_lengths must lie in \[0, 2\], got 3"),
        ([[1, 2], [2, 3]], LP, dict(input_lengths=[7, 6], target_lengths=[2, 2]), r"ctc: input_lengths must lie in \[1, 6\], got 7"),
        ([[1, 2], [2, 3]], LP, dict(input_lengths=[0, 6], target_lengths=[2, 2]), r"ctc: input_lengths must lie in \[1, 6\], got 0"),
        ([[1, 2], [2, 3]], LP, dict(input_lengths=[6], target_lengths=[2, 2]), r"ctc: input_lengths must have shape \(2,\) \(one length per sequence\), got shape \(1,\)"),
        ([1, 2], LP, OK, r"ctc: targets must have shape \(N, S\) padded label sequences, with log_probs \(T, N, C\), got shape \(2,\)"),
        ([[1, 2], [2, 3]], LP[0, 0], OK, r"ctc: log_probs must have shape \(T, C\) for one sequence or \(T, N, C\) for a batch, got shape \(4,\)"),
        ([[1, 2], [2, 3]], LP, dict(OK, blank=4), r"ctc: blank must be an integer class index in \[0, 3\], got 4"),
        ([[1.5, 2], [2, 3]], LP, OK, r"ctc: targets must hold integer class indices, got non-integer values"),
        ([[1, 2], [2, 3]], LP, dict(OK, reduction="avg"), r"ctc: reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
        ([[1, 2], [2, 3]], LP, dict(OK, zero_infinity=1), r"ctc: zero_infinity must be True or False, got 1"),
    ],
)
def test_malformed_calls_raise(targets, log_probs, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ctc(targets, log_probs, **kwargs)
    with pytest.raises(ValueError, match=message):
        ctc.grad(targets, log_probs, **kwargs)


def test_tiny_positive_rounding_is_accepted():
    lp = np.log(np.array([[1.0, 0.0], [0.5, 0.5]]) + 1e-300)
    lp[0, 0] = 4e-16  # log of a probability that rounded to 1 + 1 ulp
    assert np.isfinite(ctc([1], lp))


def test_keras_ctc_is_the_unnormalized_batch_mean():
    # Keras 3: batch first, logits (log-probabilities are their own log-softmax), blank 0
    # also pads the targets, every frame used, the mean of l_n without the division by
    # target length, and float32 internally.
    keras = pytest.importorskip("keras")
    tg, lp, _, tl = batch()
    T, N, _ = lp.shape
    padded = np.where(tg < 0, 0, tg)
    ours = ctc(padded, lp, input_lengths=np.full(N, T), target_lengths=tl, reduction="none")
    theirs = keras.losses.CTC()(padded, np.transpose(lp, (1, 0, 2)))
    np.testing.assert_allclose(float(theirs), ours.mean(), rtol=RTOL_F32)
