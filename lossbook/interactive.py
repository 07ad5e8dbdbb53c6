r"""The computations behind the book's two interactive figures, and their static charts.

Each interactive figure exists twice: live, as an ipywidgets panel in a running
notebook (:mod:`lossbook.widgets`), and static, as a Vega-Lite chart over a
precomputed grid that runs in the HTML book without a kernel (this module).  Both
call the same functions here, so the two can never drift apart:

* the **optimizer playground**: :func:`trajectory` runs :func:`lossbook.optim.run`
  on a surface of :mod:`lossbook.landscapes`; :func:`trajectory_grid` does it for a
  grid of learning rates, optimizers and surfaces; :func:`display_path`,
  :func:`path_message` and :func:`contour_bands` turn a run into what is drawn;
  :func:`playground_chart` is the static chart.
* the **loss explorer**: :func:`loss_curves` evaluates a loss and its derivative
  against the residual (regression) or the margin (classification);
  :func:`fit_under_loss` fits a line (regression) or a linear classifier under that
  loss; :func:`explorer_data` makes the data it is fitted to;
  :func:`loss_explorer_chart` is the static chart.

:func:`to_html` and :func:`embed` put a chart in a page that loads nothing from the
network: the Vega JavaScript is inlined (by ``vl-convert-python``) and the chart
sits in an ``<iframe srcdoc=...>``, so that several charts on one page cannot clash.

Importing this module imports NumPy and :mod:`lossbook` only; Altair is imported by
the functions that build charts.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
from typing import NamedTuple

import numpy as np

from lossbook import landscapes as _landscapes
from lossbook import losses as _losses
from lossbook import optim as _optim
from lossbook import plotting as _plotting

__all__ = [
    "SURFACES",
    "PLAYGROUND_LOSSES",
    "LEARNING_RATES",
    "OPTIMIZER_NAMES",
    "OPTIMIZER_CONTROLS",
    "STATIC_STEPS",
    "landscape",
    "regression_losses",
    "optimizer_kwargs",
    "trajectory",
    "trajectory_grid",
    "display_path",
    "exit_point",
    "path_message",
    "contour_bands",
    "loss_curve",
    "playground_chart",
    "EXPLORER_LOSSES",
    "HYPERPARAMETERS",
    "DATA_GRID",
    "DATA_DEFAULT",
    "EXPLORER_BOX",
    "default_hyper",
    "explorer_styles",
    "loss_curves",
    "explorer_data",
    "Fit",
    "fit_under_loss",
    "loss_explorer_chart",
    "to_html",
    "to_iframe",
    "embed",
]

# =========================================================================== playground
#: The surfaces of the playground; ``"regression"`` is :func:`lossbook.landscapes.regression_surface`
#: under the chosen loss, the others are the test surfaces of :mod:`lossbook.landscapes`.
SURFACES = ("regression", "quadratic", "rosenbrock", "saddle", "multi_minima")

#: The regression losses of the static playground's grid (the live one offers all of
#: :func:`regression_losses`).
PLAYGROUND_LOSSES = ("mse", "mae", "huber", "log_cosh")

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
_BANDS = 12


def regression_losses() -> tuple[str, ...]:
    """The registered regression losses that a regression surface can use.

    Every loss of ``lossbook.losses.available("regression")`` that works elementwise
    (``reduction="none"``) with its default hyperparameters; :func:`lossbook.losses.rmse`
    (a square root of a mean, with no per-example value) is left out.

    Example:
        >>> "huber" in regression_losses(), "rmse" in regression_losses()
        (True, False)
    """
    return _regression_losses()


@functools.lru_cache(maxsize=1)
def _regression_losses() -> tuple[str, ...]:
    out = []
    for name in _losses.available("regression"):
        fn = _losses.get(name)
        try:
            fn.grad(np.zeros(2), np.array([0.5, -1.0]), reduction="none")
        except (ValueError, TypeError):
            continue
        out.append(name)
    return tuple(out)


def landscape(surface: str = "quadratic", loss: str = "mse", **loss_kwargs) -> _landscapes.Landscape:
    """The surface named ``surface``; for ``"regression"``, the line fit under ``loss``.

    Surfaces are built once and cached (a regression surface finds its minimum when it
    is built, which takes a few tens of milliseconds).

    Args:
        surface: one of :data:`SURFACES` (or any name of
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
        if loss not in _regression_losses():
            raise ValueError(
                f"landscape: loss must be one of {', '.join(_regression_losses())} for the "
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
    to ``optimizer`` (see :data:`OPTIMIZER_CONTROLS`) are ignored, and ``nesterov``
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
               x0=None, **opt_kw) -> _optim.Trajectory:
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
    start = land.default_start if x0 is None else x0
    return _optim.run(opt, land.grad, start, steps, loss_fn=land.f)


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
        surfaces: surface names (see :data:`SURFACES`).
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


def contour_bands(land: _landscapes.Landscape, n: int = 60, bands: int = _BANDS):
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


def _band_index(Z, levels):
    return np.clip(np.searchsorted(levels, Z, side="right") - 1, 0, len(levels) - 2)


def _decimals(span: float, resolution: int = 2000) -> int:
    """Decimals that resolve ``span / resolution`` (a pixel or finer)."""
    return max(0, int(math.ceil(-math.log10(span / resolution))))


def _sig(v: float, digits: int = 4):
    """``v`` rounded to ``digits`` significant digits, as a short JSON number."""
    return float(f"{v:.{digits}g}")


def _pack(values, decimals: int | None = None) -> str:
    """Numbers as one comma-separated string, ``decimals`` places or 4 significant digits.

    The static charts carry their arrays as strings (unpacked in the browser with
    Vega's ``split`` and ``toNumber``): a third smaller than JSON arrays, and Altair
    validates one string instead of thousands of numbers.
    """
    out = []
    for v in values:
        t = f"{v:.{decimals}f}" if decimals is not None else f"{v:.4g}"
        if "." in t and "e" not in t:
            t = t.rstrip("0").rstrip(".")
        out.append("0" if t in ("-0", "") else t)
    return ",".join(out)


def _unpack(text: str) -> np.ndarray:
    """Inverse of :func:`_pack` (for the tests)."""
    return np.array([float(v) for v in text.split(",")]) if text else np.zeros(0)


#: Digits of the contour band indices, one character per cell.
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _key(surface, loss):
    return f"regression/{loss}" if surface == "regression" else surface


_SURFACE_LABELS = {
    "regression": "line fit (w, b)",
    "quadratic": "quadratic bowl",
    "rosenbrock": "Rosenbrock valley",
    "saddle": "saddle point",
    "multi_minima": "three minima",
    "himmelblau": "Himmelblau",
}


def _static_values(land, t, lr, decimals):
    """The arrays one static trajectory carries: the drawn path, the capped losses."""
    path = display_path(land, t)
    _, vals = loss_curve(land, t)
    return {
        "x": _pack(path[:, 0], decimals[0]),
        "y": _pack(path[:, 1], decimals[1]),
        "f": _pack(vals),
        "m": path_message(land, t, lr),
        "d": -1 if t.diverged_at is None else int(t.diverged_at),
        **_exit_fields(land, t, decimals),
    }


def _exit_fields(land, t, decimals):
    gone = exit_point(land, t)
    if gone is None:
        return {}
    return {"ex": round(float(gone[1][0]), decimals[0]), "ey": round(float(gone[1][1]), decimals[1])}


def playground_chart(lrs=LEARNING_RATES, optimizers=OPTIMIZER_NAMES, surfaces=SURFACES,
                     losses=PLAYGROUND_LOSSES, steps: int = STATIC_STEPS, *, width: int = 240,
                     height: int = 300, cells: int = 60, rows: list[dict] | None = None):
    """The static optimizer playground: an Altair chart over precomputed trajectories.

    Left: the surface as filled contour bands, with the path of the chosen optimizer
    and learning rate (a cross where a run left the plot); right: its loss against the
    step (symlog scale), with the message of :func:`path_message`.  Hovering over a
    step on the right marks the point on the left.  The controls under the chart (a
    learning-rate slider on a log scale and dropdowns for the optimizer, the surface
    and the loss of the line fit) choose among the runs of :func:`trajectory_grid`;
    nothing is computed in the browser but the filtering.

    Args:
        lrs: learning rates, log-spaced (the slider moves by their ratio).
        optimizers, surfaces, losses, steps: the grid (see :func:`trajectory_grid`).
        width, height: size of each panel in pixels.
        cells: the contour background has ``cells`` by ``cells`` cells.
        rows: the table of :func:`trajectory_grid` for this grid, if already computed.

    Returns:
        An ``altair.HConcatChart``; render it with :func:`embed`.  With the default
        grid (360 runs of 60 steps) the page is about 1.4 MB, 0.9 MB of which is the
        inlined Vega JavaScript.
    """
    import altair as alt

    lrs = [float(v) for v in lrs]
    logs = np.log10(lrs)
    if len(lrs) > 1:
        spacing = np.diff(logs)
        if not np.allclose(spacing, spacing[0], rtol=1e-6) or spacing[0] <= 0:
            raise ValueError(f"playground_chart: lrs must be increasing and log-spaced (e.g. np.logspace), got {lrs!r}")
        lr_step = float(round(spacing[0], 6))
    else:
        lr_step = 1.0
    keys = list(_grid_keys(surfaces, losses))
    if not keys or not optimizers:
        raise ValueError("playground_chart: the grid is empty; pass at least one surface and one optimizer")
    if rows is None:
        rows = trajectory_grid(lrs, optimizers, surfaces, losses, steps)

    # ---- pack the tidy table: one record per run with the path as arrays
    runs, backgrounds, minima, domains = [], [], [], {}
    by_run: dict = {}
    for r in rows:
        by_run.setdefault((r["surface"], r["loss"], r["optimizer"], r["lr_index"]), []).append(r)
    for surface, loss in keys:
        land = landscape(surface, loss or "mse")
        (x0, x1), (y0, y1) = land.xlim, land.ylim
        key = _key(surface, loss)
        domains[key] = [[round(x0, 4), round(x1, 4)], [round(y0, 4), round(y1, 4)]]
        dec = (_decimals(x1 - x0), _decimals(y1 - y0))
        xs, ys, Z, levels = contour_bands(land, cells)
        backgrounds.append({
            "s": surface, "l": loss, "nx": cells, "x0": x0, "y0": y0,
            "dx": (x1 - x0) / cells, "dy": (y1 - y0) / cells,
            "z": "".join(_DIGITS[i] for i in _band_index(Z, levels).ravel()),
        })
        for m in land.minima:
            minima.append({"s": surface, "l": loss, "x": round(float(m[0]), dec[0]), "y": round(float(m[1]), dec[1])})
        for opt in optimizers:
            for i, lr in enumerate(lrs):
                run_rows = by_run[(surface, loss, opt, i)]
                t = _optim.Trajectory(
                    np.array([[q["x"], q["y"]] for q in run_rows]),
                    np.array([q["value"] for q in run_rows]),
                    run_rows[0]["diverged_at"],
                )
                runs.append({"s": surface, "l": loss, "o": opt, "g": round(float(logs[i]), 6),
                             **_static_values(land, t, lr, dec)})

    # ---- controls
    opt_param = alt.param(name="optimizer", value=optimizers[0],
                          bind=alt.binding_select(options=list(optimizers), name="optimizer "))
    lr_param = alt.param(name="log_lr", value=float(round(logs[len(logs) // 2], 6)),
                         bind=alt.binding_range(min=float(round(logs[0], 6)), max=float(round(logs[-1], 6)),
                                                step=lr_step, name="learning rate (log10) "))
    surface_names = list(dict.fromkeys(s for s, _ in keys))
    surface_param = alt.param(name="surface", value=surface_names[0],
                              bind=alt.binding_select(options=surface_names, name="surface ",
                                                      labels=[_SURFACE_LABELS.get(s, s) for s in surface_names]))
    reg_losses = [loss for s, loss in keys if s == "regression"]
    loss_param = alt.param(name="loss", value=reg_losses[0] if reg_losses else "",
                           bind=alt.binding_select(options=reg_losses or [""], name="loss of the line fit "))
    params = [lr_param, opt_param, surface_param, loss_param]

    pick = "datum.s == surface && (surface != 'regression' || datum.l == loss)"
    pick_run = f"{pick} && datum.o == optimizer && abs(datum.g - log_lr) < 1e-6"
    key_expr = "(surface == 'regression' ? 'regression/' + loss : surface)"
    dom_x = {k: v[0] for k, v in domains.items()}
    dom_y = {k: v[1] for k, v in domains.items()}
    xscale = alt.Scale(domain={"expr": f"({json.dumps(dom_x, separators=(',', ':'))})[{key_expr}]"}, nice=False, zero=False)
    yscale = alt.Scale(domain={"expr": f"({json.dumps(dom_y, separators=(',', ':'))})[{key_expr}]"}, nice=False, zero=False)
    colors = alt.Scale(domain=list(optimizers), range=[_plotting.color(o) for o in optimizers])
    hover = alt.selection_point(name="hover", on="pointerover", nearest=True, fields=["k"], empty=False, clear="pointerout")

    runs_data = alt.Data(name="runs")

    def unpacked(*fields):
        # the run's arrays, one row per step: split the strings, flatten, number the rows
        chart = alt.Chart(runs_data).transform_filter(pick_run)
        chart = chart.transform_calculate(**{f: f"split(datum.{f}, ',')" for f in fields})
        chart = chart.transform_flatten(list(fields)).transform_calculate(
            **{f: f"toNumber(datum.{f})" for f in fields})
        return chart.transform_window(k="row_number()").transform_calculate(k="datum.k - 1")

    points = unpacked("x", "y")
    x_title = "x  (slope w for the line fit)"
    y_title = "y  (intercept b for the line fit)"
    background = (
        alt.Chart(alt.Data(name="surfaces"))
        .transform_filter(pick)
        .transform_calculate(z="split(datum.z, '')")
        .transform_flatten(["z"])
        .transform_calculate(z=f"indexof('{_DIGITS}', datum.z)")
        .transform_window(c="row_number()")
        .transform_calculate(
            cx="datum.x0 + ((datum.c - 1) % datum.nx) * datum.dx",
            cy="datum.y0 + floor((datum.c - 1) / datum.nx) * datum.dy",
        )
        .transform_calculate(cx2="datum.cx + datum.dx", cy2="datum.cy + datum.dy")
        .mark_rect(opacity=0.75)
        .encode(
            x=alt.X("cx:Q", scale=xscale, title=x_title), x2="cx2:Q",
            y=alt.Y("cy:Q", scale=yscale, title=y_title), y2="cy2:Q",
            color=alt.Color("z:Q", scale=alt.Scale(scheme="blues", reverse=True, domain=[0, _BANDS - 1]), legend=None),
        )
    )
    path = unpacked("x", "y").properties(name="path").mark_line(clip=True, strokeWidth=2).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale), order="k:Q",
        color=alt.Color("o:N", scale=colors, legend=None))
    dots = points.mark_circle(clip=True, size=18).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale),
        color=alt.Color("o:N", scale=colors, legend=None),
        size=alt.condition(hover, alt.value(120), alt.value(18)),
        tooltip=[alt.Tooltip("k:Q", title="step"), alt.Tooltip("x:Q"), alt.Tooltip("y:Q")],
    )
    start = points.transform_filter("datum.k == 0").mark_point(shape="square", size=70, filled=False, clip=True,
                                                               color="black").encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale))
    gone = (alt.Chart(runs_data).transform_filter(pick_run)
            .transform_filter("isValid(datum.ex)")
            .mark_point(shape="cross", size=160, color="black", strokeWidth=2.5)
            .encode(x=alt.X("ex:Q", scale=xscale), y=alt.Y("ey:Q", scale=yscale)))
    best = (alt.Chart(alt.Data(name="minima")).transform_filter(pick)
            .mark_point(shape="diamond", size=90, filled=True, color="white", stroke="black", clip=True)
            .encode(x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale)))
    left = alt.layer(background, path, dots, start, best, gone).properties(
        width=width, height=height,
        title=alt.TitleParams("path on the surface", subtitle="square: start, diamond: minimum, cross: left the plot",
                              offset=24))

    curve_base = unpacked("f")
    curve = curve_base.mark_line(strokeWidth=2).encode(
        x=alt.X("k:Q", title="step", scale=alt.Scale(domain=[0, steps], nice=False), axis=alt.Axis(labelFlush=True)),
        y=alt.Y("f:Q", title="loss (symlog scale)", scale=alt.Scale(type="symlog")),
        color=alt.Color("o:N", scale=colors, legend=None),
    )
    # Nearly invisible points that catch the pointer; the hovered one shows.
    curve_pts = curve_base.mark_circle().encode(
        x="k:Q", y="f:Q", color=alt.Color("o:N", scale=colors, legend=None),
        size=alt.condition(hover, alt.value(90), alt.value(30)),
        opacity=alt.condition(hover, alt.value(1.0), alt.value(0.01)),
        tooltip=[alt.Tooltip("k:Q", title="step"), alt.Tooltip("f:Q", title="loss")],
    ).add_params(hover)
    message = (alt.Chart(runs_data).transform_filter(pick_run)
               .mark_text(align="left", baseline="bottom", fontSize=13, fontWeight="bold")
               .encode(text="m:N", x=alt.value(0), y=alt.value(-6)))
    right = alt.layer(curve, curve_pts, message).properties(
        width=width, height=height,
        title=alt.TitleParams("loss against the step",
                              subtitle="symlog scale, capped at 10x the window's largest loss", offset=24))
    chart = alt.hconcat(left, right).add_params(*params).configure_view(stroke=None)
    # Each data set once, by name: inline values would be repeated in every layer.
    # Vega sizes the drawing to the panels and axes; the right panel's centred subtitle
    # and its last tick label overhang that box and were cut off without the padding.
    return chart.properties(datasets={"runs": runs, "surfaces": backgrounds, "minima": minima},
                            padding={"left": 5, "top": 5, "right": 60, "bottom": 5})


