"""Tests of lossbook.losses.vocabulary: chunked cross-entropy against the naive version
(cross_entropy of the materialized logits), PyTorch autograd (float64), finite
differences, and its memory, measured with tracemalloc."""

from __future__ import annotations

import re
import tracemalloc

import numpy as np
import pytest

from lossbook.losses import cross_entropy
from lossbook.losses.vocabulary import chunked_cross_entropy
from tests._tools import ATOL_F64, ATOL_FD, RTOL_F32, RTOL_F64, RTOL_FD, central_difference

REDUCTIONS = ("mean", "sum", "none")
# The bar for the chunked version against the naive one: 1e-10 in float64 (both
# are exact formulas; they differ only in the order of the sums), 1e-5 in float32.
RTOL_NAIVE_F64 = 1e-10
ATOL_NAIVE_F64 = 1e-13


def _inputs(n=40, d=8, vocabulary=37, seed=0, dtype=np.float64, ignored=(3, 17)):
    """Labels (two ignored rows), hidden states and an output embedding."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, vocabulary, n)
    y[list(ignored)] = -100
    h = rng.normal(size=(n, d)).astype(dtype)
    w = (rng.normal(size=(vocabulary, d)) / np.sqrt(d)).astype(dtype)
    return y, h, w


def _naive(y, h, w, reduction, **kw):
    """cross_entropy of the (N, V) logits, and its gradients by the chain rule."""
    z = h @ w.T
    d_z = cross_entropy.grad(y, z, reduction=reduction, **kw)
    return cross_entropy(y, z, reduction=reduction, **kw), d_z @ w, d_z.T @ h


@pytest.mark.parametrize("chunk_size", [1, 5, 16, 37, 4096])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_matches_the_naive_version_in_float64(reduction, chunk_size):
    y, h, w = _inputs()
    value, d_h, d_w = _naive(y, h, w, reduction)
    close = dict(rtol=RTOL_NAIVE_F64, atol=ATOL_NAIVE_F64)
    np.testing.assert_allclose(chunked_cross_entropy(y, h, w, chunk_size=chunk_size, reduction=reduction), value, **close)
    g_h, g_w = chunked_cross_entropy.grad(y, h, w, chunk_size=chunk_size, reduction=reduction)
    np.testing.assert_allclose(g_h, d_h, **close)
    np.testing.assert_allclose(g_w, d_w, **close)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_matches_the_naive_version_in_float32(reduction):
    y, h, w = _inputs(n=64, d=16, vocabulary=300, dtype=np.float32)
    value, d_h, d_w = _naive(y, h, w, reduction)
    got = chunked_cross_entropy(y, h, w, chunk_size=64, reduction=reduction)
    g_h, g_w = chunked_cross_entropy.grad(y, h, w, chunk_size=64, reduction=reduction)
    assert np.asarray(got).dtype == np.float32 and g_h.dtype == np.float32 and g_w.dtype == np.float32
    np.testing.assert_allclose(got, value, rtol=RTOL_F32)
    # gradients: relative to the largest entry (the smallest are sums that cancel)
    np.testing.assert_allclose(g_h, d_h, rtol=RTOL_F32, atol=RTOL_F32 * np.abs(d_h).max())
    np.testing.assert_allclose(g_w, d_w, rtol=RTOL_F32, atol=RTOL_F32 * np.abs(d_w).max())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_value_and_grads_match_torch(reduction):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    y, h, w = _inputs(seed=1)
    th = torch.tensor(h, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    want = F.cross_entropy(th @ tw.T, torch.tensor(y), ignore_index=-100, reduction=reduction)
    got = chunked_cross_entropy(y, h, w, chunk_size=8, reduction=reduction)
    np.testing.assert_allclose(got, want.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    want.sum().backward()  # "none": the gradient of the sum
    g_h, g_w = chunked_cross_entropy.grad(y, h, w, chunk_size=8, reduction=reduction)
    np.testing.assert_allclose(g_h, th.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(g_w, tw.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_grads_match_central_difference(reduction):
    y, h, w = _inputs(n=6, d=3, vocabulary=7, ignored=(2,))
    kw = dict(chunk_size=3, reduction=reduction)
    g_h, g_w = chunked_cross_entropy.grad(y, h, w, **kw)
    np.testing.assert_allclose(g_h, central_difference(lambda x: chunked_cross_entropy(y, x, w, **kw), h), rtol=RTOL_FD, atol=ATOL_FD)
    np.testing.assert_allclose(g_w, central_difference(lambda x: chunked_cross_entropy(y, h, x, **kw), w), rtol=RTOL_FD, atol=ATOL_FD)


def test_ignored_rows():
    y, h, w = _inputs()
    per = chunked_cross_entropy(y, h, w, chunk_size=5, reduction="none")
    assert per[3] == 0 and per[17] == 0 and np.all(per[y != -100] > 0)
    np.testing.assert_allclose(chunked_cross_entropy(y, h, w, chunk_size=5), per.sum() / 38, rtol=1e-12)
    g_h, _ = chunked_cross_entropy.grad(y, h, w, chunk_size=5)
    np.testing.assert_array_equal(g_h[[3, 17]], 0.0)
    # another ignore_index, which may even be a real class
    y2 = np.where(y == -100, 4, y)
    np.testing.assert_allclose(chunked_cross_entropy(y2, h, w, ignore_index=4, reduction="sum"),
                               cross_entropy(y2, h @ w.T, ignore_index=4, reduction="sum"), rtol=RTOL_NAIVE_F64)
    # every row ignored: the mean is 0 / 0 = NaN, as cross_entropy and PyTorch
    none = np.full_like(y, -100)
    assert np.isnan(chunked_cross_entropy(none, h, w)) and chunked_cross_entropy(none, h, w, reduction="sum") == 0
    assert all(np.all(np.isnan(g)) for g in chunked_cross_entropy.grad(none, h, w))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_logits_are_exact(dtype):
    """Logits of order 1e4: every exponent is <= 0, in each chunk and in the rescaling."""
    y, h, w = _inputs(n=8, d=4, vocabulary=11, dtype=dtype, ignored=())
    h = (h * 3000).astype(dtype)
    got = chunked_cross_entropy(y, h, w, chunk_size=3, reduction="none")
    assert got.dtype == dtype and np.all(np.isfinite(got))
    expected = cross_entropy(y, h.astype(np.float64) @ w.T.astype(np.float64), reduction="none")
    np.testing.assert_allclose(got, expected, rtol=RTOL_F32 if dtype == np.float32 else RTOL_NAIVE_F64, atol=1e-2 if dtype == np.float32 else 1e-9)
    assert all(np.all(np.isfinite(g)) for g in chunked_cross_entropy.grad(y, h, w, chunk_size=3))


def _peak_extra(call, outputs_bytes):
    """Peak bytes NumPy allocated during ``call()``, less its outputs (tracemalloc)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - base - outputs_bytes, result


