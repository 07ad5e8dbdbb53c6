r"""Batch size against the noise of the path: mini-batch SGD on a least-squares line fit.

One figure (see :mod:`lossbook.interactive`), ``"minibatch_noise"``: the line
:math:`\hat y = w x + b` fitted by mean squared error to scikit-learn's diabetes data
(the standardized body-mass index against the standardized target, :func:`bmi_data`),
by mini-batch SGD,

.. math::

    \theta_{t+1} = \theta_t - \eta\, \hat{\mathbf g}_t, \qquad
    \hat{\mathbf g}_t = \frac1B \sum_{i \in \mathcal B_t} \nabla \ell_i(\theta_t),

with :math:`B` examples drawn with replacement at each step (:func:`minibatch_grad`).
It draws

* the path of one run on the loss surface, next to full-batch gradient descent;
* the excess risk :math:`\hat R(\theta_t) - \hat R^\star` of both runs against the
  step, with the level at which a constant step
  is predicted to hover (the noise ball, :func:`exact_ball`);
* the size of the noise ball against :math:`B`: the exact prediction, its first-order
  form :math:`\eta\,\sigma^2(\theta^\star)/(4B)`, and the excess risk measured on
  :data:`RUNS` runs started at the minimizer (:func:`noise_ball`).

Sliders: the batch size :math:`B` and the learning rate :math:`\eta` (log scales); a
menu picks one of three fixed samples of batches.

Importing this module imports NumPy only; :func:`bmi_data` imports scikit-learn.
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import landscapes as _landscapes
from lossbook import losses as _losses
from lossbook import optim as _optim
from lossbook.plotting import OKABE_ITO

from .playground import display_path
from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Rule, Slider, log_grid
from .step_size import level_sets

__all__ = ["BATCH_SIZES", "LEARNING_RATES", "DRAWS", "STEPS", "START", "RUNS", "BALL_STEPS", "bmi_data",
           "surface", "minibatch_grad", "sigma2_star", "exact_ball", "noise_ball", "minibatch_path", "FIGURE"]

#: The static page's batch sizes, a factor 4 apart (the data have N = 442 examples).
BATCH_SIZES = (1.0, 4.0, 16.0, 64.0, 256.0)
#: The static page's learning rates, half a decade apart (2/h_max = 1 on this surface).
LEARNING_RATES = log_grid(0.01, 10 ** -0.5, 2)
#: The samples of batches (seeds of ``np.random.default_rng``).
DRAWS = (0, 1, 2)
#: Steps of the drawn runs, and their start (the start of the chapter's picture).
STEPS = 100
START = (-1.0, 1.2)
#: Runs (at most; 512 draws per step in all) and steps per run of the noise-ball measurement.
RUNS = 8
BALL_STEPS = 200
#: The excess-risk axis (log scale): smaller values are drawn at its floor.
_RISK = (1e-5, 3.0)
#: The largest batch of the live slider: all N = 442 examples (drawn with replacement).
_LIVE_B = 442.0


@functools.lru_cache(maxsize=1)
def bmi_data():
    """``(x, y)``: the standardized body-mass index and target of scikit-learn's diabetes data."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True, scaled=False)
    x = X[:, 2]
    return (x - x.mean()) / x.std(), (y - y.mean()) / y.std()


@functools.lru_cache(maxsize=1)
def surface() -> _landscapes.Landscape:
    """The mean squared error of the line fit as a surface over ``(w, b)``."""
    return _landscapes.regression_surface("mse", *bmi_data())


def minibatch_grad(batch: int, seed: int):
    r"""The mini-batch gradient of :func:`surface` as a function for :func:`lossbook.optim.run`.

    Each call draws ``batch`` examples with replacement (``np.random.default_rng(seed)``)
    for every run: ``theta`` of shape ``(2,)`` is one run, ``(R, 2)`` is ``R``
    independent runs, each with its own batch.  The gradient of each example is
    :func:`lossbook.losses.mse`'s derivative times :math:`(x_i, 1)` (the chain rule).
    """
    x, y = bmi_data()
    X1 = np.column_stack([x, np.ones_like(x)])
    rng = np.random.default_rng(seed)
    B = int(batch)

    def grad(theta):
        th = np.atleast_2d(theta)
        idx = rng.integers(0, len(y), size=(th.shape[0], B))
        Xb = X1[idx]                                               # (R, B, 2)
        d = _losses.mse.grad(y[idx], np.einsum("rbk,rk->rb", Xb, th), reduction="none")
        return (np.einsum("rb,rbk->rk", d, Xb) / B).reshape(np.shape(theta))

    return grad


