r"""The loss explorer: losses, their derivatives, and linear models fitted under them.

Two figures (see :mod:`lossbook.interactive`), one per kind: ``"loss_explorer_regression"``
and ``"loss_explorer_classification"``.  Each checks losses on and off (a series), moves
each loss's hyperparameters and the data (outliers among 40 points, or the share of a
rare positive class among 200), and shows each loss and its derivative against the
residual or the margin, and the line (or decision boundary) fitted under it.

Which losses appear, their sliders' ranges, steps and defaults all come from the
registry's facts (:func:`lossbook.losses.info`): the losses a linear model can be
fitted under (:func:`lossbook.models.linear_model_losses`) that have a per-example
form, and each one's :class:`~lossbook.losses.facts.Hyper` values.  The fits are
:func:`lossbook.models.fit_linear`.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from lossbook import losses as _losses
from lossbook import models as _models

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Series, Slider, grid

__all__ = ["KINDS", "EXPLORER_LOSSES", "HYPERPARAMETERS", "DATA_GRID", "DATA_DEFAULT", "EXPLORER_BOX",
           "explorer_losses", "hyper_values", "default_hyper", "explorer_styles", "loss_curves",
           "explorer_data", "line_in_box", "recall", "explorer", "figure", "FIGURES"]

KINDS = ("regression", "classification")
_CURVE = np.linspace(-3.0, 3.0, 121)
#: How many values a hyperparameter takes on the static page, by kind: each is a fit per
#: data level, and the page must stay small.
_STATIC_POINTS = {"regression": 9, "classification": 5}


def explorer_losses(kind: str) -> tuple[str, ...]:
    """The losses the explorer shows for ``kind``, from the registry's facts.

    Those a linear model can be fitted under (:func:`lossbook.models.linear_model_losses`)
    that have a per-example form.

    Example:
        >>> explorer_losses("regression")
        ('barron', 'huber', 'log_cosh', 'mae', 'mape', 'mse', 'quantile', 'smooth_l1')
    """
    if kind not in KINDS:
        raise ValueError(f"loss explorer: kind must be 'regression' or 'classification', got {kind!r}")
    return tuple(n for n in _models.linear_model_losses(kind) if _losses.info(n).per_example)


#: The losses of the explorer, by kind.
EXPLORER_LOSSES = {k: explorer_losses(k) for k in KINDS}


def _kind(name: str) -> str:
    for kind, names in EXPLORER_LOSSES.items():
        if name in names:
            return kind
    raise ValueError(
        f"loss explorer: loss must be one of {', '.join(n for ns in EXPLORER_LOSSES.values() for n in ns)}, "
        f"got {name!r}")


def hyper_values(name: str, h: str) -> tuple:
    """The values the static page precomputes for hyperparameter ``h`` of loss ``name``.

    From its registered :class:`~lossbook.losses.facts.Hyper`: evenly spaced from
    ``low`` to ``high`` in whole multiples of its ``step``, at most 9 values
    (regression) or 5 (classification), 3 for a loss's second hyperparameter, through
    its start; a default of None that means "off" (focal's ``alpha``) comes first.

    Example:
        >>> hyper_values("huber", "delta")
        (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25)
        >>> hyper_values("focal", "alpha")
        (None, 0.0, 0.5, 1.0)
    """
    spec = _losses.info(name).hyper[h]
    first = next(iter(_losses.info(name).hyper)) == h
    points = _STATIC_POINTS[_kind(name)] if first else 3
    step = spec.step or (spec.high - spec.low) / 20
    n = int(round((spec.high - spec.low) / step))
    grids = [grid(spec.low, spec.high, step * k) for k in range(1, n + 1) if n % k == 0 and n // k + 1 <= points]
    grids = grids or [(spec.low, spec.high)]
    values = next((g for g in grids if spec.start is None or any(math.isclose(v, spec.start) for v in g)), None)
    if values is None:  # no even grid holds the start: add it (the page then shows a menu)
        values = tuple(sorted({*grids[0], spec.start}))
    return ((None,) + values) if spec.start is None else values


#: Each loss's hyperparameters and the values the static explorer precomputes.
HYPERPARAMETERS = {n: {h: tuple(int(round(v)) if v is not None and _losses.info(n).hyper[h].integer else v
                                for v in hyper_values(n, h))
                       for h in _losses.info(n).hyper}
                   for ns in EXPLORER_LOSSES.values() for n in ns}

#: The data control of each kind and its static values: outliers among 40 points
#: (regression), the share of the positive class among 200 points (classification).
DATA_GRID = {
    "regression": ("outliers", (0, 2, 4, 6, 8, 10)),
    "classification": ("positive_share", (0.05, 0.1, 0.2, 0.3, 0.5)),
}

#: The data level each explorer starts with.
DATA_DEFAULT = {"regression": 4, "classification": 0.1}

#: The window of the fit panel: the x range of the lines (regression) or the plane of
#: the decision boundaries (classification).
EXPLORER_BOX = {"regression": ((-2.0, 2.0), None), "classification": ((-5.0, 5.0), (-4.0, 4.0))}


def default_hyper(name: str) -> dict:
    """The starting hyperparameters of loss ``name``: its registered defaults.

    A default of None that stands for a number (``pos_weight=None`` weighs by 1) is
    that number (``Hyper.start`` of the loss's registered facts), so a slider
    can start there.

    Example:
        >>> default_hyper("focal")
        {'gamma': 2.0, 'alpha': None}
        >>> default_hyper("binary_cross_entropy_with_logits")
        {'pos_weight': 1.0}
    """
    return {h: spec.start for h, spec in _losses.info(name).hyper.items()}


def explorer_styles(names) -> dict:
    """Colour and line style of each loss, from :mod:`lossbook.plotting`, kept distinct.

    Two losses with the same style in the book's palette (the binary and the softmax
    cross-entropy are both solid blue: they are the same loss on two logits) would be
    indistinguishable on one plot; the later one gets another dash.

    Example:
        >>> explorer_styles(["binary_cross_entropy_with_logits", "cross_entropy"])["cross_entropy"]
        ('#0072B2', ':')
    """
    return Series(name="loss", options=tuple(names)).style()


def loss_curves(name: str, r=None, **hyper):
    r"""A loss and its derivative along the residual or the margin.

    Regression losses are evaluated at :math:`y = 1`, :math:`\hat y = 1 + r`, so the
    horizontal axis is the residual :math:`r = \hat y - y` (a loss of the residual
    alone is the same at every :math:`y`; a relative one, MAPE, is read at
    :math:`y = 1`); classification losses at
    a positive example with score :math:`r`, so it is the margin :math:`y\,s` (with
    :math:`y = \pm 1`); a softmax loss gets the logits :math:`(0, r)`
    (:func:`lossbook.models.per_example`).

    Args:
        name: a loss of ``EXPLORER_LOSSES``.
        r: where to evaluate (default 241 points on [-3, 3]).
        **hyper: its hyperparameters (default: :func:`default_hyper`).

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
    y = np.ones_like(r)  # a positive example; for regression, y = 1 and y_hat = 1 + r
    val, d = _models.per_example(name, y, r + 1.0 if kind == "regression" else r, **hyper)
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


def line_in_box(coef, box):
    """Endpoints of the boundary :math:`w_1 x_1 + w_2 x_2 + b = 0` inside ``box``, or None.

    Example:
        >>> line_in_box([1.0, -1.0, 0.0], ((-1.0, 1.0), (-2.0, 2.0)))
        ((-1.0, -1.0), (1.0, 1.0))
    """
    (x0, x1), (y0, y1) = box
    w1, w2, b = (float(v) for v in coef)
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


def recall(coef, X, y) -> float:
    """The recall of class 1 of the linear classifier ``coef`` (its score > 0)."""
    s = X @ np.asarray(coef[:-1]) + coef[-1]
    pos = y == 1
    return float(np.mean(s[pos] > 0)) if pos.any() else float("nan")


@functools.lru_cache(maxsize=None)
def _envelope(name: str):
    """((min, max) of the loss, (min, max) of its derivative) over its static grid, on [-3, 3]."""
    import itertools

    spec = HYPERPARAMETERS[name]
    lo, hi = [np.inf, np.inf], [-np.inf, -np.inf]
    for combo in itertools.product(*spec.values()):
        _, val, d = loss_curves(name, _CURVE, **dict(zip(spec, combo)))
        for i, v in enumerate((val, d)):
            lo[i], hi[i] = min(lo[i], float(np.min(v))), max(hi[i], float(np.max(v)))
    return (lo[0], hi[0]), (lo[1], hi[1])


@functools.lru_cache(maxsize=1)
def _fit_ylim() -> tuple:
    """The fit panel's y range (regression): every outlier count's points fit in it, so
    the axis stays still while the data slider moves."""
    ys = np.concatenate([explorer_data("regression", k)[1] for k in range(0, 11)])
    return (min(-4.0, float(ys.min()) - 0.5), max(6.0, float(ys.max()) + 0.5))


@functools.lru_cache(maxsize=32)
def _points(kind: str, level):
    x, y = explorer_data(kind, level)
    if kind == "regression":
        return {"px": x, "py": y, "fit_ylim": _fit_ylim()}
    return {"x0": x[y == 0, 0], "y0": x[y == 0, 1], "x1": x[y == 1, 0], "y1": x[y == 1, 1]}


def explorer(*, kind: str, loss: str, level, steps: int = 300, **controls) -> dict:
    """What the explorer draws for one loss: its curves, the data and the fit under it.

    The compute function of the explorer figures; ``controls`` are every loss's
    hyperparameters, named ``<loss>_<hyperparameter>`` (this loss's are used).

    Example:
        >>> out = explorer(kind="regression", loss="mse", level=0, steps=300)
        >>> out["message"]
        'w = 1.95, b = 1.16'
    """
    hyper = {h: controls[f"{loss}_{h}"] for h in HYPERPARAMETERS[loss]}
    level = round(float(level), 2) if kind == "classification" else int(level)
    x, y = explorer_data(kind, level)
    _, val, d = loss_curves(loss, _CURVE, **hyper)
    fit = _models.fit_linear(loss, x, y, steps=steps, **hyper)
    (lv, dv) = _envelope(loss)
    out = {"r": _CURVE, "v": val, "d": d, "loss_range": lv, "d_range": dv, "fit": fit, "coef": fit.coef,
           **_points(kind, level)}
    if kind == "regression":
        w, b = fit.coef
        (a0, a1), _ = EXPLORER_BOX[kind]
        out.update(fx=np.array([a0, a1]), fy=np.array([w * a0 + b, w * a1 + b]), message=f"w = {w:.2f}, b = {b:.2f}")
    else:
        ends = line_in_box(fit.coef, EXPLORER_BOX[kind])
        note = "" if ends is not None else " (no boundary in view: the fit is s = 0 or near it)"
        out.update(fx=np.array([e[0] for e in ends]) if ends else np.zeros(0),
                   fy=np.array([e[1] for e in ends]) if ends else np.zeros(0),
                   message=f"recall of class 1 = {recall(fit.coef, x, y):.2f}{note}")
    return out


# =========================================================================== the figures
def _hyper_control(name: str, h: str):
    spec = _losses.info(name).hyper[h]
    values = HYPERPARAMETERS[name][h]
    when = {"loss": (name,)}
    if values[0] is None:  # "off" or a value: a menu
        return Menu(name=f"{name}_{h}", options=values, default=spec.default, label=f"{name}: {h}", when=when)
    if spec.integer:
        values = tuple(int(round(v)) for v in values)
    step = spec.step or (values[1] - values[0]) / 5
    return Slider(name=f"{name}_{h}", values=values, default=spec.start, label=f"{name}: {h}", when=when,
                  scale=spec.scale, integer=spec.integer,
                  live=(spec.low, spec.high, max(1, round(step)) if spec.integer else step))


def _data_control(kind: str):
    name, values = DATA_GRID[kind]
    if kind == "regression":
        return Slider(name="level", values=values, default=DATA_DEFAULT[kind], live=(0, 10, 1), integer=True,
                      label="outliers")
    return Slider(name="level", values=values, default=DATA_DEFAULT[kind], live=(0.05, 0.5, 0.05),
                  label="positive share", fmt=".2f")


def _panels(kind: str):
    xlabel = "residual r = y_hat - y" if kind == "regression" else "margin y s"
    curves = (Panel(title="loss", xlabel=xlabel, ylabel="loss per example", ydomain="loss_range", xdomain=(-3, 3),
                    legend=True, marks=(Line(x="r", y="v", name="loss_curve"),)),
              Panel(title="derivative (the push on the model)", xlabel=xlabel, ylabel="derivative",
                    ydomain="d_range", xdomain=(-3, 3), marks=(Line(x="r", y="d", name="derivative"),)))
    (a0, a1), box_y = EXPLORER_BOX[kind]
    if kind == "regression":
        fit = Panel(title="lines fitted under each loss", subtitle="outliers pushed up by 8", xlabel="x",
                    ylabel="y", xdomain=(a0 - 0.2, a1 + 0.2), ydomain="fit_ylim",
                    marks=(Point(x="px", y="py", shared=True, color="#555555", size=28),
                           Line(x="fx", y="fy", name="fit", width=2.5)))
    else:
        fit = Panel(title="decision boundaries s = 0", subtitle="triangles: class 1", xlabel="x1", ylabel="x2",
                    xdomain=(a0, a1), ydomain=box_y,
                    marks=(Point(x="x0", y="y0", shared=True, color="#444444", size=20, opacity=0.25),
                           Point(x="x1", y="y1", shared=True, color="#444444", size=40, shape="triangle-up",
                                 opacity=0.9),
                           Line(x="fx", y="fy", name="fit", width=2.5)))
    return (*curves, fit)


_DEFAULT_ON = {"regression": ("mse", "mae", "huber"),
               "classification": ("binary_cross_entropy_with_logits", "focal", "hinge")}


def figure(kind: str) -> Figure:
    """The loss explorer of ``kind`` (``"regression"`` or ``"classification"``) as a :class:`Figure`."""
    names = explorer_losses(kind)
    controls = [_hyper_control(n, h) for n in names for h in HYPERPARAMETERS[n]] + [_data_control(kind)]
    return Figure(
        name=f"loss_explorer_{kind}", compute=functools.partial(explorer, kind=kind), controls=controls,
        panels=_panels(kind), rows=((0, 1), (2,)), message="message", fixed={"steps": 300},
        series=Series(name="loss", options=names, default=_DEFAULT_ON[kind], label="loss"),
        width=225, height=200, figsize=(12.0, 3.8),
        alt=(f"Each {kind} loss and its derivative against the "
             f"{'residual' if kind == 'regression' else 'margin'}, and the "
             f"{'line' if kind == 'regression' else 'decision boundary'} fitted under it; "
             "controls for the losses, their hyperparameters and the data."),
    )


#: The explorer figures, by kind (registered as ``loss_explorer_<kind>``).
FIGURES = {k: register(figure(k)) for k in KINDS}
