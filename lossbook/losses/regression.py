"""Regression losses: a real-valued prediction against a real-valued target.

Every function takes the target ``y_true`` and the prediction(s) of exactly the same
shape ``(N, *)`` (``y_pred``; ``log_rate`` for :func:`poisson_nll`; ``mean`` and
``var`` for :func:`gaussian_nll`) and a keyword-only ``reduction`` in
``{"mean", "sum", "none"}`` (only ``"mean"`` for :func:`rmse`); each has a ``grad``
attribute giving the derivative of the reduced loss with respect to the prediction(s).
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from .. import checks
from ._core import REDUCTIONS, grad_of, reduce, reduce_grad, register
from .facts import Case, Hyper, Limit, away_from, draw

__all__ = [
    "mse",
    "mae",
    "rmse",
    "huber",
    "smooth_l1",
    "log_cosh",
    "barron",
    "quantile",
    "mape",
    "msle",
    "poisson_nll",
    "poisson",
    "gaussian_nll",
]

# Constants are Python floats, never NumPy float64 scalars: under NumPy 2's promotion
# rules a Python float keeps a float32 array float32, a np.float64 would upcast it.
_LOG2 = math.log(2.0)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# keras.config.epsilon(): the floor of mape's denominator, msle's clip and the term
# inside poisson's log.  A Python float, so float32 inputs stay float32.
_KERAS_EPS = 1e-7


def _residual(fn: str, y_true, y_pred) -> np.ndarray:
    """``y_pred - y_true`` after checking both are float arrays of one shape."""
    t = checks.float_array(fn, "y_true", y_true)
    p = checks.float_array(fn, "y_pred", y_pred)
    checks.same_shape(fn, "y_true", t, "y_pred", p)
    return p - t


def _prepare_residual(fn: str, y_true, y_pred, reduction) -> np.ndarray:
    """The preparation that mse, mae, log_cosh and their grads share: the residual."""
    checks.reduction(fn, reduction)
    return _residual(fn, y_true, y_pred)


def _residual_sample(*kinks):
    """A ``sample(rng, n)`` of ``(y_true, y_pred)`` whose residuals avoid ``kinks``."""

    def sample(rng, n):
        y = draw("real", rng, n)
        return Case((y, y + away_from(draw("real", rng, n), kinks)))

    return sample


@register(
    "regression",
    inputs=("y_true", "y_pred"),
    target="real",
    prediction="real",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,
    differentiable=True,
    proper=None,
    sample=_residual_sample(),
)
def mse(y_true, y_pred, *, reduction="mean"):
    r"""Mean squared error: the average squared residual.

    .. math::
        \ell_i = (\hat y_i - y_i)^2, \qquad
        \mathrm{MSE} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: targets :math:`y`.
        y_pred: predictions :math:`\hat y`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.  No broadcasting: ``(N, 1)`` against ``(N,)`` raises.

    Example:
        >>> print(mse([0.0, 1.0, 2.0], [0.0, 1.0, 5.0]))
        3.0

    The constant prediction that minimizes it is the mean of the targets.  It is the
    negative log-likelihood of a Gaussian with fixed variance, up to scale and a constant
    (Legendre 1805; Gauss 1809).  PyTorch ``nn.MSELoss``, Keras
    ``keras.losses.MeanSquaredError`` (which averages over the last axis first; equal for
    the overall mean) and scikit-learn ``mean_squared_error`` agree with it.  See
    :func:`rmse` (its square root) and :func:`mae`.

    References:
        Legendre, A.-M. (1805). Nouvelles méthodes pour la détermination des orbites
        des comètes.  Gauss, C. F. (1809). Theoria motus corporum coelestium.
    """
    r = _prepare_residual("mse", y_true, y_pred, reduction)
    return reduce(r * r, reduction)


@grad_of(mse)
def _mse_grad(y_true, y_pred, *, reduction="mean"):
    r = _prepare_residual("mse", y_true, y_pred, reduction)
    return reduce_grad(2 * r, reduction)


# --------------------------------------------------------------------------- MAE, RMSE
@register(
    "regression",
    inputs=("y_true", "y_pred"),
    target="real",
    prediction="real",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,
    differentiable=False,
    kinks="at r = 0 (the subgradient 0 is used there)",
    proper=None,
    sample=_residual_sample(0.0),
)
def mae(y_true, y_pred, *, reduction="mean"):
    r"""Mean absolute error: the average absolute residual.

    .. math::
        \ell_i = |\hat y_i - y_i|, \qquad
        \mathrm{MAE} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: targets :math:`y`.
        y_pred: predictions :math:`\hat y`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.  No broadcasting: ``(N, 1)`` against ``(N,)`` raises.

    Example:
        >>> print(mae([0.0, 1.0, 2.0], [0.0, 1.0, 5.0]))
        1.0

    The constant prediction that minimizes it is the median of the targets, so one
    outlier moves it far less than it moves :func:`mse`.  It is the negative
    log-likelihood of a Laplace distribution with fixed scale, up to scale and a
    constant.  Its derivative ``grad`` is :math:`\operatorname{sign}(\hat y - y)/N`,
    taken as 0 at a zero residual (the subgradient PyTorch's ``abs`` backward also
    picks).  MAE is *not* the square root of MSE; that is :func:`rmse`.  PyTorch
    ``nn.L1Loss``, Keras ``keras.losses.MeanAbsoluteError`` (which averages over the
    last axis first; equal for the overall mean) and scikit-learn
    ``mean_absolute_error`` agree with it.  See :func:`quantile` (MAE is twice the
    pinball loss at :math:`\tau = 1/2`) and :func:`smooth_l1` (MAE is its
    :math:`\beta = 0` case).

    References:
        Laplace, P.-S. (1774). Mémoire sur la probabilité des causes par les
        événements.  Willmott, C. J., & Matsuura, K. (2005). Advantages of the mean
        absolute error (MAE) over the root mean square error (RMSE) in assessing
        average model performance. Climate Research, 30, 79-82.
    """
    r = _prepare_residual("mae", y_true, y_pred, reduction)
    return reduce(np.abs(r), reduction)


@grad_of(mae)
def _mae_grad(y_true, y_pred, *, reduction="mean"):
    r = _prepare_residual("mae", y_true, y_pred, reduction)
    return reduce_grad(np.sign(r), reduction)  # sign(0) = 0: a valid subgradient


def _prepare_rmse(y_true, y_pred, reduction) -> np.ndarray:
    """The preparation rmse and its grad share: the residual, once "mean" is checked."""
    if not (isinstance(reduction, str) and reduction == "mean"):
        raise ValueError(
            f"rmse: reduction must be 'mean', got {reduction!r}; RMSE is the square root "
            "of a mean over all elements, so it has no per-element ('none') or summed "
            "('sum') form (for per-element squared errors use mse(..., reduction='none'))"
        )
    return _residual("rmse", y_true, y_pred)


@register(
    "regression",
    inputs=("y_true", "y_pred"),
    target="real",
    prediction="real",
    labels=None,
    per_example=False,
    reductions=("mean",),
    hyper=(),
    convex=True,
    differentiable=False,
    kinks="where every residual is 0 (the subgradient 0 is used there)",
    proper=None,
    sample=_residual_sample(),
)
def rmse(y_true, y_pred, *, reduction="mean"):
    r"""Root mean squared error: the square root of :func:`mse`.

    .. math::
        \mathrm{RMSE} = \sqrt{\frac1N \sum_{i=1}^N (\hat y_i - y_i)^2}

    RMSE, not MAE, is the square root of MSE (one of the source documents of this book
    calls MAE "the square root of the mean squared error"; it is not, see :func:`mae`).
    RMSE is in the units of the target, as MAE is, and it is always
    :math:`\ge` MAE.

    Args:
        y_true: targets :math:`y`.
        y_pred: predictions :math:`\hat y`.
        reduction: only ``"mean"`` (the default).  The square root is taken of the
            mean over all elements, so there is no per-element (``"none"``) or
            summed (``"sum"``) RMSE; those raise ``ValueError``.

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)``; the result is a scalar.
        No broadcasting: ``(N, 1)`` against ``(N,)`` raises.

    Example:
        >>> print(rmse([0.0, 1.0, 2.0], [0.0, 1.0, 5.0]))
        1.7320508075688772

    Its derivative ``grad`` is :math:`(\hat y_i - y_i) / (N\,\mathrm{RMSE})`; at a
    perfect prediction (RMSE = 0, the kink of a norm) it returns the subgradient 0,
    where PyTorch's autograd through ``torch.sqrt(mse)`` gives NaN.  The residuals
    are scaled by the largest one before squaring, so residuals of 1e200 (or 1e20 in
    float32) do not overflow.  PyTorch has no RMSE loss (take ``torch.sqrt`` of
    ``nn.MSELoss``); Keras has ``keras.metrics.RootMeanSquaredError`` (a metric, not
    a loss); scikit-learn ``root_mean_squared_error`` agrees for 1-D targets, but for
    2-D targets it averages the RMSE of each column
    (``multioutput="uniform_average"``), which is not the RMSE of all elements.

    References:
        Hyndman, R. J., & Koehler, A. B. (2006). Another look at measures of forecast
        accuracy. International Journal of Forecasting, 22(4), 679-688.  Willmott, C.
        J., & Matsuura, K. (2005). Advantages of the mean absolute error (MAE) over the
        root mean square error (RMSE). Climate Research, 30, 79-82.
    """
    a = np.abs(_prepare_rmse(y_true, y_pred, reduction))
    m = a.max()
    if not 0 < m < np.inf:  # all residuals 0 (RMSE 0), one infinite (inf) or a NaN (NaN)
        return m
    # Scale by the largest residual before squaring (as hypot and BLAS nrm2 do): squares
    # of residuals above ~1e154 (float64) or ~1.8e19 (float32) overflow to inf, and
    # those below ~1e-154 underflow to 0, although their RMSE is representable.
    s = a / m
    return m * np.sqrt(np.mean(s * s))


@grad_of(rmse)
def _rmse_grad(y_true, y_pred, *, reduction="mean"):
    r = _prepare_rmse(y_true, y_pred, reduction)
    m = np.abs(r).max()
    if m == 0:
        # RMSE is a norm of the residuals (over sqrt N): at 0 its subdifferential is a
        # ball that contains 0, and 0 is the natural choice at the minimum.
        return np.zeros_like(r)
    if not m < np.inf:  # an infinite residual or a NaN: no derivative
        return np.full_like(r, np.nan)
    s = r / m  # same scaling as in rmse: dRMSE/dr_i = r_i / (N RMSE) = s_i / (N RMSE / m)
    return s / (r.size * np.sqrt(np.mean(s * s)))


# --------------------------------------------------------------------------- Huber, Smooth L1
def _prepare_huber(y_true, y_pred, delta, reduction):
    """The preparation huber and its grad share: the residual and delta > 0."""
    delta = checks.positive("huber", "delta", delta)
    return _prepare_residual("huber", y_true, y_pred, reduction), delta


def _prepare_smooth_l1(y_true, y_pred, beta, reduction):
    """The preparation smooth_l1 and its grad share: the residual and beta >= 0."""
    beta = checks.at_least("smooth_l1", "beta", beta)
    return _prepare_residual("smooth_l1", y_true, y_pred, reduction), beta


@register(
    "regression",
    inputs=("y_true", "y_pred"),
    target="real",
    prediction="real",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(
        Hyper("delta", 1.0, 0.25, 2.25, step=0.05,
              reduces_to=(Limit(math.inf, "mse", 0.5, "delta above every |r|: half the MSE"),)),
    ),
    convex=True,
    differentiable=True,
    proper=None,
    sample=_residual_sample(-1.0, 1.0),  # the second derivative jumps at |r| = delta
)
def huber(y_true, y_pred, *, delta=1.0, reduction="mean"):
    r"""Huber loss: quadratic near zero, linear in the tails.

    .. math::
        \ell_i = \begin{cases}
            \tfrac12 r_i^2 & |r_i| \le \delta \\
            \delta\,(|r_i| - \tfrac12\delta) & |r_i| > \delta
        \end{cases},
        \qquad r_i = \hat y_i - y_i, \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: targets :math:`y`.
        y_pred: predictions :math:`\hat y`.
        delta: the residual :math:`\delta > 0` where the loss turns from quadratic to
            linear (default 1.0).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.  No broadcasting: ``(N, 1)`` against ``(N,)`` raises.

    Example:
        >>> print(huber([0.0, 0.0], [0.5, 3.0]))
        1.3125

    Its derivative ``grad`` is the residual clipped to :math:`[-\delta, \delta]`, so a
    single outlier pulls with a force of at most :math:`\delta`.  It has the same value
    and gradient as :func:`mse` / 2 while all :math:`|r| \le \delta`, and
    :math:`\mathrm{Huber}_\delta = \delta \cdot \mathrm{SmoothL1}_{\beta=\delta}`
    (see :func:`smooth_l1`: the two differ by this factor, not in shape).  PyTorch
    ``nn.HuberLoss(delta=...)`` is exactly this.  Keras ``keras.losses.Huber`` has the
    same per-element loss but averages over the last axis first (equal for the overall
    mean; with ``reduction="sum"`` Keras sums the per-row means).  scikit-learn uses it
    inside ``SGDRegressor(loss="huber", epsilon=delta)``; ``HuberRegressor`` also
    estimates a scale.

    References:
        Huber, P. J. (1964). Robust estimation of a location parameter. Annals of
        Mathematical Statistics, 35(1), 73-101.
    """
    r, delta = _prepare_huber(y_true, y_pred, delta, reduction)
    a = np.abs(r)
    quadratic = np.minimum(a, delta)  # never squares a large residual: no overflow
    linear = a - quadratic  # = max(a - delta, 0), without a branch
    return reduce(0.5 * quadratic * quadratic + delta * linear, reduction)


@grad_of(huber)
def _huber_grad(y_true, y_pred, *, delta=1.0, reduction="mean"):
    r, delta = _prepare_huber(y_true, y_pred, delta, reduction)
    return reduce_grad(np.clip(r, -delta, delta), reduction)


@register(
    "regression",
    inputs=("y_true", "y_pred"),
    target="real",
    prediction="real",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(
        Hyper("beta", 1.0, 0.25, 2.25, step=0.05,
              reduces_to=(Limit(0.0, "mae", note="beta = 0: the MAE exactly"),)),
    ),
    convex=True,
    differentiable=True,
    proper=None,
    sample=_residual_sample(-1.0, 1.0),  # the second derivative jumps at |r| = beta
)
def smooth_l1(y_true, y_pred, *, beta=1.0, reduction="mean"):
    r"""Smooth L1 loss: quadratic near zero, linear with slope 1 in the tails.

    .. math::
        \ell_i = \begin{cases}
            \dfrac{r_i^2}{2\beta} & |r_i| < \beta \\
            |r_i| - \tfrac12\beta & |r_i| \ge \beta
        \end{cases},
        \qquad r_i = \hat y_i - y_i, \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    With :math:`\beta = 0` it is :func:`mae` exactly.

    Args:
        y_true: targets :math:`y`.
        y_pred: predictions :math:`\hat y`.
        beta: the residual :math:`\beta \ge 0` where the loss turns from quadratic to
            linear (default 1.0).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.  No broadcasting: ``(N, 1)`` against ``(N,)`` raises.

    Example:
        >>> print(smooth_l1([0.0, 0.0], [0.5, 3.0], beta=2.0))
        1.03125
        >>> print(huber([0.0, 0.0], [0.5, 3.0], delta=2.0))  # = 2.0 * 1.03125
        2.0625

    It is :func:`huber` divided by its threshold,
    :math:`\mathrm{Huber}_\delta = \delta \cdot \mathrm{SmoothL1}_{\beta=\delta}`: the
    tails of Smooth L1 have slope 1 whatever :math:`\beta`, those of Huber slope
    :math:`\delta`, so the two agree only at :math:`\delta = \beta = 1`.  Its
    derivative ``grad`` is :math:`r/\beta` clipped to :math:`[-1, 1]`
    (:math:`\operatorname{sign}(r)` for :math:`\beta = 0`).  As
    :math:`\beta \to 0` it tends to MAE; as :math:`\beta` grows past every residual it
    is :math:`r^2 / (2\beta)`.  PyTorch ``nn.SmoothL1Loss(beta=...)`` is exactly this
    (including :math:`\beta = 0`, which PyTorch also computes as L1).  Keras and
    scikit-learn have no Smooth L1; Keras ``Huber`` is Huber, not Smooth L1.

    References:
        Girshick, R. (2015). Fast R-CNN. Proceedings of the IEEE International
        Conference on Computer Vision (ICCV), 1440-1448.
    """
    r, beta = _prepare_smooth_l1(y_true, y_pred, beta, reduction)
    a = np.abs(r)
    if beta == 0:
        return reduce(a, reduction)  # the limit beta -> 0 is L1 (PyTorch does the same)
    q = np.minimum(a, beta)  # as in huber: never squares a large residual
    return reduce(0.5 * q * q / beta + (a - q), reduction)


@grad_of(smooth_l1)
def _smooth_l1_grad(y_true, y_pred, *, beta=1.0, reduction="mean"):
    r, beta = _prepare_smooth_l1(y_true, y_pred, beta, reduction)
    if beta == 0:
        return reduce_grad(np.sign(r), reduction)
    # clip before dividing: r / beta itself could overflow for a tiny beta
    return reduce_grad(np.clip(r, -beta, beta) / beta, reduction)


# --------------------------------------------------------------------------- log-cosh
@register(
    "regression",
    inputs=("y_true", "y_pred"),
    target="real",
    prediction="real",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,
    differentiable=True,
    proper=None,
    sample=_residual_sample(),
)
def log_cosh(y_true, y_pred, *, reduction="mean"):
    r"""Log-cosh loss: about :math:`r^2/2` near zero and :math:`|r| - \log 2` far away.

    .. math::
        \ell_i = \log\cosh(\hat y_i - y_i), \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    It is computed as :math:`\log\cosh r = |r| + \log(1 + e^{-2|r|}) - \log 2` for
    :math:`|r| \ge 1` and :math:`\log(1 + 2\sinh^2(r/2))` for :math:`|r| < 1`, never
    from ``cosh`` itself.

    Args:
        y_true: targets :math:`y`.
        y_pred: predictions :math:`\hat y`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.  No broadcasting: ``(N, 1)`` against ``(N,)`` raises.

    Example:
        >>> print(log_cosh([0.0, 0.0], [1.0, 1e4], reduction="none"))
        [4.33780830e-01 9.99930685e+03]

    Its derivative ``grad`` is :math:`\tanh(\hat y - y)`: smooth everywhere (unlike
    :func:`huber`) and bounded by 1 (like :func:`smooth_l1` with :math:`\beta = 1`, to
    which it is close).  ``np.log(np.cosh(r))`` overflows to inf for :math:`|r| > 710`
    (:math:`|r| > 89` in float32); the form used here is finite and exact at
    :math:`r = 10^4`.  Keras ``keras.losses.LogCosh`` computes the same per-element
    loss (as :math:`r + \mathrm{softplus}(-2r) - \log 2`) and averages over the last
    axis first.  PyTorch and scikit-learn have no log-cosh loss.

    References:
        Neuneier, R., & Zimmermann, H. G. (1998). How to train neural networks. In
        Neural Networks: Tricks of the Trade (LNCS 1524), 373-423. Springer.
    """
    a = np.abs(_prepare_residual("log_cosh", y_true, y_pred, reduction))
    # Two forms, each exact where the other is not:
    # - |r| >= 1: log cosh r = |r| + log1p(exp(-2|r|)) - log 2.  cosh overflows at
    #   |r| > 710 (float64) or 89 (float32); exp(-2|r|) only underflows, harmlessly.
    # - |r| < 1: the form above subtracts numbers close to log 2 and loses the O(r^2)
    #   result (r = 1e-8 gives 0 or 1e-16 instead of 5e-17).  cosh r = 1 + 2 sinh^2(r/2)
    #   gives log cosh r = log1p(2 sinh^2(r/2)), accurate to a few ulps.
    # sinh is evaluated at min(|r|, 1), so the branch np.where discards cannot overflow.
    half_sinh = np.sinh(0.5 * np.minimum(a, 1.0))
    small = np.log1p(2.0 * half_sinh * half_sinh)
    large = a + np.log1p(np.exp(-2.0 * a)) - _LOG2
    return reduce(np.where(a < 1.0, small, large), reduction)


@grad_of(log_cosh)
def _log_cosh_grad(y_true, y_pred, *, reduction="mean"):
    r = _prepare_residual("log_cosh", y_true, y_pred, reduction)
    return reduce_grad(np.tanh(r), reduction)  # tanh saturates at +-1: no overflow


# --------------------------------------------------------------------------- Barron
def _prepare_barron(y_true, y_pred, alpha, scale, reduction):
    """The preparation barron and its grad share: the scaled residual, alpha and scale."""
    alpha = _barron_alpha(alpha)
    scale = checks.positive("barron", "scale", scale)
    r = _prepare_residual("barron", y_true, y_pred, reduction)
    return r, alpha, scale


def _barron_alpha(alpha) -> float:
    """alpha: a real number or -inf (the Welsch limit); +inf and NaN make no loss."""
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise ValueError(f"barron: alpha must be a real number or -inf, got {alpha!r}")
    alpha = float(alpha)
    if math.isnan(alpha) or alpha == math.inf:
        raise ValueError(f"barron: alpha must be a real number or -inf, got {alpha!r}")
    return alpha


def _barron_terms(r, alpha, scale):
    """(value, derivative) of Barron's loss per element, with its limits exact."""
    x = r / scale
    x2 = x * x
    if alpha == 2.0:
        return 0.5 * x2, x / scale
    if alpha == 0.0:
        # the limit alpha -> 0: log(x^2 / 2 + 1), written with log1p for small x
        return np.log1p(0.5 * x2), x / scale / (0.5 * x2 + 1.0)
    if alpha == -math.inf:
        e = np.exp(-0.5 * x2)
        return -np.expm1(-0.5 * x2), x / scale * e
    b = abs(alpha - 2.0)
    z = x2 / b
    # |alpha - 2| / alpha * ((z + 1)^(alpha/2) - 1), with expm1/log1p so that alpha near
    # 0 and small residuals keep their digits
    value = (b / alpha) * np.expm1(0.5 * alpha * np.log1p(z))
    slope = x / scale * np.exp((0.5 * alpha - 1.0) * np.log1p(z))
    return value, slope


