r"""Adversarial training of a linear classifier: robustness against accuracy.

One figure (see :mod:`lossbook.interactive`), ``"adversarial_tradeoff"``, on two-dimensional
data whose two features are useful in different ways.  With the label
:math:`\tilde y \in \{-1, +1\}` (each with probability 1/2),

.. math::
    x_1 \sim \mathcal N(2\tilde y,\ 2^2), \qquad x_2 \sim \mathcal N(0.5\,\tilde y,\ 0.25^2)

(:data:`MU`, :data:`SD`): :math:`x_1` alone classifies with accuracy
:math:`\Phi(1) \approx 0.84`, :math:`x_2` alone with :math:`\Phi(2) \approx 0.98`, but a
perturbation of size 0.5 moves :math:`x_2` to the midpoint between the class means, where it
says nothing, and :math:`x_1` only a quarter of its spread.

A linear model :math:`z = \mathbf w^\top \mathbf x + b` under the logistic loss
:math:`\phi(m) = \log(1 + e^{-m})` of the margin :math:`m = \tilde y z` faces an attacker who
may move every input by :math:`\mathbf u` with :math:`\lVert \mathbf u \rVert_\infty \le \nu`.
The worst move is :math:`\mathbf u^\star = -\nu\,\tilde y \operatorname{sign}(\mathbf w)`
(:func:`worst_case`), and it shrinks every margin by :math:`\nu \lVert \mathbf w \rVert_1`, so
adversarial training minimizes (:func:`robust_logistic`, :func:`fit`)

.. math::
    \frac1N \sum_{i=1}^N \phi\bigl(\tilde y_i z_i - \nu \lVert \mathbf w \rVert_1\bigr),

exactly, with no inner loop.  The accuracy of a linear model under attack on fresh data
has a closed form too (:func:`accuracy`): the margin of class :math:`\tilde y` is Gaussian,
so the share of points whose margin exceeds :math:`\nu\lVert\mathbf w\rVert_1` is a value of
the normal distribution function.

The figure draws the data (a sample), the decision boundary of the model trained without
an attacker and of the model trained against budget :math:`\nu_{\text{train}}`, each with
the two lines :math:`\tilde y z = \nu \lVert \mathbf w \rVert_1` between which an attack of
budget :math:`\nu` flips the prediction; and the accuracy of both models against the
attack budget on fresh data, with the chance level.

Importing this module imports NumPy and :mod:`lossbook` only; :func:`fit` imports SciPy.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from lossbook import losses as _losses
from lossbook.plotting import OKABE_ITO

from .explorer import line_in_box
from .registry import register
from .spec import Figure, Line, Panel, Point, Rule, Slider, grid

__all__ = ["MU", "SD", "BOX", "NU_CURVE", "sample", "worst_case", "robust_logistic", "fit", "accuracy",
           "training_data", "trained", "adversarial_tradeoff", "FIGURE"]

#: The class means of the two features, for the label +1 (the label -1 has minus these).
MU = np.array([2.0, 0.5])
#: The standard deviations of the two features within a class.
SD = np.array([2.0, 0.25])
#: The plane of the boundary panel, ``((x1 low, x1 high), (x2 low, x2 high))``.
BOX = ((-7.0, 7.0), (-1.5, 1.5))
#: The attack budgets of the accuracy curves.
NU_CURVE = np.linspace(0.0, 1.0, 101)
_N_TRAIN = 1000
_N_SHOWN = 120


def sample(n, *, seed=0):
    r"""``n`` points of the two-feature data, and their labels in {-1, +1}.

    Returns:
        ``(X, y_pm)``: ``X`` of shape ``(n, 2)``, ``y_pm`` of shape ``(n,)``.

    Example:
        >>> X, y_pm = sample(20000, seed=1)
        >>> bool(np.allclose((X * y_pm[:, None]).mean(axis=0), MU, atol=0.05))
        True
    """
    rng = np.random.default_rng(seed)
    y_pm = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    X = y_pm[:, None] * MU + SD * rng.standard_normal((n, 2))
    return X, y_pm


def worst_case(w, y_pm, nu, *, norm="inf"):
    r"""The perturbation that lowers each margin :math:`\tilde y\,\mathbf w^\top\mathbf x` most.

    Within :math:`\lVert\mathbf u\rVert_\infty \le \nu` it is
    :math:`-\nu\,\tilde y\operatorname{sign}(\mathbf w)` (``norm="inf"``); within
    :math:`\lVert\mathbf u\rVert_2 \le \nu` it is :math:`-\nu\,\tilde y\,\mathbf w/\lVert\mathbf w\rVert_2`
    (``norm=2``).  Either lowers the margin by :math:`\nu` times the dual norm of
    :math:`\mathbf w` (:math:`\lVert\mathbf w\rVert_1`, :math:`\lVert\mathbf w\rVert_2`).

    Returns:
        ``(N, D)``: one perturbation per label.

    Example:
        >>> worst_case(np.array([2.0, -0.5]), np.array([1.0, -1.0]), 0.1)
        array([[-0.1,  0.1],
               [ 0.1, -0.1]])
    """
    w = np.asarray(w, dtype=np.float64)
    y_pm = np.asarray(y_pm, dtype=np.float64)
    if norm == "inf":
        direction = np.sign(w)
    elif norm == 2:
        direction = w / np.linalg.norm(w)
    else:
        raise ValueError(f"worst_case: norm must be 'inf' or 2, got {norm!r}")
    return -nu * y_pm[:, None] * direction


def robust_logistic(theta, X, y_pm, nu):
    r"""The mean logistic loss under the worst :math:`\ell_\infty` attack of budget ``nu``, and its gradient.

    :math:`\frac1N\sum_i \phi(\tilde y_i z_i - \nu\lVert\mathbf w\rVert_1)` with
    :math:`\theta = (\mathbf w, b)`, computed as :func:`lossbook.losses.soft_margin` of the
    score :math:`z_i - \tilde y_i \nu \lVert\mathbf w\rVert_1`; the gradient uses
    :math:`\operatorname{sign}(\mathbf w)` for the derivative of :math:`\lVert\mathbf w\rVert_1`.

    Example:
        >>> X, y_pm = sample(5)
        >>> value, grad = robust_logistic(np.zeros(3), X, y_pm, 0.3)
        >>> round(float(value), 6), grad.shape       # log 2 at theta = 0
        (0.693147, (3,))
    """
    theta = np.asarray(theta, dtype=np.float64)
    w, b = theta[:-1], theta[-1]
    s = X @ w + b - y_pm * nu * np.abs(w).sum()          # the score the attacker leaves
    g = _losses.soft_margin.grad(y_pm, s)                # d(mean loss)/ds_i
    grad_w = X.T @ g - nu * np.sign(w) * np.sum(g * y_pm)
    return float(_losses.soft_margin(y_pm, s)), np.append(grad_w, g.sum())


def fit(X, y_pm, nu):
    r"""Logistic regression trained against the worst :math:`\ell_\infty` attack of budget ``nu``.

    Minimizes :func:`robust_logistic` exactly (no penalty; ``nu = 0`` is ordinary logistic
    regression) with L-BFGS-B, writing :math:`\mathbf w = \mathbf w^+ - \mathbf w^-`,
    :math:`\mathbf w^\pm \ge 0`, so that :math:`\lVert\mathbf w\rVert_1 = \sum(\mathbf w^+ + \mathbf w^-)`
    is smooth (at the minimum one of each pair is 0: raising both costs margin).

    Returns:
        ``theta = (w_1, ..., w_D, b)``.

    Example:
        >>> X, y_pm = sample(1000)
        >>> theta = fit(X, y_pm, 0.6)
        >>> float(theta[1])                          # the second feature is dropped
        0.0
    """
    from scipy import optimize

    X = np.asarray(X, dtype=np.float64)
    D = X.shape[1]

    def objective(p):
        wp, wm, b = p[:D], p[D:2 * D], p[-1]
        s = X @ (wp - wm) + b - y_pm * nu * (wp + wm).sum()
        g = _losses.soft_margin.grad(y_pm, s)
        common = -nu * np.sum(g * y_pm)
        return float(_losses.soft_margin(y_pm, s)), np.concatenate([X.T @ g + common, -X.T @ g + common, [g.sum()]])

    p0 = np.zeros(2 * D + 1)
    bounds = [(0.0, None)] * (2 * D) + [(None, None)]
    res = optimize.minimize(objective, p0, jac=True, method="L-BFGS-B", bounds=bounds,
                            options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 5000})
    return np.append(res.x[:D] - res.x[D:2 * D], res.x[-1])


def _phi(v):
    """The standard normal distribution function, elementwise (NumPy and math only)."""
    v = np.asarray(v, dtype=np.float64)
    return 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-v / math.sqrt(2.0))


def accuracy(theta, nu):
    r"""Accuracy of the linear model ``theta`` on fresh data, under the worst attack of budget ``nu``.

    For the label :math:`\tilde y` the margin :math:`\tilde y z` is Gaussian with mean
    :math:`\mathbf w^\top\boldsymbol\mu + \tilde y b` and variance :math:`\sum_j w_j^2 s_j^2`
    (:data:`MU`, :data:`SD`); the attack lowers it by :math:`\nu\lVert\mathbf w\rVert_1`, and a
    point is classified correctly when what is left is positive.  ``nu`` may be an array.

    Example:
        >>> round(float(accuracy(np.array([1.0, 0.0, 0.0]), 0.0)), 4)   # x1 alone: Phi(1)
        0.8413
    """
    theta = np.asarray(theta, dtype=np.float64)
    w, b = theta[:-1], theta[-1]
    sd = math.sqrt(float(np.sum((w * SD) ** 2)))
    shift = np.asarray(nu, dtype=np.float64) * np.abs(w).sum()
    mean = float(w @ MU)
    return 0.5 * (_phi((mean + b - shift) / sd) + _phi((mean - b - shift) / sd))


@functools.lru_cache(maxsize=1)
def training_data():
    """The figure's training set: :func:`sample` of 1,000 points, seed 0."""
    return sample(_N_TRAIN, seed=0)


