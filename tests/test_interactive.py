"""Tests of lossbook.interactive: the figure pattern, both figures' computations, the static charts.

Every registered figure is tested the same way (the first section): its compute
function runs at every point of its static grid, its chart builds (Vega-Lite validated
by Altair, compiled to Vega by vl-convert) and stays under its size budget, and its
live panel updates once for every move of every control.  No test times anything
(``make bench`` does).

References are independent of the code under test: :func:`lossbook.optim.run` called
directly (the static grid must hold exactly its numbers, with the noise drawn here
again), closed forms for gradient descent on a quadratic (when it diverges and at which
step), closed forms of the losses along the residual and the margin, 4th-order central
differences.  The charts are checked as data (every grid point present, every number
equal to a direct computation at the precision of its text) and as HTML (no external
load); ``tools/check_sliders.py`` drives them in headless Chromium.
"""

from __future__ import annotations

import functools

import itertools
import json
import math
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from lossbook import interactive as ia
from lossbook import landscapes, losses, models, optim
from lossbook.interactive import embedding, static
from tests._figures import counting, extremes
from tests._tools import ATOL_FD, RTOL_FD, elementwise_central_difference

alt = pytest.importorskip("altair")

ROOT = Path(__file__).resolve().parent.parent
MAX_CHART_BYTES = 1_500_000  # issue 9: each static chart under 1.5 MB on its page
# The static charts carry 4 significant digits of each loss value.
RTOL_4SIG = 5e-4
# Fits on the static explorer grids take 20 steps here instead of 300: a chart's size
# and coverage do not depend on it, and the full charts take tens of seconds to make.
FAST = {"loss_explorer_regression": {"steps": 20}, "loss_explorer_classification": {"steps": 20}}


@functools.lru_cache(maxsize=None)
def _short_digits_runs():
    # the figure's runs on every (weight decay, dropout) of its grid, 6 epochs of 100 images
    from lossbook.interactive import generalization

    return generalization.digits_runs(epochs=6, n_train=100)


def fast(name):
    fig = ia.get(name)
    extra = FAST.get(name, {})
    if name == "regularization_curves":   # its default trains 9 networks for 40 epochs
        extra = {"runs": _short_digits_runs()}
    return fig.replace(fixed={**fig.fixed, **extra})


@pytest.fixture(scope="module")
def precomputed():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = static.precompute(fast(name))
        return cache[name]

    return get


# =========================================================================== every figure
@pytest.mark.parametrize("name", ia.available())
def test_compute_runs_at_every_grid_point(name, precomputed):
    fig = fast(name)
    pre = precomputed(name)
    expected = [(si, s) for si, o in enumerate(fig.series_options()) for s in fig.grid(o)]
    assert len(pre.rows) == len(pre.raw) == len(expected)
    seen = set()
    for row, (si, state, out) in zip(pre.rows, pre.raw):
        assert fig.outputs() <= set(out)
        key = (si, tuple(repr(state[c.name]) for c in fig.controls))
        assert key not in seen  # each grid point once
        seen.add(key)
        for f in pre.arrays:
            v = pre.decode(row, f)
            assert v.ndim == 1 and (f not in pre.delta or np.all(np.isfinite(v)))
    # every control that varies on the page takes each of its values somewhere
    for c, col in pre.controls:
        assert {r[col] for r in pre.rows} == set(range(len(c.values))), c.name


@pytest.mark.parametrize("name", ia.available())
def test_chart_builds_and_is_under_budget(name, precomputed):
    fig = fast(name)
    chart = static.chart(fig, precomputed(name))
    spec = chart.to_dict()  # validated against the Vega-Lite schema
    bound = [p["name"] for p in spec["params"] if "bind" in p]
    varying = [c for c in fig.controls if len(c.values) > 1]
    assert len(bound) == len(varying) + (len(fig.series.options) if fig.series else 0)
    page = embedding.fragment(chart, alt=fig.alt)  # both layouts compile to Vega
    assert len(page.encode()) < min(fig.budget, MAX_CHART_BYTES), f"{len(page) / 1e6:.2f} MB"
    assert external_loads(page) == []
    payload = json.loads(re.search(r'class="lossbook-chart-spec">(.*?)</script>', page, re.S).group(1))
    assert set(payload) == {"wide", "narrow", "data", "sliders", "shown_by"}
    for layout in ("wide", "narrow"):  # the data are in the page once, not in each spec
        assert all("values" not in d for d in payload[layout]["data"] if d["name"] in ("grid", "values"))
    assert "hconcat" not in json.dumps(embedding.narrow_spec(spec, fig.narrow))


