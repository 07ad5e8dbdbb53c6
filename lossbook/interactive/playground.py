r"""The optimizer playground: paths of optimizers on a surface, and their loss curves.

The computations (this module's functions) run :func:`lossbook.optim.run` on a
surface of :mod:`lossbook.landscapes` and turn a run into what is drawn;
:data:`FIGURE` declares the figure (see :mod:`lossbook.interactive`): several
optimizers at once on one surface (a checkbox each), one learning-rate slider on a
log scale for all of them, SGD's momentum and Nesterov switch, a start point,
gradient noise, and, live only, the steps and the other optimizers' knobs.

Every number on both renderings comes from :func:`playground`, which calls
:func:`trajectory`, :func:`display_path`, :func:`exit_point`, :func:`loss_curve`,
:func:`path_message` and :func:`contour_bands`.
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import landscapes as _landscapes
from lossbook import losses as _losses
from lossbook import models as _models
from lossbook import optim as _optim

from .registry import register
from .spec import Checkbox, Figure, Heatmap, Line, Menu, Panel, Point, Series, Slider

__all__ = [
    "SURFACES", "PLAYGROUND_LOSSES", "CHART_LOSSES", "LEARNING_RATES", "OPTIMIZER_NAMES", "OPTIMIZER_CONTROLS",
    "STATIC_STEPS", "STARTS", "BANDS", "regression_losses", "landscape", "optimizer_kwargs",
    "start_point", "noisy", "trajectory", "trajectory_grid", "display_path", "exit_point",
    "path_message", "contour_bands", "band_index", "loss_curve", "playground", "FIGURE",
]

# =========================================================================== the computations
#: The surfaces of the playground; ``"regression"`` is :func:`lossbook.landscapes.regression_surface`
#: under the chosen loss, the others are the test surfaces of :mod:`lossbook.landscapes`.
SURFACES = ("regression", "quadratic", "rosenbrock", "saddle", "multi_minima")

#: The regression losses of :func:`trajectory_grid` (the live playground offers all of
#: :func:`regression_losses`).
PLAYGROUND_LOSSES = ("mse", "mae", "huber", "log_cosh")

#: The regression losses of the static chart: a smooth one and one with a kink (each
#: loss adds a surface to its grid, and the page must stay under its budget).
CHART_LOSSES = ("mse", "mae")

#: The static playground's learning rates, 9 values half a decade apart, from 1e-3 to 10.
LEARNING_RATES = tuple(float(v) for v in np.logspace(-3, 1, 9))

#: The optimizers, in the order of :data:`lossbook.optim.OPTIMIZERS`.
OPTIMIZER_NAMES = tuple(_optim.OPTIMIZERS)

#: The controls that apply to each optimizer (the widget shows only these).
OPTIMIZER_CONTROLS = {
    "sgd": ("momentum", "nesterov"),
    "adagrad": (),
    "rmsprop": ("alpha", "momentum"),
    "adam": ("beta1", "beta2"),
    "adamw": ("beta1", "beta2", "weight_decay"),
}

#: Steps of the static playground's trajectories (the page must stay under 2 MB).
STATIC_STEPS = 60

#: How far outside the plotting window a drawn path may go, in window widths: beyond
#: that it is cut where it crosses this outer frame (it has left the picture anyway).
_OUTER = 1.0

#: Filled-contour bands of the surfaces, shared by both renderings.
BANDS = 12

def regression_losses() -> tuple[str, ...]:
    """The registered regression losses that a regression surface can use.

    The registry's facts say which: the regression losses a line can be fitted under
    (:func:`lossbook.models.linear_model_losses`: any real prediction) that have a
    per-element form; :func:`lossbook.losses.rmse` (a square root of a mean) has none,
    and a loss of nonnegative predictions (MSLE) does not take a line's values.

    Example:
        >>> "huber" in regression_losses(), "rmse" in regression_losses(), "msle" in regression_losses()
        (True, False, False)
    """
    return tuple(n for n in _models.linear_model_losses("regression") if _losses.info(n).per_example == "element")


def landscape(surface: str = "quadratic", loss: str = "mse", **loss_kwargs) -> _landscapes.Landscape:
    """The surface named ``surface``; for ``"regression"``, the line fit under ``loss``.

    Surfaces are built once and cached (a regression surface finds its minimum when it
    is built, which takes a few tens of milliseconds).

    Args:
        surface: one of ``SURFACES`` (or any name of
            :data:`lossbook.landscapes.LANDSCAPES`).
        loss: the regression loss of a ``"regression"`` surface (ignored otherwise).
        **loss_kwargs: its hyperparameters, e.g. ``delta=0.5`` for Huber.

    Example:
        >>> landscape("regression", "huber").name
        'regression (huber)'
    """
    if surface == "regression":
        return _cached_landscape(surface, loss, tuple(sorted(loss_kwargs.items())))
    if loss_kwargs:
        raise ValueError(f"landscape: loss hyperparameters apply to the regression surface only, got {loss_kwargs!r}")
    return _cached_landscape(surface, None, ())


@functools.lru_cache(maxsize=64)
def _cached_landscape(surface, loss, items):
    if surface not in _landscapes.LANDSCAPES:
        raise ValueError(
            f"landscape: surface must be one of {', '.join(_landscapes.LANDSCAPES)}, got {surface!r}"
        )
    if surface == "regression":
        if loss not in regression_losses():
            raise ValueError(
                f"landscape: loss must be one of {', '.join(regression_losses())} for the "
                f"regression surface, got {loss!r}"
            )
        return _landscapes.get_landscape("regression", loss=loss, **dict(items))
    return _landscapes.get_landscape(surface)


def _resolve(surface, loss) -> _landscapes.Landscape:
    if isinstance(surface, _landscapes.Landscape):
        return surface
    return landscape(surface, loss)


def optimizer_kwargs(optimizer: str, *, momentum=0.0, nesterov=False, alpha=0.99, beta1=0.9,
                     beta2=0.999, weight_decay=None) -> dict:
    """The constructor arguments of ``optimizer`` from the playground's controls.

    The controls have one name each (``beta1``, ``beta2``); the optimizers take
    ``torch.optim``'s arguments (``betas=(beta1, beta2)``).  Controls that do not apply
    to ``optimizer`` (see ``OPTIMIZER_CONTROLS``) are ignored, and ``nesterov``
    is dropped while ``momentum`` is 0 (where PyTorch refuses it).  ``weight_decay=None``
    keeps the optimizer's default.

    Example:
        >>> optimizer_kwargs("adam", momentum=0.9, beta1=0.8)
        {'betas': (0.8, 0.999)}
        >>> optimizer_kwargs("sgd", momentum=0.9, nesterov=True)
        {'momentum': 0.9, 'nesterov': True}
    """
    if optimizer not in OPTIMIZER_CONTROLS:
        raise ValueError(f"optimizer_kwargs: optimizer must be one of {', '.join(OPTIMIZER_CONTROLS)}, got {optimizer!r}")
    applies = OPTIMIZER_CONTROLS[optimizer]
    kw: dict = {}
    if "momentum" in applies:
        kw["momentum"] = float(momentum)
    if "nesterov" in applies and nesterov and momentum > 0:
        kw["nesterov"] = True
    if "alpha" in applies:
        kw["alpha"] = float(alpha)
    if "beta1" in applies:
        kw["betas"] = (float(beta1), float(beta2))
    if "weight_decay" in applies and weight_decay is not None:
        kw["weight_decay"] = float(weight_decay)
    return kw


def trajectory(surface, optimizer: str, lr: float, steps: int = STATIC_STEPS, *, loss: str = "mse",
               x0=None, noise: float = 0.0, seed: int = 0, **opt_kw) -> _optim.Trajectory:
    r"""Run ``optimizer`` with learning rate ``lr`` on ``surface`` from its default start.

    This is :func:`lossbook.optim.run` with ``loss_fn`` set to the surface, so the
    result records the loss at each step and, if the run diverges, the step
    (``diverged_at``); it never raises on divergence.

    Args:
        surface: a :class:`lossbook.landscapes.Landscape`, or a name for
            :func:`landscape`.
        optimizer: a name of :data:`lossbook.optim.OPTIMIZERS`.
        lr: the learning rate :math:`\gamma`.
        steps: the number of steps.
        loss: the loss of a ``"regression"`` surface given by name.
        x0: the start (default: the surface's ``default_start``).
        noise: gradient noise, relative to the gradient at the start (see ``noisy()``).
        seed: the noise's seed (the same draws for every optimizer).
        **opt_kw: other arguments of the optimizer, with ``torch.optim``'s names
            (``momentum=0.9``, ``betas=(0.9, 0.99)``); see :func:`optimizer_kwargs`.

    Shape:
        ``params``: ``(steps + 1, 2)``; ``losses``: ``(steps + 1,)``.

    Example:
        >>> t = trajectory("quadratic", "sgd", 0.25, 10)   # diverges iff lr > 2/L = 0.2
        >>> print(t.params.shape, t.diverged_at)
        (11, 2) None
        >>> # y is multiplied by 1 - 0.25 * 10 = -1.5 per step: 2 * 1.5**67 > 1e12
        >>> print(trajectory("quadratic", "sgd", 0.25, 200).diverged_at)
        67
    """
    land = _resolve(surface, loss)
    opt = _optim.make(optimizer, lr=lr, **opt_kw)
    start = land.default_start if x0 is None else np.asarray(x0, dtype=np.float64)
    grad = land.grad if noise == 0 else noisy(land.grad, start, noise, seed)
    return _optim.run(opt, grad, start, steps, loss_fn=land.f)


def _grid_keys(surfaces, losses):
    for surface in surfaces:
        if surface == "regression":
            for loss in losses:
                yield surface, loss
        else:
            yield surface, ""


def trajectory_grid(lrs=LEARNING_RATES, optimizers=OPTIMIZER_NAMES, surfaces=SURFACES,
                    losses=PLAYGROUND_LOSSES, steps: int = STATIC_STEPS) -> list[dict]:
    """Every trajectory of a grid, as a tidy table (one row per run and step).

    The static playground is drawn from this table; each row is exactly what
    :func:`trajectory` returns for its run.

    Args:
        lrs: learning rates.
        optimizers: optimizer names.
        surfaces: surface names (see ``SURFACES``).
        losses: the losses of the ``"regression"`` surface.
        steps: steps per run.

    Returns:
        A list of dicts with keys ``surface``, ``loss`` (``""`` for the test surfaces),
        ``optimizer``, ``lr_index``, ``lr``, ``step``, ``x``, ``y``, ``value`` (the
        loss at the point; NaN after a divergence, like the coordinates) and
        ``diverged_at`` (``None`` or the step where :func:`lossbook.optim.run`
        reported the divergence).  ``pandas.DataFrame(rows)`` makes a data frame of it.

    Example:
        >>> rows = trajectory_grid(lrs=[0.1], optimizers=["sgd"], surfaces=["quadratic"], steps=3)
        >>> len(rows), rows[1]["x"], rows[1]["y"]
        (4, -3.6, 0.0)
    """
    rows = []
    for surface, loss in _grid_keys(surfaces, losses):
        land = landscape(surface, loss or "mse")
        for opt in optimizers:
            for i, lr in enumerate(lrs):
                t = trajectory(land, opt, lr, steps)
                for k in range(steps + 1):
                    rows.append({
                        "surface": surface, "loss": loss, "optimizer": opt, "lr_index": i,
                        "lr": float(lr), "step": k, "x": float(t.params[k, 0]),
                        "y": float(t.params[k, 1]), "value": float(t.losses[k]),
                        "diverged_at": t.diverged_at,
                    })
    return rows


def _inside(land, p) -> np.ndarray:
    (x0, x1), (y0, y1) = land.xlim, land.ylim
    with np.errstate(invalid="ignore"):
        return (p[..., 0] >= x0) & (p[..., 0] <= x1) & (p[..., 1] >= y0) & (p[..., 1] <= y1)


def _outer_box(land):
    (x0, x1), (y0, y1) = land.xlim, land.ylim
    w, h = x1 - x0, y1 - y0
    return x0 - _OUTER * w, x1 + _OUTER * w, y0 - _OUTER * h, y1 + _OUTER * h


def display_path(land: _landscapes.Landscape, traj: _optim.Trajectory) -> np.ndarray:
    """The part of a trajectory that is drawn: every point up to where it leaves the frame.

    A diverging run reaches 1e12 and beyond; drawn as it is, it would squeeze the
    picture or overflow the renderer.  The drawn path keeps every point until the path
    first leaves an outer frame one window wide around the plotting window
    (``xlim``, ``ylim``); that last segment is cut where it crosses the frame, in its
    own direction, so the path visibly runs off the plot; later points (and the NaN
    rows after a divergence) are left out.

    Returns:
        An array of shape ``(K, 2)``, ``K <= steps + 1``, finite.

    Example:
        >>> q = landscape("quadratic")
        >>> p = display_path(q, trajectory(q, "sgd", 1.0, 5))
        >>> print(p)           # y: 2 -> -18 leaves the frame y >= -9 at 11/20 of the way
        [[-4.   2. ]
         [-1.8 -9. ]]
    """
    pts = np.asarray(traj.params, dtype=np.float64)
    bx0, bx1, by0, by1 = _outer_box(land)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(pts).all(axis=1) & (pts[:, 0] >= bx0) & (pts[:, 0] <= bx1) \
            & (pts[:, 1] >= by0) & (pts[:, 1] <= by1)
    if ok.all():
        return pts.copy()
    k = int(np.argmin(ok))  # the first point outside the frame (row 0 is always inside)
    if k == 0:
        return pts[:0].copy()
    return np.vstack([pts[:k], _cut(pts[k - 1], pts[k], (bx0, bx1, by0, by1))])


def _cut(p, q, box):
    """The point where the segment from ``p`` (inside ``box``) to ``q`` leaves the box."""
    if not np.isfinite(q).all():
        # Only the direction can be kept: replace inf by a large number of its sign.
        q = np.nan_to_num(q, nan=0.0, posinf=1e300, neginf=-1e300)
    d = q - p
    bx0, bx1, by0, by1 = box
    # Largest t in [0, 1] with p + t d inside the box (Liang-Barsky for one segment).
    t = 1.0
    for lo, hi, pi, di in ((bx0, bx1, p[0], d[0]), (by0, by1, p[1], d[1])):
        if di > 0:
            t = min(t, (hi - pi) / di)
        elif di < 0:
            t = min(t, (lo - pi) / di)
    return p + max(t, 0.0) * d


def exit_point(land: _landscapes.Landscape, traj: _optim.Trajectory):
    """Where a trajectory first leaves the plotting window: ``(step, point)`` or ``None``.

    ``step`` is the first step whose point lies outside ``xlim`` by ``ylim`` (or is
    not finite); ``point`` is where the segment from the step before crosses the
    window's edge, which both renderings mark with a cross.

    Example:
        >>> q = landscape("quadratic")
        >>> k, p = exit_point(q, trajectory(q, "sgd", 1.0, 5))
        >>> print(k, p)                     # y: 2 -> -18 crosses y = -3 at 1/4 of the way
        1 [-3. -3.]
    """
    pts = np.asarray(traj.params, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        inside = _inside(land, pts) & np.isfinite(pts).all(axis=1)
    if inside.all():
        return None
    k = int(np.argmin(inside))
    if k == 0:
        return 0, pts[0].copy()
    (x0, x1), (y0, y1) = land.xlim, land.ylim
    return k, _cut(pts[k - 1], pts[k], (x0, x1, y0, y1))


def path_message(land: _landscapes.Landscape, traj: _optim.Trajectory, lr: float | None = None) -> str:
    """One line on how a run ended: diverged, left the plot, or the final loss.

    Example:
        >>> q = landscape("quadratic")
        >>> path_message(q, trajectory(q, "sgd", 0.25, 200), 0.25)
        'lr = 0.25: diverged at step 67'
        >>> path_message(q, trajectory(q, "sgd", 0.1, 60))   # 0.5 * (4 * 0.9**60)**2
        'loss 2.6e-05 after 60 steps'
    """
    head = "" if lr is None else f"lr = {lr:.3g}: "
    steps = len(traj.params) - 1
    if traj.diverged_at is not None:
        return f"{head}diverged at step {traj.diverged_at}"
    gone = exit_point(land, traj)
    if gone is not None:
        return f"{head}left the plot at step {gone[0]}"
    return f"{head}loss {float(traj.losses[-1]):.2g} after {steps} steps"


def contour_bands(land: _landscapes.Landscape, n: int = 60, bands: int = BANDS):
    """The surface on an ``n`` by ``n`` grid of cell centres, and its band levels.

    The levels are quantiles of the values on the grid, so every band covers the same
    area: that works for every surface, whatever its scale (Rosenbrock's walls reach
    thousands, the saddle is negative).

    Returns:
        ``(xs, ys, Z, levels)``: cell centres ``xs`` ``(n,)`` and ``ys`` ``(n,)``,
        ``Z`` of shape ``(n, n)`` (row ``j`` at ``ys[j]``), and ``bands + 1``
        increasing levels from ``Z.min()`` to ``Z.max()``.
    """
    (x0, x1), (y0, y1) = land.xlim, land.ylim
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y0 + (np.arange(n) + 0.5) * (y1 - y0) / n
    X, Y = np.meshgrid(xs, ys)
    Z = np.asarray(land.f(np.stack([X, Y], axis=-1)), dtype=np.float64)
    levels = np.quantile(Z, np.linspace(0.0, 1.0, bands + 1))
    levels = np.maximum.accumulate(levels + np.arange(bands + 1) * 1e-12 * (1 + np.abs(levels)))
    return xs, ys, Z, levels


@functools.lru_cache(maxsize=64)
def _loss_cap(land) -> float:
    _, _, Z, _ = contour_bands(land)
    return 10.0 * float(np.abs(Z).max())


def loss_curve(land: _landscapes.Landscape, traj: _optim.Trajectory):
    """The loss against the step as drawn: finite values, capped at 10x the window's largest.

    A diverging run's loss grows without bound (then turns NaN, see
    :func:`lossbook.optim.run`); drawn as it is, it would flatten the rest of the
    curve.  Values beyond ten times the largest :math:`|f|` on the plotting window
    (on the grid of :func:`contour_bands`) are drawn at that cap; NaN and infinite
    values are left out.

    Returns:
        ``(steps, values)``: two arrays of the same length.

    Example:
        >>> q = landscape("quadratic")
        >>> k, v = loss_curve(q, trajectory(q, "sgd", 1.0, 20))   # diverges at step 13
        >>> # f(-4, 2) = 28; then 1620, ... capped at 10 * f(4.917, 2.95) = 556.0,
        >>> # the largest value on the 60 x 60 grid of cell centres
        >>> print(k[-1], v[:3].round(1))
        13 [ 28. 556. 556.]
    """
    vals = np.asarray(traj.losses, dtype=np.float64)
    keep = np.isfinite(vals)
    cap = _loss_cap(land)
    return np.flatnonzero(keep), np.clip(vals[keep], -cap, cap)


def band_index(Z, levels) -> np.ndarray:
    """The band (0 to ``len(levels) - 2``) each value of ``Z`` falls in.

    Example:
        >>> band_index(np.array([0.0, 0.5, 1.0, 2.0]), np.array([0.0, 1.0, 2.0]))
        array([0, 0, 1, 1])
    """
    return np.clip(np.searchsorted(levels, Z, side="right") - 1, 0, len(levels) - 2)



# =========================================================================== starts and noise
#: The start points of the playground: the surface's default, and a second one that
#: shows something else (across the steep axis of the bowl, above Rosenbrock's valley,
#: off the saddle's ridge, towards another well; the regression line's far corner).
STARTS = ("default", "second")
_SECOND = {"quadratic": (0.5, 2.8), "rosenbrock": (0.5, 2.5), "saddle": (-2.0, 0.3),
           "multi_minima": (2.5, -3.0), "himmelblau": (-4.0, 4.0)}


def start_point(land: _landscapes.Landscape, start: str = "default") -> np.ndarray:
    """The start named ``start`` (one of ``STARTS``) on ``land``.

    Example:
        >>> start_point(landscape("saddle"), "second")
        array([-2. ,  0.3])
    """
    if start not in STARTS:
        raise ValueError(f"start_point: start must be one of {', '.join(STARTS)}, got {start!r}")
    if start == "default":
        return land.default_start.copy()
    base = land.name.split(" ")[0]
    if base in _SECOND:
        return np.array(_SECOND[base], dtype=np.float64)
    (x0, x1), (y0, y1) = land.xlim, land.ylim  # the line fit: the window's lower right
    return np.array([x0 + 0.9 * (x1 - x0), y0 + 0.1 * (y1 - y0)])


def noisy(grad, x0, level: float, seed: int = 0):
    r"""``grad`` plus Gaussian noise: :math:`g(x) + \sigma \varepsilon_t`, seeded.

    :math:`\sigma` is ``level`` times the gradient's size at the start,
    :math:`\lVert g(x_0) \rVert / \sqrt{2}` per coordinate, so that a level means the
    same on every surface whatever its scale; :math:`\varepsilon_t` are standard normal
    draws, the same sequence for every optimizer (``seed``).  This mimics the noise of a
    stochastic gradient (a mini-batch's estimate) on a surface known exactly.

    Example:
        >>> g = noisy(lambda x: 2 * x, np.array([1.0, 1.0]), 0.5)
        >>> print(np.round(g(np.zeros(2)), 3))    # the noise alone, sigma = 0.5 * 2
        [ 0.126 -0.132]
    """
    rng = np.random.default_rng(seed)
    sigma = level * float(np.linalg.norm(grad(np.asarray(x0, dtype=np.float64)))) / np.sqrt(2.0)

    def g(x):
        return grad(x) + sigma * rng.standard_normal(np.shape(x))

    return g


# =========================================================================== the figure
_SURFACE_LABELS = {
    "regression": "line fit (w, b)",
    "quadratic": "quadratic bowl",
    "rosenbrock": "Rosenbrock valley",
    "saddle": "saddle point",
    "multi_minima": "three minima",
    "himmelblau": "Himmelblau",
}


@functools.lru_cache(maxsize=64)
def _picture(land: _landscapes.Landscape):
    """The surface's band indices (int8, row j at the j-th y) and its window."""
    _, _, Z, levels = contour_bands(land)
    (x0, x1), (y0, y1) = land.xlim, land.ylim
    return band_index(Z, levels).astype(np.int8), (x0, x1, y0, y1)


def playground(*, optimizer: str, surface: str = "quadratic", loss: str = "mse", lr: float = 0.1,
               momentum: float = 0.0, nesterov: bool = False, alpha: float = 0.99, beta1: float = 0.9,
               beta2: float = 0.999, weight_decay: float = 0.01, start: str = "default", noise: float = 0.0,
               steps: int = STATIC_STEPS) -> dict:
    """What the playground draws for one optimizer: its path, its loss curve, the surface.

    The compute function of :data:`FIGURE`; its keywords are the figure's controls
    (see :func:`optimizer_kwargs` for the optimizers' own).

    Returns:
        A dict: the surface (``bands``, ``extent``, ``xlim``, ``ylim``, the minima
        ``min_x``/``min_y``, the start ``sx``/``sy``), the run as drawn (the path
        ``px``/``py`` of :func:`display_path`, the exit ``ex``/``ey`` of
        :func:`exit_point` or None, the loss curve ``k``/``f`` of :func:`loss_curve`),
        ``message`` (:func:`path_message`), ``steps_dom`` and the
        :class:`lossbook.optim.Trajectory` itself as ``trajectory``.

    Example:
        >>> out = playground(optimizer="sgd", surface="quadratic", lr=0.25, steps=200)
        >>> out["message"], len(out["px"]) < 200
        ('diverged at step 67', True)
    """
    land = landscape(surface, loss)
    x0 = start_point(land, start)
    kw = optimizer_kwargs(optimizer, momentum=momentum, nesterov=nesterov, alpha=alpha, beta1=beta1,
                          beta2=beta2, weight_decay=weight_decay)
    t = trajectory(land, optimizer, lr, steps, x0=x0, noise=noise, **kw)
    path = display_path(land, t)
    gone = exit_point(land, t)
    k, f = loss_curve(land, t)
    bands, extent = _picture(land)
    mins = np.array(land.minima, dtype=np.float64).reshape(-1, 2)
    return {
        "bands": bands, "extent": extent, "xlim": land.xlim, "ylim": land.ylim,
        "min_x": mins[:, 0], "min_y": mins[:, 1], "sx": float(x0[0]), "sy": float(x0[1]),
        "px": path[:, 0], "py": path[:, 1],
        "ex": None if gone is None else float(gone[1][0]), "ey": None if gone is None else float(gone[1][1]),
        "k": k, "f": f, "steps_dom": (0, steps), "message": path_message(land, t), "trajectory": t,
    }


def _knob(name: str) -> dict:
    """``when`` of an optimizer's own knob: the optimizers it applies to."""
    return {"optimizer": tuple(o for o, ks in OPTIMIZER_CONTROLS.items() if name in ks)}


_CONTROLS = (
    Slider(name="lr", values=LEARNING_RATES, default=0.1, scale="log", live=(1e-4, 10.0, 0.05),
           label="learning rate", fmt=".2g"),
    Menu(name="surface", options=SURFACES, default="quadratic",
         labels=tuple(_SURFACE_LABELS[s] for s in SURFACES)),
    Menu(name="loss", options=CHART_LOSSES, live=regression_losses(), default="mse",
         label="loss of the line fit", when={"surface": ("regression",)}),
    Menu(name="start", options=STARTS, default="default", label="start point"),
    Slider(name="noise", values=(0.0, 0.5), default=0.0, live=(0.0, 2.0, 0.05), label="gradient noise"),
    Slider(name="momentum", values=(0.0, 0.9), default=0.0, live=(0.0, 0.99, 0.01),
           when=_knob("momentum"), label="momentum"),
    Checkbox(name="nesterov", default=False, label="Nesterov", when={"optimizer": ("sgd",), "momentum": ">0"}),
    Slider(name="alpha", values=(0.99,), default=0.99, live=(0.5, 0.999, 0.001), fmt=".3f",
           label="RMSprop alpha", when=_knob("alpha")),
    Slider(name="beta1", values=(0.9,), default=0.9, live=(0.0, 0.99, 0.01), label="Adam beta1",
           when=_knob("beta1")),
    Slider(name="beta2", values=(0.999,), default=0.999, live=(0.5, 0.9999, 0.0001), fmt=".4f",
           label="Adam beta2", when=_knob("beta2")),
    Slider(name="weight_decay", values=(0.01,), default=0.01, live=(0.0, 0.5, 0.01), label="AdamW weight decay",
           when=_knob("weight_decay")),
    Slider(name="steps", values=(STATIC_STEPS,), default=STATIC_STEPS, live=(1, 300, 1), integer=True),
)

_PATH = Panel(
    title="path on the surface", subtitle="square: start, diamond: minimum, cross: left the plot",
    xlabel="x (slope w for the line fit)", ylabel="y (intercept b for the line fit)",
    xdomain="xlim", ydomain="ylim",
    marks=(Heatmap(z="bands", extent="extent", levels=BANDS),
           Line(x="px", y="py", name="path", points=True),
           Point(x="min_x", y="min_y", shape="diamond", size=90, fill="white", color="#000000", shared=True),
           Point(x="sx", y="sy", shape="square", size=70, filled=False, color="#000000", shared=True, name="start"),
           Point(x="ex", y="ey", shape="cross", size=160, color="#000000", name="gone")),
)
_CURVE = Panel(
    title="loss against the step", subtitle="symlog scale; huge losses capped",
    xlabel="step", ylabel="loss (symlog scale)", yscale="symlog", xdomain="steps_dom", legend=True,
    marks=(Line(x="k", y="f", name="curve"),),
)

#: The optimizer playground (registered as ``"optimizer_playground"``).
FIGURE = register(Figure(
    name="optimizer_playground", compute=playground, controls=_CONTROLS, panels=(_PATH, _CURVE),
    series=Series(name="optimizer", options=OPTIMIZER_NAMES, default=("sgd", "adam"), label="optimizer"),
    message="message", width=215, height=250,
    alt="Paths of several optimizers on a loss surface, with their losses against the step; "
        "controls for the learning rate, the surface, the start, gradient noise and SGD's momentum.",
))
