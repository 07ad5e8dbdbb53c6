r"""Optimizers with ``torch.optim``'s update rules, in NumPy; trajectories; LR schedules.

Each optimizer is a small class whose constructor takes the arguments of its
``torch.optim`` namesake, with the same names and defaults, and whose
:meth:`~SGD.step` turns parameters and gradients (NumPy arrays) into new parameters::

    opt = Adam(lr=0.1)
    x = opt.step(x, grad(x))

The rules are written to match PyTorch 2.x step for step (the tests run every option
against ``torch.optim`` in float64 on an ill-conditioned quadratic and on Rosenbrock's
function, 200 steps, to 1e-10).  Keras uses different rules in several places
(where epsilon is added, the bias correction, how weight decay is applied); each
class says where, and ``tests/test_optim.py`` runs Keras to check every such claim.

:func:`run` iterates an optimizer from a starting point and returns a
:class:`Trajectory`, stopping cleanly (no exception, no warning) when the iterates
diverge.  :func:`step_decay`, :func:`exponential_decay` and :func:`cosine_decay` are
learning-rate schedules written as pure functions of the step number; they give the
values of ``torch.optim.lr_scheduler``'s ``StepLR``, ``ExponentialLR`` and
``CosineAnnealingLR`` (with ``LinearLR`` warmup).

Importing this module imports NumPy only: no PyTorch, no TensorFlow.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from . import checks

__all__ = [
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "OPTIMIZERS",
    "make",
    "Trajectory",
    "run",
    "step_decay",
    "exponential_decay",
    "cosine_decay",
]


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``start + weight * (end - start)``, rounded exactly as ``torch.lerp`` on the CPU.

    PyTorch evaluates the two halves of the weight range differently to keep
    ``lerp(a, b, 1) == b`` exact; copying that makes the trajectories agree to the
    last bits rather than drifting apart by rounding over hundreds of steps.
    """
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


# --------------------------------------------------------------------------- base class
class _Optimizer:
    """Shared machinery: parameter/gradient plumbing, state, ``lr``, ``repr``."""

    #: Constructor arguments in signature order (for ``repr``); set by subclasses.
    _hyper: tuple[str, ...] = ()

    def __init__(self, lr):
        self.lr = lr
        self.reset()

    # ``lr`` is a validated property because schedules (and :func:`run`) change it
    # between steps; every other hyperparameter is fixed at construction.
    @property
    def lr(self) -> float:
        """The learning rate :math:`\\gamma`; may be changed between steps."""
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = checks.at_least(type(self).__name__, "lr", value)

    def reset(self) -> None:
        """Forget all state (momentum buffers, running averages, step counts)."""
        #: One dict per parameter array, keyed with ``torch.optim``'s state names
        #: (``"step"``, ``"momentum_buffer"``, ``"exp_avg"``, ...).
        self.state: list[dict] = []
        self._shapes: list[tuple] | None = None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._hyper)
        return f"{type(self).__name__}({args})"

    def step(self, params, grads):
        """One update: return the new parameters; the inputs are left untouched.

        Args:
            params: a NumPy array, or a list or tuple of arrays.
            grads: the gradient(s) of the objective at ``params``, in the same
                structure and shapes.

        Returns:
            The updated parameters, in the structure of ``params`` (an array, a list
            or a tuple).  The optimizer keeps its state (step count, buffers) for the
            next call; call :meth:`reset` to start afresh.
        """
        name = type(self).__name__
        many = isinstance(params, (list, tuple))
        if many != isinstance(grads, (list, tuple)) or (many and len(params) != len(grads)):
            got = f"{type(grads).__name__} of {len(grads)}" if isinstance(grads, (list, tuple)) else type(grads).__name__
            want = f"{type(params).__name__} of {len(params)}" if many else "a single array"
            raise ValueError(f"{name}.step: grads must match params ({want}), got {got}")
        ps = [checks.float_array(name + ".step", "params", p, allow_empty=True, copy=True)
              for p in (params if many else [params])]
        gs = []
        for i, (p, g) in enumerate(zip(ps, grads if many else [grads])):
            g = checks.float_array(name + ".step", "grads", g, allow_empty=True, copy=True)
            if g.shape != p.shape:
                raise ValueError(
                    f"{name}.step: grads[{i}] must have the shape of params[{i}], "
                    f"got {g.shape} and {p.shape}"
                )
            gs.append(g.astype(p.dtype, copy=False))
        shapes = [p.shape for p in ps]
        if self._shapes is None:
            self._shapes = shapes
            self.state = [{"step": 0} for _ in ps]
        elif shapes != self._shapes:
            raise ValueError(
                f"{name}.step: params must keep the shapes of the first call, "
                f"{self._shapes}, got {shapes} (call reset() to start a new problem)"
            )
        new = []
        for p, g, st in zip(ps, gs, self.state):
            st["step"] += 1
            new.append(self._update(*self._signed_and_decayed(p, g), st))
        if not many:
            return new[0]
        return type(params)(new)

    #: Weight decay shrinks the parameters (AdamW) instead of adding to the gradient.
    _decoupled = False

    def _signed_and_decayed(self, p: np.ndarray, g: np.ndarray):
        """The first lines of every ``torch.optim`` update: ascend if maximizing, then
        weight decay, added to the gradient or (decoupled) applied to the parameters."""
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            if self._decoupled:
                p = p * (1 - self.lr * self.weight_decay)
            else:
                g = g + self.weight_decay * p
        return p, g

    def _update(self, p: np.ndarray, g: np.ndarray, st: dict) -> np.ndarray:  # pragma: no cover
        """The optimizer's own rule, given the signed and decayed ``p`` and ``g``."""
        raise NotImplementedError


