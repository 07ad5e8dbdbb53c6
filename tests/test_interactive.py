"""Tests of lossbook.interactive: the computations behind both renderings, the static charts.

References are independent of the code under test: :func:`lossbook.optim.run` called
directly (the static grid must hold exactly its numbers), closed forms for gradient
descent on a quadratic (when it diverges and at which step), closed forms of the
losses along the residual and the margin, 4th-order central differences, NumPy's
least squares, linear programs (SciPy's HiGHS) for quantile regression and the hinge loss, and
SciPy's BFGS on the logistic log-likelihood written out.  The static charts are checked as
Vega-Lite specs (every grid point present, every number equal to a direct run) and as
HTML (no external load, under 2 MB); ``tools/check_sliders.py`` drives them in
headless Chromium.
"""

from __future__ import annotations

import html
import math
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from lossbook import interactive as ia
from lossbook import optim
from tests._tools import ATOL_FD, RTOL_FD, elementwise_central_difference

alt = pytest.importorskip("altair")

ROOT = Path(__file__).resolve().parent.parent
MAX_PAGE_BYTES = 2 * 1024 * 1024  # the limit for a page holding one chart
# The static charts carry 4 significant digits of each loss value.
RTOL_4SIG = 5e-4


def direct_run(surface, loss, optimizer, lr, steps, **kw):
    """The run the chart must show, straight from lossbook.optim and lossbook.landscapes."""
    from lossbook import landscapes

    land = landscapes.get_landscape("regression", loss=loss) if surface == "regression" \
        else landscapes.get_landscape(surface)
    return land, optim.run(optim.make(optimizer, lr=lr, **kw), land.grad, land.default_start, steps, loss_fn=land.f)


def unpack(text):
    return np.array([float(v) for v in text.split(",")]) if text else np.zeros(0)


# =========================================================================== trajectories
@pytest.mark.parametrize("optimizer", ia.OPTIMIZER_NAMES)
@pytest.mark.parametrize("surface,loss", [("quadratic", ""), ("rosenbrock", ""), ("saddle", ""),
                                          ("multi_minima", ""), ("regression", "huber")])
def test_trajectory_is_optim_run(surface, loss, optimizer):
    t = ia.trajectory(surface, optimizer, 0.05, 40, loss=loss or "mse")
    _, ref = direct_run(surface, loss or "mse", optimizer, 0.05, 40)
    np.testing.assert_array_equal(t.params, ref.params)
    np.testing.assert_array_equal(t.losses, ref.losses)
    assert t.diverged_at == ref.diverged_at


def test_trajectory_passes_optimizer_options():
    t = ia.trajectory("rosenbrock", "sgd", 1e-3, 30, momentum=0.9, nesterov=True)
    _, ref = direct_run("rosenbrock", "mse", "sgd", 1e-3, 30, momentum=0.9, nesterov=True)
    np.testing.assert_array_equal(t.params, ref.params)
    _, plain = direct_run("rosenbrock", "mse", "sgd", 1e-3, 30)
    assert not np.array_equal(t.params, plain.params)


@pytest.mark.parametrize("lr", [0.05, 0.15, 0.19, 0.21, 0.5, 1.0, 10.0])
def test_divergence_step_matches_closed_form(lr):
    # Gradient descent on f = (x^2 + 10 y^2) / 2 from (-4, 2): x_k = -4 (1 - lr)^k,
    # y_k = 2 (1 - 10 lr)^k.  It diverges iff lr > 2/10, at the first k where a
    # coordinate exceeds optim.run's bound 1e12 (at lr = 0.21: 2 * 1.1^k, k = 283).
    steps = 400
    t = ia.trajectory("quadratic", "sgd", lr, steps)
    ks = []
    for c0, m in ((4.0, abs(1 - lr)), (2.0, abs(1 - 10 * lr))):
        if m > 1:
            ks.append(math.floor(math.log(1e12 / c0) / math.log(m)) + 1)
    expected = min(ks) if ks and min(ks) <= steps else None
    assert t.diverged_at == expected
    assert (expected is not None) == (lr > 0.2)
    message = ia.path_message(ia.landscape("quadratic"), t, lr)
    if expected is None:
        assert "diverged" not in message
    else:
        assert message.endswith(f"diverged at step {expected}")