@register(
    "regression",
    inputs=("y_true", "y_pred"),
    target="real",
    prediction="real",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(
        Hyper("alpha", 1.0, -4.0, 2.0, step=0.1,
              reduces_to=(Limit(2.0, "mse", 0.5, "alpha = 2, scale = 1: half the squared error"),)),
        Hyper("scale", 1.0, 0.25, 3.0, step=0.05),
    ),
    convex=True,
    differentiable=True,
    proper=None,
    sample=_residual_sample(),
)
def barron(y_true, y_pred, *, alpha=1.0, scale=1.0, reduction="mean"):
    r"""Barron's general robust loss: one shape parameter spans L2, pseudo-Huber, Cauchy, Welsch.

    .. math::
        \ell_i = \frac{|\alpha - 2|}{\alpha}\left[\left(\frac{(r_i/c)^2}{|\alpha - 2|}
        + 1\right)^{\alpha/2} - 1\right], \qquad r_i = \hat y_i - y_i,

    with its limits :math:`\tfrac12 (r/c)^2` at :math:`\alpha = 2`,
    :math:`\log\bigl(\tfrac12 (r/c)^2 + 1\bigr)` at :math:`\alpha = 0` and
    :math:`1 - e^{-(r/c)^2/2}` as :math:`\alpha \to -\infty`; ``reduction`` then averages
    or sums the :math:`\ell_i`.  The scale :math:`c` sets the width of the quadratic
    bowl around zero.

    Args:
        y_true: targets :math:`y`.
        y_pred: predictions :math:`\hat y`.
        alpha: the shape :math:`\alpha`, a real number or ``-inf``: 2 is half the squared
            error, 1 the pseudo-Huber (Charbonnier) loss :math:`\sqrt{(r/c)^2 + 1} - 1`,
            0 the Cauchy (Lorentzian) loss, -2 Geman-McClure, ``-inf`` Welsch.
        scale: :math:`c > 0`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.

    Example:
        >>> print(round(float(barron([0.0, 0.0], [0.0, 3.0], alpha=1.0)), 6))   # (sqrt(10) - 1) / 2
        1.081139

    Its derivative is :math:`\frac{r}{c^2}\bigl((r/c)^2/|\alpha - 2| + 1\bigr)^{\alpha/2 - 1}`:
    for :math:`\alpha \ge 1` the loss is convex and its pull on a point grows or stays
    bounded, like :func:`huber`'s (the pseudo-Huber case is a smooth Huber with
    :math:`\delta = c`, up to the factor :math:`c^2`); for :math:`\alpha < 1` it is not
    convex, and for :math:`\alpha \le 0` the pull of a far outlier goes back to zero (a
    redescending loss), which makes such a fit ignore gross outliers but gives it
    several local minima.  It is :func:`mse`'s half at :math:`\alpha = 2`, :math:`c = 1`.
    The formula is computed with ``expm1`` and ``log1p`` so that :math:`\alpha` near 0
    and small residuals keep their digits.  PyTorch, Keras and scikit-learn have no such
    loss; Barron's own ``robust_loss_pytorch`` package implements it, with
    :math:`\alpha` learnable.

    References:
        Barron, J. T. (2019). A general and adaptive robust loss function. Proceedings
        of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR),
        4331-4339.
    """
    r, alpha, scale = _prepare_barron(y_true, y_pred, alpha, scale, reduction)
    return reduce(_barron_terms(r, alpha, scale)[0], reduction)


