"""The regularization-curves figure: its early-stopping rule and its handling of a chapter's runs."""

from __future__ import annotations

import numpy as np
import pytest

from lossbook.interactive import generalization as g


def _fake_runs(wds=(0.0, 0.3), ps=(0.0, 0.5), epochs=30, seed=0):
    rng = np.random.default_rng(seed)
    runs = {}
    for wd in wds:
        for p in ps:
            t = np.arange(1, epochs + 1)
            val = 0.2 + 1.0 / t + 0.004 * t * (1 - wd) + 0.01 * rng.standard_normal(epochs)
            runs[wd, p] = {"train_loss": 1.0 / t, "train_eval_loss": 0.5 / t, "val_loss": val,
                           "test_loss": val + 0.02, "test_accuracy": 0.9 + 0.001 * t}
    return runs


@pytest.mark.parametrize("patience", [1, 2, 3, 5, 10])
@pytest.mark.parametrize("seed", range(5))
def test_early_stopping_epoch_is_the_callbacks_rule(patience, seed):
    torch = pytest.importorskip("torch")
    from lossbook.train import EarlyStopping

    val = np.random.default_rng(seed).uniform(0, 1, 25) + np.linspace(0.5, 0, 25)
    es, model, stopped = EarlyStopping(patience=patience), torch.nn.Linear(1, 1), None
    for epoch, v in enumerate(val):
        if es.step(float(v), epoch, model):
            stopped = epoch
            break
    assert g.early_stopping_epoch(val, patience) == (es.best_epoch, stopped)


def test_early_stopping_epoch_ignores_nonfinite_and_checks_patience():
    assert g.early_stopping_epoch([np.nan, 1.0, np.inf, 0.5], 5) == (3, None)
    with pytest.raises(ValueError, match="patience"):
        g.early_stopping_epoch([1.0], 0)


def test_curves_follow_the_runs_and_the_rule():
    runs = _fake_runs()
    out = g.regularization_curves(weight_decay=0.29, dropout=0.51, patience=4, runs=runs)  # nearest run
    r = runs[0.3, 0.5]
    best, stopped = g.early_stopping_epoch(r["val_loss"], 4)
    assert out["best_epoch"] == best + 1 and out["acc_kept"] == r["test_accuracy"][best]
    assert (out["stop_x"] is None) == (stopped is None)
    assert np.all(out["val"] >= g.LOSS_DOMAIN[0]) and np.all(out["val"] <= g.LOSS_DOMAIN[1])
    assert "weight decay 0.3, dropout 0.5" in out["message"]


def test_figure_needs_every_pair_and_every_curve():
    runs = _fake_runs()
    fig = g.figure(runs)
    assert fig.control("weight_decay").options == (0.0, 0.3)
    del runs[0.3, 0.5]
    with pytest.raises(ValueError, match="every"):
        g.figure(runs)
    bad = _fake_runs()
    del bad[0.0, 0.0]["test_loss"]
    with pytest.raises(ValueError, match="test_loss"):
        g.regularization_curves(weight_decay=0.0, dropout=0.0, patience=3, runs=bad)