@functools.lru_cache(maxsize=256)
def trained(nu: float) -> np.ndarray:
    """The model :func:`fit` gives on :func:`training_data` against budget ``nu`` (cached)."""
    return fit(*training_data(), round(float(nu), 6))


def _ends(coef):
    """The ends of the line coef[0] x1 + coef[1] x2 + coef[2] = 0 inside BOX, as (xs, ys)."""
    ends = line_in_box(coef, BOX)
    if ends is None:
        return np.zeros(0), np.zeros(0)
    return np.array([ends[0][0], ends[1][0]]), np.array([ends[0][1], ends[1][1]])


def _lines(theta, nu, prefix):
    """The boundary z = 0 of the model theta, and the lines z = +-nu ||w||_1 as two segments."""
    w, b = theta[:-1], theta[-1]
    reach = nu * np.abs(w).sum()
    out = {}
    out[f"{prefix}_bx"], out[f"{prefix}_by"] = _ends(np.append(w, b))
    segments = [_ends(np.append(w, b + shift)) for shift in (-reach, reach)]   # z = +reach, z = -reach
    segments = [(xs, ys) for xs, ys in segments if len(xs)]
    out[f"{prefix}_rx"] = np.array([xs[0] for xs, _ in segments])
    out[f"{prefix}_ry"] = np.array([ys[0] for _, ys in segments])
    out[f"{prefix}_rx2"] = np.array([xs[1] for xs, _ in segments])
    out[f"{prefix}_ry2"] = np.array([ys[1] for _, ys in segments])
    return out


