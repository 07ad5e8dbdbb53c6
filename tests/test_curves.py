"""The training-curve figure's helpers (lossbook.interactive.curves), without training a network."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lossbook.interactive import curves
from lossbook.plotting import smooth


def test_running_median_is_pandas_rolling_median_and_passes_nan_through():
    rng = np.random.default_rng(0)
    v = rng.lognormal(size=200)
    for window in (1, 4, 19):
        expected = pd.Series(v).rolling(window, min_periods=1).median().to_numpy()
        assert np.allclose(curves.running_median(v, window), expected)
    w = v.copy()
    w[[10, 11, 50]] = np.nan
    w[60] = np.inf
    out = curves.running_median(w, 5)
    bad = ~np.isfinite(w)
    assert np.array_equal(out[bad], w[bad], equal_nan=True)            # passed through
    finite = pd.Series(np.where(np.isfinite(w), w, np.nan)).rolling(5, min_periods=1).median()
    assert np.allclose(out[~bad], finite.to_numpy()[~bad])              # and left out of the windows
    with pytest.raises(ValueError, match="window"):
        curves.running_median(v, 0)


def test_span_and_lag_of_the_moving_average():
    line = 10.0 - 0.01 * np.arange(5000)
    noise = np.random.default_rng(1).normal(size=200_000)
    for beta in (0.3, 0.6, 0.9):
        assert np.allclose((smooth(line, beta) - line)[1000:] / 0.01, curves.ema_lag(beta), rtol=1e-6)
        assert np.var(smooth(noise, beta)[1000:]) == pytest.approx(1 / curves.ema_span(beta), rel=0.05)
    with pytest.raises(ValueError):
        curves.ema_span(1.0)


def test_training_curve_on_given_runs():
    rng = np.random.default_rng(2)
    loss = np.exp(-np.arange(60) / 20) * rng.lognormal(sigma=0.3, size=60)
    loss[40:] = np.nan                                                   # a run that diverged
    runs = {0.1: {"step_loss": loss, "val_loss": np.array([1.0, np.nan]), "steps_per_epoch": 30}}
    keyed = {curves.series_key(lr): r for lr, r in runs.items()}
    out = curves.training_curve(lr="lr_0p1", weight=0.6, runs=keyed)
    assert np.array_equal(out["t"], np.arange(40))                       # finite steps only
    assert np.allclose(out["smoothed"], np.clip(smooth(loss, 0.6)[:40], *curves.YDOMAIN))
    assert out["t_dom"] == (0, 60) and np.array_equal(out["val_t"], [30])
    med = curves.training_curve(lr="lr_0p1", weight=0.6, filter="median", runs=keyed)
    assert np.allclose(med["smoothed"], np.clip(curves.running_median(loss, 4)[:40], *curves.YDOMAIN))
    fig = curves.figure(runs)
    assert fig.series.options == ("lr_0p1",) and all(o.isidentifier() for o in fig.series.options)
    with pytest.raises(ValueError, match="filter"):
        curves.training_curve(lr="lr_0p1", weight=0.6, filter="mean", runs=keyed)
