r"""Heavy tails: which regression loss wins depends on what the result is judged by.

One figure (see :mod:`lossbook.interactive`), ``"heavy_tails"``.  The points lie around
the line :math:`y = 1 + 2x` (:math:`x` uniform on :math:`[-2, 2]`) with standard normal
noise; a share :math:`s` of them carry an extra large value of one of two kinds:

* ``"symmetric"``: the noise of those points is replaced by :math:`\mathcal N(0, 10^2)`,
  gross errors in either direction (a sensor fault, a typing error).  The mean and the
  median of :math:`y` given :math:`x` are both still on the line.
* ``"one_sided"``: those points get an extra :math:`+\mathrm{Exp}(\text{mean } 10)`,
  large values that are real (a large insurance claim, a viral post).  The mean of
  :math:`y` given :math:`x` moves up by :math:`10 s`, the median by much less.

Three losses (a checkbox each) fit a line to :data:`N_TRAIN` points by
:func:`lossbook.models.fit_linear`: ``mse`` and ``huber`` (:math:`\delta` =
:data:`DELTA`, 1.345 times the standard deviation of the bulk of the noise) by L-BFGS,
``mae`` (kinked) by :data:`MAE_STEPS` steps of Adam with a decaying step.  Each line is judged on
:data:`N_TEST` fresh points by the root mean squared error (whose best prediction is
the mean), the mean absolute error (the median) or the median absolute error (the
centre of the shortest interval holding half the points).  Left panel: the training
points, the true conditional mean and median lines, and the fitted lines.  Right
panel: for each loss, its test error averaged over the :data:`SEEDS` training sets, in
per cent above the best of the three, against the share; a rule marks the share shown.

Importing this module imports NumPy and lossbook's NumPy modules only (the fits import
SciPy when they run).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from lossbook import models as _models
from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Rule, Series, Slider, grid

__all__ = ["LOSSES", "LABELS", "OUTLIERS", "METRICS", "SHARES", "SEEDS", "MAE_STEPS", "N_TRAIN", "N_TEST",
           "DELTA", "INTERCEPT", "SLOPE", "SCALE", "tail_data", "true_intercepts", "fit_lines",
           "held_out_errors", "judge_line", "error_curves", "heavy_tails", "FIGURE"]

#: The three losses, by their registered names.
LOSSES = ("mse", "huber", "mae")
#: What the reader sees for each.
LABELS = {"mse": "MSE", "huber": "Huber (delta 1.345)", "mae": "MAE"}
#: The two kinds of extreme values.
OUTLIERS = ("symmetric", "one_sided")
#: The three ways of judging a line on the test points.
METRICS = ("rmse", "mae", "medae")
_METRIC_LABELS = {"rmse": "RMSE", "mae": "MAE", "medae": "median abs. error"}
#: The shares of extreme values on the static page's slider and in the right panel.
SHARES = grid(0.0, 0.3, 0.05)
#: The training sets each point of the right panel averages over.
SEEDS = tuple(range(4))
#: Training and test points.
N_TRAIN, N_TEST = 300, 10_000
#: Adam's steps for the kinked MAE (its mean loss then within about 1e-4 of the exact minimum).
MAE_STEPS = 150
#: Huber's threshold: 1.345 times the standard deviation (1) of the bulk of the noise.
DELTA = 1.345
#: The line, and the size of the extreme values (their standard deviation, or their mean).
INTERCEPT, SLOPE, SCALE = 1.0, 2.0, 10.0
_X_LINE = np.array([-2.0, 2.0])
#: Round tops for the right panel's axis (per cent).
_AXIS_TOPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, math.inf)


def _check(outliers, share):
    if outliers not in OUTLIERS:
        raise ValueError(f"heavy_tails: outliers must be one of {', '.join(OUTLIERS)}, got {outliers!r}")
    if not 0.0 <= float(share) < 1.0:
        raise ValueError(f"heavy_tails: share must be in [0, 1), got {share!r}")


def tail_data(n: int, share: float, outliers: str, seed: int):
    r"""``n`` points :math:`(x, y)` around the line, a ``share`` of them with extreme values.

    Each point is extreme with probability ``share``, independently; the draws come from
    ``np.random.default_rng(seed)`` in a fixed order, so that the same seed gives the same
    :math:`x` and bulk noise for every share and kind.

    Returns:
        ``(x, y, extreme)``: arrays ``(n,)``; ``extreme`` is boolean.

    Example:
        >>> x, y, extreme = tail_data(5, 0.0, "one_sided", seed=0)
        >>> x.shape, bool(extreme.any())
        ((5,), False)
    """
    _check(outliers, share)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, n)
    noise = rng.standard_normal(n)
    extreme = rng.random(n) < share
    big = rng.standard_normal(n) * SCALE if outliers == "symmetric" else noise + rng.exponential(SCALE, n)
    return x, INTERCEPT + SLOPE * x + np.where(extreme, big, noise), extreme


def _cdf(c: float, share: float, outliers: str) -> float:
    """P(y - line <= c): the noise's distribution function (a two-part mixture)."""
    phi = 0.5 * math.erfc(-c / math.sqrt(2.0))
    if outliers == "symmetric":
        tail = 0.5 * math.erfc(-c / (SCALE * math.sqrt(2.0)))
    else:   # normal plus exponential of rate 1/SCALE: an exponentially modified Gaussian
        lam = 1.0 / SCALE
        tail = phi - math.exp(-lam * c + 0.5 * lam * lam) * 0.5 * math.erfc(-(c - lam) / math.sqrt(2.0))
    return (1.0 - share) * phi + share * tail


