r"""Anomaly scores and a decision threshold: one figure, two menus and a slider.

One figure (see :mod:`lossbook.interactive`), ``"anomaly_threshold"``: the anomaly
scores of held-out points under models trained with several losses on training sets
with several amounts of contamination (the share of anomalies among the training
points).  A menu picks the loss, another the contamination, and a slider the
threshold :math:`t` on a log scale: a point is flagged when its score is
:math:`\ge t`.  It draws

* the distribution of :math:`\log_{10}` of the scores of the normal points and of the
  anomalies (the share of each class per bin, so that the rare class stays visible),
  with the threshold; and
* precision, recall and false-positive rate of the rule against the threshold, with
  the current threshold marked (the metrics of :func:`lossbook.metrics.precision_recall_at_threshold`).

The scores may be in any positive unit (squared reconstruction errors, say), but every
model must use the same one for the slider to mean the same threshold throughout.
Scores outside :data:`LOG_RANGE` are counted in the first or last bin.

The registered figure shows linear autoencoders of rank :data:`RANK` fitted under each
loss to training sets of :func:`lossbook.data.with_anomalies`
(:func:`linear_autoencoder_scores`, computed on first use); a chapter shows its own
models with :func:`figure`::

    interactive.show(anomaly.figure({("mse", 0.1): scores_mse, ...}, y_test))
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

from lossbook import data as _data
from lossbook import losses as _losses
from lossbook import metrics as _metrics
from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Rule, Slider, grid

__all__ = ["LOSSES", "RATES", "HUBER_DELTA", "RANK", "LOG_RANGE", "THRESHOLDS", "linear_autoencoder_scores",
           "anomaly_threshold", "figure", "FIGURE"]

#: The training losses of the registered figure, and how the menu names them.
LOSSES = ("mse", "mae", "huber")
_LABELS = {"mse": "MSE", "mae": "MAE", "huber": "Huber", "pca": "PCA"}
#: The contamination of the registered figure's training sets.
RATES = (0.0, 0.05, 0.1, 0.2)
#: Huber's threshold delta, in units of a feature (the noise of with_anomalies is 0.05 per feature).
HUBER_DELTA = 0.1
#: The rank of the registered figure's linear autoencoders (the span of with_anomalies' manifold).
RANK = 8
#: The range of log10(score) drawn; the histogram's bins are 0.1 wide.
LOG_RANGE = (-2.0, 2.0)
#: The thresholds of the static page, as log10(t).
THRESHOLDS = grid(LOG_RANGE[0], LOG_RANGE[1], 0.2)
_EDGES = np.linspace(LOG_RANGE[0], LOG_RANGE[1], 41)
_T_CURVE = np.linspace(LOG_RANGE[0], LOG_RANGE[1], 81)
_HIST_MAX = 0.3


@functools.lru_cache(maxsize=1)
def linear_autoencoder_scores(steps: int = 300, lr: float = 0.01):
    r"""Held-out scores of linear autoencoders fitted under each loss: the registered figure's data.

    For each contamination ``rate`` of :data:`RATES`, a training set
    ``with_anomalies(1000, rate, seed=1 + i)``; for each loss of :data:`LOSSES`, the linear
    autoencoder :math:`\hat{\mathbf x} = (\mathbf x - \mathbf m) E D + \mathbf m` of rank
    :data:`RANK` (:math:`\mathbf m` the coordinate-wise median of the training set, held
    fixed), started from the training set's principal components and fitted by
    full-batch Adam (:class:`lossbook.optim.Adam`, ``steps`` steps of size ``lr``) on the
    mean loss over every feature of every point (:func:`lossbook.losses.mse`,
    :func:`~lossbook.losses.mae`, :func:`~lossbook.losses.huber` with
    :data:`HUBER_DELTA`), through the loss's own gradient.  The score of a point is its
    squared reconstruction error :math:`\lVert \hat{\mathbf x} - \mathbf x \rVert^2`.

    Returns:
        ``({(loss, rate): scores (2000,)}, y)``: the scores of ``with_anomalies(2000, 0.05,
        seed=1000)`` and its labels (1 = anomaly).
    """
    from lossbook import optim

    X_test, y_test, _ = _data.with_anomalies(2000, 0.05, seed=1000)
    hyper = {"huber": {"delta": HUBER_DELTA}}
    scores = {}
    for i, rate in enumerate(RATES):
        X, _, _ = _data.with_anomalies(1000, rate, seed=1 + i)
        m = np.median(X, axis=0)
        Xc = X - m
        V = np.linalg.svd(Xc - Xc.mean(axis=0), full_matrices=False)[2][:RANK]     # principal axes (RANK, d)
        for loss in LOSSES:
            fn = getattr(_losses, loss)
            E, D = V.T.copy(), V.copy()
            opt = optim.Adam(lr=lr)
            for _ in range(steps):
                H = Xc @ E
                G = fn.grad(X, H @ D + m, **hyper.get(loss, {}))        # dL / dx_hat, (N, d)
                E, D = opt.step([E, D], [Xc.T @ (G @ D.T), H.T @ G])
            R = (X_test - m) @ E @ D + m - X_test
            scores[(loss, rate)] = np.sum(R**2, axis=1)
    return scores, y_test


_CURVES: dict = {}


def _curves(s, y):
    """Histograms and the metrics along the threshold, cached by the bytes of the scores."""
    key = (hashlib.blake2b(s.tobytes() + y.tobytes(), digest_size=16).digest(), s.shape)
    if key not in _CURVES:
        if len(_CURVES) > 64:
            _CURVES.clear()
        log_s = np.clip(np.log10(np.maximum(s, 1e-300)), LOG_RANGE[0], LOG_RANGE[1] - 1e-9)
        pos, neg = np.sort(s[y]), np.sort(s[~y])
        t = 10.0 ** _T_CURVE
        tp = pos.size - np.searchsorted(pos, t, side="left")        # positives with s >= t
        fp = neg.size - np.searchsorted(neg, t, side="left")
        flagged = tp + fp
        precision = np.where(flagged > 0, tp / np.maximum(flagged, 1), 1.0)
        hits = y[np.argsort(-s, kind="stable")]                      # (eq-12-ap), scores without ties
        ap = float(np.sum(np.cumsum(hits) / np.arange(1, hits.size + 1) * hits) / hits.sum())

        def stairs(values):
            """The outline of the histogram: up from 0 at the first edge, along each bar, down at the last."""
            h = np.histogram(values, bins=_EDGES)[0] / max(values.size, 1)
            return np.minimum(np.concatenate([[0.0], np.repeat(h, 2), [0.0]]), _HIST_MAX)

        _CURVES[key] = {
            "x_hist": np.repeat(_EDGES, 2),
            "normal_hist": stairs(log_s[~y]), "anomaly_hist": stairs(log_s[y]),
            "t_curve": _T_CURVE, "precision_curve": precision, "recall_curve": tp / pos.size,
            "fpr_curve": fp / neg.size, "ap": ap,
        }
    return _CURVES[key]


def anomaly_threshold(*, loss, rate, log10_t, scores=None, y=None):
    r"""Score distributions and the metrics of the rule "anomaly when score >= 10**log10_t".

    Args:
        loss, rate: which model: the key ``(loss, rate)`` of ``scores``.
        log10_t: the threshold, as :math:`\log_{10} t`.
        scores: ``{(loss, rate): (N,) positive scores}`` of held-out points (None: the
            registered figure's, :func:`linear_autoencoder_scores`).
        y: their labels ``(N,)``, 1 = anomaly (None with ``scores=None``).

    Returns:
        The outputs the figure draws: the histograms' outlines ``x_hist``, ``normal_hist``,
        ``anomaly_hist``; the threshold ``rule_x``, ``rule_y``, ``rule_y2``;
        the curves ``t_curve``, ``precision_curve``, ``recall_curve``, ``fpr_curve``; the
        current ``t_now``, ``precision``, ``recall``, ``fpr``, ``flagged``, the average
        precision ``ap`` and a ``message``.

    Example:
        >>> out = anomaly_threshold(loss="huber", rate=0.1, log10_t=0.0)
        >>> bool(out["recall"] <= anomaly_threshold(loss="huber", rate=0.1, log10_t=-1.0)["recall"])
        True
    """
    if scores is None:
        scores, y = linear_autoencoder_scores()
    s = np.ascontiguousarray(scores[(loss, rate)], dtype=np.float64)
    y = np.asarray(y).astype(bool)
    if s.shape != y.shape or np.any(s < 0):
        raise ValueError(f"anomaly_threshold: scores must be >= 0 and match y {y.shape}, got {s.shape}")
    out = dict(_curves(s, y))
    t = 10.0 ** float(log10_t)
    precision, recall = _metrics.precision_recall_at_threshold(y, s, t)
    fpr = float(np.mean(s[~y] >= t))
    flagged = int(np.sum(s >= t))
    name = _LABELS.get(loss, str(loss))
    out.update({
        "rule_x": float(log10_t), "rule_y": 0.0, "rule_y2": _HIST_MAX, "t_now": float(log10_t),
        "precision": precision, "recall": recall, "fpr": fpr, "flagged": flagged,
        "message": (f"{name}, {rate:.0%}: t = {t:.3g}, precision {precision:.2f}, recall {recall:.2f}, "
                    f"FPR {fpr:.3f}, AP {out['ap']:.3f}"),
    })
    return out


def figure(scores=None, y=None, *, default_loss=None, default_rate=None, default_log10_t=-0.6,
           name="anomaly_threshold") -> Figure:
    r"""The figure for ``scores`` (``{(loss, rate): (N,) scores}`` of held-out points) and labels ``y``.

    Without arguments: the registered figure, on :func:`linear_autoencoder_scores`.  The
    menus offer the losses and the rates of the keys (every combination must be there),
    starting at ``default_loss`` and ``default_rate`` (else the first of each).
    """
    keys = () if scores is None else tuple(scores)
    loss_options = LOSSES if scores is None else tuple(dict.fromkeys(k[0] for k in keys))
    rate_options = RATES if scores is None else tuple(sorted(dict.fromkeys(k[1] for k in keys)))
    if scores is not None:
        missing = [(a, r) for a in loss_options for r in rate_options if (a, r) not in scores]
        if missing:
            raise ValueError(f"anomaly.figure: scores must hold every (loss, rate) pair; missing {missing}")
    grey, vermillion, blue, black = (OKABE_ITO[c] for c in ("grey", "vermillion", "blue", "black"))
    return Figure(
        name=name,
        compute=anomaly_threshold,
        controls=[
            Menu(name="loss", options=loss_options, default=default_loss or loss_options[0],
                 labels=tuple(_LABELS.get(a, str(a)) for a in loss_options), label="training loss"),
            Menu(name="rate", options=rate_options,
                 default=rate_options[0] if default_rate is None else default_rate,
                 labels=tuple(f"{r:.0%}" for r in rate_options), label="anomalies in the training set"),
            Slider(name="log10_t", values=THRESHOLDS, default=default_log10_t, label="threshold log10 t",
                   live=(LOG_RANGE[0], LOG_RANGE[1], 0.02), fmt=".2f"),
        ],
        panels=[
            Panel(title="Scores of held-out points", subtitle="normal (grey), anomalies (vermillion), threshold",
                  xlabel="log10 score", ylabel="share of the class per bin", xdomain=LOG_RANGE,
                  ydomain=(0.0, _HIST_MAX),
                  marks=[Line(x="x_hist", y="normal_hist", color=grey, name="normal"),
                         Line(x="x_hist", y="anomaly_hist", color=vermillion, name="anomalies"),
                         Rule(x="rule_x", y="rule_y", x2="rule_x", y2="rule_y2", color=black, name="threshold")]),
            Panel(title="Against the threshold", subtitle="blue: precision, vermillion: recall, "
                  "grey: false-positive rate", xlabel="threshold log10 t", ylabel="value",
                  xdomain=LOG_RANGE, ydomain=(0.0, 1.0),
                  marks=[Line(x="t_curve", y="fpr_curve", color=grey, name="fpr"),
                         Line(x="t_curve", y="precision_curve", color=blue, name="precision"),
                         Line(x="t_curve", y="recall_curve", color=vermillion, name="recall"),
                         Point(x="t_now", y="precision", color=blue, size=60, name="precision_now"),
                         Point(x="t_now", y="recall", color=vermillion, size=60, name="recall_now"),
                         Point(x="t_now", y="fpr", color=grey, size=60, name="fpr_now")]),
        ],
        message="message",
        fixed={"scores": scores, "y": y},
        alt=("The distribution of the anomaly scores of normal points and of anomalies on a log scale with a "
             "threshold, and precision, recall and false-positive rate against the threshold; menus pick the "
             "training loss and the share of anomalies in the training set, a slider moves the threshold."),
    )


#: The registered figure, on :func:`linear_autoencoder_scores` (fitted on its first call, not at import).
FIGURE = register(figure())
