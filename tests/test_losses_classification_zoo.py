"""Tests of the classification losses of the issue-8 zoo (lossbook.losses.classification).

nll, soft_margin, multilabel_soft_margin, multi_margin, multilabel_margin (PyTorch),
categorical_hinge, categorical_focal (Keras), poly1, sparsemax (optax), exponential,
modified_huber (scikit-learn).  Values are compared in float64 with the named reference
to RTOL_F64, gradients with its autograd (torch autograd, tf.GradientTape, jax.grad)
and with 4th-order central differences away from the kinks.  The generic properties
(reductions, float32, empty inputs, NaN, convexity, the facts) are checked for every
registered loss in tests/test_losses_registry.py.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from lossbook import losses
from lossbook.losses.classification import (
    binary_cross_entropy_with_logits,
    categorical_focal,
    categorical_hinge,
    cross_entropy,
    exponential,
    modified_huber,
    multi_margin,
    multiclass_hinge,
    multilabel_margin,
    multilabel_soft_margin,
    nll,
    poly1,
    soft_margin,
    sparsemax,
    squared_hinge,
)
from tests._tools import ATOL_F64, ATOL_FD, RTOL_F32, RTOL_F64, RTOL_FD, central_difference

REDUCTIONS = ("mean", "sum", "none")
N, C = 6, 4


# --------------------------------------------------------------------------- fixtures and helpers
@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras")


@pytest.fixture(scope="module")
def tf(keras):
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def jax():
    pytest.importorskip("optax")
    return pytest.importorskip("jax")


def _close(actual, expected, rtol=RTOL_F64, atol=ATOL_F64):
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64),
                               rtol=rtol, atol=atol)


def _case(name, seed=0, n=N):
    args, kwargs = losses.info(name).sample(np.random.default_rng(seed), n)
    return tuple(args), dict(kwargs)


def _torch_value_and_grad(torch, ref, x, reduction):
    """The reference's value and d sum(value) / dx (for "none": the gradient of the sum)."""
    xt = torch.tensor(np.asarray(x), dtype=torch.float64, requires_grad=True)
    value = ref(xt, reduction)
    value.sum().backward()
    return value.detach().numpy(), xt.grad.numpy()


def _check_torch(torch, loss, ref, y, x, reduction, **kw):
    value, grad = _torch_value_and_grad(torch, ref, x, reduction)
    _close(loss(y, x, **kw, reduction=reduction), value)
    _close(loss.grad(y, x, **kw, reduction=reduction), grad)


def _keras_value_and_grad(keras, tf, make, y, x, reduction):
    """Keras's loss in float64: its value for ``reduction`` and d sum(value) / dx by GradientTape."""
    loss = make(dtype="float64", reduction={"none": None, "mean": "sum_over_batch_size", "sum": "sum"}[reduction])
    xv = tf.Variable(np.asarray(x, dtype=np.float64))
    with tf.GradientTape() as tape:
        value = loss(keras.ops.convert_to_tensor(np.asarray(y, dtype=np.float64), dtype="float64"), xv)
        total = tf.reduce_sum(value)
    return np.asarray(value), tape.gradient(total, xv).numpy()


_JITTED = {}


def _optax_rows(jax, per_sample, y, x, *params):
    """optax's per-sample losses and d sum(losses) / dx, in float64 (jax.grad).

    ``per_sample(x, y, *params)`` is compiled once (jit) and reused: compiling is the
    slow part, much slower than running the tiny inputs op by op would suggest.
    """
    import jax.numpy as jnp

    with jax.enable_x64(True):
        f = _JITTED.get(per_sample)
        if f is None:
            def total(v, labels, *p):
                rows = per_sample(v, labels, *p)
                return jnp.sum(rows), rows

            f = _JITTED[per_sample] = jax.jit(jax.value_and_grad(total, has_aux=True))
        (_, rows), grad = f(jnp.asarray(np.asarray(x, dtype=np.float64)), jnp.asarray(y),
                            *map(jnp.asarray, params))
        assert rows.dtype == grad.dtype == jnp.float64
        return np.asarray(rows), np.asarray(grad)


def _reduced(rows, grad_of_sum, reduction):
    """A per-sample reference's value for ``reduction`` and its gradient (linear in the rows)."""
    if reduction == "mean":
        return rows.mean(), grad_of_sum / rows.shape[0]
    return (rows.sum() if reduction == "sum" else rows), grad_of_sum


