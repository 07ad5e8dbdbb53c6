"""Plotting helpers: one palette and one look for every figure in the book.

The same loss or optimizer has the same colour (and line style, so figures survive
greyscale printing) in every chapter.  Matplotlib is imported lazily, so importing
``lossbook.plotting`` costs nothing until a figure is drawn.

Example:
    >>> from lossbook import plotting
    >>> plotting.color("adam")
    '#D55E00'
    >>> plotting.linestyle("mse")
    '-'
"""

from __future__ import annotations

import numpy as np

# The Okabe-Ito palette (Okabe & Ito, 2008): distinguishable with every common form of
# colour blindness.  Pairing each colour with a line style keeps figures readable in
# greyscale.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}

_STYLES = {
    # losses
    "mse": ("blue", "-"),
    "rmse": ("sky", "-."),
    "mae": ("vermillion", "--"),
    "huber": ("green", "-."),
    "smooth_l1": ("sky", ":"),
    "log_cosh": ("purple", ":"),
    "quantile": ("orange", "--"),
    "poisson_nll": ("orange", "-"),
    "gaussian_nll": ("purple", "-"),
    "zero_one": ("black", "-"),
    "binary_cross_entropy": ("blue", "-"),
    "binary_cross_entropy_with_logits": ("blue", "-"),
    "logistic": ("blue", "-"),
    "cross_entropy": ("blue", "-"),
    "focal": ("green", "--"),
    "hinge": ("vermillion", "-."),
    "squared_hinge": ("orange", ":"),
    "multiclass_hinge": ("vermillion", "-."),
    "exponential": ("purple", "--"),
    "perceptron": ("grey", "--"),
    "modified_huber": ("green", ":"),
    "kl_divergence": ("purple", "-"),
    # optimizers
    "sgd": ("black", "-"),
    "gd": ("black", "-"),
    "momentum": ("blue", "--"),
    "nesterov": ("sky", "-."),
    "adagrad": ("green", ":"),
    "rmsprop": ("orange", "-."),
    "adam": ("vermillion", "-"),
    "adamw": ("purple", "--"),
    # data splits
    "train": ("blue", "-"),
    "validation": ("orange", "--"),
    "test": ("vermillion", ":"),
}

_CYCLE = ["blue", "vermillion", "green", "orange", "purple", "sky", "black"]  # no yellow: faint on white
_LINES = ["-", "--", "-.", ":"]


def color(name: str) -> str:
    """The book's colour (a hex string) for a loss, optimizer or data split ``name``.

    Names the book has no fixed colour for get one from a stable hash of the name, so
    they too keep their colour across chapters.
    """
    key = name.lower()
    if key in _STYLES:
        return OKABE_ITO[_STYLES[key][0]]
    return OKABE_ITO[_CYCLE[_stable_hash(key) % len(_CYCLE)]]


def linestyle(name: str) -> str:
    """The book's line style for ``name`` (pairs with :func:`color` for greyscale)."""
    key = name.lower()
    if key in _STYLES:
        return _STYLES[key][1]
    return _LINES[_stable_hash(key) % len(_LINES)]


def style(name: str) -> dict:
    """Keyword arguments for ``plt.plot``: colour, line style and a label.

    Example:
        >>> style("huber")["color"]
        '#009E73'
    """
    return {"color": color(name), "linestyle": linestyle(name), "label": name}


def cycle(n: int) -> list[dict]:
    """``n`` distinct colour and line-style pairs, for series with no fixed style.

    Use it for families such as several condition numbers or learning rates, where
    :func:`style` by name could give two curves the same look.

    Example:
        >>> [s["linestyle"] for s in cycle(3)]
        ['-', '--', '-.']
    """
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"cycle: n must be a non-negative integer, got {n!r}")
    return [{"color": OKABE_ITO[_CYCLE[i % len(_CYCLE)]], "linestyle": _LINES[i % len(_LINES)]}
            for i in range(n)]


def _stable_hash(s: str) -> int:
    # Python's hash() of str is salted per process; this one is not.
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 1_000_003
    return h


