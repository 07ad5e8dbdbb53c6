r"""Where a recommender's loss sends its gradient: one positive item and J sampled negatives.

One figure (see :mod:`lossbook.interactive`), ``"ranking_gradients"``: one user, one item
the user interacted with (the positive, score :math:`z^+`) and :math:`J` items drawn as
negatives, with scores :math:`z_1, \dots, z_J` spread evenly over :math:`(-3, 3)`.  For
each of four losses on these :math:`1 + J` scores (a checkbox each) it draws the step
that gradient descent takes on every score, :math:`-\partial\ell/\partial z`, divided by
the total :math:`\sum |\partial\ell/\partial z|` over the :math:`1 + J` scores:

* ``mse``: pointwise squared error against the targets 1 (positive) and 0 (negatives),
  :func:`lossbook.losses.mse`;
* ``bce``: pointwise binary cross-entropy with logits against the same targets,
  :func:`lossbook.losses.binary_cross_entropy_with_logits`;
* ``bpr``: pairwise, :math:`\sum_j -\log\sigma(z^+ - z_j)`, :func:`lossbook.losses.bpr`;
* ``softmax``: listwise, the cross-entropy of the positive among the :math:`1 + J`
  scores (sampled softmax), :func:`lossbook.losses.cross_entropy`.

Dividing by the total shows how a loss *shares out* its gradient, which is what an
optimizer such as Adam acts on (a constant factor on the loss hardly changes Adam's
steps).  Left panel: the share of every score, the positive drawn apart.  Right panel:
the net share :math:`-\sum \partial\ell/\partial z / \sum|\partial\ell/\partial z|`
against :math:`z^+`, the push on the user's *level*.  It is exactly zero for the two
ranking losses, whose value does not change when the same constant is added to all of
a user's scores; the pointwise losses move the level as well as the order.

Importing this module imports NumPy and lossbook's NumPy losses only.
"""

from __future__ import annotations

import numpy as np

from lossbook import losses as _losses
from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Series, Slider, grid

__all__ = ["LOSSES", "LABELS", "STYLES", "Z_POS", "NEGATIVES", "negative_scores", "score_gradients",
           "ranking_gradients", "FIGURE"]

#: The four losses, by the name the figure and the chapter use.
LOSSES = ("mse", "bce", "bpr", "softmax")
#: What the reader sees for each.
LABELS = {"mse": "MSE (pointwise)", "bce": "BCE (pointwise)", "bpr": "BPR (pairwise)",
          "softmax": "sampled softmax (listwise)"}
#: One colour and dash per loss (MSE keeps the book's colour for MSE).
STYLES = {"mse": (OKABE_ITO["blue"], "-"), "bce": (OKABE_ITO["vermillion"], "--"),
          "bpr": (OKABE_ITO["green"], "-."), "softmax": (OKABE_ITO["purple"], ":")}
#: The positive's scores of the static page.
Z_POS = grid(-3.0, 5.0, 0.5)
#: The numbers of sampled negatives of the static page.
NEGATIVES = (1, 2, 4, 8, 16, 32, 64)
#: Where the curve of the right panel is evaluated.
_Z_CURVE = np.linspace(-3.0, 5.0, 81)


def negative_scores(n_neg: int) -> np.ndarray:
    r"""The scores of ``n_neg`` negatives: the midpoints of ``n_neg`` equal bins of :math:`(-3, 3)`.

    Example:
        >>> negative_scores(3).tolist()
        [-2.0, 0.0, 2.0]
    """
    if not isinstance(n_neg, (int, np.integer)) or n_neg < 1:
        raise ValueError(f"negative_scores: n_neg must be a positive integer, got {n_neg!r}")
    return -3.0 + 6.0 * (np.arange(n_neg) + 0.5) / n_neg


def score_gradients(loss: str, z_pos, z_neg) -> np.ndarray:
    r"""The gradient of one positive's loss with respect to its :math:`1 + J` scores.

    Args:
        loss: one of :data:`LOSSES`.
        z_pos: the positive's score, a number or an array ``(M,)`` of them.
        z_neg: the negatives' scores ``(J,)`` (the same for every positive).

    Returns:
        ``(M, 1 + J)`` (or ``(1 + J,)`` for a number): column 0 is
        :math:`\partial\ell/\partial z^+`, the rest :math:`\partial\ell/\partial z_j`, for
        the sum of the loss over the positive's terms (``reduction="sum"``).

    Example:
        >>> g = score_gradients("bpr", 1.0, negative_scores(4))
        >>> bool(abs(g.sum()) < 1e-12)            # a ranking loss: the gradients cancel
        True
    """
    if loss not in LOSSES:
        raise ValueError(f"score_gradients: loss must be one of {LOSSES}, got {loss!r}")
    scalar = np.ndim(z_pos) == 0
    zp = np.atleast_1d(np.asarray(z_pos, dtype=np.float64))
    zn = np.asarray(z_neg, dtype=np.float64)
    M, J = len(zp), len(zn)
    z = np.column_stack([zp, np.broadcast_to(zn, (M, J))])        # (M, 1 + J), the positive first
    y = np.zeros_like(z)
    y[:, 0] = 1.0
    if loss == "mse":
        g = _losses.mse.grad(y, z, reduction="sum")
    elif loss == "bce":
        g = _losses.binary_cross_entropy_with_logits.grad(y, z, reduction="sum")
    elif loss == "bpr":
        d_pos, d_neg = _losses.bpr.grad(np.repeat(z[:, :1], J, axis=1), z[:, 1:], reduction="sum")
        g = np.column_stack([d_pos.sum(axis=1), d_neg])
    else:
        g = _losses.cross_entropy.grad(np.zeros(M, dtype=np.int64), z, reduction="sum")
    return g[0] if scalar else g