# =========================================================================== loss explorer
#: The losses of the explorer, by kind.
EXPLORER_LOSSES = {
    "regression": ("mse", "mae", "huber", "smooth_l1", "log_cosh", "quantile"),
    "classification": ("binary_cross_entropy_with_logits", "focal", "hinge", "squared_hinge", "cross_entropy"),
}


def _grid(lo, hi, step):
    return tuple(round(lo + i * step, 10) for i in range(int(round((hi - lo) / step)) + 1))


#: Each loss's hyperparameters and the values the static explorer precomputes (the
#: widget's sliders cover the same range, more finely).  ``None`` means "off" (focal
#: loss without class weight).
HYPERPARAMETERS = {
    "huber": {"delta": _grid(0.25, 2.25, 0.25)},
    "smooth_l1": {"beta": _grid(0.25, 2.25, 0.25)},
    "quantile": {"tau": _grid(0.1, 0.9, 0.1)},
    # The classification grid is coarser: every value costs one fit per data level, and
    # the chart is precomputed whenever a chapter that shows it is executed.
    "binary_cross_entropy_with_logits": {"pos_weight": _grid(1.0, 19.0, 3.0)},
    "focal": {"gamma": _grid(0.0, 4.0, 1.0), "alpha": (None, 0.25, 0.75)},
    "hinge": {"margin": _grid(0.0, 2.0, 0.5)},
    "squared_hinge": {"margin": _grid(0.0, 2.0, 0.5)},
    "cross_entropy": {"label_smoothing": _grid(0.0, 0.4, 0.1)},
}