@grad_of(barron)
def _barron_grad(y_true, y_pred, *, alpha=1.0, scale=1.0, reduction="mean"):
    r, alpha, scale = _prepare_barron(y_true, y_pred, alpha, scale, reduction)
    return reduce_grad(_barron_terms(r, alpha, scale)[1], reduction)


# --------------------------------------------------------------------------- quantile
def _prepare_quantile(y_true, y_pred, tau, reduction):
    """The preparation quantile and its grad share: the residual and tau in (0, 1)."""
    hint = ""
    if isinstance(tau, Real) and 1 < tau < 100:
        hint = f" (tau is a fraction: for the {tau:g}th percentile pass {tau / 100:g})"
    tau = checks.in_range("quantile", "tau", tau, 0, 1, closed="neither", hint=hint)
    return _prepare_residual("quantile", y_true, y_pred, reduction), tau


@register(
    "regression",
    inputs=("y_true", "y_pred"),
    target="real",
    prediction="real",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(
        Hyper("tau", 0.5, 0.1, 0.9, step=0.05,
              reduces_to=(Limit(0.5, "mae", 0.5, "tau = 1/2: half the MAE"),)),
    ),
    convex=True,
    differentiable=False,
    kinks="at r = 0 (the subgradient 0 is used there)",
    proper=None,
    sample=_residual_sample(0.0),
)
def quantile(y_true, y_pred, *, tau=0.5, reduction="mean"):
    r"""Quantile (pinball) loss: an asymmetric absolute error whose minimizer is a quantile.

    .. math::
        \ell_i = \max\bigl(\tau\,(y_i - \hat y_i),\; (\tau - 1)\,(y_i - \hat y_i)\bigr),
        \qquad L = \frac1N \sum_{i=1}^N \ell_i

    Under-predictions (:math:`y > \hat y`) cost :math:`\tau` per unit, over-predictions
    :math:`1 - \tau`.

    Args:
        y_true: targets :math:`y`.
        y_pred: predictions :math:`\hat y` of the :math:`\tau`-quantile.
        tau: the quantile level, strictly between 0 and 1 (default 0.5, the median).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"``.  No broadcasting: ``(N, 1)`` against ``(N,)`` raises.

    Example:
        >>> print(quantile([1.0, 2.0, 3.0], [2.0, 2.0, 2.0], tau=0.9))
        0.3333

    The constant prediction that minimizes it is a :math:`\tau`-quantile of the
    targets; at :math:`\tau = 1/2` it is half of :func:`mae`.  Its derivative ``grad``
    with respect to :math:`\hat y` is :math:`-\tau` where :math:`y > \hat y`,
    :math:`1 - \tau` where :math:`y < \hat y`, and 0 at a tie: the subdifferential
    there is :math:`[-\tau, 1 - \tau]`, which contains 0, the choice that makes
    :math:`\tau = 1/2` agree with ``mae.grad / 2``.  scikit-learn
    ``mean_pinball_loss(alpha=tau)`` agrees with it (and allows
    :math:`\tau \in \{0, 1\}`, where the loss is one-sided and has no minimizer);
    scikit-learn also fits it with ``QuantileRegressor`` and
    ``GradientBoostingRegressor(loss="quantile")``.  Neither PyTorch nor Keras has a
    built-in pinball loss.

    References:
        Koenker, R., & Bassett, G. (1978). Regression quantiles. Econometrica, 46(1),
        33-50.
    """
    r, tau = _prepare_quantile(y_true, y_pred, tau, reduction)
    d = -r  # y - y_hat
    return reduce(np.maximum(tau * d, (tau - 1.0) * d), reduction)  # NaN propagates