def test_optimizer_kwargs_use_torch_names():
    assert ia.optimizer_kwargs("adamw", beta1=0.5, beta2=0.9, weight_decay=0.1) == {
        "betas": (0.5, 0.9), "weight_decay": 0.1}
    assert ia.optimizer_kwargs("rmsprop", alpha=0.9, momentum=0.5) == {"momentum": 0.5, "alpha": 0.9}
    assert ia.optimizer_kwargs("sgd", momentum=0.0, nesterov=True) == {"momentum": 0.0}
    assert ia.optimizer_kwargs("adagrad", momentum=0.9, beta1=0.1) == {}
    for name in ia.OPTIMIZER_NAMES:  # every combination builds an optimizer
        optim.make(name, lr=0.1, **ia.optimizer_kwargs(name, momentum=0.9, nesterov=True))
    with pytest.raises(ValueError, match=r"optimizer_kwargs: optimizer must be one of sgd, .*, got 'lbfgs'"):
        ia.optimizer_kwargs("lbfgs")


def test_landscape_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"landscape: surface must be one of .*, got 'bowl'"):
        ia.landscape("bowl")
    with pytest.raises(ValueError, match=r"landscape: loss must be one of huber, .* for the regression surface, got 'rmse'"):
        ia.landscape("regression", "rmse")


# =========================================================================== drawn path
def test_display_path_cuts_where_the_path_leaves_the_frame():
    q = ia.landscape("quadratic")  # window x in [-5, 5], y in [-3, 3]; frame 3x as wide
    t = ia.trajectory(q, "sgd", 1.0, 5)  # (-4, 2) -> (0, -18) -> (0, 162) ...
    path = ia.display_path(q, t)
    # The segment from (-4, 2) to (0, -18) crosses y = -9 at 11/20 of the way.
    np.testing.assert_allclose(path, [[-4.0, 2.0], [-4.0 + 4.0 * 11 / 20, -9.0]], rtol=0, atol=1e-12)
    step, point = ia.exit_point(q, t)  # ... and the window's edge y = -3 at 1/4 of the way
    assert step == 1
    np.testing.assert_allclose(point, [-3.0, -3.0], rtol=0, atol=1e-12)
    assert ia.path_message(q, t) == "left the plot at step 1"


def test_display_path_keeps_a_run_inside_the_frame_whole():
    q = ia.landscape("quadratic")
    t = ia.trajectory(q, "adam", 0.1, 50)
    np.testing.assert_array_equal(ia.display_path(q, t), t.params)
    assert ia.exit_point(q, t) is None
    assert ia.path_message(q, t).startswith("loss ")


def test_loss_curve_drops_nan_and_caps():
    q = ia.landscape("quadratic")
    t = ia.trajectory(q, "sgd", 10.0, 20)  # diverges at step 6 (y = 2 * 99^k)
    k, v = ia.loss_curve(q, t)
    np.testing.assert_array_equal(k, np.arange(7))
    xs, ys, Z, _ = ia.contour_bands(q)
    cap = 10 * np.abs(Z).max()
    # The cap is 10x the largest value on the grid of cell centres (x = 4.917, y = 2.95).
    assert cap == pytest.approx(10 * 0.5 * ((5 - 5 / 60) ** 2 + 10 * (3 - 3 / 60) ** 2), rel=1e-12)
    assert v[0] == pytest.approx(0.5 * (16 + 10 * 4))
    np.testing.assert_array_equal(v[1:], cap)