def _signed(v) -> str:
    """A share with its sign, two decimals, and no "-0.00"."""
    return f"{0.0 if abs(v) < 0.005 else float(v):+.2f}"


def _shares(g):
    """Steps -g divided by the total absolute gradient of each row."""
    total = np.abs(g).sum(axis=-1, keepdims=True)
    return -g / np.where(total > 0, total, 1.0)


def ranking_gradients(*, loss, z_pos, n_neg):
    r"""The shares of the gradient step of ``loss`` on a positive and ``n_neg`` negatives.

    Args:
        loss: one of :data:`LOSSES`.
        z_pos: the positive's score :math:`z^+`.
        n_neg: the number :math:`J` of sampled negatives.

    Returns:
        The outputs the figure draws: the negatives' scores ``z_neg`` and their shares
        ``share_neg`` (a negative share lowers the score), the positive's ``z_now`` and
        ``share_pos``, the curve ``z_curve`` and ``net_curve`` of the net share against
        :math:`z^+`, the current ``net_now``, the zero line ``zero_x``/``zero_y``, and a
        ``message``.

    Example:
        >>> out = ranking_gradients(loss="softmax", z_pos=1.0, n_neg=8)
        >>> round(out["share_pos"], 3), round(abs(out["net_now"]), 12)
        (0.5, 0.0)
    """
    z_neg = negative_scores(int(n_neg))
    s = _shares(score_gradients(loss, float(z_pos), z_neg))
    net_curve = _shares(score_gradients(loss, _Z_CURVE, z_neg)).sum(axis=1)
    net_now = float(s.sum())
    return {
        "z_neg": z_neg, "share_neg": s[1:], "z_now": float(z_pos), "share_pos": float(s[0]),
        "z_curve": _Z_CURVE, "net_curve": net_curve, "net_now": net_now,
        "zero_x": np.array([-3.0, 5.0]), "zero_y": np.zeros(2),
        "message": f"positive's share {_signed(s[0])}, net push {_signed(net_now)}",
    }


FIGURE = register(Figure(
    name="ranking_gradients",
    compute=ranking_gradients,
    controls=[
        Slider(name="z_pos", values=Z_POS, default=1.0, label="positive's score z+",
               live=(-3.0, 5.0, 0.05), fmt=".2f"),
        Menu(name="n_neg", options=NEGATIVES, default=8, label="sampled negatives J"),
    ],
    series=Series(name="loss", options=LOSSES, default=LOSSES, labels=tuple(LABELS[n] for n in LOSSES),
                  styles=STYLES, label="loss"),
    panels=[
        Panel(title="Step on each score, as a share of the total",
              subtitle="line: the J negatives; diamond: the positive",
              xlabel="score z", ylabel="share of the step (+ raises the score)",
              xdomain=(-3.0, 5.0), ydomain=(-1.05, 1.05), legend=True,
              marks=[Line(x="zero_x", y="zero_y", shared=True, color=OKABE_ITO["grey"], width=1.0),
                     Line(x="z_neg", y="share_neg", points=True, name="negatives"),
                     Point(x="z_now", y="share_pos", shape="diamond", size=90, name="positive")]),
        Panel(title="Net push on the user's level",
              subtitle="sum of the shares: 0 for a ranking loss",
              xlabel="positive's score z+", ylabel="net share (+ raises all scores)",
              xdomain=(-3.0, 5.0), ydomain=(-1.05, 1.05),
              marks=[Line(x="zero_x", y="zero_y", shared=True, color=OKABE_ITO["grey"], width=1.0),
                     Line(x="z_curve", y="net_curve", name="net"),
                     Point(x="z_now", y="net_now", size=60, name="net_now")]),
    ],
    message="message",
    width=240, height=230,
    alt=("For one positive item and J sampled negatives, the share of the gradient step each loss puts on "
         "every score, and the net push on all the user's scores against the positive's score; sliders "
         "set the positive's score and J, checkboxes pick the losses (MSE, BCE, BPR, sampled softmax)."),
))
