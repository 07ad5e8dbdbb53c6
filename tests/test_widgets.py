"""Tests of lossbook.widgets: every control of both live panels, driven without a browser.

Each control is moved to its extremes (each option of a dropdown, both states of a
checkbox) the way a slider move does it, by setting its ``value``; the callback must
run, without an exception, and leave a figure with data in it.  References are
independent of the widgets: :func:`lossbook.optim.run` called directly (the step of
a divergence), the closed form of gradient descent on a quadratic, NumPy's least
squares, and a picture drawn from scratch (which a blitted update must equal).

The panels are :class:`lossbook.interactive.live.LivePanel` objects: the artists of
a mark are ``panel.artist(mark name, series option)``, the last outputs per option
``panel.results``, a series option's checkbox ``panel.series_boxes[option]``.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")
PIL = pytest.importorskip("PIL.Image")

from lossbook import interactive as ia  # noqa: E402
from lossbook import landscapes, optim, widgets  # noqa: E402
from tests._figures import counting, extremes  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(PIL.open(io.BytesIO(bytes(png))).convert("RGB"))


def assert_drawn(panel):
    assert panel.image.value.tobytes().startswith(PNG_MAGIC)
    assert panel.selected()
    for opt in panel.selected():
        x, y = panel.artist("path", opt).get_data()
        assert len(x) >= 1 and np.all(np.isfinite(x)) and np.all(np.isfinite(y))
        k, v = panel.artist("curve", opt).get_data()
        assert len(k) >= 1 and np.all(np.isfinite(v))
    assert panel.message.value


def select(panel, *options):
    """Check exactly ``options`` among the series' checkboxes (one move per change)."""
    for o in options:
        panel.series_boxes[o].value = True
    for o, box in panel.series_boxes.items():
        if o not in options:
            box.value = False


def trajectory(panel, option):
    return panel.results[option]["trajectory"]


# =========================================================================== playground
@pytest.fixture
def playground():
    return widgets.optimizer_playground("quadratic", "sgd", lr=0.05, steps=40)


def test_every_playground_control_at_every_extreme(playground):
    calls = counting(playground)
    n = 0
    for name, ctl in playground.controls.items():  # the optimizers' checkboxes: below
        for value in extremes(ctl):
            if ctl.value == value:
                continue
            ctl.value = value
            n += 1
            assert calls["n"] == n, name
            assert_drawn(playground)
    assert n >= 2 * len(playground.controls) - 2


@pytest.mark.parametrize("optimizer", ia.OPTIMIZER_NAMES)
def test_each_optimizer_with_its_own_controls(playground, optimizer):
    calls = counting(playground)
    select(playground, optimizer)
    for name in ("momentum", "nesterov", "alpha", "beta1", "beta2", "weight_decay"):
        shown = playground.controls[name].layout.display != "none"
        assert shown == (name in ia.OPTIMIZER_CONTROLS[optimizer]), name
    before = calls["n"]
    for name in ia.OPTIMIZER_CONTROLS[optimizer]:
        for value in extremes(playground.controls[name]):
            playground.controls[name].value = value
            assert_drawn(playground)
    for lr in (1e-4, 10.0):  # the learning rate's extremes with every optimizer
        playground.controls["lr"].value = lr
        assert_drawn(playground)
    assert calls["n"] > before


@pytest.mark.parametrize("surface", ia.SURFACES)
def test_each_surface_at_both_ends_of_the_learning_rate(playground, surface):
    playground.controls["surface"].value = surface
    assert playground.controls["loss"].disabled == (surface != "regression")
    losses = ia.regression_losses() if surface == "regression" else [playground.controls["loss"].value]
    for loss in losses:
        playground.controls["loss"].value = loss
        land = ia.landscape(surface, loss)
        assert playground.axes[0].get_xlim() == pytest.approx(land.xlim)
        for lr in (1e-4, 10.0):
            playground.controls["lr"].value = lr
            assert_drawn(playground)