@pytest.mark.parametrize("name", ia.available())
def test_live_panel_updates_for_every_control(name):
    pytest.importorskip("ipywidgets")
    panel = fast(name).live()
    calls = counting(panel)
    moves = 0
    for ctl in [*panel.series_boxes.values(), *panel.controls.values()]:
        for value in extremes(ctl):
            if ctl.value == value:
                continue
            ctl.value = value
            moves += 1
            assert calls["n"] == moves  # one callback per move
            assert bytes(panel.image.value).startswith(b"\x89PNG")
            assert set(panel.timings) == {"compute", "draw"}
    assert moves >= len(panel.controls)


@pytest.mark.parametrize("name", ia.available())
def test_live_panel_draws_what_the_static_chart_holds(name, precomputed):
    # The two renderings share the compute function; at grid points they must agree.
    pytest.importorskip("ipywidgets")
    fig, pre = fast(name), precomputed(name)
    panel = fig.live()
    rng = np.random.default_rng(0)
    for j in rng.choice(len(pre.raw), size=4, replace=False):
        si, state, out = pre.raw[j]
        option = fig.series_options()[si]
        for k, v in state.items():
            if panel.controls[k].value != v:
                panel.controls[k].value = v
        if option is not None:
            panel.series_boxes[option].value = True
        live = panel.results[option]
        for f in pre.arrays:
            got = pre.decode(pre.rows[j], f)
            want = np.asarray(live[f], dtype=np.float64).ravel()
            if f in pre.delta or np.ndim(live[f]) != 1:
                continue
            np.testing.assert_allclose(got, want, rtol=RTOL_4SIG, atol=1e-300)


# =========================================================================== the grammar
def test_grammar_rejects_what_it_cannot_render():
    with pytest.raises(ValueError, match=r"Slider 'a': default 0.3 must be one of its values"):
        ia.Slider(name="a", values=(0.0, 1.0), default=0.3)
    with pytest.raises(ValueError, match=r"Slider 'a': values must be increasing"):
        ia.Slider(name="a", values=(1.0, 0.0), default=0.0)
    with pytest.raises(ValueError, match=r"name must be an identifier that is not a Vega signal"):
        ia.Menu(name="width", options=(1, 2), default=1)
    with pytest.raises(ValueError, match=r"Figure 'f': b.when names 'zz', not another control"):
        ia.Figure(name="f", compute=dict, panels=(), controls=(
            ia.Slider(name="b", values=(0.0, 1.0), default=0.0, when={"zz": (1,)}),))
    fig = ia.Figure(name="f", compute=lambda *, a: {"x": [0.0, a]}, panels=(
        ia.Panel(title="p", xlabel="x", ylabel="y", marks=(ia.Line(x="x", y="y"),)),), controls=(
        ia.Slider(name="a", values=(0.0, 1.0), default=0.0),))
    with pytest.raises(KeyError, match=r"f: compute returned no y \(the marks draw them\)"):
        fig.call({"a": 1.0})


def every_mark_figure():
    """A tiny figure with every kind of mark, a series and a slider."""
    def compute(*, k, a):
        x = np.linspace(0.0, 1.0, 11)
        s = 1.0 if k == "up" else -1.0
        z = (np.add.outer(np.arange(4), np.arange(5)) % 3).astype(np.int8)
        return {"x": x, "y": s * a * x, "lo": s * a * x - 0.1, "hi": s * a * x + 0.1, "px": 0.5, "py": s * a / 2,
                "x2": np.array([0.2, 0.6]), "y2": np.array([s * a, 0.0]), "label": f"{k}: a = {a:g}",
                "z": z, "ext": (0.0, 1.0, -2.0, 2.0), "message": f"a = {a:g}"}

    marks = (ia.Heatmap(z="z", extent="ext", levels=3, name="cells"), ia.Band(x="x", y="lo", y2="hi", name="band"),
             ia.Line(x="x", y="y", name="line", points=True), ia.Point(x="px", y="py", name="point", shape="diamond"),
             ia.Rule(x="x2", y="px", x2="x2", y2="y2", name="rule"), ia.Text(text="label", name="note"),
             ia.Text(text="label", x="px", y="py", name="tag"))
    return ia.Figure(name="every_mark", compute=compute, message="message",
                     controls=(ia.Slider(name="a", values=ia.grid(0.5, 1.5, 0.5), default=1.0),),
                     series=ia.Series(name="k", options=("up", "down"), default=("up", "down")),
                     panels=(ia.Panel(title="all marks", xlabel="x", ylabel="y", xdomain=(0, 1), ydomain=(-2, 2),
                                      marks=marks, legend=True),))