#: The data control of each kind, outliers among 40 points (regression) or the share of
#: the positive class among 200 points (classification).
DATA_GRID = {
    "regression": ("outliers", (0, 2, 4, 6, 8, 10)),
    "classification": ("positive_share", (0.5, 0.3, 0.2, 0.1, 0.05)),
}

#: The window of the explorer's fit panel, the x range of the lines (regression) or the
#: plane of the decision boundaries (classification).
EXPLORER_BOX = {"regression": ((-2.0, 2.0), None), "classification": ((-5.0, 5.0), (-4.0, 4.0))}

#: The data level each explorer starts with.
DATA_DEFAULT = {"regression": 4, "classification": 0.1}

_SHORT = {"binary_cross_entropy_with_logits": "bce", "cross_entropy": "ce", "squared_hinge": "sq_hinge"}


def explorer_styles(names) -> dict:
    """Colour and line style of each loss, from :mod:`lossbook.plotting`, kept distinct.

    Two losses with the same style in the book's palette (the binary and the softmax
    cross-entropy are both solid blue: they are the same loss on two logits) would be
    indistinguishable on one plot; the later one is drawn dotted.

    Example:
        >>> explorer_styles(["binary_cross_entropy_with_logits", "cross_entropy"])["cross_entropy"]
        ('#0072B2', ':')
    """
    out, seen = {}, set()
    for n in names:
        st = (_plotting.color(n), _plotting.linestyle(n))
        if st in seen:
            st = (st[0], next(ls for ls in (":", "--", "-.", "-") if (st[0], ls) not in seen))
        seen.add(st)
        out[n] = st
    return out


