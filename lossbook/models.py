r"""Models fitted under a registered loss: :func:`fit_linear`.

A linear model :math:`f(\mathbf x) = \mathbf x^\top \mathbf w + b` is fitted by
minimizing the mean of any registered loss of a target and one prediction,

.. math::

    \min_{\mathbf w, b}\ \frac1N \sum_{i=1}^N \ell\bigl(y_i, \mathbf x_i^\top \mathbf w + b\bigr)
    + \frac\lambda2 \lVert \mathbf w \rVert^2,

using the loss's own registered gradient (``loss.grad``) through the chain rule,
:math:`\nabla_{\mathbf w} = X^\top \mathbf g + \lambda \mathbf w`,
:math:`\partial_b = \sum_i g_i`, with :math:`g_i = \partial L / \partial \hat y_i`
(the penalty never touches the intercept).  What the model's output means comes
from the loss's facts (:func:`lossbook.losses.info`): a prediction (regression), a
logit or a score (classification), a log-rate (Poisson); labels are converted to the
loss's convention (0/1 or -1/+1); a softmax loss of class indices gets one score per
class, or, for two classes, the logits :math:`(0, s)` of a single score :math:`s`
(the same model as the binary cross-entropy of :math:`s`).

Importing this module imports NumPy and :mod:`lossbook` only; SciPy is imported by
``solver="lbfgs"``.

Example:
    >>> import numpy as np
    >>> from lossbook import models
    >>> x = np.linspace(-1.0, 1.0, 9); y = 2 * x + 1
    >>> print(models.fit_linear("mae", x, y).coef.round(3))
    [2. 1.]
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from lossbook import checks
from lossbook import losses as _losses
from lossbook import optim as _optim

__all__ = ["Fit", "fit_linear", "linear_model_losses", "per_example"]

#: The prediction domains a linear function can produce: any real number.
_AFFINE = ("real", "logit", "score", "log_rate")
#: The two label conventions a binary target may come in.
_BINARY_TARGETS = ("binary01", "probability", "pm1")
#: The targets a model fitted here can have: numbers, binary labels, class indices.
_TARGETS = ("real", "counts", "class_index", *_BINARY_TARGETS)
_SOLVERS = ("adam", "lbfgs")


class Fit(NamedTuple):
    r"""A linear model fitted by :func:`fit_linear`.

    Attributes:
        coef: the weights then the intercept: ``(w_1, ..., w_D, b)`` of shape
            ``(D + 1,)`` for one output, or ``(D + 1, C)`` for one score per class.
        loss: the mean loss at ``coef`` (without the penalty).
        trajectory: the optimizer's run (:class:`lossbook.optim.Trajectory`) for
            ``solver="adam"``; None for ``"lbfgs"``.
    """

    coef: np.ndarray
    loss: float
    trajectory: _optim.Trajectory | None

    @property
    def w(self) -> np.ndarray:
        """The weights, ``coef[:-1]``."""
        return self.coef[:-1]

    @property
    def b(self):
        """The intercept, ``coef[-1]``."""
        return self.coef[-1]

    def predict(self, X) -> np.ndarray:
        r"""The model's output :math:`X\mathbf w + b`: predictions, logits or scores.

        ``X`` is ``(N,)`` for one feature or ``(N, D)``; the result is ``(N,)`` or ``(N, C)``.
        """
        X = np.asarray(X, dtype=np.float64)
        return (X[:, None] if X.ndim == 1 else X) @ self.w + self.b


def linear_model_losses(kind: str | None = None) -> list[str]:
    """The registered losses :func:`fit_linear` can fit, from their facts, sorted.

    A loss qualifies when it has a target (numbers, binary labels or class indices)
    and one prediction input whose domain a linear function can produce (a real
    number, a logit, a score or a log-rate).

    Example:
        >>> names = linear_model_losses()
        >>> "hinge" in names, "mse" in names, "binary_cross_entropy" in names, "triplet" in names
        (True, True, False, False)
    """
    out = []
    for name in _losses.available(kind):
        info = _losses.info(name)
        if info.target in _TARGETS and len(info.inputs) == 2 and info.domain(_prediction_arg(info)) in _AFFINE:
            out.append(name)
    return out


def _prediction_arg(info) -> str:
    return next(a for a in info.inputs if a != info.target_arg)


def _loss_info(loss):
    name = loss if isinstance(loss, str) else getattr(loss, "__name__", loss)
    info = _losses.info(name)
    if info.target not in _TARGETS or len(info.inputs) != 2:
        raise ValueError(
            f"fit_linear: loss must have a target and one prediction input, got {info.name!r} "
            f"with inputs {info.inputs}; the losses it fits are {', '.join(linear_model_losses())}")
    pred = info.domain(_prediction_arg(info))
    if pred not in _AFFINE:
        hint = " (use binary_cross_entropy_with_logits on the model's logits)" if pred == "probability" else ""
        raise ValueError(f"fit_linear: a linear model outputs any real number, but {info.name!r} takes "
                         f"{pred} predictions{hint}")
    return info


def _targets(info, y: np.ndarray):
    """``y`` in the loss's label convention, and the number of model outputs."""
    if info.target in _BINARY_TARGETS or info.target == "class_index":
        values = np.unique(y)
        if info.target != "class_index" and not (set(values) <= {0.0, 1.0} or set(values) <= {-1.0, 1.0}):
            raise ValueError(f"fit_linear: y must hold 0/1 or -1/+1 labels for {info.name!r}, "
                             f"got {', '.join(f'{v:g}' for v in values[:5])}")
    if info.target == "pm1":
        return (np.where(y > 0, 1.0, -1.0) if set(np.unique(y)) <= {0.0, 1.0} else y), 1
    if info.target in ("binary01", "probability"):
        return (np.where(y > 0, 1.0, 0.0) if set(np.unique(y)) <= {-1.0, 1.0} else y), 1
    if info.target == "class_index":
        labels = checks.class_labels("fit_linear", "y", np.where(y < 0, 0, y) if set(np.unique(y)) <= {-1.0, 1.0} else y)
        classes = int(labels.max()) + 1
        return labels, (1 if classes <= 2 else classes)
    return y, 1


