"""lossbook.plotting's training-curve helpers: TensorBoard smoothing and history plots."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lossbook import plotting  # noqa: E402


def tensorboard_classic_smoothing(ys, smoothing_weight):
    """A line-by-line transcription of TensorBoard's ``classicSmoothing``
    (tensorboard/webapp/widgets/line_chart_v2/data_transformer.ts)."""
    if not math.isfinite(smoothing_weight):
        smoothing_weight = 0
    smoothing_weight = max(0, min(smoothing_weight, 1))
    initial = ys[0] if ys else None
    if all(y == initial for y in ys):
        return list(ys)
    last = 0 if len(ys) > 0 else math.nan
    num_accum = 0
    out = []
    for next_val in ys:
        if not math.isfinite(next_val):
            out.append(next_val)
        else:
            last = last * smoothing_weight + (1 - smoothing_weight) * next_val
            num_accum += 1
            debias_weight = 1 if smoothing_weight == 1 else 1 - math.pow(smoothing_weight, num_accum)
            out.append(last / debias_weight)
    return out


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.6, 0.9, 0.999, 1.0])
def test_smooth_equals_tensorboard(weight):
    rng = np.random.default_rng(0)
    ys = list(np.exp(-np.arange(300) / 80) + 0.2 * rng.standard_normal(300))
    ys[50], ys[51], ys[200] = math.nan, math.inf, -math.inf
    expected = tensorboard_classic_smoothing(ys, weight)
    got = plotting.smooth(ys, weight)
    assert np.allclose(got, expected, rtol=1e-12, atol=0, equal_nan=True)
    assert np.array_equal(np.isinf(got), np.isinf(ys))


def test_smooth_properties():
    assert np.array_equal(plotting.smooth([2.0, 2.0, 2.0], 0.9), [2.0, 2.0, 2.0])   # constant: as is
    assert np.array_equal(plotting.smooth([1.0, 5.0, 2.0], 0.0), [1.0, 5.0, 2.0])    # weight 0: as is
    # debiased: the first value is never pulled towards 0
    assert plotting.smooth([10.0, 0.0], 0.99)[0] == pytest.approx(10.0)
    with pytest.raises(ValueError, match="weight must be in"):
        plotting.smooth([1.0, 2.0], 1.5)


def test_plot_smoothed_marks_the_first_nonfinite_step():
    fig, ax = plt.subplots()
    v = np.r_[np.linspace(3, 1, 20), np.nan, np.inf]
    plotting.plot_smoothed(ax, v, label="loss")
    lines = ax.get_lines()
    assert len(lines) == 3 and lines[2].get_label() == "first NaN/inf"
    assert lines[2].get_xdata()[0] == 20 and lines[2].get_ydata()[0] == pytest.approx(1.0)
    plt.close(fig)


@pytest.mark.parametrize("kind", ["lossbook", "keras", "dict"])
def test_plot_history_reads_every_history_form(kind):
    train, val = [1.0, 0.6, 0.4, 0.3], [1.1, 0.8, 0.7, 0.75]
    if kind == "lossbook":
        h = SimpleNamespace(logs={"train_loss": train, "val_loss": val}, best_epoch=2, monitor="val_loss")
    elif kind == "keras":
        h = SimpleNamespace(history={"loss": train, "val_loss": val})
    else:
        h = {"loss": train, "val_loss": val}
    fig, ax = plt.subplots()
    plotting.plot_history(h, ax)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["train", "validation", "best epoch (3)"]
    assert list(lines[0].get_xdata()) == [1, 2, 3, 4] and list(lines[1].get_ydata()) == val
    assert lines[0].get_color().lower() == plotting.color("train").lower()
    assert ax.get_xlabel() == "epoch"
    plt.close(fig)


def test_plot_history_with_a_real_run_and_errors():
    torch = pytest.importorskip("torch")
    from lossbook import nets
    from lossbook.train import fit

    torch.manual_seed(0)
    X = torch.randn(32, 2)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)          # as OMP_NUM_THREADS=1 in the Makefile
    try:
        h = fit(nets.mlp([2, 1], seed=0), torch.nn.MSELoss(), (X, X[:, :1]), val_data=(X, X[:, :1]),
                epochs=3, batch_size=8, lr=0.05, device="cpu")
    finally:
        torch.set_num_threads(threads)
    fig, ax = plt.subplots()
    plotting.plot_history(h, ax, smooth=0.5, label="adam")
    assert ax.get_lines()[0].get_label() == "adam: train"
    with pytest.raises(ValueError, match="no 'accuracy' curves"):
        plotting.plot_history(h, ax, key="accuracy")
    plt.close(fig)