def test_every_kind_of_mark_is_drawn_live():
    pytest.importorskip("ipywidgets")
    panel = every_mark_figure().live(a=0.7)
    x, y = panel.artist("line", "up").get_data()
    np.testing.assert_allclose(y, 0.7 * x)
    np.testing.assert_allclose(panel.artist("point", "down").get_data()[1], [-0.35])
    xs, ys = panel.artist("rule", "up").get_data()
    np.testing.assert_allclose(xs[:2], [0.2, 0.2])  # the first segment, (0.2, 0.5) to (0.2, a)
    np.testing.assert_allclose(ys[:2], [0.5, 0.7])
    assert panel.artist("note", "down").get_text() == "down: a = 0.7"
    assert panel.artist("tag", "up").get_position() == pytest.approx((0.5, 0.35))
    verts = panel.artist("band", "up").get_paths()[0].vertices
    assert verts[:, 1].max() == pytest.approx(0.8) and verts[:, 1].min() == pytest.approx(-0.1)
    np.testing.assert_array_equal(panel.artist("cells").get_array(), every_mark_figure().compute(k="up", a=1)["z"])
    panel.series_boxes["down"].value = False
    assert not panel.artist("line", "down").get_visible() and panel.message.value.count("<div") == 1


def test_conditions_and_grid_of_the_playground():
    fig = ia.get("optimizer_playground")
    nesterov, loss = fig.control("nesterov"), fig.control("loss")
    assert fig.relevant(nesterov, {"momentum": 0.9}, "sgd") and not fig.relevant(nesterov, {"momentum": 0.0}, "sgd")
    assert not fig.relevant(nesterov, {"momentum": 0.9}, "adam")
    assert fig.relevant(loss, {"surface": "regression"}) and not fig.relevant(loss, {"surface": "rosenbrock"})
    # grid: controls that do not matter stay at their defaults, so no run is repeated
    n_surfaces = len(ia.SURFACES) - 1 + len(ia.CHART_LOSSES)
    per = len(ia.LEARNING_RATES) * n_surfaces * len(ia.STARTS) * 2  # noise off and on
    assert len(fig.grid("adam")) == per
    assert len(fig.grid("sgd")) == per * 3  # momentum 0; 0.9 without and with Nesterov
    assert len(fig.grid("rmsprop")) == per * 2


# =========================================================================== trajectories
def direct_run(surface, loss, optimizer, lr, steps, *, x0=None, noise=0.0, **kw):
    """The run the chart must show, straight from lossbook.optim and lossbook.landscapes."""
    land = landscapes.get_landscape("regression", loss=loss) if surface == "regression" \
        else landscapes.get_landscape(surface)
    start = land.default_start if x0 is None else np.asarray(x0, dtype=np.float64)
    grad = land.grad
    if noise:  # the playground's noise: level * |g(x0)| / sqrt(2) per coordinate, seed 0
        rng = np.random.default_rng(0)
        sigma = noise * np.linalg.norm(land.grad(start)) / math.sqrt(2)
        grad = lambda x: land.grad(x) + sigma * rng.standard_normal(2)  # noqa: E731
    return land, optim.run(optim.make(optimizer, lr=lr, **kw), grad, start, steps, loss_fn=land.f)


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


