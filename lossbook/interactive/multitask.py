r"""Balancing two losses: the trade-off of a two-task network, and where each weighting lands.

One figure (see :mod:`lossbook.interactive`), ``"task_weighting"``, on a two-task problem
whose best trade-off is known exactly.  Inputs :math:`\mathbf x \sim \mathcal N(0, I_D)`;

* a **regression** target :math:`y_1 = s\,(\mathbf d_1^\top \mathbf x + \varepsilon_1)`,
  :math:`\varepsilon_1 \sim \mathcal N(0, 0.5^2)` (:data:`NOISE_REG`), where the scale
  :math:`s` is the target's unit: :data:`METRES` in metres, ten times that in decimetres;
* a **classification** target :math:`y_2 = [\mathbf d_2^\top \mathbf x + \varepsilon_2 > 0]`,
  :math:`\varepsilon_2 \sim \mathcal N(0, 0.5^2)` (:data:`NOISE_CLS`);

with unit directions :math:`\mathbf d_1, \mathbf d_2` at an angle :math:`\gamma`
(:data:`ANGLE`).  The network has a shared trunk of **one** linear unit,
:math:`a = \mathbf u^\top \mathbf x + b_0`, a regression head :math:`\hat y = v_1 a + b_1`
(squared error) and a classification head :math:`z = v_2 a + b_2` (binary cross-entropy
of the logit :math:`z`).  The trunk must choose one direction.  With the trunk at an angle
:math:`\varphi` from :math:`\mathbf d_1` towards :math:`\mathbf d_2` and the best heads for
that direction, the expected losses on fresh data are (:func:`front`; :func:`trunk_losses` for any trunk direction)

.. math::
    L_1(\varphi) = s^2\,(0.5^2 + \sin^2\varphi), \qquad
    L_2(\varphi) = \min_{v} \mathbb E\bigl[\mathrm{BCE}(y_2, \sigma(v a))\bigr],

the second by Gauss-Hermite quadrature over :math:`a` (standardized) and Newton's method in :math:`v`
(:math:`P(y_2 = 1 \mid a) = \Phi(\psi a)` with
:math:`\psi = \cos(\gamma - \varphi)/\sqrt{\sin^2(\gamma - \varphi) + 0.5^2}`), and the
error rate of the classifier :math:`\operatorname{sign}(a)` is
:math:`\arccos\bigl(\cos(\gamma - \varphi)/\sqrt{1 + 0.5^2}\bigr)/\pi`.  As
:math:`\varphi` runs from 0 to :math:`\gamma` these trace the **front**: every point of it
is Pareto-optimal.

Where a weighting scheme lands on the front (all computed from the front alone):

* a fixed weighted sum :math:`\omega_1 L_1 + \omega_2 L_2` at the minimum over the front
  (:func:`weighted_sum_point`); it depends on the unit of :math:`y_1` through :math:`s^2`;
* uncertainty weighting at the minimum of :math:`L_1 L_2` (:func:`uncertainty_point`),
  whatever the unit;
* GradNorm (:math:`\alpha > 0`, heads starting at zero) where both losses have fallen by
  the same factor from their initial values :math:`s^2(1 + 0.5^2)` and :math:`\log 2`
  (:func:`gradnorm_point`), whatever the unit.

Importing this module imports NumPy and :mod:`lossbook` only.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Rule, Slider, log_grid

__all__ = ["ANGLE", "ANGLES", "NOISE_REG", "NOISE_CLS", "METRES", "UNITS", "RATIOS", "trunk_losses", "front",
           "weighted_sum_point", "uncertainty_point", "gradnorm_point", "task_weighting", "FIGURE"]

#: The angle between the two tasks' directions, in degrees (the chapter's problem).
ANGLE = 60.0
#: The angles of the figure's menu: related tasks, and unrelated (orthogonal) tasks.
ANGLES = (60.0, 90.0)
#: Standard deviation of the regression noise, in units of :math:`\mathbf d_1^\top \mathbf x`.
NOISE_REG = 0.5
#: Standard deviation of the noise added to :math:`\mathbf d_2^\top \mathbf x` before thresholding.
NOISE_CLS = 0.5
#: The scale :math:`s` of the regression target in metres.
METRES = 0.2
#: Units of the regression target: how many of them make a metre.
UNITS = {"m": 1.0, "dm": 10.0, "cm": 100.0}
#: The static page's values of the weight ratio :math:`\omega_2 / \omega_1`: four per decade.
RATIOS = log_grid(1e-3, 1e3, 4)

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(81)      # weight exp(-a^2 / 2)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()                             # expectations over a ~ N(0, 1)
_PHI_NORMAL = np.frompyfunc(lambda t: 0.5 * math.erfc(-t / math.sqrt(2.0)), 1, 1)


def _best_logistic(psi: np.ndarray, iters: int = 25):
    """min over v of E[BCE] when P(y = 1 | a) = Phi(psi a), a ~ N(0, 1): (loss, v) per psi."""
    a = _NODES[None, :]
    p = _PHI_NORMAL(psi[:, None] * a).astype(np.float64)
    v = 1.7 * psi[:, None]                           # the probit slope in logit units: a close start
    for _ in range(iters):                             # Newton's method on a convex function of v
        q = 0.5 * (1.0 + np.tanh(0.5 * v * a))         # sigmoid(v a), overflow-free
        grad = ((q - p) * a) @ _WEIGHTS
        curv = (q * (1.0 - q) * a**2) @ _WEIGHTS
        v = v - (grad / curv)[:, None]
    z = v * a
    loss = (np.logaddexp(0.0, z) - p * z) @ _WEIGHTS   # BCE of the logit z, stable for any z
    return loss, v[:, 0]


def trunk_losses(c1, c2, *, noise_reg: float = NOISE_REG, noise_cls: float = NOISE_CLS) -> dict:
    r"""Expected losses of the best heads on a one-unit trunk, from its correlations with the tasks.

    A trunk :math:`a = \mathbf u^\top \mathbf x` with :math:`\lVert\mathbf u\rVert = 1` has
    correlation :math:`c_1 = \mathbf u^\top \mathbf d_1` with :math:`\mathbf d_1^\top\mathbf x`
    and :math:`c_2 = \mathbf u^\top \mathbf d_2` with :math:`\mathbf d_2^\top\mathbf x`
    (a direction outside the plane of the two has :math:`c_1^2 + c_2^2` smaller than one in
    the plane).  The best regression head leaves :math:`1 + \text{noise}^2 - c_1^2` (in units
    of :math:`s^2`); the labels follow :math:`P(y_2 = 1 \mid a) = \Phi(\psi a)` with
    :math:`\psi = |c_2| / \sqrt{1 - c_2^2 + \text{noise}^2}`, and the best logistic head
    :math:`z = v a` is found by Newton's method on a Gauss-Hermite quadrature.

    Args:
        c1, c2: the correlations, numbers or arrays of the same shape (signs do not matter:
            a head can flip the sign of :math:`a`).
        noise_reg, noise_cls: the noise standard deviations of the two targets.

    Returns:
        A dict of arrays shaped like ``c1``: ``mse`` (units of :math:`s^2`), ``ce`` (nats),
        ``error`` (the error rate of :math:`\operatorname{sign}(v a)`) and ``v``.

    Example:
        >>> out = trunk_losses(1.0, 0.5)                     # the trunk on d_1, 60 degrees from d_2
        >>> float(out["mse"]), round(float(out["ce"]), 4), round(float(out["error"]), 4)
        (0.25, 0.625, 0.3524)
    """
    c1 = np.abs(np.asarray(c1, dtype=np.float64))
    c2 = np.abs(np.asarray(c2, dtype=np.float64))
    if c1.shape != c2.shape:
        raise ValueError(f"trunk_losses: c1 and c2 must have the same shape, got {c1.shape} and {c2.shape}")
    if np.any(c1 > 1 + 1e-12) or np.any(c2 > 1 + 1e-12):
        raise ValueError("trunk_losses: correlations must lie in [-1, 1]")
    c1, c2 = np.minimum(c1, 1.0), np.minimum(c2, 1.0)
    psi = c2 / np.sqrt(1.0 - c2**2 + noise_cls**2)
    ce, v = _best_logistic(psi.ravel())
    return {"mse": 1.0 + noise_reg**2 - c1**2, "ce": ce.reshape(c1.shape),
            "error": np.arccos(c2 / math.sqrt(1.0 + noise_cls**2)) / math.pi, "v": v.reshape(c1.shape)}


@functools.lru_cache(maxsize=16)
def _front(angle: float, noise_reg: float, noise_cls: float, n: int):
    gamma = math.radians(angle)
    phi = np.linspace(0.0, gamma, n)
    out = trunk_losses(np.cos(phi), np.cos(gamma - phi), noise_reg=noise_reg, noise_cls=noise_cls)
    out = {"phi": np.degrees(phi), **out}
    for a in out.values():
        a.setflags(write=False)
    return out


def front(angle: float = ANGLE, *, noise_reg: float = NOISE_REG, noise_cls: float = NOISE_CLS,
          n: int = 241) -> dict:
    r"""The best trade-off of the one-unit trunk: the expected losses along the trunk's angle.

    Args:
        angle: the angle :math:`\gamma` between the tasks' directions, in degrees (0 to 90).
        noise_reg, noise_cls: the noise standard deviations of the two targets.
        n: the number of trunk angles, evenly spaced from 0 to ``angle``.

    Returns:
        A dict of read-only arrays of shape ``(n,)``: ``phi`` (the trunk's angle from
        :math:`\mathbf d_1`, degrees), ``mse`` (the expected squared error of the best
        regression head, in units of :math:`s^2`), ``ce`` (the expected binary
        cross-entropy of the best logistic head, nats), ``error`` (its error rate) and
        ``v`` (that head's slope on the standardized trunk output :math:`a`).

    Example:
        >>> f = front(60.0)
        >>> float(f["mse"][0]), round(float(f["error"][-1]), 4)     # the two specialists
        (0.25, 0.1476)
        >>> bool(np.all(np.diff(f["mse"]) > 0) and np.all(np.diff(f["ce"]) < 0))   # a trade-off
        True
    """
    if not 0.0 < angle <= 90.0:
        raise ValueError(f"front: angle must be in (0, 90] degrees, got {angle!r}")
    if not (noise_reg > 0 and noise_cls > 0):
        raise ValueError(f"front: the noise levels must be > 0, got {noise_reg!r}, {noise_cls!r}")
    if not (isinstance(n, (int, np.integer)) and n >= 2):
        raise ValueError(f"front: n must be an integer >= 2, got {n!r}")
    return _front(float(angle), float(noise_reg), float(noise_cls), int(n))


def weighted_sum_point(f: dict, w_reg: float, w_cls: float, scale: float = METRES) -> int:
    r"""The index of the front's point that minimizes :math:`\omega_1 s^2 L_1 + \omega_2 L_2`.

    ``f`` is a :func:`front`; ``scale`` is :math:`s`, the regression target's unit factor
    (``METRES * UNITS[unit]``).  On a convex front every point has a weight that picks it;
    where the front is concave none does (the weighted sum jumps over that stretch).

    Example:
        >>> f = front(60.0)
        >>> i_m, i_dm = weighted_sum_point(f, 1, 1, METRES), weighted_sum_point(f, 1, 1, 10 * METRES)
        >>> bool(f["phi"][i_m] > 55 and f["phi"][i_dm] < 5)     # the same weights, opposite ends
        True
    """
    return int(np.argmin(w_reg * scale**2 * f["mse"] + w_cls * f["ce"]))


def uncertainty_point(f: dict) -> int:
    r"""The index of the front's point that minimizes :math:`L_1 L_2`: where uncertainty weighting settles.

    At its fixed point the learned weights are :math:`\omega_k = 1/(2 L_k)` and the
    objective is :math:`\tfrac12 \log(L_1 L_2)` plus a constant, so the unit of
    :math:`y_1` (a factor :math:`s^2` in :math:`L_1`) does not move it.
    """
    return int(np.argmin(np.log(f["mse"]) + np.log(f["ce"])))


def gradnorm_point(f: dict, noise_reg: float = NOISE_REG) -> int:
    r"""The index of the front's point where :math:`L_1/L_1(0) = L_2/L_2(0)`: where GradNorm settles.

    With the heads starting at zero, :math:`L_1(0) = s^2 (1 + \text{noise}^2)` and
    :math:`L_2(0) = \log 2`; the ratio :math:`L_1/L_1(0)` does not depend on :math:`s`.
    """
    return int(np.argmin(np.abs(f["mse"] / (1.0 + noise_reg**2) - f["ce"] / math.log(2.0))))


_XDOM, _YDOM = (0.0, 0.05), (0.3, 0.72)              # panel 1: MSE (m^2), cross-entropy (nats)
_RDOM, _EDOM = (0.09, 0.23), (0.1, 0.52)             # panel 2: RMSE (m), error rate


def _segment(x0, y0, slope):
    """The line through (x0, y0) with this slope, cut to the first panel's box."""
    (xa, xb), (ya, yb) = _XDOM, _YDOM
    lo, hi = xa, xb
    if slope != 0:                                     # keep y inside [ya, yb]
        xs = sorted(((ya - y0) / slope + x0, (yb - y0) / slope + x0))
        lo, hi = max(lo, xs[0]), min(hi, xs[1])
    return lo, y0 + slope * (lo - x0), hi, y0 + slope * (hi - x0)


def task_weighting(*, ratio, unit="m", angle=ANGLE):
    r"""The point of the front that the weighted sum picks, for a weight ratio and a unit.

    Args:
        ratio: :math:`\omega_2/\omega_1`, the classification loss's weight against the
            regression loss's (1: equal weights).
        unit: the regression target's unit, a key of :data:`UNITS` (``"m"``, ``"dm"``, ``"cm"``).
        angle: the angle between the tasks, degrees (:data:`ANGLES`).

    Returns:
        The outputs the figure draws: the front in losses (``mse_m2``: the regression MSE
        in square metres, ``ce``) and in errors (``rmse_m``, ``error``); the chosen point
        (``pick_*``), the line of equal weighted sum through it (``line_x0, line_y0,
        line_x1, line_y1``, cut to the panel), the points of uncertainty weighting
        (``unc_*``) and of GradNorm (``gn_*``), ``phi_pick`` (degrees) and a ``message``.

    Example:
        >>> m = task_weighting(ratio=1.0, unit="m")
        >>> dm = task_weighting(ratio=1.0, unit="dm")
        >>> bool(m["phi_pick"] > 55 and dm["phi_pick"] < 5)      # the flip
        True
    """
    if unit not in UNITS:
        raise ValueError(f"task_weighting: unit must be one of {tuple(UNITS)}, got {unit!r}")
    f = front(angle)
    s = METRES * UNITS[unit]
    w_reg, w_cls = 1.0 / (1.0 + ratio), ratio / (1.0 + ratio)
    i = weighted_sum_point(f, w_reg, w_cls, s)
    mse_m2, rmse_m = METRES**2 * f["mse"], METRES * np.sqrt(f["mse"])
    slope = -w_reg * UNITS[unit] ** 2 / w_cls          # of CE against the MSE in m^2
    x0, y0, x1, y1 = _segment(mse_m2[i], f["ce"][i], slope)
    iu, ig = uncertainty_point(f), gradnorm_point(f)
    return {
        "mse_m2": mse_m2, "ce": f["ce"], "rmse_m": rmse_m, "error": f["error"],
        "pick_mse": mse_m2[i], "pick_ce": f["ce"][i], "pick_rmse": rmse_m[i], "pick_error": f["error"][i],
        "line_x0": x0, "line_y0": y0, "line_x1": x1, "line_y1": y1,
        "unc_mse": mse_m2[iu], "unc_ce": f["ce"][iu], "unc_rmse": rmse_m[iu], "unc_error": f["error"][iu],
        "gn_mse": mse_m2[ig], "gn_ce": f["ce"][ig], "gn_rmse": rmse_m[ig], "gn_error": f["error"][ig],
        "phi_pick": float(f["phi"][i]),
        "message": (f"ω₂/ω₁ = {ratio:.3g} in {unit}: trunk {f['phi'][i]:.0f}° from d₁, "
                    f"RMSE {rmse_m[i]:.3f} m, error rate {f['error'][i]:.3f}"),
    }


def _figure() -> Figure:
    black, purple, green, grey = (OKABE_ITO[c] for c in ("black", "purple", "green", "grey"))
    marks_loss = [Line(x="mse_m2", y="ce", color=grey, name="front"),
                  Rule(x="line_x0", y="line_y0", x2="line_x1", y2="line_y1", color=black, width=1.0,
                       name="equal_sum"),
                  Point(x="unc_mse", y="unc_ce", color=purple, shape="square", size=60, name="uncertainty"),
                  Point(x="gn_mse", y="gn_ce", color=green, shape="diamond", size=70, name="gradnorm"),
                  Point(x="pick_mse", y="pick_ce", color=black, size=80, name="pick")]
    marks_err = [Line(x="rmse_m", y="error", color=grey, name="front_errors"),
                 Point(x="unc_rmse", y="unc_error", color=purple, shape="square", size=60),
                 Point(x="gn_rmse", y="gn_error", color=green, shape="diamond", size=70),
                 Point(x="pick_rmse", y="pick_error", color=black, size=80, name="pick_errors")]
    return Figure(
        name="task_weighting",
        compute=task_weighting,
        controls=[
            Slider(name="ratio", values=RATIOS, default=1.0, scale="log", live=(1e-3, 1e3, 0.05), fmt=".3g",
                   label="weight ratio ω₂/ω₁"),
            Menu(name="unit", options=tuple(UNITS), default="m",
                 labels=("metres", "decimetres", "centimetres"), label="regression target in"),
            Menu(name="angle", options=ANGLES, default=ANGLE,
                 labels=("60° (related tasks)", "90° (unrelated tasks)"), label="angle between the tasks"),
        ],
        panels=[
            Panel(title="The trade-off in the two losses",
                  subtitle="square: uncertainty; diamond: GradNorm",
                  xlabel="regression MSE (m²)", ylabel="classification cross-entropy (nats)",
                  xdomain=_XDOM, ydomain=_YDOM, marks=marks_loss),
            Panel(title="Both tasks' errors on fresh data", subtitle="dot: the weighted sum's network",
                  xlabel="regression RMSE (m)", ylabel="classification error rate",
                  xdomain=_RDOM, ydomain=_EDOM, marks=marks_err),
        ],
        message="message",
        width=225, height=220,
        alt=("The best achievable trade-off between a regression loss and a classification loss of a network "
             "with a one-unit shared trunk, as a curve in the two losses and in the two error rates, with the "
             "network a weighted sum of the losses picks, the line of equal weighted sum touching the curve, "
             "and the points uncertainty weighting and GradNorm settle at; a slider sets the ratio of the "
             "weights and menus set the unit of the regression target and the angle between the tasks."),
    )


#: The registered figure (NumPy only: the front is a quadrature, computed once per angle).
FIGURE = register(_figure())