def test_contour_bands_split_the_grid_evenly():
    land = ia.landscape("rosenbrock")
    xs, ys, Z, levels = ia.contour_bands(land, n=40, bands=8)
    assert Z.shape == (40, 40) and len(levels) == 9 and np.all(np.diff(levels) > 0)
    np.testing.assert_allclose(Z[5, 7], (1 - xs[7]) ** 2 + 100 * (ys[5] - xs[7] ** 2) ** 2, rtol=1e-12)
    counts = np.bincount(ia._band_index(Z, levels).ravel(), minlength=8)
    assert counts.sum() == 1600 and counts.min() >= 1600 / 8 - 2


# =========================================================================== the grid
@pytest.fixture(scope="module")
def grid_rows():
    return ia.trajectory_grid()


def test_trajectory_grid_covers_the_grid_with_optim_run_numbers(grid_rows):
    steps = ia.STATIC_STEPS
    runs = {}
    for r in grid_rows:
        runs.setdefault((r["surface"], r["loss"], r["optimizer"], r["lr_index"]), []).append(r)
    expected = {(s, loss, o, i)
                for s in ia.SURFACES for loss in (ia.PLAYGROUND_LOSSES if s == "regression" else [""])
                for o in ia.OPTIMIZER_NAMES for i in range(len(ia.LEARNING_RATES))}
    assert set(runs) == expected
    assert len(expected) == (len(ia.SURFACES) - 1 + len(ia.PLAYGROUND_LOSSES)) * 5 * 9
    for (s, loss, o, i), rows in runs.items():
        assert [r["step"] for r in rows] == list(range(steps + 1))
        _, ref = direct_run(s, loss or "mse", o, ia.LEARNING_RATES[i], steps)
        np.testing.assert_array_equal([[r["x"], r["y"]] for r in rows], ref.params)
        np.testing.assert_array_equal([r["value"] for r in rows], ref.losses)
        assert all(r["diverged_at"] == ref.diverged_at for r in rows)
    # the grid shows both outcomes: some runs diverge, most do not
    diverged = {k for k, rows in runs.items() if rows[0]["diverged_at"] is not None}
    assert 0 < len(diverged) < len(runs) / 2


def test_learning_rates_are_half_decades():
    np.testing.assert_allclose(ia.LEARNING_RATES, [10 ** (k / 2 - 3) for k in range(9)], rtol=1e-12)


@pytest.fixture(scope="module")
def playground(grid_rows):
    chart = ia.playground_chart(rows=grid_rows)
    return chart, chart.to_dict()


def test_playground_chart_holds_every_run_as_optim_run_draws_it(playground, grid_rows):
    # grid_rows equal lossbook.optim.run (checked above); the chart must draw them.
    _, spec = playground
    runs = spec["datasets"]["runs"]
    by_run = {}
    for r in grid_rows:
        by_run.setdefault((r["surface"], r["loss"], r["optimizer"], r["lr_index"]), []).append(r)
    logs = np.log10(ia.LEARNING_RATES)
    caps = {}
    seen = set()
    for rec in runs:
        i = int(np.argmin(np.abs(logs - rec["g"])))
        assert abs(logs[i] - rec["g"]) < 1e-6
        key = (rec["s"], rec["l"], rec["o"], i)
        assert key not in seen
        seen.add(key)
        rows = by_run[key]
        land = ia.landscape(rec["s"], rec["l"] or "mse")
        ref = optim.Trajectory(np.array([[r["x"], r["y"]] for r in rows]), np.array([r["value"] for r in rows]),
                               rows[0]["diverged_at"])
        path = ia.display_path(land, ref)
        x, y = unpack(rec["x"]), unpack(rec["y"])
        assert x.shape == (len(path),)
        # coordinates are rounded to a 2000th of the window (or finer)
        np.testing.assert_allclose(x, path[:, 0], rtol=0, atol=(land.xlim[1] - land.xlim[0]) / 2000)
        np.testing.assert_allclose(y, path[:, 1], rtol=0, atol=(land.ylim[1] - land.ylim[0]) / 2000)
        if key[:2] not in caps:  # losses are drawn within +-10x the largest |f| on the grid
            (x0, x1), (y0, y1) = land.xlim, land.ylim
            cx = x0 + (np.arange(60) + 0.5) * (x1 - x0) / 60
            cy = y0 + (np.arange(60) + 0.5) * (y1 - y0) / 60
            caps[key[:2]] = 10 * np.abs(land.f(np.stack(np.meshgrid(cx, cy), axis=-1))).max()
        cap = caps[key[:2]]
        finite = np.isfinite(ref.losses)
        np.testing.assert_allclose(unpack(rec["f"]), np.clip(ref.losses[finite], -cap, cap), rtol=RTOL_4SIG, atol=1e-300)
        assert rec["d"] == (-1 if ref.diverged_at is None else ref.diverged_at)
        if ref.diverged_at is not None:
            assert rec["m"].endswith(f"diverged at step {ref.diverged_at}")
            assert "ex" in rec  # the cross where it left the plot
        assert ("ex" in rec) == (ia.exit_point(land, ref) is not None)
    assert seen == set(by_run)