@functools.lru_cache(maxsize=None)
def true_intercepts(share: float, outliers: str) -> tuple[float, float]:
    r"""The intercepts of the true conditional mean and median lines (both have slope 2).

    Example:
        >>> mean, median = true_intercepts(0.1, "one_sided")
        >>> round(mean, 6), bool(1.0 < median < mean)
        (2.0, True)
    """
    _check(outliers, share)
    mean = INTERCEPT + (share * SCALE if outliers == "one_sided" else 0.0)
    lo, hi = -5.0, 5.0 + SCALE
    for _ in range(80):                      # bisection for the median of the noise
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _cdf(mid, share, outliers) < 0.5 else (lo, mid)
    return mean, INTERCEPT + 0.5 * (lo + hi)


@functools.lru_cache(maxsize=None)
def fit_lines(share: float, outliers: str, seed: int) -> dict:
    r"""The line each loss of :data:`LOSSES` fits to the training set ``seed``: ``{loss: (w, b)}``.

    Example:
        >>> lines = fit_lines(0.0, "symmetric", 0)
        >>> all(abs(w - 2.0) < 0.3 for w, b in lines.values())
        True
    """
    x, y, _ = tail_data(N_TRAIN, share, outliers, seed)
    out = {}
    for loss in LOSSES:
        if loss == "mae":
            fit = _models.fit_linear("mae", x, y, steps=MAE_STEPS)     # Adam, cosine-decaying step
        else:
            fit = _models.fit_linear(loss, x, y, solver="lbfgs", **({"delta": DELTA} if loss == "huber" else {}))
        out[loss] = (float(fit.coef[0]), float(fit.coef[1]))
    return out


@functools.lru_cache(maxsize=None)
def held_out_errors(share: float, outliers: str, seed: int) -> dict:
    r"""Each loss's line judged on :data:`N_TEST` fresh points: ``{loss: {metric: value}}``.

    The test points are :func:`tail_data` with seed ``10_000 + seed``.

    Example:
        >>> err = held_out_errors(0.0, "symmetric", 0)
        >>> sorted(err["mse"])
        ['mae', 'medae', 'rmse']
    """
    lines = fit_lines(share, outliers, seed)
    return {loss: judge_line(share, outliers, seed, w, b) for loss, (w, b) in lines.items()}


def judge_line(share: float, outliers: str, seed: int, w: float, b: float) -> dict:
    r"""The line :math:`\hat y = wx + b` judged on the test points of training set ``seed``.

    Returns:
        ``{"rmse": ..., "mae": ..., "medae": ...}``: the root mean squared error, the mean
        absolute error and the median absolute error on the :data:`N_TEST` points
        :func:`tail_data` draws with seed ``10_000 + seed``.

    Example:
        >>> err = judge_line(0.0, "symmetric", 0, SLOPE, INTERCEPT)      # the true line
        >>> bool(0.95 < err["rmse"] < 1.05)                               # the noise's size
        True
    """
    x, y, _ = _test_points(share, outliers, seed)
    a = np.abs(y - (w * x + b))
    return {"rmse": float(np.sqrt(np.mean(a * a))), "mae": float(np.mean(a)), "medae": float(np.median(a))}


@functools.lru_cache(maxsize=64)
def _test_points(share, outliers, seed):
    return tail_data(N_TEST, share, outliers, 10_000 + seed)


@functools.lru_cache(maxsize=None)
def error_curves(outliers: str, metric: str) -> dict:
    r"""Each loss's test error along :data:`SHARES`, averaged over :data:`SEEDS`.

    Returns:
        ``{loss: array (len(SHARES),)}`` of the mean test error, and under ``"excess"``
        ``{loss: array}`` of the per cent above the best of the three at each share.
    """
    if metric not in METRICS:
        raise ValueError(f"heavy_tails: metric must be one of {', '.join(METRICS)}, got {metric!r}")
    mean = {loss: np.array([np.mean([held_out_errors(s, outliers, seed)[loss][metric] for seed in SEEDS])
                            for s in SHARES]) for loss in LOSSES}
    best = np.min(np.stack(list(mean.values())), axis=0)
    return {**mean, "excess": {loss: 100.0 * (v / best - 1.0) for loss, v in mean.items()}}