def test_noise_and_start_points():
    q = ia.landscape("saddle")
    x0 = ia.start_point(q, "second")
    np.testing.assert_array_equal(x0, [-2.0, 0.3])
    np.testing.assert_array_equal(ia.start_point(q, "default"), q.default_start)
    noisy = ia.trajectory(q, "adam", 0.1, 30, x0=x0, noise=0.5)
    _, ref = direct_run("saddle", "mse", "adam", 0.1, 30, x0=x0, noise=0.5)
    np.testing.assert_array_equal(noisy.params, ref.params)
    assert not np.array_equal(noisy.params, ia.trajectory(q, "adam", 0.1, 30, x0=x0).params)
    # the same noise for every optimizer: SGD and Adam see the same draws
    a = ia.trajectory(q, "sgd", 1e-9, 3, x0=x0, noise=1.0)
    b = ia.trajectory(q, "sgd", 1e-9, 3, x0=x0, noise=1.0)
    np.testing.assert_array_equal(a.params, b.params)
    with pytest.raises(ValueError, match=r"start_point: start must be one of default, second, got 'top'"):
        ia.start_point(q, "top")


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
    with pytest.raises(ValueError, match=r"landscape: loss must be one of barron, huber, .* for the regression surface, got 'rmse'"):
        ia.landscape("regression", "rmse")


def test_regression_losses_are_the_elementwise_ones_of_the_registry():
    # the registry's elementwise regression losses of any real prediction (a line's value)
    assert ia.regression_losses() == tuple(
        n for n in losses.available("regression", per_example="element")
        if losses.info(n).prediction == "real" and losses.info(n).target == "real")
    assert "rmse" not in ia.regression_losses() and set(ia.CHART_LOSSES) <= set(ia.regression_losses())


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
    counts = np.bincount(ia.band_index(Z, levels).ravel(), minlength=8)
    assert counts.sum() == 1600 and counts.min() >= 1600 / 8 - 2


# =========================================================================== the grid of ch23
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


# =========================================================================== the playground's chart
def test_playground_chart_holds_every_run_as_optim_run_draws_it(precomputed):
    pre = precomputed("optimizer_playground")
    fig = ia.get("optimizer_playground")
    caps, runs = {}, 0
    for row, (si, state, _) in zip(pre.rows, pre.raw):
        opt = ia.OPTIMIZER_NAMES[si]
        land0 = ia.landscape(state["surface"], state["loss"])
        x0 = ia.start_point(land0, state["start"])
        kw = {}
        if opt in ("sgd", "rmsprop"):
            kw["momentum"] = state["momentum"]
        if opt == "sgd" and state["nesterov"]:
            kw["nesterov"] = True
        if opt == "rmsprop":
            kw["alpha"] = 0.99
        if opt in ("adam", "adamw"):
            kw["betas"] = (0.9, 0.999)
        if opt == "adamw":
            kw["weight_decay"] = 0.01
        land, ref = direct_run(state["surface"], state["loss"], opt, state["lr"], ia.STATIC_STEPS, x0=x0,
                               noise=state["noise"], **kw)
        runs += 1
        path = ia.display_path(land, ref)
        x, y = pre.decode(row, "px"), pre.decode(row, "py")
        assert x.shape == (len(path),)
        # coordinates are rounded to a 2000th of the window (or finer)
        np.testing.assert_allclose(x, path[:, 0], rtol=0, atol=(land.xlim[1] - land.xlim[0]) / 2000)
        np.testing.assert_allclose(y, path[:, 1], rtol=0, atol=(land.ylim[1] - land.ylim[0]) / 2000)
        key = (state["surface"], state["loss"])
        if key not in caps:  # losses are drawn within +-10x the largest |f| on the grid
            (a0, a1), (b0, b1) = land.xlim, land.ylim
            cx = a0 + (np.arange(60) + 0.5) * (a1 - a0) / 60
            cy = b0 + (np.arange(60) + 0.5) * (b1 - b0) / 60
            caps[key] = 10 * np.abs(land.f(np.stack(np.meshgrid(cx, cy), axis=-1))).max()
        finite = np.isfinite(ref.losses)
        np.testing.assert_allclose(pre.decode(row, "f"), np.clip(ref.losses[finite], -caps[key], caps[key]),
                                   rtol=RTOL_4SIG, atol=1e-300)
        message = pre.decode(row, "message")
        if ref.diverged_at is not None:
            assert message.endswith(f"diverged at step {ref.diverged_at}")
            assert pre.decode(row, "ex") != ""  # the cross where it left the plot
        assert (pre.decode(row, "ex") != "") == (ia.exit_point(land, ref) is not None)
    assert runs == sum(len(fig.grid(o)) for o in ia.OPTIMIZER_NAMES)