def _fd_check(loss, args, kw, i=1):
    """The gradient against 4th-order central differences (points off the kinks)."""
    g = loss.grad(*args, **kw)
    fd = central_difference(lambda v: loss(*args[:i], v, *args[i + 1:], **kw), args[i])
    np.testing.assert_allclose(g, fd, rtol=RTOL_FD, atol=ATOL_FD, err_msg=f"{loss.__name__} {kw}")


# --------------------------------------------------------------------------- nll
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [None, -100, 2])
def test_nll_matches_torch(torch, reduction, weighted, ignore):
    F = torch.nn.functional
    (y, x), _ = _case("nll", n=8)
    y = y.copy()
    if ignore == -100:
        y[[1, 4]] = -100
    w = np.random.default_rng(1).uniform(0.2, 2.0, C) if weighted else None
    kw = {"weight": w} if weighted else {}
    if ignore is not None:
        kw["ignore_index"] = ignore

    def ref(xt, r):
        wt = None if w is None else torch.tensor(w)
        return F.nll_loss(xt, torch.tensor(y), weight=wt, ignore_index=-100 if ignore is None else ignore,
                          reduction=r)

    _check_torch(torch, nll, ref, y, x, reduction, **kw)


def test_nll_ignore_index_a_real_class_and_all_ignored_is_nan(torch):
    F = torch.nn.functional
    y = np.array([0, 1, 1, 2])
    x = np.log(np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]))
    expected = F.nll_loss(torch.tensor(x), torch.tensor(y), ignore_index=1).item()
    _close(nll(y, x, ignore_index=1), expected)
    _close(nll(y, x, ignore_index=1), -(x[0, 0] + x[3, 2]) / 2)  # the class-1 rows leave the mean
    assert np.all(nll(y, x, ignore_index=1, reduction="none")[[1, 2]] == 0)
    assert np.all(nll.grad(y, x, ignore_index=1)[[1, 2]] == 0)
    # every label ignored: 0 / 0, NaN in both
    assert np.isnan(nll([1, 1], x[:2], ignore_index=1))
    assert np.isnan(F.nll_loss(torch.tensor(x[:2]), torch.tensor([1, 1]), ignore_index=1).item())


def test_nll_of_log_softmax_is_cross_entropy():
    (y, z), _ = _case("cross_entropy")
    w = np.array([0.5, 1.0, 2.0, 1.5])
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    for reduction in REDUCTIONS:
        _close(nll(y, log_p, weight=w, reduction=reduction), cross_entropy(y, z, weight=w, reduction=reduction))


def test_nll_teaches_logits_and_shapes():
    with pytest.raises(ValueError, match=r"^nll: log_probs must hold log-probabilities <= 0 .*got 2.0 "
                                         r"\(for logits use cross_entropy"):
        nll([0], [[2.0, -1.0]])
    with pytest.raises(ValueError, match=r"^nll: log_probs must have shape \(N, C\), got shape \(2,\) "
                                         r"\(for one sample pass log_probs\[None, :\]"):
        nll([0], [-0.1, -2.0])
    with pytest.raises(ValueError, match=r"^nll: y_true must hold class labels in \[0, 1\] "
                                         r"\(or ignore_index=-100\), got 2"):
        nll([2], [[-0.1, -2.0]])
    with pytest.raises(ValueError, match=r"^nll: y_true must hold class labels of shape \(N,\) = \(1,\), "
                                         r"got shape \(1, 2\) \(for one-hot rows pass y_true.argmax"):
        nll([[1, 0]], [[-0.1, -2.0]])
    with pytest.raises(ValueError, match=r"^nll: weight must have shape \(2,\), got shape \(3,\)"):
        nll([0], [[-0.1, -2.0]], weight=[1.0, 1.0, 1.0])


def test_nll_nan_anywhere_in_a_counted_row_is_nan(torch):
    x = np.log(np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]]))
    x[0, 2] = np.nan
    torch_value = torch.nn.functional.nll_loss(torch.tensor(x), torch.tensor([0, 2]), reduction="none").numpy()
    assert np.isfinite(torch_value[0])  # PyTorch only looks at the picked entry
    per = nll([0, 2], x, reduction="none")
    assert np.isnan(per[0]) and per[1] == -x[1, 2]
    assert np.isnan(nll.grad([0, 2], x)[0]).all()


