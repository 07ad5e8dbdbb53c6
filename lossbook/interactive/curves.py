r"""Reading a training curve: smoothing, a running median and the learning rate.

One figure (see :mod:`lossbook.interactive`), ``"training_curves"``: the loss of every
optimizer step of the same network trained at several learning rates :math:`\eta`
(one checkbox per rate), drawn the way TensorBoard draws a scalar: the raw values
faint, a smoothed curve on top.  Its controls are

* the smoothing weight :math:`\beta` of TensorBoard's debiased exponential moving
  average (:func:`lossbook.plotting.smooth`), which averages about
  :math:`(1 + \beta)/(1 - \beta)` steps and lags a trend by :math:`\beta/(1 - \beta)`
  steps (:func:`ema_span`, :func:`ema_lag`);
* the filter: that moving average, or a trailing running median
  (:func:`running_median`) over the same number of steps, which ignores isolated
  spikes instead of spreading them out.

A second panel shows the validation loss at the end of every epoch, which no slider
changes: smoothing is a way of reading a curve, not a property of the run.

The registered figure shows the runs of :func:`digits_lr_runs` (computed on first use):
a small MLP on scikit-learn's digits, trained by plain SGD with each rate of
:data:`LEARNING_RATES`.  A chapter shows its own runs with :func:`figure`::

    interactive.show(curves.figure({0.5: history, ...}))

Importing this module imports NumPy only; :func:`digits_lr_runs` imports PyTorch.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from lossbook.plotting import cycle, smooth

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Series, Slider, grid

__all__ = ["LEARNING_RATES", "WEIGHTS", "FILTERS", "YDOMAIN", "series_key", "ema_span", "ema_lag",
           "running_median", "digits_lr_runs", "training_curve", "figure", "FIGURE"]

#: The learning rates of the registered figure's runs.
LEARNING_RATES = (0.01, 0.1, 0.5, 2.0, 16.0)
#: The smoothing weights of the static page (the live slider goes up to 0.99).
WEIGHTS = grid(0.0, 0.95, 0.05)
#: The filters: TensorBoard's moving average, or a running median of as many steps.
FILTERS = ("ema", "median")
#: The loss axis (log scale): values outside it are drawn at its edge.
YDOMAIN = (0.02, 30.0)


def series_key(lr: float) -> str:
    """The name of the run at rate ``lr`` among the figure's series (an identifier: no dots).

    Example:
        >>> series_key(0.01), series_key(16.0)
        ('lr_0p01', 'lr_16')
    """
    return "lr_" + f"{float(lr):g}".replace(".", "p").replace("-", "m").replace("+", "")


def ema_span(weight: float) -> float:
    r"""How many steps the moving average of weight :math:`\beta` averages: :math:`(1+\beta)/(1-\beta)`.

    A plain mean of that many independent values has the same variance as the moving
    average's steady state, :math:`\sigma^2 (1 - \beta)/(1 + \beta)`.

    Example:
        >>> ema_span(0.0), ema_span(0.6), ema_span(0.9)
        (1.0, 4.0, 19.0)
    """
    if not 0 <= weight < 1:
        raise ValueError(f"ema_span: weight must be in [0, 1), got {weight!r}")
    return (1.0 + weight) / (1.0 - weight)


def ema_lag(weight: float) -> float:
    r"""How many steps the moving average lags a straight-line trend: :math:`\beta/(1-\beta)`.

    Example:
        >>> ema_lag(0.6), ema_lag(0.9)
        (1.5, 9.0)
    """
    if not 0 <= weight < 1:
        raise ValueError(f"ema_lag: weight must be in [0, 1), got {weight!r}")
    return weight / (1.0 - weight)


def running_median(values, window: int) -> np.ndarray:
    """The median of the finite values among the last ``window`` steps, at every step (a trailing window).

    At step ``t`` the window holds steps ``t - window + 1`` to ``t`` (fewer at the
    start); non-finite values (NaN, inf) are left out of every window and passed
    through unchanged at their own step, as :func:`lossbook.plotting.smooth` does.  On
    finite values it equals ``pandas.Series(values).rolling(window, min_periods=1).median()``.

    Shape: ``values`` ``(K,)``; the result has the same shape (float64).

    Example:
        >>> running_median([1.0, 9.0, 2.0, 3.0, 100.0, 4.0], 3).tolist()
        [1.0, 5.0, 2.0, 3.0, 3.0, 4.0]
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1:
        raise ValueError(f"running_median: values must be 1-D, got shape {v.shape}")
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"running_median: window must be a positive integer, got {window!r}")
    if v.size == 0:
        return v.copy()
    finite = np.isfinite(v)
    padded = np.concatenate([np.full(window - 1, np.nan), np.where(finite, v, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, window)
    with warnings.catch_warnings():                  # a window of NaNs only: NaN, quietly
        warnings.simplefilter("ignore", RuntimeWarning)
        out = np.nanmedian(windows, axis=1)
    return np.where(finite, out, v)


@functools.lru_cache(maxsize=4)
def digits_lr_runs(epochs: int = 5, batch_size: int = 32, seed: int = 0) -> dict:
    r"""The runs of the registered figure: one per rate of :data:`LEARNING_RATES`.

    An MLP with 64 ReLU units (``lossbook.nets.mlp((64, 64, 10), seed=seed)``) trained
    by plain SGD on the cross-entropy, on the training split of
    :func:`lossbook.data.digits_split` (with :func:`lossbook.train.fit`, on the CPU, so
    the runs are the same on every machine), validated after every epoch.

    Returns:
        ``{series_key(rate): {"step_loss": (K,), "val_loss": (epochs,), "steps_per_epoch": int}}``.
    """
    import torch

    from lossbook import data, nets
    from lossbook.train import fit

    d = data.digits_split(seed=0)
    runs = {}
    for lr in LEARNING_RATES:
        h = fit(nets.mlp((64, 64, 10), seed=seed), torch.nn.CrossEntropyLoss(), (d.X_train, d.y_train),
                val_data=(d.X_val, d.y_val), epochs=epochs, batch_size=batch_size, lr=lr,
                optimizer="sgd", seed=seed, device="cpu", on_nonfinite="stop")
        runs[series_key(lr)] = {"step_loss": h.step_loss, "val_loss": h.val_loss, "steps_per_epoch": h.steps_per_epoch}
    return runs


def _run(runs, lr):
    run = runs[lr]
    if hasattr(run, "step_loss"):                    # a lossbook.train.History
        return run.step_loss, run.val_loss, run.steps_per_epoch
    return run["step_loss"], run["val_loss"], run["steps_per_epoch"]


def training_curve(*, lr, weight, filter="ema", runs=None):
    r"""The step losses of the run at rate ``lr``, smoothed, and its validation losses.

    Args:
        lr: which run: a key of ``runs`` (:func:`series_key` of its learning rate).
        weight: the smoothing weight :math:`\beta \in [0, 1)`.
        filter: ``"ema"`` (TensorBoard's debiased moving average,
            :func:`lossbook.plotting.smooth`) or ``"median"`` (:func:`running_median`
            over the last ``round(ema_span(weight))`` steps).
        runs: ``{key: History or dict}`` with ``step_loss``, ``val_loss`` and
            ``steps_per_epoch``, keyed by :func:`series_key` (None: :func:`digits_lr_runs`).

    Returns:
        The outputs the figure draws: the steps ``t``, the raw values ``raw`` and the
        ``smoothed`` curve (finite values only, clipped to :data:`YDOMAIN`), the
        validation losses ``val`` at the steps ``val_t`` where they were measured,
        ``t_dom`` (the step axis), ``last`` (the last finite smoothed value), and a
        ``message``.

    Example:
        >>> out = training_curve(lr="lr_0p5", weight=0.9)
        >>> bool(out["smoothed"][-1] < out["smoothed"][0])      # the loss went down
        True
    """
    if filter not in FILTERS:
        raise ValueError(f"training_curve: filter must be one of {FILTERS}, got {filter!r}")
    if not 0 <= weight < 1:
        raise ValueError(f"training_curve: weight must be in [0, 1), got {weight!r}")
    step_loss, val_loss, per_epoch = _run(digits_lr_runs() if runs is None else runs, lr)
    L = np.asarray(step_loss, dtype=np.float64)
    span = ema_span(weight)
    if filter == "ema":
        s = smooth(L, weight)
        how = f"average of ~{span:.0f} steps, lag {ema_lag(weight):.1f}"
    else:
        n = int(round(span))
        s = running_median(L, n)
        how = f"median of the last {n} steps"
    keep = np.isfinite(L)
    lo, hi = YDOMAIN
    val = np.asarray(val_loss, dtype=np.float64)
    val_t = per_epoch * np.arange(1, len(val) + 1)
    ok = np.isfinite(val)
    last = float(s[keep][-1]) if keep.any() else math.nan
    return {
        "t": np.flatnonzero(keep), "raw": np.clip(L[keep], lo, hi), "smoothed": np.clip(s[keep], lo, hi),
        "val_t": val_t[ok], "val": np.clip(val[ok], lo, hi), "t_dom": (0, len(L)),
        "last": last,
        "message": f"{how}: ends at {last:.3g}",
    }


def figure(runs=None, *, default=(0.01, 0.5, 16.0), name="training_curves") -> Figure:
    """The figure for ``runs`` (``{learning rate: History or dict}``); None: :func:`digits_lr_runs`.

    The checkboxes start at the rates of ``default`` that ``runs`` holds.
    """
    rates = LEARNING_RATES if runs is None else tuple(runs)
    keys = tuple(series_key(lr) for lr in rates)
    keyed = None if runs is None else {series_key(lr): run for lr, run in runs.items()}
    styles = {k: (st["color"], st["linestyle"]) for k, st in zip(keys, cycle(len(keys)))}
    start = tuple(series_key(lr) for lr in default if series_key(lr) in keys) or keys[:1]
    return Figure(
        name=name,
        compute=training_curve,
        controls=[
            Slider(name="weight", values=WEIGHTS, default=0.6, live=(0.0, 0.99, 0.01), fmt=".2f",
                   label="smoothing beta"),
            Menu(name="filter", options=FILTERS, default="ema",
                 labels=("moving average (TensorBoard)", "running median"), label="filter"),
        ],
        series=Series(name="lr", options=keys, default=start, labels=tuple(f"η = {lr:g}" for lr in rates),
                      styles=styles, label="learning rate"),
        panels=[
            Panel(title="Training loss of every step", subtitle="dots: raw values; line: smoothed",
                  xlabel="step t", ylabel="cross-entropy (log scale)", yscale="log",
                  xdomain="t_dom", ydomain=YDOMAIN, legend=True,
                  marks=[Point(x="t", y="raw", size=6, opacity=0.25, name="raw"),
                         Line(x="t", y="smoothed", name="smoothed")]),
            Panel(title="Validation loss", subtitle="after every epoch: no smoothing",
                  xlabel="step t", ylabel="cross-entropy (log scale)", yscale="log",
                  xdomain="t_dom", ydomain=YDOMAIN,
                  marks=[Line(x="val_t", y="val", points=True, name="validation")]),
        ],
        message="message",
        fixed={"runs": keyed},
        width=240, height=220,
        alt=("The training loss of every step of the same network trained at several learning rates, raw "
             "values as faint dots and a smoothed curve on top, and the validation loss after every epoch; "
             "a slider sets the smoothing weight and a menu picks a moving average or a running median."),
    )


#: The registered figure, on :func:`digits_lr_runs` (trained on its first call, not at import).
FIGURE = register(figure())
