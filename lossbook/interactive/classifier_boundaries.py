r"""One mislabelled point and the decision boundary of each classification loss.

One figure (see :mod:`lossbook.interactive`), ``"classifier_boundaries"``: two Gaussian
blobs of 40 points each (:func:`lossbook.data.blobs`, separation 3) and one more point
labelled as the positive class, which two sliders move anywhere in the plane, deep into
the negative class if you like.  For every checked loss a linear classifier is fitted
to the 81 points (:func:`lossbook.models.fit_linear`, :math:`\lambda = 0.01`), and the
figure draws

* its decision boundary :math:`\mathbf w^\top\mathbf x + b = 0`, next to the boundary
  it has without the extra point (thin), and
* the pull :math:`|\phi'(m)|` of one example against its margin :math:`m = \tilde y z`,
  with the extra point marked at its margin under the boundary fitted without it: how
  hard that one point pulls on the model it meets.

The losses are every binary classification loss of the registry that a linear model
can be fitted under and that has a per-example form (:func:`classifier_losses`, from
:func:`lossbook.losses.info`), each at its registered hyperparameters.  The message
gives, per loss, the extra point's share of the total pull
:math:`|\phi'(m_o)| / \sum_i |\phi'(m_i)|` at the fit without it, the angle by which it
turns the boundary and the accuracy on the 80 other points before and after.
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import data as _data
from lossbook import losses as _losses
from lossbook import models as _models
from lossbook.plotting import OKABE_ITO

from .explorer import line_in_box
from .registry import register
from .spec import Figure, Line, Panel, Point, Series, Slider, grid

__all__ = ["classifier_losses", "LAM", "BOX", "PULL_BOX", "boundary_data", "boundary_fit",
           "classifier_boundaries", "FIGURE"]

#: The L2 penalty of every fit (it keeps the weights finite where the data are separable).
LAM = 0.01
#: The plane of the boundary panel, ``((x1 low, x1 high), (x2 low, x2 high))``.
BOX = ((-7.0, 5.0), (-4.0, 4.0))
#: The window of the pull panel, ``((margin low, high), (pull low, high))``.
PULL_BOX = ((-8.0, 3.0), (0.0, 5.0))
_M = np.linspace(*PULL_BOX[0], 221)
_BINARY = ("pm1", "binary01", "probability")


def classifier_losses() -> tuple[str, ...]:
    """The binary classification losses of the figure, from the registry's facts.

    Those a linear model can be fitted under (:func:`lossbook.models.linear_model_losses`)
    whose target is a binary label and that have a per-example form.

    Example:
        >>> "hinge" in classifier_losses(), "cross_entropy" in classifier_losses()
        (True, False)
    """
    return tuple(n for n in _models.linear_model_losses("classification")
                 if _losses.info(n).target in _BINARY and _losses.info(n).per_example)


@functools.lru_cache(maxsize=1)
def _blobs():
    return _data.blobs(80, separation=3.0, seed=0)


def boundary_data(x1=None, x2=None):
    """The 80 blob points, plus a positive point at ``(x1, x2)`` when both are given.

    Returns:
        ``(X, y)``: ``X`` of shape ``(80, 2)`` or ``(81, 2)`` (the extra point last),
        0/1 labels ``y``.
    """
    X, y = _blobs()
    if x1 is None or x2 is None:
        return X, y
    return np.vstack([X, [float(x1), float(x2)]]), np.append(y, 1)


@functools.lru_cache(maxsize=512)
def boundary_fit(loss: str, x1=None, x2=None, steps: int = 300) -> _models.Fit:
    """The linear classifier fitted under ``loss`` with the penalty :data:`LAM`.

    :func:`lossbook.models.fit_linear` with L-BFGS for a differentiable loss (its exact
    minimizer, in a few dozen evaluations), else Adam with a decaying step (``steps``).
    """
    X, y = boundary_data(x1, x2)
    solver = "lbfgs" if _losses.info(loss).differentiable else "adam"
    return _models.fit_linear(loss, X, y, lam=LAM, solver=solver, steps=steps)


@functools.lru_cache(maxsize=None)
def _pull_curve(loss: str):
    """|phi'(m)| along the margin, cut where it leaves the top of the window (by 20 %)."""
    _, d = _models.per_example(loss, np.ones_like(_M), _M)
    pull = np.abs(d)
    keep = pull <= 1.2 * PULL_BOX[1][1]
    return _M[keep], pull[keep]


def _ends(coef):
    ends = line_in_box(coef, BOX)
    return (np.array([e[0] for e in ends]), np.array([e[1] for e in ends])) if ends else (np.zeros(0), np.zeros(0))


