r"""Interactive figures: one compute function and a short spec, two renderings.

A figure of the book is declared once, as a :class:`Figure`: a **compute function**
that takes the figure's controls as keyword arguments and returns named outputs
(arrays, numbers, strings), and a **spec** of its controls (:class:`Slider`,
:class:`Menu`, :class:`Checkbox`, and optionally a :class:`Series` of checkboxes to
draw several versions at once) and of its **panels** and their **marks**
(:class:`Line`, :class:`Point`, :class:`Rule`, :class:`Band`, :class:`Text`,
:class:`Heatmap`), which name the outputs they draw.  From that one definition come

* the **live panel** for notebooks (:meth:`Figure.live`, ``lossbook.interactive.live``): ipywidgets
  controls over a matplotlib figure that recomputes at every move (compute and redraw
  timed apart, in ``panel.timings``);
* the **static chart** for the web page (:meth:`Figure.chart`, ``lossbook.interactive.static``): the
  compute function runs at every point of the controls' grids, and an Altair chart
  with Vega parameters bound to sliders, menus and checkboxes filters the precomputed
  outputs, stored once each as short text (``lossbook.interactive.codec``);
* **one call for a chapter**, :func:`show` (or :meth:`Figure.show`): the static chart
  on the book's page, the live panel in Jupyter or Colab (``lossbook.interactive.embedding``);
* the **tests** and the **benchmark**: every figure in the registry (:func:`register`)
  is run at each grid point, its chart built and weighed, each control of its live
  panel moved (``tests/test_interactive.py``); ``make bench`` times its slider moves.

Modules: ``lossbook.interactive.spec`` (the grammar), ``lossbook.interactive.static`` (Altair), ``lossbook.interactive.live``
(matplotlib and ipywidgets), ``lossbook.interactive.embedding`` (pages and notebooks), ``lossbook.interactive.codec``
(numbers as text), ``lossbook.interactive.registry``; the figures ``lossbook.interactive.playground`` (the optimizer
playground) and ``lossbook.interactive.explorer`` (the loss explorer).

A worked example: the Huber loss and its derivative, with a slider for
:math:`\delta` and a menu for a scale, in one panel::

    import numpy as np
    from lossbook import interactive as ia

    def huber_curve(*, delta, scale):
        r = np.linspace(-3.0, 3.0, 61)
        a = np.abs(r)
        q = np.minimum(a, delta)                        # quadratic part, then linear
        return {"r": r, "loss": scale * (0.5 * q**2 + delta * (a - q)),
                "slope": scale * np.clip(r, -delta, delta),
                "message": f"the pull is capped at {scale * delta:g}"}

    figure = ia.Figure(
        name="huber_demo",
        compute=huber_curve,
        controls=[ia.Slider(name="delta", values=ia.grid(0.5, 2.0, 0.5), default=1.0),
                  ia.Menu(name="scale", options=(1.0, 2.0), default=1.0)],
        panels=[ia.Panel(title="Huber loss", xlabel="residual r", ylabel="loss",
                         marks=[ia.Line(x="r", y="loss", name="loss"),
                                ia.Line(x="r", y="slope", color="#D55E00")])],
        message="message",
    )
    ia.register(figure)       # the tests and the benchmark now cover it
    figure.show()             # in a chapter: the chart on the page, the live panel in Jupyter

It runs:

    >>> import numpy as np
    >>> from lossbook import interactive as ia
    >>> def huber_curve(*, delta, scale):
    ...     r = np.linspace(-3.0, 3.0, 61)
    ...     a = np.abs(r)
    ...     q = np.minimum(a, delta)
    ...     return {"r": r, "loss": scale * (0.5 * q**2 + delta * (a - q)),
    ...             "slope": scale * np.clip(r, -delta, delta),
    ...             "message": f"the pull is capped at {scale * delta:g}"}
    >>> figure = ia.Figure(
    ...     name="huber_demo", compute=huber_curve,
    ...     controls=[ia.Slider(name="delta", values=ia.grid(0.5, 2.0, 0.5), default=1.0),
    ...               ia.Menu(name="scale", options=(1.0, 2.0), default=1.0)],
    ...     panels=[ia.Panel(title="Huber loss", xlabel="residual r", ylabel="loss",
    ...                      marks=[ia.Line(x="r", y="loss", name="loss"),
    ...                             ia.Line(x="r", y="slope", color="#D55E00")])],
    ...     message="message")
    >>> len(figure.grid())                      # 4 values of delta times 2 scales
    8
    >>> panel = figure.live(delta=0.8)          # any value of the live slider
    >>> panel.controls["scale"].value = 2.0     # what a move of the menu does
    >>> panel.message.value
    '<div><b>the pull is capped at 1.6</b></div>'
    >>> chart = figure.chart()                  # needs Altair
    >>> sorted(p["name"] for p in chart.to_dict()["params"] if "bind" in p)
    ['delta', 'scale']

Importing this package imports NumPy and :mod:`lossbook`; Altair, ipywidgets,
matplotlib and vl-convert are imported by the functions that need them.
"""

from __future__ import annotations

from . import codec, registry, spec
from .embedding import embed, fragment, page, show as _show
from .registry import available, get, register
from .spec import (Band, Checkbox, Figure, Heatmap, Line, Menu, Panel, Point, Rule, Series, Slider, Text, grid,
                   log_grid)