@grad_of(quantile)
def _quantile_grad(y_true, y_pred, *, tau=0.5, reduction="mean"):
    r, tau = _prepare_quantile(y_true, y_pred, tau, reduction)
    s = np.sign(r)  # +1 where y < y_hat, 0 at a tie
    # 1 - tau for s = +1, -tau for s = -1, 0 for s = 0, NaN for NaN, without a branch
    return reduce_grad(0.5 * s + (0.5 - tau) * np.abs(s), reduction)


# --------------------------------------------------------------------------- MAPE, MSLE
def _prepare_pair(fn: str, y_true, y_pred, reduction):
    """The targets and predictions, checked: float arrays of one shape, a reduction."""
    checks.reduction(fn, reduction)
    t = checks.float_array(fn, "y_true", y_true)
    p = checks.float_array(fn, "y_pred", y_pred)
    checks.same_shape(fn, "y_true", t, "y_pred", p)
    return t, p


def _prepare_mape(y_true, y_pred, reduction):
    """The preparation mape and its grad share: the residual and 100 / max(|y|, eps)."""
    t, p = _prepare_pair("mape", y_true, y_pred, reduction)
    return p - t, 100.0 / np.maximum(np.abs(t), _KERAS_EPS)  # np.maximum propagates NaN


def _mape_sample(rng, n):
    """Targets with |y| >= 0.1 (a percentage of a tiny target is huge), residuals off 0."""
    y = away_from(draw("real", rng, n), [0.0], 0.25)
    return Case((y, y + away_from(draw("real", rng, n), [0.0])))