def per_example(loss, y, s, **hyper):
    r"""Each example's loss at the single score ``s`` of a linear model, and its derivative.

    The model is the one :func:`fit_linear` fits with one output: a prediction
    (regression), or a score :math:`s` whose logits are :math:`(0, s)` for a softmax
    loss; labels are converted as there.

    Args:
        loss: a loss of :func:`linear_model_losses` with a per-example form.
        y: targets ``(N,)`` (labels 0/1 or -1/+1 for classification).
        s: the model's outputs ``(N,)``.
        **hyper: the loss's hyperparameters.

    Returns:
        ``(values, derivatives)``: two arrays ``(N,)``, :math:`\ell_i` and
        :math:`\partial \ell_i / \partial s_i`.

    Example:
        >>> import numpy as np
        >>> v, d = per_example("hinge", np.array([1.0, 0.0]), np.array([0.5, 0.5]))
        >>> print(v, d)                                  # the 0 label is -1 for the hinge
        [0.5 1.5] [-1.  1.]
    """
    info = _loss_info(loss)
    if info.per_example is False:
        raise ValueError(f"per_example: {info.name!r} has no per-example form (its facts: per_example=False)")
    fn = _losses.get(info.name)
    y, outputs = _targets(info, checks.float_array("per_example", "y", y))
    s = checks.float_array("per_example", "s", s)
    if info.target == "class_index":
        if outputs != 1:
            raise ValueError(f"per_example: y must hold two classes for one score, got {outputs}")
        z = np.stack([np.zeros_like(s), s], axis=-1)
        # reduction="sum": each row's derivative of its own loss (rows are independent)
        return fn(y, z, reduction="none", **hyper), fn.grad(y, z, reduction="sum", **hyper)[:, 1]
    return fn(y, s, reduction="none", **hyper), fn.grad(y, s, reduction="none", **hyper)


def _design(X, y):
    X = checks.float_array("fit_linear", "X", X)
    y = checks.float_array("fit_linear", "y", y)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"fit_linear: X must be (N,) or (N, D) and y (N,) with the same N, "
                         f"got {X.shape} and {y.shape}")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError("fit_linear: X and y must be finite")
    return X, y


def _objective(fn, info, X, y, outputs, lam, hyper):
    """Mean loss and its gradient with respect to the flat parameters ``theta``."""
    D = X.shape[1]
    two_logits = info.target == "class_index" and outputs == 1

    def unpack(theta):
        W = theta.reshape(D + 1, outputs)
        return W[:-1], W[-1]

    def value_grad(theta, value=True):
        W, b = unpack(theta)
        s = X @ W + b                                   # (N, outputs)
        if two_logits:                                   # logits (0, s): the binary model
            z = np.column_stack([np.zeros(len(s)), s[:, 0]])
            val = fn(y, z, reduction="mean", **hyper) if value else None
            g = fn.grad(y, z, reduction="mean", **hyper)[:, 1:]
        elif outputs == 1:
            val = fn(y, s[:, 0], reduction="mean", **hyper) if value else None
            g = np.asarray(fn.grad(y, s[:, 0], reduction="mean", **hyper))[:, None]
        else:
            val = fn(y, s, reduction="mean", **hyper) if value else None
            g = fn.grad(y, s, reduction="mean", **hyper)
        grad = np.vstack([X.T @ g + lam * W, g.sum(axis=0, keepdims=True)])
        if value:
            val = float(val) + 0.5 * lam * float(np.sum(W * W))
        return val, grad.ravel()

    return value_grad, unpack


