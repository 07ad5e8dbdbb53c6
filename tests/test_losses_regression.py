"""Tests of lossbook.losses.regression against PyTorch, Keras, scikit-learn, closed forms
and finite differences.  Every reference value comes from one of those, never from the
code under test."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

from lossbook import losses
from lossbook.losses.regression import (
    gaussian_nll,
    huber,
    log_cosh,
    mae,
    mape,
    mse,
    msle,
    poisson,
    poisson_nll,
    quantile,
    rmse,
    smooth_l1,
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

REDUCTIONS = ("mean", "sum", "none")
LOSSES = {f.__name__: f for f in (mse, mae, huber, smooth_l1, log_cosh, quantile)}

# (name, hyperparameters): every elementwise (y_true, y_pred) loss with its options.
CASES = [
    ("mse", {}),
    ("mae", {}),
    ("huber", {"delta": 1.0}),
    ("huber", {"delta": 0.5}),
    ("huber", {"delta": 2.0}),
    ("smooth_l1", {"beta": 1.0}),
    ("smooth_l1", {"beta": 0.5}),
    ("smooth_l1", {"beta": 2.0}),
    ("smooth_l1", {"beta": 0.0}),
    ("log_cosh", {}),
    ("quantile", {"tau": 0.5}),
    ("quantile", {"tau": 0.1}),
    ("quantile", {"tau": 0.9}),
]
CASE_IDS = [name + "".join(f"-{k}={v}" for k, v in kw.items()) for name, kw in CASES]
# The kinks: 0 (mae, quantile, smooth_l1 with beta = 0) and delta / beta.
KINKS = (0.0, 0.5, 1.0, 2.0)

# Keras's LogCosh computes log 2 as ops.log(2.0) in float32 and casts it to float64, so
# its float64 result is off by |float32(log 2) - log 2| = 1.9e-9 per element (Keras
# 3.15); a relative tolerance alone fails where log cosh r is small.
ATOL_KERAS_LOG2 = 2e-9


def _data(shape=(4, 3), seed=0):
    """Targets and predictions whose residuals stay 0.05 or more away from every kink.

    The finite differences (step 1e-3, reaching 2e-3) then never straddle one.
    """
    rng = np.random.default_rng(seed)
    y = rng.normal(size=shape)
    mags = np.array([0.15, 0.35, 0.6, 0.8, 1.2, 1.45, 1.7, 2.3, 2.6, 3.1, 0.08, 0.9])
    r = (rng.choice([-1.0, 1.0], size=mags.size) * mags).reshape(shape)
    assert np.min(np.abs(np.abs(r)[..., None] - np.array(KINKS))) >= 0.05
    return y, y + r


# --------------------------------------------------------------------------- PyTorch
def _torch_reduce(values, reduction):
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values


def _torch_loss(torch, name, kw, y_true, y_pred, reduction):
    """The PyTorch counterpart of each loss, on tensors (``y_pred`` may require grad)."""
    F = torch.nn.functional
    if name == "mse":
        return F.mse_loss(y_pred, y_true, reduction=reduction)
    if name == "mae":
        return F.l1_loss(y_pred, y_true, reduction=reduction)
    if name == "huber":
        return F.huber_loss(y_pred, y_true, delta=kw["delta"], reduction=reduction)
    if name == "smooth_l1":
        return F.smooth_l1_loss(y_pred, y_true, beta=kw["beta"], reduction=reduction)
    if name == "log_cosh":  # no torch loss: the definition, accurate for moderate r
        return _torch_reduce(torch.log(torch.cosh(y_pred - y_true)), reduction)
    if name == "quantile":  # no torch loss: the definition (no ties in the test data)
        d = y_true - y_pred
        tau = kw["tau"]
        return _torch_reduce(torch.maximum(tau * d, (tau - 1) * d), reduction)
    raise AssertionError(name)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", CASES, ids=CASE_IDS)
def test_value_matches_torch(name, kw, reduction):
    torch = pytest.importorskip("torch")
    y, p = _data()
    expected = _torch_loss(torch, name, kw, torch.tensor(y), torch.tensor(p), reduction).numpy()
    got = LOSSES[name](y, p, **kw, reduction=reduction)
    assert np.shape(got) == expected.shape
    np.testing.assert_allclose(got, expected, rtol=RTOL_F64, atol=ATOL_F64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", CASES, ids=CASE_IDS)
def test_grad_matches_torch_autograd(name, kw, reduction):
    torch = pytest.importorskip("torch")
    y, p = _data()
    pt = torch.tensor(p, requires_grad=True)
    out = _torch_loss(torch, name, kw, torch.tensor(y), pt, reduction)
    # "none": the losses are elementwise, so the gradient of the sum holds each
    # element's derivative of its own loss
    (out.sum() if reduction == "none" else out).backward()
    got = LOSSES[name].grad(y, p, **kw, reduction=reduction)
    np.testing.assert_allclose(got, pt.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", CASES, ids=CASE_IDS)
def test_grad_matches_central_difference(name, kw, reduction):
    y, p = _data()
    f = LOSSES[name]
    if reduction == "none":
        expected = elementwise_central_difference(lambda q: f(y, q, **kw, reduction="none"), p)
    else:
        expected = central_difference(lambda q: f(y, q, **kw, reduction=reduction), p)
    got = f.grad(y, p, **kw, reduction=reduction)
    np.testing.assert_allclose(got, expected, rtol=RTOL_FD, atol=ATOL_FD)


def test_rmse_value_and_grad_match_torch():
    torch = pytest.importorskip("torch")
    y, p = _data()
    pt = torch.tensor(p, requires_grad=True)
    out = torch.sqrt(torch.nn.functional.mse_loss(pt, torch.tensor(y)))
    out.backward()
    np.testing.assert_allclose(rmse(y, p), out.item(), rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(rmse.grad(y, p), pt.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


def test_rmse_grad_matches_central_difference():
    y, p = _data()
    expected = central_difference(lambda q: rmse(y, q), p)
    np.testing.assert_allclose(rmse.grad(y, p), expected, rtol=RTOL_FD, atol=ATOL_FD)


# --------------------------------------------------------------------------- Poisson NLL
def _poisson_data(log_input):
    # counts on both sides of the Stirling mask (y > 1), including 0, 1 and a non-integer
    y = np.array([[0.0, 1.0, 0.5, 2.0], [3.0, 7.0, 1.5, 0.0], [4.0, 1.0, 12.0, 0.2]])
    rng = np.random.default_rng(1)
    x = rng.uniform(-1.5, 2.0, size=y.shape) if log_input else rng.uniform(0.3, 3.0, size=y.shape)
    return y, x


POISSON_OPTIONS = [
    {"log_input": True, "full": False},
    {"log_input": True, "full": True},
    {"log_input": False, "full": False},
    {"log_input": False, "full": True},
    {"log_input": False, "full": False, "eps": 0.0},
]
POISSON_IDS = ["log", "log-full", "rate", "rate-full", "rate-eps0"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kw", POISSON_OPTIONS, ids=POISSON_IDS)
def test_poisson_nll_value_and_grad_match_torch(kw, reduction):
    torch = pytest.importorskip("torch")
    y, x = _poisson_data(kw["log_input"])
    xt = torch.tensor(x, requires_grad=True)
    out = torch.nn.functional.poisson_nll_loss(
        xt,
        torch.tensor(y),
        eps=kw.get("eps", 1e-8),
        log_input=kw["log_input"],
        full=kw["full"],
        reduction=reduction,
    )
    (out.sum() if reduction == "none" else out).backward()
    got = poisson_nll(y, x, **kw, reduction=reduction)
    np.testing.assert_allclose(got, out.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    grad = poisson_nll.grad(y, x, **kw, reduction=reduction)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kw", POISSON_OPTIONS, ids=POISSON_IDS)
def test_poisson_nll_grad_matches_central_difference(kw, reduction):
    y, x = _poisson_data(kw["log_input"])
    if reduction == "none":
        expected = elementwise_central_difference(
            lambda q: poisson_nll(y, q, **kw, reduction="none"), x
        )
    else:
        expected = central_difference(lambda q: poisson_nll(y, q, **kw, reduction=reduction), x)
    np.testing.assert_allclose(
        poisson_nll.grad(y, x, **kw, reduction=reduction), expected, rtol=RTOL_FD, atol=ATOL_FD
    )


def test_poisson_nll_is_the_negative_log_pmf_up_to_log_factorial():
    # -log P(y | lam) = lam - y log lam + log y!   (closed form via math.lgamma)
    y = np.array([0.0, 1.0, 3.0, 10.0])
    lam = np.array([0.5, 2.0, 3.0, 8.0])
    log_fact = np.array([math.lgamma(v + 1) for v in y])
    expected = lam - y * np.log(lam) + log_fact
    got = poisson_nll(y, np.log(lam), reduction="none") + log_fact
    np.testing.assert_allclose(got, expected, rtol=RTOL_F64)


def test_poisson_nll_relates_to_sklearn_deviance():
    metrics = pytest.importorskip("sklearn.metrics")
    special = pytest.importorskip("scipy.special")
    y, x = _poisson_data(log_input=True)
    mu = np.exp(x)
    # deviance = 2 (L(mu) - L(y)), where L at the perfect prediction is y - y log y
    saturated = np.mean(y - special.xlogy(y, y))
    expected = metrics.mean_poisson_deviance(y.ravel(), mu.ravel())
    np.testing.assert_allclose(2 * (poisson_nll(y, x) - saturated), expected, rtol=RTOL_F64)


def test_poisson_nll_matches_keras_poisson():
    keras = pytest.importorskip("keras")
    y, lam = _poisson_data(log_input=False)
    # Keras: y_pred - y_true log(y_pred + 1e-7), averaged over the last axis
    k = keras.losses.Poisson(dtype="float64")(y, lam)
    got = poisson_nll(y, lam, log_input=False, eps=keras.config.epsilon())
    np.testing.assert_allclose(got, np.asarray(k), rtol=RTOL_F64, atol=ATOL_F64)


# --------------------------------------------------------------------------- Gaussian NLL
def _gaussian_data():
    rng = np.random.default_rng(2)
    y = rng.normal(size=(3, 4))
    mean = y + rng.normal(scale=0.8, size=y.shape)
    var = rng.uniform(0.5, 2.0, size=y.shape)
    return y, mean, var


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_value_and_grads_match_torch(full, reduction):
    torch = pytest.importorskip("torch")
    y, mean, var = _gaussian_data()
    mt = torch.tensor(mean, requires_grad=True)
    vt = torch.tensor(var, requires_grad=True)
    out = torch.nn.functional.gaussian_nll_loss(
        mt, torch.tensor(y), vt, full=full, reduction=reduction
    )
    (out.sum() if reduction == "none" else out).backward()
    got = gaussian_nll(y, mean, var, full=full, reduction=reduction)
    np.testing.assert_allclose(got, out.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    d_mean, d_var = gaussian_nll.grad(y, mean, var, full=full, reduction=reduction)
    np.testing.assert_allclose(d_mean, mt.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(d_var, vt.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_grads_match_central_difference(reduction):
    y, mean, var = _gaussian_data()
    d_mean, d_var = gaussian_nll.grad(y, mean, var, reduction=reduction)
    if reduction == "none":
        fd_mean = elementwise_central_difference(
            lambda m: gaussian_nll(y, m, var, reduction="none"), mean
        )
        fd_var = elementwise_central_difference(
            lambda v: gaussian_nll(y, mean, v, reduction="none"), var
        )
    else:
        fd_mean = central_difference(lambda m: gaussian_nll(y, m, var, reduction=reduction), mean)
        fd_var = central_difference(lambda v: gaussian_nll(y, mean, v, reduction=reduction), var)
    np.testing.assert_allclose(d_mean, fd_mean, rtol=RTOL_FD, atol=ATOL_FD)
    np.testing.assert_allclose(d_var, fd_var, rtol=RTOL_FD, atol=ATOL_FD)


def test_gaussian_nll_below_eps_clamps_value_and_zeroes_var_grad():
    torch = pytest.importorskip("torch")
    y, mean = np.array([0.0, 1.0]), np.array([1.0, 1.5])
    var = np.array([1e-9, 0.0])  # both below eps = 1e-6
    eps = 1e-6
    expected = 0.5 * (np.log(eps) + (mean - y) ** 2 / eps)  # closed form at the clamp
    np.testing.assert_allclose(
        gaussian_nll(y, mean, var, reduction="none"), expected, rtol=RTOL_F64
    )
    # the clamped loss does not depend on var there: the derivative is 0 (finite
    # differences with a step small enough to stay below eps agree)
    fd = elementwise_central_difference(
        lambda v: gaussian_nll(y, mean, v, reduction="none"), np.array([5e-7, 5e-7]), h=1e-8
    )
    np.testing.assert_array_equal(fd, 0.0)
    _, d_var = gaussian_nll.grad(y, mean, var, reduction="none")
    np.testing.assert_array_equal(d_var, 0.0)
    # PyTorch clamps under no_grad and passes the derivative at eps straight through,
    # as the docstring says: 0.5 (1/eps - r^2/eps^2), not 0
    vt = torch.tensor(var, requires_grad=True)
    torch.nn.functional.gaussian_nll_loss(
        torch.tensor(mean), torch.tensor(y), vt, reduction="sum"
    ).backward()
    np.testing.assert_allclose(
        vt.grad.numpy(), 0.5 * (1 / eps - (mean - y) ** 2 / eps**2), rtol=RTOL_F64
    )


def test_gaussian_nll_is_the_normal_negative_log_pdf():
    stats = pytest.importorskip("scipy.stats")
    y, mean, var = _gaussian_data()
    expected = -stats.norm.logpdf(y, loc=mean, scale=np.sqrt(var))
    np.testing.assert_allclose(
        gaussian_nll(y, mean, var, full=True, reduction="none"), expected, rtol=RTOL_F64
    )


# --------------------------------------------------------------------------- Keras
KERAS_CASES = [
    ("mse", {}, "MeanSquaredError"),
    ("mae", {}, "MeanAbsoluteError"),
    ("huber", {"delta": 1.0}, "Huber"),
    ("huber", {"delta": 0.5}, "Huber"),
    ("log_cosh", {}, "LogCosh"),
]


@pytest.mark.parametrize("name,kw,cls", KERAS_CASES, ids=lambda v: str(v))
def test_matches_keras(name, kw, cls):
    """Keras averages over the last axis (D) first, then reduces over the batch (N)."""
    keras = pytest.importorskip("keras")
    y, p = _data()
    n, d = y.shape
    k = {
        red: np.asarray(getattr(keras.losses, cls)(**kw, reduction=red, dtype="float64")(y, p))
        for red in ("none", "sum", "sum_over_batch_size")
    }
    atol = ATOL_KERAS_LOG2 if name == "log_cosh" else ATOL_F64
    f = LOSSES[name]
    np.testing.assert_allclose(
        f(y, p, **kw, reduction="none").mean(axis=-1), k["none"], rtol=RTOL_F64, atol=atol
    )
    np.testing.assert_allclose(f(y, p, **kw), k["sum_over_batch_size"], rtol=RTOL_F64, atol=atol)
    # Keras "sum" adds the N per-row means: our sum over all N*D elements divided by D
    np.testing.assert_allclose(
        f(y, p, **kw, reduction="sum") / d, k["sum"], rtol=RTOL_F64, atol=n * atol
    )


# --------------------------------------------------------------------------- scikit-learn
def test_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    y, p = _data()
    yr, pr = y.ravel(), p.ravel()
    close = dict(rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(mse(y, p), metrics.mean_squared_error(y, p), **close)
    np.testing.assert_allclose(mae(y, p), metrics.mean_absolute_error(y, p), **close)
    np.testing.assert_allclose(rmse(y, p), metrics.root_mean_squared_error(yr, pr), **close)
    for tau in (0.1, 0.5, 0.9):
        np.testing.assert_allclose(
            quantile(y, p, tau=tau), metrics.mean_pinball_loss(y, p, alpha=tau), **close
        )


def test_sklearn_rmse_on_2d_targets_averages_column_rmses():
    """The docstring's warning: for 2-D targets sklearn is not the RMSE of all elements."""
    metrics = pytest.importorskip("sklearn.metrics")
    y, p = _data()
    per_column = np.sqrt(np.mean((p - y) ** 2, axis=0)).mean()
    np.testing.assert_allclose(metrics.root_mean_squared_error(y, p), per_column, rtol=RTOL_F64)
    np.testing.assert_allclose(rmse(y, p), np.sqrt(np.mean((p - y) ** 2)), rtol=RTOL_F64)
    assert abs(rmse(y, p) - per_column) > 1e-3


