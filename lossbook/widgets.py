"""The live panels of the book's interactive figures, by their chapter names.

Thin wrappers over :mod:`lossbook.interactive`, where each figure is declared once
and rendered both as a live panel (``lossbook.interactive.live.LivePanel``) and
as a static chart: :func:`optimizer_playground` and :func:`loss_explorer` make the
live panels, :func:`benchmark_playground` and :func:`benchmark_explorer` time their
slider moves.  In a chapter, prefer ``interactive.show(name)``, which puts the static
chart on the page and the live panel in a notebook in one call.

A live panel displays in Jupyter and Colab as its ipywidgets; on the book's web page,
where no Python runs, as a short note instead of dead controls.  It can be driven
without a browser: set a control's ``value`` (the callback runs as on a slider move).

Example:
    >>> from lossbook import widgets
    >>> panel = widgets.optimizer_playground("quadratic", "sgd", lr=0.25, steps=100)
    >>> panel.message.value
    '<div style="color:#000000"><b>sgd: diverged at step 67</b></div>'
    >>> panel.controls["lr"].value = 0.1          # what a slider move does
    >>> panel.message.value                       # 0.5 * (4 * 0.9**100)**2
    '<div style="color:#000000"><b>sgd: loss 5.6e-09 after 100 steps</b></div>'
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lossbook import interactive as _ia

__all__ = ["optimizer_playground", "loss_explorer", "benchmark_playground", "benchmark_explorer"]


def optimizer_playground(surface: str = "quadratic", optimizer="sgd", lr: float = 0.05, steps: int = 60,
                         *, max_steps: int = 300, figsize=None, **controls):
    """The live optimizer playground: paths of optimizers on a surface, and their loss curves.

    Controls: a checkbox per optimizer (several at once), the learning rate on a
    log-scale slider (1e-4 to 10, one for all), the surface (the line fit
    :math:`(w, b)` under a regression loss, or a test surface), the loss of the line
    fit, the start point, gradient noise, the number of steps, and each optimizer's
    own knobs (SGD's momentum and Nesterov, RMSprop's alpha, Adam's betas, AdamW's
    weight decay), greyed out or hidden while they do not apply.  A diverging run shows
    as a path that leaves the plot, a cross where it left, and ``diverged at step k``.

    Args:
        surface: one of ``lossbook.interactive.SURFACES``.
        optimizer: an optimizer name, or a list of them, checked at the start.
        lr: the starting learning rate.
        steps: the starting number of steps (up to ``max_steps``).
        **controls: starting values of the other controls (``loss``, ``start``,
            ``noise``, ``momentum``, ``nesterov``, ``alpha``, ``beta1``, ``beta2``,
            ``weight_decay``); ``figsize`` of the matplotlib figure.

    Returns:
        A ``lossbook.interactive.live.LivePanel``; display it (last line of a cell).
    """
    fig = _ia.get("optimizer_playground")
    steps_ctl = fig.control("steps")
    fig = fig.replace(controls=tuple(dataclasses.replace(steps_ctl, live=(1, max_steps, 1)) if c is steps_ctl else c
                                     for c in fig.controls), **({"figsize": figsize} if figsize else {}))
    chosen = [optimizer] if isinstance(optimizer, str) else list(optimizer)
    return fig.live(surface=surface, optimizer=chosen, lr=lr, steps=steps, **controls)


def loss_explorer(kind: str = "regression", selected=None, *, level=None, figsize=None):
    """The live loss explorer: losses, their derivatives, and models fitted under them.

    Check losses, move their hyperparameters (the registry's ranges: Huber's delta,
    Smooth L1's beta, the quantile level tau, BCE's pos_weight, focal's gamma and alpha,
    the hinge margins, label smoothing) and the data (outliers among 40 points, or the
    positive class's share among 200), and see each loss and its derivative against
    the residual or the margin, and the line (or decision boundary) fitted under it.

    Args:
        kind: ``"regression"`` or ``"classification"``.
        selected: the losses checked at the start (default: three of them).
        level: the starting outliers or positive share.
        figsize: the matplotlib figure's size in inches.

    Returns:
        A ``lossbook.interactive.live.LivePanel``; display it (last line of a cell).
    """
    if kind not in ("regression", "classification"):
        raise ValueError(f"loss_explorer: kind must be 'regression' or 'classification', got {kind!r}")
    fig = _ia.get(f"loss_explorer_{kind}")
    if figsize:
        fig = fig.replace(figsize=figsize)
    start = {} if level is None else {"level": level}
    if selected is not None:
        bad = [n for n in selected if n not in fig.series.options]
        if bad:
            raise ValueError(f"loss_explorer: {bad[0]!r} is not a {kind} loss of the explorer "
                             f"({', '.join(fig.series.options)})")
        start["loss"] = list(selected)
    return fig.live(**start)


def benchmark_playground(repeat: int = 20) -> dict:
    """Median milliseconds of the playground's callback on learning-rate moves.

    SGD and Adam on Rosenbrock, 100 steps; the slider crosses its range ``repeat``
    times.  Numbers depend on the machine: compare them, don't print them as facts.
    """
    from lossbook.interactive.live import benchmark

    panel = optimizer_playground("rosenbrock", ["sgd", "adam"], lr=0.01, steps=100)
    return benchmark(panel, "lr", [float(v) for v in np.logspace(-3, 0, repeat)])


def benchmark_explorer(kind: str = "regression", repeat: int = 10) -> dict:
    """Median milliseconds of the loss explorer's callback on hyperparameter moves.

    Moves Huber's delta (regression) or focal's gamma (classification) to ``repeat``
    new values; each move recomputes that loss's curves, refits under the new value and
    redraws (the other checked losses come from the panel's cache).
    """
    from lossbook.interactive.live import benchmark

    panel = loss_explorer(kind)
    name = "huber_delta" if kind == "regression" else "focal_gamma"
    ctl = panel.controls[name]
    return benchmark(panel, name, [float(v) for v in np.linspace(ctl.min, ctl.max, repeat + 1)[1:]])
