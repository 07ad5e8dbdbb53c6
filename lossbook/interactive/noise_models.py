r"""Noise models and the losses they imply: one data set read four ways.

One figure (see :mod:`lossbook.interactive`), ``"noise_models"``: a menu picks an
assumption about the noise in the data, and the figure shows the negative
log-likelihood (NLL) that assumption implies and the model it fits to the same 40 points.

==========  ==============================  ===========================================
noise       loss (the NLL, up to constants)  target and model
==========  ==============================  ===========================================
Gaussian    ``mse``                          the points; a line :math:`\hat y = wx + b`
Laplace     ``mae``                          the points; a line
Bernoulli   ``binary_cross_entropy_with_logits``  :math:`y > 3` (1 or 0); :math:`\sigma(wx + b)`
Poisson     ``poisson_nll``                  the points as counts; :math:`\mu = e^{wx + b}`
==========  ==============================  ===========================================

The points lie around the line :math:`y = x + 3` with Gaussian noise of standard
deviation 0.5 (:func:`lossbook.data.linear`); a slider corrupts some of them, pushing
them up by 8 (a sensor fault, a typing error), the same points in the same order for
every assumption.  How each target is read from the points follows the loss's
registered target (:func:`lossbook.losses.info`): a real number as it is, a 0/1 label
by a threshold, a count by rounding.  Each fit is :func:`lossbook.models.fit_linear`
(L-BFGS for a differentiable loss, Adam with a decaying step for the kinked MAE),
drawn next to the fit to the uncorrupted points.
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import data as _data
from lossbook import losses as _losses
from lossbook import models as _models
from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Slider, Text, grid

__all__ = ["NOISES", "NOISE_LOSS", "N_POINTS", "THRESHOLD", "noise_data", "read_target", "noise_fit",
           "noise_models", "FIGURE"]

#: The noise models and the registered loss each implies (the table of the chapter on
#: maximum likelihood).
NOISE_LOSS = {"gaussian": "mse", "laplace": "mae", "bernoulli": "binary_cross_entropy_with_logits",
              "poisson": "poisson_nll"}
NOISES = tuple(NOISE_LOSS)
_LABELS = ("Gaussian: MSE", "Laplace: MAE", "Bernoulli: binary cross-entropy", "Poisson: Poisson NLL")
#: How many points, and the level above which a point counts as a 1 for the Bernoulli model.
N_POINTS, THRESHOLD = 40, 3.0
_SHIFT = 8.0
_X_CURVE = np.linspace(-2.0, 2.0, 81)
_U = np.linspace(-3.0, 3.0, 121)                 # the model's output, for the loss panel
_NONE = np.zeros(0)                              # a curve with no points: nothing drawn


@functools.lru_cache(maxsize=None)
def noise_data(outliers: int = 0):
    """The 40 points, ``outliers`` of them pushed up by 8, and which ones.

    The points are :func:`lossbook.data.linear` (line ``y = x + 3``, noise 0.5, seed 0);
    the corrupted ones are the first ``outliers`` of a fixed random order, so that one
    more outlier keeps the earlier ones.

    Returns:
        ``(x, y, corrupted)``: arrays of shape ``(40,)``; ``corrupted`` is boolean.
    """
    x, y = _data.linear(N_POINTS, slope=1.0, intercept=THRESHOLD, noise=0.5, seed=0)
    order = np.random.default_rng(1).permutation(N_POINTS)
    corrupted = np.zeros(N_POINTS, dtype=bool)
    corrupted[order[:int(outliers)]] = True
    return x, np.where(corrupted, y + _SHIFT, y), corrupted


def read_target(loss: str, y):
    """The points ``y`` read as the target of ``loss``, from its registered target domain.

    Real numbers stay as they are, a binary target is ``y > 3`` (as 1.0 or 0.0), a
    count is ``y`` rounded to a whole number (negative values to 0).

    Example:
        >>> read_target("poisson_nll", [2.4, -0.3, 7.6]), read_target("mae", [2.4])
        (array([2., 0., 8.]), array([2.4]))
    """
    y = np.asarray(y, dtype=np.float64)
    target = _losses.info(loss).target
    if target == "real":
        return y
    if target in ("probability", "binary01", "pm1"):
        return (y > THRESHOLD).astype(np.float64)
    if target == "counts":
        return np.maximum(np.round(y), 0.0)
    raise ValueError(f"read_target: no reading of the points as a {target!r} target (loss {loss!r})")


@functools.lru_cache(maxsize=None)
def noise_fit(noise: str, outliers: int = 0) -> _models.Fit:
    """The line (logit, log-rate) fitted under ``noise``'s loss to the points with ``outliers``.

    :func:`lossbook.models.fit_linear`, with L-BFGS when the loss is differentiable (its
    exact minimizer) and otherwise Adam with a cosine-decaying step (300 steps).
    """
    loss = NOISE_LOSS[noise]
    x, y, _ = noise_data(outliers)
    solver = "lbfgs" if _losses.info(loss).differentiable else "adam"
    return _models.fit_linear(loss, x, read_target(loss, y), solver=solver)


def _curve(noise: str, coef) -> np.ndarray:
    """The fitted curve along :data:`_X_CURVE`: the line, the probability or the rate."""
    z = coef[0] * _X_CURVE + coef[1]
    if noise == "bernoulli":
        return 1.0 / (1.0 + np.exp(-z))
    return np.exp(z) if noise == "poisson" else z


def _loss_curves(noise: str):
    """The loss of one example against the model's output, and a text saying what it is."""
    loss = _losses.get(NOISE_LOSS[noise])
    if noise in ("gaussian", "laplace"):
        v = loss(np.zeros_like(_U), _U, reduction="none")        # y = 0: the output is the residual
        return v, _NONE, "r^2 of the residual r" if noise == "gaussian" else "|r| of the residual r"
    if noise == "bernoulli":
        return (loss(np.ones_like(_U), _U, reduction="none"), loss(np.zeros_like(_U), _U, reduction="none"),
                "logit z; blue y = 1, orange y = 0")
    return loss(np.full_like(_U, 3.0), _U, reduction="none"), _NONE, "log-rate z, a count y = 3"