def adversarial_tradeoff(*, nu_train: float, nu_attack: float) -> dict:
    r"""What the figure draws for one training budget and one attack budget.

    Returns:
        the shown sample (``neg_x1``, ``neg_x2``, ``pos_x1``, ``pos_x2``); the ends of the
        boundary (``std_bx``, ``std_by``) and the segments :math:`z = \pm\nu\lVert\mathbf w\rVert_1`
        that an attack of budget ``nu_attack`` reaches (from ``std_rx``, ``std_ry`` to
        ``std_rx2``, ``std_ry2``) of the model trained without attacker, and the same with
        ``adv_`` for the one trained against ``nu_train``; the accuracy
        curves over :data:`NU_CURVE` (``nu``, ``acc_std``, ``acc_adv``) and at ``nu_attack``
        (``nu_now``, ``acc_std_now``, ``acc_adv_now``); the weights ``theta_std``,
        ``theta_adv``; the chance line and the attack budget as two segments (``rule_*``);
        a ``message``.

    Example:
        >>> out = adversarial_tradeoff(nu_train=0.6, nu_attack=0.6)
        >>> bool(out["acc_std"][0] > out["acc_adv"][0]), bool(out["acc_adv_now"] > out["acc_std_now"])
        (True, True)
    """
    theta_std, theta_adv = trained(0.0), trained(nu_train)
    X, y_pm = training_data()
    shown = slice(0, _N_SHOWN)
    Xs, ys = X[shown], y_pm[shown]
    acc_std, acc_adv = accuracy(theta_std, NU_CURVE), accuracy(theta_adv, NU_CURVE)
    now_std, now_adv = float(accuracy(theta_std, nu_attack)), float(accuracy(theta_adv, nu_attack))
    return {
        "neg_x1": Xs[ys < 0, 0], "neg_x2": Xs[ys < 0, 1], "pos_x1": Xs[ys > 0, 0], "pos_x2": Xs[ys > 0, 1],
        **_lines(theta_std, nu_attack, "std"), **_lines(theta_adv, nu_attack, "adv"),
        "nu": NU_CURVE, "acc_std": acc_std, "acc_adv": acc_adv,
        "nu_now": float(nu_attack), "acc_std_now": now_std, "acc_adv_now": now_adv,
        "rule_x": np.array([0.0, nu_attack]), "rule_y": np.array([0.5, 0.0]),       # chance, and the attack
        "rule_x2": np.array([1.0, nu_attack]), "rule_y2": np.array([0.5, 1.0]),
        "theta_std": theta_std, "theta_adv": theta_adv,
        "message": (f"clean → attacked: standard {acc_std[0]:.1%} → {now_std:.1%}, "
                    f"adversarial {acc_adv[0]:.1%} → {now_adv:.1%}"),
    }