@register(
    "regression",
    inputs=("y_true", "y_pred"),
    target="real",
    prediction="real",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,  # |y_hat - y| times a positive constant (for a fixed target)
    differentiable=False,
    kinks="at y_pred = y_true (the subgradient 0 is used there)",
    proper=None,
    sample=_mape_sample,
)
def mape(y_true, y_pred, *, reduction="mean"):
    r"""Mean absolute percentage error: the absolute error as a percentage of the target.

    .. math::
        \ell_i = 100\,\frac{|y_i - \hat y_i|}{\max(|y_i|, \epsilon)}, \qquad
        \epsilon = 10^{-7}, \qquad
        \mathrm{MAPE} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: targets :math:`y` (the denominators).
        y_pred: predictions :math:`\hat y`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"`` (one value per element).  No broadcasting.

    Example:
        >>> print(mape([2.0, -4.0, 0.5], [3.0, -3.0, 0.5]))  # (50 + 25 + 0) / 3
        25.0

    The floor :math:`\epsilon = 10^{-7}` on the denominator is Keras's
    (``keras.config.epsilon()``), matched here.  Without it a zero target would give
    an infinite loss (0/0, NaN, if the prediction is 0 too); with it a zero target
    costs :math:`10^9` times the absolute error, which swamps any mean: MAPE is for
    targets bounded away from 0.  The derivative ``grad`` is
    :math:`100\,\mathrm{sign}(\hat y - y) / \max(|y|, \epsilon)`, 0 at
    :math:`\hat y = y`.

    Keras ``keras.losses.MeanAbsolutePercentageError`` agrees (it averages over the
    last axis first, the same overall mean; its docstring says it divides by
    :math:`\max(y, \epsilon)`, its code by :math:`\max(|y|, \epsilon)`, as here).
    scikit-learn ``mean_absolute_percentage_error`` is a fraction, not a percentage,
    and floors :math:`|y|` at the float64 machine epsilon: it is ``mape / 100`` when no
    :math:`|y|` is below :math:`10^{-7}`.  PyTorch has no MAPE.  The loss is
    asymmetric: an under-prediction of a positive target costs at most 100, an
    over-prediction any amount, and its best constant prediction is the median of the
    targets weighted by :math:`1/|y|`, which is pulled towards small targets.  It is
    :func:`mae` with each error divided by its target; :func:`msle` is the other
    relative error of Keras.

    References:
        Armstrong, J. S., & Collopy, F. (1992). Error measures for generalizing about
        forecasting methods: empirical comparisons. International Journal of
        Forecasting, 8(1), 69-80.  de Myttenaere, A., Golden, B., Le Grand, B., &
        Rossi, F. (2016). Mean absolute percentage error for regression models.
        Neurocomputing, 192, 38-48.
    """
    r, scale = _prepare_mape(y_true, y_pred, reduction)
    return reduce(np.abs(r) * scale, reduction)


@grad_of(mape)
def _mape_grad(y_true, y_pred, *, reduction="mean"):
    r, scale = _prepare_mape(y_true, y_pred, reduction)
    return reduce_grad(np.sign(r) * scale, reduction)  # sign(0) = 0; NaN stays NaN