@pytest.mark.parametrize("optimizer,lr", [("sgd", 10.0), ("sgd", 0.25), ("sgd", 0.5), ("adagrad", 10.0), ("rmsprop", 10.0)])
def test_divergence_is_reported_at_optim_runs_step(playground, optimizer, lr):
    playground.controls["steps"].value = 300
    select(playground, optimizer)
    playground.controls["lr"].value = lr
    land = landscapes.quadratic()
    ref = optim.run(optim.make(optimizer, lr=lr, **ia.optimizer_kwargs(optimizer)), land.grad,
                    land.default_start, 300, loss_fn=land.f)
    text = playground.message.value
    if ref.diverged_at is None:
        assert "diverged" not in text
        return
    assert f"diverged at step {ref.diverged_at}<" in text
    assert trajectory(playground, optimizer).diverged_at == ref.diverged_at
    if optimizer == "sgd":  # closed form: y_k = 2 (1 - 10 lr)^k passes 1e12 first
        assert ref.diverged_at == math.floor(math.log(5e11) / math.log(abs(1 - 10 * lr))) + 1
    # The path leaves the plot: it ends outside the window, and the cross sits on its edge.
    x, y = playground.artist("path", optimizer).get_data()
    (x0, x1), (y0, y1) = land.xlim, land.ylim
    assert not (x0 <= x[-1] <= x1 and y0 <= y[-1] <= y1)
    gx, gy = playground.artist("gone", optimizer).get_data()
    assert len(gx) == 1 and (np.isclose(abs(gx[0]), 5.0) or np.isclose(abs(gy[0]), 3.0))
    assert_drawn(playground)


def test_playground_draws_the_shared_computation(playground):
    playground.controls["surface"].value = "rosenbrock"
    select(playground, "adam")
    playground.controls["lr"].value = 0.1
    land = landscapes.rosenbrock()
    ref = optim.run(optim.Adam(lr=0.1), land.grad, land.default_start, 40, loss_fn=land.f)
    x, y = playground.artist("path", "adam").get_data()
    np.testing.assert_array_equal(np.column_stack([x, y]), ref.params)  # inside the frame: every point
    k, v = playground.artist("curve", "adam").get_data()
    np.testing.assert_array_equal(v, ref.losses)


def test_several_optimizers_at_once_on_one_surface(playground):
    select(playground, "sgd", "adam", "rmsprop")
    playground.controls["momentum"].value = 0.9
    playground.controls["nesterov"].value = True
    land = landscapes.quadratic()
    for opt, kw in (("sgd", {"momentum": 0.9, "nesterov": True}), ("adam", {}), ("rmsprop", {"momentum": 0.9})):
        ref = optim.run(optim.make(opt, lr=0.05, **kw), land.grad, land.default_start, 40, loss_fn=land.f)
        np.testing.assert_array_equal(trajectory(playground, opt).params, ref.params)
        assert playground.artist("path", opt).get_visible()
    assert not playground.artist("path", "adagrad").get_visible()
    assert playground.message.value.count("<div") == 3


def test_blitted_updates_equal_a_fresh_drawing():
    moved = widgets.optimizer_playground("multi_minima", "sgd", lr=0.01, steps=50, momentum=0.5)
    for lr in (0.3, 1.0, 3.0):  # blitted moves: the old paths must not linger
        moved.controls["lr"].value = lr
    fresh = widgets.optimizer_playground("multi_minima", "sgd", lr=3.0, steps=50, momentum=0.5)
    assert moved._blitter.full_draws < 4  # some moves were blitted
    np.testing.assert_array_equal(pixels(moved.image.value), pixels(fresh.image.value))


def test_playground_keeps_one_figure_and_one_image(playground):
    import matplotlib.pyplot as plt

    fig, image = playground.fig, playground.image
    for lr in (0.01, 0.1, 1.0):
        playground.controls["lr"].value = lr
    assert playground.fig is fig and playground.image is image
    assert plt.get_fignums() == []  # never a pyplot figure (nothing shown twice)
    assert playground.widget.children[-1] is image


def test_playground_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"optimizer_playground: surface must be one of regression, .*, got 'bowl'"):
        widgets.optimizer_playground("bowl")
    with pytest.raises(ValueError, match=r"optimizer_playground: optimizer must be one of sgd, .*, got 'lbfgs'"):
        widgets.optimizer_playground("quadratic", "lbfgs")
    with pytest.raises(ValueError, match=r"optimizer_playground: loss must be one of barron, huber, .*, got 'rmse'"):
        widgets.optimizer_playground("regression", loss="rmse")


def test_benchmark_playground_reports_both_parts():
    out = widgets.benchmark_playground(repeat=5)
    assert set(out) == {"compute_ms", "draw_ms", "total_ms"}
    assert all(v > 0 for v in out.values())


# =========================================================================== loss explorer
@pytest.fixture(params=["regression", "classification"])
def explorer(request):
    return widgets.loss_explorer(request.param)


def lines(panel, name):
    """The loss, derivative and fit artists of loss ``name``."""
    return tuple(panel.artist(mark, name) for mark in ("loss_curve", "derivative", "fit"))


def visible_lines(panel):
    return {n for n in panel.series_boxes if lines(panel, n)[0].get_visible()}


def fits(panel):
    return {n: out["fit"] for n, out in panel.results.items()}


