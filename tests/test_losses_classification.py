"""Tests of lossbook.losses.classification and lossbook.losses.divergence.

Reference values come from PyTorch (float64), Keras (float64 losses), scikit-learn,
SciPy, closed forms and 4th-order central differences, never from the code under test.
"""

from __future__ import annotations

import os
import tracemalloc
import warnings

import numpy as np
import pytest

from lossbook.losses.classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    focal,
    hinge,
    multiclass_hinge,
    squared_hinge,
)
from lossbook.losses.divergence import kl_divergence
from tests._tools import (
    ATOL_F64,
    ATOL_FD,
    RTOL_F32,
    RTOL_F64,
    RTOL_FD,
    central_difference,
    elementwise_central_difference,
)

REDUCTIONS = ("mean", "sum", "none")
N, C = 6, 4


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras")


def _rng(seed=0):
    return np.random.default_rng(seed)


def _data():
    """Shared float64 inputs: probabilities away from 0/1, logits, labels, soft labels."""
    r = _rng()
    return {
        "p": r.uniform(0.05, 0.95, size=(N, C)),
        "soft": r.uniform(0.0, 1.0, size=(N, C)),
        "hard": r.integers(0, 2, size=(N, C)).astype(np.float64),
        "z": r.normal(scale=2.0, size=(N, C)),
        "labels": r.integers(0, C, size=N),
        "w": r.uniform(0.2, 2.0, size=C),
        "wel": r.uniform(0.2, 2.0, size=(N, C)),
    }


def _t(torch, x, grad=False):
    return torch.tensor(np.asarray(x), dtype=torch.float64, requires_grad=grad)


def _torch_reduce(torch, v, reduction):
    return v.mean() if reduction == "mean" else v.sum() if reduction == "sum" else v


def _close(actual, expected, rtol=RTOL_F64, atol=ATOL_F64):
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected, rtol=rtol, atol=atol)


def _autograd(torch, f, x):
    """d sum(f(x)) / dx with torch autograd (for reduction "none": each element's own)."""
    xt = _t(torch, x, grad=True)
    f(xt).sum().backward()
    return xt.grad.numpy()


# --------------------------------------------------------------------------- binary cross-entropy
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", ["soft", "hard"])
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(torch, reduction, target, weighted):
    F = torch.nn.functional
    d = _data()
    y, p = d[target], d["p"]
    w = d["wel"] if weighted else None
    wt = None if w is None else _t(torch, w)

    def ref(pt):
        return F.binary_cross_entropy(pt, _t(torch, y), weight=wt, reduction=reduction)

    _close(binary_cross_entropy(y, p, weight=w, reduction=reduction), ref(_t(torch, p)).detach().numpy())
    _close(binary_cross_entropy.grad(y, p, weight=w, reduction=reduction), _autograd(torch, ref, p))


def test_bce_clamps_log_at_minus_100_like_torch_and_keras_clips(torch, keras):
    F = torch.nn.functional
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-9])
    expected = F.binary_cross_entropy(_t(torch, p), _t(torch, y), reduction="none").numpy()
    _close(binary_cross_entropy(y, p, reduction="none"), expected)
    assert expected[0] == 100.0  # PyTorch's clamp, not inf
    # Keras clips p to [1e-7, 1 - 1e-7]: a certain mistake costs -log(1e-7) = 16.1, not 100
    k = keras.losses.BinaryCrossentropy(dtype="float64", reduction="none")
    keras_vals = np.asarray(k(y[:, None], p[:, None]))
    _close(binary_cross_entropy(y, p, eps=1e-7, reduction="none"), keras_vals)
    _close(keras_vals[0], -np.log(1e-7))
    assert binary_cross_entropy([1.0], [0.0]) != binary_cross_entropy([1.0], [0.0], eps=1e-7)


def test_bce_matches_sklearn_log_loss():
    from_sklearn = pytest.importorskip("sklearn.metrics")
    r = _rng(1)
    y = r.integers(0, 2, size=50)
    p = r.uniform(0.01, 0.99, size=50)
    _close(binary_cross_entropy(y, p), from_sklearn.log_loss(y, p, labels=[0, 1]))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("eps", [None, 1e-7])
def test_bce_grad_central_difference(reduction, eps):
    d = _data()
    y, p, w = d["soft"], np.clip(d["p"], 0.1, 0.9), d["wel"]
    g = binary_cross_entropy.grad(y, p, weight=w, eps=eps, reduction=reduction)
    fd = central_difference(lambda q: binary_cross_entropy(y, q, weight=w, eps=eps, reduction=reduction), p)
    _close(g, fd, rtol=RTOL_FD, atol=ATOL_FD)


def test_bce_grad_in_clamped_region_is_zero_where_torch_uses_1e12(torch):
    # log(1e-50) = -115 < -100: the clamped loss is flat there, so its slope is 0;
    # PyTorch's backward divides by max(p (1 - p), 1e-12) and reports -1e12.
    F = torch.nn.functional
    p = np.array([1e-50])
    assert binary_cross_entropy.grad([1.0], p, reduction="sum")[0] == 0.0
    torch_grad = _autograd(torch, lambda q: F.binary_cross_entropy(q, _t(torch, [1.0]), reduction="sum"), p)
    _close(torch_grad, [-1e12])