def test_peak_memory_is_under_a_tenth_of_the_logits():
    """N = 512, V = 16384, d = 64 in float32: the logits would take 32 MiB.

    The chunk holds N x chunk_size floats (2 MiB for chunk_size = 1024, 6.25%); the
    rest is vectors of length N and one (N, d) block.  BLAS workspaces are not NumPy
    allocations and are not counted.
    """
    rng = np.random.default_rng(3)
    n, vocabulary, d = 512, 16384, 64
    y = rng.integers(0, vocabulary, n)
    h = rng.normal(size=(n, d)).astype(np.float32)
    w = (rng.normal(size=(vocabulary, d)) / 8).astype(np.float32)
    logits_bytes = n * vocabulary * 4
    extra, _ = _peak_extra(lambda: chunked_cross_entropy(y, h, w, chunk_size=1024), 0)
    assert extra < 0.1 * logits_bytes, f"value: {extra / logits_bytes:.1%} of the logits"
    extra, (g_h, g_w) = _peak_extra(lambda: chunked_cross_entropy.grad(y, h, w, chunk_size=1024),
                                    h.nbytes + w.nbytes)
    assert g_w.dtype == np.float32
    assert extra < 0.1 * logits_bytes, f"grad: {extra / logits_bytes:.1%} of the logits"


MALFORMED = [
    (lambda: chunked_cross_entropy([0, 1], np.ones((2, 3)), np.ones((5, 4))), "chunked_cross_entropy: weight must have shape (V, d) = (V, 3), one row per vocabulary entry with the width of hidden (2, 3), got shape (5, 4)"),
    (lambda: chunked_cross_entropy([0, 1], np.ones(3), np.ones((5, 3))), "chunked_cross_entropy: hidden must have shape (N, d), got shape (3,)"),
    (lambda: chunked_cross_entropy.grad([0, 1, 2], np.ones((2, 3)), np.ones((5, 3))), "chunked_cross_entropy: y_true must hold class labels of shape (N,) = (2,), one per row of hidden, got shape (3,)"),
    (lambda: chunked_cross_entropy([0, 5], np.ones((2, 3)), np.ones((5, 3))), "chunked_cross_entropy: y_true must hold class labels in [0, 4] (or ignore_index=-100), got 5"),
    (lambda: chunked_cross_entropy([0, 1], np.ones((2, 3)), np.ones((5, 3)), chunk_size=0), "chunked_cross_entropy: chunk_size must be an integer >= 1, got 0"),
    (lambda: chunked_cross_entropy([0, 1], np.ones((2, 3)), np.ones((5, 3)), ignore_index=1.5), "chunked_cross_entropy: ignore_index must be an integer, got 1.5"),
    (lambda: chunked_cross_entropy.grad([0, 1], np.ones((0, 3)), np.ones((5, 3))), "chunked_cross_entropy: hidden must not be empty, got shape (0, 3)"),
]


@pytest.mark.parametrize("call, message", MALFORMED, ids=[m[:50] for _, m in MALFORMED])
def test_malformed_calls_raise(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        call()