def _angle(w, w0) -> float:
    """The angle in degrees from the normal ``w0`` to the normal ``w``."""
    c = float(w @ w0 / (np.linalg.norm(w) * np.linalg.norm(w0)))
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def classifier_boundaries(*, loss: str, x1: float, x2: float, steps: int = 300) -> dict:
    """What the figure draws for one loss and one position of the extra point.

    Returns:
        the data (``x0``, ``y0``, ``x1s``, ``y1s``, the extra point ``ox``, ``oy``), the
        boundary with and without the extra point (``fx``, ``fy``, ``fx0``, ``fy0``),
        the pull curve (``m``, ``pull``) and the extra point on it at its margin under
        the fit without it (``m_out``, ``pull_out``, kept inside the window; ``margin``
        unclipped), the numbers ``angle``, ``accuracy``, ``accuracy_clean``, ``share``,
        the fits ``coef`` and ``coef_clean``, and a ``message``.

    Example:
        >>> far = classifier_boundaries(loss="exponential", x1=-6.0, x2=3.0)
        >>> near = classifier_boundaries(loss="hinge", x1=-6.0, x2=3.0)
        >>> bool(far["angle"] > 3 * near["angle"])
        True
    """
    x1, x2 = round(float(x1), 6), round(float(x2), 6)
    X, y = boundary_data()
    fit, fit0 = boundary_fit(loss, x1, x2, steps), boundary_fit(loss, None, None, steps)
    y_pm = 2.0 * np.append(y, 1) - 1.0
    margins = y_pm * fit0.predict(np.vstack([X, [x1, x2]]))      # at the fit without the point
    _, d = _models.per_example(loss, np.ones_like(margins), margins)
    pull = np.abs(d)
    share = float(pull[-1] / pull.sum()) if pull.sum() > 0 else 0.0
    acc, acc0 = (float(np.mean((f.predict(X) > 0) == (y == 1))) for f in (fit, fit0))
    angle = _angle(fit.w, fit0.w)
    (m_lo, m_hi), (_, p_hi) = PULL_BOX
    m_c, pull_c = _pull_curve(loss)
    (fx, fy), (fx0, fy0) = _ends(fit.coef), _ends(fit0.coef)
    return {
        "x0": X[y == 0, 0], "y0": X[y == 0, 1], "x1s": X[y == 1, 0], "y1s": X[y == 1, 1],
        "ox": x1, "oy": x2, "fx": fx, "fy": fy, "fx0": fx0, "fy0": fy0,
        "m": m_c, "pull": pull_c,
        "m_out": float(np.clip(margins[-1], m_lo, m_hi)), "pull_out": float(min(pull[-1], p_hi)),
        "margin": float(margins[-1]),
        "angle": angle, "accuracy": acc, "accuracy_clean": acc0, "share": share,
        "coef": fit.coef, "coef_clean": fit0.coef,
        "message": (f"turns {angle:.0f} deg, accuracy {acc0:.0%} -> {acc:.0%}; the point has "
                    f"{share:.0%} of the pull, at margin {margins[-1]:.1f}"),
    }


_DEFAULT_ON = ("binary_cross_entropy_with_logits", "hinge", "exponential")


def _figure() -> Figure:
    names = classifier_losses()
    grey, black = OKABE_ITO["grey"], OKABE_ITO["black"]
    (a0, a1), (b0, b1) = BOX
    return Figure(
        name="classifier_boundaries",
        compute=classifier_boundaries,
        controls=[
            Slider(name="x1", values=grid(-6.0, 2.0, 1.0), default=-6.0, live=(-6.5, 4.0, 0.25),
                   label="extra point: x1"),
            Slider(name="x2", values=grid(-3.0, 3.0, 1.5), default=3.0, live=(-3.5, 3.5, 0.25),
                   label="extra point: x2"),
        ],
        series=Series(name="loss", options=names, default=tuple(n for n in _DEFAULT_ON if n in names),
                      label="loss"),
        panels=[
            Panel(title="decision boundaries", subtitle="thin: fitted without the extra point (the diamond)",
                  xlabel="x1", ylabel="x2", xdomain=(a0, a1), ydomain=(b0, b1),
                  marks=[Point(x="x0", y="y0", shared=True, color=grey, size=18, opacity=0.6, name="class0"),
                         Point(x="x1s", y="y1s", shared=True, color=black, size=30, shape="triangle-up",
                               opacity=0.7, name="class1"),
                         Point(x="ox", y="oy", shared=True, color=black, size=160, shape="diamond",
                               fill="#F0E442", name="extra"),
                         Line(x="fx0", y="fy0", width=1.0, name="boundary_clean"),
                         Line(x="fx", y="fy", width=2.5, name="boundary")]),
            Panel(title="the pull of one example", subtitle="diamond: the extra point",
                  xlabel="margin m", ylabel="pull |dloss/dm|", xdomain=PULL_BOX[0], ydomain=PULL_BOX[1],
                  legend=True,
                  marks=[Line(x="m", y="pull", name="pull"),
                         Point(x="m_out", y="pull_out", shape="diamond", size=90, name="pull_extra")]),
        ],
        message="message", fixed={"steps": 300},
        width=225, height=210, figsize=(10.5, 4.0),
        alt=("Two classes of points and one extra point labelled positive that sliders move; the decision "
             "boundary that each classification loss fits, and each loss's pull against the margin with the "
             "extra point marked."),
    )


FIGURE = register(_figure())
