"""Tests of lossbook.models.fit_linear: a linear model fitted under any registered loss.

References are independent of the code under test: NumPy's least squares, linear
programs (SciPy's HiGHS) for quantile regression and the hinge loss, SciPy's BFGS on
the logistic log-likelihood written out, scikit-learn's LogisticRegression (with its
C = 1/(lambda N)) and PoissonRegressor, and finite differences of the objective.
"""

from __future__ import annotations

import numpy as np
import pytest

from lossbook import data, losses, models
from tests._tools import central_difference


def regression_data(outliers=6):
    return data.linear(40, outliers=outliers, seed=0)


def blobs(share=0.2):
    return data.blobs(200, weights=(1.0 - share, share), seed=0)


def test_fit_under_mse_is_least_squares():
    x, y = regression_data(6)
    fit = models.fit_linear("mse", x, y)
    # 300 Adam steps end within 1e-5 of the closed form (a pixel is ~1e-2 here)
    np.testing.assert_allclose(fit.coef, np.polyfit(x, y, 1), rtol=0, atol=1e-5)
    exact = models.fit_linear("mse", x, y, solver="lbfgs")
    np.testing.assert_allclose(exact.coef, np.polyfit(x, y, 1), rtol=0, atol=1e-8)


@pytest.mark.parametrize("tau", [0.5, 0.1, 0.9])
def test_fit_under_pinball_reaches_the_exact_quantile_regression(tau):
    linprog = pytest.importorskip("scipy.optimize").linprog
    x, y = regression_data(8)
    # quantile regression as a linear program (Koenker & Bassett 1978): residuals
    # y - (w x + b) = u - v with u, v >= 0; minimize mean(tau u + (1 - tau) v)
    n = len(y)
    c = np.concatenate([[0.0, 0.0], np.full(n, tau / n), np.full(n, (1 - tau) / n)])
    A = np.hstack([x[:, None], np.ones((n, 1)), np.eye(n), -np.eye(n)])
    res = linprog(c, A_eq=A, b_eq=y, bounds=[(None, None)] * 2 + [(0, None)] * (2 * n), method="highs")
    best = res.fun
    fit = models.fit_linear("quantile", x, y, tau=tau)
    assert best <= fit.loss <= best * (1 + 1e-4)
    if tau == 0.5:  # MAE is twice the pinball loss at the median
        assert models.fit_linear("mae", x, y).loss <= 2 * best * (1 + 1e-4)


def test_fit_under_bce_is_unregularized_logistic_regression():
    minimize = pytest.importorskip("scipy.optimize").minimize
    X, y = blobs(0.2)
    A = np.hstack([X, np.ones((len(y), 1))])

    def nll(theta):  # logistic regression's mean negative log-likelihood, written out
        z = A @ theta
        return np.mean(np.logaddexp(0, z) - y * z), A.T @ (1 / (1 + np.exp(-z)) - y) / len(y)

    ref = minimize(nll, np.zeros(3), jac=True, method="BFGS", options={"gtol": 1e-12})
    fit = models.fit_linear("binary_cross_entropy_with_logits", X, y)
    np.testing.assert_allclose(fit.coef, ref.x, rtol=0, atol=2e-3)
    assert ref.fun <= fit.loss <= ref.fun + 1e-6
    # the cross-entropy on logits (0, s) is the same loss, so the same fit
    ce = models.fit_linear("cross_entropy", X, y)
    np.testing.assert_allclose(ce.coef, fit.coef, rtol=0, atol=1e-9)
    # -1/+1 labels mean the same classes
    np.testing.assert_allclose(models.fit_linear("binary_cross_entropy_with_logits", X, 2 * y - 1).coef, fit.coef)


def test_fit_under_hinge_reaches_the_linear_program_optimum():
    linprog = pytest.importorskip("scipy.optimize").linprog
    X, y = blobs(0.1)
    s = 2.0 * y - 1.0
    n = len(y)
    # variables (w1, w2, b, xi_1..xi_n): min mean(xi), xi_i >= 1 - s_i (w.x_i + b), xi >= 0
    c = np.concatenate([np.zeros(3), np.full(n, 1 / n)])
    A = np.hstack([-s[:, None] * X, -s[:, None], -np.eye(n)])
    res = linprog(c, A_ub=A, b_ub=-np.ones(n), bounds=[(None, None)] * 3 + [(0, None)] * n, method="highs")
    fit = models.fit_linear("hinge", X, y)
    assert res.fun <= fit.loss <= res.fun + 1e-4
    # Crammer-Singer's hinge with two classes and scores (0, s) is the hinge of s
    mc = models.fit_linear("multiclass_hinge", X, y)
    np.testing.assert_allclose(mc.coef, fit.coef, rtol=0, atol=1e-9)