def test_playground_chart_surfaces_and_controls(precomputed):
    pre = precomputed("optimizer_playground")
    for row, (_, state, _) in zip(pre.rows, pre.raw):
        z = pre.decode(row, "bands")
        assert z.startswith("60;") and len(z) == 3 + 60 * 60 and set(z[3:]) <= set("0123456789ab")
    chart = static.chart(ia.get("optimizer_playground"), pre)
    binds = {p["name"]: p["bind"] for p in chart.to_dict()["params"] if "bind" in p}
    assert binds["log_lr"]["input"] == "range"
    assert (binds["log_lr"]["min"], binds["log_lr"]["max"], binds["log_lr"]["step"]) == (-3, 1, 0.5)
    assert [binds[f"show_{o}"]["input"] for o in ia.OPTIMIZER_NAMES] == ["checkbox"] * 5
    assert binds["surface"]["options"] == list(ia.SURFACES)
    assert binds["loss"]["options"] == list(ia.CHART_LOSSES)
    assert binds["start"]["options"] == list(ia.STARTS)
    assert binds["nesterov"]["input"] == "checkbox"
    assert (binds["momentum"]["min"], binds["momentum"]["max"]) == (0.0, 0.9)
    assert (binds["noise"]["min"], binds["noise"]["max"]) == (0.0, 0.5)
    # the path panel's window follows the surface (and the loss of the line fit)
    domains = [d for d in pre.domains.values() if isinstance(d, dict)]
    assert len(domains) == 2 and all("i_surface" in d["expr"] and "i_loss" in d["expr"] for d in domains)


def test_uneven_values_become_a_menu_on_the_page():
    small = ia.get("optimizer_playground").restrict(lr=[0.01, 0.1, 0.5], optimizer=["sgd"], surface=["quadratic"],
                                                    start=["default"], noise=[0.0], momentum=[0.0], steps=[5])
    chart = small.chart()
    binds = {p["name"]: p["bind"] for p in chart.to_dict()["params"] if "bind" in p}
    assert binds["lr"] == {"input": "select", "options": [0.01, 0.1, 0.5], "name": "learning rate "}
    assert len(chart.datasets["grid"]) == 3


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


def small_playground():
    return ia.playground_chart(lrs=[0.01, 0.1, 1.0], optimizers=["sgd", "adam"],
                               surfaces=["quadratic", "regression"], losses=["mae"], steps=30)


def test_standalone_page_is_offline():
    pytest.importorskip("vl_convert")
    page = ia.to_html(small_playground())
    assert external_loads(page) == []
    # Vega and the page script inlined, the chart's JSON: nothing else runs
    assert page.count("<script") == 3 and page.count('<script type="application/json"') == 1


def test_external_loads_detects_cdn_scripts():
    # the detector itself: Altair's default page loads vega from a CDN
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q")
    assert external_loads(chart.to_html())


def test_embed_shows_the_fragment():
    pytest.importorskip("vl_convert")
    chart = small_playground()
    out = ia.embed(chart)
    assert out._repr_html_() == ia.fragment(chart)
    assert out._repr_html_().startswith('<div class="lossbook-chart" role="figure"')


def test_narrow_spec_stacks_panels_and_caps_widths():
    spec = {"hconcat": [{"width": 400, "mark": "point", "title": {"text": "a"}}, {"width": 200}],
            "datasets": {"d": [{"hconcat": 1}]}}
    out = embedding.narrow_spec(spec, 300)
    assert out == {"vconcat": [{"width": 300, "mark": "point", "title": {"text": "a", "limit": 330}}, {"width": 200}],
                   "datasets": {"d": [{"hconcat": 1}]}}


def test_live_panels_show_a_placeholder_on_the_page():
    pytest.importorskip("ipywidgets")
    from lossbook import widgets

    panel = widgets.loss_explorer("regression")
    bundle = panel._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.model_id
    assert f'data-lossbook-model="{panel.model_id}"' in bundle["text/html"]
    assert "Live in a notebook" in bundle["text/html"] and "<input" not in bundle["text/html"]