def use_book_style() -> None:
    """Set matplotlib defaults used by every chapter: readable sizes, light grid."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
        }
    )


def plot_losses(ax, r, names, *, kwargs=None, grad=False):
    """Plot the per-element loss (or its derivative) of registered losses against ``r``.

    ``r`` is a 1-D grid of residuals ``y_pred - y_true`` (regression losses) or margins
    ``y * score`` (margin losses take ``y_true = +1``); ``names`` are registered loss
    names; ``kwargs`` maps a name to its hyperparameters.  Returns ``ax``.
    """
    from lossbook import losses

    r = np.asarray(r, dtype=float)
    kwargs = kwargs or {}
    for name in names:
        fn = losses.get(name)
        kw = dict(kwargs.get(name, {}))
        f = fn.grad if grad else fn
        if fn.kind == "classification":
            # the positive class: label 1 (logit losses) or +1 (margin losses)
            vals = f(np.ones_like(r), r, reduction="none", **kw)
        else:
            vals = f(np.zeros_like(r), r, reduction="none", **kw)
        label = name + "".join(f", {k}={v}" for k, v in kw.items())
        ax.plot(r, vals, color=color(name), linestyle=linestyle(name), label=label)
    ax.set_xlabel("margin $y\\,s$" if all(losses.get(n).kind == "classification" for n in names)
                  else "residual $r = \\hat y - y$")
    ax.set_ylabel("derivative" if grad else "loss per example")
    ax.legend()
    return ax


# ----------------------------------------------------------------- training curves
def smooth(values, weight=0.6):
    r"""TensorBoard's smoothing: an exponential moving average, debiased at the start.

    .. math::
        m_t = w\, m_{t-1} + (1 - w)\, v_t, \quad m_0 = 0, \qquad
        \text{smoothed}_t = \frac{m_t}{1 - w^{k_t}}

    where :math:`k_t` counts the finite values so far.  The division removes the pull
    towards the starting 0 (the same correction as Adam's bias correction).  As in
    TensorBoard, non-finite values (NaN, inf) are passed through unchanged and do not
    enter the average, and a constant series is returned as it is.  ``weight`` is
    TensorBoard's "smoothing" slider: 0 leaves the values alone, values near 1 average
    over about :math:`1/(1 - w)` steps.

    Shape: ``values`` ``(K,)``; the result has the same shape (float64).

    Example:
        >>> smooth([1.0, 2.0, 3.0], weight=0.5).round(4).tolist()   # 0.5/0.5, 1.25/0.75, 2.125/0.875
        [1.0, 1.6667, 2.4286]
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"smooth: values must be 1-D, got shape {v.shape}")
    if not 0 <= weight <= 1:
        raise ValueError(f"smooth: weight must be in [0, 1], got {weight!r}")
    if v.size == 0 or np.all(v == v[0]):
        return v.copy()
    out = v.copy()
    last, k = 0.0, 0
    for i, x in enumerate(v):
        if np.isfinite(x):
            last = last * weight + (1 - weight) * x
            k += 1
            out[i] = last / (1.0 if weight == 1 else 1.0 - weight**k)
    return out


_smooth = smooth  # plot_history's argument ``smooth`` shadows the function's name


def plot_smoothed(ax, values, *, weight=0.6, x=None, label=None, color=None, linestyle="-"):
    """Plot a noisy curve the TensorBoard way: the raw values faint, :func:`smooth` on top.

    Non-finite values (a run that diverged) are gaps in both lines, and the first one is
    marked with a cross at the last finite value, labelled "first NaN/inf".
    ``x`` defaults to the step index 0, 1, ...  Returns ``ax``.
    """
    v = np.asarray(values, dtype=float)
    x = np.arange(len(v)) if x is None else np.asarray(x)
    color = color or OKABE_ITO["blue"]
    ax.plot(x, v, color=color, alpha=0.25, linewidth=1, linestyle=linestyle)
    s = smooth(v, weight)
    s[~np.isfinite(s)] = np.nan
    ax.plot(x, s, color=color, linestyle=linestyle, label=label)
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        good = np.isfinite(v[: bad[0]])
        y_mark = v[: bad[0]][good][-1] if good.any() else 0.0
        ax.plot([x[bad[0]]], [y_mark], marker="x", color=OKABE_ITO["black"], linestyle="none",
                markersize=8, label="first NaN/inf")
    return ax


def _history_curves(history, key):
    """(train, validation, best epoch or None) of ``key`` from a History, Keras History or dict."""
    logs = getattr(history, "logs", None)
    if logs is None:
        logs = getattr(history, "history", history)           # a Keras History, or a dict
    if not isinstance(logs, dict):
        raise ValueError(f"plot_history: expected a lossbook History, a Keras History or a dict, "
                         f"got {type(history).__name__}")
    train = logs.get(f"train_{key}", logs.get(key))
    val = logs.get(f"val_{key}")
    if train is None and val is None:
        raise ValueError(f"plot_history: no {key!r} curves in {sorted(logs)}")
    best = getattr(history, "best_epoch", None)
    if best is not None and getattr(history, "monitor", None) not in (f"val_{key}", f"train_{key}", key):
        best = None
    return train, val, best


def plot_history(history, ax=None, *, key="loss", smooth=None, mark_best=True, label=None):
    """Training and validation curves per epoch, in the book's colours, best epoch marked.

    ``history`` is a :class:`lossbook.train.History`, a Keras ``History`` (what
    ``model.fit`` returns) or a dict of per-epoch lists with ``loss``/``val_loss``
    (Keras) or ``train_loss``/``val_loss`` keys; ``key`` picks the quantity (``"loss"``,
    ``"accuracy"``, ...).  Epochs are numbered from 1.  ``smooth`` is an optional
    :func:`smooth` weight.  The best epoch (the History's monitor, if it is this
    quantity; else the lowest validation loss, or the highest validation score) gets a
    vertical dotted line.  ``label`` prefixes the legend entries (to overlay runs).
    Returns ``ax``.
    """
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    train, val, best = _history_curves(history, key)
    prefix = f"{label}: " if label else ""
    for name, values in (("train", train), ("validation", val)):
        if values is None:
            continue
        y = np.asarray(values, dtype=float)
        if smooth is not None:
            y = _smooth(y, smooth)
        ax.plot(np.arange(1, len(y) + 1), y, color=color(name), linestyle=linestyle(name),
                label=prefix + name)
    if mark_best and val is not None and best is None:
        v = np.asarray(val, dtype=float)
        if np.isfinite(v).any():
            best = int(np.nanargmin(v) if "loss" in key else np.nanargmax(v))
    if mark_best and best is not None:
        ax.axvline(best + 1, color=OKABE_ITO["grey"], linestyle=":", linewidth=1,
                   label=f"{prefix}best epoch ({best + 1})")
    ax.set_xlabel("epoch")
    ax.set_ylabel(key.replace("_", " "))
    ax.legend()
    return ax