def hyper(panel):
    """The hyperparameter controls by (loss, hyperparameter)."""
    return {(n, h): panel.controls[f"{n}_{h}"] for n in panel.series_boxes for h in ia.HYPERPARAMETERS[n]}


def kind(panel):
    return panel.figure.name.removeprefix("loss_explorer_")


def test_every_checkbox_alone_all_and_none(explorer):
    calls = counting(explorer)
    moves = 0

    def move(ctl, value):
        nonlocal moves
        moves += ctl.value != value
        ctl.value = value

    names = list(explorer.series_boxes)
    for box in explorer.series_boxes.values():
        move(box, False)
    assert visible_lines(explorer) == set() and fits(explorer) == {}
    assert "check a loss" in explorer.message.value
    assert explorer.image.value.tobytes().startswith(PNG_MAGIC)
    for name in names:  # each loss alone
        move(explorer.series_boxes[name], True)
        assert visible_lines(explorer) == {name}
        r, val = lines(explorer, name)[0].get_data()
        assert len(r) > 0 and np.all(np.isfinite(val))
        assert set(fits(explorer)) == {name}
        for (n, _), ctl in hyper(explorer).items():
            assert (ctl.layout.display != "none") == (n == name)
        move(explorer.series_boxes[name], False)
    for box in explorer.series_boxes.values():
        move(box, True)
    assert visible_lines(explorer) == set(names) and set(fits(explorer)) == set(names)
    assert calls["n"] == moves  # one callback per move


def test_every_hyperparameter_at_its_extremes(explorer):
    for box in explorer.series_boxes.values():
        box.value = True
    for (name, h), ctl in hyper(explorer).items():
        for value in extremes(ctl):
            ctl.value = value
            r, val = lines(explorer, name)[0].get_data()
            _, ref_val, ref_d = ia.loss_curves(name, r, **{h: value, **{
                k: c.value for (n2, k), c in hyper(explorer).items() if n2 == name and k != h}})
            np.testing.assert_array_equal(val, ref_val)
            np.testing.assert_array_equal(lines(explorer, name)[1].get_data()[1], ref_d)
            assert len(lines(explorer, name)[2].get_data()[0]) in (0, 2)  # a line, or no boundary in view
            assert explorer.image.value.tobytes().startswith(PNG_MAGIC)


def test_the_data_control_at_its_extremes(explorer):
    for box in explorer.series_boxes.values():
        box.value = True
    ctl = explorer.controls["level"]
    for value in extremes(ctl):
        ctl.value = value
        x, y = ia.explorer_data(kind(explorer), round(value, 2) if kind(explorer) == "classification" else value)
        for name, fit in fits(explorer).items():
            hyp = {h: hyper(explorer)[(name, h)].value for h in ia.HYPERPARAMETERS.get(name, {})}
            np.testing.assert_array_equal(fit.coef, ia.fit_under_loss(name, x, y, **hyp).coef)
        assert explorer.image.value.tobytes().startswith(PNG_MAGIC)


def test_regression_explorer_mse_line_is_least_squares():
    panel = widgets.loss_explorer("regression", ["mse", "mae"], level=10)
    x, y = ia.explorer_data("regression", 10)
    xs, ys = panel.artist("fit", "mse").get_data()
    w, b = np.polyfit(x, y, 1)
    np.testing.assert_allclose(ys, w * xs + b, rtol=0, atol=1e-5)
    # ten outliers pushed up by 8 drag the least-squares line up, not the MAE line
    assert fits(panel)["mse"].coef[1] > fits(panel)["mae"].coef[1] + 1.0
    assert "mse: w = " in panel.message.value


def test_blitted_explorer_updates_equal_a_fresh_drawing():
    moved = widgets.loss_explorer("regression", ["huber", "quantile"])
    for delta in (0.3, 2.0, 1.5):
        moved.controls["huber_delta"].value = delta
    fresh = widgets.loss_explorer("regression", ["huber", "quantile"])
    fresh.controls["huber_delta"].value = 1.5
    np.testing.assert_array_equal(pixels(moved.image.value), pixels(fresh.image.value))


def test_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"loss_explorer: kind must be 'regression' or 'classification', got 'ranking'"):
        widgets.loss_explorer("ranking")
    with pytest.raises(ValueError, match=r"loss_explorer: 'hinge' is not a regression loss of the explorer"):
        widgets.loss_explorer("regression", ["hinge"])


def test_benchmark_explorer_reports_both_parts():
    out = widgets.benchmark_explorer("regression", repeat=3)
    assert set(out) == {"compute_ms", "draw_ms", "total_ms"} and all(v > 0 for v in out.values())