def _figure() -> Figure:
    std, adv = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
    grey, black = OKABE_ITO["grey"], OKABE_ITO["black"]
    (a0, a1), (b0, b1) = BOX
    return Figure(
        name="adversarial_tradeoff",
        compute=adversarial_tradeoff,
        controls=[
            Slider(name="nu_train", values=grid(0.0, 0.8, 0.1), default=0.6, live=(0.0, 0.8, 0.02),
                   label="training budget ν_train"),
            Slider(name="nu_attack", values=grid(0.0, 1.0, 0.1), default=0.5, live=(0.0, 1.0, 0.02),
                   label="attack budget ν"),
        ],
        panels=[
            Panel(title="decision boundaries",
                  subtitle="blue: standard, orange: adversarial; thin: ν's reach",
                  xlabel="x1 (robust, weak)", ylabel="x2 (strong, fragile)", xdomain=(a0, a1), ydomain=(b0, b1),
                  marks=[Point(x="neg_x1", y="neg_x2", shared=True, color=grey, size=16, opacity=0.6,
                               name="class_neg"),
                         Point(x="pos_x1", y="pos_x2", shared=True, color=black, size=22, shape="triangle-up",
                               opacity=0.6, name="class_pos"),
                         Rule(x="std_rx", y="std_ry", x2="std_rx2", y2="std_ry2", color=std, width=1.0,
                              name="reach_std"),
                         Rule(x="adv_rx", y="adv_ry", x2="adv_rx2", y2="adv_ry2", color=adv, width=1.0,
                              name="reach_adv"),
                         Line(x="std_bx", y="std_by", color=std, width=2.5, name="boundary_std"),
                         Line(x="adv_bx", y="adv_by", color=adv, width=2.5, name="boundary_adv")]),
            Panel(title="accuracy on fresh data under attack", subtitle="grey: chance, and the attack budget",
                  xlabel="attack budget ν", ylabel="accuracy", xdomain=(0.0, 1.0), ydomain=(0.0, 1.0),
                  marks=[Rule(x="rule_x", y="rule_y", x2="rule_x2", y2="rule_y2", color=grey, width=1.0,
                              name="chance_and_attack"),
                         Line(x="nu", y="acc_std", color=std, name="accuracy_std"),
                         Line(x="nu", y="acc_adv", color=adv, name="accuracy_adv"),
                         Point(x="nu_now", y="acc_std_now", color=std, size=60, name="now_std"),
                         Point(x="nu_now", y="acc_adv_now", color=adv, size=60, shape="square", name="now_adv")]),
        ],
        message="message",
        width=225, height=210, figsize=(10.5, 4.0),
        alt=("Two classes of points in the plane and the decision boundaries of a logistic regression trained "
             "normally and one trained against an attacker of budget nu_train, with the lines an attack of "
             "budget nu reaches; and the accuracy of both models on fresh data against the attack budget."),
    )


FIGURE = register(_figure())