# --------------------------------------------------------------------------- SGD
class SGD(_Optimizer):
    r"""Stochastic gradient descent, with optional momentum, dampening and Nesterov.

    The rule of ``torch.optim.SGD``: with learning rate :math:`\gamma`, momentum
    :math:`\mu`, dampening :math:`\tau` and weight decay :math:`\lambda`, at step
    :math:`t = 1, 2, \dots`

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}
              \qquad (- \text{ if maximize}) \\
        b_1 &= g_1, \qquad b_t = \mu\, b_{t-1} + (1 - \tau)\, g_t \quad (t > 1) \\
        d_t &= g_t + \mu\, b_t \ \ \text{(nesterov)}, \qquad
        d_t = b_t \ \ \text{(otherwise; } d_t = g_t \text{ when } \mu = 0\text{)} \\
        \theta_t &= \theta_{t-1} - \gamma\, d_t

    The first buffer is the gradient itself, not :math:`(1-\tau) g_1`.  Nesterov's
    form here is the one of Sutskever et al. (2013), rewritten so that only the
    gradient at the current point is needed.

    Args:
        lr: learning rate :math:`\gamma \ge 0` (default 1e-3).
        momentum: :math:`\mu \ge 0` (default 0: plain gradient descent).
        dampening: :math:`\tau`, the share of the new gradient left out of the buffer
            (default 0).
        weight_decay: :math:`\lambda \ge 0`, an L2 penalty :math:`\tfrac\lambda2\|\theta\|^2`
            added through the gradient (default 0).
        nesterov: use Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
        maximize: ascend instead of descend.

    Shape:
        ``step(params, grads)``: any array shape; a list or tuple of arrays gives a
        list or tuple back.

    Example:
        >>> import numpy as np
        >>> opt = SGD(lr=0.1, momentum=0.9)
        >>> x = np.array([1.0, -2.0])
        >>> for _ in range(3):
        ...     x = opt.step(x, 2 * x)          # f(x) = |x|^2
        >>> print(x)                        # 0.8, 0.46, 0.062 in the first coordinate
        [ 0.062 -0.124]

    Keras ``keras.optimizers.SGD`` keeps the velocity with the learning rate inside
    (:math:`m_t = \mu m_{t-1} - \gamma g_t`, :math:`\theta_t = \theta_{t-1} + m_t`),
    where PyTorch keeps it outside (:math:`\theta_t = \theta_{t-1} - \gamma b_t`); the
    two agree step for step while the learning rate is constant and differ once a
    schedule changes it.  Keras has no ``dampening``, defaults to ``learning_rate=0.01``
    (PyTorch 1e-3), and its ``weight_decay`` is decoupled
    (:math:`\theta \leftarrow \theta - \gamma\lambda\theta` before the step), which
    equals PyTorch's coupled decay without momentum and differs with it.

    References:
        Robbins, H. & Monro, S. (1951). A stochastic approximation method.
        Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration
        methods.  Nesterov, Y. (1983). A method for solving the convex programming
        problem with convergence rate O(1/k^2).  Sutskever, I., Martens, J., Dahl, G.
        & Hinton, G. (2013). On the importance of initialization and momentum in deep
        learning.
    """

    _hyper = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")

    def __init__(self, lr=1e-3, *, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
        self.momentum = checks.at_least("SGD", "momentum", momentum)
        self.dampening = checks.real("SGD", "dampening", dampening)
        self.weight_decay = checks.at_least("SGD", "weight_decay", weight_decay)
        self.nesterov = checks.flag("SGD", "nesterov", nesterov)
        self.maximize = checks.flag("SGD", "maximize", maximize)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "SGD: nesterov=True requires momentum > 0 and dampening = 0, "
                f"got momentum={momentum!r} and dampening={dampening!r}"
            )
        super().__init__(lr)

    def _update(self, p, g, st):
        if self.momentum != 0:
            buf = st.get("momentum_buffer")
            if buf is None:
                buf = g.copy()
            else:
                buf = buf * self.momentum + (1 - self.dampening) * g
            st["momentum_buffer"] = buf
            g = g + self.momentum * buf if self.nesterov else buf
        return p - self.lr * g