# --------------------------------------------------------------------------- BCE with logits
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [None, "scalar", "per_class"])
@pytest.mark.parametrize("target", ["soft", "hard"])
def test_bce_with_logits_matches_torch(torch, reduction, pos_weight, target):
    F = torch.nn.functional
    d = _data()
    y, z = d[target], d["z"]
    pw = {None: None, "scalar": 2.5, "per_class": d["w"]}[pos_weight]
    pwt = None if pw is None else _t(torch, pw)

    def ref(zt):
        return F.binary_cross_entropy_with_logits(zt, _t(torch, y), pos_weight=pwt, reduction=reduction)

    _close(
        binary_cross_entropy_with_logits(y, z, pos_weight=pw, reduction=reduction),
        ref(_t(torch, z)).detach().numpy(),
    )
    _close(
        binary_cross_entropy_with_logits.grad(y, z, pos_weight=pw, reduction=reduction),
        _autograd(torch, ref, z),
    )


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_bce_with_logits_grad_central_difference(reduction):
    d = _data()
    y, z, pw = d["soft"], d["z"], d["w"]
    g = binary_cross_entropy_with_logits.grad(y, z, pos_weight=pw, reduction=reduction)
    fd = central_difference(
        lambda x: binary_cross_entropy_with_logits(y, x, pos_weight=pw, reduction=reduction), z
    )
    _close(g, fd, rtol=RTOL_FD, atol=ATOL_FD)
    # "none": each element's derivative of its own loss
    g_none = binary_cross_entropy_with_logits.grad(y, z, pos_weight=pw, reduction="none")
    fd_none = elementwise_central_difference(
        lambda x: binary_cross_entropy_with_logits(y, x, pos_weight=pw, reduction="none"), z
    )
    _close(g_none, fd_none, rtol=RTOL_FD, atol=ATOL_FD)