# --------------------------------------------------------------------------- soft margin, exponential, modified Huber
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_matches_torch(torch, reduction):
    r = np.random.default_rng(0)
    y = np.where(r.random((N, C)) < 0.5, -1.0, 1.0)
    s = 2 * r.standard_normal((N, C))
    _check_torch(torch, soft_margin, lambda st, red: torch.nn.functional.soft_margin_loss(st, torch.tensor(y), reduction=red),
                 y, s, reduction)
    assert np.shape(soft_margin(y, s, reduction="none")) == (N, C)  # elementwise, as torch's none
    _close(soft_margin(y, s, reduction=reduction),
           binary_cross_entropy_with_logits((y + 1) / 2, s, reduction=reduction))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_soft_margin_extreme_scores_exact_where_torch_overflows(torch, dtype):
    y = np.array([1.0, 1.0, -1.0, 1.0], dtype=dtype)
    s = np.array([-1e4, -100.0, -1e4, 1e4], dtype=dtype)
    value, grad = soft_margin(y, s, reduction="none"), soft_margin.grad(y, s, reduction="none")
    assert value.dtype == grad.dtype == dtype
    _close(value, [1e4, 100.0, 0.0, 0.0], rtol=1e-7, atol=0)
    _close(grad, [-1.0, -1.0, 0.0, 0.0], atol=1e-30)
    # PyTorch computes log1p(exp(-y s)): inf and a NaN gradient at y s = -1e4 (and at -100 in float32)
    st = torch.tensor(s, requires_grad=True)
    torch_value = torch.nn.functional.soft_margin_loss(st, torch.tensor(y), reduction="none")
    torch_value.sum().backward()
    assert np.isinf(torch_value[0].item()) and np.isnan(st.grad[0].item())


def test_exponential_matches_sklearn():
    loss_mod = pytest.importorskip("sklearn._loss.loss")
    r = np.random.default_rng(0)
    y = np.where(r.random(20) < 0.5, -1.0, 1.0)
    s = 2 * r.standard_normal(20)
    ref = loss_mod.ExponentialLoss()
    y01 = (y + 1) / 2  # scikit-learn: y exp(-s) + (1 - y) exp(s) with 0/1 labels
    _close(exponential(y, s, reduction="none"), ref.loss(y_true=y01, raw_prediction=s))
    _close(exponential.grad(y, s, reduction="none"), ref.gradient(y_true=y01, raw_prediction=s))
    _close(exponential(y, s), np.mean(np.exp(-y * s)))
    _fd_check(exponential, (y, s), {"reduction": "mean"})


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exponential_extreme_scores_overflow_to_inf_silently(dtype):
    y = np.array([1.0, -1.0, 1.0], dtype=dtype)
    s = np.array([1e4, -1e4, -1e4], dtype=dtype)
    value, grad = exponential(y, s, reduction="none"), exponential.grad(y, s, reduction="none")
    assert value.dtype == grad.dtype == dtype
    assert list(value) == [0.0, 0.0, np.inf] and list(grad) == [0.0, 0.0, -np.inf]


def test_modified_huber_matches_sklearn():
    sgd = pytest.importorskip("sklearn.linear_model._sgd_fast")
    ref = sgd.ModifiedHuber()
    y = np.array([1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0])
    s = np.array([2.0, 0.5, -3.0, -0.3, 0.4, -1.5, 1e4])
    _close(modified_huber(y, s, reduction="none"), [ref.py_loss(si, yi) for si, yi in zip(s, y)])
    _close(modified_huber.grad(y, s, reduction="none"), [ref.py_dloss(si, yi) for si, yi in zip(s, y)])
    _fd_check(modified_huber, (y[:-1], s[:-1]), {"reduction": "sum"})
    # squared_hinge above the margin -1, its tangent below
    above = y * s >= -1
    _close(modified_huber(y[above], s[above], reduction="none"), squared_hinge(y[above], s[above], reduction="none"))


