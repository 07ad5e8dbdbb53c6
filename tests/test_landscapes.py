"""Tests of lossbook.landscapes: gradients, critical points, regression surfaces, shapes.

References: 4th-order central differences (tests/_tools.py), closed-form Hessians
worked out by hand, np.polyfit / least squares, and scipy / scikit-learn optimizers
for the minimizers of the robust regression losses.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lossbook import landscapes as L
from lossbook.landscapes import get_landscape, regression_data, regression_surface
from lossbook.optim import SGD, run
from tests._tools import ATOL_FD, RTOL_FD, central_difference

# A documented critical point is given to 12 digits; the gradient there is about the
# Hessian (<= 1e3 here) times 1e-12.
TOL_CRITICAL = 1e-8
# Hessians by central differences of the gradient (h ~ 1e-5): error ~ h^2 * f'''' plus
# rounding ~ eps * |grad| / h; 1e-5 relative covers both for these surfaces.
RTOL_HESS = 1e-5

SURFACES = {
    "quadratic": lambda: L.quadratic(),
    "quadratic(2,30)": lambda: L.quadratic(2.0, 30.0),
    "rosenbrock": lambda: L.rosenbrock(),
    "rosenbrock(-0.5,10)": lambda: L.rosenbrock(a=-0.5, b=10.0),
    "saddle": lambda: L.saddle(),
    "saddle-monkey": lambda: L.saddle("monkey"),
    "saddle-quartic": lambda: L.saddle("quartic"),
    "multi_minima": lambda: L.multi_minima(),
    "himmelblau": lambda: L.himmelblau(),
}

# Regression losses the surface is tested with; those not (yet) registered in
# lossbook.losses are skipped with a message that names them.
REGRESSION_LOSSES = ["mse", "mae", "huber", "log_cosh", "quantile", "smooth_l1", "rmse"]
NONSMOOTH = {"mae", "quantile"}  # kinks where a residual is 0


def regression_or_skip(name, **kw):
    from lossbook.losses import available

    if name not in available("regression"):
        pytest.skip(f"regression loss {name!r} is not registered in lossbook.losses yet")
    return regression_surface(name, **kw)


def random_points(land, n, seed=0):
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(*land.xlim, n), rng.uniform(*land.ylim, n)], axis=1)


# --------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("key", list(SURFACES))
def test_gradient_matches_central_differences(key):
    land = SURFACES[key]()
    for p in random_points(land, 8):
        np.testing.assert_allclose(land.grad(p), central_difference(land.f, p), rtol=RTOL_FD, atol=ATOL_FD * max(1.0, abs(land.f(p))))


@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
@pytest.mark.parametrize("outliers", [0, 3])
def test_regression_gradient_matches_central_differences(loss, outliers):
    land = regression_or_skip(loss, outliers=outliers)
    x, y = land.data
    checked = 0
    for p in random_points(land, 40, seed=1):
        r = p[0] * x + p[1] - y
        # keep the stencil (+-2h in w and b moves residuals by < 0.01) off the kinks of
        # MAE / pinball (r = 0) and of Huber / Smooth L1's second derivative (|r| = 1)
        if np.min(np.abs(r)) < 0.02 or np.min(np.abs(np.abs(r) - 1)) < 0.02:
            continue
        np.testing.assert_allclose(land.grad(p), central_difference(land.f, p), rtol=RTOL_FD, atol=ATOL_FD)
        checked += 1
    assert checked >= 5


# --------------------------------------------------------------------------- critical points
def ring(center, radius, n=16):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return center + radius * np.stack([np.cos(t), np.sin(t)], axis=1)


@pytest.mark.parametrize("key", list(SURFACES))
def test_minima_have_zero_gradient_and_are_minima(key):
    land = SURFACES[key]()
    values = [float(land.f(m)) for m in land.minima]
    # sorted by value, global minimum first (Himmelblau's four zeros tie up to rounding)
    assert all(a <= b + 1e-12 for a, b in zip(values, values[1:]))
    for m in land.minima:
        assert np.abs(land.grad(m)).max() < TOL_CRITICAL
        assert np.all(np.linalg.eigvalsh(land.hessian(m)) > 0)
        for radius in (1e-3, 1e-2, 1e-1):
            assert np.all(land.f(ring(m, radius)) > land.f(m))


@pytest.mark.parametrize("key", list(SURFACES))
def test_saddles_have_zero_gradient_and_are_not_minima(key):
    land = SURFACES[key]()
    for s in land.saddles:
        assert np.abs(land.grad(s)).max() < TOL_CRITICAL
        for radius in (1e-3, 1e-2):
            around = land.f(ring(s, radius, n=24))
            assert around.min() < land.f(s) < around.max()  # lower and higher nearby


@pytest.mark.parametrize("key", ["saddle", "saddle-quartic", "multi_minima", "himmelblau"])
def test_nondegenerate_saddles_have_hessian_eigenvalues_of_both_signs(key):
    land = SURFACES[key]()
    assert land.saddles
    for s in land.saddles:
        ev = np.linalg.eigvalsh(land.hessian(s))
        assert ev[0] < -1e-3 and ev[1] > 1e-3


def test_monkey_saddle_is_degenerate():
    land = L.saddle("monkey")
    np.testing.assert_allclose(land.hessian([0.0, 0.0]), np.zeros((2, 2)), atol=1e-8)
    assert land.minima == []


@pytest.mark.parametrize("key", ["multi_minima", "himmelblau"])
def test_documented_maxima(key):
    land = SURFACES[key]()
    for m in land.maxima:
        assert np.abs(land.grad(m)).max() < TOL_CRITICAL
        assert np.all(np.linalg.eigvalsh(land.hessian(m)) < 0)


def test_multi_minima_has_one_global_and_two_local_minima():
    land = L.multi_minima()
    v = [float(land.f(m)) for m in land.minima]
    assert len(v) == 3 and v[0] < v[1] < v[2]
    # the global one is the lowest point of a fine grid over the window
    X, Y = np.meshgrid(np.linspace(*land.xlim, 401), np.linspace(*land.ylim, 401))
    grid = land.f(np.stack([X, Y], axis=-1))
    assert v[0] <= grid.min() + 1e-12
    np.testing.assert_allclose(v, [-1.845823276127, -1.367362648292, -0.904078840973], rtol=1e-11)


def test_himmelblau_minima_are_zero():
    land = L.himmelblau()
    assert len(land.minima) == 4
    np.testing.assert_allclose([land.f(m) for m in land.minima], 0.0, atol=1e-20)
    np.testing.assert_allclose(land.f(land.maxima[0]), 181.616521523, rtol=1e-11)


def test_rosenbrock_minimum_moves_with_a():
    land = L.rosenbrock(a=-0.5, b=10.0)
    np.testing.assert_array_equal(land.minima[0], [-0.5, 0.25])
    assert land.f(land.minima[0]) == 0.0


# --------------------------------------------------------------------------- Hessians
def test_hessian_matches_closed_forms():
    q = L.quadratic(2.0, 30.0)
    np.testing.assert_allclose(q.hessian([0.3, -1.2]), [[2.0, 0.0], [0.0, 30.0]], rtol=RTOL_HESS, atol=1e-6)
    assert (q.h_max, q.h_min, q.condition_number) == (30.0, 2.0, 15.0)
    r = L.rosenbrock()
    for x, y in [(-1.2, 1.0), (0.5, 0.3)]:
        exact = [[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]]
        np.testing.assert_allclose(r.hessian([x, y]), exact, rtol=RTOL_HESS, atol=1e-4)
    h = L.himmelblau()
    x, y = 1.0, -2.0
    exact = [[12 * x * x + 4 * y - 42, 4 * x + 4 * y], [4 * x + 4 * y, 4 * x + 12 * y * y - 26]]
    np.testing.assert_allclose(h.hessian([x, y]), exact, rtol=RTOL_HESS, atol=1e-4)
    assert h.hessian(np.zeros((3, 4, 2))).shape == (3, 4, 2, 2)


# --------------------------------------------------------------------------- with optimizers
def test_gradient_descent_on_the_quadratic_saddle_escapes_along_y():
    # x_t = (1 - lr)^t x_0 and y_t = (1 + lr)^t y_0 in closed form.
    land, lr = L.saddle(), 0.1
    traj = run(SGD(lr=lr), land.grad, land.default_start, 60)
    t = np.arange(61)
    np.testing.assert_allclose(traj.params[:, 0], land.default_start[0] * (1 - lr) ** t, rtol=1e-12)
    np.testing.assert_allclose(traj.params[:, 1], land.default_start[1] * (1 + lr) ** t, rtol=1e-12)


def test_gradient_descent_reaches_the_quadratic_minimum_below_two_over_L():
    land = L.quadratic(1.0, 10.0)
    good = run(SGD(lr=1.9 / land.h_max), land.grad, land.default_start, 300, loss_fn=land.f)
    bad = run(SGD(lr=2.1 / land.h_max), land.grad, land.default_start, 300, loss_fn=land.f)
    assert good.losses[-1] < 1e-12 and good.diverged_at is None
    assert bad.diverged_at is not None


# --------------------------------------------------------------------------- regression surfaces
@pytest.mark.parametrize("outliers", [0, 3])
def test_mse_surface_minimizer_is_least_squares(outliers):
    land = regression_surface("mse", outliers=outliers)
    x, y = land.data
    np.testing.assert_allclose(land.minima[0], np.polyfit(x, y, 1), rtol=1e-12)
    # the surface itself is the mean squared residual
    w, b = 0.7, -0.3
    np.testing.assert_allclose(land.f([w, b]), np.mean((w * x + b - y) ** 2), rtol=1e-14)


def test_rmse_surface_has_the_least_squares_minimizer():
    land = regression_or_skip("rmse", outliers=3)
    x, y = land.data
    np.testing.assert_allclose(land.minima[0], np.polyfit(x, y, 1), rtol=1e-9)
    np.testing.assert_allclose(land.f([0.7, -0.3]), np.sqrt(np.mean((0.7 * x - 0.3 - y) ** 2)), rtol=1e-14)


def test_user_data():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([1.0, 3.0, 5.0, 7.0])  # exactly y = 2x + 1
    land = regression_surface("mse", x, y)
    np.testing.assert_allclose(land.minima[0], [2.0, 1.0], rtol=1e-13)
    assert land.f(land.minima[0]) < 1e-28


@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
@pytest.mark.parametrize("outliers", [0, 3])
def test_regression_minimizer_is_a_minimum(loss, outliers):
    land = regression_or_skip(loss, outliers=outliers)
    m = land.minima[0]
    fm = land.f(m)
    if loss not in NONSMOOTH:
        assert np.abs(land.grad(m)).max() < 1e-9
    for radius in (1e-6, 1e-4, 1e-2):
        assert np.all(land.f(ring(m, radius, n=32)) >= fm - 1e-15)


@pytest.mark.parametrize("loss, kw", [("huber", {}), ("huber", {"delta": 0.3}), ("log_cosh", {}), ("smooth_l1", {"beta": 0.5})])
def test_smooth_regression_minimizer_matches_scipy(loss, kw):
    optimize = pytest.importorskip("scipy.optimize")
    land = regression_or_skip(loss, outliers=3, **kw)
    res = optimize.minimize(lambda p: float(land.f(p)), np.zeros(2), jac=lambda p: land.grad(p), method="BFGS", options={"gtol": 1e-12})
    assert land.f(land.minima[0]) <= res.fun + 1e-14
    np.testing.assert_allclose(land.minima[0], res.x, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("loss, tau", [("mae", 0.5), ("quantile", 0.5), ("quantile", 0.2), ("quantile", 0.9)])
def test_piecewise_linear_minimizer_matches_sklearn_quantile_regression(loss, tau):
    linear_model = pytest.importorskip("sklearn.linear_model")
    kw = {} if loss == "mae" else {"tau": tau}
    land = regression_or_skip(loss, outliers=3, **kw)
    x, y = land.data
    qr = linear_model.QuantileRegressor(quantile=tau, alpha=0.0, solver="highs").fit(x[:, None], y)
    theirs = np.array([qr.coef_[0], qr.intercept_])
    # an LP can have several optimal lines: compare the loss, then the line
    assert land.f(land.minima[0]) <= land.f(theirs) + 1e-12
    np.testing.assert_allclose(land.minima[0], theirs, rtol=1e-8, atol=1e-8)


def test_outliers_pull_mse_more_than_mae():
    clean_mse, clean_mae = regression_surface("mse"), regression_or_skip("mae")
    dirty_mse, dirty_mae = regression_surface("mse", outliers=3), regression_or_skip("mae", outliers=3)
    move_mse = np.abs(dirty_mse.minima[0] - clean_mse.minima[0]).max()
    move_mae = np.abs(dirty_mae.minima[0] - clean_mae.minima[0]).max()
    assert move_mse > 3 * move_mae


def test_regression_data_is_deterministic():
    x1, y1 = regression_data()
    x2, y2 = regression_data()
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    xo, yo = regression_data(outliers=2)
    np.testing.assert_array_equal(xo, x1)
    assert np.count_nonzero(yo != y1) == 2 and np.allclose((yo - y1)[yo != y1], 6.0)


# --------------------------------------------------------------------------- shapes and dtypes
@pytest.mark.parametrize("key", list(SURFACES) + ["regression"])
def test_vectorized_shapes_and_values(key):
    land = L.regression_surface("mse") if key == "regression" else SURFACES[key]()
    X, Y = np.meshgrid(np.linspace(*land.xlim, 5), np.linspace(*land.ylim, 4))
    grid = np.stack([X, Y], axis=-1)
    F, G = land.f(grid), land.grad(grid)
    assert F.shape == (4, 5) and G.shape == (4, 5, 2)
    for i in (0, 3):
        for j in (1, 4):
            p = np.array([X[i, j], Y[i, j]])
            assert np.ndim(land.f(p)) == 0 and land.grad(p).shape == (2,)
            np.testing.assert_allclose(F[i, j], land.f(p), rtol=1e-14, atol=1e-300)
            np.testing.assert_allclose(G[i, j], land.grad(p), rtol=1e-14, atol=1e-300)
    assert land.f([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]).shape == (3,)
    assert land(grid).shape == (4, 5)
    assert land.default_start.shape == (2,)
    assert land.xlim[0] < land.default_start[0] < land.xlim[1]
    assert land.ylim[0] < land.default_start[1] < land.ylim[1]


@pytest.mark.parametrize("key", list(SURFACES) + ["regression"])
def test_float32_in_float32_out(key):
    land = L.regression_surface("mse") if key == "regression" else SURFACES[key]()
    p = np.array([[0.5, -0.25], [1.0, 0.5]], dtype=np.float32)
    assert land.f(p).dtype == np.float32
    assert land.grad(p).dtype == np.float32


def test_integer_points_are_accepted():
    assert L.quadratic().f([2, 1]) == 7.0


# --------------------------------------------------------------------------- registry and errors
def test_registry_and_repr():
    assert set(L.LANDSCAPES) == {"quadratic", "rosenbrock", "saddle", "multi_minima", "himmelblau", "regression"}
    assert repr(get_landscape("quadratic", b=50.0)) == "Landscape('quadratic', a=1.0, b=50.0)"
    assert get_landscape("saddle", kind="quartic").params == {"kind": "quartic"}
    assert get_landscape("regression", loss="mse").name == "regression (mse)"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: get_landscape("banana"), r"^get_landscape: unknown landscape 'banana'; available landscapes are quadratic, rosenbrock, saddle, multi_minima, himmelblau, regression$"),
        (lambda: L.quadratic(a=0.0), r"^quadratic: a must be > 0, got 0\.0$"),
        (lambda: L.quadratic(b=-1), r"^quadratic: b must be > 0, got -1$"),
        (lambda: L.rosenbrock(b=0), r"^rosenbrock: b must be > 0, got 0$"),
        (lambda: L.saddle("horse"), r"^saddle: kind must be one of 'quadratic', 'monkey', 'quartic', got 'horse'$"),
        (lambda: L.quadratic().f([1.0, 2.0, 3.0]), r"^quadratic\.f: xy must have shape \(\.\.\., 2\) \(points in the plane\), got shape \(3,\)$"),
        (lambda: L.rosenbrock().grad(np.zeros((2, 3))), r"^rosenbrock\.grad: xy must have shape \(\.\.\., 2\) \(points in the plane\), got shape \(2, 3\)$"),
        (lambda: L.quadratic().f(["a", "b"]), r"^quadratic\.f: xy must hold real numbers, got dtype <U1$"),
        (lambda: regression_surface("mse", [1.0, 2.0], [1.0]), r"^regression_surface: x and y must be 1-D arrays of the same length >= 2, got shapes \(2,\) and \(1,\)$"),
        (lambda: regression_surface("mse", [1.0, 2.0]), r"^regression_surface: pass both x and y, or neither"),
        (lambda: regression_surface("mse", reduction="sum"), r"^regression_surface: the surface averages over the data itself; do not pass reduction$"),
        (lambda: regression_surface("cross_entropy"), r"^regression_surface: loss must be a regression loss \(.*mse.*\), got 'cross_entropy' of kind 'classification'$"),
        (lambda: regression_surface("no_such_loss"), r"^get: unknown loss 'no_such_loss'"),
        (lambda: regression_data(outliers=30), r"^regression_data: outliers must be an integer in \[0, 20\] \(at most n\), got 30$"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_importing_landscapes_and_building_a_regression_surface_imports_no_framework():
    code = (
        "import sys, lossbook.landscapes as L; L.regression_surface('mse'); "
        "assert 'torch' not in sys.modules and 'tensorflow' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_gradient_descent_from_the_default_start_ends_in_the_shallowest_well():
    land = L.multi_minima()
    traj = run(SGD(lr=0.1), land.grad, land.default_start, 500, loss_fn=land.f)
    np.testing.assert_allclose(traj.params[-1], land.minima[2], atol=1e-6)
    assert traj.losses[-1] > land.f(land.minima[0]) + 0.9