@functools.lru_cache(maxsize=1)
def _moments():
    r"""At the minimizer: :math:`H`, :math:`\mathbb E[A_i \otimes A_i]` and :math:`\Sigma^\star`.

    Example :math:`i`'s gradient is :math:`A_i \mathbf d - \mathbf b_i` with
    :math:`\mathbf d = \theta - \theta^\star`, :math:`A_i = 2\tilde{\mathbf x}_i\tilde{\mathbf x}_i^\top`
    and :math:`\mathbf b_i = 2\tilde{\mathbf x}_i r_i^\star` (:math:`r_i^\star` the residual
    at the minimizer, :math:`\tilde{\mathbf x}_i = (x_i, 1)`).
    """
    x, y = bmi_data()
    X1 = np.column_stack([x, np.ones_like(x)])
    w, b = surface().minima[0]
    d = _losses.mse.grad(y, w * x + b, reduction="none")      # 2 (y_hat_i - y_i) = -2 r_i*
    A = 2.0 * np.einsum("ni,nj->nij", X1, X1)
    g = d[:, None] * X1                                        # -b_i: one example's gradient at theta*
    AA = np.einsum("nij,nkl->ikjl", A, A).reshape(4, 4) / len(y)   # E[A kron A]
    return A.mean(axis=0), AA, g.T @ g / len(y)


def sigma2_star() -> float:
    r""":math:`\sigma^2(\theta^\star) = \operatorname{tr}\Sigma^\star`: the variance of one example's gradient at the minimizer."""
    return float(np.trace(_moments()[2]))


def exact_ball(lr: float, batch: float) -> float:
    r"""The excess risk at which constant-step SGD hovers, from the exact second moments.

    With :math:`B` examples drawn with replacement, the error :math:`\mathbf d_t =
    \theta_t - \theta^\star` of SGD on least squares has a second moment
    :math:`V_t = \mathbb E\,\mathbf d_t\mathbf d_t^\top` that obeys a linear recursion
    (the mean tends to 0, so the cross terms vanish at stationarity):

    .. math::

        V_{t+1} = V_t - \eta(HV_t + V_tH) + \eta^2\Bigl(\tfrac1B\,\mathbb E[A_iV_tA_i]
        + \bigl(1 - \tfrac1B\bigr) HV_tH\Bigr) + \frac{\eta^2}{B}\Sigma^\star .

    Its fixed point gives :math:`\tfrac12\operatorname{tr}(HV)`, the stationary excess
    risk; to first order in :math:`\eta` it is :math:`\eta\operatorname{tr}\Sigma^\star/(4B)`.
    When the recursion is unstable (its spectral radius is at least 1, which happens for
    small batches and large steps, where single examples' curvatures :math:`2(1 + x_i^2)`
    exceed :math:`2/\eta`) the second moment grows without bound and the result is
    ``inf``.  This is the operator analysis of Jain et al. (2018), Parallelizing stochastic
    gradient descent for least squares regression, JMLR 18(223).

    Example:
        >>> first = 0.01 * sigma2_star() / 4                     # the first-order level, B = 1
        >>> round(exact_ball(0.01, 1) / first, 2), exact_ball(10**-0.5, 1)
        (1.03, inf)
    """
    H, AA, S = _moments()
    eye = np.eye(2)
    HH = np.kron(H, H)
    drift = np.kron(H, eye) + np.kron(eye, H)
    quad = AA / batch + (1.0 - 1.0 / batch) * HH
    step = np.eye(4) - lr * drift + lr**2 * quad
    if np.abs(np.linalg.eigvals(step)).max() >= 1.0:
        return float("inf")
    V = np.linalg.solve(drift - lr * quad, lr * S.ravel() / batch).reshape(2, 2)
    return float(0.5 * np.trace(H @ V))


