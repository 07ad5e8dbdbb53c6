r"""Which minimum a run ends in: basins of attraction on a surface with three wells.

One figure (see :mod:`lossbook.interactive`), ``"basins"``: gradient descent, momentum
or Adam (:mod:`lossbook.optim`) on :func:`lossbook.landscapes.multi_minima`, three
Gaussian wells of depths 2, 1.5 and 1 in a shallow bowl, with three saddle points
between them.  For the chosen optimizer and learning rate it draws

* the **basin map**: each cell of a :data:`GRID` by :data:`GRID` grid of starts on the
  window, coloured by the minimum a run of :data:`STEPS` steps from there ends in
  (darker for a deeper minimum; the palest colour where the run ended farther than
  :data:`SETTLED` from every minimum), computed once per optimizer and learning rate
  (:func:`basin_map`: one :func:`lossbook.optim.run` on all the starts at once);
* the path from the chosen start on top of it, with the minima and the saddles;
* the loss along that run, next to the values of the three minima.

Controls: the optimizer, the learning rate (log scale) and the start :math:`(x_0, y_0)`.

Example:
    >>> out = basin_run(optimizer="gd", lr=0.316227766, x0=-3.0, y0=-3.0)
    >>> out["ends_in"], round(float(out["trajectory"].losses[-1]), 3)     # the shallowest well
    (2, -0.904)
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import landscapes as _landscapes
from lossbook import optim as _optim
from lossbook.plotting import OKABE_ITO

from .playground import display_path
from .registry import register
from .spec import Figure, Heatmap, Line, Menu, Panel, Point, Rule, Slider, grid, log_grid

__all__ = ["OPTIMIZERS", "LEARNING_RATES", "STARTS", "GRID", "STEPS", "SETTLED", "wells", "make_optimizer",
           "ends_in", "basin_map", "basin_run", "FIGURE"]

#: The optimizers of the menu: gradient descent, heavy-ball momentum 0.9, Adam (PyTorch's defaults).
OPTIMIZERS = ("gd", "momentum", "adam")
#: The static page's learning rates, four per decade (the wells' largest curvature is about
#: 3.2, so gradient descent is stable in them below about 2/3.2 = 0.63).
LEARNING_RATES = log_grid(0.1, 1.0, 4)
#: The static page's start coordinates (both axes); they include the corners (-3, -3) and (3, 3).
STARTS = grid(-3.0, 3.0, 2.0)
#: Cells per side of the basin map, and steps of every run.
GRID = 32
STEPS = 100
#: A run that ends farther than this from every minimum has not settled.
SETTLED = 0.5
#: The loss axis.
_LOSS = (-2.0, 1.0)


@functools.lru_cache(maxsize=1)
def wells() -> _landscapes.Landscape:
    """``landscapes.multi_minima()``: the surface of the figure."""
    return _landscapes.multi_minima()


def make_optimizer(name: str, lr: float):
    """The optimizer ``name`` of :data:`OPTIMIZERS` with learning rate ``lr``.

    Example:
        >>> make_optimizer("momentum", 0.1)
        SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)
    """
    if name == "gd":
        return _optim.SGD(lr=lr)
    if name == "momentum":
        return _optim.SGD(lr=lr, momentum=0.9)
    if name == "adam":
        return _optim.Adam(lr=lr)
    raise ValueError(f"make_optimizer: name must be one of {', '.join(OPTIMIZERS)}, got {name!r}")


def ends_in(points) -> np.ndarray:
    """The index of the minimum nearest each point (0: the global one), or 3 beyond :data:`SETTLED`.

    Shape: ``points`` ``(..., 2)``; the result has shape ``(...)`` (int8).

    Example:
        >>> ends_in(np.array([[1.45, 0.97], [0.0, 0.0], [np.nan, 0.0]]))
        array([0, 3, 3], dtype=int8)
    """
    p = np.asarray(points, dtype=np.float64)
    minima = np.asarray(wells().minima)
    with np.errstate(invalid="ignore"):
        dist = np.linalg.norm(p[..., None, :] - minima, axis=-1)
        near = np.nanmin(np.where(np.isfinite(dist), dist, np.inf), axis=-1) < SETTLED
    return np.where(near, np.argmin(np.where(np.isfinite(dist), dist, np.inf), axis=-1), 3).astype(np.int8)


@functools.lru_cache(maxsize=64)
def basin_map(optimizer: str, lr: float) -> np.ndarray:
    """The minimum reached from each start of the :data:`GRID` by :data:`GRID` grid (row j at the j-th y).

    One :func:`lossbook.optim.run` of :data:`STEPS` steps with parameters of shape
    ``(GRID * GRID, 2)``: the optimizers work coordinate by coordinate, so the rows are
    independent runs.  Starts at the centres of the cells of the window.
    """
    land = wells()
    (x0, x1), (y0, y1) = land.xlim, land.ylim
    xs = x0 + (np.arange(GRID) + 0.5) * (x1 - x0) / GRID
    ys = y0 + (np.arange(GRID) + 0.5) * (y1 - y0) / GRID
    starts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    end = _optim.run(make_optimizer(optimizer, lr), land.grad, starts, STEPS, stop_on_divergence=False).params[-1]
    return ends_in(end).reshape(GRID, GRID)


_NAMES = {"gd": "GD", "momentum": "momentum", "adam": "Adam"}


def basin_run(*, optimizer: str, lr: float, x0: float, y0: float, steps: int = STEPS) -> dict:
    """What the figure draws for ``optimizer`` at learning rate ``lr`` from the start ``(x0, y0)``.

    Returns:
        The basin map ``basins`` with its ``extent``, the minima ``mx``/``my``, the
        saddles ``sx``/``sy``, the start ``x0``/``y0``, the drawn path ``px``/``py``, the
        loss ``k``/``f`` with the minima's values as segments ``h0``/``h1``/``hv``,
        ``ends_in`` (0, 1, 2 or 3, as in :func:`ends_in`), ``shares`` (the fraction of
        the map that ends in each minimum and nowhere), ``message`` and ``trajectory``.
    """
    land = wells()
    t = _optim.run(make_optimizer(optimizer, lr), land.grad, np.array([x0, y0]), steps, loss_fn=land.f)
    path = display_path(land, t)
    end = int(ends_in(t.params[-1]))
    keep = np.isfinite(t.losses)
    minima, saddles = np.asarray(land.minima), np.asarray(land.saddles)
    values = land.f(minima)
    basins = basin_map(optimizer, float(lr))
    shares = np.bincount(basins.ravel(), minlength=4) / basins.size
    (a, b), (c, d) = land.xlim, land.ylim
    where = "no well" if end == 3 else f"well {end + 1} (f = {values[end]:.2f})"
    return {
        "basins": basins, "extent": (a, b, c, d), "mx": minima[:, 0], "my": minima[:, 1],
        "sx": saddles[:, 0], "sy": saddles[:, 1], "x0": float(x0), "y0": float(y0),
        "px": path[:, 0], "py": path[:, 1],
        "k": np.flatnonzero(keep), "f": np.clip(t.losses[keep], *_LOSS),
        "h0": np.zeros(3), "h1": np.full(3, float(steps)), "hv": values, "steps_dom": (0, steps),
        "ends_in": end, "shares": shares, "trajectory": t,
        "message": f"{_NAMES[optimizer]}, η = {lr:.3g}: ends in {where}; deepest well's basin {shares[0]:.0%}",
    }


_MAP = Panel(
    title="basins and the path", subtitle="darker: deeper well; pale: no well",
    xlabel="x", ylabel="y", xdomain=(-4.0, 4.0), ydomain=(-4.0, 4.0),
    marks=(Heatmap(z="basins", extent="extent", levels=4, scheme="greens", opacity=0.8, name="basins"),
           Line(x="px", y="py", points=True, color=OKABE_ITO["vermillion"], width=1.5, name="path"),
           Point(x="sx", y="sy", shape="cross", size=90, color="#000000", name="saddles"),
           Point(x="mx", y="my", shape="diamond", size=90, fill="white", color="#000000", name="minima"),
           Point(x="x0", y="y0", shape="square", size=80, filled=False, color="#000000", name="start")),
)
_LOSS_PANEL = Panel(
    title="loss along the run", subtitle="grey: the three minima's values",
    xlabel="step t", ylabel="loss f(θ_t)", xdomain="steps_dom", ydomain=_LOSS,
    marks=(Rule(x="h0", y="hv", x2="h1", y2="hv", color=OKABE_ITO["grey"], width=1.0, name="minima_values"),
           Line(x="k", y="f", color=OKABE_ITO["vermillion"], width=1.5, name="loss")),
)

#: The basins figure (registered as ``"basins"``).
FIGURE = register(Figure(
    name="basins", compute=basin_run,
    controls=(
        Menu(name="optimizer", options=OPTIMIZERS, default="gd",
             labels=("gradient descent", "momentum (β = 0.9)", "Adam")),
        Slider(name="lr", values=LEARNING_RATES, default=LEARNING_RATES[2], scale="log", live=(0.01, 1.0, 0.05),
               label="learning rate η", fmt=".3g"),
        Slider(name="x0", values=STARTS, default=-3.0, live=(-4.0, 4.0, 0.1), label="start x₀", fmt=".1f"),
        Slider(name="y0", values=STARTS, default=-3.0, live=(-4.0, 4.0, 0.1), label="start y₀", fmt=".1f"),
    ),
    panels=(_MAP, _LOSS_PANEL), message="message", width=215, height=215,
    alt="Basins of attraction of three minima: a map of where runs from every start end, for the chosen "
        "optimizer and learning rate, with the path from one start and its loss; a menu picks the optimizer, "
        "sliders the learning rate and the start.",
))