def noise_models(*, noise: str, outliers: int) -> dict:
    """What the figure draws for one noise model and number of corrupted points.

    Returns:
        ``u``, ``nll``, ``nll0`` (the loss of one example against the model's output;
        ``nll0`` the second label of the Bernoulli, empty for the others), ``x``, ``target``, ``x_bad``,
        ``target_bad`` (the corrupted points), ``xc``, ``fit`` and ``fit_clean`` (the
        fitted curve with and without the corrupted points), ``coef``, ``coef_clean``,
        the panel's ``ylim`` and a ``message``.

    Example:
        >>> out = noise_models(noise="laplace", outliers=4)
        >>> bool(abs(out["coef"][1] - out["coef_clean"][1]) < 0.5)
        True
    """
    if noise not in NOISE_LOSS:
        raise ValueError(f"noise_models: noise must be one of {', '.join(NOISES)}, got {noise!r}")
    outliers = int(outliers)
    loss = NOISE_LOSS[noise]
    x, y, bad = noise_data(outliers)
    target = read_target(loss, y)
    coef, coef_clean = noise_fit(noise, outliers).coef, noise_fit(noise, 0).coef
    nll, nll0, what = _loss_curves(noise)
    link = {"bernoulli": "logit", "poisson": "log-rate"}.get(noise, "line")
    return {
        "u": _U, "nll": nll, "nll0": nll0, "what": what,
        "x": x[~bad], "target": target[~bad], "x_bad": x[bad], "target_bad": target[bad],
        "xc": _X_CURVE, "fit": _curve(noise, coef), "fit_clean": _curve(noise, coef_clean),
        "coef": coef, "coef_clean": coef_clean,
        "ylim": (-0.1, 1.1) if noise == "bernoulli" else (-0.5, 14.5),
        "message": (f"{link}: w = {coef[0]:.2f}, b = {coef[1]:.2f} "
                    f"(clean points: {coef_clean[0]:.2f}, {coef_clean[1]:.2f})"),
    }


def _figure() -> Figure:
    blue, orange, grey = OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["grey"]
    return Figure(
        name="noise_models",
        compute=noise_models,
        controls=[
            Menu(name="noise", options=NOISES, default="gaussian", labels=_LABELS, label="noise model"),
            Slider(name="outliers", values=grid(0, 8, 1), default=0, integer=True, live=(0, 10, 1),
                   label="corrupted points"),
        ],
        panels=[
            Panel(title="the loss it implies", subtitle="its NLL, up to constants",
                  xlabel="model output: residual, logit or log-rate",
                  ylabel="loss of one example", xdomain=(-3.0, 3.0), ydomain=(-1.0, 9.0),
                  marks=[Line(x="u", y="nll", color=blue, name="nll"),
                         Line(x="u", y="nll0", color=orange, name="nll0"),
                         Text(text="what", size=10)]),
            Panel(title="the fit it gives", subtitle="grey: fitted without the corrupted points (crosses)",
                  xlabel="x", ylabel="target", xdomain=(-2.1, 2.1), ydomain="ylim",
                  marks=[Point(x="x", y="target", color=grey, size=24, name="points"),
                         Point(x="x_bad", y="target_bad", color="#000000", shape="cross", size=60,
                               name="corrupted"),
                         Line(x="xc", y="fit_clean", color=grey, width=1.5, name="fit_clean"),
                         Line(x="xc", y="fit", color=blue, width=2.5, name="fit")]),
        ],
        message="message",
        width=225, height=210, figsize=(10.0, 3.8),
        alt=("The loss that each noise model implies (Gaussian: squared error, Laplace: absolute error, "
             "Bernoulli: binary cross-entropy, Poisson: Poisson NLL) and the curve it fits to the same 40 "
             "points; a menu picks the noise model, a slider corrupts some of the points."),
    )


FIGURE = register(_figure())