# --------------------------------------------------------------------------- properties
@pytest.mark.parametrize("name,kw", CASES, ids=CASE_IDS)
def test_zero_loss_and_zero_grad_at_perfect_prediction(name, kw):
    y, _ = _data()
    f = LOSSES[name]
    assert np.all(f(y, y.copy(), **kw, reduction="none") == 0)
    assert f(y, y.copy(), **kw) == 0
    assert np.all(f.grad(y, y.copy(), **kw) == 0)


def test_rmse_zero_at_perfect_prediction_with_zero_subgradient():
    y, _ = _data()
    assert rmse(y, y.copy()) == 0
    np.testing.assert_array_equal(rmse.grad(y, y.copy()), 0.0)


def test_mse_minimizer_is_the_mean():
    optimize = pytest.importorskip("scipy.optimize")
    y = np.random.default_rng(3).standard_t(df=3, size=101)
    res = optimize.minimize_scalar(
        lambda c: mse(y, np.full_like(y, c)), bracket=(-1.0, 1.0), tol=1e-12
    )
    np.testing.assert_allclose(res.x, np.mean(y), atol=1e-7)


def _best_constant(loss, y, **kw):
    """The sample point with the lowest loss as a constant prediction.

    A piecewise-linear convex loss in c (MAE, pinball) has its minimum at a data point,
    so scanning the data points finds it exactly.
    """
    values = [loss(y, np.full_like(y, c), **kw) for c in y]
    return y[int(np.argmin(values))]