@functools.lru_cache(maxsize=256)
def noise_ball(lr: float, batch: int, seed: int) -> float:
    """The measured excess risk at which SGD hovers: runs started at the minimizer.

    One :func:`lossbook.optim.run` with parameters of shape ``(R, 2)``: ``R`` runs
    (:data:`RUNS`, fewer for large batches: at most 512 draws per step, at least 2
    runs) of :data:`BALL_STEPS` steps; the excess risk averaged over the runs and the
    last half of the steps (inf if a run diverged).
    """
    land = surface()
    best = np.asarray(land.minima[0])
    runs = max(2, min(RUNS, 512 // int(batch)))
    t = _optim.run(_optim.SGD(lr=lr), minibatch_grad(batch, seed + 100), np.tile(best, (runs, 1)), BALL_STEPS)
    if t.diverged_at is not None:
        return float("inf")
    return float(np.mean(land.f(t.params[BALL_STEPS // 2:]) - land.f(best)))


@functools.lru_cache(maxsize=1)
def _levels() -> dict:
    return level_sets(_moments()[0], center=surface().minima[0], radii=(0.4, 0.8, 1.2, 1.6, 2.0))


@functools.lru_cache(maxsize=16)
def _full_batch(lr: float):
    land = surface()
    return _optim.run(_optim.SGD(lr=lr), land.grad, np.array(START), STEPS, loss_fn=land.f)


def minibatch_path(*, batch: float, lr: float, seed: int = 0, steps: int = STEPS) -> dict:
    r"""What the figure draws for batch size ``batch``, learning rate ``lr`` and sample ``seed``.

    Returns:
        The surface (its level sets ``cx``, ``cy``, ``cx2``, ``cy2``, :func:`.step_size.level_sets`;
        ``xlim``, ``ylim``, the minimizer
        ``w_star``/``b_star``, the start ``sx``/``sy``), the mini-batch path ``px``/``py``
        and the full-batch path ``gx``/``gy`` (cut at the frame,
        :func:`.playground.display_path`), their excess risks ``k``/``risk`` and
        ``gk``/``grisk`` (floored at 1e-5), the exact noise level (:func:`exact_ball`,
        drawn as ``lx``/``ly``), the noise-ball panel (``B`` with the first-order line
        ``first``, ``Bx`` with the exact curve ``exact`` where it is finite, the measured
        ``B_now``/``ball_now``), the numbers ``level``, ``first_order`` and ``measured``
        (:func:`noise_ball`), ``message`` and the run itself as ``trajectory``.
    """
    land = surface()
    B = int(round(batch))
    t = _optim.run(_optim.SGD(lr=lr), minibatch_grad(B, seed), np.array(START), steps, loss_fn=land.f)
    full = _full_batch(lr) if steps == STEPS else _optim.run(_optim.SGD(lr=lr), land.grad, np.array(START),
                                                             steps, loss_fn=land.f)
    risk_star = float(land.f(land.minima[0]))
    lo, hi = _RISK
    path, gpath = display_path(land, t), display_path(land, full)
    ok, gok = np.isfinite(t.losses), np.isfinite(full.losses)
    s2 = sigma2_star()
    level, first = exact_ball(lr, B), lr * s2 / (4 * B)
    measured = noise_ball(float(lr), B, int(seed))
    Bs = np.geomspace(1.0, _LIVE_B, 21)
    exact = np.array([exact_ball(lr, b) for b in Bs])
    stable = np.isfinite(exact)
    w_star, b_star = land.minima[0]
    return {
        **_levels(), "xlim": land.xlim, "ylim": land.ylim,
        "w_star": float(w_star), "b_star": float(b_star), "sx": START[0], "sy": START[1],
        "px": path[:, 0], "py": path[:, 1], "gx": gpath[:, 0], "gy": gpath[:, 1],
        "k": np.flatnonzero(ok), "risk": np.clip(t.losses[ok] - risk_star, lo, hi),
        "gk": np.flatnonzero(gok), "grisk": np.clip(full.losses[gok] - risk_star, lo, hi),
        "lx": None if not np.isfinite(level) else np.array([0.0, steps]),
        "ly": None if not np.isfinite(level) else np.full(2, np.clip(level, lo, hi)),
        "B": Bs, "first": np.clip(lr * s2 / (4 * Bs), lo, hi), "Bx": Bs[stable], "exact": np.clip(exact[stable], lo, hi),
        "B_now": float(B), "ball_now": float(np.clip(measured, lo, hi)) if np.isfinite(measured) else None,
        "level": level, "first_order": first, "measured": measured, "steps_dom": (0, steps), "trajectory": t,
        "message": (f"B = {B}, η = {lr:.3g}: SGD hovers at {measured:.2g}; "
                    + (f"exact {level:.2g}, " if np.isfinite(level) else "exact: unbounded, ")
                    + f"first order {first:.2g}"),
    }


_BLUE, _GREY, _RED = OKABE_ITO["blue"], OKABE_ITO["grey"], OKABE_ITO["vermillion"]

_PATH = Panel(
    title="paths on the loss surface", subtitle="blue: mini-batch, black: full batch",
    xlabel="slope w", ylabel="intercept b", xdomain="xlim", ydomain="ylim",
    marks=(Rule(x="cx", y="cy", x2="cx2", y2="cy2", color=_GREY, width=0.8, name="level_sets"),
           Line(x="gx", y="gy", color="#000000", width=1.5, name="full_batch"),
           Line(x="px", y="py", color=_BLUE, width=1.2, name="path"),
           Point(x="w_star", y="b_star", shape="diamond", size=90, fill="white", color="#000000"),
           Point(x="sx", y="sy", shape="square", size=70, filled=False, color="#000000")),
)
_RISK_PANEL = Panel(
    title="excess risk against the step", subtitle="red: where SGD should hover (exact)",
    xlabel="step t", ylabel="R̂(θ_t) − R̂*", yscale="log", xdomain="steps_dom", ydomain=_RISK,
    marks=(Line(x="gk", y="grisk", color="#000000", width=1.5, name="full_risk"),
           Line(x="k", y="risk", color=_BLUE, width=1.2, name="risk"),
           Line(x="lx", y="ly", color=_RED, width=1.5, name="level")),
)
_BALL = Panel(
    title="noise ball against the batch size", subtitle="red: exact, grey: first order ησ²/(4B), dot: measured",
    xlabel="batch size B", ylabel="excess risk where SGD hovers", xscale="log", yscale="log",
    xdomain=(1.0, _LIVE_B), ydomain=_RISK, width=440, height=170,
    marks=(Line(x="B", y="first", color=_GREY, width=1.5, name="first_order"),
           Line(x="Bx", y="exact", color=_RED, width=1.5, name="exact"),
           Point(x="B_now", y="ball_now", shape="circle", size=90, color=_BLUE, name="measured")),
)

#: The mini-batch noise figure (registered as ``"minibatch_noise"``).
FIGURE = register(Figure(
    name="minibatch_noise", compute=minibatch_path,
    controls=(
        Slider(name="batch", values=BATCH_SIZES, default=1.0, scale="log", live=(1.0, _LIVE_B, 0.05),
               label="batch size B", fmt=".0f"),
        Slider(name="lr", values=LEARNING_RATES, default=0.1, scale="log", live=(1e-3, 0.9, 0.05),
               label="learning rate η", fmt=".3g"),
        Menu(name="seed", options=DRAWS, default=0, labels=("batches 1", "batches 2", "batches 3"),
             label="sample of batches"),
    ),
    panels=(_PATH, _RISK_PANEL, _BALL), rows=((0, 1), (2,)), message="message", width=215, height=215,
    alt="Mini-batch SGD on a least-squares line fit: its path next to full-batch gradient descent, its excess "
        "risk against the step with the predicted noise level, and the noise level against the batch size; "
        "sliders move the batch size and the learning rate, a menu picks a sample of batches.",
))