def test_bce_with_logits_equals_bce_of_sigmoid():
    d = _data()
    y, z = d["soft"], d["z"]
    p = 1 / (1 + np.exp(-z))
    _close(
        binary_cross_entropy_with_logits(y, z, reduction="none"),
        binary_cross_entropy(y, p, reduction="none"),
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_minus_20_is_not_zero(dtype, torch):
    closed_form = np.log1p(np.exp(-20.0))  # -log(1 - sigmoid(-20)) = 2.0611536e-9
    got = binary_cross_entropy_with_logits(np.zeros(1, dtype), np.full(1, -20.0, dtype), reduction="none")
    assert got.dtype == dtype
    _close(got, [closed_form], rtol=RTOL_F32 if dtype == np.float32 else RTOL_F64, atol=0)
    # PyTorch's form (1 - y) z - log sigmoid(z) cancels to exactly 0 in float32
    F = torch.nn.functional
    t32 = F.binary_cross_entropy_with_logits(torch.tensor([-20.0]), torch.tensor([0.0]))
    assert t32.item() == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_extreme_logits_exact(dtype):
    z = np.array([1e4, -1e4, 1e4, -1e4, 1e4], dtype)
    y = np.array([1, 0, 0, 1, 0.5], dtype)
    # closed form: softplus(1e4) = 1e4 exactly in floating point, softplus(-1e4) = 0
    loss = binary_cross_entropy_with_logits(y, z, reduction="none")
    assert loss.dtype == dtype
    np.testing.assert_array_equal(loss, np.array([0, 0, 1e4, 1e4, 5e3], dtype))
    pw = binary_cross_entropy_with_logits(y, z, pos_weight=3.0, reduction="none")
    np.testing.assert_array_equal(pw, np.array([0, 0, 1e4, 3e4, 5e3], dtype))
    g = binary_cross_entropy_with_logits.grad(y, z, reduction="none")
    assert g.dtype == dtype
    np.testing.assert_array_equal(g, np.array([0, 0, 1, -1, 0.5], dtype))


def test_bce_with_logits_infinite_logits_give_limits(torch):
    z = np.array([np.inf, -np.inf, np.inf, -np.inf, np.inf, -np.inf])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = binary_cross_entropy_with_logits(y, z, pos_weight=2.0, reduction="none")
        g = binary_cross_entropy_with_logits.grad(y, z, pos_weight=2.0, reduction="none")
    np.testing.assert_array_equal(loss, [0, 0, np.inf, np.inf, np.inf, np.inf])
    # limits of (1 - y) sigmoid(z) - pw y sigmoid(-z)
    np.testing.assert_array_equal(g, [0, 0, 1, -2, 0.5, -1])
    # PyTorch gives NaN here (0 * inf inside its formula)
    F = torch.nn.functional
    assert torch.isnan(F.binary_cross_entropy_with_logits(_t(torch, z[:2]), _t(torch, y[:2]))).item()


def test_bce_with_logits_pos_weight_broadcasts_over_last_axis():
    d = _data()
    y, z, pw = d["hard"], d["z"], d["w"]
    loss = binary_cross_entropy_with_logits(y, z, pos_weight=pw, reduction="none")
    # by hand: pw_c y softplus(-z) + (1 - y) softplus(z), class c = column
    sp = np.logaddexp(0, z)
    sp_neg = np.logaddexp(0, -z)
    _close(loss, pw[None, :] * y * sp_neg + (1 - y) * sp)


def test_bce_with_logits_matches_keras(keras):
    d = _data()
    y, z = d["soft"], d["z"]
    k = keras.losses.BinaryCrossentropy(from_logits=True, dtype="float64")
    _close(binary_cross_entropy_with_logits(y, z), float(k(y, z)))


# --------------------------------------------------------------------------- cross-entropy
def _ce_case(kind):
    d = _data()
    z = d["z"]
    if kind == "labels":
        y = d["labels"].copy()
    elif kind == "ignored":
        y = d["labels"].copy()
        y[[1, 4]] = -100
    else:  # probabilities: soft rows that sum to 1
        y = d["soft"] / d["soft"].sum(axis=1, keepdims=True)
    return y, z, d["w"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["labels", "ignored", "probs"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_matches_torch(torch, reduction, kind, weighted, smoothing):
    F = torch.nn.functional
    y, z, w = _ce_case(kind)
    w = w if weighted else None
    wt = None if w is None else _t(torch, w)
    yt = torch.tensor(y) if kind != "probs" else _t(torch, y)

    def ref(zt):
        return F.cross_entropy(zt, yt, weight=wt, label_smoothing=smoothing, reduction=reduction)

    kw = dict(weight=w, label_smoothing=smoothing, reduction=reduction)
    _close(cross_entropy(y, z, **kw), ref(_t(torch, z)).detach().numpy())
    _close(cross_entropy.grad(y, z, **kw), _autograd(torch, ref, z))


def test_cross_entropy_ignore_index_a_real_class(torch):
    # ignore_index may name a valid class; weights, smoothing and the weighted mean at once
    F = torch.nn.functional
    y, z, w = _ce_case("labels")
    y[0] = 1
    kw = dict(weight=w, ignore_index=1, label_smoothing=0.3)
    expected = F.cross_entropy(
        _t(torch, z), torch.tensor(y), weight=_t(torch, w), ignore_index=1, label_smoothing=0.3
    )
    _close(cross_entropy(y, z, **kw), expected.item())
    # the weighted mean divides by the total weight of the kept targets
    kept = y != 1
    _close(cross_entropy(y, z, **kw, reduction="sum") / w[y[kept]].sum(), expected.item())


@pytest.mark.parametrize("kind", ["ignored", "probs"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_grad_central_difference(kind, reduction):
    y, z, w = _ce_case(kind)
    kw = dict(weight=w, label_smoothing=0.1, reduction=reduction)
    g = cross_entropy.grad(y, z, **kw)
    fd = central_difference(lambda x: cross_entropy(y, x, **kw), z)
    _close(g, fd, rtol=RTOL_FD, atol=ATOL_FD)
    # "none": row i's derivative of its own loss; rows are independent, so these stack
    # to the derivative of the sum
    kw["reduction"] = "none"
    g_none = cross_entropy.grad(y, z, **kw)
    kw["reduction"] = "sum"
    _close(g_none, cross_entropy.grad(y, z, **kw))


def test_cross_entropy_against_scipy_log_softmax():
    special = pytest.importorskip("scipy.special")
    y, z, _ = _ce_case("labels")
    expected = -special.log_softmax(z, axis=1)[np.arange(N), y]
    _close(cross_entropy(y, z, reduction="none"), expected)
    _close(cross_entropy(y, z, label_smoothing=0.0), expected.mean())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_one_hot_equals_labels(reduction, smoothing):
    y, z, w = _ce_case("labels")
    one_hot = np.eye(C)[y]
    kw = dict(label_smoothing=smoothing, reduction=reduction)
    _close(cross_entropy(one_hot, z, **kw), cross_entropy(y, z, **kw))
    _close(cross_entropy.grad(one_hot, z, **kw), cross_entropy.grad(y, z, **kw))
    # integer one-hot rows are probabilities too
    _close(cross_entropy(one_hot.astype(int), z, **kw), cross_entropy(y, z, **kw))


def test_cross_entropy_weighted_mean_differs_between_labels_and_probabilities(torch):
    # PyTorch's own two conventions: labels divide by sum of w_y, probabilities by N.
    F = torch.nn.functional
    y, z, w = _ce_case("labels")
    one_hot = np.eye(C)[y]
    by_labels = cross_entropy(y, z, weight=w)
    by_probs = cross_entropy(one_hot, z, weight=w)
    _close(by_labels, F.cross_entropy(_t(torch, z), torch.tensor(y), weight=_t(torch, w)).item())
    _close(by_probs, F.cross_entropy(_t(torch, z), _t(torch, one_hot), weight=_t(torch, w)).item())
    _close(by_probs * N / w[y].sum(), by_labels)
    assert not np.isclose(by_labels, by_probs)
    _close(
        cross_entropy(one_hot, z, weight=w, reduction="sum"),
        cross_entropy(y, z, weight=w, reduction="sum"),
    )


def test_cross_entropy_label_smoothing_is_a_smoothed_target():
    y, z, w = _ce_case("labels")
    a = 0.3
    smoothed = (1 - a) * np.eye(C)[y] + a / C
    _close(
        cross_entropy(y, z, label_smoothing=a, reduction="none"),
        cross_entropy(smoothed, z, reduction="none"),
    )


def test_cross_entropy_all_ignored_is_nan_like_torch(torch, keras):
    F = torch.nn.functional
    z = _data()["z"][:2]
    y = np.array([-100, -100])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = cross_entropy(y, z)
        g = cross_entropy.grad(y, z)
    assert np.isnan(got)
    assert torch.isnan(F.cross_entropy(_t(torch, z), torch.tensor(y))).item()
    assert np.all(np.isnan(g))
    assert cross_entropy(y, z, reduction="sum") == 0.0
    # Keras divides by (number of valid rows + 1e-7): 0 here instead of NaN
    k = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-100, dtype="float64")
    assert float(k(y, z)) == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_extreme_logits(dtype, torch):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype)
    y = np.array([1, 0])
    loss = cross_entropy(y, z, reduction="none")
    assert loss.dtype == dtype
    # closed form: -log softmax = max - z_y + log(sum exp(z - max)); exp(-2e4) = 0
    np.testing.assert_array_equal(loss, np.array([2e4, 2e4 + np.log(2)], dtype))
    g = cross_entropy.grad(y, z, reduction="none")
    assert g.dtype == dtype
    np.testing.assert_allclose(g, [[1, -1, 0], [-1, 0.5, 0.5]], rtol=0, atol=1e-7)
    smooth = cross_entropy(y, z, label_smoothing=0.1, reduction="none")
    assert smooth.dtype == dtype and np.all(np.isfinite(smooth))
    ref = torch.nn.functional.cross_entropy(
        _t(torch, z), torch.tensor(y), label_smoothing=0.1, reduction="none"
    )
    _close(smooth, ref.numpy(), rtol=RTOL_F32 if dtype == np.float32 else RTOL_F64)


def test_cross_entropy_masked_logits(torch):
    F = torch.nn.functional
    z = np.array([[0.0, -np.inf, 1.0], [0.0, -np.inf, 1.0]])
    y = np.array([0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy(y, z, reduction="none")
        probs_loss = cross_entropy(np.eye(3)[[0, 2]], z, reduction="none")
    expected = F.cross_entropy(_t(torch, z), torch.tensor(y), reduction="none").numpy()
    _close(loss, expected)
    assert loss[1] == np.inf  # the label's class has probability 0
    # a probability target of 0 on a masked class contributes 0; PyTorch gives NaN (0 * -inf)
    _close(probs_loss, np.logaddexp(0, 1) - np.array([0.0, 1.0]))
    torch_probs = F.cross_entropy(_t(torch, z), _t(torch, np.eye(3)[[0, 2]]), reduction="none")
    assert torch.isnan(torch_probs).all().item()


def test_cross_entropy_matches_keras(keras):
    y, z, _ = _ce_case("labels")
    one_hot = np.eye(C)[y]
    cat = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, dtype="float64")
    _close(cross_entropy(y, z, label_smoothing=0.2), float(cat(one_hot, z)))
    sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")
    _close(cross_entropy(y, z), float(sparse(y, z)))
    # default from_logits=False: Keras expects probabilities and takes their log
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    _close(cross_entropy(y, z), float(keras.losses.SparseCategoricalCrossentropy(dtype="float64")(y, p)))
    # ignore_class: Keras divides by (valid rows + 1e-7), torch and lossbook by valid rows
    yi, _, _ = _ce_case("ignored")
    k = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-100, dtype="float64")
    valid = np.sum(yi != -100)
    _close(float(k(yi, z)), cross_entropy(yi, z) * valid / (valid + 1e-7))


def test_cross_entropy_matches_sklearn_log_loss():
    metrics = pytest.importorskip("sklearn.metrics")
    y, z, _ = _ce_case("labels")
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    _close(cross_entropy(y, np.log(p)), metrics.log_loss(y, p, labels=np.arange(C)))


def test_cross_entropy_memory():
    r = _rng(2)
    n, c = 512, 4096
    z = r.standard_normal((n, c), dtype=np.float32)
    y = r.integers(0, c, size=n)
    w = r.uniform(0.5, 1.5, size=c).astype(np.float32)
    probs = np.full((n, c), 1.0 / c, dtype=np.float32)

    def peak(f):
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            f()
            return (tracemalloc.get_traced_memory()[1] - base) / z.nbytes
        finally:
            tracemalloc.stop()

    assert peak(lambda: cross_entropy(y, z, weight=w, label_smoothing=0.1)) <= 2.5
    assert peak(lambda: cross_entropy(probs, z, weight=w, label_smoothing=0.1)) <= 2.5
    # the gradient: its output (one copy) plus vectors
    assert peak(lambda: cross_entropy.grad(y, z, weight=w, label_smoothing=0.1)) <= 1.5
    assert peak(lambda: cross_entropy.grad(probs, z, weight=w, label_smoothing=0.1)) <= 1.5


# --------------------------------------------------------------------------- focal loss
def _torchvision_focal(torch, x, y, gamma, alpha, reduction):
    """torchvision.ops.sigmoid_focal_loss, written out (torchvision is not a dependency)."""
    F = torch.nn.functional
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha is not None:  # torchvision: `if alpha >= 0`, default alpha = 0.25
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return _torch_reduce(torch, loss, reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.5])
@pytest.mark.parametrize("alpha", [None, 0.25, 1.0])
@pytest.mark.parametrize("target", ["soft", "hard"])
def test_focal_matches_torchvision_formula(torch, reduction, gamma, alpha, target):
    d = _data()
    y, z = d[target], d["z"]

    def ref(zt):
        return _torchvision_focal(torch, zt, _t(torch, y), gamma, alpha, reduction)

    kw = dict(gamma=gamma, alpha=alpha, reduction=reduction)
    _close(focal(y, z, **kw), ref(_t(torch, z)).detach().numpy())
    _close(focal.grad(y, z, **kw), _autograd(torch, ref, z))


@pytest.mark.parametrize("gamma", [0.5, 2.0])
def test_focal_grad_central_difference(gamma):
    d = _data()
    y, z = d["soft"], d["z"]
    kw = dict(gamma=gamma, alpha=0.25)
    fd = central_difference(lambda x: focal(y, x, **kw), z)
    _close(focal.grad(y, z, **kw), fd, rtol=RTOL_FD, atol=ATOL_FD)
    _close(
        focal.grad(y, z, **kw, reduction="none"),
        elementwise_central_difference(lambda x: focal(y, x, **kw, reduction="none"), z),
        rtol=RTOL_FD,
        atol=ATOL_FD,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_focal_gamma_zero_is_bce_with_logits(reduction):
    d = _data()
    y, z = d["soft"], d["z"]
    _close(
        focal(y, z, gamma=0.0, reduction=reduction),
        binary_cross_entropy_with_logits(y, z, reduction=reduction),
    )
    _close(
        focal.grad(y, z, gamma=0.0, reduction=reduction),
        binary_cross_entropy_with_logits.grad(y, z, reduction=reduction),
    )


def test_focal_matches_keras(keras):
    d = _data()
    y, z = d["hard"], d["z"]
    plain = keras.losses.BinaryFocalCrossentropy(from_logits=True, gamma=2.0, dtype="float64")
    _close(focal(y, z, gamma=2.0), float(plain(y, z)))  # Keras ignores alpha by default
    balanced = keras.losses.BinaryFocalCrossentropy(
        from_logits=True, gamma=1.5, alpha=0.3, apply_class_balancing=True, dtype="float64"
    )
    _close(focal(y, z, gamma=1.5, alpha=0.3), float(balanced(y, z)))


def test_focal_keras_float32_loses_confident_examples(keras):
    # closed form for y = 0, z = -20: sigmoid(-20)^2 * softplus(-20), about 8.8e-27
    closed = (np.exp(-20) / (1 + np.exp(-20))) ** 2 * np.log1p(np.exp(-20))
    ours = focal(np.zeros((1, 1), np.float32), np.full((1, 1), -20.0, np.float32), reduction="none")
    assert ours.dtype == np.float32
    _close(ours[0, 0], closed, rtol=RTOL_F32, atol=0)
    k = keras.losses.BinaryFocalCrossentropy(from_logits=True, gamma=2.0, dtype="float32", reduction=None)
    assert float(np.asarray(k(np.zeros((1, 1), np.float32), np.full((1, 1), -20.0, np.float32)))[0]) == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_focal_extreme_logits(dtype, gamma):
    z = np.array([1e4, -1e4, 1e4, -1e4, np.inf, -np.inf, np.inf, -np.inf, np.inf], dtype)
    y = np.array([1, 0, 0, 1, 1, 0, 0, 1, 0.5], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = focal(y, z, gamma=gamma, alpha=0.25, reduction="none")
        g = focal.grad(y, z, gamma=gamma, alpha=0.25, reduction="none")
    assert loss.dtype == dtype and g.dtype == dtype
    # right: 0; wrong: (1 - p_t) = 1, so alpha_t * 1e4 or inf; y = 0.5: 1 - p_t = 0.5
    expected = np.array([0, 0, 0.75e4, 0.25e4, 0, 0, np.inf, np.inf, np.inf], dtype)
    np.testing.assert_array_equal(loss, expected)
    # slopes: alpha_t (1 - p_t)^g (sigma(z) - y) at the limit (the other term vanishes)
    g_expected = np.array([0, 0, 0.75, -0.25, 0, 0, 0.75, -0.25, 0.5 * 0.5**gamma * 0.5], dtype)
    np.testing.assert_allclose(g, g_expected, rtol=1e-6, atol=0)


# --------------------------------------------------------------------------- hinge losses
def _pm1_case():
    r = _rng(3)
    y = r.choice([-1.0, 1.0], size=20)
    s = r.normal(scale=1.5, size=20)
    s[np.abs(1 - y * s) < 0.02] += 0.1  # keep the kink out of finite-difference stencils
    return y, s


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_hinge_matches_torch(torch, reduction, margin):
    y, s = _pm1_case()

    def ref_h(st):
        return _torch_reduce(torch, torch.clamp(margin - _t(torch, y) * st, min=0), reduction)

    def ref_sq(st):
        return _torch_reduce(torch, torch.clamp(margin - _t(torch, y) * st, min=0) ** 2, reduction)

    _close(hinge(y, s, margin=margin, reduction=reduction), ref_h(_t(torch, s)).detach().numpy())
    _close(hinge.grad(y, s, margin=margin, reduction=reduction), _autograd(torch, ref_h, s))
    _close(squared_hinge(y, s, margin=margin, reduction=reduction), ref_sq(_t(torch, s)).detach().numpy())
    _close(squared_hinge.grad(y, s, margin=margin, reduction=reduction), _autograd(torch, ref_sq, s))


@pytest.mark.parametrize("loss", [hinge, squared_hinge])
def test_hinge_grad_central_difference(loss):
    y, s = _pm1_case()
    assert np.min(np.abs(1 - y * s)) > 1e-2  # no kink within the difference stencil
    _close(loss.grad(y, s), central_difference(lambda x: loss(y, x), s), rtol=RTOL_FD, atol=ATOL_FD)


def test_hinge_matches_sklearn_and_keras(keras):
    metrics = pytest.importorskip("sklearn.metrics")
    y, s = _pm1_case()
    _close(hinge(y, s), metrics.hinge_loss(y, s))
    _close(hinge(y, s), float(keras.losses.Hinge(dtype="float64")(y, s)))
    _close(squared_hinge(y, s), float(keras.losses.SquaredHinge(dtype="float64")(y, s)))


def test_hinge_zero_one_labels_raise_where_keras_and_sklearn_convert(keras):
    metrics = pytest.importorskip("sklearn.metrics")
    y01 = np.array([0.0, 1.0, 1.0, 0.0])
    s = np.array([0.3, 0.4, -2.0, -0.7])
    message = r"^hinge: y_true must hold -1 or \+1, got 0 \(for 0/1 labels pass 2\*y - 1\)$"
    with pytest.raises(ValueError, match=message):
        hinge(y01, s)
    # both silently map 0 -> -1; the loss they return is the one on 2y - 1
    _close(float(keras.losses.Hinge(dtype="float64")(y01, s)), hinge(2 * y01 - 1, s))
    _close(float(keras.losses.SquaredHinge(dtype="float64")(y01, s)), squared_hinge(2 * y01 - 1, s))
    _close(metrics.hinge_loss(y01, s), hinge(2 * y01 - 1, s))
    # the bug this guards against: with y = 0 the hinge is the margin, whatever the score
    _close(np.maximum(0, 1 - y01 * s)[y01 == 0], [1.0, 1.0])


def test_hinge_at_margin_is_zero_and_infinite_scores():
    assert hinge([1, -1], [1.0, -3.0]) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = hinge([1, -1, 1, -1], [np.inf, -np.inf, -np.inf, np.inf], reduction="none")
    np.testing.assert_array_equal(loss, [0, 0, np.inf, np.inf])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 2.0])
def test_multiclass_hinge_matches_torch_crammer_singer(torch, reduction, margin):
    d = _data()
    y, s = d["labels"], d["z"]
    rows = torch.arange(N)

    def ref(st):
        true = st[rows, torch.tensor(y)]
        others = st.masked_fill(torch.nn.functional.one_hot(torch.tensor(y), C).bool(), float("-inf"))
        return _torch_reduce(torch, torch.clamp(margin + others.max(dim=1).values - true, min=0), reduction)

    _close(multiclass_hinge(y, s, margin=margin, reduction=reduction), ref(_t(torch, s)).detach().numpy())
    _close(multiclass_hinge.grad(y, s, margin=margin, reduction=reduction), _autograd(torch, ref, s))


def test_multiclass_hinge_grad_central_difference():
    d = _data()
    y, s = d["labels"], d["z"]
    fd = central_difference(lambda x: multiclass_hinge(y, x), s)
    _close(multiclass_hinge.grad(y, s), fd, rtol=RTOL_FD, atol=ATOL_FD)


def test_multiclass_hinge_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    r = _rng(4)
    y = r.integers(0, 5, size=40)
    s = r.normal(size=(40, 5))
    _close(multiclass_hinge(y, s), metrics.hinge_loss(y, s, labels=np.arange(5)))


def test_multiclass_hinge_is_not_torch_multimargin(torch):
    # nn.MultiMarginLoss is Weston-Watkins: sum over every wrong class, divided by C
    s = np.array([[2.0, 1.5, 1.2], [0.0, 1.0, 3.0]])
    y = np.array([0, 2])
    ww = torch.nn.functional.multi_margin_loss(_t(torch, s), torch.tensor(y)).item()
    by_hand = (max(0, 1 - 2 + 1.5) + max(0, 1 - 2 + 1.2) + 0 + 0) / 3 / 2
    _close(ww, by_hand)
    _close(multiclass_hinge(y, s), (max(0, 1 + 1.5 - 2) + max(0, 1 + 1 - 3)) / 2)
    assert not np.isclose(multiclass_hinge(y, s), ww)


def test_multiclass_hinge_vs_keras_categorical_hinge(keras):
    k = keras.losses.CategoricalHinge(dtype="float64")
    # some wrong score is positive: Keras equals Crammer-Singer
    s = np.array([[0.8, 0.5, -0.5]])
    _close(float(k(np.array([[1.0, 0, 0]]), s)), multiclass_hinge([0], s))
    # every wrong score negative: Keras takes max((1 - t) s) = 0 (the true class's
    # masked entry), Crammer-Singer the largest wrong score -0.5
    s = np.array([[0.8, -2.0, -0.5]])
    _close(float(k(np.array([[1.0, 0, 0]]), s)), 1 + 0 - 0.8)
    _close(multiclass_hinge([0], s), 0.0)


def test_multiclass_hinge_two_classes_is_binary_hinge():
    r = _rng(5)
    s = r.normal(size=10)
    y = r.integers(0, 2, size=10)
    scores = np.stack([np.zeros(10), s], axis=1)
    _close(multiclass_hinge(y, scores, reduction="none"), hinge(2 * y - 1, s, reduction="none"))


# --------------------------------------------------------------------------- KL divergence
def _kl_case():
    d = _data()
    p = d["soft"] / d["soft"].sum(axis=1, keepdims=True)
    q = d["p"] / d["p"].sum(axis=1, keepdims=True)
    p[0, 1] = 0.0  # 0 log 0 = 0
    p[0] /= p[0].sum()
    return p, q


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss:UserWarning")
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "mean", "none"])
def test_kl_matches_torch(torch, reduction):
    F = torch.nn.functional
    p, q = _kl_case()

    def ref(qt):  # note the order: log of the prediction first, target second
        return F.kl_div(qt.log(), _t(torch, p), reduction=reduction)

    _close(kl_divergence(p, q, reduction=reduction), ref(_t(torch, q)).detach().numpy())
    _close(kl_divergence.grad(p, q, reduction=reduction), _autograd(torch, ref, q))