def test_modified_huber_is_four_binary_sparsemax_losses(jax):
    import jax.numpy as jnp
    import optax

    y = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    s = np.array([2.0, 0.5, -3.0, -0.3, 0.4])
    with jax.enable_x64(True):
        binary = np.asarray(jax.jit(optax.losses.sparsemax_loss)(jnp.asarray(s), jnp.asarray((y + 1) / 2)))
    _close(modified_huber(y, s, reduction="none"), 4 * binary)
    scores = np.stack([np.zeros_like(s), s], axis=1)  # two classes with scores (0, s)
    _close(modified_huber(y, s, reduction="none"), 4 * sparsemax(((y + 1) / 2).astype(int), scores, reduction="none"))


@pytest.mark.parametrize("loss", [soft_margin, exponential, modified_huber])
def test_pm1_losses_teach_zero_one_labels(loss):
    name = loss.__name__
    with pytest.raises(ValueError, match=rf"^{name}: y_true must hold -1 or \+1, got 0 \(for 0/1 labels pass 2\*y - 1\)"):
        loss([1, 0], [0.5, 0.5])
    with pytest.raises(ValueError, match=rf"^{name}: y_true and scores must have the same shape"):
        loss.grad([1, -1], [[0.5, 0.5]])


# --------------------------------------------------------------------------- multilabel soft margin
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_matches_torch(torch, reduction, weighted):
    (t, z), _ = _case("multilabel_soft_margin")
    w = np.array([0.5, 1.0, 2.0, 0.0]) if weighted else None

    def ref(zt, r):
        wt = None if w is None else torch.tensor(w)
        return torch.nn.functional.multilabel_soft_margin_loss(zt, torch.tensor(t), weight=wt, reduction=r)

    _check_torch(torch, multilabel_soft_margin, ref, t, z, reduction, weight=w)


def test_multilabel_soft_margin_is_the_row_mean_of_bce_and_matches_keras(keras):
    (t, z), _ = _case("multilabel_soft_margin")
    rows = binary_cross_entropy_with_logits(t, z, reduction="none").mean(axis=1)
    _close(multilabel_soft_margin(t, z, reduction="none"), rows)
    k = keras.losses.BinaryCrossentropy(from_logits=True, dtype="float64", reduction=None)
    _close(multilabel_soft_margin(t, z, reduction="none"), np.asarray(k(t, z)))


def test_multilabel_soft_margin_teaches_pm1_targets():
    with pytest.raises(ValueError, match=r"^multilabel_soft_margin: y_true must hold 0 or 1 \(multi-hot: 1 for "
                                         r"each label present\), got -1 \(for -1/\+1 labels pass \(y \+ 1\) / 2\)"):
        multilabel_soft_margin([[1, -1]], [[0.5, 0.5]])


