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