@pytest.mark.parametrize("reduction", ["batchmean", "mean"])
def test_kl_grad_central_difference(reduction):
    p, q = _kl_case()
    g = kl_divergence.grad(p, q, reduction=reduction)
    # h = 1e-4: q has entries near 0.023, and the truncation error of the stencil grows
    # like h^4 / q^5 (about 4e-5 at h = 1e-3 against slopes near 10, 4e-9 at h = 1e-4)
    fd = central_difference(lambda x: kl_divergence(p, x, reduction=reduction), q, h=1e-4)
    _close(g, fd, rtol=RTOL_FD, atol=ATOL_FD)


def test_kl_matches_scipy_and_keras(keras):
    special = pytest.importorskip("scipy.special")
    stats = pytest.importorskip("scipy.stats")
    p, q = _kl_case()
    _close(kl_divergence(p, q, reduction="none"), special.rel_entr(p, q))
    _close(kl_divergence(p, q, reduction="sum"), stats.entropy(p, q, axis=1).sum())
    k = keras.losses.KLDivergence(dtype="float64")
    _close(kl_divergence(p, q, eps=1e-7), float(k(p, q)))
    # the zero in p is clipped to 1e-7 by Keras and adds 1e-7 log(1e-7 / q)
    assert not np.isclose(kl_divergence(p, q), float(k(p, q)), rtol=1e-9, atol=0)