def _prepare_msle(y_true, y_pred, reduction):
    """The preparation msle and its grad share: the predictions and the log difference."""
    t, p = _prepare_pair("msle", y_true, y_pred, reduction)
    # Keras clips both inputs below at 1e-7 before log(x + 1); log1p is the same
    # function without the rounding of 1 + x (float32 1 + 1e-5 keeps 3 digits of 1e-5).
    log_diff = np.log1p(np.maximum(p, _KERAS_EPS)) - np.log1p(np.maximum(t, _KERAS_EPS))
    return p, log_diff


@register(
    "regression",
    inputs=("y_true", "y_pred"),
    target="nonnegative",
    prediction="nonnegative",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    # (log(1 + y_hat) - c)^2 has second derivative 2 (1 - log((1 + y_hat)/(1 + y))) / (1 + y_hat)^2,
    # negative once 1 + y_hat > e (1 + y): not convex.
    convex=False,
    differentiable=False,
    kinks="at y_pred = 1e-7 (Keras's clip: the slope is 0 below it)",
    proper=None,
    sample=lambda rng, n: Case((draw("nonnegative", rng, n), draw("nonnegative", rng, n))),
)
def msle(y_true, y_pred, *, reduction="mean"):
    r"""Mean squared logarithmic error: the squared error of log(1 + y), as Keras clips it.

    .. math::
        \ell_i = \bigl(\log(1 + \max(\hat y_i, \epsilon)) - \log(1 + \max(y_i, \epsilon))\bigr)^2,
        \qquad \epsilon = 10^{-7}, \qquad
        \mathrm{MSLE} = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: targets :math:`y \ge 0` (counts, prices, durations).
        y_pred: predictions :math:`\hat y \ge 0`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``y_pred`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"`` (one value per element).  No broadcasting.

    Example:
        >>> print(round(msle([0.0, 3.0], [1.0, 7.0]), 6))  # ((log 2)^2 + (log 8 - log 4)^2) / 2
        0.480453

    Both inputs are clipped below at :math:`\epsilon = 10^{-7}`, as Keras
    ``keras.losses.MeanSquaredLogarithmicError`` does (``keras.config.epsilon()``),
    so a negative value counts as :math:`10^{-7}` and the derivative in
    :math:`\hat y` is 0 there.  Without the clip the loss would be defined for inputs
    above -1 and a value in :math:`(-1, 0)` would count as itself (scikit-learn
    ``mean_squared_log_error`` does that); for inputs :math:`\ge 10^{-7}` the clip
    changes nothing.  The derivative ``grad`` is
    :math:`2\,(\log(1 + \hat y) - \log(1 + y)) / (1 + \hat y)` above the clip.

    It is :func:`mse` of :math:`\log(1 + y)`: a relative error that treats
    over- and under-prediction by the same factor alike and barely grows with the
    scale of the targets; its best constant prediction is
    :math:`\exp(\overline{\log(1 + y)}) - 1`, the geometric mean of :math:`1 + y`
    minus 1.  Keras averages over the last axis first (the same overall mean) and
    computes :math:`\log(x + 1)`, which agrees with ``log1p`` used here to about
    :math:`10^{-16}` in float64 and is less accurate in float32 for small inputs; in
    float64 Keras clips at ``float32(1e-7)`` = 1.0000000117e-7, which moves a clipped
    log by :math:`10^{-15}`.  PyTorch has no MSLE.  See also :func:`mape`.

    References:
        Tofallis, C. (2015). A better measure of relative prediction accuracy for
        model selection and model estimation. Journal of the Operational Research
        Society, 66(8), 1352-1362.
    """
    _, log_diff = _prepare_msle(y_true, y_pred, reduction)
    return reduce(log_diff * log_diff, reduction)


@grad_of(msle)
def _msle_grad(y_true, y_pred, *, reduction="mean"):
    p, log_diff = _prepare_msle(y_true, y_pred, reduction)
    # 2 log_diff / (1 + p), 0 below the clip; at p = +inf the limit 2 log(p) / p = 0
    # (inf / inf would be NaN).  NaN compares False: it stays NaN.
    d = np.where(p < _KERAS_EPS, 0.0, 2 * log_diff / (1 + np.where(np.isposinf(p), 1.0, p)))
    return reduce_grad(np.where(np.isposinf(p), 0.0, d).astype(p.dtype, copy=False), reduction)