# --------------------------------------------------------------------------- multi margin
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("margin", [1.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_matches_torch(torch, reduction, p, margin, weighted):
    (y, s), _ = _case("multi_margin", n=8)
    w = np.array([0.5, 1.0, 2.0, 1.5]) if weighted else None

    def ref(st, r):
        wt = None if w is None else torch.tensor(w)
        return torch.nn.functional.multi_margin_loss(st, torch.tensor(y), p=p, margin=margin, weight=wt, reduction=r)

    _check_torch(torch, multi_margin, ref, y, s, reduction, p=p, margin=margin, weight=w)


@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_grad_central_difference_with_weights(p):
    (y, s), _ = _case("multi_margin", seed=3)
    _fd_check(multi_margin, (y, s), {"p": p, "weight": np.array([0.5, 1.0, 2.0, 1.5])})


def test_multi_margin_weight_multiplies_the_power_and_two_classes_halve_the_hinge():
    # one wrong class within the margin: h = 1 - 0 + 0.5 = 1.5; w_y h^2 / C, not (w_y h)^2 / C
    _close(multi_margin([0], [[0.0, 0.5]], p=2, weight=[3.0, 1.0]), 3.0 * 1.5**2 / 2)
    s = np.array([[0.0, 0.4], [0.0, -2.0], [0.0, 0.3]])
    y = np.array([1, 1, 0])
    from lossbook.losses.classification import hinge

    _close(multi_margin(y, s, reduction="none"), hinge(2 * y - 1, s[:, 1] - s[:, 0], reduction="none") / 2)


def test_multi_margin_rejects_other_powers():
    with pytest.raises(ValueError, match=r"^multi_margin: p must be an integer in \[1, 2\] \(PyTorch's "
                                         r"MultiMarginLoss has p = 1 or 2\), got 3"):
        multi_margin([0], [[0.0, 1.0]], p=3)
    with pytest.raises(ValueError, match=r"^multi_margin: p must be an integer in \[1, 2\].*got 2.0"):
        multi_margin.grad([0], [[0.0, 1.0]], p=2.0)


# --------------------------------------------------------------------------- multilabel margin
def _label_lists():
    """Target lists with junk after the first -1, a row without targets and a row of all."""
    y = np.array([
        [3, 0, -1, 1],  # targets {3, 0}; the 1 after -1 is ignored
        [2, -1, 2, 3],  # {2}; a repeat after the -1 does not count
        [-1, 0, 1, 2],  # no target: 0
        [0, 1, 2, 3],  # every class a target: 0
        [1, 3, 2, -1],
        [0, -1, -1, -1],
    ])
    s = np.random.default_rng(0).normal(scale=1.5, size=y.shape)
    return y, s


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_matches_torch(torch, reduction):
    y, s = _label_lists()

    def ref(st, r):
        return torch.nn.functional.multilabel_margin_loss(st, torch.tensor(y), reduction=r)

    _check_torch(torch, multilabel_margin, ref, y, s, reduction)
    per = multilabel_margin(y, s, reduction="none")
    assert per[2] == 0 and per[3] == 0
    (y2, s2), _ = _case("multilabel_margin", seed=2)  # the registry's sample, off the kinks

    def ref2(st, r):
        return torch.nn.functional.multilabel_margin_loss(st, torch.tensor(y2), reduction=r)

    _check_torch(torch, multilabel_margin, ref2, y2, s2, reduction)


def test_multilabel_margin_list_ends_at_first_minus_one_and_one_target_is_multi_margin():
    y, s = _label_lists()
    y_cut = y.copy()
    y_cut[0, 3] = 2  # after the -1: changes nothing
    _close(multilabel_margin(y_cut, s, reduction="none"), multilabel_margin(y, s, reduction="none"))
    (labels, scores), _ = _case("multi_margin")
    lists = np.full(scores.shape, -1)
    lists[:, 0] = labels
    _close(multilabel_margin(lists, scores, reduction="none"), multi_margin(labels, scores, reduction="none"))
    _fd_check(multilabel_margin, _case("multilabel_margin", seed=4)[0], {"reduction": "sum"})


def test_multilabel_margin_teaches_its_targets():
    s = np.zeros((1, 3))
    with pytest.raises(ValueError, match=r"^multilabel_margin: y_true must hold class indices in \[0, 2\], or -1 "
                                         r"to end a row's list, got 3"):
        multilabel_margin([[0, -1, 3]], s)
    with pytest.raises(ValueError, match=r"^multilabel_margin: y_true must hold class indices in \[0, 2\].*got -2"):
        multilabel_margin([[-2, 0, 1]], s)
    with pytest.raises(ValueError, match=r"^multilabel_margin: y_true must list each class at most once per row, "
                                         r"got class 1 twice in row 0 \(PyTorch would count its pairs twice\)"):
        multilabel_margin.grad([[1, 1, -1]], s)
    with pytest.raises(ValueError, match=r"^multilabel_margin: y_true must have the shape of scores \(1, 3\).*"
                                         r"got shape \(1,\) \(for one label per sample use multi_margin"):
        multilabel_margin([1], s)


# --------------------------------------------------------------------------- categorical hinge
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_categorical_hinge_matches_keras(keras, tf, reduction):
    (t, s), _ = _case("categorical_hinge", n=8)
    s = s.copy()
    s[0] = [-0.5, -1.0, -2.0, -0.2]  # every wrong score negative: the true class's 0 is the max
    t[0] = [0, 0, 1, 0]
    value, grad = _keras_value_and_grad(keras, tf, keras.losses.CategoricalHinge, t, s, reduction)
    _close(categorical_hinge(t, s, reduction=reduction), value)
    _close(categorical_hinge.grad(t, s, reduction=reduction), grad)
    _fd_check(categorical_hinge, (t, s), {"reduction": reduction if reduction != "none" else "sum"})


def test_categorical_hinge_differs_from_crammer_singer_only_below_zero():
    (t, s), _ = _case("categorical_hinge", n=40)
    y = t.argmax(axis=1)
    ch, cs = categorical_hinge(t, s, reduction="none"), multiclass_hinge(y, s, reduction="none")
    best_wrong = np.where(t == 1, -np.inf, s).max(axis=1)
    _close(ch[best_wrong >= 0], cs[best_wrong >= 0])
    _close(ch[best_wrong < 0], np.maximum(1 - s[np.arange(40), y], 0)[best_wrong < 0])
    assert np.all(ch >= cs - 1e-12) and np.any(ch > cs + 0.1)


def test_categorical_hinge_teaches_one_hot():
    with pytest.raises(ValueError, match=r"^categorical_hinge: y_true must hold one-hot rows of the shape of "
                                         r"scores \(2, 3\), got shape \(2,\) \(for integer labels y pass np.eye"):
        categorical_hinge([0, 2], np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"^categorical_hinge: y_true must hold one-hot rows \(exactly one 1 per "
                                         r"row\), got 2 ones in row 1 \(for several labels"):
        categorical_hinge([[1, 0, 0], [0, 1, 1]], np.zeros((2, 3)))


# --------------------------------------------------------------------------- categorical focal
FOCAL = [
    dict(),
    dict(gamma=0.0),
    dict(gamma=0.5, alpha=1.0),
    dict(gamma=3.5, alpha=0.1),
    dict(label_smoothing=0.2),
    dict(gamma=0.5, label_smoothing=0.1, alpha=0.6),
]


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("hyper", FOCAL, ids=str)
def test_categorical_focal_matches_keras(keras, tf, reduction, hyper):
    (t, z), _ = _case("categorical_focal", n=8)
    z = z.copy()
    z[0] = [30.0, -20.0, 0.0, 1.0]  # p near 1 and near 0: both clips active in row 0
    t[0] = [0, 1, 0, 0]
    z[1] = [25.0, -3.0, 0.0, 2.0]
    t[1] = [1, 0, 0, 0]

    def make(**kw):
        return keras.losses.CategoricalFocalCrossentropy(from_logits=True, **hyper, **kw)

    value, grad = _keras_value_and_grad(keras, tf, make, t, z, reduction)
    _close(categorical_focal(t, z, **hyper, reduction=reduction), value)
    _close(categorical_focal.grad(t, z, **hyper, reduction=reduction), grad, atol=1e-12)


@pytest.mark.parametrize("hyper", FOCAL, ids=str)
def test_categorical_focal_grad_central_difference(hyper):
    _fd_check(categorical_focal, _case("categorical_focal", seed=5)[0], {**hyper, "reduction": "sum"})


def test_categorical_focal_clip_bounds_the_loss_and_zeroes_the_slope():
    t = np.array([[0.0, 1.0]])
    wrong = np.array([[0.0, -1e4]])  # p_y = 0: clipped to 1e-7
    bound = 0.25 * (1 - 1e-7) ** 2 * -np.log(1e-7)
    _close(categorical_focal(t, wrong), bound)
    assert np.all(categorical_focal.grad(t, wrong) == 0)
    _close(categorical_focal(t, wrong), 4.0295, rtol=1e-4)
    right = np.array([[-1e4, 0.0]])  # p_y = 1: clipped to 1 - 1e-7
    _close(categorical_focal(t, right), 0.25 * (1e-7) ** 2 * -np.log1p(-1e-7), rtol=1e-6)


def test_categorical_focal_gamma_zero_is_alpha_times_cross_entropy():
    (t, z), _ = _case("categorical_focal")
    for smoothing in (0.0, 0.3):
        for reduction in REDUCTIONS:
            kw = dict(label_smoothing=smoothing, reduction=reduction)
            _close(categorical_focal(t, z, gamma=0.0, alpha=0.7, **kw), 0.7 * cross_entropy(t, z, **kw), rtol=1e-12)
            _close(categorical_focal.grad(t, z, gamma=0.0, alpha=0.7, **kw), 0.7 * cross_entropy.grad(t, z, **kw),
                   rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_categorical_focal_extreme_logits_match_keras_in_their_dtype(keras, dtype):
    t = np.eye(3, dtype=dtype)[[0, 1, 2]]
    z = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0], [-1e4, 0.0, 1e4]], dtype=dtype)
    value, grad = categorical_focal(t, z, reduction="none"), categorical_focal.grad(t, z)
    assert value.dtype == grad.dtype == dtype and np.all(np.isfinite(value)) and np.all(grad == 0)
    k = keras.losses.CategoricalFocalCrossentropy(from_logits=True, reduction=None,
                                                  dtype="float32" if dtype == np.float32 else "float64")
    # float32: Keras's 1 - 1e-7 rounds to 1 - 2^-23, which lossbook reproduces in float32
    _close(value, np.asarray(k(t, z)), rtol=RTOL_F32 if dtype == np.float32 else RTOL_F64)