def heavy_tails(*, outliers: str, share: float, metric: str, loss: str, seed: int = 0) -> dict:
    r"""What the figure draws for one loss, kind of extreme value, share and metric.

    Returns:
        ``x``, ``y`` (the training points of ``seed``), ``xl``, ``fit``, ``mean_line``,
        ``median_line`` (along :math:`x = -2, 2`), ``shares`` and ``curve`` (per cent
        above the best of the three losses, averaged over :data:`SEEDS`), the rule
        ``share``, ``y0``, ``y1``, the panel's ``ylim``, ``coef`` and a ``message``.

    Example:
        >>> out = heavy_tails(outliers="one_sided", share=0.1, metric="rmse", loss="mse")
        >>> bool(out["curve"][2] < 1.0)                    # MSE: (nearly) the best by RMSE
        True
    """
    if loss not in LOSSES:
        raise ValueError(f"heavy_tails: loss must be one of {', '.join(LOSSES)}, got {loss!r}")
    _check(outliers, share)
    share = round(float(share), 9)
    x, y, _ = tail_data(N_TRAIN, share, outliers, seed)
    w, b = fit_lines(share, outliers, seed)[loss]
    mean, median = true_intercepts(share, outliers)
    curves = error_curves(outliers, metric)
    largest = 1.1 * max(float(np.max(v)) for v in curves["excess"].values())
    top = next(t for t in _AXIS_TOPS if t >= largest)
    err = held_out_errors(share, outliers, seed)[loss][metric]
    return {
        "x": x, "y": y, "xl": _X_LINE, "fit": w * _X_LINE + b,
        "mean_line": mean + SLOPE * _X_LINE, "median_line": median + SLOPE * _X_LINE,
        "shares": np.array(SHARES), "curve": curves["excess"][loss],
        "share": share, "y0": 0.0, "y1": top, "ylim": (0.0, top), "coef": (w, b),
        "message": f"{LABELS[loss]}: y = {w:.2f} x + {b:.2f}; test {_METRIC_LABELS[metric]} {err:.2f}",
    }


def _figure() -> Figure:
    black, grey = OKABE_ITO["black"], OKABE_ITO["grey"]
    return Figure(
        name="heavy_tails",
        compute=heavy_tails,
        controls=[
            Menu(name="outliers", options=OUTLIERS, default="one_sided", label="extreme values",
                 labels=("symmetric errors", "one-sided, real")),
            Slider(name="share", values=SHARES, default=0.1, live=(0.0, 0.3, 0.01), label="their share",
                   fmt=".2f"),
            Menu(name="metric", options=METRICS, default="rmse", label="judged by",
                 labels=tuple(_METRIC_LABELS[m] for m in METRICS)),
        ],
        series=Series(name="loss", options=LOSSES, default=LOSSES, labels=tuple(LABELS[k] for k in LOSSES),
                      label="loss"),
        panels=[
            Panel(title="The fitted lines", subtitle="black: true mean, grey: true median",
                  xlabel="x", ylabel="y", xdomain=(-2.0, 2.0), ydomain=(-6.0, 16.0),
                  marks=[Point(x="x", y="y", shared=True, color=grey, size=14, opacity=0.7, name="points"),
                         Line(x="xl", y="median_line", shared=True, color=grey, width=1.5, name="median"),
                         Line(x="xl", y="mean_line", shared=True, color=black, width=1.5, name="mean"),
                         Line(x="xl", y="fit", name="fit")]),
            Panel(title="Which loss wins", subtitle=f"test error, mean of {len(SEEDS)} training sets",
                  xlabel="share of extreme values", ylabel="% above the best loss",
                  xdomain=(0.0, 0.3), ydomain="ylim",
                  marks=[Rule(x="share", y="y0", x2="share", y2="y1", shared=True, color=grey, width=1.5,
                              name="now"),
                         Line(x="shares", y="curve", points=True, name="curve")]),
        ],
        message="message",
        width=240, height=210, figsize=(10.0, 3.8),
        alt=(f"Left: {N_TRAIN} points around a line, some with extreme values, and the lines that MSE, Huber and "
             "MAE fit to them, with the true mean and median lines. Right: each loss's test error in per "
             "cent above the best of the three, against the share of extreme values. Menus pick symmetric "
             "or one-sided extreme values and the error measure; a slider sets their share."),
    )


FIGURE = register(_figure())