#: Hyperparameters whose default ``None`` means a value a slider can show.
_NEUTRAL = {("binary_cross_entropy_with_logits", "pos_weight"): 1.0}


def default_hyper(name: str) -> dict:
    """The default hyperparameters of the explorer loss ``name`` (its signature's).

    A default of ``None`` that means a plain number (``pos_weight=None`` weighs the
    positive term by 1) is given as that number, so that a slider can start there.

    Example:
        >>> default_hyper("focal")
        {'gamma': 2.0, 'alpha': None}
        >>> default_hyper("binary_cross_entropy_with_logits")
        {'pos_weight': 1.0}
    """
    fn = _losses.get(name)
    sig = inspect.signature(fn)
    out = {}
    for h in HYPERPARAMETERS.get(name, {}):
        v = sig.parameters[h].default
        out[h] = _NEUTRAL.get((name, h), v) if v is None else v
    return out


def _kind(name):
    for kind, names in EXPLORER_LOSSES.items():
        if name in names:
            return kind
    raise ValueError(
        f"loss explorer: loss must be one of {', '.join(n for ns in EXPLORER_LOSSES.values() for n in ns)}, got {name!r}"
    )


def _pointwise(name: str, y, s, hyper: dict, *, value: bool = True):
    """Per-example loss and its derivative with respect to the prediction or score.

    ``y`` are regression targets, or 0/1 labels for classification; ``s`` the
    predictions or scores.  Converts to each loss's convention: +-1 labels for the
    hinge losses, two logits ``(0, s)`` for the softmax cross-entropy (which then
    equals the binary cross-entropy of ``s`` without smoothing).
    """
    fn = _losses.get(name)
    kw = dict(hyper)
    if name in ("hinge", "squared_hinge"):
        y = 2.0 * y - 1.0
    elif name == "cross_entropy":
        labels = y.astype(np.int64)
        z = np.stack([np.zeros_like(s), s], axis=-1)
        val = fn(labels, z, reduction="none", **kw) if value else None
        # reduction="sum": each row's derivative of its own loss (rows are independent)
        return val, fn.grad(labels, z, reduction="sum", **kw)[:, 1]
    val = fn(y, s, reduction="none", **kw) if value else None
    return val, fn.grad(y, s, reduction="none", **kw)