# --------------------------------------------------------------------------- poly-1
def _optax_poly1(logits, labels, epsilon):
    """optax's PolyLoss with integer labels (it takes one-hot rows)."""
    import jax
    import optax

    one_hot = jax.nn.one_hot(labels, logits.shape[1], dtype=logits.dtype)
    return optax.losses.poly_loss_cross_entropy(logits, one_hot, epsilon=epsilon)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("epsilon", [1.0, 0.0, -1.0, 2.0])
def test_poly1_matches_optax(jax, reduction, epsilon):
    (y, z), _ = _case("poly1", n=8)
    value, grad = _reduced(*_optax_rows(jax, _optax_poly1, y, z, epsilon), reduction)
    _close(poly1(y, z, epsilon=epsilon, reduction=reduction), value)
    _close(poly1.grad(y, z, epsilon=epsilon, reduction=reduction), grad)
    _fd_check(poly1, (y, z), {"epsilon": epsilon, "reduction": reduction if reduction != "none" else "sum"})


def test_poly1_epsilon_limits_and_convexity():
    with pytest.raises(ValueError, match=r"^poly1: epsilon must be >= -1 \(below -1 the loss no longer falls"):
        poly1([0], [[0.0, 1.0]], epsilon=-1.5)
    # convex for epsilon <= 1 (the default), not for epsilon = 3: along z = (0, t), y = 0,
    # f(t) = softplus(t) + e sigmoid(t) has f'' = sigma'(t) (1 + e (1 - 2 sigma(t))) < 0 for large t
    t = np.linspace(-8, 8, 401)
    z = np.stack([np.zeros_like(t), t], axis=1)
    y = np.zeros(t.size, dtype=int)
    for epsilon, convex in ((1.0, True), (-1.0, True), (3.0, False)):
        f = poly1(y, z, epsilon=epsilon, reduction="none")
        second = f[2:] - 2 * f[1:-1] + f[:-2]
        assert (second.min() > -1e-12) == convex, epsilon


