"""The anomaly-threshold figure (lossbook/interactive/anomaly.py): its numbers are the metrics'.

The generic figure tests (tests/test_interactive.py) run it at every grid point and move
its controls; these check what it computes against scikit-learn and lossbook.metrics.
"""

from __future__ import annotations

import numpy as np
import pytest

from lossbook import metrics
from lossbook.interactive import anomaly

sklearn_metrics = pytest.importorskip("sklearn.metrics")


@pytest.fixture(scope="module")
def scores():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(400, dtype=np.int64), np.ones(40, dtype=np.int64)]
    a = np.exp(rng.normal(np.where(y == 1, 0.5, -1.0), 0.6))            # positive, overlapping
    return {("mse", 0.0): a, ("mse", 0.1): a**0.5, ("huber", 0.0): 2 * a, ("huber", 0.1): a + 1e-3}, y


def test_numbers_are_the_metrics(scores):
    s, y = scores
    out = anomaly.anomaly_threshold(loss="mse", rate=0.1, log10_t=-0.4, scores=s, y=y)
    a, t = s[("mse", 0.1)], 10**-0.4
    assert np.isclose(out["ap"], sklearn_metrics.average_precision_score(y, a))
    assert (out["precision"], out["recall"]) == metrics.precision_recall_at_threshold(y, a, t)
    assert np.isclose(out["fpr"], np.mean(a[y == 0] >= t)) and out["flagged"] == np.sum(a >= t)
    for t_log, p, r, f in zip(out["t_curve"], out["precision_curve"], out["recall_curve"], out["fpr_curve"]):
        assert np.allclose((p, r), metrics.precision_recall_at_threshold(y, a, 10.0**t_log))
        assert np.isclose(f, np.mean(a[y == 0] >= 10.0**t_log))


def test_histograms_are_shares_of_each_class(scores):
    s, y = scores
    out = anomaly.anomaly_threshold(loss="huber", rate=0.0, log10_t=0.0, scores=s, y=y)
    assert out["x_hist"].shape == out["normal_hist"].shape == out["anomaly_hist"].shape
    bars = out["normal_hist"][1:-1:2]                                     # one value per bin
    assert out["normal_hist"][0] == out["normal_hist"][-1] == 0
    assert np.isclose(bars.sum(), 1.0) or bars.max() == anomaly._HIST_MAX


def test_figure_needs_every_pair(scores):
    s, y = scores
    fig = anomaly.figure(s, y, default_loss="huber", default_rate=0.1)
    assert fig.controls[0].options == ("mse", "huber") and fig.controls[1].options == (0.0, 0.1)
    with pytest.raises(ValueError, match="missing"):
        anomaly.figure({k: v for k, v in s.items() if k != ("huber", 0.1)}, y)
    with pytest.raises(ValueError, match="scores"):
        anomaly.anomaly_threshold(loss="mse", rate=0.0, log10_t=0.0, scores={("mse", 0.0): -s[("mse", 0.0)]}, y=y)


def test_registered_data_show_the_pull_of_contamination():
    """Linear autoencoders: under MSE (PCA's loss) contamination costs precision, under Huber far less."""
    s, y = anomaly.linear_autoencoder_scores()
    ap = {k: sklearn_metrics.average_precision_score(y, v) for k, v in s.items()}
    assert ap[("mse", 0.2)] < ap[("mse", 0.0)] - 0.05
    assert ap[("huber", 0.2)] > ap[("mse", 0.2)] + 0.03