def test_playground_chart_surfaces_and_controls(playground):
    _, spec = playground
    backgrounds = spec["datasets"]["surfaces"]
    keys = {(b["s"], b["l"]) for b in backgrounds}
    assert keys == {(s, "") for s in ia.SURFACES if s != "regression"} | {("regression", loss) for loss in ia.PLAYGROUND_LOSSES}
    for b in backgrounds:
        assert len(b["z"]) == b["nx"] ** 2 and set(b["z"]) <= set("0123456789ab")
    binds = {p["name"]: p["bind"] for p in spec["params"] if "bind" in p}
    assert binds["log_lr"]["input"] == "range"
    assert (binds["log_lr"]["min"], binds["log_lr"]["max"], binds["log_lr"]["step"]) == (-3, 1, 0.5)
    assert binds["optimizer"]["options"] == list(ia.OPTIMIZER_NAMES)
    assert binds["surface"]["options"] == list(ia.SURFACES)
    assert binds["loss"]["options"] == list(ia.PLAYGROUND_LOSSES)


def test_playground_chart_rejects_uneven_learning_rates():
    with pytest.raises(ValueError, match=r"playground_chart: lrs must be increasing and log-spaced"):
        ia.playground_chart(lrs=[0.01, 0.1, 0.5], optimizers=["sgd"], surfaces=["quadratic"])


# =========================================================================== HTML
def external_loads(page: str) -> list[str]:
    """Every way a page could load something from the network."""
    found = []
    found += re.findall(r"<script[^>]*\bsrc\s*=", page, flags=re.I)
    found += re.findall(r"<link[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^\"'\s>]*", page, flags=re.I)
    found += re.findall(r"\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//[^\"'\s>]*", page, flags=re.I)
    found += re.findall(r"@import[^;]*", page, flags=re.I)
    found += re.findall(r"url\(\s*[\"']?https?://[^)]*\)", page, flags=re.I)
    found += re.findall(r"\bimport\s*\(\s*[\"']https?://[^)]*\)", page)
    return found


@pytest.fixture(scope="module")
def playground_html(playground):
    pytest.importorskip("vl_convert")
    chart, _ = playground
    return ia.to_iframe(chart)


def test_playground_page_is_offline_and_small(playground_html):
    assert external_loads(playground_html) == []
    inner = html.unescape(re.search(r"srcdoc='([^']*)'", playground_html).group(1))
    assert external_loads(inner) == []
    assert "window.vegaView = r.view" in inner
    assert inner.count("<script") == 2  # the inlined bundle and the chart, nothing else
    size = len(playground_html.encode())
    assert size < MAX_PAGE_BYTES, f"{size / 1e6:.2f} MB"