# --------------------------------------------------------------------------- sparsemax
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sparsemax_matches_optax(jax, reduction):
    import optax

    (y, s), _ = _case("sparsemax", n=10)
    value, grad = _reduced(*_optax_rows(jax, optax.losses.multiclass_sparsemax_loss, y, s), reduction)
    _close(sparsemax(y, s, reduction=reduction), value)
    _close(sparsemax.grad(y, s, reduction=reduction), grad)
    _fd_check(sparsemax, (y, s), {"reduction": reduction if reduction != "none" else "sum"})


def test_sparsemax_gradient_is_sparsemax_minus_one_hot(jax):
    import jax.numpy as jnp
    from optax import projections

    (y, s), _ = _case("sparsemax", n=10)
    with jax.enable_x64(True):
        p = np.asarray(jax.jit(jax.vmap(projections.projection_simplex))(jnp.asarray(s)))
    _close(sparsemax.grad(y, s, reduction="sum"), p - np.eye(C)[y])
    assert np.any(p == 0)  # sparse: some classes get probability exactly 0
    # zero loss once the true score leads every other by 1 (sparsemax is one-hot there)
    assert sparsemax([1], [[0.0, 1.0, -3.0]]) == 0 and sparsemax([1], [[0.0, 0.9, -3.0]]) > 0


# --------------------------------------------------------------------------- all zoo losses
ZOO = ["nll", "soft_margin", "exponential", "modified_huber", "multilabel_soft_margin", "multi_margin",
       "multilabel_margin", "categorical_hinge", "categorical_focal", "poly1", "sparsemax"]


