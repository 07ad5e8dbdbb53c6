"""Tests of lossbook.losses.metric against PyTorch, closed forms and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from lossbook.losses.metric import contrastive, cosine_embedding, info_nce, margin_ranking, triplet
from tests._tools import (
    ATOL_F64,
    ATOL_FD,
    RTOL_F32,
    RTOL_F64,
    RTOL_FD,
    central_difference,
    elementwise_central_difference,
)

REDUCTIONS = ["mean", "sum", "none"]


def rng(seed=0):
    return np.random.default_rng(seed)


def t64(x):
    import torch

    return torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)


# --------------------------------------------------------------------------- contrastive
def contrastive_by_hand(s, d, m):
    """Hadsell et al. (2006), eq. (4), one pair at a time."""
    return [0.5 * d_ ** 2 if s_ == 1 else 0.5 * max(0.0, m - d_) ** 2 for s_, d_ in zip(s, d)]


@pytest.mark.parametrize("margin", [0.5, 1.0, 2.5])
def test_contrastive_matches_closed_form(margin):
    s = np.array([1, 0, 1, 0, 0, 1])
    d = np.array([0.0, 0.3, 1.7, 0.9, 3.0, 0.2])
    expected = contrastive_by_hand(s, d, margin)
    np.testing.assert_allclose(contrastive(s, d, margin=margin, reduction="none"), expected, rtol=RTOL_F64)
    np.testing.assert_allclose(contrastive(s, d, margin=margin), np.mean(expected), rtol=RTOL_F64)
    np.testing.assert_allclose(contrastive(s, d, margin=margin, reduction="sum"), np.sum(expected), rtol=RTOL_F64)


def test_contrastive_zero_where_it_should_be():
    assert contrastive([1], [0.0]) == 0  # similar pair on top of each other
    np.testing.assert_array_equal(contrastive([0, 0], [1.0, 7.0], margin=1.0, reduction="none"), 0)
    assert contrastive([0], [0.999], margin=1.0) > 0


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_contrastive_grad_matches_central_difference(reduction):
    s = np.array([1, 0, 1, 0, 0])
    d = np.array([0.4, 0.3, 1.7, 0.6, 2.0])  # none within 2h of the kink at margin
    fd = central_difference(lambda x: contrastive(s, x, reduction=reduction), d)
    np.testing.assert_allclose(contrastive.grad(s, d, reduction=reduction), fd, rtol=RTOL_FD, atol=ATOL_FD)
    fd_none = elementwise_central_difference(lambda x: contrastive(s, x, reduction="none"), d)
    np.testing.assert_allclose(contrastive.grad(s, d, reduction="none"), fd_none, rtol=RTOL_FD, atol=ATOL_FD)


# --------------------------------------------------------------------------- triplet
def triplet_inputs(seed=0, n=6, dim=4):
    g = rng(seed)
    return g.normal(size=(n, dim)), g.normal(size=(n, dim)), g.normal(size=(n, dim))


@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_triplet_values_and_grads_match_torch(p, swap, reduction):
    torch = pytest.importorskip("torch")
    a, pos, neg = triplet_inputs(p)
    kw = dict(margin=1.5, p=p, swap=swap, reduction=reduction)
    ta, tp, tn = t64(a), t64(pos), t64(neg)
    want = torch.nn.functional.triplet_margin_loss(ta, tp, tn, **kw)
    np.testing.assert_allclose(triplet(a, pos, neg, **kw), want.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    want.sum().backward()
    for ours, theirs in zip(triplet.grad(a, pos, neg, **kw), (ta.grad, tp.grad, tn.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


def test_triplet_swap_changes_the_value():
    # the negative is closer to the positive than to the anchor, so the swap matters
    a, pos, neg = np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]]), np.array([[1.8, 0.0]])
    assert triplet(a, pos, neg, swap=True) > triplet(a, pos, neg, swap=False)


def test_triplet_single_triplet_matches_torch():
    torch = pytest.importorskip("torch")
    a, pos, neg = (x[0] for x in triplet_inputs(1))
    want = torch.nn.functional.triplet_margin_loss(t64(a), t64(pos), t64(neg), margin=2.0, reduction="none")
    got = triplet(a, pos, neg, margin=2.0, reduction="none")
    assert got.shape == () and want.shape == ()
    np.testing.assert_allclose(got, want.item(), rtol=RTOL_F64)


@pytest.mark.parametrize("p, swap", [(2, False), (1, True), (3, True)])
def test_triplet_grad_matches_central_difference(p, swap):
    a, pos, neg = triplet_inputs(3, n=4, dim=3)
    kw = dict(margin=2.0, p=p, swap=swap)
    v = [triplet(a, pos, neg, reduction="none", **kw)]
    assert np.all(v[0] > 0.01)  # away from the hinge's kink
    grads = triplet.grad(a, pos, neg, **kw)
    for i, g in enumerate(grads):
        def f(x, i=i):
            args = [a, pos, neg]
            args[i] = x
            return triplet(*args, **kw)

        np.testing.assert_allclose(g, central_difference(f, [a, pos, neg][i]), rtol=RTOL_FD, atol=ATOL_FD)


def test_triplet_zero_when_negative_is_far():
    a, pos, neg = triplet_inputs(2)
    far = neg + 100.0
    assert triplet(a, pos, far, margin=1.0) == 0
    for g in triplet.grad(a, pos, far, margin=1.0):
        np.testing.assert_array_equal(g, 0)


def test_triplet_huge_embeddings_do_not_overflow():
    # |x|**2 overflows float32 above ~1.8e19; the scaled norm does not
    a = np.array([[3e20, 4e20]], dtype=np.float32)
    zero = np.zeros((1, 2), np.float32)
    d = triplet(a, zero, zero, margin=0.0, reduction="none")  # = d(a,0) - d(a,0) = 0
    assert d.dtype == np.float32 and np.all(np.isfinite(d))
    np.testing.assert_allclose(triplet(zero, zero, a, margin=0.0, reduction="none"), 0.0)
    np.testing.assert_allclose(triplet(zero, a, zero, margin=0.0, reduction="none"), 5e20, rtol=RTOL_F32)


# --------------------------------------------------------------------------- InfoNCE
@pytest.mark.parametrize("temperature", [0.07, 0.5, 2.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_info_nce_matches_torch_cross_entropy(temperature, reduction):
    torch = pytest.importorskip("torch")
    g = rng(5)
    q, k = g.normal(size=(7, 5)), g.normal(size=(7, 5))
    tq, tk = t64(q), t64(k)
    want = torch.nn.functional.cross_entropy(tq @ tk.T / temperature, torch.arange(7), reduction=reduction)
    got = info_nce(q, k, temperature=temperature, reduction=reduction)
    np.testing.assert_allclose(got, want.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    want.sum().backward()
    dq, dk = info_nce.grad(q, k, temperature=temperature, reduction=reduction)
    np.testing.assert_allclose(dq, tq.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(dk, tk.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


def test_info_nce_grad_matches_central_difference():
    g = rng(6)
    q, k = g.normal(size=(4, 3)), g.normal(size=(4, 3))
    dq, dk = info_nce.grad(q, k, temperature=0.5)
    np.testing.assert_allclose(dq, central_difference(lambda x: info_nce(x, k, temperature=0.5), q), rtol=RTOL_FD, atol=ATOL_FD)
    np.testing.assert_allclose(dk, central_difference(lambda x: info_nce(q, x, temperature=0.5), k), rtol=RTOL_FD, atol=ATOL_FD)


def test_info_nce_perfect_alignment_at_low_temperature_is_zero():
    q = np.eye(4)  # unit vectors, each orthogonal to the other keys
    assert info_nce(q, q, temperature=1e-3) < 1e-300
    assert info_nce(q, q, temperature=1.0) > 0.5  # at tau = 1 the negatives still count
    # random pairing: log N at any temperature when all logits are equal
    np.testing.assert_allclose(info_nce(np.ones((5, 2)), np.ones((5, 2)), temperature=0.3), np.log(5), rtol=RTOL_F64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_info_nce_huge_logits_are_finite(dtype):
    # logits of order 1e4 / 1e-2 = 1e6: exp overflows without the max subtraction
    torch = pytest.importorskip("torch")
    g = rng(7)
    q = (100 * g.normal(size=(5, 3))).astype(dtype)
    k = (100 * g.normal(size=(5, 3))).astype(dtype)
    got = info_nce(q, k, temperature=0.01, reduction="none")
    want = torch.nn.functional.cross_entropy(
        torch.from_numpy(q.astype(np.float64) @ k.T.astype(np.float64)) / 0.01, torch.arange(5), reduction="none"
    ).numpy()
    assert got.dtype == dtype and np.all(np.isfinite(got))
    assert all(np.all(np.isfinite(d)) for d in info_nce.grad(q, k, temperature=0.01))
    np.testing.assert_allclose(got, want, rtol=RTOL_F32 if dtype == np.float32 else RTOL_F64, atol=1e-3 if dtype == np.float32 else ATOL_F64)


# --------------------------------------------------------------------------- cosine
@pytest.mark.parametrize("margin", [-0.3, 0.0, 0.4])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_matches_torch(margin, reduction):
    torch = pytest.importorskip("torch")
    g = rng(8)
    x1, x2 = g.normal(size=(8, 3)), g.normal(size=(8, 3))
    y = np.array([1, -1, 1, -1, -1, 1, -1, -1])
    tx1, tx2 = t64(x1), t64(x2)
    want = torch.nn.functional.cosine_embedding_loss(tx1, tx2, torch.tensor(y, dtype=torch.float64), margin=margin, reduction=reduction)
    np.testing.assert_allclose(cosine_embedding(y, x1, x2, margin=margin, reduction=reduction), want.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    want.sum().backward()
    d1, d2 = cosine_embedding.grad(y, x1, x2, margin=margin, reduction=reduction)
    np.testing.assert_allclose(d1, tx1.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(d2, tx2.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


def test_cosine_embedding_zero_vector_and_single_pair_match_torch():
    torch = pytest.importorskip("torch")
    x1, x2 = np.array([[0.0, 0.0], [1.0, 2.0]]), np.array([[1.0, 1.0], [1e-7, 0.0]])
    y = np.array([1, 1])
    want = torch.nn.functional.cosine_embedding_loss(t64(x1), t64(x2), torch.tensor([1.0, 1.0]), reduction="none")
    np.testing.assert_allclose(cosine_embedding(y, x1, x2, reduction="none"), want.detach().numpy(), rtol=RTOL_F64)
    assert cosine_embedding(1, x1[0], x2[0]) == 1.0  # zero vector: cosine 0, not NaN
    want1 = torch.nn.functional.cosine_embedding_loss(t64(x1[1]), t64(x2[1]), torch.tensor(-1.0), margin=0.1)
    np.testing.assert_allclose(cosine_embedding(-1, x1[1], x2[1], margin=0.1), want1.item(), rtol=RTOL_F64)


def test_cosine_embedding_grad_matches_central_difference():
    g = rng(9)
    x1, x2 = g.normal(size=(4, 3)), g.normal(size=(4, 3))
    y = np.array([1, -1, 1, -1])
    cos = np.sum(x1 * x2, 1) / np.linalg.norm(x1, axis=1) / np.linalg.norm(x2, axis=1)
    margin = -0.9  # all dissimilar pairs active, none near the kink
    assert np.all(cos[y == -1] > margin + 0.05)
    d1, d2 = cosine_embedding.grad(y, x1, x2, margin=margin)
    np.testing.assert_allclose(d1, central_difference(lambda x: cosine_embedding(y, x, x2, margin=margin), x1), rtol=RTOL_FD, atol=ATOL_FD)
    np.testing.assert_allclose(d2, central_difference(lambda x: cosine_embedding(y, x1, x, margin=margin), x2), rtol=RTOL_FD, atol=ATOL_FD)


# --------------------------------------------------------------------------- ranking
@pytest.mark.parametrize("margin", [0.0, 0.5])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_matches_torch(margin, reduction):
    torch = pytest.importorskip("torch")
    g = rng(10)
    x1, x2 = g.normal(size=9), g.normal(size=9)
    y = np.where(g.random(9) < 0.5, -1, 1)
    tx1, tx2 = t64(x1), t64(x2)
    want = torch.nn.functional.margin_ranking_loss(tx1, tx2, torch.tensor(y, dtype=torch.float64), margin=margin, reduction=reduction)
    np.testing.assert_allclose(margin_ranking(y, x1, x2, margin=margin, reduction=reduction), want.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    want.sum().backward()
    d1, d2 = margin_ranking.grad(y, x1, x2, margin=margin, reduction=reduction)
    np.testing.assert_allclose(d1, tx1.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(d2, tx2.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


def test_margin_ranking_extreme_scores():
    for dtype in (np.float32, np.float64):
        x1 = np.array([1e4, -1e4, np.inf], dtype=dtype)
        x2 = np.array([-1e4, 1e4, 0.0], dtype=dtype)
        got = margin_ranking([1, 1, 1], x1, x2, margin=1.0, reduction="none")
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, [0.0, 2e4 + 1, 0.0])


# --------------------------------------------------------------------------- dtype and NaN
def _calls(dtype):
    g = rng(11)
    e = [g.normal(size=(3, 2)).astype(dtype) for _ in range(3)]
    s = g.normal(size=3).astype(dtype)
    return [
        (contrastive, ([1, 0, 1], np.abs(s))),
        (triplet, tuple(e)),
        (info_nce, (e[0], e[1])),
        (cosine_embedding, ([1, -1, 1], e[0], e[1])),
        (margin_ranking, ([1, -1, 1], s, s[::-1].copy())),
    ]


@pytest.mark.parametrize("i", range(5))
def test_float32_preserved(i):
    fn, args = _calls(np.float32)[i]
    _, args64 = _calls(np.float64)[i]
    assert fn(*args).dtype == np.float32
    assert fn(*args, reduction="none").dtype == np.float32
    grads = fn.grad(*args)
    for g in grads if isinstance(grads, tuple) else (grads,):
        assert g.dtype == np.float32
    np.testing.assert_allclose(fn(*args), fn(*args64), rtol=RTOL_F32)


@pytest.mark.parametrize("i", range(5))
def test_nan_in_nan_out(i):
    fn, args = _calls(np.float64)[i]
    args = [np.array(a, dtype=np.float64) for a in args]
    args[-1].flat[0] = np.nan
    assert np.isnan(fn(*args))
    grads = fn.grad(*args)
    assert any(np.isnan(g).any() for g in (grads if isinstance(grads, tuple) else (grads,)))


# --------------------------------------------------------------------------- malformed
E = np.ones((2, 3))


@pytest.mark.parametrize(
    "fn, args, kwargs, message",
    [
        (contrastive, ([1, 2], [0.5, 0.5]), {}, r"contrastive: similar must hold 1 \(similar pair\) or 0 \(dissimilar pair\), got 2 \(for -1/\+1 labels pass \(y \+ 1\) / 2\)"),
        (contrastive, ([1, -1], [0.5, 0.5]), {}, r"contrastive: similar must hold 1 .* got -1"),
        (contrastive, ([1, 0], [0.5, -0.5]), {}, r"contrastive: distance must hold distances >= 0 \(e.g. Euclidean norms of embedding differences\), got -0.5"),
        (contrastive, ([1, 0], [0.5, 0.5]), dict(margin=0), r"contrastive: margin must be > 0, got 0"),
        (contrastive, ([1, 0], [[0.5, 0.5]]), {}, r"contrastive: similar and distance must have the same shape, got similar \(2,\) and distance \(1, 2\)"),
        (triplet, (E, E, np.ones((2, 4))), {}, r"triplet: anchor and negative must have the same shape, got anchor \(2, 3\) and negative \(2, 4\)"),
        (triplet, (E, E, E), dict(p=0.5), r"triplet: p must be >= 1 \(a norm order\), got 0.5"),
        (triplet, (E[None], E[None], E[None]), {}, r"triplet: anchor must have shape \(D,\) or \(N, D\), got shape \(1, 2, 3\)"),
        (triplet, (E, E, E), dict(swap="yes"), r"triplet: swap must be True or False, got 'yes'"),
        (info_nce, (E, E), dict(temperature=0.0), r"info_nce: temperature must be > 0, got 0.0"),
        (info_nce, (E[0], E[0]), {}, r"info_nce: queries must have shape \(N, D\), got shape \(3,\)"),
        (info_nce, (E, np.ones((3, 3))), {}, r"info_nce: queries and keys must have the same shape, got queries \(2, 3\) and keys \(3, 3\)"),
        (cosine_embedding, ([1, 0], E, E), {}, r"cosine_embedding: y must hold -1 or \+1, got 0 \(for 0/1 labels pass 2\*y - 1\)"),
        (cosine_embedding, ([1, -1, 1], E, E), {}, r"cosine_embedding: y must have shape \(2,\) \(one label per pair of rows of x1 and x2 \(2, 3\)\), got shape \(3,\)"),
        (cosine_embedding, ([1, -1], E, E), dict(margin=1.5), r"cosine_embedding: margin must be in \[-1, 1\] \(a cosine\), got 1.5"),
        (margin_ranking, ([1, 0], [1.0, 2.0], [0.0, 1.0]), {}, r"margin_ranking: y must hold -1 or \+1, got 0 \(for 0/1 labels pass 2\*y - 1\)"),
        (margin_ranking, ([1, -1], [1.0, 2.0], [[0.0], [1.0]]), {}, r"margin_ranking: x1 and x2 must have the same shape, got x1 \(2,\) and x2 \(2, 1\) \(they hold the same number"),
        (margin_ranking, ([1, -1], [1.0, 2.0], [0.0, 1.0]), dict(margin=np.inf), r"margin_ranking: margin must be a finite real number, got inf"),
        (margin_ranking, ([1, -1], [1.0, 2.0], [0.0, 1.0]), dict(reduction="mena"), r"margin_ranking: reduction must be one of 'mean', 'sum', 'none', got 'mena'"),
    ],
)
def test_malformed_calls_raise(fn, args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fn(*args, **kwargs)
    with pytest.raises(ValueError, match=message):
        fn.grad(*args, **kwargs)