def loss_curves(name: str, r=None, **hyper):
    r"""A loss and its derivative along the residual or the margin.

    Regression losses are evaluated at :math:`y = 0`, :math:`\hat y = r`, so the
    horizontal axis is the residual :math:`r = \hat y - y`; classification losses at
    a positive example with score :math:`r`, so it is the margin :math:`y\,s` (with
    :math:`y = \pm 1`); the softmax cross-entropy gets the logits :math:`(0, r)`.

    Args:
        name: a loss of :data:`EXPLORER_LOSSES`.
        r: where to evaluate (default 241 points on [-3, 3]).
        **hyper: its hyperparameters (default: the loss's defaults).

    Returns:
        ``(r, loss, dloss)``: three arrays of the shape of ``r``.

    Example:
        >>> r, l, d = loss_curves("huber", [0.5, 3.0], delta=1.0)
        >>> print(l, d)
        [0.125 2.5  ] [0.5 1. ]
    """
    kind = _kind(name)
    r = np.linspace(-3.0, 3.0, 241) if r is None else np.asarray(r, dtype=np.float64)
    hyper = {**default_hyper(name), **hyper}
    if kind == "regression":
        val, d = _pointwise(name, np.zeros_like(r), r, hyper)
    else:
        val, d = _pointwise(name, np.ones_like(r), r, hyper)
    return r, np.asarray(val, dtype=np.float64), np.asarray(d, dtype=np.float64)


def explorer_data(kind: str, level=None):
    """The data the explorer fits: a line with outliers, or two imbalanced blobs.

    Args:
        kind: ``"regression"``: :func:`lossbook.data.linear` with 40 points and
            ``level`` outliers (default 4); ``"classification"``:
            :func:`lossbook.data.blobs` with 200 points and a positive class of share
            ``level`` (default 0.1).

    Returns:
        ``(x, y)``: ``x`` of shape ``(40,)`` and ``y`` ``(40,)`` (regression), or
        ``X`` ``(200, 2)`` and 0/1 labels ``(200,)`` (classification).
    """
    from lossbook import data

    if kind == "regression":
        k = DATA_DEFAULT[kind] if level is None else int(level)
        return data.linear(40, outliers=k, seed=0)
    if kind == "classification":
        p = DATA_DEFAULT[kind] if level is None else float(level)
        return data.blobs(200, weights=(1.0 - p, p), seed=0)
    raise ValueError(f"explorer_data: kind must be 'regression' or 'classification', got {kind!r}")


class Fit(NamedTuple):
    """A model fitted by :func:`fit_under_loss`.

    Attributes:
        coef: ``(w, b)`` of the line :math:`\\hat y = w x + b` (regression) or
            ``(w1, w2, b)`` of the score :math:`s = w_1 x_1 + w_2 x_2 + b`
            (classification).
        loss: the mean loss at ``coef``.
        trajectory: the optimizer's run (:class:`lossbook.optim.Trajectory`).
    """

    coef: np.ndarray
    loss: float
    trajectory: _optim.Trajectory


