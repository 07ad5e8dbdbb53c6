"""Which PyTorch, Keras and optax call computes each lossbook loss, and with which options.

This table is the single source of the framework conventions: for every loss of
:mod:`lossbook.losses` it gives the call in each framework (PyTorch, Keras on
TensorFlow, JAX/optax) that reproduces lossbook's value and gradient, the options that
make them agree (argument order, ``from_logits``, reductions, label smoothing, class
weights and the weighted-mean denominator, epsilons and clips, log-space inputs, ...),
or, where a framework has no such loss, what to write instead and how its closest loss
differs.  The book's conventions chapter renders it with :func:`table`; chapters link
there instead of repeating it.

Each framework's call is also code: the adapters in ``_torch.py``, ``_keras.py`` and
``_jax.py`` (one function per loss, with lossbook's name and signature) compute the
loss in that framework, and :func:`lossbook.frameworks.compare` runs them on every
device and checks them against lossbook, values and gradients.

Every :class:`Equivalent` has a ``match``:

* ``"built-in"``: the framework ships the loss; the call (with the options shown) is it;
* ``"composed"``: the framework has no such loss; the call builds it from framework
  operations (or from another built-in loss) in a line or two;
* ``"none"``: no adapter; the note says why and what comes closest.

Importing this module imports no framework.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The frameworks of the table, in the book's order, with their display names.
FRAMEWORKS = ("torch", "keras", "jax")
LABELS = {
    "numpy": "NumPy (lossbook)",
    "torch": "PyTorch",
    "keras": "Keras / TensorFlow",
    "jax": "JAX / optax",
}
MATCHES = ("built-in", "composed", "none")


class NoEquivalent(ValueError):
    """Raised by an adapter for option values its framework cannot reproduce."""


@dataclass(frozen=True)
class Equivalent:
    """One framework's way to compute one lossbook loss.

    Attributes:
        call: the call a reader types, in lossbook's argument names (``F`` is
            ``torch.nn.functional``), for the default options.
        match: ``"built-in"``, ``"composed"`` or ``"none"`` (see the module docstring).
        note: the options that make the framework agree with lossbook, or why it has
            no such loss and how its closest loss differs.
        float64: False where the framework computes in float32 whatever the input
            dtype (its values then agree to float32 precision only).
    """

    call: str
    match: str
    note: str = ""
    float64: bool = True

    def __post_init__(self):
        if self.match not in MATCHES:
            raise ValueError(f"Equivalent: match must be one of {MATCHES}, got {self.match!r}")


@dataclass(frozen=True)
class Entry:
    """The row of one lossbook loss: its three framework equivalents and its inputs.

    Attributes:
        name: the lossbook loss (``losses.get(name)``).
        kind: its kind in :data:`lossbook.losses.KINDS` (the table's grouping).
        torch, keras, jax: the :class:`Equivalent` in each framework.
        predictions: positions of the inputs that ``losses.get(name).grad``
            differentiates (the prediction inputs).
        labels: the positions (and keyword names) of the inputs that hold integer
            labels, indices or lengths: given as integers, they stay integers in every
            framework; every other input becomes the floating dtype of the run.
        projection: ``"log_softmax"`` where gradients are compared after the backward
            pass of a log-softmax (CTC: PyTorch's backward assumes its input came from
            one); None otherwise.
    """

    name: str
    kind: str
    torch: Equivalent
    keras: Equivalent
    jax: Equivalent
    predictions: tuple = (1,)
    labels: tuple = ()
    projection: str | None = None

    def equivalent(self, framework: str) -> Equivalent:
        """The :class:`Equivalent` of ``framework`` (``"torch"``, ``"keras"`` or ``"jax"``)."""
        if framework not in FRAMEWORKS:
            raise ValueError(f"equivalent: framework must be one of {FRAMEWORKS}, got {framework!r}")
        return getattr(self, framework)


def _b(call, note="", **kw):
    return Equivalent(call, "built-in", note, **kw)


def _c(call, note="", **kw):
    return Equivalent(call, "composed", note, **kw)


# Notes shared by several rows.
_LAST_AXIS = (
    "Keras averages over the last axis first: the same overall mean; for lossbook's "
    "`sum` and `none` (one value per element) give it one column, `y[..., None]`."
)
_REDUCE = "optax returns one value per element or example: reduce it yourself."
_PM1 = "labels -1/+1"

_ENTRIES = [
    # ------------------------------------------------------------------ regression
    Entry(
        "mse", "regression",
        torch=_b("F.mse_loss(y_pred, y_true)", "Prediction first."),
        keras=_b("keras.losses.MeanSquaredError()(y_true, y_pred)", _LAST_AXIS),
        jax=_b("optax.losses.squared_error(y_pred, y_true).mean()",
               _REDUCE + " `optax.losses.l2_loss` is half of it."),
    ),
    Entry(
        "mae", "regression",
        torch=_b("F.l1_loss(y_pred, y_true)", "Named L1; the derivative at a zero residual is 0, as lossbook's."),
        keras=_b("keras.losses.MeanAbsoluteError()(y_true, y_pred)", _LAST_AXIS),
        jax=_c("jnp.abs(y_pred - y_true).mean()", "optax has no absolute-error loss."),
    ),
    Entry(
        "rmse", "regression",
        torch=_c("torch.sqrt(F.mse_loss(y_pred, y_true))",
                 "No RMSE loss. At a perfect prediction autograd gives NaN (the derivative of "
                 "sqrt at 0), lossbook the subgradient 0."),
        keras=_c("keras.ops.sqrt(keras.losses.MeanSquaredError()(y_true, y_pred))",
                 "`keras.metrics.RootMeanSquaredError` is a stateful metric (a running mean "
                 "over batches), not a loss."),
        jax=_c("jnp.sqrt(optax.losses.squared_error(y_pred, y_true).mean())", "No RMSE loss."),
    ),
    Entry(
        "huber", "regression",
        torch=_b("F.huber_loss(y_pred, y_true, delta=delta)",
                 "`nn.SmoothL1Loss` is a different scaling: Huber = delta * SmoothL1(beta=delta)."),
        keras=_b("keras.losses.Huber(delta=delta)(y_true, y_pred)", _LAST_AXIS),
        jax=_b("optax.losses.huber_loss(y_pred, y_true, delta=delta).mean()", _REDUCE),
    ),
    Entry(
        "smooth_l1", "regression",
        torch=_b("F.smooth_l1_loss(y_pred, y_true, beta=beta)",
                 "`beta`, not `delta`: SmoothL1(beta) = Huber(delta=beta) / beta, slope 1 in "
                 "the tails; `beta=0` is L1."),
        keras=_c("keras.losses.Huber(delta=beta)(y_true, y_pred) / beta",
                 "No Smooth L1 in Keras (Keras's Huber is Huber); for `beta=0` use MeanAbsoluteError."),
        jax=_c("optax.losses.huber_loss(y_pred, y_true, delta=beta).mean() / beta",
               "No Smooth L1 in optax; for `beta=0` the absolute error."),
    ),
    Entry(
        "log_cosh", "regression",
        torch=_c("(r + F.softplus(-2 * r) - math.log(2)).mean()  # r = y_pred - y_true",
                 "No log-cosh loss in PyTorch. `torch.log(torch.cosh(r))` overflows for "
                 "|r| > 710 (89 in float32); this form (Keras's) does not."),
        keras=_b("keras.losses.LogCosh()(y_true, y_pred)",
                 "Computes r + softplus(-2r) - log 2, which subtracts numbers close to log 2 "
                 "for small |r|: relative accuracy ~ machine epsilon / r^2 (lossbook switches to "
                 "log1p(2 sinh^2(r/2)) below |r| = 1). Its log 2 is computed in float32 even for "
                 "float64 input: every value is off by 1.9e-9 (2e-6 relative at r = 0.04). " + _LAST_AXIS,
                 float64=False),
        jax=_b("optax.losses.log_cosh(y_pred, y_true).mean()",
               "logaddexp(r, -r) - log 2: the same cancellation for small |r|. " + _REDUCE),
    ),
    Entry(
        "barron", "regression",
        torch=_c("b / alpha * torch.expm1(alpha / 2 * torch.log1p(((y_pred - y_true) / scale) ** 2 / b))  # b = |alpha - 2|",
                 "No general robust loss in PyTorch (Barron's own robust_loss_pytorch package has it, "
                 "with alpha learnable). Take the limits alpha = 0, 2, -inf from their closed forms: "
                 "the general formula divides by zero there."),
        keras=_c("b / alpha * keras.ops.expm1(alpha / 2 * keras.ops.log1p(keras.ops.square((y_pred - y_true) / scale) / b))",
                 "No such loss in Keras."),
        jax=_c("b / alpha * jnp.expm1(alpha / 2 * jnp.log1p(((y_pred - y_true) / scale) ** 2 / b))",
               "No such loss in optax."),
    ),
    Entry(
        "quantile", "regression",
        torch=_c("torch.maximum(tau * u, (tau - 1) * u).mean()  # u = y_true - y_pred",
                 "No pinball loss in PyTorch."),
        keras=_c("keras.ops.mean(keras.ops.maximum(tau * u, (tau - 1) * u))",
                 "No pinball loss in Keras."),
        jax=_c("jnp.maximum(tau * u, (tau - 1) * u).mean()", "No pinball loss in optax."),
    ),
    Entry(
        "mape", "regression",
        torch=_c("(100 * (y_true - y_pred).abs() / y_true.abs().clamp(min=1e-7)).mean()",
                 "No percentage error in PyTorch; the 1e-7 floor is Keras's."),
        keras=_b("keras.losses.MeanAbsolutePercentageError()(y_true, y_pred)",
                 "Divides by max(|y|, 1e-7): a zero target costs 1e9 times the error. " + _LAST_AXIS),
        jax=_c("(100 * jnp.abs(y_true - y_pred) / jnp.maximum(jnp.abs(y_true), 1e-7)).mean()",
               "No percentage error in optax."),
    ),
    Entry(
        "msle", "regression",
        torch=_c("((y_pred.clamp(min=1e-7) + 1).log() - (y_true.clamp(min=1e-7) + 1).log()).pow(2).mean()",
                 "No MSLE in PyTorch; the clip at 1e-7 is Keras's."),
        keras=_b("keras.losses.MeanSquaredLogarithmicError()(y_true, y_pred)",
                 "Clips both inputs below at 1e-7 before log(x + 1): a negative prediction counts "
                 "as 1e-7, with derivative 0. " + _LAST_AXIS),
        jax=_c("jnp.square(jnp.log(jnp.maximum(y_pred, 1e-7) + 1) - jnp.log(jnp.maximum(y_true, 1e-7) + 1)).mean()",
               "No MSLE in optax."),
    ),
    # ------------------------------------------------------------------ probabilistic
    Entry(
        "poisson_nll", "probabilistic",
        torch=_b("F.poisson_nll_loss(log_rate, y_true, log_input=True, full=False, eps=1e-8)",
                 "Log-rate first. `full=True` adds Stirling's log y! only where y > 1. At "
                 "log_rate = +inf PyTorch gives NaN (inf - inf), lossbook inf."),
        keras=_c("keras.ops.mean(keras.ops.exp(log_rate) - y_true * log_rate)",
                 "`keras.losses.Poisson` takes the rate, not its log, and adds 1e-7 inside the log: "
                 "it is `log_input=False, eps=1e-7` (lossbook's `poisson`)."),
        jax=_c("(jnp.exp(log_rate) - y_true * log_rate).mean()",
               "No Poisson loss in optax; `-jax.scipy.stats.poisson.logpmf(y, rate)` also adds "
               "log y! (the full log-likelihood)."),
    ),
    Entry(
        "poisson", "probabilistic",
        torch=_b("F.poisson_nll_loss(rate, y_true, log_input=False, eps=1e-7)",
                 "PyTorch's default eps is 1e-8 and its default input a log-rate."),
        keras=_b("keras.losses.Poisson()(y_true, rate)",
                 "rate - y log(rate + 1e-7). " + _LAST_AXIS),
        jax=_c("(rate - y_true * jnp.log(rate + 1e-7)).mean()", "No Poisson loss in optax."),
    ),
    Entry(
        "gaussian_nll", "probabilistic",
        torch=_b("F.gaussian_nll_loss(mean, y_true, var, eps=1e-6, full=False)",
                 "Order (input, target, var). It clamps var at eps under no_grad, so for var < eps "
                 "autograd's derivative in var is the one at eps where lossbook's is 0; it broadcasts "
                 "a var of shape (N, 1), lossbook raises."),
        keras=_c("keras.ops.mean(0.5 * (keras.ops.log(v) + (mean - y_true) ** 2 / v))  # v = max(var, eps)",
                 "No Gaussian NLL in Keras."),
        jax=_c("(0.5 * (jnp.log(v) + (mean - y_true) ** 2 / v)).mean()  # v = max(var, eps)",
               "No Gaussian NLL in optax; `-jax.scipy.stats.norm.logpdf(y, mean, sqrt(v))` is the "
               "`full=True` value."),
        predictions=(1, 2),
    ),
    # ------------------------------------------------------------------ classification
    Entry(
        "binary_cross_entropy", "classification",
        torch=_b("F.binary_cross_entropy(y_pred, y_true, weight=weight)",
                 "Each log clamped at -100 (lossbook's default `eps=None`): a confident mistake "
                 "costs 100. Backward divides by max(p (1 - p), 1e-12). `weight` is per element; "
                 "the mean still divides by the count."),
        keras=_b("keras.losses.BinaryCrossentropy()(y_true, y_pred, sample_weight=weight)",
                 "Clips p to [1e-7, 1 - 1e-7] instead (lossbook `eps=1e-7`): a confident mistake "
                 "costs 16.1, not 100; identical where 1e-7 <= p <= 1 - 1e-7. `from_logits=False` "
                 "is the default: pass probabilities. " + _LAST_AXIS),
        jax=_c("-(y_true * jnp.log(y_pred) + (1 - y_true) * jnp.log1p(-y_pred)).mean()",
               "optax's binary cross-entropy takes logits only (`sigmoid_binary_cross_entropy`); "
               "clamp each log at -100 for PyTorch's convention, or clip p for Keras's."),
    ),
    Entry(
        "binary_cross_entropy_with_logits", "classification",
        torch=_b("F.binary_cross_entropy_with_logits(logits, y_true, pos_weight=pos_weight)",
                 "Computes (1 - y) z + (1 + (w - 1) y) softplus(-z), which cancels in float32: 0 at "
                 "z = -20, y = 0 (lossbook 2.06e-9); NaN at z = +-inf."),
        keras=_b("keras.losses.BinaryCrossentropy(from_logits=True)(y_true, logits)",
                 "`from_logits=True` (the default False means probabilities). No `pos_weight`: "
                 "`tf.nn.weighted_cross_entropy_with_logits(y_true, logits, pos_weight)`. " + _LAST_AXIS),
        jax=_b("optax.losses.sigmoid_binary_cross_entropy(logits, y_true).mean()",
               "No `pos_weight`: weight the y softplus(-z) term yourself. " + _REDUCE),
    ),
    Entry(
        "cross_entropy", "classification",
        torch=_b("F.cross_entropy(logits, y_true, weight=weight, ignore_index=-100, label_smoothing=0.0)",
                 "Integer labels (N,) or probabilities (N, C). The weighted mean divides by the sum "
                 "of weight[y] over the non-ignored rows, also with label smoothing, whose term "
                 "weights class c by weight[c]; an all-ignored batch gives NaN; with probability "
                 "targets the mean divides by N."),
        keras=_b("keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-100)(y_true, logits)",
                 "`from_logits=True`; `CategoricalCrossentropy(from_logits=True, label_smoothing=...)` "
                 "for one-hot or probability targets and for smoothing (the sparse loss has none). "
                 "No class weights in the loss: `sample_weight=weight[y]` with "
                 "`reduction='mean_with_sample_weight'` divides by the sum of weight[y] as PyTorch "
                 "does (the default divides by N, or by the count of valid rows with ignore_class); "
                 "with smoothing too, weight the smoothed one-hot targets by class instead, with "
                 "log_softmax: CategoricalCrossentropy(from_logits=True)'s TensorFlow op takes the "
                 "gradient to be softmax - targets, right only for target rows that sum to 1 "
                 "(lossbook and PyTorch accept any). An all-ignored batch gives 0 (divide_no_nan), "
                 "PyTorch NaN."),
        jax=_b("optax.losses.softmax_cross_entropy_with_integer_labels(logits, y_true).mean()",
               "No weight, ignore or smoothing options: `optax.smooth_labels(one_hot, eps)`, then "
               "`softmax_cross_entropy(logits, targets * weight)`, zero the ignored rows, divide by "
               "the sum of weight[y] over the valid rows."),
        labels=(0,),
    ),
    Entry(
        "nll", "classification",
        torch=_b("F.nll_loss(log_probs, y_true, weight=weight, ignore_index=-100)",
                 "Picks -log_probs[i, y_i]: nothing checks that rows are log-probabilities. Weighted "
                 "mean over the sum of weight[y] of the non-ignored rows; `ignore_index` may be a "
                 "real class."),
        keras=_c("-keras.ops.mean(keras.ops.take_along_axis(log_probs, y_true[:, None], axis=1))",
                 "No NLL loss on log-probabilities: `SparseCategoricalCrossentropy(from_logits=True)` "
                 "applies log_softmax, which leaves normalized log_probs unchanged but changes the "
                 "gradient."),
        jax=_c("-jnp.take_along_axis(log_probs, y_true[:, None], axis=1).mean()", "No NLL loss in optax."),
        labels=(0,),
    ),
    Entry(
        "focal", "classification",
        torch=_c("(ce * (1 - p_t) ** gamma).mean()  # ce = F.binary_cross_entropy_with_logits(..., reduction='none')",
                 "No focal loss in torch.nn; `torchvision.ops.sigmoid_focal_loss` computes this formula "
                 "with alpha=0.25 by default (alpha < 0 for none), where lossbook's default is no alpha."),
        keras=_b("keras.losses.BinaryFocalCrossentropy(from_logits=True, gamma=2.0)(y_true, logits)",
                 "Its `alpha=0.25` applies only with `apply_class_balancing=True` (so the default is "
                 "unweighted, as lossbook's alpha=None). It forms 1 - p_t from the sigmoid output: in "
                 "float32 a confidently right example (|z| = 20) gets weight 0 instead of 4e-18. " + _LAST_AXIS),
        jax=_b("optax.losses.sigmoid_focal_loss(logits, y_true, alpha=None, gamma=2.0).mean()",
               "alpha=None by default, as lossbook. " + _REDUCE),
    ),
    Entry(
        "categorical_focal", "classification",
        torch=_c("(alpha * (1 - p) ** gamma * -t * p.log()).sum(-1).mean()  # p = softmax clipped to [1e-7, 1 - 1e-7]",
                 "No categorical focal loss in PyTorch; this is Keras's formula."),
        keras=_b("keras.losses.CategoricalFocalCrossentropy(from_logits=True, alpha=0.25, gamma=2.0)(y_true, logits)",
                 "One-hot targets. alpha = 0.25 multiplies every class (there is no class balancing as in "
                 "the binary loss); the softmax is clipped to [1e-7, 1 - 1e-7]; `label_smoothing` "
                 "smooths the one-hot targets."),
        jax=_c("jnp.sum(alpha * (1 - p) ** gamma * -t * jnp.log(p), axis=-1).mean()",
               "No categorical focal loss in optax (`sigmoid_focal_loss` is the binary one)."),
        labels=(0,),
    ),
    Entry(
        "poly1", "classification",
        torch=_c("(F.cross_entropy(logits, y_true, reduction='none') + epsilon * (1 - p_y)).mean()",
                 "No PolyLoss in PyTorch."),
        keras=_c("SparseCategoricalCrossentropy(from_logits=True, reduction=None)(y_true, logits) + epsilon * (1 - p_y)",
                 "No PolyLoss in Keras."),
        jax=_b("optax.losses.poly_loss_cross_entropy(logits, jax.nn.one_hot(y_true, C), epsilon=1.0).mean()",
               "One-hot labels; optax's default epsilon is 2.0, lossbook's 1.0. " + _REDUCE),
        labels=(0,),
    ),
    Entry(
        "sparsemax", "classification",
        torch=_c("0.5 * ((z**2 - tau**2) * (z > tau)).sum(-1) - z_y + 0.5  # tau: sparsemax threshold",
                 "No sparsemax in PyTorch; the threshold tau comes from sorting the scores."),
        keras=_c("0.5 * keras.ops.sum(keras.ops.where(z > tau, z**2 - tau**2, 0), -1) - z_y + 0.5",
                 "No sparsemax loss in Keras (TensorFlow Addons' SparsemaxLoss is unmaintained)."),
        jax=_b("optax.losses.multiclass_sparsemax_loss(scores, y_true).mean()",
               "Integer labels. " + _REDUCE),
        labels=(0,),
    ),
    Entry(
        "hinge", "classification",
        torch=_c("torch.clamp(margin - y_true * scores, min=0).mean()",
                 "No binary hinge loss: `nn.HingeEmbeddingLoss` is a loss on distances (lossbook "
                 "`hinge_embedding`), `nn.SoftMarginLoss` the logistic loss (`soft_margin`)."),
        keras=_b("keras.losses.Hinge()(y_true, scores)",
                 "Margin 1 only (max(0, m - y s) = m Hinge(y, s / m)). It converts a y holding only 0 "
                 "and 1 to 2y - 1 silently; lossbook raises. " + _LAST_AXIS),
        jax=_b("optax.losses.hinge_loss(scores, y_true).mean()", "Margin 1 only. " + _REDUCE),
    ),
    Entry(
        "squared_hinge", "classification",
        torch=_c("torch.clamp(margin - y_true * scores, min=0).pow(2).mean()", "No squared hinge in PyTorch."),
        keras=_b("keras.losses.SquaredHinge()(y_true, scores)",
                 "Margin 1 only; converts 0/1 labels silently as Hinge does. " + _LAST_AXIS),
        jax=_c("jnp.square(jnp.maximum(margin - y_true * scores, 0)).mean()", "No squared hinge in optax."),
    ),
    Entry(
        "modified_huber", "classification",
        torch=_c("torch.where(m >= -1, torch.clamp(1 - m, min=0) ** 2, -4 * m).mean()  # m = y_true * scores",
                 "No modified Huber loss in PyTorch (scikit-learn's SGDClassifier(loss='modified_huber') "
                 "is this loss)."),
        keras=_c("keras.ops.mean(keras.ops.where(m >= -1, keras.ops.relu(1 - m) ** 2, -4 * m))",
                 "No modified Huber loss in Keras."),
        jax=_c("4 * optax.losses.sparsemax_loss(scores, (y_true + 1) / 2).mean()",
               "No loss of this name in optax, but it is 4 times the binary sparsemax loss, with "
               "labels 0/1."),
    ),
    Entry(
        "exponential", "classification",
        torch=_c("torch.exp(-y_true * scores).mean()",
                 "No exponential (AdaBoost) loss in PyTorch; scikit-learn's "
                 "GradientBoostingClassifier(loss='exponential') fits it."),
        keras=_c("keras.ops.mean(keras.ops.exp(-y_true * scores))", "No exponential loss in Keras."),
        jax=_c("jnp.exp(-y_true * scores).mean()", "No exponential loss in optax."),
    ),
    Entry(
        "multiclass_hinge", "classification",
        torch=_c("torch.clamp(margin + rival - true, min=0).mean()  # rival: best wrong score",
                 "`nn.MultiMarginLoss` is the Weston-Watkins loss (a sum over every wrong class, "
                 "divided by C): lossbook `multi_margin`."),
        keras=_c("keras.ops.mean(keras.ops.relu(margin + rival - true))",
                 "`CategoricalHinge` lets the true class enter the maximum as 0 (lossbook "
                 "`categorical_hinge`): larger when every wrong score is negative."),
        jax=_b("optax.losses.multiclass_hinge_loss(scores, y_true).mean()",
               "Crammer-Singer with margin 1, integer labels. " + _REDUCE),
        labels=(0,),
    ),
    Entry(
        "categorical_hinge", "classification",
        torch=_c("torch.clamp(((1 - y_true) * scores).amax(-1) - (y_true * scores).sum(-1) + 1, min=0).mean()",
                 "No such loss in PyTorch; this is Keras's formula."),
        keras=_b("keras.losses.CategoricalHinge()(y_true, scores)",
                 "One-hot targets; max((1 - y) s) lets the true class in as 0."),
        jax=_c("jnp.maximum(jnp.max((1 - y_true) * scores, -1) - jnp.sum(y_true * scores, -1) + 1, 0).mean()",
               "`optax.losses.multiclass_hinge_loss` leaves the true class out of the maximum "
               "(lossbook `multiclass_hinge`): smaller when every wrong score is negative."),
    ),
    Entry(
        "soft_margin", "classification",
        torch=_b("F.soft_margin_loss(scores, y_true)", "log(1 + exp(-y s)), elementwise; " + _PM1 + "."),
        keras=_c("keras.ops.mean(keras.ops.softplus(-y_true * scores))", "No soft-margin loss in Keras."),
        jax=_c("jax.nn.softplus(-y_true * scores).mean()", "No soft-margin loss in optax."),
    ),
    Entry(
        "multilabel_soft_margin", "classification",
        torch=_b("F.multilabel_soft_margin_loss(logits, y_true, weight=weight)",
                 "Binary cross-entropy on logits averaged over the C labels of each sample, then over "
                 "samples; `weight` (C,) weights the labels."),
        keras=_b("keras.losses.BinaryCrossentropy(from_logits=True)(y_true, logits)",
                 "Its mean over the last axis is PyTorch's mean over labels; class weights need "
                 "`keras.ops.binary_crossentropy(..., from_logits=True) * weight`."),
        jax=_b("optax.losses.sigmoid_binary_cross_entropy(logits, y_true).mean(-1).mean()", _REDUCE),
    ),
    Entry(
        "multi_margin", "classification",
        torch=_b("F.multi_margin_loss(scores, y_true, p=1, margin=1.0, weight=weight)",
                 "Weston-Watkins: every wrong class's hinge, summed and divided by C; weight[y] "
                 "multiplies the p-th power; the mean is over N, not weighted."),
        keras=_c("keras.ops.mean(keras.ops.sum(hinges, -1) / C)  # hinges of the wrong classes",
                 "No Weston-Watkins loss in Keras (`CategoricalHinge` takes the best wrong class)."),
        jax=_c("(jnp.sum(hinges, -1) / C).mean()",
               "No Weston-Watkins loss in optax (`multiclass_hinge_loss` takes the best wrong class)."),
        labels=(0,),
    ),
    Entry(
        "multilabel_margin", "classification",
        torch=_b("F.multilabel_margin_loss(scores, y_true)",
                 "Targets (N, C) of class indices, each row's list ending at its first -1; every "
                 "(target, non-target) pair's hinge, summed and divided by C."),
        keras=_c("keras.ops.sum(relu(1 - s_j + s_k) * mask, (1, 2)) / C  # j target, k not",
                 "No such loss in Keras: build the target mask from the lists."),
        jax=_c("jnp.sum(jnp.maximum(1 - s_j + s_k, 0) * mask, (1, 2)) / C", "No such loss in optax."),
        labels=(0,),
    ),
    Entry(
        "chunked_cross_entropy", "classification",
        torch=_b("F.linear_cross_entropy(hidden, weight, y_true, options=torch.nn.LinearCrossEntropyOptions())",
                 "Recent PyTorch (2.13 here; older versions: `F.cross_entropy(hidden @ weight.T, "
                 "y_true)`). It chunks the batch (lossbook chunks the vocabulary); without `options` "
                 "it is that reference, which materializes the (N, V) logits."),
        keras=_c("keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-100)(y_true, hidden @ weight.T)",
                 "No fused projection and cross-entropy in Keras: the (N, V) logits are materialized."),
        jax=_c("optax.losses.softmax_cross_entropy_with_integer_labels(hidden @ weight.T, y_true).mean()",
               "No fused projection and cross-entropy in optax: the (N, V) logits are materialized."),
        predictions=(1, 2),
        labels=(0,),
    ),
    # ------------------------------------------------------------------ divergence
    Entry(
        "kl_divergence", "divergence",
        torch=_b("F.kl_div(q.log(), p, reduction='batchmean')",
                 "The log of the prediction first, the target second (`log_target=True` if p is a "
                 "log too). The default reduction 'mean' divides by N C (with a warning); 'batchmean' "
                 "is the divergence. p = q = 0 gives NaN."),
        keras=_b("keras.losses.KLDivergence()(p, q)",
                 "Clips p and q to [1e-7, 1] (lossbook `eps=1e-7`): a zero in p adds "
                 "1e-7 log(1e-7 / q). Sums over the last axis and averages over rows: 'batchmean'."),
        jax=_b("optax.losses.kl_divergence(jnp.log(q), p).mean()",
               "Log-prediction first; one value per row (0 log 0 = 0): `.mean()` is 'batchmean'."),
    ),
    # ------------------------------------------------------------------ segmentation
    Entry(
        "dice", "segmentation",
        torch=_c("1 - 2 * (y_true * y_pred).sum(axes) / (y_true.sum(axes) + y_pred.sum(axes) + 1e-7)",
                 "No Dice loss in PyTorch; axes = every axis but the first (Keras's epsilon)."),
        keras=_b("keras.losses.Dice(axis=(1, ..., k))(y_true, y_pred)",
                 "The default `axis=None` pools the whole batch into one Dice coefficient; pass every "
                 "axis but the first for one value per sample. 1e-7 in the denominator only."),
        jax=_c("1 - 2 * jnp.sum(y_true * y_pred, axes) / (jnp.sum(y_true, axes) + jnp.sum(y_pred, axes) + 1e-7)",
               "`optax.losses.dice_loss` is a multiclass Dice over a trailing class axis (softmax "
               "applied by default; with `apply_softmax=False` the class axis must sum to 1) and adds "
               "`smooth=1.0` to numerator and denominator."),
    ),
    Entry(
        "tversky", "segmentation",
        torch=_c("1 - tp / (tp + alpha * missed + beta * false_pos + 1e-7)",
                 "No Tversky loss in PyTorch; Keras's letters."),
        keras=_b("keras.losses.Tversky(alpha=0.5, beta=0.5, axis=(1, ..., k))(y_true, y_pred)",
                 "alpha weights the missed target mass sum y (1 - y_pred) (false negatives), beta the "
                 "false positives: the opposite of Tversky's (1977) letters. Axis as for Dice."),
        jax=_c("1 - tp / (tp + alpha * missed + beta * false_pos + 1e-7)",
               "`optax.losses.dice_loss(alpha=..., beta=...)` is a Tversky index with alpha on the "
               "false positives and beta on the false negatives (Keras's the other way round), "
               "`smooth=1.0` in numerator and denominator, over a trailing class axis."),
    ),
    # ------------------------------------------------------------------ metric learning
    Entry(
        "contrastive", "metric",
        torch=_c("(0.5 * (similar * d**2 + (1 - similar) * torch.clamp(margin - d, min=0)**2)).mean()",
                 "No contrastive loss in PyTorch."),
        keras=_c("keras.ops.mean(0.5 * (similar * d**2 + (1 - similar) * keras.ops.relu(margin - d)**2))",
                 "No contrastive loss in Keras; TensorFlow Addons' `contrastive_loss` (unmaintained) "
                 "omits the 1/2."),
        jax=_c("(0.5 * (similar * d**2 + (1 - similar) * jnp.maximum(margin - d, 0)**2)).mean()",
               "No contrastive loss in optax."),
    ),
    Entry(
        "triplet", "metric",
        torch=_b("F.triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False)",
                 "eps is added to each difference: ||a - p + eps||."),
        keras=_c("keras.ops.relu(margin + d(anchor, positive) - d(anchor, negative))  # d = p-norm of x - y + eps",
                 "No triplet loss in Keras."),
        jax=_b("optax.losses.triplet_margin_loss(anchor + eps, positive, negative, eps=0.0).mean()",
               "optax adds eps to the sum of powers, sqrt(sum d^2 + eps), PyTorch to each difference: "
               "adding eps to the anchor reproduces PyTorch. optax raises the differences to the power "
               "p without abs, so only even p give a norm (p = 1 sums signed differences); no swap."),
        predictions=(0, 1, 2),
    ),
    Entry(
        "hinge_embedding", "metric",
        torch=_b("F.hinge_embedding_loss(distance, y_true, margin=1.0)",
                 "distance where y = 1, max(0, margin - distance) where y = -1."),
        keras=_c("keras.ops.where(y_true == 1, distance, keras.ops.relu(margin - distance))",
                 "No such loss in Keras."),
        jax=_c("jnp.where(y_true == 1, distance, jnp.maximum(margin - distance, 0)).mean()",
               "No such loss in optax."),
    ),
    Entry(
        "cosine_embedding", "metric",
        torch=_b("F.cosine_embedding_loss(x1, x2, y, margin=0.0)",
                 "The target last; 1e-12 added to each squared norm; labels other than -1/+1 "
                 "silently give 0."),
        keras=_c("keras.ops.where(y == 1, 1 - cos, keras.ops.relu(cos - margin))",
                 "`keras.losses.CosineSimilarity` is -cos(y_true, y_pred), without labels or margin "
                 "(and it guards zero vectors with its own epsilon, not PyTorch's 1e-12 added to "
                 "each squared norm)."),
        jax=_c("jnp.where(y == 1, 1 - cos, jnp.maximum(cos - margin, 0)).mean()",
               "`optax.losses.cosine_distance` is 1 - cos (no labels or margin), clipping each "
               "squared norm at its epsilon instead of adding 1e-12."),
        predictions=(1, 2),
    ),
    Entry(
        "margin_ranking", "metric",
        torch=_b("F.margin_ranking_loss(x1, x2, y, margin=0.0)", "The target last; it broadcasts, lossbook does not."),
        keras=_c("keras.ops.mean(keras.ops.relu(-y * (x1 - x2) + margin))", "No ranking loss in Keras."),
        jax=_c("jnp.maximum(-y * (x1 - x2) + margin, 0).mean()", "No margin ranking loss in optax."),
        predictions=(1, 2),
    ),
    Entry(
        "info_nce", "metric",
        torch=_c("F.cross_entropy(queries @ keys.T / temperature, torch.arange(N))",
                 "Cross-entropy over the similarity logits, positives on the diagonal."),
        keras=_c("keras.losses.SparseCategoricalCrossentropy(from_logits=True)(keras.ops.arange(N), queries @ keys.T / temperature)",
                 "No InfoNCE loss in Keras."),
        jax=_c("optax.losses.softmax_cross_entropy_with_integer_labels(queries @ keys.T / temperature, jnp.arange(N)).mean()",
               "No InfoNCE loss in optax (`ntxent` is lossbook `nt_xent`)."),
        predictions=(0, 1),
    ),
    Entry(
        "symmetric_info_nce", "metric",
        torch=_c("(F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2",
                 "CLIP's loss: InfoNCE both ways; logits = queries @ keys.T / temperature."),
        keras=_c("(SparseCategoricalCrossentropy(from_logits=True)(labels, logits) + ...(labels, logits.T)) / 2",
                 "No CLIP loss in Keras."),
        jax=_c("(softmax_cross_entropy_with_integer_labels(logits, labels) + ...(logits.T, labels)).mean() / 2",
               "No CLIP loss in optax."),
        predictions=(0, 1),
    ),
    Entry(
        "nt_xent", "metric",
        torch=_c("-log_softmax[positive].mean()  # each positive pair against i's other-label pairs",
                 "No NT-Xent in PyTorch; this is optax's definition."),
        keras=_c("-keras.ops.sum(keras.ops.where(positive, log_softmax, 0)) / keras.ops.sum(positive)",
                 "No NT-Xent in Keras."),
        jax=_b("optax.losses.ntxent(embeddings, labels, temperature=0.07)",
               "Cosine similarities; for each positive pair (i, j), i != j, the denominator holds that "
               "pair and the pairs of i with a different label (SimCLR's also holds the other "
               "positives: the same when each label has exactly two views). A scalar."),
        predictions=(0,),
        labels=(1,),
    ),
    # ------------------------------------------------------------------ ranking
    Entry(
        "bpr", "ranking",
        torch=_c("-F.logsigmoid(pos_scores - neg_scores).mean()", "No BPR loss in PyTorch; logsigmoid is exact at +-1000."),
        keras=_c("-keras.ops.mean(keras.ops.log_sigmoid(pos_scores - neg_scores))", "No BPR loss in Keras."),
        jax=_c("-jax.nn.log_sigmoid(pos_scores - neg_scores).mean()",
               "No BPR loss in optax (`sigmoid_binary_cross_entropy(pos - neg, 1)` is the same value)."),
        predictions=(0, 1),
    ),
    # ------------------------------------------------------------------ sequence
    Entry(
        "ctc", "sequence",
        torch=_b("F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, zero_infinity=False)",
                 "Time first (T, N, C). 'mean' divides each loss by its target length, then averages. "
                 "The backward assumes log_probs came from log_softmax (it returns the gradient for "
                 "the logits): gradients are compared after log_softmax's backward."),
        keras=_b("keras.ops.ctc_loss(targets, logits, target_lengths, input_lengths, mask_index=0)",
                 "Batch first (N, T, C), logits (log_softmax applied inside, so log-probabilities give "
                 "the same value); one loss per sequence, not length-normalized: divide by the target "
                 "lengths for PyTorch's mean. `keras.losses.CTC()` also fixes blank = 0, uses all T "
                 "frames and averages without dividing by the lengths. Computes in float32 even for "
                 "float64 input.", float64=False),
        jax=_b("optax.losses.ctc_loss(logits, logit_paddings, targets, label_paddings, blank_id=0)",
               "Batch first, logits, paddings (1.0 = padded) instead of lengths; one loss per sequence "
               "(divide by the target lengths for PyTorch's mean); an impossible alignment costs about "
               "1e5 (log_epsilon = -1e5), not inf."),
        labels=(0, "input_lengths", "target_lengths"),
        projection="log_softmax",
    ),
    # ------------------------------------------------------------------ penalties
    Entry(
        "l1_penalty", "penalty",
        torch=_c("w.abs().sum()", "No regularizer objects in PyTorch: add the term to the loss."),
        keras=_b("keras.regularizers.L1(1.0)(w)", "L1(l1) is l1 * sum |w|."),
        jax=_c("jnp.abs(w).sum()", "No L1 term in optax (`optax.add_decayed_weights` is L2 decay)."),
        predictions=(0,),
    ),
    Entry(
        "l2_penalty", "penalty",
        torch=_c("0.5 * w.pow(2).sum()",
                 "No regularizer objects; its gradient w is the decay term of `torch.optim.SGD(weight_decay=1)`."),
        keras=_b("keras.regularizers.L2(0.5)(w)", "Keras's L2(l2) = l2 * sum w^2 has no 1/2: L2(l2) = 2 l2 l2_penalty."),
        jax=_b("optax.losses.l2_loss(w).sum()",
               "0.5 w^2 elementwise; `optax.add_decayed_weights(lam)` adds its gradient lam w to the update."),
        predictions=(0,),
    ),
    Entry(
        "elastic_net", "penalty",
        torch=_c("alpha * (l1_ratio * w.abs().sum() + 0.5 * (1 - l1_ratio) * w.pow(2).sum())",
                 "No regularizer objects in PyTorch."),
        keras=_b("keras.regularizers.L1L2(l1=alpha * l1_ratio, l2=alpha * (1 - l1_ratio) / 2)(w)",
                 "Keras has no 1/2 on its squared term, hence the / 2."),
        jax=_c("alpha * (l1_ratio * jnp.abs(w).sum() + 0.5 * (1 - l1_ratio) * jnp.sum(w**2))",
               "No elastic-net term in optax."),
        predictions=(0,),
    ),
]

#: Every lossbook loss's row, by name.
MAPPING: dict[str, Entry] = {e.name: e for e in _ENTRIES}


def names() -> list[str]:
    """The losses the mapping covers, sorted (those of issue 8 included before they land).

    Example:
        >>> "cross_entropy" in names() and "bpr" in names()
        True
    """
    return sorted(MAPPING)


def entry(name: str) -> Entry:
    """The mapping's :class:`Entry` for the lossbook loss ``name``.

    Example:
        >>> entry("huber").torch.call
        'F.huber_loss(y_pred, y_true, delta=delta)'
    """
    try:
        return MAPPING[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"entry: no mapping for {name!r}; the mapping covers {', '.join(names())}"
        ) from None


def adapter(name: str, framework: str):
    """The function computing loss ``name`` in ``framework``, importing the framework.

    Args:
        name: a loss of :func:`names`.
        framework: ``"torch"``, ``"keras"`` or ``"jax"``.

    Returns:
        A function with the lossbook loss's signature taking that framework's tensors,
        or None where the mapping's ``match`` is ``"none"``.

    Raises:
        ImportError: the framework is not installed.

    Example (needs PyTorch):
        >>> import torch  # doctest: +SKIP
        >>> adapter("huber", "torch")(torch.zeros(2), torch.tensor([0.5, 3.0]))  # doctest: +SKIP
        tensor(1.3125)
    """
    eq = entry(name).equivalent(framework)
    if eq.match == "none":
        return None
    return getattr(backend(framework), name)


def backend(framework: str):
    """The adapter module of ``framework``, its framework imported (``ImportError`` if missing).

    The module holds one function per loss (see :func:`adapter`) and what
    :func:`~lossbook.frameworks.compare` needs to run them: ``devices()``,
    ``convert``, ``placement``, ``value_and_grad``, ``value_only``, ``to_numpy``,
    ``copy_bandwidth`` and ``version()``.

    Example (needs JAX and optax):
        >>> backend("jax").devices()[0]  # doctest: +SKIP
        'cpu:0'
    """
    if framework not in FRAMEWORKS:
        raise ValueError(f"backend: framework must be one of {FRAMEWORKS}, got {framework!r}")
    from importlib import import_module

    return import_module(f"._{framework}", __package__).load()


def table(*, wide: bool = False, kind: str | None = None):
    """The mapping as a pandas DataFrame, for the conventions chapter.

    Args:
        wide: False (default) for the tidy table, one row per loss and framework with
            columns ``loss``, ``kind``, ``framework``, ``match``, ``call``, ``note``; True
            for one row per loss with a call column per framework (``PyTorch``,
            ``Keras / TensorFlow``, ``JAX / optax``; an empty cell where there is no
            built-in loss, the composed call marked with a leading ``~``).
        kind: only the losses of this kind (e.g. ``"regression"``); all by default.

    Returns:
        A ``pandas.DataFrame``, sorted by kind and loss.

    Example:
        >>> t = table()
        >>> sorted(t.columns)
        ['call', 'framework', 'kind', 'loss', 'match', 'note']
        >>> t.query("loss == 'kl_divergence' and framework == 'PyTorch'")["call"].item()
        "F.kl_div(q.log(), p, reduction='batchmean')"
    """
    import pandas as pd

    rows = []
    for e in sorted(_ENTRIES, key=lambda e: (e.kind, e.name)):
        if kind is not None and e.kind != kind:
            continue
        for fw in FRAMEWORKS:
            eq = e.equivalent(fw)
            rows.append({"loss": e.name, "kind": e.kind, "framework": LABELS[fw],
                         "match": eq.match, "call": eq.call, "note": eq.note})
    tidy = pd.DataFrame(rows, columns=["loss", "kind", "framework", "match", "call", "note"])
    if not wide:
        return tidy
    shown = tidy.assign(call=[
        c if m == "built-in" else ("" if m == "none" else f"~ {c}") for c, m in zip(tidy["call"], tidy["match"])
    ])
    out = shown.pivot(index=["kind", "loss"], columns="framework", values="call").reset_index()
    out.columns.name = None
    return out[["kind", "loss", *(LABELS[f] for f in FRAMEWORKS)]]