def test_external_loads_detects_cdn_scripts():
    # the detector itself: Altair's default page loads vega from a CDN
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q")
    assert external_loads(chart.to_html())


def test_embed_is_an_iframe_with_the_page():
    pytest.importorskip("vl_convert")
    pytest.importorskip("IPython")
    chart = ia.playground_chart(lrs=[0.01, 0.1], optimizers=["sgd"], surfaces=["quadratic"], steps=5)
    out = ia.embed(chart, height=420)
    text = out.data
    assert text.startswith("<div class='lossbook-chart'><iframe srcdoc='") and "height: 420px" in text
    inner = html.unescape(re.search(r"srcdoc='([^']*)'", text).group(1))
    assert inner == ia.to_html(chart)


# =========================================================================== loss curves
R = np.linspace(-3, 3, 61)
CLOSED_FORMS = {
    # (name, hyper): (loss along the residual / margin, derivative)
    ("mse", ()): (R**2, 2 * R),
    ("mae", ()): (np.abs(R), np.sign(R)),
    ("huber", (("delta", 0.5),)): (np.where(np.abs(R) <= 0.5, 0.5 * R**2, 0.5 * (np.abs(R) - 0.25)),
                                   np.clip(R, -0.5, 0.5)),
    ("smooth_l1", (("beta", 2.0),)): (np.where(np.abs(R) < 2, 0.5 * R**2 / 2, np.abs(R) - 1), np.clip(R / 2, -1, 1)),
    ("log_cosh", ()): (np.log(np.cosh(R)), np.tanh(R)),
    ("quantile", (("tau", 0.9),)): (np.where(R < 0, -0.9 * R, 0.1 * R), np.where(R < 0, -0.9, np.where(R > 0, 0.1, 0))),
    ("binary_cross_entropy_with_logits", ()): (np.log1p(np.exp(-R)), -1 / (1 + np.exp(R))),
    ("binary_cross_entropy_with_logits", (("pos_weight", 3.0),)): (3 * np.log1p(np.exp(-R)), -3 / (1 + np.exp(R))),
    ("hinge", (("margin", 0.5),)): (np.maximum(0, 0.5 - R), np.where(R < 0.5, -1.0, 0.0)),
    ("squared_hinge", (("margin", 1.0),)): (np.maximum(0, 1 - R) ** 2, -2 * np.maximum(0, 1 - R)),
    # softmax of logits (0, m), label 1, smoothing e: (1 - e/2) softplus(-m) + (e/2) softplus(m)
    ("cross_entropy", (("label_smoothing", 0.2),)): (0.9 * np.log1p(np.exp(-R)) + 0.1 * np.log1p(np.exp(R)),
                                                    -0.9 / (1 + np.exp(R)) + 0.1 / (1 + np.exp(-R))),
    # focal with gamma = 0 and no alpha is binary cross-entropy
    ("focal", (("gamma", 0.0),)): (np.log1p(np.exp(-R)), -1 / (1 + np.exp(R))),
    ("focal", (("gamma", 2.0), ("alpha", 0.25))): (
        0.25 * (1 / (1 + np.exp(R))) ** 2 * np.log1p(np.exp(-R)), None),
}


