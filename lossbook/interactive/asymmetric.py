r"""An asymmetric loss for forecasts: LINEX with tangent tails, its pull, and the forecast it fits.

One figure (see :mod:`lossbook.interactive`), ``"asymmetric_loss"``.  With
:math:`u = y - \hat y` the amount by which the demand :math:`y` exceeds the forecast
:math:`\hat y` (:math:`u > 0`: the forecast fell short), the LINEX loss of asymmetry
:math:`a \ne 0` (per item of demand), scaled to curvature 1 at :math:`u = 0`, is

.. math::
    \ell_a(u) = \frac{e^{a u} - a u - 1}{a^2},

and its Huberized form continues it by its tangent lines beyond :math:`\pm\delta`:

.. math::
    \ell_{a,\delta}(u) = \ell_a(v) + \ell_a'(v)\,(u - v), \qquad v = \operatorname{clip}(u, -\delta, \delta),
    \qquad \psi(u) = \ell'_{a,\delta}(u) = \frac{e^{a v} - 1}{a} .

Its slopes far from zero are :math:`s_+ = (e^{a\delta} - 1)/a` (short) and
:math:`s_- = (1 - e^{-a\delta})/a` (over); their ratio is :math:`e^{a\delta}` and
:math:`s_+/(s_+ + s_-) = \sigma(a\delta)`, the level :math:`\tau` of the pinball loss
the tails match.  The figure draws, for the two sliders :math:`a` and :math:`\delta`,

* the loss against :math:`u`, divided by :math:`s_+ + s_-` (so that its tails are those
  of the pinball loss :math:`\rho_\tau`, drawn with it), and LINEX without tails;
* its derivative :math:`\psi / (s_+ + s_-)`, the pull of one example, next to the
  pinball loss's step and LINEX's exponential;
* a skewed sample of 1,000 days of demand (:func:`demand_sample`, with promotion
  days), and the constant forecasts that minimize the mean of each loss: the
  Huberized LINEX (the root of :math:`\sum_i \psi(y_i - c) = 0`, :func:`fitted_forecast`),
  LINEX without tails (:math:`\frac1a \log \frac1N\sum_i e^{a y_i}`, by log-sum-exp),
  the mean and the :math:`\tau`-quantile.

Importing this module imports NumPy and :mod:`lossbook` only.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Band, Figure, Line, Panel, Rule, Slider, grid

__all__ = ["A_VALUES", "DELTAS", "N_DAYS", "demand_sample", "linex_huber", "linex_huber_psi",
           "tail_slopes", "fitted_forecast", "linex_forecast", "asymmetric_loss", "FIGURE"]

#: The static page's asymmetries (per item of demand) and thresholds (items).
A_VALUES = grid(0.02, 0.2, 0.02)
DELTAS = (5.0, 10.0, 15.0, 20.0, 30.0, 40.0)
#: Days in the sample.
N_DAYS = 1000
_U = np.linspace(-50.0, 50.0, 201)             # the residual axis of the first two panels
_LOSS_TOP, _PULL_TOP = 50.0, 1.2               # the panels' upper limits (curves are cut there)
_EDGES = np.arange(0.0, 285.0, 5.0)            # histogram bins of 5 items


@functools.lru_cache(maxsize=1)
def demand_sample() -> np.ndarray:
    r"""1,000 days of demand (items): skewed everyday sales, and promotion days.

    Everyday demand is :math:`50 + 12\,(G - 3)/\sqrt 3` with :math:`G` a Gamma(3)
    variable (mean 50, standard deviation 12, skewness 1.15); on 2 % of the days a
    promotion adds between 100 and 200 items.  Seeded (0): the same sample every time.

    Example:
        >>> y = demand_sample()
        >>> y.shape, bool(40 < np.median(y) < 50), bool(y.max() > 150)
        ((1000,), True, True)
    """
    rng = np.random.default_rng(0)
    y = 50.0 + 12.0 * (rng.gamma(3.0, size=N_DAYS) - 3.0) / math.sqrt(3.0)
    promo = rng.uniform(size=N_DAYS) < 0.02
    return y + promo * rng.uniform(100.0, 200.0, size=N_DAYS)


def linex_huber(u, a: float, delta: float) -> np.ndarray:
    r"""The Huberized LINEX loss of each residual :math:`u = y - \hat y` (elementwise).

    :math:`\ell_a(v) + \ell_a'(v)(u - v)` with :math:`v` the residual clipped to
    :math:`[-\delta, \delta]`: the exponential never sees more than :math:`a\delta`, so
    nothing overflows.  ``a`` must not be 0 (the limit there is the Huber loss).

    Example:
        >>> float(linex_huber(np.array([0.0]), 0.1, 20.0)[0])
        0.0
    """
    u = np.asarray(u, dtype=np.float64)
    v = np.clip(u, -delta, delta)
    e = np.expm1(a * v)
    return (e - a * v) / a**2 + e / a * (u - v)


def linex_huber_psi(u, a: float, delta: float) -> np.ndarray:
    r"""The derivative :math:`\psi(u) = (e^{a v} - 1)/a` of :func:`linex_huber` in :math:`u`."""
    v = np.clip(np.asarray(u, dtype=np.float64), -delta, delta)
    return np.expm1(a * v) / a


def tail_slopes(a: float, delta: float):
    r"""The slopes :math:`(s_+, s_-)` of the tails: short of the demand, and over it.

    Example:
        >>> s_short, s_over = tail_slopes(0.1, 20.0)
        >>> round(s_short / s_over, 4) == round(math.exp(2.0), 4)
        True
    """
    return math.expm1(a * delta) / a, -math.expm1(-a * delta) / a


def fitted_forecast(y, a: float, delta: float, *, iterations: int = 80) -> float:
    r"""The constant :math:`c` that minimizes the mean Huberized LINEX loss of ``y - c``.

    The mean of :math:`\psi(y_i - c)` falls as :math:`c` grows, from positive below the
    smallest :math:`y_i` to negative above the largest, so bisection finds its root.
    """
    y = np.asarray(y, dtype=np.float64)
    lo, hi = float(y.min()), float(y.max())
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        if np.mean(linex_huber_psi(y - mid, a, delta)) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def linex_forecast(y, a: float) -> float:
    r"""The minimizer of the mean LINEX loss (no tails): :math:`\frac1a\log\frac1N\sum_i e^{a y_i}`.

    Computed by log-sum-exp, so that no :math:`e^{a y_i}` overflows.
    """
    t = a * np.asarray(y, dtype=np.float64)
    m = float(t.max())
    return (m + math.log(np.mean(np.exp(t - m)))) / a


def asymmetric_loss(*, a, delta) -> dict:
    r"""What the figure draws for one asymmetry ``a`` (per item) and threshold ``delta`` (items).

    Returns:
        ``u`` and the curves over it, divided by :math:`s_+ + s_-`: ``loss``,
        ``pinball``, ``pull``, ``pinball_pull``; LINEX without tails where it stays in
        the panel, ``u_linex``, ``linex``, ``u_linex_pull``, ``linex_pull``; the
        histogram ``hist_x``, ``hist_0``, ``hist_y``; the forecasts ``forecast``,
        ``linex_fit``, ``mean``, ``quantile`` (at ``tau``) with ``rule_0``,
        ``rule_top``; the numbers ``tau``, ``ratio``, ``under`` (the share of days
        above the forecast); a ``message``.

    Example:
        >>> out = asymmetric_loss(a=0.1, delta=20.0)
        >>> bool(out["mean"] < out["forecast"] < out["linex_fit"])
        True
    """
    a, delta = float(a), float(delta)
    s_short, s_over = tail_slopes(a, delta)
    scale = s_short + s_over
    tau = s_short / scale                                    # = sigmoid(a * delta)
    loss = linex_huber(_U, a, delta) / scale
    pull = linex_huber_psi(_U, a, delta) / scale
    pinball = np.maximum(tau * _U, (tau - 1.0) * _U)
    linex = np.expm1(np.minimum(a * _U, 700.0)) / a**2 / scale - _U / a / scale
    linex_pull = np.expm1(np.minimum(a * _U, 700.0)) / a / scale
    keep, keep_pull = linex <= _LOSS_TOP, linex_pull <= _PULL_TOP
    y = demand_sample()
    counts, _ = np.histogram(y, bins=_EDGES)
    density = counts / (y.size * np.diff(_EDGES))
    c = fitted_forecast(y, a, delta)
    c_linex = linex_forecast(y, a)
    q = float(np.quantile(y, tau))
    under = float(np.mean(y > c))
    return {
        "u": _U, "loss": loss, "pinball": pinball, "pull": pull,
        "pinball_pull": np.where(_U > 0, tau, tau - 1.0),
        "u_linex": _U[keep], "linex": linex[keep], "u_linex_pull": _U[keep_pull], "linex_pull": linex_pull[keep_pull],
        "hist_x": np.repeat(_EDGES, 2)[1:-1], "hist_0": np.zeros(2 * density.size),
        "hist_y": np.repeat(density, 2),
        "forecast": c, "linex_fit": c_linex, "mean": float(y.mean()), "quantile": q,
        "rule_0": 0.0, "rule_top": 0.044,
        "tau": tau, "ratio": s_short / s_over, "under": under,
        "message": (f"tail price {s_short / s_over:.3g}x (tau {tau:.2f}) | forecast {c:.1f}, short {under:.0%} "
                    f"of days | LINEX {c_linex:.0f} | mean {y.mean():.1f}"),
    }


def _figure() -> Figure:
    sky, purple, orange, grey, black = (OKABE_ITO[k] for k in ("sky", "purple", "orange", "grey", "black"))
    return Figure(
        name="asymmetric_loss",
        compute=asymmetric_loss,
        controls=[
            Slider(name="a", values=A_VALUES, default=0.1, live=(0.01, 0.25, 0.01), label="asymmetry a (per item)"),
            Slider(name="delta", values=DELTAS, default=20.0, live=(2.0, 50.0, 1.0), label="threshold delta (items)"),
        ],
        panels=[
            Panel(title="loss / (s+ + s-)", subtitle="blue: tangent tails, purple: LINEX, orange: pinball",
                  xlabel="u = y - y_hat (items; > 0: short)", ylabel="loss in units of the tail slopes",
                  xdomain=(-50.0, 50.0), ydomain=(-1.0, _LOSS_TOP), width=230,
                  marks=[Line(x="u", y="pinball", color=orange, width=1.5, name="pinball"),
                         Line(x="u_linex", y="linex", color=purple, width=1.5, name="linex"),
                         Line(x="u", y="loss", color=sky, width=2.5, name="loss")]),
            Panel(title="its derivative: the pull of one day", subtitle="between tau - 1 and tau",
                  xlabel="u = y - y_hat (items)", ylabel="pull / (s+ + s-)",
                  xdomain=(-50.0, 50.0), ydomain=(-1.05, _PULL_TOP), width=230,
                  marks=[Line(x="u", y="pinball_pull", color=orange, width=1.5, name="pinball_pull"),
                         Line(x="u_linex_pull", y="linex_pull", color=purple, width=1.5, name="linex_pull"),
                         Line(x="u", y="pull", color=sky, width=2.5, name="pull")]),
            Panel(title="the forecast it fits to 1,000 days",
                  subtitle="blue: this loss, purple: LINEX, black: mean, orange: tau-quantile",
                  xlabel="demand (items)", ylabel="share of days per item", xdomain=(0.0, 280.0),
                  ydomain=(0.0, 0.045), width=500, height=170,
                  marks=[Band(x="hist_x", y="hist_0", y2="hist_y", color=grey, opacity=0.35, name="histogram"),
                         Rule(x="mean", y="rule_0", x2="mean", y2="rule_top", color=black, width=1.0, name="mean"),
                         Rule(x="quantile", y="rule_0", x2="quantile", y2="rule_top", color=orange, width=1.5,
                              name="quantile"),
                         Rule(x="linex_fit", y="rule_0", x2="linex_fit", y2="rule_top", color=purple, width=1.5,
                              name="linex_fit"),
                         Rule(x="forecast", y="rule_0", x2="forecast", y2="rule_top", color=sky, width=2.5,
                              name="forecast")]),
        ],
        rows=((0, 1), (2,)),
        message="message",
        width=230, height=190, figsize=(10.0, 6.5),
        alt=("The Huberized LINEX loss and its derivative against the shortfall u = y - y_hat, divided by the sum "
             "of its tail slopes, next to the pinball loss with the same tails and LINEX without tails; below, a "
             "skewed sample of daily demand with the constant forecast each loss fits. Sliders set the asymmetry "
             "a and the threshold delta."),
    )


FIGURE = register(_figure())