def test_mae_minimizer_is_the_median():
    y = np.random.default_rng(4).standard_t(df=3, size=101)  # odd: a unique median
    assert _best_constant(mae, y) == np.median(y)


@pytest.mark.parametrize("tau", [0.1, 0.3, 0.75, 0.9])
def test_quantile_minimizer_is_the_tau_quantile(tau):
    y = np.random.default_rng(5).exponential(size=101)  # 101 tau is never an integer
    expected = np.quantile(y, tau, method="inverted_cdf")
    assert _best_constant(quantile, y, tau=tau) == expected


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huber_with_large_delta_is_half_mse(reduction):
    y, p = _data()
    np.testing.assert_allclose(
        huber(y, p, delta=1e3, reduction=reduction),
        0.5 * mse(y, p, reduction=reduction),
        rtol=RTOL_F64,
    )
    np.testing.assert_allclose(
        huber.grad(y, p, delta=1e3, reduction=reduction),
        0.5 * mse.grad(y, p, reduction=reduction),
        rtol=RTOL_F64,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber_is_delta_times_smooth_l1(delta, reduction):
    y, p = _data()
    np.testing.assert_allclose(
        huber(y, p, delta=delta, reduction=reduction),
        delta * smooth_l1(y, p, beta=delta, reduction=reduction),
        rtol=RTOL_F64,
    )
    np.testing.assert_allclose(
        huber.grad(y, p, delta=delta, reduction=reduction),
        delta * smooth_l1.grad(y, p, beta=delta, reduction=reduction),
        rtol=RTOL_F64,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_smooth_l1_tends_to_mae(reduction):
    y, p = _data()
    np.testing.assert_array_equal(
        smooth_l1(y, p, beta=0.0, reduction=reduction), mae(y, p, reduction=reduction)
    )
    # beta -> 0: the difference is at most beta / 2 per element
    np.testing.assert_allclose(
        smooth_l1(y, p, beta=1e-9, reduction=reduction),
        mae(y, p, reduction=reduction),
        rtol=0,
        atol=y.size * 1e-9,
    )
    np.testing.assert_allclose(
        smooth_l1.grad(y, p, beta=1e-9, reduction=reduction),
        mae.grad(y, p, reduction=reduction),
        rtol=RTOL_F64,
    )


def test_quantile_at_one_half_is_half_mae_including_ties():
    y = np.array([0.0, 1.0, 2.0, 3.0])
    p = np.array([0.5, 1.0, 1.0, 4.0])  # one tie
    np.testing.assert_allclose(
        quantile(y, p, tau=0.5, reduction="none"), 0.5 * np.abs(p - y), rtol=RTOL_F64
    )
    np.testing.assert_allclose(
        quantile.grad(y, p, tau=0.5, reduction="none"), 0.5 * np.sign(p - y), rtol=RTOL_F64
    )


def test_subgradients_at_kinks_are_zero():
    """mae and quantile take 0 at a zero residual (the subgradient torch's abs picks)."""
    torch = pytest.importorskip("torch")
    y = np.array([1.0, 2.0, 3.0])
    p = np.array([1.0, 2.5, 2.0])
    pt = torch.tensor(p, requires_grad=True)
    torch.nn.functional.l1_loss(pt, torch.tensor(y), reduction="sum").backward()
    np.testing.assert_array_equal(mae.grad(y, p, reduction="sum"), pt.grad.numpy())
    # pinball: -tau where y > y_hat, 1 - tau where y < y_hat, 0 at the tie
    np.testing.assert_allclose(
        quantile.grad(y, p, tau=0.2, reduction="none"), [0.0, 0.8, -0.2], rtol=RTOL_F64
    )


def _all_calls(dtype):
    """(label, value thunk, grad thunk) for every loss on inputs of ``dtype``."""
    y, p = (a.astype(dtype) for a in _data())
    calls = [
        (
            f"{n}{kw}",
            (lambda n=n, kw=kw: LOSSES[n](y, p, **kw, reduction="none")),
            (lambda n=n, kw=kw: LOSSES[n].grad(y, p, **kw)),
        )
        for n, kw in CASES
    ]
    calls.append(("rmse", lambda: rmse(y, p), lambda: rmse.grad(y, p)))
    yp, xp = (a.astype(dtype) for a in _poisson_data(log_input=True))
    for full in (False, True):
        calls.append(
            (
                f"poisson full={full}",
                lambda full=full: poisson_nll(yp, xp, full=full, reduction="none"),
                lambda full=full: poisson_nll.grad(yp, xp, full=full),
            )
        )
    calls.append(
        (
            "poisson rate",
            lambda: poisson_nll(yp, np.abs(xp), log_input=False, full=True),
            lambda: poisson_nll.grad(yp, np.abs(xp), log_input=False),
        )
    )
    yg, mg, vg = (a.astype(dtype) for a in _gaussian_data())
    calls.append(
        (
            "gaussian",
            lambda: gaussian_nll(yg, mg, vg, full=True, reduction="none"),
            lambda: gaussian_nll.grad(yg, mg, vg),
        )
    )
    return calls


def test_float32_in_float32_out():
    for (label, value32, grad32), (_, value64, grad64) in zip(
        _all_calls(np.float32), _all_calls(np.float64)
    ):
        v32, v64 = value32(), value64()
        assert v32.dtype == np.float32, label
        np.testing.assert_allclose(v32, v64, rtol=RTOL_F32, atol=RTOL_F32, err_msg=label)
        g32, g64 = grad32(), grad64()
        for a32, a64 in zip(
            g32 if isinstance(g32, tuple) else (g32,), g64 if isinstance(g64, tuple) else (g64,)
        ):
            assert a32.dtype == np.float32, label
            np.testing.assert_allclose(a32, a64, rtol=RTOL_F32, atol=RTOL_F32, err_msg=label)


def test_log_cosh_small_residuals_keep_their_digits():
    r = np.array([1e-8, -1e-4, 0.3, 0.999])
    series = r**2 / 2 - r**4 / 12 + r**6 / 45 - 17 * r**8 / 2520  # Taylor series of log cosh
    exact = np.log(np.cosh(r))  # accurate enough for r >= 0.3 (value >= 0.04)
    expected = np.where(np.abs(r) < 0.01, series, exact)
    np.testing.assert_allclose(log_cosh(np.zeros(4), r, reduction="none"), expected, rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_cosh_at_1e4_is_finite_and_exact(dtype):
    r = np.array([1e4, -1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        values = log_cosh(np.zeros(2, dtype), r, reduction="none")
        grads = log_cosh.grad(np.zeros(2, dtype), r, reduction="none")
    assert values.dtype == dtype
    np.testing.assert_allclose(
        values, 1e4 - math.log(2), rtol=RTOL_F32 if dtype == np.float32 else RTOL_F64
    )
    np.testing.assert_array_equal(grads, [1.0, -1.0])


def _extreme_value(name, kw, a):
    """The loss at residual magnitude ``a``, beyond every kink (closed forms)."""
    return {
        "mse": a * a,
        "mae": a,
        "huber": kw.get("delta", 1.0) * (a - kw.get("delta", 1.0) / 2),
        "smooth_l1": a - kw.get("beta", 1.0) / 2,
        "log_cosh": a - math.log(2),
        "quantile": None,  # asymmetric: tau a or (1 - tau) a, depending on the side
    }[name]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kw", CASES, ids=CASE_IDS)
def test_extreme_residuals_are_finite_and_exact(name, kw, dtype):
    y = np.zeros(4, dtype)
    p = np.array([1e4, -1e4, np.inf, -np.inf], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        values = LOSSES[name](y, p, **kw, reduction="none")
        grads = LOSSES[name].grad(y, p, **kw, reduction="none")
    if name == "quantile":
        tau = kw["tau"]
        expected = np.array([(1 - tau) * 1e4, tau * 1e4])
    else:
        expected = np.full(2, _extreme_value(name, kw, 1e4))
    rtol = RTOL_F32 if dtype == np.float32 else RTOL_F64
    np.testing.assert_allclose(values[:2], expected, rtol=rtol)
    np.testing.assert_array_equal(values[2:], np.inf)  # the limit, not NaN
    assert np.all(~np.isnan(grads))


def test_rmse_does_not_overflow_or_underflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        np.testing.assert_allclose(
            rmse(np.zeros(2), np.array([3e200, 4e200])), 5e200 / math.sqrt(2), rtol=RTOL_F64
        )
        np.testing.assert_allclose(
            rmse(np.zeros(2), np.array([3e-200, 4e-200])), 5e-200 / math.sqrt(2), rtol=RTOL_F64
        )
        big = rmse(np.zeros(2, np.float32), np.array([3e20, 4e20], np.float32))
    assert big.dtype == np.float32
    np.testing.assert_allclose(big, 5e20 / math.sqrt(2), rtol=RTOL_F32)


def test_poisson_nll_extremes_and_limits():
    y = np.array([2.0, 2.0, 2.0, 0.0, 0.0])
    x = np.array([-1e4, 1e4, np.inf, -np.inf, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        values = poisson_nll(y, x, reduction="none")
        grads = poisson_nll.grad(y, x, reduction="none")
        # a rate that is exactly 0 with eps = 0: -y log 0 = +inf for y > 0, 0 for y = 0
        rate_values = poisson_nll(
            [2.0, 0.0], [0.0, 0.0], log_input=False, eps=0.0, reduction="none"
        )
        rate_grads = poisson_nll.grad(
            [2.0, 0.0], [0.0, 0.0], log_input=False, eps=0.0, reduction="none"
        )
    # e^-1e4 underflows to 0: 2e4 exactly; e^1e4 is above the float range: inf
    np.testing.assert_array_equal(values, [2e4, np.inf, np.inf, 0.0, np.inf])
    np.testing.assert_array_equal(grads, [-2.0, np.inf, np.inf, 0.0, np.inf])
    np.testing.assert_array_equal(rate_values, [np.inf, 0.0])
    np.testing.assert_array_equal(rate_grads, [-np.inf, 1.0])


def test_gaussian_nll_zero_variance_and_large_residual_are_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        v = gaussian_nll([0.0, 0.0], [1e4, 1.0], [1.0, 0.0], reduction="none")
    np.testing.assert_allclose(v, [0.5e8, 0.5 * (math.log(1e-6) + 1e6)], rtol=RTOL_F64)


def test_nan_in_nan_out():
    """A NaN poisons its own element (and the mean), nothing else, with no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        y, p = _data()
        p[1, 2] = np.nan
        for name, kw in CASES:
            v = LOSSES[name](y, p, **kw, reduction="none")
            g = LOSSES[name].grad(y, p, **kw, reduction="none")
            assert np.isnan(v[1, 2]) and np.isnan(g[1, 2]), name
            assert np.isnan(v).sum() == 1 and np.isnan(g).sum() == 1, name
            assert np.isnan(LOSSES[name](y, p, **kw)), name
        assert np.isnan(rmse(y, p)) and np.all(np.isnan(rmse.grad(y, p)))
        for kw in POISSON_OPTIONS:
            yp, xp = _poisson_data(kw["log_input"])
            xp[0, 1] = np.nan
            assert np.isnan(poisson_nll(yp, xp, **kw, reduction="none")).sum() == 1
            assert np.isnan(poisson_nll.grad(yp, xp, **kw, reduction="none")).sum() == 1
            yp[0, 1], xp[0, 1] = np.nan, 1.0  # a NaN count
            assert np.isnan(poisson_nll(yp, xp, **kw)), kw
        yg, mg, vg = _gaussian_data()
        vg[2, 0] = np.nan
        assert np.isnan(gaussian_nll(yg, mg, vg, reduction="none")).sum() == 1
        d_mean, d_var = gaussian_nll.grad(yg, mg, vg, reduction="none")
        assert np.isnan(d_mean).sum() == 1 and np.isnan(d_var).sum() == 1


def test_registered_kinds():
    for f in (mse, mae, rmse, huber, smooth_l1, log_cosh, quantile):
        assert f.kind == "regression" and f.grad is not None
    for f in (poisson_nll, gaussian_nll):
        assert f.kind == "probabilistic" and f.grad is not None


# --------------------------------------------------------------------------- malformed calls
SAME_SHAPE_TAIL = (
    "; lossbook never broadcasts them, because (N, 1) against (N,) would "
    "silently compare every pair (an (N, N) result)"
)
MALFORMED = [
    (
        lambda: mae(np.zeros((3, 1)), np.zeros(3)),
        "mae: y_true and y_pred must have the same shape, got y_true (3, 1) and y_pred (3,) "
        "(they hold the same number of values: reshape one, e.g. with .reshape(-1))"
        + SAME_SHAPE_TAIL,
    ),
    (
        lambda: quantile.grad(np.zeros(3), np.zeros(4)),
        "quantile: y_true and y_pred must have the same shape, got y_true (3,) and y_pred (4,)"
        + SAME_SHAPE_TAIL,
    ),
    (
        lambda: huber([1.0], [2.0], reduction="avg"),
        "huber: reduction must be one of 'mean', 'sum', 'none', got 'avg'",
    ),
    (
        lambda: log_cosh.grad([1.0], [2.0], reduction=None),
        "log_cosh: reduction must be one of 'mean', 'sum', 'none', got None",
    ),
    (lambda: log_cosh([], []), "log_cosh: y_true must not be empty, got shape (0,)"),
    (lambda: mse(["1", "2"], [1.0, 2.0]), "mse: y_true must hold real numbers, got dtype <U1"),
    (lambda: mae([1.0, 2.0], "ab"), "mae: y_pred must hold real numbers, got dtype <U2"),
    (
        lambda: rmse([1.0], [2.0], reduction="none"),
        "rmse: reduction must be 'mean', got 'none'; RMSE is the square root of a mean over all "
        "elements, so it has no per-element ('none') or summed ('sum') form (for per-element "
        "squared errors use mse(..., reduction='none'))",
    ),
    (
        lambda: rmse.grad([1.0], [2.0], reduction="sum"),
        "rmse: reduction must be 'mean', got 'sum'; ",
    ),
    (lambda: quantile([1.0], [2.0], tau=1.0), "quantile: tau must be in (0, 1), got 1.0"),
    (lambda: quantile([1.0], [2.0], tau=0), "quantile: tau must be in (0, 1), got 0"),
    (
        lambda: quantile([1.0], [2.0], tau=90),
        "quantile: tau must be in (0, 1) (tau is a fraction: for the 90th percentile pass 0.9), got 90",
    ),
    (
        lambda: quantile.grad([1.0], [2.0], tau="0.5"),
        "quantile: tau must be a real number, got '0.5'",
    ),
    (lambda: huber([1.0], [2.0], delta=0.0), "huber: delta must be > 0, got 0.0"),
    (lambda: huber.grad([1.0], [2.0], delta=-1), "huber: delta must be > 0, got -1"),
    (lambda: huber([1.0], [2.0], delta=None), "huber: delta must be a real number, got None"),
    (lambda: smooth_l1([1.0], [2.0], beta=-0.1), "smooth_l1: beta must be >= 0, got -0.1"),
    (
        lambda: poisson_nll([1.0, -1.0], [0.0, 0.0]),
        "poisson_nll: y_true must hold counts >= 0, got -1.0",
    ),
    (
        lambda: poisson_nll.grad([1.0, 2.0], [0.5, -0.5], log_input=False),
        "poisson_nll: log_rate must hold rates >= 0 when log_input=False (it is then the rate "
        "itself, not its log), got -0.5",
    ),
    (
        lambda: poisson_nll([1.0], [0.5], log_input=False, eps=-1e-8),
        "poisson_nll: eps must be >= 0, got -1e-08",
    ),
    (
        lambda: poisson_nll(np.zeros((2, 1)), np.zeros(2)),
        "poisson_nll: y_true and log_rate must have the same shape, got y_true (2, 1) and log_rate (2,)",
    ),
    (
        lambda: gaussian_nll([0.0, 1.0], [0.0, 1.0], [1.0, -0.5]),
        "gaussian_nll: var must hold variances >= 0, got -0.5",
    ),
    (
        lambda: gaussian_nll.grad(np.zeros((4, 3)), np.zeros((4, 3)), np.ones((4, 1))),
        "gaussian_nll: var must have the shape of mean, got var (4, 1) and mean (4, 3); PyTorch "
        "broadcasts a shared variance, lossbook does not: pass one variance per element (e.g. "
        "np.broadcast_to(var, mean.shape) for var of shape (N, 1))",
    ),
    (
        lambda: gaussian_nll(np.zeros(3), np.zeros((3, 1)), np.ones((3, 1))),
        "gaussian_nll: y_true and mean must have the same shape, got y_true (3,) and mean (3, 1)",
    ),
    (lambda: gaussian_nll([0.0], [0.0], [1.0], eps=0.0), "gaussian_nll: eps must be > 0, got 0.0"),
    (
        lambda: gaussian_nll([0.0], [0.0], [1.0], reduction="batchmean"),
        "gaussian_nll: reduction must be one of 'mean', 'sum', 'none', got 'batchmean'",
    ),
]


@pytest.mark.parametrize("call,message", MALFORMED, ids=[m[:40] for _, m in MALFORMED])
def test_malformed_calls_raise_teaching_errors(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        call()


# --------------------------------------------------------------------------- Keras MAPE, MSLE, Poisson
KERAS_EPS_CASES = {  # lossbook name -> Keras class: the losses that follow Keras exactly
    "mape": "MeanAbsolutePercentageError",
    "msle": "MeanSquaredLogarithmicError",
    "poisson": "Poisson",
}
KERAS_EPS_LOSSES = {"mape": mape, "msle": msle, "poisson": poisson}


def _keras_eps_data(name):
    """(N, D) = (4, 3) inputs for each loss, with the cases its epsilon or clip is for.

    mape: a target of exactly 0 (the 1e-7 floor); msle: a target of 0 and a target and a
    prediction below 0 (clipped to 1e-7); poisson: a rate of 0, a zero count and
    non-integer counts.  Predictions stay 0.05 or more off every kink.
    """
    rng = np.random.default_rng(11)
    if name == "mape":
        y = rng.uniform(0.5, 3.0, size=(4, 3)) * rng.choice([-1.0, 1.0], size=(4, 3))
        y[0, 0] = 0.0
        r = rng.uniform(0.1, 1.0, size=y.shape) * rng.choice([-1.0, 1.0], size=y.shape)
        return y, y + r
    if name == "msle":
        y, p = rng.uniform(0.0, 4.0, size=(4, 3)), rng.uniform(0.0, 4.0, size=(4, 3))
        y[0, 0], y[1, 1], p[2, 2] = 0.0, -0.5, -0.5
        return y, p
    y = np.array([[0.0, 1.0, 2.5], [3.0, 0.5, 7.0], [1.0, 0.0, 4.0], [2.0, 6.0, 0.2]])
    lam = rng.uniform(0.3, 5.0, size=y.shape)
    lam[1, 1] = 0.0  # a zero rate with a count of 0.5: -0.5 log(1e-7), finite
    return y, lam


def _keras_eps_loss(keras, name, reduction):
    return getattr(keras.losses, KERAS_EPS_CASES[name])(reduction=reduction, dtype="float64")


@pytest.mark.parametrize("name", sorted(KERAS_EPS_CASES))
def test_mape_msle_poisson_match_keras(name):
    """Values for every reduction and the mean's gradient against Keras in float64.

    Keras averages over the last axis (D) first: its "none" is our "none" averaged over
    D, its "sum" is our sum / D, and its default "sum_over_batch_size" is our mean.
    """
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    y, p = _keras_eps_data(name)
    f = KERAS_EPS_LOSSES[name]
    yt = keras.ops.convert_to_tensor(y, dtype="float64")
    pt = keras.ops.convert_to_tensor(p, dtype="float64")
    k = {red: np.asarray(_keras_eps_loss(keras, name, red)(yt, pt)) for red in ("none", "sum")}
    close = dict(rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(f(y, p, reduction="none").mean(axis=-1), k["none"], **close)
    np.testing.assert_allclose(f(y, p, reduction="sum") / y.shape[-1], k["sum"], **close)
    pv = tf.Variable(p)
    with tf.GradientTape() as tape:
        value = _keras_eps_loss(keras, name, "sum_over_batch_size")(yt, pv)
    np.testing.assert_allclose(f(y, p), value.numpy(), **close)
    np.testing.assert_allclose(f.grad(y, p), tape.gradient(value, pv).numpy(), **close)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(KERAS_EPS_CASES))
def test_mape_msle_poisson_grad_matches_central_difference(name, reduction):
    y, p = _keras_eps_data(name)
    # Off the floor of mape (a loss of 1e8 would drown the other elements' differences
    # in rounding) and off the zero rate (h would leave rate >= 0); both are checked
    # against autograd above and in closed form below.
    y[0, 0] = 1.5 if name == "mape" else y[0, 0]
    p[1, 1] = 0.3 if name == "poisson" else p[1, 1]
    f = KERAS_EPS_LOSSES[name]
    if reduction == "none":
        expected = elementwise_central_difference(lambda q: f(y, q, reduction="none"), p)
    else:
        expected = central_difference(lambda q: f(y, q, reduction=reduction), p)
    np.testing.assert_allclose(f.grad(y, p, reduction=reduction), expected, rtol=RTOL_FD, atol=ATOL_FD)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_poisson_matches_torch_rate_form(reduction):
    torch = pytest.importorskip("torch")
    y, lam = _keras_eps_data("poisson")
    lt = torch.tensor(lam, requires_grad=True)
    out = torch.nn.functional.poisson_nll_loss(
        lt, torch.tensor(y), log_input=False, eps=1e-7, reduction=reduction
    )
    (out.sum() if reduction == "none" else out).backward()
    np.testing.assert_allclose(poisson(y, lam, reduction=reduction), out.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(poisson.grad(y, lam, reduction=reduction), lt.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    # and lossbook's own PyTorch-style loss with Keras's epsilon
    np.testing.assert_array_equal(
        poisson(y, lam, reduction=reduction),
        poisson_nll(y, lam, log_input=False, eps=1e-7, reduction=reduction),
    )
    np.testing.assert_array_equal(
        poisson.grad(y, lam, reduction=reduction),
        poisson_nll.grad(y, lam, log_input=False, eps=1e-7, reduction=reduction),
    )


def test_mape_and_msle_relate_to_sklearn():
    """The docstrings' claims: sklearn's MAPE is a fraction; its MSLE has no clip."""
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(12)
    y, p = rng.uniform(0.5, 3.0, size=20), rng.uniform(0.5, 3.0, size=20)
    np.testing.assert_allclose(mape(y, p), 100 * metrics.mean_absolute_percentage_error(y, p), rtol=RTOL_F64)
    np.testing.assert_allclose(msle(y, p), metrics.mean_squared_log_error(y, p), rtol=RTOL_F64)
    # below 1e-7 Keras (and lossbook) clip, scikit-learn takes log(1 + x) as it is
    assert msle([0.5], [-0.5]) == pytest.approx((math.log1p(0.5) - math.log1p(1e-7)) ** 2, rel=RTOL_F64)
    assert metrics.mean_squared_log_error([0.5], [-0.5]) == pytest.approx(
        (math.log1p(0.5) - math.log1p(-0.5)) ** 2, rel=RTOL_F64
    )


def test_mape_zero_target_and_extremes():
    # a zero target divides by the floor 1e-7: 1e9 times the absolute error
    np.testing.assert_allclose(mape([0.0, 0.0], [0.5, 0.0], reduction="none"), [5e8, 0.0], rtol=RTOL_F64)
    np.testing.assert_allclose(mape.grad([0.0], [-0.5], reduction="none"), [-1e9], rtol=RTOL_F64)
    # huge and tiny magnitudes: a ratio, computed without overflow
    np.testing.assert_allclose(mape([1e300, -1e-300], [0.0, 1e-300], reduction="none"), [100.0, 2e-291], rtol=RTOL_F64)
    for dtype in (np.float32, np.float64):
        y = np.array([2.0, 0.0, -4.0], dtype)
        p = np.array([3.0, 1e-3, -3.0], dtype)
        v, g = mape(y, p, reduction="none"), mape.grad(y, p)
        assert v.dtype == dtype and g.dtype == dtype and np.all(np.isfinite(v))
        np.testing.assert_allclose(v, [50.0, 1e6, 25.0], rtol=RTOL_F32)
    assert np.isnan(mape([1.0, np.nan], [1.0, 2.0]))


def test_msle_clip_and_extremes():
    # a negative prediction counts as 1e-7: the same loss as 1e-7, and slope 0
    np.testing.assert_allclose(msle([2.0], [-0.9]), msle([2.0], [1e-7]), rtol=RTOL_F64)
    assert msle.grad([2.0], [-0.9]) == 0.0
    # huge values: the logs stay finite; an infinite prediction costs inf with slope 0 (the limit)
    np.testing.assert_allclose(msle([1e300], [1e-300], reduction="none"), [math.log1p(1e300) ** 2], rtol=RTOL_F64)
    assert msle([1.0], [np.inf]) == np.inf and msle.grad([1.0], [np.inf]) == 0.0
    # float32: log1p keeps the digits of tiny inputs that log(1 + x) rounds away
    y32, p32 = np.array([0.0], np.float32), np.array([1e-5], np.float32)
    v32 = msle(y32, p32)
    assert v32.dtype == np.float32 and msle.grad(y32, p32).dtype == np.float32
    np.testing.assert_allclose(v32, msle([0.0], [float(p32[0])]), rtol=RTOL_F32)
    naive = float(((np.log(p32 + np.float32(1)) - np.log(np.float32(1e-7) + np.float32(1))) ** 2)[0])
    assert abs(naive / float(v32) - 1) > 1e-4  # Keras's float32 log(x + 1): 3 digits lost
    assert np.isnan(msle([1.0, 2.0], [np.nan, 2.0]))


def test_poisson_zero_rate_and_extremes():
    # a zero rate: -y log(1e-7) = 16.1 y instead of +inf, slope 1 - 1e7 y
    np.testing.assert_allclose(poisson([2.0, 0.0], [0.0, 0.0], reduction="none"), [-2 * math.log(1e-7), 0.0], rtol=RTOL_F64)
    np.testing.assert_allclose(poisson.grad([2.0, 0.0], [0.0, 0.0], reduction="none"), [1 - 2e7, 1.0], rtol=RTOL_F64)
    # an infinite rate costs +inf (Keras: inf - inf = NaN), a huge one stays exact
    assert poisson([3.0], [np.inf]) == np.inf and poisson([0.0], [np.inf]) == np.inf
    np.testing.assert_allclose(poisson([3.0], [1e300]), 1e300, rtol=RTOL_F64)
    assert poisson.grad([3.0], [np.inf]) == 1.0
    for dtype in (np.float32, np.float64):
        y, lam = np.array([2.5, 0.0], dtype), np.array([1e-3, 1e30], dtype)
        v, g = poisson(y, lam, reduction="none"), poisson.grad(y, lam)
        assert v.dtype == dtype and g.dtype == dtype and np.all(np.isfinite(v)) and np.all(np.isfinite(g))
        np.testing.assert_allclose(v, poisson(y.astype(np.float64), lam.astype(np.float64), reduction="none"), rtol=RTOL_F32)
    assert np.isnan(poisson([1.0, 2.0], [np.nan, 2.0]))


MALFORMED_EPS = [
    (lambda: mape(np.zeros((2, 1)), np.zeros(2)), "mape: y_true and y_pred must have the same shape, got y_true (2, 1) and y_pred (2,)"),
    (lambda: mape.grad([], []), "mape: y_true must not be empty, got shape (0,)"),
    (lambda: mape([1.0], [1.0], reduction="avg"), "mape: reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
    (lambda: msle.grad([1.0, 2.0], [[1.0, 2.0]]), "msle: y_true and y_pred must have the same shape, got y_true (2,) and y_pred (1, 2)"),
    (lambda: msle(["a"], [1.0]), "msle: y_true must hold real numbers, got dtype <U1"),
    (lambda: poisson([1.0, 2.0], [0.5, -0.5]), "poisson: rate must hold rates >= 0 (the rate itself; for a log-rate use poisson_nll), got -0.5"),
    (lambda: poisson.grad([-1.0], [0.5]), "poisson: y_true must hold counts >= 0, got -1.0"),
    (lambda: poisson([1.0], [[0.5]]), "poisson: y_true and rate must have the same shape, got y_true (1,) and rate (1, 1)"),
]


@pytest.mark.parametrize("call,message", MALFORMED_EPS, ids=[m[:40] for _, m in MALFORMED_EPS])
def test_mape_msle_poisson_malformed_calls_raise(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        call()



# --------------------------------------------------------------------------- Barron
@pytest.mark.parametrize("scale", [0.5, 1.0, 2.0])
def test_barron_special_cases_in_closed_form(scale):
    """Barron (2019), eq. (1) and its named cases: each alpha gives a known loss."""
    r = np.linspace(-5.0, 5.0, 41)
    y = np.zeros_like(r)
    x2 = (r / scale) ** 2
    cases = {
        2.0: 0.5 * x2,                               # L2
        1.0: np.sqrt(x2 + 1.0) - 1.0,                # pseudo-Huber / Charbonnier
        0.0: np.log(0.5 * x2 + 1.0),                 # Cauchy / Lorentzian
        -2.0: 2.0 * x2 / (x2 + 4.0),                 # Geman-McClure
        -np.inf: 1.0 - np.exp(-0.5 * x2),            # Welsch / Leclerc
    }
    for alpha, want in cases.items():
        got = losses.barron(y, r, alpha=alpha, scale=scale, reduction="none")
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("alpha", [0.0, 2.0])
def test_barron_is_continuous_at_its_removable_points(alpha):
    r = np.linspace(-4.0, 4.0, 17)
    y = np.zeros_like(r)
    at = losses.barron(y, r, alpha=alpha, reduction="none")
    for eps in (1e-6, -1e-6):
        near = losses.barron(y, r, alpha=alpha + eps, reduction="none")
        np.testing.assert_allclose(near, at, rtol=1e-5, atol=1e-12)
        g_at = losses.barron.grad(y, r, alpha=alpha, reduction="none")
        g_near = losses.barron.grad(y, r, alpha=alpha + eps, reduction="none")
        np.testing.assert_allclose(g_near, g_at, rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize("alpha", [2.0, 1.0, 0.5, 0.0, -2.0, -np.inf])
def test_barron_gradient_matches_finite_differences(alpha):
    rng = np.random.default_rng(3)
    y, r = rng.normal(size=9), rng.normal(scale=2.0, size=9)
    f = lambda p: losses.barron(y, p, alpha=alpha, scale=0.7, reduction="sum")
    np.testing.assert_allclose(losses.barron.grad(y, y + r, alpha=alpha, scale=0.7, reduction="sum"),
                               central_difference(f, y + r), rtol=RTOL_FD, atol=ATOL_FD)


def test_barron_redescends_below_alpha_zero():
    """For alpha <= 0 the pull of a far outlier goes back toward zero; for alpha >= 1 it does not."""
    r = np.array([1.0, 10.0, 100.0])
    y = np.zeros(3)
    pull = lambda a: np.abs(losses.barron.grad(y, r, alpha=a, reduction="none"))
    assert pull(-2.0)[2] < pull(-2.0)[1] < pull(-2.0)[0] * 10
    assert pull(-2.0)[2] < 1e-3
    assert np.all(np.diff(pull(1.0)) >= 0) and pull(1.0)[2] < 1.0


@pytest.mark.parametrize("bad", ["1", np.nan, np.inf, None])
def test_barron_rejects_a_bad_alpha(bad):
    with pytest.raises(ValueError, match="barron: alpha must be a real number or -inf"):
        losses.barron([0.0], [1.0], alpha=bad)
