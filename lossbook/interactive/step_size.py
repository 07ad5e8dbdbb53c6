r"""The learning rate against the condition number: gradient descent on a quadratic.

One figure (see :mod:`lossbook.interactive`), ``"step_size"``: gradient descent
:math:`\theta_{t+1} = \theta_t - \eta\,\mathbf g_t` on the bowl
:math:`L(\theta) = \tfrac12 (h_{\min}\theta_1^2 + h_{\max}\theta_2^2)` of
:func:`lossbook.landscapes.quadratic` with :math:`h_{\min} = 1` and
:math:`h_{\max} = \kappa`.  Each eigen-direction is multiplied by :math:`1 - \eta h_i`
per step, so the steep direction decides the regime (:func:`region`):

* **monotone**, :math:`\eta h_{\max} \le 1`: every factor in :math:`[0, 1)`, the path
  glides in;
* **oscillating**, :math:`1 < \eta h_{\max} < 2`: the steep coordinate changes sign at
  every step and shrinks, the path zigzags across the valley;
* **divergent**, :math:`\eta h_{\max} \ge 2`: the steep coordinate grows (or, at
  exactly 2, bounces forever).

The figure draws the three regions over :math:`(\eta, \kappa)` with the current point
and the best constant step :math:`\eta^\star = 2/(h_{\max} + h_{\min})`, the path of
``steps`` steps on the bowl, and the loss against the step.  Sliders: :math:`\eta` and
:math:`\kappa`, both on log scales.

Example:
    >>> out = step_size(lr=0.15, kappa=10.0)
    >>> out["region"], out["trajectory"].diverged_at
    ('oscillating', None)
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import landscapes as _landscapes
from lossbook import optim as _optim
from lossbook.plotting import OKABE_ITO

from .playground import display_path, exit_point, path_message
from .registry import register
from .spec import Figure, Line, Panel, Point, Rule, Slider, log_grid

__all__ = ["LEARNING_RATES", "KAPPAS", "STEPS", "LOSS_FLOOR", "REGION_COLORS", "region", "bowl", "level_sets",
           "step_size", "FIGURE"]

#: The static page's learning rates: six per decade from 1e-3 to 1 (the default, 10^(-5/6) = 0.147,
#: makes the steep direction of the default bowl, kappa = 10, oscillate).
LEARNING_RATES = log_grid(1e-3, 1.0, 6)
#: The static page's condition numbers: two per decade from 1 to 1000.
KAPPAS = log_grid(1.0, 1000.0, 2)
#: Steps of every run.
STEPS = 60
#: The loss axis is logarithmic: smaller losses are drawn at this floor.
LOSS_FLOOR = 1e-12
#: The map's axes (the live sliders' ranges).
_LR_RANGE = (1e-3, 3.0)
_KAPPA_RANGE = (1.0, 1000.0)


def region(lr: float, h_max: float) -> str:
    r"""The regime of gradient descent's steep direction: its factor :math:`1 - \eta h_{\max}`.

    A product :math:`\eta h_{\max}` within a millionth of 1 counts as 1 (the grid's
    values are rounded to 10 digits): the steep direction is then solved in one step.

    Example:
        >>> region(0.05, 10.0), region(0.15, 10.0), region(0.2, 10.0)
        ('monotone', 'oscillating', 'divergent')
    """
    if lr <= 0 or h_max <= 0:
        raise ValueError(f"region: lr and h_max must be > 0, got {lr!r} and {h_max!r}")
    product = lr * h_max
    if product <= 1 + 1e-6:
        return "monotone"
    return "oscillating" if product < 2 - 1e-6 else "divergent"


@functools.lru_cache(maxsize=64)
def bowl(kappa: float) -> _landscapes.Landscape:
    """``landscapes.quadratic(1, kappa)``, built once per condition number."""
    return _landscapes.quadratic(1.0, float(kappa))


def level_sets(H, center=(0.0, 0.0), radii=(1.0, 2.0, 3.0, 4.0, 5.0), n: int = 48) -> dict:
    r"""Level sets of the quadratic :math:`\tfrac12(\theta - \mathbf c)^\top H (\theta - \mathbf c)`, as segments.

    The set of "radius" :math:`a` is the ellipse where the quadratic equals
    :math:`h_{\min} a^2/2`: its half-axis is :math:`a` along the flattest eigenvector of
    :math:`H` and :math:`a\sqrt{h_{\min}/h_i}` along the eigenvector of curvature
    :math:`h_i`, so a large condition number draws a narrow valley.  Each ellipse is
    ``n`` straight segments; the figures of Part V draw them as a :class:`~lossbook.interactive.Rule`.

    Shape: ``H`` ``(2, 2)`` symmetric positive definite; each output ``(len(radii) * n,)``.

    Example:
        >>> seg = level_sets(np.diag([1.0, 4.0]), radii=(2.0,), n=4)
        >>> print(np.round(seg["cx"], 6) + 0.0, np.round(seg["cy"], 6) + 0.0)
        [ 2.  0. -2.  0.] [ 0.  1.  0. -1.]
    """
    h, Q = np.linalg.eigh(np.asarray(H, dtype=np.float64))
    if h.shape != (2,) or h[0] <= 0:
        raise ValueError(f"level_sets: H must be a 2 x 2 positive definite matrix, got eigenvalues {h}")
    phi = np.linspace(0.0, 2.0 * np.pi, n + 1)
    unit = np.stack([np.cos(phi), np.sin(phi)], axis=-1) * np.sqrt(h[0] / h)       # (n + 1, 2)
    pts = np.asarray(radii, dtype=np.float64)[:, None, None] * (unit @ Q.T) + np.asarray(center)
    return {"cx": pts[:, :-1, 0].ravel(), "cy": pts[:, :-1, 1].ravel(),
            "cx2": pts[:, 1:, 0].ravel(), "cy2": pts[:, 1:, 1].ravel()}


@functools.lru_cache(maxsize=64)
def _bowl_levels(kappa: float) -> dict:
    return level_sets(np.diag([1.0, kappa]), radii=(1.0, 2.0, 4.0, 8.0, 16.0, 32.0))


#: Colours of the three regions on the map (pale, so that the lines on top stay readable).
REGION_COLORS = {"monotone": "#bfe6d8", "oscillating": "#f7dca0", "divergent": "#f2c0a8"}


@functools.lru_cache(maxsize=1)
def _regions():
    """The map: columns of the three regions, between kappa = 1/eta and kappa = 2/eta.

    Each region is drawn as close vertical segments, one per learning rate, which fill
    it on the page's logarithmic axes.
    """
    eta = np.geomspace(*_LR_RANGE, 100)
    lo, hi = _KAPPA_RANGE
    one, two = np.clip(1.0 / eta, lo, hi), np.clip(2.0 / eta, lo, hi)
    kappa = np.geomspace(lo, hi, 31)
    return {"eta": eta, "mono_lo": np.full_like(eta, lo), "mono_hi": one, "osc_lo": one, "osc_hi": two,
            "div_lo": two, "div_hi": np.full_like(eta, hi),
            "best_eta": 2.0 / (kappa + 1.0), "best_kappa": kappa}


def step_size(*, lr: float, kappa: float, steps: int = STEPS) -> dict:
    r"""What the figure draws at learning rate ``lr`` and condition number ``kappa``.

    Runs :func:`lossbook.optim.run` with :class:`lossbook.optim.SGD` on :func:`bowl`
    from its default start :math:`(-4, 2)`.

    Returns:
        The regions of the map (``eta`` with the band edges ``mono_lo`` ... ``div_hi``,
        the curve ``best_eta``/``best_kappa``), the current point ``lr``/``kappa``, the
        bowl's level sets (segments ``cx``, ``cy``, ``cx2``, ``cy2``), the drawn path ``px``/``py``
        (:func:`.playground.display_path`) with its exit ``ex``/``ey``, the loss curve
        ``k``/``f`` (floored at :data:`LOSS_FLOOR`, capped at 1e4), ``region``,
        ``factor`` (:math:`1 - \eta h_{\max}`), ``message`` and ``trajectory``.
    """
    land = bowl(kappa)
    t = _optim.run(_optim.SGD(lr=lr), land.grad, land.default_start, steps, loss_fn=land.f)
    path = display_path(land, t)
    gone = exit_point(land, t)
    keep = np.isfinite(t.losses)
    name = region(lr, kappa)
    factor = 1.0 - lr * kappa
    return {
        **_regions(), **_bowl_levels(float(kappa)), "lr": float(lr), "kappa": float(kappa),
        "sx": -4.0, "sy": 2.0, "zero": 0.0,
        "px": path[:, 0], "py": path[:, 1],
        "ex": None if gone is None else float(gone[1][0]), "ey": None if gone is None else float(gone[1][1]),
        "k": np.flatnonzero(keep), "f": np.clip(t.losses[keep], LOSS_FLOOR, 1e4),
        "region": name, "factor": factor, "trajectory": t,
        "message": f"η h_max = {lr * kappa:.3g} ({name}): " + path_message(land, t),
    }


_MAP = Panel(
    title="regimes; line: best step η*",
    subtitle="left to right: glide, zigzag, diverge",
    xlabel="learning rate η", ylabel="condition number κ = h_max/h_min", xscale="log", yscale="log",
    xdomain=_LR_RANGE, ydomain=_KAPPA_RANGE,
    marks=(*(Rule(x="eta", y=f"{r}_lo", x2="eta", y2=f"{r}_hi", color=REGION_COLORS[name], width=3.0, name=name)
             for r, name in (("mono", "monotone"), ("osc", "oscillating"), ("div", "divergent"))),
           Line(x="best_eta", y="best_kappa", color="#000000", width=1.0, name="best"),
           Point(x="lr", y="kappa", shape="circle", size=90, color="#000000", name="now")),
)
_PATH = Panel(
    title="path on the bowl", subtitle="grey: level sets; square: start",
    xlabel="θ₁ (curvature h_min = 1)", ylabel="θ₂ (curvature h_max = κ)", xdomain=(-5.0, 5.0),
    ydomain=(-3.0, 3.0),
    marks=(Rule(x="cx", y="cy", x2="cx2", y2="cy2", color=OKABE_ITO["grey"], width=1.0, name="level_sets"),
           Line(x="px", y="py", points=True, color=OKABE_ITO["black"], name="path"),
           Point(x="zero", y="zero", shape="diamond", size=90, fill="white", color="#000000"),
           Point(x="sx", y="sy", shape="square", size=70, filled=False, color="#000000"),
           Point(x="ex", y="ey", shape="cross", size=160, color="#000000", name="gone")),
)
_LOSS = Panel(
    title="loss against the step", subtitle=f"log scale, floored at {LOSS_FLOOR:g}",
    xlabel="step t", ylabel="loss L(θ_t)", yscale="log", xdomain=(0, STEPS), ydomain=(LOSS_FLOOR, 1e4), width=440,
    height=160,
    marks=(Line(x="k", y="f", color=OKABE_ITO["blue"], name="loss"),),
)

#: The step-size figure (registered as ``"step_size"``).
FIGURE = register(Figure(
    name="step_size", compute=step_size,
    controls=(
        Slider(name="lr", values=LEARNING_RATES, default=LEARNING_RATES[13], scale="log", live=(*_LR_RANGE, 0.02),
               label="learning rate η", fmt=".3g"),
        Slider(name="kappa", values=KAPPAS, default=10.0, scale="log", live=(*_KAPPA_RANGE, 0.02),
               label="condition number κ", fmt=".3g"),
    ),
    panels=(_MAP, _PATH, _LOSS), rows=((0, 1), (2,)), message="message", width=215, height=215,
    alt="Gradient descent on a quadratic bowl: a map of learning rate against condition number with the "
        "monotone, oscillating and divergent regions and the current point, the path on the bowl, and the "
        "loss against the step; sliders move the learning rate and the condition number.",
))
