r"""Momentum and Nesterov on an ill-conditioned valley: paths, losses and per-direction rates.

One figure (see :mod:`lossbook.interactive`), ``"momentum"``: SGD with momentum
:math:`\beta` (``torch.optim.SGD``'s rule, :class:`lossbook.optim.SGD`), with or without
Nesterov's look-ahead, on the valley :math:`L = \tfrac12(h_{\min}\theta_1^2 +
h_{\max}\theta_2^2)` with :math:`h_{\min} = 1`, :math:`h_{\max} = 100`
(:func:`lossbook.landscapes.quadratic`).  On a quadratic each eigen-direction of
curvature :math:`h` follows a linear recurrence on :math:`(c_t, c_{t-1})` with the
matrix

.. math::

    M(h) = \begin{pmatrix} 1 + \beta - \eta h & -\beta \\ 1 & 0 \end{pmatrix}
    \quad\text{(heavy ball)}, \qquad
    M_{\text{NAG}}(h) = \begin{pmatrix} (1 + \beta)(1 - \eta h) & -\beta(1 - \eta h) \\ 1 & 0 \end{pmatrix}
    \quad\text{(Nesterov)},

and the error of that direction shrinks like the spectral radius of the matrix to the
power :math:`t` (:func:`spectral_radius`).  The figure draws the path, the loss against
the step with the predicted slope :math:`\rho^{2t}`, and the two directions' rates
against :math:`\beta` at the current :math:`\eta`, with the best :math:`\beta` for that
:math:`\eta` marked (:func:`best_beta`).  Controls: :math:`\beta`, :math:`\eta` (log
scale) and a Nesterov checkbox.

Example:
    >>> from lossbook.interactive.momentum import H_MAX, H_MIN
    >>> eta = 4 / (H_MAX**0.5 + H_MIN**0.5) ** 2                 # the optimal pair for kappa = 100
    >>> round(float(spectral_radius(H_MAX, eta, 81 / 121)), 6), round(9 / 11, 6)
    (0.818182, 0.818182)
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import landscapes as _landscapes
from lossbook import optim as _optim
from lossbook.plotting import OKABE_ITO

from .playground import display_path, exit_point, path_message
from .registry import register
from .spec import Checkbox, Figure, Line, Panel, Point, Rule, Slider, grid, log_grid
from .step_size import level_sets

__all__ = ["H_MIN", "H_MAX", "BETAS", "LEARNING_RATES", "STEPS", "BETA_CURVE", "spectral_radius", "best_beta",
           "valley", "momentum_run", "FIGURE"]

#: The valley's curvatures: condition number 100.
H_MIN, H_MAX = 1.0, 100.0
#: The static page's momenta.
BETAS = grid(0.0, 0.9, 0.15)
#: The static page's learning rates, four per decade (1/h_max = 0.01, 2/h_max = 0.02, the optimal
#: pair's 4/121 = 0.033); the default, 1/h_max with beta = 0.9, is the chapter's side-by-side picture.
LEARNING_RATES = log_grid(1e-3, 0.1, 4)
#: Steps of every run.
STEPS = 80
#: Where the rates are drawn against beta.
BETA_CURVE = np.linspace(0.0, 0.99, 100)
#: The loss axis (log scale): smaller losses are drawn at its floor, larger at its top.
_LOSS = (1e-12, 1e4)
#: The rate axis: larger spectral radii (fast divergence) are drawn at its top.
_RATE_TOP = 1.2


def spectral_radius(h, lr, beta, nesterov: bool = False):
    r"""The largest modulus of an eigenvalue of :math:`M(h)` (or :math:`M_{\text{NAG}}(h)`).

    The eigenvalues are the roots of :math:`r^2 - T r + D = 0`, with trace
    :math:`T = 1 + \beta - \eta h` and determinant :math:`D = \beta` for heavy ball,
    :math:`T = (1 + \beta)(1 - \eta h)` and :math:`D = \beta(1 - \eta h)` for Nesterov.
    Arrays broadcast.

    Example:
        >>> M = np.array([[1 + 0.9 - 0.01 * 100, -0.9], [1.0, 0.0]])
        >>> bool(np.isclose(spectral_radius(100.0, 0.01, 0.9), np.abs(np.linalg.eigvals(M)).max()))
        True
    """
    h, lr, beta = (np.asarray(v, dtype=np.float64) for v in (h, lr, beta))
    s = 1.0 - lr * h
    trace, det = ((1.0 + beta) * s, beta * s) if nesterov else (1.0 + beta - lr * h, beta + 0.0 * s)
    root = np.sqrt((trace * trace - 4.0 * det).astype(np.complex128))
    return np.maximum(np.abs((trace + root) / 2.0), np.abs((trace - root) / 2.0))


def best_beta(lr: float, nesterov: bool = False, betas=BETA_CURVE):
    """The momentum among ``betas`` whose slower direction is fastest at ``lr``: ``(beta, rate)``.

    Example:
        >>> b, rate = best_beta(4 / 121, betas=np.linspace(0.0, 0.99, 10_000))
        >>> round(float(b), 2), round(float(rate), 3)                  # 81/121 and 9/11
        (0.67, 0.818)
    """
    rate = np.maximum(spectral_radius(H_MIN, lr, betas, nesterov), spectral_radius(H_MAX, lr, betas, nesterov))
    i = int(np.argmin(rate))
    return float(betas[i]), float(rate[i])


@functools.lru_cache(maxsize=1)
def valley() -> _landscapes.Landscape:
    r"""``landscapes.quadratic(1, 100)``, the valley of the figure, in a window 8 high on each side.

    (With large steps the steep coordinate swings far before it settles: from
    :math:`\theta_2 = 2`, the optimal pair :math:`\eta = 4/121`, :math:`\beta = 81/121`
    reaches :math:`|\theta_2| = 7.4`; the window keeps it in view.)
    """
    land = _landscapes.quadratic(H_MIN, H_MAX)
    land.ylim = (-8.0, 8.0)
    return land


@functools.lru_cache(maxsize=1)
def _levels() -> dict:
    return level_sets(np.diag([H_MIN, H_MAX]), radii=(2.0, 5.0, 10.0, 20.0, 40.0, 80.0))


def momentum_run(*, beta: float, lr: float, nesterov: bool = False, steps: int = STEPS) -> dict:
    r"""What the figure draws at momentum ``beta``, learning rate ``lr``, with or without Nesterov.

    Returns:
        The valley's level sets (segments ``cx``, ``cy``, ``cx2``, ``cy2``,
        :func:`.step_size.level_sets`), the start ``sx``/``sy``, the drawn path
        ``px``/``py`` and its exit ``ex``/``ey`` (:func:`.playground.display_path`,
        :func:`.playground.exit_point`), the loss ``k``/``f`` and the predicted
        :math:`L_0\rho^{2t}` as ``pk``/``pf``, the rates against :math:`\beta`
        (``b``, ``r_flat``, ``r_steep``), the current ``beta_now``/``rate_now`` and the
        best ``beta_best``/``rate_best`` (:func:`best_beta`), ``rate`` (the spectral
        radius: the slower direction's), ``message`` and ``trajectory``.
    """
    land = valley()
    kw = {"momentum": float(beta), "nesterov": bool(nesterov) and beta > 0}
    t = _optim.run(_optim.SGD(lr=lr, **kw), land.grad, land.default_start, steps, loss_fn=land.f)
    path, gone = display_path(land, t), exit_point(land, t)
    keep = np.isfinite(t.losses)
    nag = bool(nesterov)
    r_flat, r_steep = spectral_radius(H_MIN, lr, BETA_CURVE, nag), spectral_radius(H_MAX, lr, BETA_CURVE, nag)
    rate = float(max(spectral_radius(H_MIN, lr, beta, nag), spectral_radius(H_MAX, lr, beta, nag)))
    b_best, r_best = best_beta(lr, nag)
    k = np.arange(steps + 1)
    predicted = land.f(land.default_start) * rate ** (2.0 * k)
    lo, hi = _LOSS
    kind = "Nesterov" if nag else "heavy ball"
    return {
        **_levels(), "sx": float(land.default_start[0]), "sy": float(land.default_start[1]),
        "zero": 0.0, "px": path[:, 0], "py": path[:, 1],
        "ex": None if gone is None else float(gone[1][0]), "ey": None if gone is None else float(gone[1][1]),
        "k": np.flatnonzero(keep), "f": np.clip(t.losses[keep], lo, hi),
        "pk": k[predicted >= lo], "pf": np.minimum(predicted[predicted >= lo], hi),
        "b": BETA_CURVE, "r_flat": np.minimum(r_flat, _RATE_TOP), "r_steep": np.minimum(r_steep, _RATE_TOP),
        "one_x": np.array([0.0, 1.0]), "one_y": np.array([1.0, 1.0]),
        "beta_now": float(beta), "rate_now": min(rate, _RATE_TOP), "beta_best": b_best, "rate_best": r_best,
        "rate": rate, "trajectory": t,
        "message": (f"{kind}, β = {beta:.2f}, η = {lr:.3g}: rate {rate:.3f} per step "
                    f"(best β here {b_best:.2f}: {r_best:.3f}); " + path_message(land, t)),
    }


_FLAT, _STEEP = OKABE_ITO["blue"], OKABE_ITO["vermillion"]

_PATH = Panel(
    title="path on the valley (κ = 100)", subtitle="grey: level sets; square: start",
    xlabel="θ₁ (flat, curvature 1)", ylabel="θ₂ (steep, curvature 100)", xdomain=(-5.0, 5.0), ydomain=(-8.0, 8.0),
    marks=(Rule(x="cx", y="cy", x2="cx2", y2="cy2", color=OKABE_ITO["grey"], width=1.0, name="level_sets"),
           Line(x="px", y="py", points=True, color=OKABE_ITO["black"], width=1.5, name="path"),
           Point(x="zero", y="zero", shape="diamond", size=90, fill="white", color="#000000"),
           Point(x="sx", y="sy", shape="square", size=70, filled=False, color="#000000"),
           Point(x="ex", y="ey", shape="cross", size=160, color="#000000", name="gone")),
)
_LOSS_PANEL = Panel(
    title="loss against the step", subtitle="blue: measured, black: L₀ ρ²ᵗ",
    xlabel="step t", ylabel="loss L(θ_t)", yscale="log", xdomain=(0, STEPS), ydomain=_LOSS,
    marks=(Line(x="k", y="f", color=OKABE_ITO["blue"], width=1.5, name="loss"),
           Line(x="pk", y="pf", color="#000000", width=1.0, name="predicted")),
)
_RATES = Panel(
    title="rate of each direction against β", subtitle="blue: flat (h = 1), red: steep (h = 100); diamond: best β",
    xlabel="momentum β", ylabel="spectral radius (rate per step)", xdomain=(0.0, 1.0), ydomain=(0.0, _RATE_TOP),
    width=440, height=170,
    marks=(Line(x="one_x", y="one_y", color=OKABE_ITO["grey"], width=1.0, name="unstable"),
           Line(x="b", y="r_flat", color=_FLAT, width=1.5, name="flat"),
           Line(x="b", y="r_steep", color=_STEEP, width=1.5, name="steep"),
           Point(x="beta_best", y="rate_best", shape="diamond", size=110, fill="white", color="#000000",
                 name="best"),
           Point(x="beta_now", y="rate_now", shape="circle", size=90, color="#000000", name="now")),
)

#: The momentum figure (registered as ``"momentum"``).
FIGURE = register(Figure(
    name="momentum", compute=momentum_run,
    controls=(
        Slider(name="beta", values=BETAS, default=0.9, live=(0.0, 0.99, 0.01), label="momentum β", fmt=".2f"),
        Slider(name="lr", values=LEARNING_RATES, default=0.01, scale="log", live=(1e-3, 0.1, 0.02),
               label="learning rate η", fmt=".3g"),
        Checkbox(name="nesterov", default=False, label="Nesterov", when={"beta": ">0"}),
    ),
    panels=(_PATH, _LOSS_PANEL, _RATES), rows=((0, 1), (2,)), message="message", width=215, height=215,
    alt="Momentum on a valley of condition number 100: the path, the loss against the step with the rate "
        "predicted by the spectral radius, and the rates of the flat and steep directions against the momentum, "
        "with the best momentum marked; sliders move the momentum and the learning rate, a checkbox switches "
        "on Nesterov's look-ahead.",
))
