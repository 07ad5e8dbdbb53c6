"""Tests of lossbook.losses.metric against PyTorch, closed forms and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from lossbook.losses.metric import (
    contrastive,
    cosine_embedding,
    hinge_embedding,
    info_nce,
    margin_ranking,
    nt_xent,
    symmetric_info_nce,
    triplet,
)
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
    _check_two_towers_against_torch(info_nce, lambda F, z, labels: F.cross_entropy(z, labels, reduction=reduction),
                                    temperature, reduction, seed=5)


def _check_two_towers_against_torch(fn, reference, temperature, reduction, seed):
    """Value and both gradients of ``fn(q, k)`` against PyTorch autograd of
    ``reference(F, z, labels)``, with ``z = q k^T / temperature`` and ``labels = 0..N-1``."""
    torch = pytest.importorskip("torch")
    g = rng(seed)
    q, k = g.normal(size=(7, 5)), g.normal(size=(7, 5))
    tq, tk = t64(q), t64(k)
    want = reference(torch.nn.functional, tq @ tk.T / temperature, torch.arange(7))
    got = fn(q, k, temperature=temperature, reduction=reduction)
    np.testing.assert_allclose(got, want.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    want.sum().backward()  # "none": the gradient of the sum
    dq, dk = fn.grad(q, k, temperature=temperature, reduction=reduction)
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


# --------------------------------------------------------------------------- hinge embedding
def _hinge_embedding_data():
    y = np.array([1, -1, -1, 1, -1, -1, 1, -1])
    d = np.array([0.3, 0.2, 1.7, 2.5, 0.9, 0.6, 0.0, 3.0])  # none within 2e-3 of margins 1, 0.5, 2
    return y, d


@pytest.mark.parametrize("margin", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_embedding_matches_torch(margin, reduction):
    torch = pytest.importorskip("torch")
    y, d = _hinge_embedding_data()
    td = t64(d)
    want = torch.nn.functional.hinge_embedding_loss(td, torch.tensor(y, dtype=torch.float64), margin=margin, reduction=reduction)
    np.testing.assert_allclose(hinge_embedding(y, d, margin=margin, reduction=reduction), want.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    want.sum().backward()
    np.testing.assert_allclose(hinge_embedding.grad(y, d, margin=margin, reduction=reduction), td.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_embedding_grad_matches_central_difference(reduction):
    y, d = _hinge_embedding_data()
    d = d + 0.01  # the similar pair at d = 0: keep d - 2h >= 0
    g = hinge_embedding.grad(y, d, reduction=reduction)
    if reduction == "none":
        fd = elementwise_central_difference(lambda x: hinge_embedding(y, x, reduction="none"), d)
    else:
        fd = central_difference(lambda x: hinge_embedding(y, x, reduction=reduction), d)
    np.testing.assert_allclose(g, fd, rtol=RTOL_FD, atol=ATOL_FD)


def test_hinge_embedding_differs_from_torch_where_the_docstring_says():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    # PyTorch takes a label 0 silently as both branches, d + max(0, m - d); lossbook raises
    got = F.hinge_embedding_loss(torch.tensor([0.25]), torch.tensor([0.0]), reduction="sum").item()
    assert got == 0.25 + 0.75
    with pytest.raises(ValueError, match=r"^hinge_embedding: y_true must hold -1 or \+1, got 0"):
        hinge_embedding([0], [0.25])
    # at the kink d = margin of a dissimilar pair PyTorch's autograd passes -1, lossbook 0
    td = t64([1.0])
    F.hinge_embedding_loss(td, torch.tensor([-1.0], dtype=torch.float64), margin=1.0).backward()
    assert td.grad.item() == -1.0 and hinge_embedding.grad([-1], [1.0]) == 0.0


def test_hinge_embedding_extremes():
    for dtype in (np.float32, np.float64):
        d = np.array([1e30, 1e30, 0.0, np.inf], dtype)
        v = hinge_embedding([1, -1, -1, -1], d, margin=2.0, reduction="none")
        assert v.dtype == dtype
        np.testing.assert_array_equal(v, np.array([1e30, 0.0, 2.0, 0.0], dtype))
        np.testing.assert_array_equal(hinge_embedding.grad([1, -1, -1, -1], d, margin=2.0, reduction="none"), [1, 0, -1, 0])


# --------------------------------------------------------------------------- symmetric InfoNCE
@pytest.mark.parametrize("temperature", [0.07, 0.5, 2.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_symmetric_info_nce_matches_torch(temperature, reduction):
    def clip(F, z, labels):  # CLIP's loss: cross-entropy over the rows and over the columns
        return (F.cross_entropy(z, labels, reduction=reduction) + F.cross_entropy(z.T, labels, reduction=reduction)) / 2

    _check_two_towers_against_torch(symmetric_info_nce, clip, temperature, reduction, seed=21)


def test_symmetric_info_nce_is_the_mean_of_info_nce_both_ways():
    g = rng(22)
    q, k = g.normal(size=(6, 4)), g.normal(size=(6, 4))
    both = (info_nce(q, k, reduction="none") + info_nce(k, q, reduction="none")) / 2
    np.testing.assert_allclose(symmetric_info_nce(q, k, reduction="none"), both, rtol=1e-12)
    (aq, ak), (bk, bq) = info_nce.grad(q, k, reduction="sum"), info_nce.grad(k, q, reduction="sum")
    dq, dk = symmetric_info_nce.grad(q, k, reduction="sum")
    np.testing.assert_allclose(dq, (aq + bq) / 2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dk, (ak + bk) / 2, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_symmetric_info_nce_grad_matches_central_difference(reduction):
    g = rng(23)
    q, k = g.normal(size=(4, 3)), g.normal(size=(4, 3))
    dq, dk = symmetric_info_nce.grad(q, k, temperature=0.5, reduction=reduction)
    # with "none", the gradient of the sum
    red = "sum" if reduction == "none" else reduction
    np.testing.assert_allclose(dq, central_difference(lambda x: symmetric_info_nce(x, k, temperature=0.5, reduction=red), q), rtol=RTOL_FD, atol=ATOL_FD)
    np.testing.assert_allclose(dk, central_difference(lambda x: symmetric_info_nce(q, x, temperature=0.5, reduction=red), k), rtol=RTOL_FD, atol=ATOL_FD)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_symmetric_info_nce_huge_logits_are_finite(dtype):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    g = rng(24)
    q = (100 * g.normal(size=(5, 3))).astype(dtype)
    k = (100 * g.normal(size=(5, 3))).astype(dtype)
    got = symmetric_info_nce(q, k, temperature=0.01, reduction="none")
    z = torch.from_numpy(q.astype(np.float64) @ k.T.astype(np.float64)) / 0.01
    want = ((F.cross_entropy(z, torch.arange(5), reduction="none") + F.cross_entropy(z.T, torch.arange(5), reduction="none")) / 2).numpy()
    assert got.dtype == dtype and np.all(np.isfinite(got))
    assert all(d.dtype == dtype and np.all(np.isfinite(d)) for d in symmetric_info_nce.grad(q, k, temperature=0.01))
    np.testing.assert_allclose(got, want, rtol=RTOL_F32 if dtype == np.float32 else RTOL_F64, atol=1e-3 if dtype == np.float32 else ATOL_F64)


# --------------------------------------------------------------------------- NT-Xent
@pytest.fixture(scope="module")
def optax_ntxent():
    """jax, and optax's ntxent value and gradient, jitted: one compilation per shape and dtype.

    (Op by op, JAX compiles every small operation anew: seconds per call.)
    """
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
    return jax, jax.jit(jax.value_and_grad(optax.losses.ntxent))


NT_XENT_LABELS = [  # six rows each, so one compilation serves them all
    [0, 0, 1, 1, 2, 2],  # SimCLR's pairs
    [2, 0, 1, 0, 2, 1],  # shuffled pairs
    [0, 1, 0, 1, 0, 3],  # triples and a singleton
    [4, 4, 4, 4, 4, 4],  # one group: no negatives, every pair's loss is 0
]


def test_nt_xent_matches_optax(optax_ntxent):
    jax, value_and_grad = optax_ntxent
    x = rng(25).normal(size=(6, 4))
    with jax.enable_x64(True):  # float64 inside this test only
        for labels in NT_XENT_LABELS:
            for temperature in (0.07, 0.5):
                want, want_grad = value_and_grad(jax.numpy.asarray(x), jax.numpy.asarray(labels), temperature)
                assert want.dtype == jax.numpy.float64
                np.testing.assert_allclose(nt_xent(x, labels, temperature=temperature), float(want), rtol=RTOL_F64, atol=ATOL_F64)
                np.testing.assert_allclose(nt_xent.grad(x, labels, temperature=temperature), np.asarray(want_grad), rtol=RTOL_F64, atol=ATOL_F64)


def test_nt_xent_float32_and_a_zero_row_match_optax(optax_ntxent):
    jax, value_and_grad = optax_ntxent
    x = rng(26).normal(size=(6, 3)).astype(np.float32)
    x[1] = 0.0  # optax clips its squared norm at float32's eps: similarity 0, no NaN
    labels = [0, 0, 1, 1, 2, 2]
    want, want_grad = value_and_grad(jax.numpy.asarray(x), jax.numpy.asarray(labels), 0.1)
    got, g = nt_xent(x, labels, temperature=0.1), nt_xent.grad(x, labels, temperature=0.1)
    assert got.dtype == np.float32 and g.dtype == np.float32
    np.testing.assert_allclose(got, float(want), rtol=RTOL_F32)
    # the zero row's gradient is 1/sqrt(eps) times the others' scale: compare relative to it
    np.testing.assert_allclose(g, np.asarray(want_grad), rtol=1e-4, atol=1e-4 * np.abs(g).max())


def test_nt_xent_grad_matches_central_difference():
    x = rng(27).normal(size=(7, 3))
    labels = [0, 1, 0, 1, 0, 1, 3]
    g = nt_xent.grad(x, labels, temperature=0.3)
    np.testing.assert_allclose(g, central_difference(lambda e: nt_xent(e, labels, temperature=0.3), x), rtol=RTOL_FD, atol=ATOL_FD)


def test_nt_xent_is_exact_where_optax_overflows(optax_ntxent):
    jax, value_and_grad = optax_ntxent
    # rows 0 and 1 coincide; row 2 (same label) is orthogonal; row 3 (other label) opposite
    x = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    labels = [0, 0, 0, 1]
    # closed form: pairs (0,1), (1,0): softplus(-2 / tau); (0,2), (1,2): softplus(-1 / tau);
    # (2,0), (2,1): softplus(0) = log 2 (row 2's only negative has similarity 0)
    for tau in (0.5, 1e-3):
        sp = lambda t: np.logaddexp(0.0, t)  # noqa: E731
        expected = (2 * sp(-2 / tau) + 2 * sp(-1 / tau) + 2 * np.log(2.0)) / 6
        np.testing.assert_allclose(nt_xent(x, labels, temperature=tau), expected, rtol=RTOL_F64)
        assert np.all(np.isfinite(nt_xent.grad(x, labels, temperature=tau)))
    with jax.enable_x64(True):  # optax: log 0 for the pairs (0, 2), (1, 2) at tau = 1e-3
        value, grad = value_and_grad(jax.numpy.asarray(x), jax.numpy.asarray(labels), 1e-3)
        assert float(value) == -np.inf and np.all(np.isnan(np.asarray(grad)))


# --------------------------------------------------------------------------- malformed (new losses)
@pytest.mark.parametrize(
    "fn, args, kwargs, message",
    [
        (hinge_embedding, ([1, 0], [0.5, 0.5]), {}, r"hinge_embedding: y_true must hold -1 or \+1, got 0 \(for 0/1 labels pass 2\*y - 1\)"),
        (hinge_embedding, ([1, -1], [0.5, -0.5]), {}, r"hinge_embedding: distance must hold distances >= 0 \(e.g. L1 norms of embedding differences\), got -0.5"),
        (hinge_embedding, ([1, -1], [[0.5, 0.5]]), {}, r"hinge_embedding: y_true and distance must have the same shape, got y_true \(2,\) and distance \(1, 2\)"),
        (hinge_embedding, ([1], [0.5]), dict(margin=-1.0), r"hinge_embedding: margin must be >= 0, got -1.0"),
        (symmetric_info_nce, (E, np.ones((3, 3))), {}, r"symmetric_info_nce: queries and keys must have the same shape, got queries \(2, 3\) and keys \(3, 3\)"),
        (symmetric_info_nce, (E[0], E[0]), {}, r"symmetric_info_nce: queries must have shape \(N, D\), got shape \(3,\)"),
        (symmetric_info_nce, (E, E), dict(temperature=-0.1), r"symmetric_info_nce: temperature must be > 0, got -0.1"),
        (nt_xent, (E, [0, 1]), {}, r"nt_xent: labels must give at least one positive pair \(two rows with the same label\), got 2 distinct label\(s\); optax returns NaN"),
        (nt_xent, (E, [0, 0, 1]), {}, r"nt_xent: labels must have shape \(N,\) = \(2,\), one group label per row of embeddings, got shape \(3,\)"),
        (nt_xent, (E[0], [0, 0, 1]), {}, r"nt_xent: embeddings must have shape \(N, D\), got shape \(3,\)"),
        (nt_xent, (E, [0.5, 0.5]), {}, r"nt_xent: labels must hold integer class labels, got non-integer values"),
        (nt_xent, (E, [0, 0]), dict(temperature=0), r"nt_xent: temperature must be > 0, got 0"),
    ],
)
def test_new_metric_losses_malformed_calls_raise(fn, args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fn(*args, **kwargs)
    with pytest.raises(ValueError, match=message):
        fn.grad(*args, **kwargs)