# --------------------------------------------------------------------------- Adagrad
class Adagrad(_Optimizer):
    r"""AdaGrad: per-coordinate steps scaled by the root of the summed squared gradients.

    The rule of ``torch.optim.Adagrad``: with learning rate :math:`\gamma`, decay
    :math:`\eta`, weight decay :math:`\lambda`, initial accumulator :math:`s_0`,

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}, \qquad
        \tilde\gamma_t = \frac{\gamma}{1 + (t - 1)\,\eta} \\
        s_t &= s_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \tilde\gamma_t\, \frac{g_t}{\sqrt{s_t} + \epsilon}

    (squares, roots and the division are elementwise).

    Args:
        lr: learning rate :math:`\gamma \ge 0` (default 1e-2).
        lr_decay: :math:`\eta \ge 0` (default 0).
        weight_decay: :math:`\lambda \ge 0`, added to the gradient (default 0).
        initial_accumulator_value: :math:`s_0 \ge 0` (default 0).
        eps: :math:`\epsilon \ge 0`, added *outside* the square root (default 1e-10).
        maximize: ascend instead of descend.

    Shape:
        As :class:`SGD`.

    Example:
        >>> import numpy as np
        >>> opt = Adagrad(lr=0.5)
        >>> x = np.array([1.0, -2.0])
        >>> for _ in range(2):
        ...     x = opt.step(x, 2 * x)
        >>> print(x)
        [ 0.2763932 -1.2      ]

    Keras ``keras.optimizers.Adagrad`` adds epsilon *inside* the root,
    :math:`\gamma g_t / \sqrt{s_t + \epsilon}`, defaults to ``learning_rate=0.001``,
    ``initial_accumulator_value=0.1`` and ``epsilon=1e-7`` (PyTorch: 1e-2, 0 and
    1e-10), has no ``lr_decay``, and its ``weight_decay`` is decoupled
    (:math:`\theta \leftarrow \theta - \gamma\lambda\theta` before the step).

    References:
        Duchi, J., Hazan, E. & Singer, Y. (2011). Adaptive subgradient methods for
        online learning and stochastic optimization.  JMLR 12.
    """

    _hyper = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize")

    def __init__(self, lr=1e-2, *, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, maximize=False):
        self.lr_decay = checks.at_least("Adagrad", "lr_decay", lr_decay)
        self.weight_decay = checks.at_least("Adagrad", "weight_decay", weight_decay)
        self.initial_accumulator_value = checks.at_least("Adagrad", "initial_accumulator_value", initial_accumulator_value)
        self.eps = checks.at_least("Adagrad", "eps", eps)
        self.maximize = checks.flag("Adagrad", "maximize", maximize)
        super().__init__(lr)

    def _update(self, p, g, st):
        clr = self.lr / (1 + (st["step"] - 1) * self.lr_decay)
        s = st.get("sum")
        if s is None:
            s = np.full_like(p, self.initial_accumulator_value)
        s = s + g * g
        st["sum"] = s
        return p - clr * (g / (np.sqrt(s) + self.eps))