@pytest.mark.parametrize("name,hyper", list(CLOSED_FORMS), ids=lambda v: str(v))
def test_loss_curves_match_closed_forms(name, hyper):
    value, deriv = CLOSED_FORMS[(name, hyper)]
    r, val, d = ia.loss_curves(name, R, **dict(hyper))
    np.testing.assert_allclose(val, value, rtol=1e-12, atol=1e-15)
    if deriv is not None:
        np.testing.assert_allclose(d, deriv, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", [n for ns in ia.EXPLORER_LOSSES.values() for n in ns])
def test_loss_curve_derivatives_by_finite_differences(name):
    # away from the kinks of mae, quantile, hinge and the Huber/Smooth L1 switch
    r = np.array([-2.3, -1.7, -0.6, -0.3, 0.35, 0.7, 1.4, 2.6])
    combo = {h: v[len(v) // 2] for h, v in ia.HYPERPARAMETERS.get(name, {}).items()}
    _, _, d = ia.loss_curves(name, r, **combo)
    fd = elementwise_central_difference(lambda x: ia.loss_curves(name, x, **combo)[1], r)
    np.testing.assert_allclose(d, fd, rtol=RTOL_FD, atol=ATOL_FD * 100)


def test_hyperparameter_grids_contain_the_defaults_and_match_signatures():
    import inspect

    from lossbook import losses

    for name, spec in ia.HYPERPARAMETERS.items():
        params = inspect.signature(losses.get(name)).parameters
        for h, grid in spec.items():
            assert params[h].kind is inspect.Parameter.KEYWORD_ONLY
            start = ia.default_hyper(name)[h]
            assert start in grid, (name, h)
            if params[h].default is None and start is not None:
                # the slider's start means what the default None means
                r, y = np.linspace(-3, 3, 13), np.array([1.0, 0.0] * 6 + [1.0])
                fn = losses.get(name)
                np.testing.assert_array_equal(fn(y, r, reduction="none"), fn(y, r, reduction="none", **{h: start}))
            else:
                assert start == params[h].default
    assert ia.explorer_styles(ia.EXPLORER_LOSSES["classification"]).keys() == set(ia.EXPLORER_LOSSES["classification"])
    styles = ia.explorer_styles(ia.EXPLORER_LOSSES["classification"]).values()
    assert len(set(styles)) == len(ia.EXPLORER_LOSSES["classification"])  # all distinguishable


# =========================================================================== fits
def test_fit_under_mse_is_least_squares():
    x, y = ia.explorer_data("regression", 6)
    fit = ia.fit_under_loss("mse", x, y)
    # 300 Adam steps end within 1e-5 of the closed form (a pixel is ~1e-2 here)
    np.testing.assert_allclose(fit.coef, np.polyfit(x, y, 1), rtol=0, atol=1e-5)


@pytest.mark.parametrize("tau", [0.5, 0.1, 0.9])
def test_fit_under_pinball_reaches_the_exact_quantile_regression(tau):
    linprog = pytest.importorskip("scipy.optimize").linprog
    x, y = ia.explorer_data("regression", 8)
    # quantile regression as a linear program (Koenker & Bassett 1978): residuals
    # y - (w x + b) = u - v with u, v >= 0; minimize mean(tau u + (1 - tau) v)
    n = len(y)
    c = np.concatenate([[0.0, 0.0], np.full(n, tau / n), np.full(n, (1 - tau) / n)])
    A = np.hstack([x[:, None], np.ones((n, 1)), np.eye(n), -np.eye(n)])
    res = linprog(c, A_eq=A, b_eq=y, bounds=[(None, None)] * 2 + [(0, None)] * (2 * n), method="highs")
    best = res.fun
    fit = ia.fit_under_loss("quantile", x, y, tau=tau)
    assert best <= fit.loss <= best * (1 + 1e-4)
    if tau == 0.5:  # MAE is twice the pinball loss at the median
        assert ia.fit_under_loss("mae", x, y).loss <= 2 * best * (1 + 1e-4)


def test_fit_under_bce_is_unregularized_logistic_regression():
    minimize = pytest.importorskip("scipy.optimize").minimize
    X, y = ia.explorer_data("classification", 0.2)
    A = np.hstack([X, np.ones((len(y), 1))])

    def nll(theta):  # logistic regression's mean negative log-likelihood, written out
        z = A @ theta
        return np.mean(np.logaddexp(0, z) - y * z), A.T @ (1 / (1 + np.exp(-z)) - y) / len(y)

    ref = minimize(nll, np.zeros(3), jac=True, method="BFGS", options={"gtol": 1e-12})
    fit = ia.fit_under_loss("binary_cross_entropy_with_logits", X, y)
    np.testing.assert_allclose(fit.coef, ref.x, rtol=0, atol=2e-3)
    assert ref.fun <= fit.loss <= ref.fun + 1e-6
    # the cross-entropy on logits (0, s) is the same loss, so the same fit
    ce = ia.fit_under_loss("cross_entropy", X, y)
    np.testing.assert_allclose(ce.coef, fit.coef, rtol=0, atol=1e-9)


def test_fit_under_hinge_reaches_the_linear_program_optimum():
    linprog = pytest.importorskip("scipy.optimize").linprog
    X, y = ia.explorer_data("classification", 0.1)
    s = 2.0 * y - 1.0
    n = len(y)
    # variables (w1, w2, b, xi_1..xi_n): min mean(xi), xi_i >= 1 - s_i (w.x_i + b), xi >= 0
    c = np.concatenate([np.zeros(3), np.full(n, 1 / n)])
    A = np.hstack([-s[:, None] * X, -s[:, None], -np.eye(n)])
    res = linprog(c, A_ub=A, b_ub=-np.ones(n), bounds=[(None, None)] * 3 + [(0, None)] * n, method="highs")
    fit = ia.fit_under_loss("hinge", X, y)
    assert res.fun <= fit.loss <= res.fun + 1e-4


def test_fit_under_loss_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"fit_under_loss: x and y must be 1-D of one shape for regression"):
        ia.fit_under_loss("mse", np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"fit_under_loss: x must be \(N, 2\) and y \(N,\) for classification"):
        ia.fit_under_loss("hinge", np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"loss explorer: loss must be one of mse, .*, got 'rmse'"):
        ia.loss_curves("rmse")


# =========================================================================== explorer chart
@pytest.fixture(scope="module", params=["regression", "classification"])
def explorer(request):
    # The full default grid of losses, hyperparameters and data levels; the fits take
    # 20 steps instead of 300 (a chart's size and coverage do not depend on it, and
    # the full charts take 10-20 s to make).
    chart = ia.loss_explorer_chart(request.param, steps=20)
    return request.param, chart, chart.to_dict()


def test_explorer_chart_covers_the_grid_with_the_shared_numbers(explorer):
    kind, _, spec = explorer
    curves, fits = spec["datasets"]["curves"], spec["datasets"]["fits"]
    data_name, levels = ia.DATA_GRID[kind]
    r = np.linspace(-3, 3, 121)
    seen_curves, seen_fits = set(), set()
    for name in ia.EXPLORER_LOSSES[kind]:
        for combo in ia._hyper_combos(name):
            fields = {ia._field(name, h): ("none" if v is None else v) for h, v in combo.items()}
            match = [c for c in curves if c["n"] == name and all(c.get(k) == v for k, v in fields.items())]
            assert len(match) == 1, (name, combo)
            _, val, d = ia.loss_curves(name, r, **combo)
            np.testing.assert_allclose(unpack_list(match[0]["v"]), val, rtol=RTOL_4SIG, atol=1e-300)
            np.testing.assert_allclose(unpack_list(match[0]["d"]), d, rtol=RTOL_4SIG, atol=1e-300)
            seen_curves.add((name, tuple(fields.items())))
            for lv in levels:
                fm = [f for f in fits if f["n"] == name and f["v"] == lv
                      and all(f.get(k) == v for k, v in fields.items())]
                assert len(fm) == 1, (name, combo, lv)
                x, y = ia.explorer_data(kind, lv)
                coef = ia.fit_under_loss(name, x, y, steps=20, **combo).coef
                if kind == "regression":
                    assert fm[0]["y1"] == pytest.approx(coef[0] * -2 + coef[1], abs=1e-4)
                    assert fm[0]["y2"] == pytest.approx(coef[0] * 2 + coef[1], abs=1e-4)
                elif "x1" not in fm[0]:  # no boundary in the window (hinge with margin 0: s = 0)
                    assert ia._line_in_box(coef, ia.EXPLORER_BOX[kind]) is None
                else:  # both ends lie on the boundary w.x + b = 0
                    for end in ((fm[0]["x1"], fm[0]["y1"]), (fm[0]["x2"], fm[0]["y2"])):
                        assert abs(coef[0] * end[0] + coef[1] * end[1] + coef[2]) <= 1e-4 * (abs(coef[0]) + abs(coef[1]) + 1)
                seen_fits.add((name, tuple(fields.items()), lv))
    assert len(curves) == len(seen_curves) and len(fits) == len(seen_fits)
    points = spec["datasets"]["points"]
    assert sorted({p["v"] for p in points}) == sorted(levels)


def unpack_list(v):
    return np.asarray(unpack(v) if isinstance(v, str) else v, dtype=np.float64)


def test_explorer_chart_controls(explorer):
    kind, _, spec = explorer
    binds = {p["name"]: p["bind"] for p in spec["params"] if "bind" in p}
    for name in ia.EXPLORER_LOSSES[kind]:
        assert binds[f"show_{ia._SHORT.get(name, name)}"]["input"] == "checkbox"
        for h, grid in ia.HYPERPARAMETERS.get(name, {}).items():
            b = binds[ia._field(name, h)]
            if None in grid:
                assert b["input"] == "select" and len(b["options"]) == len(grid)
            else:
                assert b["input"] == "range" and (b["min"], b["max"]) == (grid[0], grid[-1])
                # the slider's steps land exactly on the grid
                n_steps = (b["max"] - b["min"]) / b["step"]
                assert abs(n_steps - round(n_steps)) < 1e-9 and round(n_steps) + 1 == len(grid)
    assert "level" in binds


def test_explorer_page_is_offline_and_small(explorer):
    pytest.importorskip("vl_convert")
    _, chart, _ = explorer
    page = ia.to_iframe(chart)
    assert external_loads(html.unescape(page)) == []
    assert len(page.encode()) < MAX_PAGE_BYTES


# =========================================================================== in a browser
def browser_or_skip():
    pytest.importorskip("playwright")
    pytest.importorskip("vl_convert")
    chromium = Path(shutil.which("chromium") or "/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    sys.path.insert(0, str(ROOT / "tools"))
    import check_sliders

    return check_sliders


def test_check_sliders_passes_a_playground_and_fails_a_broken_page(tmp_path, capsys):
    check_sliders = browser_or_skip()
    chart = ia.playground_chart(lrs=[0.01, 0.1, 1.0], optimizers=["sgd", "adam"],
                                surfaces=["quadratic", "regression"], losses=["mae"], steps=30)
    good = tmp_path / "playground.html"
    good.write_text(f"<!DOCTYPE html><html><body><h1>A chapter</h1>{ia.to_iframe(chart)}</body></html>")
    # A slider that filters nothing (moving it cannot change the drawing), and an image
    # from the network.
    dead = alt.param(name="dead", value=1, bind=alt.binding_range(min=0, max=5, step=1, name="dead "))
    still = (alt.Chart(alt.Data(values=[{"a": 1, "b": 2}, {"a": 2, "b": 1}])).mark_line()
             .encode(x="a:Q", y="b:Q").add_params(dead))
    bad = tmp_path / "broken.html"
    bad.write_text(f"<html><body><img src='https://example.invalid/x.png'>{ia.to_iframe(still)}</body></html>")
    assert check_sliders.main([str(good), str(bad), "--slider", "learning rate"]) == 1
    out = capsys.readouterr().out
    fails = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert "learning rate (log10) -1' -2 -> 0: the drawing changed" in out
    assert f"FAIL {bad}: chart 0: no slider changes the drawing" in fails
    assert f"FAIL {bad}: external request: https://example.invalid/x.png" in fails
    assert f"FAIL {bad}: chart 0: no slider labelled 'learning rate'" in fails
    assert not [line for line in fails if line.startswith(f"FAIL {good}")]