def fit_under_loss(name: str, x, y, *, steps: int = 300, lr: float = 0.2, **hyper) -> Fit:
    r"""Fit a linear model by minimizing the mean of the loss ``name``.

    .. math::

        \min_\theta \frac1N \sum_{i=1}^N \ell\bigl(y_i, f_\theta(x_i)\bigr), \qquad
        f_\theta(x) = w x + b \ \text{(regression)}, \quad
        f_\theta(x) = w^\top x + b \ \text{(classification, a score)}

    The gradient is the loss's own ``grad`` through the chain rule,
    :math:`\partial L/\partial w = \frac1N\sum_i \ell'_i x_i`,
    :math:`\partial L/\partial b = \frac1N\sum_i \ell'_i`, and the optimizer is
    :class:`lossbook.optim.Adam` from :math:`\theta = 0` with a cosine learning-rate
    decay to 0 (:func:`lossbook.optim.cosine_decay`): the decay lets the non-smooth
    losses (MAE, pinball, hinge) settle instead of jumping around their kink.

    Args:
        name: a loss of :data:`EXPLORER_LOSSES`.
        x: inputs, ``(N,)`` (regression) or ``(N, 2)`` (classification).
        y: targets ``(N,)``: real numbers, or 0/1 labels.
        steps: optimizer steps (default 300).
        lr: peak learning rate (default 0.2).
        **hyper: the loss's hyperparameters.

    Example:
        >>> import numpy as np
        >>> x = np.linspace(-1.0, 1.0, 9); y = 2 * x + 1
        >>> print(fit_under_loss("mae", x, y).coef.round(3))
        [2. 1.]
    """
    kind = _kind(name)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    hyper = {**default_hyper(name), **hyper}
    if kind == "regression":
        if x.ndim != 1 or x.shape != y.shape:
            raise ValueError(f"fit_under_loss: x and y must be 1-D of one shape for regression, got {x.shape} and {y.shape}")
        feats = x[:, None]
    else:
        if x.ndim != 2 or x.shape[0] != y.shape[0] or y.ndim != 1:
            raise ValueError(f"fit_under_loss: x must be (N, 2) and y (N,) for classification, got {x.shape} and {y.shape}")
        feats = x
    n = feats.shape[0]

    def objective(theta):
        val, _ = _pointwise(name, y, feats @ theta[:-1] + theta[-1], hyper)
        return float(np.mean(val))

    def grad(theta):
        _, d = _pointwise(name, y, feats @ theta[:-1] + theta[-1], hyper, value=False)
        d = d / n
        return np.concatenate([feats.T @ d, [d.sum()]])

    schedule = functools.partial(_optim.cosine_decay, lr=lr, T_max=max(steps, 1))
    opt = _optim.Adam(lr=lr)
    # No loss_fn: the loss is needed only at the end, and evaluating it at every step
    # would double the cost of a fit (the live explorer refits on every slider move).
    t = _optim.run(opt, grad, np.zeros(feats.shape[1] + 1), steps, lr_schedule=schedule)
    return Fit(t.params[-1].copy(), objective(t.params[-1]), t)


def _hyper_combos(name):
    spec = HYPERPARAMETERS.get(name, {})
    combos = [{}]
    for h, values in spec.items():
        combos = [{**c, h: v} for c in combos for v in values]
    return combos


def _field(name, h):
    return f"{_SHORT.get(name, name)}_{h}"


def _line_in_box(coef, box):
    """Endpoints of the boundary w1 x1 + w2 x2 + b = 0 inside ``box`` (or None)."""
    (x0, x1), (y0, y1) = box
    w1, w2, b = coef
    pts = []
    if abs(w2) > 1e-12:
        for xv in (x0, x1):
            yv = -(b + w1 * xv) / w2
            if y0 <= yv <= y1:
                pts.append((xv, yv))
    if abs(w1) > 1e-12:
        for yv in (y0, y1):
            xv = -(b + w2 * yv) / w1
            if x0 <= xv <= x1:
                pts.append((xv, yv))
    if len(pts) < 2:
        return None
    pts.sort()
    return pts[0], pts[-1]


def _recall(coef, X, y):
    s = X @ coef[:-1] + coef[-1]
    pos = y == 1
    return float(np.mean(s[pos] > 0)) if pos.any() else float("nan")


