r"""Value at risk at a chosen level: one figure, a slider for the quantile level :math:`\tau`.

One figure (see :mod:`lossbook.interactive`), ``"value_at_risk"``.  Daily returns
:math:`r_t` from :func:`lossbook.data.returns` (a GARCH(1,1) with Student-t noise, in
per cent), split in time into training days and held-out days.  Two value-at-risk
models at level :math:`\tau` predict the :math:`\tau`-quantile of tomorrow's return
from past returns only:

* **quantile regression**: a linear model of the four past-only features of
  :func:`lossbook.data.returns` (standardized with the training days' statistics),
  fitted on the training days by minimizing the pinball loss at :math:`\tau`
  (:func:`lossbook.models.fit_linear` with the registered ``"quantile"`` loss);
* **Gaussian**: :math:`\Phi^{-1}(\tau)\,\hat\sigma_t`, with :math:`\hat\sigma_t` the
  root mean square of the last 20 returns (a rolling standard deviation about zero).

A day breaches a model when :math:`r_t < \mathrm{VaR}_t`; a correct model is breached on
a share :math:`\tau` of the days.  The figure draws

* a window of held-out days: the returns, both VaR lines at :math:`\tau` and the
  breaches of each;
* the breach rate over all held-out days against :math:`\tau` for both models, on
  log-log axes, with the diagonal (rate = :math:`\tau`) and the current level marked.

The message gives the counts and the p-values of Kupiec's proportion-of-failures
test (:func:`kupiec_pof`).  Fits are cached per level; the static page's levels
(:data:`TAUS`) are fitted together on first use.

Importing this module imports NumPy and :mod:`lossbook` only.
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist

import numpy as np

from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Panel, Point, Slider

__all__ = ["TAUS", "N_DAYS", "N_TRAIN", "WINDOW", "FIT_OPTIONS", "var_data", "quantile_fit", "kupiec_pof",
           "value_at_risk", "FIGURE"]

#: The levels of the static page: 0.01 * 5^(k/4), evenly spaced in log tau; 0.01 and 0.05 among them.
TAUS = tuple(round(0.01 * 5.0 ** (k / 4), 10) for k in range(-2, 9))
#: Days simulated, and how many of the first ones are training days (the rest are held out).
N_DAYS, N_TRAIN = 6000, 3500
#: The held-out days shown in the first panel (indices among the held-out days).
WINDOW = (0, 500)
#: fit_linear's settings for every level: Adam with a cosine decay on standardized features.
FIT_OPTIONS = {"steps": 500, "lr": 0.1}
_STEP = math.log10(5.0) / 4            # the static levels' spacing, in decades


@functools.lru_cache(maxsize=4)
def var_data(seed: int = 0):
    r"""Returns in per cent, standardized features and the Gaussian VaR's volatility.

    From :func:`lossbook.data.returns` ``(N_DAYS, seed=seed)``: ``r`` (all days, per
    cent), ``X`` (the four past-only features in per cent, standardized with the mean
    and standard deviation of the first :data:`N_TRAIN` days), ``vol20`` (the 20-day
    rolling root mean square, per cent) and ``n_train``.
    """
    from lossbook import data

    d = data.returns(N_DAYS, seed=seed)
    r, X = 100.0 * d.r, 100.0 * d.X                   # per cent: the features and r on one scale
    mean, std = X[:N_TRAIN].mean(axis=0), X[:N_TRAIN].std(axis=0)
    return {"r": r, "X": (X - mean) / std, "vol20": X[:, 2], "n_train": N_TRAIN}


def _key(tau: float) -> float:
    return float(f"{float(tau):.6g}")                 # a live slider's value and the grid's meet here


@functools.lru_cache(maxsize=128)
def _fit(tau: float, seed: int) -> np.ndarray:
    from lossbook import models

    v = var_data(seed)
    n = v["n_train"]
    return models.fit_linear("quantile", v["X"][:n], v["r"][:n], tau=tau, **FIT_OPTIONS).coef


def quantile_fit(tau: float, seed: int = 0) -> np.ndarray:
    r"""Coefficients ``(w_1, ..., w_4, b)`` of the linear :math:`\tau`-quantile model (cached).

    :func:`lossbook.models.fit_linear` of the ``"quantile"`` loss at ``tau`` on the
    training days of :func:`var_data`, with :data:`FIT_OPTIONS`.
    """
    if not 0 < tau < 1:
        raise ValueError(f"quantile_fit: tau must be in (0, 1), got {tau!r}")
    return _fit(_key(tau), seed)


def kupiec_pof(x: int, n: int, tau: float):
    r"""Kupiec's proportion-of-failures test: likelihood ratio and p-value.

    .. math::
        \mathrm{LR} = 2\Bigl[x \log\frac{\hat\pi}{\tau}
        + (n - x) \log\frac{1 - \hat\pi}{1 - \tau}\Bigr], \qquad \hat\pi = x / n,

    asymptotically :math:`\chi^2_1` when the breaches are Bernoulli(:math:`\tau`);
    the p-value is :math:`P(\chi^2_1 > \mathrm{LR}) = \operatorname{erfc}(\sqrt{\mathrm{LR}/2})`.

    Example:
        >>> lr, p = kupiec_pof(25, 2500, 0.01)
        >>> float(lr), float(p)
        (0.0, 1.0)

    References: Kupiec, P. H. (1995). Techniques for verifying the accuracy of risk
    measurement models. Journal of Derivatives 3(2).
    """
    if not (0 <= x <= n and n > 0 and 0 < tau < 1):
        raise ValueError(f"kupiec_pof: need 0 <= x <= n, n > 0 and 0 < tau < 1, got {x}, {n}, {tau}")
    pi = x / n
    lr = 0.0
    if x > 0:
        lr += x * math.log(pi / tau)
    if x < n:
        lr += (n - x) * math.log((1.0 - pi) / (1.0 - tau))
    lr = max(2.0 * lr, 0.0)
    return lr, math.erfc(math.sqrt(lr / 2.0))


def _var_lines(tau, seed):
    v = var_data(seed)
    n = v["n_train"]
    coef = quantile_fit(tau, seed)
    qr = v["X"][n:] @ coef[:-1] + coef[-1]
    gauss = NormalDist().inv_cdf(tau) * v["vol20"][n:]
    return v["r"][n:], qr, gauss


@functools.lru_cache(maxsize=4)
def _rates(seed):
    rates = np.array([[np.mean(r < line) for line in (qr, g)] for r, qr, g in (_var_lines(t, seed) for t in TAUS)])
    return rates[:, 0], rates[:, 1]


def value_at_risk(*, tau, seed=0):
    r"""The held-out returns with the two VaR lines at ``tau``, and the breach rates against the level.

    Args:
        tau: the level, in (0, 1) (e.g. 0.01 for the 1 % VaR).
        seed: the simulated path of :func:`var_data`.

    Returns:
        The outputs the figure draws: ``day``, ``r``, ``var_qr``, ``var_gauss`` over the
        :data:`WINDOW`; the breaches in it, ``breach_day_qr``, ``breach_r_qr``,
        ``breach_day_gauss``, ``breach_r_gauss``; the curves ``tau_grid``, ``rate_qr``,
        ``rate_gauss`` over :data:`TAUS` and ``diag``; ``tau_now``, ``rate_qr_now``,
        ``rate_gauss_now``; the numbers ``breaches_qr``, ``breaches_gauss``, ``n_test``,
        ``p_qr``, ``p_gauss`` (Kupiec's p-values); the axis ``r_domain``; a ``message``.

    Example:
        >>> out = value_at_risk(tau=0.01)
        >>> bool(out["rate_gauss_now"] > out["rate_qr_now"])        # the Gaussian tail is too thin
        True
    """
    r, qr, gauss = _var_lines(tau, seed)
    n_test = len(r)
    hit_qr, hit_g = r < qr, r < gauss
    x_qr, x_g = int(hit_qr.sum()), int(hit_g.sum())
    p_qr, p_g = kupiec_pof(x_qr, n_test, tau)[1], kupiec_pof(x_g, n_test, tau)[1]
    lo, hi = WINDOW
    day = np.arange(lo, hi, dtype=np.float64)
    w_qr, w_g = hit_qr[lo:hi], hit_g[lo:hi]
    rate_qr, rate_g = _rates(seed)
    big = float(np.abs(var_data(seed)["r"][N_TRAIN:][lo:hi]).max())
    fmt_p = lambda p: "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    return {
        "day": day, "r": r[lo:hi], "var_qr": qr[lo:hi], "var_gauss": gauss[lo:hi],
        "breach_day_qr": day[w_qr], "breach_r_qr": r[lo:hi][w_qr],
        "breach_day_gauss": day[w_g], "breach_r_gauss": r[lo:hi][w_g],
        "tau_grid": np.array(TAUS), "rate_qr": rate_qr, "rate_gauss": rate_g, "diag": np.array(TAUS),
        "tau_now": float(tau), "rate_qr_now": x_qr / n_test, "rate_gauss_now": x_g / n_test,
        "breaches_qr": x_qr, "breaches_gauss": x_g, "n_test": n_test, "p_qr": p_qr, "p_gauss": p_g,
        "r_domain": (-math.ceil(big), math.ceil(big)),
        "message": (f"tau = {tau:.3g}: {tau * n_test:.0f} breaches expected; quantile regression {x_qr} "
                    f"({fmt_p(p_qr)}), Gaussian {x_g} ({fmt_p(p_g)})"),
    }


def _figure() -> Figure:
    orange, purple, grey = (OKABE_ITO[c] for c in ("orange", "purple", "grey"))
    return Figure(
        name="value_at_risk",
        compute=value_at_risk,
        controls=[Slider(name="tau", values=TAUS, default=0.01, scale="log", label="level tau",
                         live=(TAUS[0], TAUS[-1], _STEP), fmt=".3g")],
        panels=[
            Panel(title="Held-out days", subtitle="orange: quantile regression, purple: Gaussian",
                  xlabel="held-out day", ylabel="return (%)", xdomain=(float(WINDOW[0]), float(WINDOW[1])),
                  ydomain="r_domain", width=290,
                  marks=[Line(x="day", y="r", color=grey, width=1.0, name="returns"),
                         Line(x="day", y="var_gauss", color=purple, width=1.5, name="var_gauss"),
                         Line(x="day", y="var_qr", color=orange, width=1.5, name="var_qr"),
                         Point(x="breach_day_gauss", y="breach_r_gauss", color=purple, size=40, shape="square",
                               filled=False, name="breaches_gauss"),
                         Point(x="breach_day_qr", y="breach_r_qr", color=orange, size=30, name="breaches_qr")]),
            Panel(title="Breach rate", subtitle="grey: the level itself (a correct model)",
                  xlabel="level tau", ylabel="share of held-out days breached", xscale="log", yscale="log",
                  xdomain=(TAUS[0], TAUS[-1]), ydomain=(0.002, 0.4), width=200,
                  marks=[Line(x="diag", y="diag", color=grey, width=1.0, name="diagonal"),
                         Line(x="tau_grid", y="rate_gauss", color=purple, points=True, name="rate_gauss"),
                         Line(x="tau_grid", y="rate_qr", color=orange, points=True, name="rate_qr"),
                         Point(x="tau_now", y="rate_gauss_now", color=purple, size=80, shape="square"),
                         Point(x="tau_now", y="rate_qr_now", color=orange, size=80, name="now")]),
        ],
        message="message",
        alt=("Daily returns over 500 held-out days with the value at risk of a quantile regression and of a "
             "Gaussian model at a level tau, breaches marked, and the share of held-out days breached against "
             "tau on log-log axes next to the diagonal; a slider sets tau."),
    )


FIGURE = register(_figure())