# --------------------------------------------------------------------------- Poisson NLL
def _times(y: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``y * v`` with ``0 * v = 0`` even for infinite ``v`` (the limit of y log y, y x)."""
    return y * np.where(y == 0, 0.0, v)


def _rate_nll(y: np.ndarray, rate: np.ndarray, eps: float) -> np.ndarray:
    """``rate - y log(rate + eps)`` elementwise, with its limits.

    At ``rate = +inf`` the limit is +inf (where ``inf - y inf`` would be NaN); a zero
    count contributes no ``y log`` term (``0 log 0 = 0``), and ``log(0) = -inf``
    (``eps = 0`` and a zero rate) makes the loss +inf for ``y > 0``.
    """
    at_inf = rate == np.inf
    finite = np.where(at_inf, 0.0, rate)
    with np.errstate(divide="ignore"):
        log_lam = np.log(finite + eps)
    return np.where(at_inf, np.inf, finite - _times(y, log_lam))


def _prepare_poisson_nll(y_true, log_rate, log_input, full, eps, reduction):
    """The preparation poisson_nll and its grad share: counts, log-rates, flags, eps."""
    fn = "poisson_nll"
    checks.reduction(fn, reduction)
    log_input = checks.flag(fn, "log_input", log_input)
    full = checks.flag(fn, "full", full)
    eps = checks.at_least(fn, "eps", eps)
    y = checks.float_array(fn, "y_true", y_true)
    x = checks.float_array(fn, "log_rate", log_rate)
    checks.same_shape(fn, "y_true", y, "log_rate", x)
    checks.nonnegative_values(fn, "y_true", y, what="counts")  # NaN passes: it propagates
    if not log_input:
        checks.nonnegative_values(
            fn, "log_rate", x, what="rates",
            hint=" when log_input=False (it is then the rate itself, not its log)",
        )
    return y, x, log_input, full, eps


@register(
    "probabilistic",
    inputs=("y_true", "log_rate"),
    target="counts",
    prediction="log_rate",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    options=("log_input", "full", "eps"),
    convex=True,  # e^x - y x is convex in the log-rate x
    differentiable=True,
    proper=True,  # the log score of a Poisson forecast: minimized in expectation by the true rate
    sample=lambda rng, n: Case((draw("counts", rng, n), draw("log_rate", rng, n))),
)
def poisson_nll(y_true, log_rate, *, log_input=True, full=False, eps=1e-8, reduction="mean"):
    r"""Poisson negative log-likelihood of counts, with PyTorch ``nn.PoissonNLLLoss`` semantics.

    .. math::
        \ell_i = \begin{cases}
            e^{x_i} - y_i\,x_i & \text{if } x_i = \log\lambda_i \text{ (the default)} \\
            x_i - y_i \log(x_i + \varepsilon) & \text{if } x_i = \lambda_i
        \end{cases}
        \;+\; [\text{full}]\,[y_i > 1]
        \bigl(y_i \log y_i - y_i + \tfrac12 \log(2\pi y_i)\bigr),
        \qquad L = \frac1N \sum_{i=1}^N \ell_i

    Without ``full`` this is :math:`-\log P(y \mid \lambda)` minus
    :math:`\log y!`, which does not depend on the prediction; ``full`` adds Stirling's
    approximation of :math:`\log y!`, only where :math:`y > 1` (as PyTorch does).

    Args:
        y_true: counts :math:`y \ge 0` (need not be integers).
        log_rate: the prediction :math:`x`: the log-rate :math:`\log\lambda` (default),
            or the rate :math:`\lambda \ge 0` itself with ``log_input=False``.
        log_input: whether ``log_rate`` is :math:`\log\lambda` (default True).
        full: add the Stirling term (default False).
        eps: :math:`\varepsilon \ge 0` added inside the log when ``log_input=False``
            (default 1e-8, PyTorch's).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``log_rate`` of the same shape ``(N, *)``; a scalar, or
        ``(N, *)`` with ``reduction="none"``.  No broadcasting.

    Example:
        >>> print(poisson_nll([2.0, 0.0], [0.0, 1.0]))  # (e^0 - 0 + e^1 - 0) / 2
        1.8591409142295225

    Computing on the log-rate (the default) needs no log of a rate that may underflow
    to 0; its derivative ``grad`` is :math:`e^{x} - y` (log_input=True) or
    :math:`1 - y/(x + \varepsilon)` (log_input=False).  For log-rates above about 709
    (88 in float32) the loss itself exceeds the largest float and is inf, as in
    PyTorch; at :math:`x = +\infty` this returns the limit +inf, where PyTorch's
    :math:`\infty - \infty` gives NaN, and :math:`0 \cdot \infty` is taken as 0 (a zero
    count contributes no :math:`y x` term).  Keras ``keras.losses.Poisson`` is
    :math:`\hat y - y \log(\hat y + 10^{-7})`, i.e. ``log_input=False, eps=1e-7``,
    averaged over the last axis (lossbook's :func:`poisson`).  scikit-learn's
    ``mean_poisson_deviance(y, mu)`` is :math:`2\,(L(\mu) - L(y))`: twice this loss
    minus its value at the perfect prediction, so the same minimizer.  For real-valued
    targets with a predicted variance see :func:`gaussian_nll`; :func:`mse` also fits
    the mean of counts, but weighs every residual alike where the Poisson loss expects
    the variance to grow with the mean.

    References:
        Nelder, J. A., & Wedderburn, R. W. M. (1972). Generalized linear models.
        Journal of the Royal Statistical Society A, 135(3), 370-384.  McCullagh, P.,
        & Nelder, J. A. (1989). Generalized Linear Models (2nd ed.). Chapman & Hall.
    """
    y, x, log_input, full, eps = _prepare_poisson_nll(y_true, log_rate, log_input, full, eps, reduction)
    if log_input:
        at_inf = x == np.inf  # the limit is +inf, taken below
        x_finite = np.where(at_inf, 0.0, x)
        # exp(x) overflows for x > 709.78 (float64) / 88.72 (float32): the loss itself is
        # then above the largest float, so inf is the right answer (PyTorch agrees).
        with np.errstate(over="ignore"):
            rate = np.exp(x_finite)
        values = np.where(at_inf, np.inf, rate - _times(y, x_finite))
    else:
        values = _rate_nll(y, x, eps)
    if full:
        # Stirling's log y! ~ y log y - y + log(2 pi y)/2 where y > 1; elsewhere 0, as in
        # PyTorch (exact for y in {0, 1}).  Evaluated on y clipped to >= 1: no log(0).
        big = y > 1
        yb = np.where(big, y, 1.0)
        stirling = yb * np.log(yb) - yb + 0.5 * np.log((2.0 * math.pi) * yb)
        values = values + np.where(big, stirling, 0.0)
    return reduce(values, reduction)


@grad_of(poisson_nll)
def _poisson_nll_grad(y_true, log_rate, *, log_input=True, full=False, eps=1e-8, reduction="mean"):
    y, x, log_input, full, eps = _prepare_poisson_nll(y_true, log_rate, log_input, full, eps, reduction)
    if log_input:
        with np.errstate(over="ignore"):  # e^x = inf for large x: the derivative is inf
            d = np.exp(x) - y
    else:
        # y / (x + eps) with 0 / 0 = 0 (a zero count); y / 0 = inf for y > 0, the limit
        with np.errstate(divide="ignore"):
            d = 1.0 - y / np.where(y == 0, 1.0, x + eps)
    return reduce_grad(d, reduction)  # the Stirling term does not depend on log_rate


# --------------------------------------------------------------------------- Keras Poisson
def _prepare_poisson(y_true, rate, reduction):
    """The preparation poisson and its grad share: counts and rates >= 0."""
    fn = "poisson"
    checks.reduction(fn, reduction)
    y = checks.float_array(fn, "y_true", y_true)
    lam = checks.float_array(fn, "rate", rate)
    checks.same_shape(fn, "y_true", y, "rate", lam)
    checks.nonnegative_values(fn, "y_true", y, what="counts")  # NaN passes: it propagates
    checks.nonnegative_values(
        fn, "rate", lam, what="rates",
        hint=" (the rate itself; for a log-rate use poisson_nll)",
    )
    return y, lam


@register(
    "probabilistic",
    inputs=("y_true", "rate"),
    target="counts",
    prediction="nonnegative",
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    convex=True,  # lambda - y log(lambda + eps) is convex in lambda for y >= 0
    differentiable=True,  # for lambda >= 0 (lambda + eps > 0)
    # The log score of the forecast Poisson(lambda + eps), up to the constant eps: the
    # expected loss is minimized at lambda + eps = E[y].
    proper=True,
    sample=lambda rng, n: Case((draw("counts", rng, n), draw("nonnegative", rng, n))),
)
def poisson(y_true, rate, *, reduction="mean"):
    r"""Poisson loss of a predicted rate, as Keras computes it (1e-7 inside the log).

    .. math::
        \ell_i = \lambda_i - y_i \log(\lambda_i + \epsilon), \qquad
        \epsilon = 10^{-7}, \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: counts :math:`y \ge 0` (need not be integers).
        rate: predicted rates :math:`\lambda \ge 0` (0 allowed), e.g. the output of a
            softplus or exp layer.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true`` and ``rate`` of the same shape ``(N, *)``; a scalar, or ``(N, *)``
        with ``reduction="none"`` (one value per element).  No broadcasting.

    Example:
        >>> print(poisson([2.0, 0.0], [2.0, 0.5]))  # (2 - 2 log(2 + 1e-7) + 0.5) / 2
        0.556852769440056

    This is Keras ``keras.losses.Poisson``, its :math:`\epsilon = 10^{-7}`
    (``keras.config.epsilon()``) included: the negative log-likelihood of a Poisson
    count with mean :math:`\lambda + \epsilon`, without the :math:`\log y!` term
    (which does not depend on the prediction) and less the constant
    :math:`\epsilon`.  Without :math:`\epsilon` a zero rate would cost
    :math:`+\infty` for any positive count; with it the cost is
    :math:`16.1\,y` (:math:`-\log 10^{-7}`) and the derivative ``grad``,
    :math:`1 - y / (\lambda + \epsilon)`, is :math:`1 - 10^7 y` there instead of
    :math:`-\infty`.  The expected loss is minimized at
    :math:`\lambda = \mathrm{E}[y] - \epsilon`.  A zero count contributes no
    :math:`y \log` term, and :math:`\lambda = +\infty` gives the limit
    :math:`+\infty` (Keras: NaN for :math:`y > 0`).

    It equals :func:`poisson_nll` with ``log_input=False, eps=1e-7``, and PyTorch
    ``F.poisson_nll_loss(rate, y_true, log_input=False, eps=1e-7)`` (PyTorch's
    defaults are a log-rate and ``eps=1e-8``).  Keras averages over the last axis
    first (the same overall mean).  When a model can output the log-rate, prefer
    :func:`poisson_nll` on it: no positivity constraint and no epsilon.

    References:
        Nelder, J. A., & Wedderburn, R. W. M. (1972). Generalized linear models.
        Journal of the Royal Statistical Society A, 135(3), 370-384.
    """
    y, lam = _prepare_poisson(y_true, rate, reduction)
    return reduce(_rate_nll(y, lam, _KERAS_EPS), reduction)


@grad_of(poisson)
def _poisson_grad(y_true, rate, *, reduction="mean"):
    y, lam = _prepare_poisson(y_true, rate, reduction)
    return reduce_grad(1.0 - y / (lam + _KERAS_EPS), reduction)  # lam + eps > 0: no 0/0


# --------------------------------------------------------------------------- Gaussian NLL
def _prepare_gaussian_nll(y_true, mean, var, eps, full, reduction):
    """The preparation gaussian_nll and its grad share: targets, means, variances, eps."""
    fn = "gaussian_nll"
    checks.reduction(fn, reduction)
    eps = checks.positive(fn, "eps", eps)
    full = checks.flag(fn, "full", full)
    y = checks.float_array(fn, "y_true", y_true)
    mu = checks.float_array(fn, "mean", mean)
    v = checks.float_array(fn, "var", var)
    checks.same_shape(fn, "y_true", y, "mean", mu)
    if v.shape != mu.shape:
        raise ValueError(
            f"{fn}: var must have the shape of mean, got var {v.shape} and mean "
            f"{mu.shape}; PyTorch broadcasts a shared variance, lossbook does not: pass "
            "one variance per element (e.g. np.broadcast_to(var, mean.shape) for var of "
            "shape (N, 1))"
        )
    checks.nonnegative_values(fn, "var", v, what="variances")  # NaN passes: it propagates
    return y, mu, v, eps, full


@register(
    "probabilistic",
    inputs=("y_true", "mean", "var"),
    target="real",
    prediction=("real", "positive"),
    labels=None,
    per_example="element",
    reductions=REDUCTIONS,
    hyper=(),
    options=("eps", "full"),
    convex=False,  # log v is concave in the variance
    differentiable=True,
    proper=True,  # the log score of a Gaussian forecast: minimized by the true mean and variance
    sample=lambda rng, n: Case((draw("real", rng, n), draw("real", rng, n), draw("positive", rng, n))),
)
def gaussian_nll(y_true, mean, var, *, eps=1e-6, full=False, reduction="mean"):
    r"""Gaussian negative log-likelihood with a predicted variance (PyTorch ``nn.GaussianNLLLoss``).

    .. math::
        \ell_i = \tfrac12\Bigl(\log v_i + \frac{(\mu_i - y_i)^2}{v_i}\Bigr)
        \;+\; [\text{full}]\,\tfrac12\log 2\pi,
        \qquad v_i = \max(\sigma^2_i, \varepsilon), \qquad
        L = \frac1N \sum_{i=1}^N \ell_i

    Args:
        y_true: targets :math:`y`.
        mean: predicted means :math:`\mu`.
        var: predicted variances :math:`\sigma^2 \ge 0`, clamped below at
            :math:`\varepsilon`.
        eps: :math:`\varepsilon > 0`, the smallest variance used (default 1e-6,
            PyTorch's).
        full: add the constant :math:`\tfrac12 \log 2\pi` (default False).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``mean`` and ``var`` all of the same shape ``(N, *)``; a scalar, or
        ``(N, *)`` with ``reduction="none"``.  No broadcasting, of ``var`` either.

    Example:
        >>> print(gaussian_nll([0.0, 1.0], [0.5, 1.0], [1.0, 0.25]))
        -0.28407359027997264

    With a fixed variance it is :func:`mse` up to scale and a constant; learning the
    variance lets the model say where it is unsure (heteroscedastic regression).  Its
    derivative ``grad`` returns ``(d_mean, d_var)``:
    :math:`(\mu - y)/v` and :math:`\tfrac12\,(1/v - (\mu - y)^2 / v^2)` for
    :math:`\sigma^2 \ge \varepsilon`, and :math:`d_{\mathrm{var}} = 0` below
    :math:`\varepsilon`, where the clamped loss does not depend on ``var``.  PyTorch
    computes the same values (with arguments in the order ``input, target, var``) but
    clamps inside ``torch.no_grad()``, so its autograd passes the derivative at
    :math:`\varepsilon` through to a variance below :math:`\varepsilon` instead of 0.
    PyTorch also accepts a ``var`` with one dimension fewer, or a size-1 dimension, and
    broadcasts it; lossbook raises instead.  Keras and scikit-learn have no Gaussian
    NLL loss.

    References:
        Nix, D. A., & Weigend, A. S. (1994). Estimating the mean and variance of the
        target probability distribution. Proceedings of the IEEE International
        Conference on Neural Networks (ICNN'94), 1, 55-60.
    """
    y, mu, v, eps, full = _prepare_gaussian_nll(y_true, mean, var, eps, full, reduction)
    # The clamp keeps log v and 1/v finite at a zero variance (as in PyTorch).
    v = np.maximum(v, eps)  # np.maximum propagates NaN
    r = mu - y
    values = 0.5 * (np.log(v) + r * r / v)
    if full:
        values = values + _HALF_LOG_2PI
    return reduce(values, reduction)


@grad_of(gaussian_nll)
def _gaussian_nll_grad(y_true, mean, var, *, eps=1e-6, full=False, reduction="mean"):
    y, mu, v, eps, full = _prepare_gaussian_nll(y_true, mean, var, eps, full, reduction)
    clamped = v < eps
    v = np.maximum(v, eps)
    z = (mu - y) / v
    d_mean = z
    d_var = np.where(clamped, 0.0, 0.5 * (1.0 / v - z * z))  # 0 where the clamp holds
    return reduce_grad(d_mean, reduction), reduce_grad(d_var, reduction)