def fit_linear(loss, X, y, *, lam: float = 0.0, solver: str = "adam", steps: int = 300,
               lr: float = 0.2, **hyper) -> Fit:
    r"""Fit a linear model (with intercept) by minimizing the mean of a registered loss.

    .. math::

        \min_{\mathbf w, b}\ \frac1N \sum_i \ell\bigl(y_i, \mathbf x_i^\top \mathbf w + b\bigr)
        + \frac\lambda2 \lVert\mathbf w\rVert^2

    Args:
        loss: a registered loss, by name or the function, that takes a target and one
            prediction a linear function can produce (see :func:`linear_model_losses`).
        X: features, ``(N,)`` for one feature or ``(N, D)``.
        y: targets ``(N,)``: real numbers or counts (regression), 0/1 or -1/+1 labels
            (binary classification, converted to the loss's convention), or class
            indices (softmax losses).
        lam: the L2 penalty :math:`\lambda` on the weights (never on the intercept).
        solver: ``"adam"`` (default): :class:`lossbook.optim.Adam` from zero with a
            cosine decay of the learning rate to 0 (:func:`lossbook.optim.cosine_decay`),
            which lets non-smooth losses (MAE, pinball, hinge) settle instead of jumping
            around their kink; or ``"lbfgs"``: SciPy's L-BFGS-B to a tight tolerance,
            the exact minimizer of a smooth loss in a few dozen steps.
        steps: Adam's steps (default 300).
        lr: Adam's peak learning rate (default 0.2).
        **hyper: the loss's hyperparameters and options (default: the signature's).

    Returns:
        A :class:`Fit`.

    Shape:
        ``coef``: ``(D + 1,)``, or ``(D + 1, C)`` for a softmax loss with C > 2 classes.

    Example:
        >>> import numpy as np
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]]); y = np.array([0, 0, 1, 1])
        >>> fit = fit_linear("hinge", X, y, steps=500)     # 0/1 labels become -1/+1
        >>> print(fit.loss < 1e-3, (fit.predict(X) > 0).astype(int))
        True [0 0 1 1]

    See also: :func:`lossbook.optim.run` (the loop of ``solver="adam"``);
    scikit-learn's ``LogisticRegression`` minimizes the same objective for
    ``binary_cross_entropy_with_logits`` with :math:`C = 1/(\lambda N)`.
    """
    info = _loss_info(loss)
    fn = _losses.get(info.name)
    X, y = _design(X, y)
    y, outputs = _targets(info, y)
    lam = checks.at_least("fit_linear", "lam", lam, 0.0)
    if solver not in _SOLVERS:
        raise ValueError(f"fit_linear: solver must be one of {', '.join(_SOLVERS)}, got {solver!r}")
    steps = checks.integer("fit_linear", "steps", steps, low=0)
    value_grad, unpack = _objective(fn, info, X, y, outputs, lam, hyper)
    theta0 = np.zeros((X.shape[1] + 1) * outputs)
    if solver == "lbfgs":
        from scipy.optimize import minimize

        res = minimize(value_grad, theta0, jac=True, method="L-BFGS-B",
                       options={"gtol": 1e-10, "ftol": 1e-15, "maxiter": 5000})
        theta, traj = res.x, None
    else:
        schedule = functools.partial(_optim.cosine_decay, lr=lr, T_max=max(steps, 1))
        # No loss_fn: the loss is needed only at the end, and evaluating it at every
        # step would double the cost of a fit (the live figures refit on slider moves).
        traj = _optim.run(_optim.Adam(lr=lr), lambda t: value_grad(t, value=False)[1], theta0, steps,
                          lr_schedule=schedule)
        theta = traj.params[-1]
    W, b = unpack(theta)
    coef = np.vstack([W, b[None, :]])
    coef = coef[:, 0].copy() if outputs == 1 else coef.copy()
    mean_loss = value_grad(theta)[0] - 0.5 * lam * float(np.sum(W * W))
    return Fit(coef, float(mean_loss), traj)