#: Inputs of +-1e4 with their exact losses (reduction "none") and gradients of the sum.
#: soft_margin, exponential and categorical_focal have their own tests (against
#: PyTorch's overflow, inf, and Keras's clip).
_THIRD = 1 / 3
EXTREME = {
    "nll": ([0, 1], [[0.0, -1e4], [0.0, -1e4]], [0.0, 1e4], [[-1, 0], [0, -1]]),
    "modified_huber": ([1.0, -1.0, 1.0], [1e4, 1e4, -1e4], [0.0, 4e4, 4e4], [0, 4, -4]),
    "multilabel_soft_margin": ([[1.0, 0.0, 1.0, 0.0]], [[-1e4, 1e4, 1e4, -1e4]], [2e4 / 4],
                               [[-0.25, 0.25, 0, 0]]),
    # row 2: hinges 1 + 1e4 + 1e4 and 1 + 1e4 + 0, divided by C = 3
    "multi_margin": ([0, 1], [[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]], [0.0, 30002 / 3],
                     [[0, 0, 0], [_THIRD, -2 * _THIRD, _THIRD]]),
    "multilabel_margin": ([[0, -1, -1]], [[-1e4, 1e4, 0.0]], [30002 / 3], [[-2 * _THIRD, _THIRD, _THIRD]]),
    "categorical_hinge": ([[1, 0, 0], [0, 1, 0]], [[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]], [0.0, 20001.0],
                          [[0, 0, 0], [1, -1, 0]]),
    "poly1": ([0, 1, 2], [[1e4, -1e4, 0.0], [1e4, -1e4, 0.0], [0.0, 1e4, -1e4]], [0.0, 2e4 + 1, 2e4 + 1],
              [[0, 0, 0], [1, -1, 0], [0, 1, -1]]),
    # row 3: sparsemax (1/2, 1/2, 0); loss (2e4 + 2e4) / 2 + (1 - 1/2) / 2
    "sparsemax": ([0, 1, 2], [[1e4, -1e4, 0.0], [1e4, -1e4, 0.0], [1e4, 1e4, -1e4]], [0.0, 2e4, 2e4 + 0.25],
                  [[0, 0, 0], [1, -1, 0], [0.5, 0.5, -1]]),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(EXTREME))
def test_extreme_inputs_give_exact_values_and_gradients(name, dtype):
    y, x, value, grad = EXTREME[name]
    loss = losses.get(name)
    x = np.array(x, dtype=dtype)
    y = np.array(y, dtype=dtype) if name in ("modified_huber", "multilabel_soft_margin", "categorical_hinge") else y
    v, g = loss(y, x, reduction="none"), loss.grad(y, x, reduction="none")
    assert v.dtype == g.dtype == dtype
    _close(v, value, rtol=2e-7)
    _close(g, grad, rtol=2e-7, atol=1e-30)


@pytest.mark.parametrize("name", ZOO)
def test_zoo_is_registered_as_classification_with_its_facts(name):
    info = losses.info(name)
    assert info.kind == "classification" and name in losses.available("classification")
    assert info.convex == (name != "categorical_focal")
    assert info.differentiable == (name in ("nll", "soft_margin", "exponential", "modified_huber",
                                            "multilabel_soft_margin", "poly1", "sparsemax"))


@pytest.mark.parametrize("name", ZOO)
def test_zoo_float32_gradients_and_bad_shapes(name):
    loss = losses.get(name)
    args, kw = _case(name)
    args32 = tuple(a.astype(np.float32) if a.dtype.kind == "f" else a for a in args)
    for reduction in REDUCTIONS:
        value = loss(*args32, **kw, reduction=reduction)
        grad = loss.grad(*args32, **kw, reduction=reduction)
        assert np.asarray(value).dtype == np.float32 and grad.dtype == np.float32, reduction
        _close(value, loss(*args, **kw, reduction=reduction), rtol=RTOL_F32)
        _close(grad, loss.grad(*args, **kw, reduction=reduction), rtol=RTOL_F32, atol=1e-6)
    with pytest.raises(ValueError, match=rf"^{name}: "):
        loss(args[0], args[1][:-1] if args[1].ndim == 1 else args[1][:, :, None])
    with pytest.raises(ValueError, match=rf"^{name}: \w+ must not be empty"):
        loss.grad(args[0][:0], args[1][:0])
