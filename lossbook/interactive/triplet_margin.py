r"""The margin of a triplet loss: which triplets of a small embedding still teach.

One figure (see :mod:`lossbook.interactive`), ``"triplet_margin"``: 36 points of three
classes in the plane (an embedding :math:`z = f(x)`), 60 fixed triplets (anchor,
positive of the anchor's class, negative of another class), a slider for the margin
:math:`\alpha` of the triplet loss
:math:`\ell = \max(0,\ d_{ap} - d_{an} + \alpha)` and one for how far apart the
classes sit.  It draws

* the embedding, with a segment from the anchor to the negative of every triplet that
  is *hard* (:math:`d_{an} \le d_{ap}`, the negative is closer) or *semi-hard*
  (:math:`d_{ap} < d_{an} < d_{ap} + \alpha`, right order, margin violated);
* each triplet's loss against its gap :math:`d_{an} - d_{ap}`, on the hinge
  :math:`\max(0, \alpha - \text{gap})`, coloured by kind.  An *easy* triplet
  (:math:`d_{an} \ge d_{ap} + \alpha`) has loss and gradient zero.

The losses are :func:`lossbook.losses.triplet` (Euclidean distances); the kinds follow
from the loss value alone, as the chapter on metric learning says: zero, between 0 and
:math:`\alpha`, or at least :math:`\alpha`.
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import losses as _losses
from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Panel, Point, Rule, Slider, grid

__all__ = ["N_PER_CLASS", "N_TRIPLETS", "triplet_embedding", "triplet_indices", "triplet_kinds",
           "triplet_margin", "FIGURE"]

N_PER_CLASS, N_TRIPLETS = 12, 60
_GAP = np.linspace(-4.0, 4.0, 81)
_BOX = ((-4.0, 4.0), (-4.0, 4.0))


@functools.lru_cache(maxsize=32)
def triplet_embedding(separation: float):
    """36 points of three classes, the class centres ``separation`` from the origin.

    The centres sit at angles 90, 210 and 330 degrees; each point is its centre plus
    standard Gaussian noise of scale 0.6 (seeded, the same draws for every separation).

    Returns:
        ``(Z, labels)``: ``Z`` of shape ``(36, 2)``, labels ``0, 1, 2`` of shape ``(36,)``.
    """
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), N_PER_CLASS)
    angles = np.radians([90.0, 210.0, 330.0])
    centres = float(separation) * np.column_stack([np.cos(angles), np.sin(angles)])
    return centres[labels] + 0.6 * rng.standard_normal((len(labels), 2)), labels


@functools.lru_cache(maxsize=1)
def triplet_indices():
    """The 60 fixed triplets ``(anchor, positive, negative)`` as three index arrays (seeded)."""
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(3), N_PER_CLASS)
    a = rng.integers(len(labels), size=N_TRIPLETS)
    p = np.array([rng.choice(np.flatnonzero((labels == labels[i]) & (np.arange(len(labels)) != i))) for i in a])
    n = np.array([rng.choice(np.flatnonzero(labels != labels[i])) for i in a])
    return a, p, n


def triplet_kinds(loss, margin: float):
    """Masks ``(easy, semi_hard, hard)`` of triplets with losses ``loss`` at ``margin``.

    Example:
        >>> [m.tolist() for m in triplet_kinds(np.array([0.0, 0.4, 1.3]), 1.0)]
        [[True, False, False], [False, True, False], [False, False, True]]
    """
    loss = np.asarray(loss, dtype=np.float64)
    return loss == 0, (loss > 0) & (loss < margin), (loss > 0) & (loss >= margin)


def triplet_margin(*, margin: float, separation: float) -> dict:
    """What the figure draws at one margin and one class separation.

    Returns:
        the classes' points (``x0`` .. ``y2``), the anchor-to-negative segments of the
        semi-hard and hard triplets (``semi_*``, ``hard_*``), the hinge (``gap``,
        ``hinge``), each kind's gaps and losses (``easy_g``, ``easy_l``, ...), the shares
        ``easy``, ``semi_hard``, ``hard``, the ``mean_loss`` and a ``message``.

    Example:
        >>> out = triplet_margin(margin=1.0, separation=1.0)
        >>> bool(triplet_margin(margin=2.0, separation=1.0)["easy"] < out["easy"])
        True
    """
    margin = float(margin)
    Z, labels = triplet_embedding(round(float(separation), 6))
    a, p, n = triplet_indices()
    ell = _losses.triplet(Z[a], Z[p], Z[n], margin=margin, reduction="none")
    gap = np.linalg.norm(Z[a] - Z[n], axis=1) - np.linalg.norm(Z[a] - Z[p], axis=1)
    easy, semi, hard = triplet_kinds(ell, margin)
    out = {f"{c}{k}": Z[labels == k, i] for k in range(3) for i, c in enumerate("xy")}
    for name, mask in (("semi", semi), ("hard", hard)):
        out.update({f"{name}_x": Z[a[mask], 0], f"{name}_y": Z[a[mask], 1],
                    f"{name}_x2": Z[n[mask], 0], f"{name}_y2": Z[n[mask], 1]})
    for name, mask in (("easy", easy), ("semi", semi), ("hard", hard)):
        out.update({f"{name}_g": np.clip(gap[mask], _GAP[0], _GAP[-1]), f"{name}_l": ell[mask]})
    shares = [float(m.mean()) for m in (easy, semi, hard)]
    out.update(gap=_GAP, hinge=np.maximum(0.0, margin - _GAP), easy=shares[0], semi_hard=shares[1],
               hard=shares[2], mean_loss=float(ell.mean()),
               message=(f"easy {shares[0]:.0%}, semi-hard {shares[1]:.0%}, hard {shares[2]:.0%}; "
                        f"mean loss {ell.mean():.2f}"))
    return out


def _figure() -> Figure:
    c = OKABE_ITO
    classes = (c["blue"], c["green"], c["purple"])
    semi, hard, grey = c["orange"], c["vermillion"], c["grey"]
    (a0, a1), (b0, b1) = _BOX
    points = [Point(x=f"x{k}", y=f"y{k}", color=col, size=28, shape=s, name=f"class{k}")
              for k, (col, s) in enumerate(zip(classes, ("circle", "square", "triangle-up")))]
    return Figure(
        name="triplet_margin",
        compute=triplet_margin,
        controls=[
            Slider(name="margin", values=grid(0.0, 3.0, 0.25), default=1.0, live=(0.0, 3.0, 0.05),
                   label="margin alpha", fmt=".2f"),
            Slider(name="separation", values=grid(0.5, 3.0, 0.5), default=1.0, live=(0.25, 3.5, 0.05),
                   label="class separation", fmt=".2f"),
        ],
        panels=[
            Panel(title="the embedding", subtitle="anchor to negative: red hard, orange semi-hard",
                  xlabel="z1", ylabel="z2", xdomain=(a0, a1), ydomain=(b0, b1),
                  marks=[Rule(x="semi_x", y="semi_y", x2="semi_x2", y2="semi_y2", color=semi, width=1.0,
                              name="semi_hard"),
                         Rule(x="hard_x", y="hard_y", x2="hard_x2", y2="hard_y2", color=hard, width=1.5,
                              name="hard"),
                         *points]),
            Panel(title="loss of each triplet", subtitle="grey: easy, orange: semi-hard, red: hard",
                  xlabel="gap d_an - d_ap", ylabel="triplet loss", xdomain=(_GAP[0], _GAP[-1]),
                  ydomain=(0.0, 5.0),
                  marks=[Line(x="gap", y="hinge", color="#000000", width=1.0, name="hinge"),
                         Point(x="easy_g", y="easy_l", color=grey, size=24, name="easy"),
                         Point(x="semi_g", y="semi_l", color=semi, size=30, name="semi_points"),
                         Point(x="hard_g", y="hard_l", color=hard, size=30, name="hard_points")]),
        ],
        message="message",
        width=225, height=210, figsize=(10.0, 4.0),
        alt=("Three classes of points in a two-dimensional embedding with the anchor-to-negative segments of "
             "the triplets that violate the margin, and each triplet's loss against its distance gap on the "
             "hinge; sliders move the margin and the separation of the classes."),
    )


FIGURE = register(_figure())
