"""Tests of lossbook.losses.penalty against Keras, scikit-learn, PyTorch and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from lossbook.losses.penalty import elastic_net, l1_penalty, l2_penalty
from tests._tools import ATOL_FD, RTOL_F32, RTOL_F64, RTOL_FD, central_difference

PENALTIES = [l1_penalty, l2_penalty, elastic_net]


def weights(seed=0, shape=(3, 4)):
    return np.random.default_rng(seed).normal(size=shape)


# --------------------------------------------------------------------------- Keras
# Keras stores regularization factors as float32, so only factors exact in float32
# (0.25, 0.75, 2.0, ...) give float64 results comparable at RTOL_F64.
@pytest.fixture(scope="module")
def regularizers():
    keras = pytest.importorskip("keras")
    return keras.regularizers


def test_l1_matches_keras(regularizers):
    w = weights(1)
    np.testing.assert_allclose(l1_penalty(w), float(regularizers.L1(1.0)(w)), rtol=RTOL_F64)


def test_l2_is_half_keras(regularizers):
    w = weights(2, shape=(5,))
    np.testing.assert_allclose(l2_penalty(w), float(regularizers.L2(0.5)(w)), rtol=RTOL_F64)


@pytest.mark.parametrize("alpha, l1_ratio", [(1.0, 0.5), (2.0, 0.25), (0.5, 1.0), (4.0, 0.0)])
def test_elastic_net_matches_keras_l1l2(regularizers, alpha, l1_ratio):
    w = weights(3, shape=(2, 3, 2))
    keras_term = regularizers.L1L2(l1=alpha * l1_ratio, l2=alpha * (1 - l1_ratio) / 2)(w)
    np.testing.assert_allclose(elastic_net(w, alpha=alpha, l1_ratio=l1_ratio), float(keras_term), rtol=RTOL_F64)


# --------------------------------------------------------------------------- scikit-learn
def regression_data(seed=0, n=60, d=5):
    g = np.random.default_rng(seed)
    X = g.normal(size=(n, d))
    y = X @ np.array([1.5, 0.0, -2.0, 0.0, 0.7]) + 0.3 * g.normal(size=n)
    return X, y


def test_elastic_net_is_sklearns_penalty_term():
    # sklearn's ElasticNet minimizes (1/2n)||y - Xw||^2 + elastic_net(w). At its
    # solution the gradient of that objective vanishes in every nonzero coordinate,
    # and the zero coordinates satisfy |X^T r / n| <= alpha * l1_ratio.
    lm = pytest.importorskip("sklearn.linear_model")
    X, y = regression_data()
    alpha, l1_ratio = 0.3, 0.6
    w = lm.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y).coef_
    data_grad = X.T @ (X @ w - y) / len(y)
    nz = w != 0
    assert nz.sum() >= 2 and (~nz).sum() >= 1  # both kinds of coordinate are tested
    total = data_grad + elastic_net.grad(w, alpha=alpha, l1_ratio=l1_ratio)
    np.testing.assert_allclose(total[nz], 0, atol=1e-9)
    assert np.all(np.abs(data_grad[~nz]) <= alpha * l1_ratio)
    # a factor 2 on the L2 part (the Keras-style convention) would not be stationary
    wrong = data_grad + alpha * (l1_ratio * np.sign(w) + 2 * (1 - l1_ratio) * w)
    assert np.max(np.abs(wrong[nz])) > 1e-3


def test_ridge_alpha_is_twice_the_l2_penalty_factor():
    # sklearn's Ridge minimizes ||y - Xw||^2 + alpha ||w||^2 = ||y - Xw||^2 + 2 alpha l2_penalty(w)
    lm = pytest.importorskip("sklearn.linear_model")
    X, y = regression_data(1)
    alpha = 3.0
    w = lm.Ridge(alpha=alpha, fit_intercept=False, solver="cholesky").fit(X, y).coef_
    total = 2 * X.T @ (X @ w - y) + 2 * alpha * l2_penalty.grad(w)
    np.testing.assert_allclose(total, 0, atol=1e-9)


def test_lasso_is_half_mse_plus_alpha_l1():
    lm = pytest.importorskip("sklearn.linear_model")
    X, y = regression_data(2)
    alpha = 0.2
    w = lm.Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y).coef_
    nz = w != 0
    total = X.T @ (X @ w - y) / len(y) + alpha * l1_penalty.grad(w)
    np.testing.assert_allclose(total[nz], 0, atol=1e-9)


# --------------------------------------------------------------------------- PyTorch
def test_l2_gradient_step_is_torch_weight_decay():
    torch = pytest.importorskip("torch")
    w0 = weights(4, shape=(6,))
    lr, lam = 0.1, 0.05
    p = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, weight_decay=lam)
    p.grad = torch.zeros_like(p)  # no data loss: the step is the decay alone
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), w0 - lr * lam * l2_penalty.grad(w0), rtol=RTOL_F64)


# --------------------------------------------------------------------------- properties
def test_limits_of_elastic_net():
    w = weights(5)
    np.testing.assert_allclose(elastic_net(w, alpha=1.7, l1_ratio=1.0), 1.7 * l1_penalty(w), rtol=RTOL_F64)
    np.testing.assert_allclose(elastic_net(w, alpha=1.7, l1_ratio=0.0), 1.7 * l2_penalty(w), rtol=RTOL_F64)
    assert elastic_net(w, alpha=0.0) == 0


def test_closed_forms():
    w = np.array([[3.0, -4.0], [0.0, 1.0]])
    assert l1_penalty(w) == 8.0
    assert l2_penalty(w) == 13.0  # (9 + 16 + 0 + 1) / 2
    assert l1_penalty(w, reduction="mean") == 2.0
    np.testing.assert_array_equal(l2_penalty(w, reduction="none"), [[4.5, 8.0], [0.0, 0.5]])
    assert l1_penalty(-2.5) == 2.5  # a scalar weight is fine


@pytest.mark.parametrize("fn", PENALTIES)
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_grad_matches_central_difference(fn, reduction):
    w = weights(6)
    assert np.min(np.abs(w)) > 0.01  # away from the L1 kink at 0
    fd = central_difference(lambda x: fn(x, reduction=reduction), w)
    np.testing.assert_allclose(fn.grad(w, reduction=reduction), fd, rtol=RTOL_FD, atol=ATOL_FD)


@pytest.mark.parametrize("fn", PENALTIES)
def test_grad_none_is_elementwise(fn):
    w = weights(7)
    np.testing.assert_array_equal(fn.grad(w, reduction="none"), fn.grad(w, reduction="sum"))
    assert fn.grad(w, reduction="none").shape == w.shape


def test_l1_subgradient_at_zero_is_zero():
    np.testing.assert_array_equal(l1_penalty.grad([0.0, 2.0, -3.0]), [0.0, 1.0, -1.0])


@pytest.mark.parametrize("fn", PENALTIES)
def test_float32_preserved_and_extremes(fn):
    w = np.array([1e4, -1e4, 0.5], dtype=np.float32)
    assert fn(w).dtype == np.float32 and fn.grad(w).dtype == np.float32
    np.testing.assert_allclose(fn(w), fn(w.astype(np.float64)), rtol=RTOL_F32)
    assert fn(np.array([np.inf, 1.0])) == np.inf


@pytest.mark.parametrize("fn", PENALTIES)
def test_nan_in_nan_out(fn):
    w = np.array([1.0, np.nan])
    assert np.isnan(fn(w))
    assert np.isnan(fn.grad(w)[1]) and not np.isnan(fn.grad(w)[0])


# --------------------------------------------------------------------------- malformed
@pytest.mark.parametrize(
    "fn, w, kwargs, message",
    [
        (elastic_net, [1.0], dict(l1_ratio=1.5), r"elastic_net: l1_ratio must be in \[0, 1\] \(1 = lasso, 0 = ridge\), got 1.5"),
        (elastic_net, [1.0], dict(l1_ratio=-0.1), r"elastic_net: l1_ratio must be in \[0, 1\] \(1 = lasso, 0 = ridge\), got -0.1"),
        (elastic_net, [1.0], dict(alpha=-1.0), r"elastic_net: alpha must be >= 0, got -1.0"),
        (elastic_net, [1.0], dict(alpha=np.nan), r"elastic_net: alpha must be a real number, got nan"),
        (l1_penalty, [], {}, r"l1_penalty: w must not be empty, got shape \(0,\)"),
        (l2_penalty, [1.0], dict(reduction="max"), r"l2_penalty: reduction must be one of 'sum', 'mean', 'none', got 'max'"),
        (l2_penalty, ["a"], {}, r"l2_penalty: w must hold real numbers, got dtype <U1"),
    ],
)
def test_malformed_calls_raise(fn, w, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fn(w, **kwargs)
    with pytest.raises(ValueError, match=message):
        fn.grad(w, **kwargs)
