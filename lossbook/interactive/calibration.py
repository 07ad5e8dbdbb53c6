r"""Calibration under label smoothing and temperature: a reliability diagram with two controls.

One figure (see :mod:`lossbook.interactive`), ``"temperature_calibration"``: the test-set
logits of classifiers trained with several amounts of label smoothing :math:`\alpha`, a
menu to pick one, and a slider for a temperature :math:`T` that divides its logits
before the softmax, :math:`\mathbf p = \operatorname{softmax}(\mathbf z / T)`.  It
draws

* the reliability diagram at the chosen :math:`(\alpha, T)`: the accuracy of each
  confidence bin against its mean confidence (the diagonal is perfect calibration), and
* the expected calibration error, the mean confidence and the accuracy against
  :math:`T` for the chosen :math:`\alpha`, with the current :math:`T` marked.

The temperature changes confidence and calibration but never the accuracy (dividing
every logit of an example by the same :math:`T > 0` keeps their order).  The metrics
are :func:`lossbook.metrics.calibration_table` and
:func:`lossbook.metrics.expected_calibration_error` (top-label confidence, equal-width
bins).

The registered figure shows softmax regression on scikit-learn's digits, fitted with
each :data:`ALPHAS` (:func:`digits_softmax_logits`, computed on first use); a chapter
shows its own model with :func:`figure`::

    interactive.show(calibration.figure({0.0: logits_ce, 0.1: logits_ls}, y_test))
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

from lossbook import metrics as _metrics
from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Rule, Slider

__all__ = ["ALPHAS", "TEMPERATURES", "T_CURVE", "N_BINS", "temperature_calibration",
           "digits_softmax_logits", "figure", "FIGURE"]

#: The amounts of label smoothing of the registered figure's models.
ALPHAS = (0.0, 0.03, 0.1, 0.3)
#: The temperatures of the static page: 2^(k/4) from 1/8 to 4 (evenly spaced in log T).
TEMPERATURES = tuple(round(2.0 ** (k / 4), 10) for k in range(-12, 9))
#: Where the curves against the temperature are evaluated.
T_CURVE = np.geomspace(TEMPERATURES[0], TEMPERATURES[-1], 41)
#: Confidence bins of the reliability diagram and of the ECE.
N_BINS = 10


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))      # shifted by the row maximum: no overflow
    return e / e.sum(axis=1, keepdims=True)


_CURVES: dict = {}


def _curves(z, y, n_bins):
    """ECE and mean confidence along :data:`T_CURVE` (they depend on the model, not on T).

    Cached by the bytes of the logits and labels, so that moving the temperature does not
    recompute them.
    """
    key = (hashlib.blake2b(z.tobytes() + y.tobytes(), digest_size=16).digest(), z.shape, n_bins)
    if key not in _CURVES:
        if len(_CURVES) > 64:
            _CURVES.clear()
        probs = [_softmax(z / t) for t in T_CURVE]
        _CURVES[key] = (np.array([_metrics.expected_calibration_error(y, q, n_bins) for q in probs]),
                        np.array([q.max(axis=1).mean() for q in probs]))
    return _CURVES[key]


@functools.lru_cache(maxsize=1)
def digits_softmax_logits(steps: int = 300, lr: float = 2.0):
    """Test logits of softmax regression on the digits, one model per amount of smoothing.

    Full-batch gradient descent from zero weights (``steps`` steps of size ``lr``) on the
    mean cross-entropy with label smoothing ``alpha``
    (:func:`lossbook.losses.cross_entropy`), on the training split of
    :func:`lossbook.data.digits_split` (pixels in [0, 1], a bias column added).

    Returns:
        ``({alpha: logits (N_test, 10)}, y_test)`` for every alpha of :data:`ALPHAS`.
    """
    from lossbook import data, losses

    d = data.digits_split(seed=0)
    X = np.hstack([d.X_train, np.ones((len(d.X_train), 1))]).astype(np.float64)
    X_test = np.hstack([d.X_test, np.ones((len(d.X_test), 1))]).astype(np.float64)
    logits = {}
    for alpha in ALPHAS:
        W = np.zeros((X.shape[1], 10))
        for _ in range(steps):
            W -= lr * X.T @ losses.cross_entropy.grad(d.y_train, X @ W, label_smoothing=alpha)
        logits[alpha] = X_test @ W
    return logits, d.y_test


def temperature_calibration(*, alpha, T, logits=None, y=None, n_bins=N_BINS):
    r"""Reliability diagram and calibration metrics of ``softmax(logits[alpha] / T)``.

    Args:
        alpha: which model: a key of ``logits`` (its amount of label smoothing).
        T: the temperature, > 0.
        logits: ``{alpha: (N, C) logits}`` of held-out examples (None: the digits models
            of :func:`digits_softmax_logits`).
        y: their integer labels ``(N,)`` (None with ``logits=None``).
        n_bins: equal-width confidence bins.

    Returns:
        The outputs the figure draws: ``bin_conf``, ``bin_acc`` (non-empty bins), the
        diagonal ``diag``, the curves ``T_curve``, ``ece_curve``, ``conf_curve``,
        ``acc_curve``, the current ``T_now``, ``ece_now``, ``conf_now``, the numbers
        ``accuracy``, ``confidence``, ``ece``, ``nll`` and a ``message``.

    Example:
        >>> out = temperature_calibration(alpha=0.1, T=0.5)
        >>> bool(out["confidence"] > temperature_calibration(alpha=0.1, T=1.0)["confidence"])
        True
    """
    if logits is None:
        logits, y = digits_softmax_logits()
    if T <= 0:
        raise ValueError(f"temperature_calibration: T must be > 0, got {T!r}")
    z = np.ascontiguousarray(logits[alpha], dtype=np.float64)
    y = np.ascontiguousarray(y)
    p = _softmax(z / T)
    table = _metrics.calibration_table(y, p, n_bins)
    full = table["count"] > 0
    ece = _metrics.expected_calibration_error(y, p, n_bins)
    acc = _metrics.accuracy(y, z)                       # the arg max: the same at every T
    conf = float(p.max(axis=1).mean())
    log_p = np.log(p[np.arange(len(y)), y])
    nll = float(-log_p.mean())
    ece_curve, conf_curve = _curves(z, y, n_bins)
    return {
        "bin_conf": table["confidence"][full], "bin_acc": table["accuracy"][full],
        "diag": np.array([0.0, 1.0]),
        "T_curve": T_CURVE, "ece_curve": ece_curve, "conf_curve": conf_curve,
        "acc_curve": np.full(len(T_CURVE), acc),
        "T_now": float(T), "ece_now": float(ece), "conf_now": conf,
        "accuracy": float(acc), "confidence": conf, "ece": float(ece), "nll": nll,
        "message": f"accuracy {acc:.3f}, confidence {conf:.3f}, ECE {ece:.3f}",
    }


def figure(logits=None, y=None, *, default_alpha=None, name="temperature_calibration") -> Figure:
    r"""The figure for ``logits`` (``{alpha: (N, C)}`` held-out logits) and labels ``y``.

    Without arguments: the registered figure, on :func:`digits_softmax_logits`.  The menu
    offers the keys of ``logits`` (starting at ``default_alpha``, else the smallest).
    """
    alphas = tuple(sorted(ALPHAS if logits is None else logits))
    start = alphas[0] if default_alpha is None else default_alpha
    labels = tuple("none (plain cross-entropy)" if a == 0 else f"alpha = {a:g}" for a in alphas)
    blue, vermillion, grey = OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["grey"]
    return Figure(
        name=name,
        compute=temperature_calibration,
        controls=[
            Menu(name="alpha", options=alphas, default=start, labels=labels, label="label smoothing"),
            Slider(name="T", values=TEMPERATURES, default=1.0, scale="log", label="temperature T",
                   live=(TEMPERATURES[0], TEMPERATURES[-1], 0.02), fmt=".2f"),
        ],
        panels=[
            Panel(title="Reliability diagram", xlabel="confidence (mean of the bin)",
                  ylabel="accuracy of the bin", xdomain=(0.0, 1.0), ydomain=(0.0, 1.0),
                  marks=[Line(x="diag", y="diag", color=grey, width=1.0, name="diagonal"),
                         Rule(x="bin_conf", y="bin_conf", x2="bin_conf", y2="bin_acc", color=vermillion,
                              name="gaps"),
                         Point(x="bin_conf", y="bin_acc", color=blue, name="bins")]),
            Panel(title="Against the temperature", subtitle="red: ECE, blue: confidence, grey: accuracy",
                  xlabel="temperature T", ylabel="value", xscale="log",
                  xdomain=(TEMPERATURES[0], TEMPERATURES[-1]), ydomain=(0.0, 1.0),
                  marks=[Line(x="T_curve", y="acc_curve", color=grey, name="accuracy"),
                         Line(x="T_curve", y="conf_curve", color=blue, name="confidence"),
                         Line(x="T_curve", y="ece_curve", color=vermillion, name="ece"),
                         Point(x="T_now", y="conf_now", color=blue, size=60),
                         Point(x="T_now", y="ece_now", color=vermillion, size=60, name="ece_now")]),
        ],
        message="message",
        fixed={"logits": logits, "y": y},
        alt=("A reliability diagram and the expected calibration error, mean confidence and accuracy "
             "against the temperature; a menu picks the amount of label smoothing, a slider the temperature."),
    )


FIGURE = register(figure())