def loss_explorer_chart(kind: str = "regression", *, names=None, levels=None, steps: int = 300,
                        width: int = 250, height: int = 210):
    """The static loss explorer: curves, derivatives and fits over a precomputed grid.

    Three panels: the losses against the residual (regression) or margin
    (classification), their derivatives, and the models fitted under each loss on data
    with outliers (regression: the lines) or with a rare positive class
    (classification: the decision boundaries :math:`s = 0`, with the recall of the
    positive class in the tooltip).  Under the chart: a checkbox per loss, a slider per
    hyperparameter (over :data:`HYPERPARAMETERS`) and a slider for the data
    (:data:`DATA_GRID`).  Every curve and fit comes from :func:`loss_curves` and
    :func:`fit_under_loss`.

    Args:
        kind: ``"regression"`` or ``"classification"``.
        names: the losses (default :data:`EXPLORER_LOSSES` of ``kind``).
        levels: the data levels (default :data:`DATA_GRID` of ``kind``).
        steps: optimizer steps of each fit.
        width, height: panel size in pixels.

    Returns:
        An ``altair.HConcatChart``; render it with :func:`embed`.
    """
    import altair as alt

    if kind not in EXPLORER_LOSSES:
        raise ValueError(f"loss_explorer_chart: kind must be 'regression' or 'classification', got {kind!r}")
    names = tuple(EXPLORER_LOSSES[kind] if names is None else names)
    for n in names:
        if _kind(n) != kind:
            raise ValueError(f"loss_explorer_chart: {n!r} is not a {kind} loss of the explorer")
    data_name, default_levels = DATA_GRID[kind]
    levels = tuple(default_levels if levels is None else levels)
    r = np.linspace(-3.0, 3.0, 121)

    curves, fits, points = [], [], []
    datasets = {lv: explorer_data(kind, lv) for lv in levels}
    for lv in levels:
        x, y = datasets[lv]
        if kind == "regression":
            points += [{"v": lv, "px": round(float(a), 3), "py": round(float(b), 3)} for a, b in zip(x, y)]
        else:
            points += [{"v": lv, "px": round(float(a), 3), "py": round(float(b), 3), "c": int(c)}
                       for (a, b), c in zip(x, y)]
    box = EXPLORER_BOX[kind]
    for name in names:
        for combo in _hyper_combos(name):
            hyp = {_field(name, h): ("none" if v is None else v) for h, v in combo.items()}
            _, val, d = loss_curves(name, r, **combo)
            curves.append({"n": name, **hyp, "v": [_sig(v) for v in val], "d": [_sig(v) for v in d]})
            for lv in levels:
                x, y = datasets[lv]
                fit = fit_under_loss(name, x, y, steps=steps, **combo)
                if kind == "regression":
                    w, b = fit.coef
                    (a0, a1), _ = box
                    fits.append({"n": name, **hyp, "v": lv, "x1": a0, "x2": a1,
                                 "y1": round(float(w * a0 + b), 4), "y2": round(float(w * a1 + b), 4),
                                 "w": round(float(w), 4), "b": round(float(b), 4)})
                else:
                    ends = _line_in_box(fit.coef, box)
                    rec = {"n": name, **hyp, "v": lv, "recall": round(_recall(fit.coef, x, y), 3)}
                    if ends is not None:  # e.g. hinge with margin 0 is minimized by s = 0
                        (a0, c0), (a1, c1) = ends
                        rec.update(x1=round(a0, 4), y1=round(c0, 4), x2=round(a1, 4), y2=round(c1, 4))
                    fits.append(rec)

    # ---- controls: a checkbox per loss, a slider (or a select) per hyperparameter
    params, clauses = [], []
    default_on = {"regression": ("mse", "mae", "huber"),
                  "classification": ("binary_cross_entropy_with_logits", "focal", "hinge")}[kind]
    for name in names:
        show = f"show_{_SHORT.get(name, name)}"
        params.append(alt.param(name=show, value=name in default_on,
                                bind=alt.binding_checkbox(name=f"{name} ")))
        conds = [f"datum.n == '{name}'", show]
        defaults = default_hyper(name)
        for h, values in HYPERPARAMETERS.get(name, {}).items():
            field = _field(name, h)
            if any(v is None for v in values):
                opts = ["none" if v is None else v for v in values]
                start = "none" if defaults[h] is None else defaults[h]
                params.append(alt.param(name=field, value=start,
                                        bind=alt.binding_select(options=opts, name=f"{name}: {h} ")))
                conds.append(f"datum.{field} == {field}")
            else:
                step = round(values[1] - values[0], 10)
                start = defaults[h] if defaults[h] in values else values[0]
                params.append(alt.param(name=field, value=start, bind=alt.binding_range(
                    min=values[0], max=values[-1], step=step, name=f"{name}: {h} ")))
                conds.append(f"abs(datum.{field} - {field}) < 1e-9")
        clauses.append("(" + " && ".join(conds) + ")")
    default_level = DATA_DEFAULT[kind] if DATA_DEFAULT[kind] in levels else levels[len(levels) // 2]
    label = {"outliers": "outliers ", "positive_share": "positive share "}[data_name]
    spacing = np.diff(levels)
    if len(levels) > 1 and np.allclose(spacing, spacing[0]) and spacing[0] > 0:
        bind = alt.binding_range(min=levels[0], max=levels[-1], step=float(spacing[0]), name=label)
    else:
        bind = alt.binding_select(options=list(levels), name=label)
    params.append(alt.param(name="level", value=default_level, bind=bind))
    pick = " || ".join(clauses)

    styles = explorer_styles(names)
    color = alt.Color("n:N", scale=alt.Scale(domain=list(names), range=[styles[n][0] for n in names]),
                      title="loss", legend=alt.Legend(orient="bottom", columns=2, symbolStrokeWidth=2))
    dash = {"-": [1, 0], "--": [6, 3], "-.": [6, 3, 2, 3], ":": [2, 2]}
    stroke = alt.StrokeDash("n:N", scale=alt.Scale(domain=list(names), range=[dash[styles[n][1]] for n in names]),
                            legend=None)
    xlabel = "residual r = y_hat - y" if kind == "regression" else "margin y s"
    curve_base = (alt.Chart(alt.Data(name="curves")).transform_filter(pick)
                  .transform_flatten(["v", "d"]).transform_window(k="row_number()", groupby=["n"])
                  .transform_calculate(r=f"{r[0]} + (datum.k - 1) * {(r[-1] - r[0]) / (len(r) - 1)}"))
    loss_panel = curve_base.mark_line(strokeWidth=2).encode(
        x=alt.X("r:Q", title=xlabel), y=alt.Y("v:Q", title="loss per example"), color=color, strokeDash=stroke,
    ).properties(width=width, height=height, title="loss", name="curves")
    grad_panel = curve_base.mark_line(strokeWidth=2).encode(
        x=alt.X("r:Q", title=xlabel), y=alt.Y("d:Q", title="derivative"), color=color, strokeDash=stroke,
    ).properties(width=width, height=height, title="derivative (the push on the model)", name="derivatives")

    pts = alt.Chart(alt.Data(name="points")).transform_filter("datum.v == level")
    fit_lines = (alt.Chart(alt.Data(name="fits"), name="fits").transform_filter(f"datum.v == level && ({pick})")
                 .mark_rule(strokeWidth=2.5))
    if kind == "regression":
        scatter = pts.mark_circle(size=28, color="#555555").encode(
            x=alt.X("px:Q", title="x", scale=alt.Scale(domain=list(box[0]))), y=alt.Y("py:Q", title="y"))
        fit_layer = fit_lines.encode(x="x1:Q", y="y1:Q", x2="x2:Q", y2="y2:Q", color=color, strokeDash=stroke,
                                     tooltip=["n:N", "w:Q", "b:Q"])
        title = "lines fitted under each loss (outliers pushed up by 8)"
    else:
        scatter = pts.mark_point(size=24, filled=True, clip=True).encode(
            x=alt.X("px:Q", title="x1", scale=alt.Scale(domain=list(box[0]), nice=False)),
            y=alt.Y("py:Q", title="x2", scale=alt.Scale(domain=list(box[1]), nice=False)),
            shape=alt.Shape("c:N", title="class", scale=alt.Scale(domain=[0, 1], range=["circle", "triangle-up"])),
            opacity=alt.Opacity("c:O", scale=alt.Scale(domain=[0, 1], range=[0.25, 0.9]), legend=None),
            fill=alt.value("#444444"), stroke=alt.value("#444444"))
        fit_layer = fit_lines.encode(x="x1:Q", y="y1:Q", x2="x2:Q", y2="y2:Q", color=color, strokeDash=stroke,
                                     tooltip=["n:N", alt.Tooltip("recall:Q", title="recall of class 1")])
        title = "decision boundaries s = 0 (triangles: class 1)"
    fit_panel = alt.layer(scatter, fit_layer).properties(width=width, height=height, title=title)
    # Two rows: three panels side by side are wider than the book's text column.
    chart = (alt.vconcat(alt.hconcat(loss_panel, grad_panel), fit_panel).add_params(*params)
             .resolve_scale(color="shared", strokeDash="shared").configure_view(stroke=None))
    return chart.properties(datasets={"curves": curves, "fits": fits, "points": points})


# =========================================================================== rendering
_HOOK = "vegaEmbed('#vis', spec, embedOpt)"


def to_html(chart) -> str:
    """A standalone HTML page for ``chart`` that loads nothing from the network.

    Altair's ``to_html(inline=True)`` inlines vega, vega-lite and vega-embed (the
    bundle comes from the ``vl-convert-python`` package, about 0.9 MB).  The page also
    keeps the Vega view in ``window.vegaView``, for ``tools/check_sliders.py``.
    """
    page = chart.to_html(inline=True, embed_options={"actions": False},
                         json_kwds={"separators": (",", ":")})
    if page.count(_HOOK) != 1:
        raise RuntimeError("to_html: Altair's page template changed; cannot attach window.vegaView")
    page = page.replace(_HOOK, _HOOK + ".then(function (r) { window.vegaView = r.view; })")
    # Controls under the chart rather than beside it: the book's column is narrow.
    return page.replace("<style>", "<style>\n    #vis.vega-embed { flex-direction: column; }", 1)


def to_iframe(chart, height: int | None = None) -> str:
    """``chart`` as an ``<iframe srcdoc=...>`` element holding the page of :func:`to_html`.

    The iframe keeps the chart's scripts (and the ``const`` names of Altair's page)
    apart from the book page and from other charts on it.  The attribute is
    single-quoted, so only ``&`` and ``'`` need escaping (few in the bundle).
    """
    page = to_html(chart)
    if height is None:
        height = _guess_height(chart)
    doc = page.replace("&", "&amp;").replace("'", "&#39;")
    return (f"<iframe srcdoc='{doc}' title='interactive chart' loading='lazy' "
            f"style='width: 100%; height: {int(height)}px; border: none;'></iframe>")


def _guess_height(chart) -> int:
    spec = chart.to_dict(validate=False)

    def row_height(row):
        return max((c.get("height", 300) for c in row.get("hconcat", [row])), default=300)

    rows = spec.get("vconcat", [spec])
    n_bind = sum(1 for p in spec.get("params", []) if "bind" in p)
    return int(sum(row_height(r) for r in rows) + 60 * (len(rows) - 1) + 140 + 28 * n_bind)


def embed(chart, height: int | None = None):
    """Show ``chart`` in a notebook, and in the built book, with no network access.

    Returns an ``IPython.display.HTML`` object (display it, or make it the last
    expression of a cell).  ``height`` is the iframe's height in pixels (default: the
    chart's panels plus room for its controls).
    """
    from IPython.display import HTML

    # Wrapped in a div: IPython warns about bare iframes (suggesting IFrame, which
    # would need a file or a URL).
    return HTML(f"<div class='lossbook-chart'>{to_iframe(chart, height)}</div>")