from . import explorer, playground  # noqa: E402  (their figures register themselves)
from .playground import (CHART_LOSSES, LEARNING_RATES, OPTIMIZER_CONTROLS, OPTIMIZER_NAMES, PLAYGROUND_LOSSES, STARTS,
                         STATIC_STEPS, SURFACES, band_index, contour_bands, display_path, exit_point, landscape,
                         loss_curve, optimizer_kwargs, path_message, regression_losses, start_point, trajectory,
                         trajectory_grid)
from .explorer import (DATA_DEFAULT, DATA_GRID, EXPLORER_BOX, EXPLORER_LOSSES, HYPERPARAMETERS, default_hyper,
                       explorer_data, explorer_styles, line_in_box, loss_curves, recall)

# Every other module of this package is a figure module (one topic each, e.g. calibration):
# importing it registers its figures. A new figure needs no edit here. Figure modules import
# only NumPy and lossbook at import time, so this stays fast.
_MACHINERY = {"codec", "embedding", "live", "registry", "spec", "static", "explorer", "playground"}


def _import_figure_modules() -> None:
    import importlib
    import pkgutil

    for found in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if found.name not in _MACHINERY and not found.name.startswith("_"):
            importlib.import_module(f"{__name__}.{found.name}")


_import_figure_modules()

__all__ = [
    # the pattern
    "Figure", "Slider", "Menu", "Checkbox", "Series", "Panel", "Line", "Point", "Rule", "Band", "Text",
    "Heatmap", "grid", "log_grid", "register", "get", "available", "show", "embed", "fragment", "page",
    # the optimizer playground's computations
    "SURFACES", "PLAYGROUND_LOSSES", "CHART_LOSSES", "LEARNING_RATES", "OPTIMIZER_NAMES", "OPTIMIZER_CONTROLS", "STATIC_STEPS",
    "STARTS", "landscape", "regression_losses", "optimizer_kwargs", "start_point", "trajectory",
    "trajectory_grid", "display_path", "exit_point", "path_message", "contour_bands", "band_index", "loss_curve",
    "playground_chart",
    # the loss explorer's
    "EXPLORER_LOSSES", "HYPERPARAMETERS", "DATA_GRID", "DATA_DEFAULT", "EXPLORER_BOX", "default_hyper",
    "explorer_styles", "loss_curves", "explorer_data", "line_in_box", "recall", "fit_under_loss",
    "loss_explorer_chart", "to_html",
]


def show(figure, **start):
    """One call in a chapter: the static chart on the page, the live panel in a notebook.

    Args:
        figure: a :class:`Figure` or the name of a registered one.
        **start: where the controls start (the live panel at these values, the
            static chart at the nearest values of its grid); a series by its name,
            e.g. ``optimizer=["sgd", "adam"]``.

    Example (in a chapter's code cell)::

        interactive.show("optimizer_playground", surface="rosenbrock", optimizer=["sgd", "adam"])
    """
    return _show(get(figure) if isinstance(figure, str) else figure, **start)


# --------------------------------------------------------------------------- compatibility
def playground_chart(lrs=None, optimizers=None, surfaces=None, losses=None, steps: int | None = None, *,
                     width: int | None = None, height: int | None = None, rows=None, **_ignored):
    """The optimizer playground's static chart (its :class:`Figure`, optionally on a smaller grid).

    Kept for the chapters that call it; ``rows`` (the old precomputed table) is
    ignored: the chart runs its own grid.  New code: ``interactive.show("optimizer_playground")``.
    """
    small = {k: v for k, v in (("lr", lrs), ("optimizer", optimizers), ("surface", surfaces), ("loss", losses),
                               ("steps", None if steps is None else [steps])) if v is not None}
    fig = get("optimizer_playground").restrict(**small) if small else get("optimizer_playground")
    return fig.replace(**_size(fig, width, height)).chart()


def loss_explorer_chart(kind: str = "regression", *, names=None, levels=None, steps: int = 300,
                        width: int | None = None, height: int | None = None):
    """The loss explorer's static chart for ``kind`` (optionally fewer losses or data levels).

    Kept for the chapters that call it.  New code: ``interactive.show("loss_explorer_regression")``.
    """
    if kind not in explorer.KINDS:
        raise ValueError(f"loss_explorer_chart: kind must be 'regression' or 'classification', got {kind!r}")
    fig = get(f"loss_explorer_{kind}")
    small = {k: v for k, v in (("loss", names), ("level", levels)) if v is not None}
    fig = fig.restrict(**small) if small else fig
    return fig.replace(fixed={**fig.fixed, "steps": steps}, **_size(fig, width, height)).chart()


def _size(fig, width, height) -> dict:
    return {"width": width or fig.width, "height": height or fig.height}


def fit_under_loss(name: str, x, y, *, steps: int = 300, lr: float = 0.2, **hyper):
    """Fit a linear model under the loss ``name``: :func:`lossbook.models.fit_linear` (kept for chapters)."""
    from lossbook.models import fit_linear

    return fit_linear(name, x, y, steps=steps, lr=lr, **hyper)


def to_html(chart) -> str:
    """A standalone HTML page for ``chart`` that loads nothing from the network (:func:`page`)."""
    return page(fragment(chart))