def test_show_puts_the_chart_on_the_page_and_the_panel_in_a_notebook():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("vl_convert")
    fig = ia.get("optimizer_playground").restrict(lr=[0.01, 0.1], surface=["quadratic"], start=["default"],
                                                  noise=[0.0], momentum=[0.0])
    shown = ia.show(fig, lr=0.05, optimizer=["adam"])
    bundle = shown._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == shown.panel.model_id
    assert bundle["text/html"].startswith('<div class="lossbook-chart"')
    assert f'data-lossbook-model="{shown.panel.model_id}"' in bundle["text/html"]
    assert shown.panel.controls["lr"].value == pytest.approx(0.05)   # live: where asked
    assert fig.with_defaults(lr=0.05).control("lr").default == 0.1    # page: the nearest grid value


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
    # in percent of y = 1
    ("mape", ()): (100 * np.abs(R), 100 * np.sign(R)),
    ("quantile", (("tau", 0.9),)): (np.where(R < 0, -0.9 * R, 0.1 * R), np.where(R < 0, -0.9, np.where(R > 0, 0.1, 0))),
    ("binary_cross_entropy_with_logits", ()): (np.log1p(np.exp(-R)), -1 / (1 + np.exp(R))),
    ("binary_cross_entropy_with_logits", (("pos_weight", 3.0),)): (3 * np.log1p(np.exp(-R)), -3 / (1 + np.exp(R))),
    ("hinge", (("margin", 0.5),)): (np.maximum(0, 0.5 - R), np.where(R < 0.5, -1.0, 0.0)),
    ("multiclass_hinge", (("margin", 0.5),)): (np.maximum(0, 0.5 - R), np.where(R < 0.5, -1.0, 0.0)),
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
def test_loss_curves_are_the_registered_loss(name):
    # Every loss the registry puts in the explorer (new ones too), called directly:
    # at y = 1, y_hat = 1 + r (regression); at a positive example (label 1 in both 0/1
    # and -1/+1) with score r, or logits (0, r) for a softmax loss (classification).
    info, fn = losses.info(name), losses.get(name)
    if info.kind == "regression":
        want = fn(np.ones_like(R), 1.0 + R, reduction="none")
    elif info.target == "class_index":
        want = fn(np.ones(len(R), dtype=int), np.column_stack([np.zeros_like(R), R]), reduction="none")
    else:
        want = fn(np.ones_like(R), R, reduction="none")
    np.testing.assert_allclose(ia.loss_curves(name, R)[1], want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", [n for ns in ia.EXPLORER_LOSSES.values() for n in ns])
def test_loss_curve_derivatives_by_finite_differences(name):
    # away from the kinks of mae, quantile, hinge and the Huber/Smooth L1 switch
    r = np.array([-2.3, -1.7, -0.6, -0.3, 0.35, 0.7, 1.4, 2.6])
    combo = {h: v[len(v) // 2] for h, v in ia.HYPERPARAMETERS.get(name, {}).items()}
    _, _, d = ia.loss_curves(name, r, **combo)
    fd = elementwise_central_difference(lambda x: ia.loss_curves(name, x, **combo)[1], r)
    np.testing.assert_allclose(d, fd, rtol=RTOL_FD, atol=ATOL_FD * 100)


def test_explorer_losses_and_sliders_read_the_registry():
    import inspect

    for kind in ("regression", "classification"):
        assert set(ia.EXPLORER_LOSSES[kind]) == {
            n for n in models.linear_model_losses(kind) if losses.info(n).per_example}
    for name, spec in ia.HYPERPARAMETERS.items():
        info = losses.info(name)
        assert set(spec) == set(info.hyper)
        params = inspect.signature(losses.get(name)).parameters
        for h, grid in spec.items():
            fact = info.hyper[h]
            assert params[h].kind is inspect.Parameter.KEYWORD_ONLY
            start = ia.default_hyper(name)[h]
            assert start in grid, (name, h)
            numbers = [v for v in grid if v is not None]
            assert fact.low == numbers[0] and fact.high == numbers[-1]
            steps = np.diff(numbers) / fact.step
            np.testing.assert_allclose(steps, np.round(steps), atol=1e-9)  # on the registry's step
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


def test_fit_under_loss_is_fit_linear():
    x, y = ia.explorer_data("regression", 6)
    np.testing.assert_array_equal(ia.fit_under_loss("huber", x, y, delta=0.5).coef,
                                  models.fit_linear("huber", x, y, delta=0.5).coef)
    with pytest.raises(ValueError, match=r"loss explorer: loss must be one of barron, huber, .*, got 'rmse'"):
        ia.loss_curves("rmse")


# =========================================================================== the explorer's charts
@pytest.mark.parametrize("kind", ["regression", "classification"])
def test_explorer_chart_covers_the_grid_with_the_shared_numbers(kind, precomputed):
    name = f"loss_explorer_{kind}"
    fig, pre = fast(name), precomputed(name)
    r = np.linspace(-3, 3, 121)
    combos = 0
    for loss in ia.EXPLORER_LOSSES[kind]:
        spec = ia.HYPERPARAMETERS[loss]
        for combo in itertools.product(*spec.values()):
            hyper = dict(zip(spec, combo))
            combos += 1
            for lv in ia.DATA_GRID[kind][1]:
                match = [(row, st) for row, (si, st, _) in zip(pre.rows, pre.raw)
                         if fig.series.options[si] == loss and st["level"] == lv
                         and all(st[f"{loss}_{h}"] == v for h, v in hyper.items())]
                assert len(match) == 1, (loss, hyper, lv)
                row, _ = match[0]
                _, val, d = ia.loss_curves(loss, r, **hyper)
                np.testing.assert_allclose(pre.decode(row, "v"), val, rtol=RTOL_4SIG, atol=1e-300)
                np.testing.assert_allclose(pre.decode(row, "d"), d, rtol=RTOL_4SIG, atol=1e-300)
                x, y = ia.explorer_data(kind, lv)
                coef = models.fit_linear(loss, x, y, steps=20, **hyper).coef
                fx, fy = pre.decode(row, "fx"), pre.decode(row, "fy")
                if kind == "regression":
                    np.testing.assert_allclose(fy, [coef[0] * -2 + coef[1], coef[0] * 2 + coef[1]], atol=1e-3)
                elif len(fx) == 0:  # no boundary in the window (hinge with margin 0: s = 0)
                    assert ia.line_in_box(coef, ia.EXPLORER_BOX[kind]) is None
                else:  # both ends lie on the boundary w.x + b = 0
                    for end in zip(fx, fy):
                        assert abs(coef[0] * end[0] + coef[1] * end[1] + coef[2]) <= 1e-3 * (abs(coef[0]) + abs(coef[1]) + 1)
    assert len(pre.rows) == combos * len(ia.DATA_GRID[kind][1])


@pytest.mark.parametrize("kind", ["regression", "classification"])
def test_explorer_chart_controls(kind, precomputed):
    name = f"loss_explorer_{kind}"
    spec = static.chart(fast(name), precomputed(name)).to_dict()
    binds = {p["name"]: p["bind"] for p in spec["params"] if "bind" in p}
    for loss in ia.EXPLORER_LOSSES[kind]:
        assert binds[f"show_{loss}"]["input"] == "checkbox"
        for h, grid in ia.HYPERPARAMETERS.get(loss, {}).items():
            b = binds[f"{loss}_{h}"]
            steps = np.diff([v for v in grid if v is not None])
            if None in grid or not np.allclose(steps, steps[0]):   # "off", or an uneven grid: a menu
                assert b["input"] == "select" and len(b["options"]) == len(grid)
            else:
                assert b["input"] == "range" and (b["min"], b["max"]) == (grid[0], grid[-1])
                # the slider's steps land exactly on the grid
                n_steps = (b["max"] - b["min"]) / b["step"]
                assert abs(n_steps - round(n_steps)) < 1e-9 and round(n_steps) + 1 == len(grid)
    assert "level" in binds


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
    good = tmp_path / "playground.html"
    good.write_text(ia.page("<h1>A chapter</h1>", ia.fragment(small_playground())))
    # A slider that filters nothing (moving it cannot change the drawing), and an image
    # from the network.
    dead = alt.param(name="dead", value=1, bind=alt.binding_range(min=0, max=5, step=1, name="dead "))
    still = (alt.Chart(alt.Data(values=[{"a": 1, "b": 2}, {"a": 2, "b": 1}])).mark_line()
             .encode(x="a:Q", y="b:Q").add_params(dead))
    bad = tmp_path / "broken.html"
    bad.write_text(ia.page("<img src='https://example.invalid/x.png'>", ia.fragment(still)))
    # A calculation that reads the field it writes: Vega runs it again on the same
    # data when the slider moves, so moving the slider away and back changes the text.
    p = alt.param(name="p", value=1, bind=alt.binding_range(min=0, max=2, step=1, name="p "))
    drift = (alt.Chart(alt.Data(values=[{"a": 0, "m": "x"}, {"a": 1, "m": "y"}, {"a": 2, "m": "z"}]))
             .transform_filter("datum.a <= p").transform_calculate(m="datum.m + '!'")
             .mark_text().encode(x="a:Q", text="m:N").add_params(p))
    drifting = tmp_path / "drifting.html"
    drifting.write_text(ia.page(ia.fragment(drift)))
    assert check_sliders.main([str(good), str(bad), str(drifting), "--slider", "learning rate"]) == 1
    out = capsys.readouterr().out
    fails = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert "learning rate (log10) -1' -2 -> 0: the drawing changed" in out
    assert f"FAIL {bad}: chart 0: no slider changes the drawing" in fails
    assert f"FAIL {bad}: external request: https://example.invalid/x.png" in fails
    assert f"FAIL {bad}: chart 0: no slider labelled 'learning rate'" in fails
    assert f"FAIL {drifting}: chart 0: moving slider 'p 1' away and back does not restore the drawing" in fails
    assert not [line for line in fails if line.startswith(f"FAIL {good}")]


def test_charts_fit_a_phone_and_a_desktop(tmp_path):
    browser_or_skip()
    from playwright.sync_api import sync_playwright

    page_path = tmp_path / "charts.html"
    charts = [small_playground(), ia.loss_explorer_chart("regression", names=["mse", "huber"], levels=[0, 4],
                                                         steps=5), every_mark_figure().chart()]
    page_path.write_text(ia.page(*(ia.fragment(c) for c in charts)))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(Path(shutil.which("chromium") or "/usr/bin/chromium")),
                                    args=["--no-sandbox"])
        try:
            for width, layout in ((400, "narrow"), (1200, "wide")):
                tab = browser.new_page(viewport={"width": width, "height": 900})
                tab.goto(page_path.as_uri())
                tab.wait_for_function("() => Array.from(document.querySelectorAll('.lossbook-chart'))"
                                      ".every(e => e.dataset.lossbookState === 'drawn')", timeout=30_000)
                info = tab.evaluate("""() => window.lossbookCharts.map(c => ({layout: c.layout,
                    over: c.el.scrollWidth - c.el.clientWidth,
                    right: Math.max(...Array.from(c.el.querySelectorAll('canvas, input, select'))
                                    .map(e => e.getBoundingClientRect().right))}))""")
                for chart in info[:2]:
                    assert chart["layout"] == layout, (width, info)
                for chart in info:
                    assert chart["over"] <= 0 and chart["right"] <= width, (width, info)
                tab.close()
        finally:
            browser.close()
    # every kind of mark is drawn on the page, and the slider moves all of them
    sys.path.insert(0, str(ROOT / "tools"))
    import check_sliders

    alone = tmp_path / "marks.html"
    alone.write_text(ia.page(ia.fragment(charts[2])))
    assert check_sliders.check(alone, verbose=False) == []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(Path(shutil.which("chromium") or "/usr/bin/chromium")),
                                    args=["--no-sandbox"])
        try:
            tab = browser.new_page()
            tab.goto(alone.as_uri())
            tab.wait_for_function("() => document.querySelector('.lossbook-chart').dataset.lossbookState === 'drawn'")
            counts = {k: len(v) for k, v in tab.evaluate(check_sliders._MARKS, [0, None]).items()}
            for name in ("cells", "band", "line", "point", "rule", "note", "tag"):
                assert any(k.startswith(name) and v > 0 for k, v in counts.items()), (name, counts)
            tab.close()
        finally:
            browser.close()


def test_series_options_must_be_identifiers():
    """Each option of a Series becomes a Vega signal name on the page: '0.01' breaks the chart."""
    from lossbook.interactive import Series

    with pytest.raises(ValueError, match="options must be identifiers"):
        Series(name="lr", options=("0.01", "0.1"), default=("0.01",))
    Series(name="lr", options=("lr_0p01", "lr_0p1"), default=("lr_0p01",), labels=("0.01", "0.1"))