def test_penalized_logistic_regression_is_scikit_learns():
    LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression
    X, y = blobs(0.3)
    lam = 0.05
    fit = models.fit_linear("binary_cross_entropy_with_logits", X, y, lam=lam, solver="lbfgs")
    # scikit-learn minimizes C sum(loss) + |w|^2 / 2, i.e. ours times C N, C = 1 / (lam N)
    ref = LogisticRegression(C=1 / (lam * len(y)), tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(fit.w, ref.coef_[0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(fit.b, ref.intercept_[0], rtol=0, atol=1e-6)


def test_softmax_with_three_classes_is_multinomial_logistic_regression():
    LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 2))
    y = np.argmax(X @ np.array([[1.0, -1.0, 0.0], [0.5, 0.5, -1.0]]) + rng.normal(scale=0.7, size=(150, 3)), axis=1)
    lam = 0.02
    fit = models.fit_linear("cross_entropy", X, y, lam=lam, solver="lbfgs")
    assert fit.coef.shape == (3, 3)
    ref = LogisticRegression(C=1 / (lam * len(y)), tol=1e-12, max_iter=10_000).fit(X, y)
    # the softmax is unchanged by a shift of all classes' scores: compare probabilities
    P = np.exp(fit.predict(X) - fit.predict(X).max(axis=1, keepdims=True))
    np.testing.assert_allclose(P / P.sum(axis=1, keepdims=True), ref.predict_proba(X), rtol=0, atol=1e-5)


def test_poisson_log_linear_model_is_scikit_learns():
    PoissonRegressor = pytest.importorskip("sklearn.linear_model").PoissonRegressor
    x, y = data.counts(300, seed=0)
    fit = models.fit_linear("poisson_nll", x, y, solver="lbfgs")
    ref = PoissonRegressor(alpha=0.0, tol=1e-12, max_iter=10_000).fit(np.asarray(x).reshape(-1, 1), y)
    np.testing.assert_allclose(fit.coef, [ref.coef_[0], ref.intercept_], rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", models.linear_model_losses())
def test_gradient_of_the_objective_by_finite_differences(name):
    # The fit follows the gradient fit_linear builds from loss.grad: check it against
    # central differences of the objective it minimizes, with a penalty.
    info = losses.info(name)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(12, 2))
    y = {"real": rng.normal(size=12), "counts": rng.poisson(2.0, 12).astype(float)}.get(
        info.target, rng.integers(0, 2, 12).astype(float))
    lam, theta = 0.3, np.array([0.37, -0.21, 0.13])
    fn, hyper = losses.get(name), {}

    def objective(t):
        s = X @ t[:2] + t[2]
        v, _ = models.per_example(name, y, s) if info.per_example else (None, None)
        mean = np.mean(v) if v is not None else fn(y, s)
        return mean + 0.5 * lam * t[:2] @ t[:2]

    fit = models.fit_linear(name, X, y, lam=lam, steps=0, **hyper)  # steps=0: stays at zero
    assert np.array_equal(fit.coef, np.zeros(3))
    from lossbook.models import _objective, _targets

    yy, outputs = _targets(info, y)
    value_grad, _ = _objective(fn, info, X, yy, outputs, lam, hyper)
    val, grad = value_grad(theta)
    assert val == pytest.approx(objective(theta), rel=1e-12)
    np.testing.assert_allclose(grad, central_difference(objective, theta), rtol=1e-6, atol=1e-8)


def test_linear_model_losses_read_the_facts():
    names = models.linear_model_losses()
    for name in losses.available():
        info = losses.info(name)
        fits = info.target in ("real", "counts", "binary01", "probability", "pm1", "class_index") and \
            len(info.inputs) == 2 and info.domain(info.inputs[1]) in ("real", "logit", "score", "log_rate")
        assert (name in names) == fits, name
    assert "binary_cross_entropy" not in names and "gaussian_nll" not in names and "triplet" not in names


def test_fit_linear_rejects_what_it_cannot_fit():
    X, y = blobs(0.2)
    with pytest.raises(ValueError, match=r"fit_linear: a linear model outputs any real number, but "
                                         r"'binary_cross_entropy' takes probability predictions \(use "
                                         r"binary_cross_entropy_with_logits"):
        models.fit_linear("binary_cross_entropy", X, y)
    with pytest.raises(ValueError, match=r"fit_linear: loss must have a target and one prediction input, "
                                         r"got 'gaussian_nll'"):
        models.fit_linear("gaussian_nll", X, y)
    with pytest.raises(ValueError, match=r"fit_linear: X must be \(N,\) or \(N, D\) and y \(N,\) with the same N, "
                                         r"got \(200, 2\) and \(199,\)"):
        models.fit_linear("mse", X, y[:-1])
    with pytest.raises(ValueError, match=r"fit_linear: X must be \(N,\) or \(N, D\)"):
        models.fit_linear("mse", np.zeros((4, 2, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"fit_linear: y must hold 0/1 or -1/\+1 labels for 'hinge', got 0, 1, 2"):
        models.fit_linear("hinge", np.zeros(3), np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"fit_linear: solver must be one of adam, lbfgs, got 'newton'"):
        models.fit_linear("mse", X[:, 0], X[:, 1], solver="newton")
    with pytest.raises(ValueError, match=r"fit_linear: lam must be >= 0, got -1"):
        models.fit_linear("mse", X[:, 0], X[:, 1], lam=-1)
    with pytest.raises(ValueError, match=r"info: unknown loss 'nope'"):
        models.fit_linear("nope", X, y)