# --------------------------------------------------------------------------- RMSprop
class RMSprop(_Optimizer):
    r"""RMSprop: divide by a running root-mean-square of recent gradients.

    The rule of ``torch.optim.RMSprop``: with learning rate :math:`\gamma`, smoothing
    :math:`\alpha`, momentum :math:`\mu`, weight decay :math:`\lambda`,
    :math:`v_0 = \bar g_0 = b_0 = 0`,

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
        v_t &= \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2 \\
        \bar g_t &= \alpha\, \bar g_{t-1} + (1 - \alpha)\, g_t, \qquad
        \tilde v_t = v_t - \bar g_t^2 \ \text{(centered)}, \quad
        \tilde v_t = v_t \ \text{(otherwise)} \\
        b_t &= \mu\, b_{t-1} + \frac{g_t}{\sqrt{\tilde v_t} + \epsilon}, \qquad
        \theta_t = \theta_{t-1} - \gamma\, b_t

    (with :math:`\mu = 0`, simply :math:`\theta_t = \theta_{t-1} - \gamma g_t /
    (\sqrt{\tilde v_t} + \epsilon)`).  There is no bias correction: the first steps
    are larger than later ones because :math:`v_t` starts at zero.

    Args:
        lr: learning rate :math:`\gamma \ge 0` (default 1e-2).
        alpha: smoothing constant :math:`\alpha \in [0, 1]` (default 0.99).
        eps: :math:`\epsilon \ge 0`, added *outside* the square root (default 1e-8).
        weight_decay: :math:`\lambda \ge 0`, added to the gradient (default 0).
        momentum: :math:`\mu \ge 0` (default 0).
        centered: subtract the squared running mean of the gradient, estimating the
            variance instead of the second moment.
        maximize: ascend instead of descend.

    Shape:
        As :class:`SGD`.

    Example:
        >>> import numpy as np
        >>> opt = RMSprop(lr=0.01)
        >>> x = opt.step(np.array([1.0, -2.0]), np.array([2.0, -4.0]))
        >>> print(x)                        # first step: lr / sqrt(1 - alpha) = 0.1
        [ 0.9 -1.9]

    PyTorch accepts ``alpha > 1``, which gives a running average with a negative
    weight; this class refuses it.  In centered mode a rounding error can make
    :math:`\tilde v_t` a tiny negative number, where PyTorch returns NaN; it is clamped
    at zero here.

    Keras ``keras.optimizers.RMSprop`` calls the smoothing constant ``rho`` (default
    0.9; PyTorch ``alpha=0.99``), defaults to ``learning_rate=0.001`` and
    ``epsilon=1e-7``, and adds epsilon *inside* the root,
    :math:`g_t / \sqrt{\tilde v_t + \epsilon}` (centered:
    :math:`\sqrt{v_t - \bar g_t^2 + \epsilon}`).  Its momentum buffer holds the
    learning rate inside, :math:`m_t = \mu m_{t-1} + \gamma g_t / \sqrt{\cdot}`,
    which is PyTorch's :math:`\gamma b_t` (up to where epsilon goes) while the
    learning rate is constant, and differs once a schedule changes it.  Its ``weight_decay`` is decoupled, as in every Keras
    optimizer.

    References:
        Tieleman, T. & Hinton, G. (2012). Lecture 6.5 - RMSProp: divide the gradient
        by a running average of its recent magnitude.  COURSERA: Neural Networks for
        Machine Learning.  Graves, A. (2013). Generating sequences with recurrent
        neural networks (the centered variant).
    """

    _hyper = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize")

    def __init__(self, lr=1e-2, *, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, maximize=False):
        self.alpha = checks.in_range("RMSprop", "alpha", alpha, 0, 1)
        self.eps = checks.at_least("RMSprop", "eps", eps)
        self.weight_decay = checks.at_least("RMSprop", "weight_decay", weight_decay)
        self.momentum = checks.at_least("RMSprop", "momentum", momentum)
        self.centered = checks.flag("RMSprop", "centered", centered)
        self.maximize = checks.flag("RMSprop", "maximize", maximize)
        super().__init__(lr)

    def _update(self, p, g, st):
        v = st.get("square_avg", np.zeros_like(p))
        v = v * self.alpha + (1 - self.alpha) * (g * g)
        st["square_avg"] = v
        if self.centered:
            gbar = _lerp(st.get("grad_avg", np.zeros_like(p)), g, 1 - self.alpha)
            st["grad_avg"] = gbar
            # v - gbar^2 >= 0 in exact arithmetic (it is a variance); clamp the
            # rounding error so that sqrt never sees a tiny negative number.
            avg = np.sqrt(np.maximum(v - gbar * gbar, 0)) + self.eps
        else:
            avg = np.sqrt(v) + self.eps
        if self.momentum > 0:
            buf = st.get("momentum_buffer", np.zeros_like(p))
            buf = buf * self.momentum + g / avg
            st["momentum_buffer"] = buf
            return p - self.lr * buf
        return p - self.lr * (g / avg)