def test_kl_zeros_and_torch_nan(torch):
    F = torch.nn.functional
    p = np.array([[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]])
    q = np.array([[0.0, 0.5, 0.5], [0.0, 0.5, 0.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = kl_divergence(p, q, reduction="none")
        g = kl_divergence.grad(p, q, reduction="none")
    np.testing.assert_array_equal(loss, [[0, 0, 0], [np.inf, 0, 0]])
    np.testing.assert_array_equal(g, [[0, -1, -1], [-np.inf, -1, 0]])
    # PyTorch: 0 * log(0) = 0 * -inf = NaN at p = q = 0
    assert torch.isnan(F.kl_div(_t(torch, q[:1]).log(), _t(torch, p[:1]), reduction="sum")).item()


def test_kl_tiny_q_does_not_overflow():
    p = np.array([[1.0, 0.0]])
    q = np.array([[1e-310, 1.0]])  # p / q overflows; log p - log q does not
    _close(kl_divergence(p, q), -np.log(1e-310))


def test_cross_entropy_is_entropy_plus_kl():
    stats = pytest.importorskip("scipy.stats")
    p, q = _kl_case()
    h = stats.entropy(p, axis=1)
    ce = cross_entropy(p, np.log(q), reduction="none")
    _close(ce, h + kl_divergence(p, q, reduction="none").sum(axis=1))
    assert kl_divergence(p, p) == 0.0


# --------------------------------------------------------------------------- shared properties
def _calls():
    """(loss, args, kwargs) for every loss, float64, NaN-free."""
    d = _data()
    y_pm1, s = _pm1_case()
    p, q = _kl_case()
    return [
        (binary_cross_entropy, (d["soft"], d["p"]), {}),
        (binary_cross_entropy_with_logits, (d["soft"], d["z"]), {"pos_weight": d["w"]}),
        (cross_entropy, (d["labels"], d["z"]), {"weight": d["w"], "label_smoothing": 0.1}),
        (cross_entropy, (p, d["z"]), {}),
        (focal, (d["soft"], d["z"]), {"alpha": 0.25}),
        (hinge, (y_pm1, s), {}),
        (squared_hinge, (y_pm1, s), {}),
        (multiclass_hinge, (d["labels"], d["z"]), {}),
        (kl_divergence, (p, q), {}),
    ]


@pytest.mark.parametrize("i", range(9))
def test_float32_in_float32_out(i):
    loss, (a, b), kw = _calls()[i]
    b32 = b.astype(np.float32)
    a32 = a.astype(np.float32) if a.dtype.kind == "f" else a
    kw32 = {k: (v.astype(np.float32) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    for reduction in ("mean", "none"):
        red = {} if reduction == "mean" else {"reduction": reduction}
        v = loss(a32, b32, **kw32, **red)
        g = loss.grad(a32, b32, **kw32, **red)
        assert v.dtype == np.float32 and g.dtype == np.float32
        _close(v, loss(a, b, **kw, **red), rtol=RTOL_F32, atol=1e-6)
        _close(g, loss.grad(a, b, **kw, **red), rtol=RTOL_F32, atol=1e-6)


@pytest.mark.parametrize("i", range(9))
def test_nan_in_nan_out(i):
    loss, (a, b), kw = _calls()[i]
    b = b.copy()
    b.flat[0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(loss(a, b, **kw))
        assert np.isnan(loss.grad(a, b, **kw).flat[0])


def test_registered_kinds():
    from lossbook.losses import _core

    assert {"binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "focal", "hinge",
            "squared_hinge", "multiclass_hinge"} <= set(_core.available("classification"))
    assert "kl_divergence" in _core.available("divergence")
    assert _core.get("cross_entropy") is cross_entropy


def test_perfect_predictions_cost_nothing():
    assert binary_cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert binary_cross_entropy_with_logits([1.0, 0.0], [np.inf, -np.inf]) == 0.0
    assert cross_entropy([0, 1], [[np.inf, 0.0], [0.0, np.inf]]) == 0.0  # the limit
    assert cross_entropy([0, 1], [[0.0, -np.inf], [-np.inf, 0.0]]) == 0.0
    assert multiclass_hinge([0], [[3.0, 1.0, 2.0]]) == 0.0


# --------------------------------------------------------------------------- malformed calls
Z = [[0.1, 0.2, 0.3], [0.0, 1.0, 2.0]]
MALFORMED = [
    (
        cross_entropy, ([0, 3], Z), {},
        r"^cross_entropy: y_true must hold class labels in \[0, 2\] \(or ignore_index=-100\), got 3$",
    ),
    (
        cross_entropy, ([0, -1], Z), {},
        r"^cross_entropy: y_true must hold class labels in \[0, 2\] \(or ignore_index=-100\), got -1$",
    ),
    (
        cross_entropy, ([0.5, 1], Z), {},
        r"^cross_entropy: y_true must hold integer class labels, got non-integer values$",
    ),
    (
        cross_entropy, ([0, 1, 2], [0.1, 0.2, 0.3]), {},
        r"^cross_entropy: logits must have shape \(N, C\), got shape \(3,\) "
        r"\(for one sample pass logits\[None, :\] and \[label\]\)$",
    ),
    (
        cross_entropy, ([[0.5, 0.5], [0.5, 0.5]], Z), {},
        r"^cross_entropy: y_true must hold class labels of shape \(N,\) = \(2,\) or class "
        r"probabilities of shape \(N, C\) = \(2, 3\) like logits, got shape \(2, 2\)$",
    ),
    (
        cross_entropy, ([[0, 1.5, 0], [1, 0, 0]], Z), {},
        r"^cross_entropy: y_true must hold probabilities in \[0, 1\], got 1.5$",
    ),
    (
        cross_entropy, ([0, 1], Z), {"weight": [1.0, 2.0]},
        r"^cross_entropy: weight must have shape \(3,\), got shape \(2,\)$",
    ),
    (
        cross_entropy, ([0, 1], Z), {"weight": [1.0, -2.0, 1.0]},
        r"^cross_entropy: weight must hold weights >= 0, got -2.0$",
    ),
    (
        cross_entropy, ([0, 1], Z), {"label_smoothing": 1.5},
        r"^cross_entropy: label_smoothing must be in \[0, 1\], got 1.5$",
    ),
    (
        cross_entropy, ([0, 1], Z), {"reduction": "batchmean"},
        r"^cross_entropy: reduction must be one of 'mean', 'sum', 'none', got 'batchmean'$",
    ),
    (
        cross_entropy, ([], np.zeros((0, 3))), {},
        r"^cross_entropy: logits must not be empty, got shape \(0, 3\)$",
    ),
    (
        binary_cross_entropy, ([1.0, 0.0], [1.2, 0.5]), {},
        r"^binary_cross_entropy: y_pred must hold probabilities in \[0, 1\], got 1.2$",
    ),
    (
        binary_cross_entropy, ([-0.1, 0.0], [0.2, 0.5]), {},
        r"^binary_cross_entropy: y_true must hold probabilities in \[0, 1\], got -0.1$",
    ),
    (
        binary_cross_entropy, ([1.0, 0.0], [0.2, 0.5]), {"eps": 0.7},
        r"^binary_cross_entropy: eps must be None or a number in \(0, 0.5\), got 0.7$",
    ),
    (
        binary_cross_entropy, ([1.0, 0.0], [0.2, 0.5]), {"weight": [1.0]},
        r"^binary_cross_entropy: weight must have shape \(2,\), got shape \(1,\)$",
    ),
    (
        binary_cross_entropy, ([[1.0], [0.0]], [0.2, 0.5]), {},
        r"^binary_cross_entropy: y_true and y_pred must have the same shape, "
        r"got y_true \(2, 1\) and y_pred \(2,\) \(they hold",
    ),
    (
        binary_cross_entropy_with_logits, ([1.0, 2.0], [0.2, 0.5]), {},
        r"^binary_cross_entropy_with_logits: y_true must hold probabilities in \[0, 1\], got 2.0$",
    ),
    (
        binary_cross_entropy_with_logits, (np.ones((2, 3)), np.zeros((2, 3))), {"pos_weight": [1.0, 2.0]},
        r"^binary_cross_entropy_with_logits: pos_weight must be a scalar or have shape "
        r"\(C,\) = \(3,\), one weight per entry of the last axis of logits \(2, 3\), got shape \(2,\)$",
    ),
    (
        binary_cross_entropy_with_logits, ([1.0], [0.5]), {"pos_weight": -1.0},
        r"^binary_cross_entropy_with_logits: pos_weight must hold weights >= 0, got -1.0$",
    ),
    (
        binary_cross_entropy_with_logits, ([1.0], ["a"]), {},
        r"^binary_cross_entropy_with_logits: logits must hold real numbers, got dtype <U1$",
    ),
    (focal, ([1.0], [0.5]), {"gamma": -1.0}, r"^focal: gamma must be >= 0, got -1.0$"),
    (
        focal, ([1.0], [0.5]), {"alpha": 1.5},
        r"^focal: alpha must be None or a number in \[0, 1\], got 1.5$",
    ),
    (
        focal, ([1.0], [0.5]), {"reduction": "avg"},
        r"^focal: reduction must be one of 'mean', 'sum', 'none', got 'avg'$",
    ),
    (
        hinge, ([1, 0, -1], [0.5, 0.5, 0.5]), {},
        r"^hinge: y_true must hold -1 or \+1, got 0 \(for 0/1 labels pass 2\*y - 1\)$",
    ),
    (
        squared_hinge, ([1, 2], [0.5, 0.5]), {},
        r"^squared_hinge: y_true must hold -1 or \+1, got 2 \(for 0/1 labels pass 2\*y - 1\)$",
    ),
    (hinge, ([1, -1], [0.5, 0.5]), {"margin": -1.0}, r"^hinge: margin must be >= 0, got -1.0$"),
    (
        multiclass_hinge, ([0, 1, 2], [0.1, 0.2, 0.3]), {},
        r"^multiclass_hinge: scores must have shape \(N, C\), got shape \(3,\) "
        r"\(for one sample pass scores\[None, :\] and \[label\]\)$",
    ),
    (
        multiclass_hinge, ([0, 1, 2], Z), {},
        r"^multiclass_hinge: y_true must hold class labels of shape \(N,\) = \(2,\), got shape \(3,\)$",
    ),
    (
        multiclass_hinge, ([0], [[1.0]]), {},
        r"^multiclass_hinge: scores must have at least 2 classes \(columns\), got shape \(1, 1\)$",
    ),
    (
        kl_divergence, ([[0.5, 0.5]], [[1.5, -0.5]]), {},
        r"^kl_divergence: q must hold probabilities in \[0, 1\], got 1.5$",
    ),
    (
        kl_divergence, ([0.5, 0.5], [0.5, 0.5]), {},
        r"^kl_divergence: p and q must have shape \(N, C\), one distribution per row, got shape "
        r"\(2,\) \(for one distribution pass p\[None, :\] and q\[None, :\]\)$",
    ),
    (
        kl_divergence, ([[0.5, 0.5]], [[0.5, 0.25, 0.25]]), {},
        r"^kl_divergence: p and q must have the same shape, got p \(1, 2\) and q \(1, 3\)",
    ),
    (
        kl_divergence, ([[0.5, 0.5]], [[0.5, 0.5]]), {"reduction": "avg"},
        r"^kl_divergence: reduction must be one of 'batchmean', 'sum', 'mean', 'none', got 'avg'$",
    ),
]


@pytest.mark.parametrize(
    "loss, args, kwargs, message", MALFORMED, ids=[f"{m[0].__name__}-{i}" for i, m in enumerate(MALFORMED)]
)
def test_malformed_calls_raise(loss, args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        loss(*args, **kwargs)
    with pytest.raises(ValueError, match=message):
        loss.grad(*args, **kwargs)


# --------------------------------------------------------------------------- +inf logits
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_with_one_infinite_logit_gives_the_limit(dtype):
    # softmax([+inf, x]) -> (1, 0) for any x < inf: the loss tends to 0 for class 0 and
    # to +inf for class 1; the gradient softmax - onehot tends to (0, 0) and (1, -1).
    z = np.array([[np.inf, -np.inf], [np.inf, 2.0], [np.inf, 2.0]], dtype=dtype)
    y = np.array([0, 0, 1])
    per_row = cross_entropy(y, z, reduction="none")
    assert per_row.dtype == dtype
    np.testing.assert_array_equal(per_row, [0.0, 0.0, np.inf])
    g = cross_entropy.grad(y, z, reduction="none")
    np.testing.assert_array_equal(g, [[0.0, 0.0], [0.0, 0.0], [1.0, -1.0]])


def test_cross_entropy_with_two_infinite_logits_has_no_limit():
    # (inf, inf): the ratio of the two logits' growth decides the limit; there is none.
    assert np.isnan(cross_entropy([0], [[np.inf, np.inf]]))


def test_torch_gives_nan_where_the_limit_exists():
    torch = pytest.importorskip("torch")
    z = torch.tensor([[float("inf"), float("-inf")]], dtype=torch.float64)
    assert torch.isnan(torch.nn.functional.cross_entropy(z, torch.tensor([0])))
    assert cross_entropy([0], z.numpy()) == 0.0