# --------------------------------------------------------------------------- Adam, AdamW
class Adam(_Optimizer):
    r"""Adam: momentum on the gradient, RMSprop scaling, both bias-corrected.

    The rule of ``torch.optim.Adam``: with learning rate :math:`\gamma`, decay rates
    :math:`\beta_1, \beta_2`, weight decay :math:`\lambda`, :math:`m_0 = v_0 = 0`,

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \ \text{(amsgrad)}, \qquad
        \hat v_t = v_t \ \text{(otherwise)} \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\;
        \frac{m_t}{\sqrt{\hat v_t} \,/\, \sqrt{1 - \beta_2^t} + \epsilon}

    that is, :math:`\theta_t = \theta_{t-1} - \gamma\, \hat m_t / (\sqrt{\hat v_t /
    (1-\beta_2^t)} + \epsilon)` with :math:`\hat m_t = m_t / (1 - \beta_1^t)`: epsilon
    is added to the root of the *bias-corrected* second moment, as in Algorithm 1 of
    Kingma & Ba.  The weight decay is an L2 penalty through the gradient, so it is
    rescaled by :math:`\sqrt{\hat v_t}` like the gradient; :class:`AdamW` decouples it.

    Args:
        lr: learning rate :math:`\gamma \ge 0` (default 1e-3).
        betas: :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)` (default (0.9, 0.999)).
        eps: :math:`\epsilon \ge 0` (default 1e-8).
        weight_decay: :math:`\lambda \ge 0`, added to the gradient (default 0).
        amsgrad: divide by the running maximum of :math:`v_t` (Reddi et al. 2018).
        maximize: ascend instead of descend.

    Shape:
        As :class:`SGD`.

    Example:
        >>> import numpy as np
        >>> opt = Adam(lr=0.1)
        >>> x = opt.step(np.array([1.0, -2.0]), np.array([2.0, -4.0]))
        >>> print(x)                        # the first step is about lr * sign(g)
        [ 0.9 -1.9]

    Keras ``keras.optimizers.Adam`` (and ``AdamW``) moves both bias corrections into
    the step size and adds epsilon to the *uncorrected* root ("epsilon hat" in Kingma
    & Ba, just before Section 2.1):

    .. math::

        \theta_t = \theta_{t-1} - \gamma\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\;
        \frac{m_t}{\sqrt{\hat v_t} + \hat\epsilon}

    which is PyTorch's rule with :math:`\epsilon = \hat\epsilon / \sqrt{1-\beta_2^t}`,
    an epsilon about 31.6 times larger at :math:`t = 1` (for :math:`\beta_2 = 0.999`)
    that shrinks towards :math:`\hat\epsilon`.  Keras's default ``epsilon`` is 1e-7
    (PyTorch 1e-8), and its ``weight_decay`` is decoupled in every optimizer, so Keras
    ``Adam(weight_decay=...)`` behaves like PyTorch :class:`AdamW`, not like PyTorch
    ``Adam(weight_decay=...)``.  A float64 detail: Keras 3 (TensorFlow backend)
    computes :math:`\beta^t` from the betas rounded to float32 (0.999 becomes
    0.99900001...), which makes its steps about 6.7e-6 (relative) shorter at first.

    References:
        Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization.
        ICLR.  Reddi, S. J., Kale, S. & Kumar, S. (2018). On the convergence of Adam
        and beyond. ICLR (AMSGrad).
    """

    _hyper = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize")

    def __init__(self, lr=1e-3, *, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False):
        name = type(self).__name__
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (
            checks.in_range(name, "betas[0]", b1, 0, 1, closed="left"),
            checks.in_range(name, "betas[1]", b2, 0, 1, closed="left"),
        )
        self.eps = checks.at_least(name, "eps", eps)
        self.weight_decay = checks.at_least(name, "weight_decay", weight_decay)
        self.amsgrad = checks.flag(name, "amsgrad", amsgrad)
        self.maximize = checks.flag(name, "maximize", maximize)
        super().__init__(lr)

    def _update(self, p, g, st):
        b1, b2 = self.betas
        t = st["step"]
        m = _lerp(st.get("exp_avg", np.zeros_like(p)), g, 1 - b1)
        v = st.get("exp_avg_sq", np.zeros_like(p)) * b2 + (1 - b2) * (g * g)
        st["exp_avg"], st["exp_avg_sq"] = m, v
        if self.amsgrad:
            v = np.maximum(st.get("max_exp_avg_sq", np.zeros_like(p)), v)
            st["max_exp_avg_sq"] = v
        # Python floats (not NumPy scalars), so float32 parameters stay float32.
        step_size = self.lr / (1 - b1**t)
        denom = np.sqrt(v) / math.sqrt(1 - b2**t) + self.eps
        return p - step_size * (m / denom)


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay.

    The rule of ``torch.optim.AdamW``: the parameters first shrink by
    :math:`\gamma\lambda`, then take an :class:`Adam` step computed from the plain
    gradient,

    .. math::

        \theta' &= (1 - \gamma\lambda)\, \theta_{t-1} \\
        \theta_t &= \theta' - \frac{\gamma}{1 - \beta_1^t}\;
        \frac{m_t}{\sqrt{\hat v_t} \,/\, \sqrt{1 - \beta_2^t} + \epsilon}

    with :math:`m_t, v_t, \hat v_t` as in :class:`Adam`, built from
    :math:`g_t = \pm\nabla f(\theta_{t-1})` alone.  Unlike an L2 penalty, the decay is
    not divided by :math:`\sqrt{\hat v_t}`: every weight shrinks at the same relative
    rate, whatever its gradient history.

    Args:
        lr: learning rate :math:`\gamma \ge 0` (default 1e-3).
        betas: :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)` (default (0.9, 0.999)).
        eps: :math:`\epsilon \ge 0` (default 1e-8).
        weight_decay: :math:`\lambda \ge 0` (default 1e-2).
        amsgrad: divide by the running maximum of :math:`v_t`.
        maximize: ascend instead of descend.

    Shape:
        As :class:`SGD`.

    Example:
        >>> import numpy as np
        >>> opt = AdamW(lr=0.1, weight_decay=0.5)
        >>> x = opt.step(np.array([1.0, -2.0]), np.array([0.0, 0.0]))
        >>> print(x)                        # zero gradient: only the decay, 1 - 0.05
        [ 0.95 -1.9 ]

    Keras ``keras.optimizers.AdamW`` decays in the same decoupled way, but defaults to
    ``weight_decay=0.004`` (PyTorch 1e-2) and ``epsilon=1e-7``, and places epsilon as
    Keras ``Adam`` does (see :class:`Adam`).

    References:
        Loshchilov, I. & Hutter, F. (2019). Decoupled weight decay regularization.
        ICLR.
    """

    _decoupled = True

    def __init__(self, lr=1e-3, *, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False):
        super().__init__(lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)


# --------------------------------------------------------------------------- registry
#: The optimizers by name, for :func:`make` and the widgets' dropdowns.
OPTIMIZERS: dict[str, type] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}


def make(name: str, **kwargs):
    """Build the optimizer registered as ``name`` (case-insensitive) with ``kwargs``.

    Example:
        >>> make("adam", lr=0.01)
        Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, amsgrad=False, maximize=False)
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in OPTIMIZERS:
        raise ValueError(f"make: unknown optimizer {name!r}; available optimizers are {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[key](**kwargs)


# --------------------------------------------------------------------------- trajectories
class Trajectory(NamedTuple):
    """The iterates of :func:`run`, a named tuple of three fields.

    * ``params``, shape ``(steps + 1, *x0.shape)``: row ``k`` holds the parameters
      after ``k`` steps (row 0 is ``x0``); rows after a divergence are NaN.
    * ``losses``, shape ``(steps + 1,)``: the values of ``loss_fn`` along the way, or
      ``None`` when no ``loss_fn`` was given.
    * ``diverged_at``: the first step whose parameters (or loss) were non-finite or
      beyond ``bound``, or ``None``.
    """

    params: np.ndarray
    losses: np.ndarray | None
    diverged_at: int | None


def run(
    optimizer,
    grad_fn: Callable,
    x0,
    steps: int,
    *,
    loss_fn: Callable | None = None,
    lr_schedule: Callable | None = None,
    stop_on_divergence: bool = True,
    bound: float = 1e12,
) -> Trajectory:
    r"""Iterate ``optimizer`` from ``x0`` for ``steps`` steps and record the path.

    At step :math:`t = 0, 1, \dots`, ``steps - 1`` the parameters move from row
    :math:`t` to row :math:`t + 1` using ``grad_fn`` at row :math:`t` (and, when given,
    the learning rate ``lr_schedule(t)``, as a ``torch.optim.lr_scheduler`` stepped
    after each optimizer step would set it).

    A run *diverges* at the first step :math:`k` whose parameters are not finite or
    exceed ``bound`` in absolute value, or whose loss is not finite.  Then
    ``diverged_at = k``, row :math:`k` keeps what was computed and, with
    ``stop_on_divergence`` (the default), the later rows are NaN: the shapes stay
    fixed, no exception is raised and no overflow warning is printed; the
    non-finite values are the report.

    Args:
        optimizer: an optimizer from this module; it is :meth:`~SGD.reset` first, and
            its learning rate is restored at the end.
        grad_fn: ``grad_fn(x)`` returns the gradient at ``x`` (the shape of ``x0``).
        x0: the starting point (an array of any shape).
        steps: number of steps, ``>= 0``.
        loss_fn: optional ``loss_fn(x)`` returning a scalar, recorded at each row.
        lr_schedule: optional ``lr_schedule(t)`` returning the learning rate of step
            ``t``, e.g. ``functools.partial(cosine_decay, lr=0.1, T_max=100)``.
        stop_on_divergence: stop at the first divergent step (default) or carry on.
        bound: the magnitude beyond which the parameters count as divergent.

    Shape:
        ``params``: ``(steps + 1, *x0.shape)``; ``losses``: ``(steps + 1,)``.

    Example:
        >>> import numpy as np
        >>> traj = run(SGD(lr=0.1), lambda x: 2 * x, np.array([1.0]), 3,
        ...            loss_fn=lambda x: float(x @ x))
        >>> print(traj.params[:, 0], traj.losses[-1], traj.diverged_at)
        [1.    0.8   0.64  0.512] 0.262144 None
    """
    x = checks.float_array("run", "x0", x0, allow_empty=True, copy=True)
    if not np.all(np.isfinite(x)):
        raise ValueError("run: x0 must be finite, got non-finite values")
    steps = checks.integer("run", "steps", steps, low=0)
    bound = checks.at_least("run", "bound", bound)
    if not isinstance(optimizer, _Optimizer):
        raise ValueError(f"run: optimizer must be one of {', '.join(c.__name__ for c in OPTIMIZERS.values())}, got {type(optimizer).__name__}")

    params = np.full((steps + 1, *x.shape), np.nan, dtype=x.dtype)
    losses = None if loss_fn is None else np.full(steps + 1, np.nan)
    params[0] = x
    if losses is not None:
        losses[0] = loss_fn(x)
    diverged_at = None
    lr0 = optimizer.lr
    optimizer.reset()
    try:
        # Overflow on the way to infinity is expected here and is reported through
        # diverged_at, so the floating-point warnings are silenced for the loop.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for t in range(steps):
                if lr_schedule is not None:
                    optimizer.lr = lr_schedule(t)
                x = optimizer.step(x, grad_fn(x))
                params[t + 1] = x
                bad = not np.all(np.isfinite(x)) or np.any(np.abs(x) > bound)
                if losses is not None:
                    losses[t + 1] = loss_fn(x)
                    bad = bad or not np.isfinite(losses[t + 1])
                if bad and diverged_at is None:
                    diverged_at = t + 1
                    if stop_on_divergence:
                        break
    finally:
        optimizer.lr = lr0
    return Trajectory(params, losses, diverged_at)


# --------------------------------------------------------------------------- schedules
def step_decay(t: int, *, lr: float, step_size: int, gamma: float = 0.1) -> float:
    r"""Learning rate at step ``t`` that drops by ``gamma`` every ``step_size`` steps.

    .. math::

        \gamma_t = \gamma_0 \cdot \text{gamma}^{\lfloor t / \text{step\_size} \rfloor}

    The values of ``torch.optim.lr_scheduler.StepLR(step_size, gamma)``.

    Args:
        t: step number, ``>= 0``.
        lr: initial learning rate :math:`\gamma_0`.
        step_size: steps between drops, ``>= 1``.
        gamma: factor of each drop (default 0.1).

    Example:
        >>> print([step_decay(t, lr=1.0, step_size=2, gamma=0.5) for t in range(5)])
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """
    t = checks.integer("step_decay", "t", t, low=0)
    step_size = checks.integer("step_decay", "step_size", step_size, low=1)
    lr = checks.at_least("step_decay", "lr", lr)
    gamma = checks.at_least("step_decay", "gamma", gamma)
    return lr * gamma ** (t // step_size)


def exponential_decay(t: int, *, lr: float, gamma: float) -> float:
    r"""Learning rate at step ``t`` that shrinks by ``gamma`` every step.

    .. math::

        \gamma_t = \gamma_0 \cdot \text{gamma}^{t}

    The values of ``torch.optim.lr_scheduler.ExponentialLR(gamma)``.  (Keras's
    ``ExponentialDecay`` uses :math:`\text{rate}^{t / \text{decay\_steps}}` instead.)

    Args:
        t: step number, ``>= 0``.
        lr: initial learning rate :math:`\gamma_0`.
        gamma: factor per step.

    Example:
        >>> print(exponential_decay(3, lr=1.0, gamma=0.5))
        0.125
    """
    t = checks.integer("exponential_decay", "t", t, low=0)
    lr = checks.at_least("exponential_decay", "lr", lr)
    gamma = checks.at_least("exponential_decay", "gamma", gamma)
    return lr * gamma**t


def cosine_decay(
    t: int,
    *,
    lr: float,
    T_max: int,
    eta_min: float = 0.0,
    warmup_steps: int = 0,
    warmup_start_factor: float = 0.1,
) -> float:
    r"""Learning rate at step ``t`` on a cosine from ``lr`` to ``eta_min``, after a warmup.

    With :math:`W` warmup steps and start factor :math:`s`,

    .. math::

        \gamma_t = \gamma_0 \left(s + (1 - s)\,\frac{t}{W}\right) \quad (t < W),
        \qquad
        \gamma_t = \eta_{\min} + \frac{\gamma_0 - \eta_{\min}}{2}
        \left(1 + \cos\frac{\pi\,(t - W)}{T_{\max}}\right) \quad (t \ge W)

    Without warmup these are the values of
    ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max, eta_min)``; with it, of
    ``SequentialLR([LinearLR(start_factor=s, total_iters=W), CosineAnnealingLR(T_max,
    eta_min)], milestones=[W])``.  Like PyTorch's scheduler, the cosine does not stop
    at :math:`t = W + T_{\max}`: the rate climbs back to :math:`\gamma_0` over the next
    :math:`T_{\max}` steps (a period of :math:`2T_{\max}`).  Keras's ``CosineDecay``
    instead holds its final value after ``decay_steps``.

    Args:
        t: step number, ``>= 0``.
        lr: peak learning rate :math:`\gamma_0`.
        T_max: length of the half cosine, ``>= 1``.
        eta_min: the lowest learning rate (default 0).
        warmup_steps: :math:`W \ge 0`, linear warmup steps before the cosine.
        warmup_start_factor: :math:`s \in (0, 1]`, the first warmup rate as a
            fraction of ``lr`` (default 0.1).

    Example:
        >>> print([round(cosine_decay(t, lr=1.0, T_max=4), 4) for t in range(5)])
        [1.0, 0.8536, 0.5, 0.1464, 0.0]

    References:
        Loshchilov, I. & Hutter, F. (2017). SGDR: stochastic gradient descent with
        warm restarts. ICLR.  Goyal, P. et al. (2017). Accurate, large minibatch SGD:
        training ImageNet in 1 hour (linear warmup).
    """
    t = checks.integer("cosine_decay", "t", t, low=0)
    T_max = checks.integer("cosine_decay", "T_max", T_max, low=1)
    warmup_steps = checks.integer("cosine_decay", "warmup_steps", warmup_steps, low=0)
    lr = checks.at_least("cosine_decay", "lr", lr)
    eta_min = checks.at_least("cosine_decay", "eta_min", eta_min)
    s = checks.in_range("cosine_decay", "warmup_start_factor", warmup_start_factor, 0, 1, closed="right")
    if t < warmup_steps:
        return lr * (s + (1 - s) * t / warmup_steps)
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * (t - warmup_steps) / T_max)) / 2
