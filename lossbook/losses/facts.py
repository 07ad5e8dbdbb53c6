r"""What the registry knows about each loss: :class:`LossInfo` and its vocabulary.

Every loss declares its facts where it is registered (``@register(kind, **facts)`` in
:mod:`lossbook.losses._core`), and :func:`lossbook.losses.info` returns them as a frozen
:class:`LossInfo`.  Callers read the facts instead of guessing with ``try``/``except`` or
keeping lists by hand: a figure asks ``info("huber").hyper["delta"]`` for its slider, a
test asks ``info(name).sample(rng, 6)`` for inputs, a menu asks
``available("regression", per_example="element")``.

The vocabulary is small and closed: ``KINDS`` (what a loss compares),
``DOMAINS`` (what a target or prediction holds), ``PER_EXAMPLE`` (what
``reduction="none"`` returns).  :func:`draw` makes random values of a named domain and
:func:`away_from` keeps them off a loss's kinks, so a ``sample`` function is a line or
two.

Importing this module imports NumPy only.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping, NamedTuple

import numpy as np

__all__ = [
    "KINDS",
    "DOMAINS",
    "PER_EXAMPLE",
    "REDUCTIONS",
    "REQUIRED_FACTS",
    "Limit",
    "Hyper",
    "Case",
    "LossInfo",
    "make_info",
    "draw",
    "away_from",
]

#: The reductions of most losses, the default first.
REDUCTIONS = ("mean", "sum", "none")

#: Every reduction some loss accepts (``batchmean`` is :func:`kl_divergence`'s).
_ALL_REDUCTIONS = ("mean", "sum", "none", "batchmean")

#: The kinds of loss, used by :func:`~lossbook.losses.available` and the figures' menus.
KINDS = (
    "regression",  # (y_true, y_pred) of the same shape, elementwise
    "probabilistic",  # regression losses with a distribution parameter (Poisson, Gaussian)
    "classification",  # labels against probabilities, logits or scores
    "divergence",  # two distributions
    "metric",  # pairs, triplets, embeddings
    "sequence",  # CTC
    "penalty",  # regularization terms on weights
    "segmentation",  # overlap of masks (Dice, Tversky)
    "ranking",  # preferences between items (BPR)
)

#: The named domains of targets and predictions, with what each holds.
DOMAINS = MappingProxyType({
    "real": "any real number",
    "positive": "a real number > 0",
    "nonnegative": "a real number >= 0",
    "counts": "a count >= 0 (a Poisson observation; need not be an integer)",
    "binary01": "0 or 1",
    "pm1": "-1 or +1",
    "probability": "a probability in [0, 1] (as a target: a 0/1 label or a soft label)",
    "class_index": "an integer class index in 0..C-1, one per sample: shape (N,)",
    "class_index_lists": "per sample a list of distinct class indices 0..C-1, ended by the "
                         "first -1 (later entries ignored): shape (N, C)",
    "class_probabilities": "a row of C probabilities that sums to 1: shape (N, C)",
    "multi_hot": "a row of C values 0 or 1, any number of them 1: shape (N, C)",
    "label_sequence": "padded sequences of class indices, shape (N, S); never the blank",
    "logit": "a real number read as log-odds (binary) or an unnormalized log-probability (softmax)",
    "log_probability": "the log of a probability, <= 0 (e.g. the output of log_softmax)",
    "log_rate": "the log of a Poisson rate, any real number",
    "score": "a real-valued decision score, not a probability: its sign or rank decides",
    "distance": "a distance >= 0 between two embeddings",
    "embedding": "a real vector per item: shape (N, D)",
})

#: What ``reduction="none"`` gives: one value per element, one per sample, or nothing.
PER_EXAMPLE = ("element", "sample", False)

#: The facts every ``@register(...)`` must declare; the others have defaults.
REQUIRED_FACTS = (
    "inputs",
    "target",
    "prediction",
    "labels",
    "per_example",
    "reductions",
    "hyper",
    "convex",
    "differentiable",
    "proper",
    "sample",
)
_OPTIONAL_FACTS = ("kinks", "options", "target_arg", "wrt", "weighted_mean")


# --------------------------------------------------------------------------- hyperparameters
@dataclass(frozen=True)
class Limit:
    """A hyperparameter value at which a loss becomes a simpler one.

    At ``hyper = at`` (a limit when ``at`` is infinite) the loss equals ``factor``
    times the registered loss ``equals`` on the same inputs, the other hyperparameters
    at their defaults; ``equals=None`` when the simpler loss is not registered, and
    ``note`` says what it is.

    Example:
        >>> Limit(0.0, "binary_cross_entropy_with_logits", note="gamma = 0: no focusing")
        Limit(at=0.0, equals='binary_cross_entropy_with_logits', factor=1.0, note='gamma = 0: no focusing')
    """

    at: float
    equals: str | None
    factor: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class Hyper:
    """A numeric hyperparameter: its default and the range a slider should cover.

    Args:
        name: the keyword argument.
        default: the signature's default (``None`` where None means "off" or stands
            for a number, see ``none_means``).
        low, high: a sensible slider range (inside the valid range).
        scale: ``"linear"`` or ``"log"`` (a log slider needs ``low > 0``).
        step: the slider's step on a linear scale (None: the figure chooses).
        integer: whether only integers make sense.
        none_means: the number a default of ``None`` stands for (``pos_weight=None``
            weighs by 1), or None if None means "off" (focal's ``alpha``).
        reduces_to: the :class:`Limit` values where the loss becomes a simpler one.

    Example:
        >>> h = Hyper("tau", 0.5, 0.1, 0.9, step=0.05)
        >>> h.start
        0.5
    """

    name: str
    default: float | int | None
    low: float
    high: float
    scale: str = "linear"
    step: float | None = None
    integer: bool = False
    none_means: float | None = None
    reduces_to: tuple[Limit, ...] = ()

    def __post_init__(self):
        where = f"Hyper {self.name!r}"
        if not self.low < self.high:
            raise ValueError(f"{where}: low must be < high, got ({self.low!r}, {self.high!r})")
        if self.scale not in ("linear", "log"):
            raise ValueError(f"{where}: scale must be 'linear' or 'log', got {self.scale!r}")
        if self.scale == "log" and not self.low > 0:
            raise ValueError(f"{where}: a log scale needs low > 0, got {self.low!r}")
        if self.start is not None and not self.low <= self.start <= self.high:
            raise ValueError(f"{where}: the default {self.start!r} lies outside ({self.low!r}, {self.high!r})")
        if not all(isinstance(limit, Limit) for limit in self.reduces_to):
            raise ValueError(f"{where}: reduces_to must be a tuple of Limit")

    @property
    def start(self):
        """Where a slider starts (the default, or the number a default None stands for)."""
        return self.none_means if self.default is None else self.default


# --------------------------------------------------------------------------- cases
class Case(NamedTuple):
    """Inputs for one call of a loss: ``fn(*case.args, **case.kwargs)``.

    ``args`` are the data inputs in the order of ``LossInfo.inputs``; ``kwargs``
    the keywords a call needs besides the hyperparameters (e.g. ``ctc``'s lengths).
    """

    args: tuple
    kwargs: Mapping = MappingProxyType({})


# --------------------------------------------------------------------------- the facts
@dataclass(frozen=True)
class LossInfo:
    """The facts of one registered loss; see :func:`lossbook.losses.info`.

    Attributes:
        name: the function's name, under which it is registered.
        kind: one of ``KINDS``.
        inputs: the names of the positional (data) arguments, in order.
        target: the domain (``DOMAINS``) of the target input, or None for a loss
            without one (triplet, InfoNCE, penalties).
        prediction: the domain of the prediction input(s): one name for all, or a
            tuple with one per prediction input.
        labels: the label convention in words (``"-1/+1"``), or None.
        per_example: what ``reduction="none"`` gives: ``"element"`` (one value per
            input element), ``"sample"`` (one per sample, i.e. per row), or False
            (no ``"none"``: RMSE).
        reductions: the accepted reductions, the default first; ``()`` for a loss
            without a ``reduction`` keyword (a scalar only).
        hyper: the numeric hyperparameters by name (:class:`Hyper`).
        convex: convex in the prediction(s) for a fixed target, at the default
            hyperparameters.
        differentiable: differentiable everywhere in the prediction(s), at the default
            hyperparameters; where it is not, ``kinks`` says where.
        proper: for a loss on predicted probabilities (or logits, or a predictive
            distribution): whether the expected loss is minimized by the true
            probability (a proper scoring rule); None where that does not apply.
        sample: ``sample(rng, n)`` returns a :class:`Case` of valid random inputs
            with ``n`` examples (``n = 0`` gives empty inputs), at least 0.05 away
            from every kink and every jump of the second derivative at the default
            hyperparameters, so finite differences are valid there.
        kinks: where the loss is not differentiable (``"at r = 0"``), else None.
        options: the other keyword arguments (flags, arrays, indices, epsilons).
        target_arg: the name of the target input (the first input by default).
        wrt: the inputs ``.grad`` differentiates, in the order it returns them.
        weighted_mean: None when ``reduction="mean"`` is the average of the
            ``"none"`` values; otherwise what it divides by.

    Example:
        >>> from lossbook import losses
        >>> i = losses.info("huber")
        >>> i.kind, i.inputs, i.per_example, i.hyper["delta"].default, i.convex
        ('regression', ('y_true', 'y_pred'), 'element', 1.0, True)
    """

    name: str
    kind: str
    inputs: tuple[str, ...]
    target: str | None
    prediction: str | tuple[str, ...]
    labels: str | None
    per_example: str | bool
    reductions: tuple[str, ...]
    hyper: Mapping[str, Hyper]
    convex: bool
    differentiable: bool
    proper: bool | None
    sample: Callable = field(repr=False)
    kinks: str | None = None
    options: tuple[str, ...] = ()
    target_arg: str | None = None
    wrt: tuple[str, ...] = ()
    weighted_mean: str | None = None

    @property
    def default_reduction(self) -> str | None:
        """The reduction used when none is passed, or None for a loss without reductions."""
        return self.reductions[0] if self.reductions else None

    def defaults(self) -> dict:
        """The hyperparameters' defaults, ``{name: default}``."""
        return {h.name: h.default for h in self.hyper.values()}

    def domain(self, arg: str) -> str | None:
        """The domain of the input named ``arg`` (None for a target-free loss's target)."""
        if arg not in self.inputs:
            raise ValueError(f"{self.name}.info.domain: arg must be one of {self.inputs}, got {arg!r}")
        if arg == self.target_arg:
            return self.target
        preds = [a for a in self.inputs if a != self.target_arg]
        if isinstance(self.prediction, str):
            return self.prediction
        return self.prediction[preds.index(arg)]


def _fail(name: str, message: str):
    raise ValueError(f"register: loss {name!r} {message}")


def _signature_parts(fn: Callable):
    params = inspect.signature(fn).parameters.values()
    positional = tuple(p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD)
    keywords = {p.name: p.default for p in params if p.kind is p.KEYWORD_ONLY}
    return positional, keywords


def make_info(fn: Callable, kind: str, facts: dict) -> LossInfo:
    """Build the :class:`LossInfo` of ``fn`` from its declared facts, or raise.

    Raises ``ValueError`` naming the loss and the fact when a required fact is missing,
    a fact is unknown or malformed, or a fact disagrees with the signature (inputs,
    keywords, defaults, the default reduction).
    """
    name = fn.__name__
    unknown = sorted(set(facts) - set(REQUIRED_FACTS) - set(_OPTIONAL_FACTS))
    if unknown:
        _fail(name, f"declares unknown fact(s) {', '.join(unknown)}; the facts are "
                    f"{', '.join(REQUIRED_FACTS + _OPTIONAL_FACTS)}")
    missing = [f for f in REQUIRED_FACTS if f not in facts]
    if missing:
        _fail(name, f"lacks the fact(s) {', '.join(missing)}: every loss declares "
                    f"{', '.join(REQUIRED_FACTS)} at @register (see lossbook.losses.facts)")
    if kind not in KINDS:
        _fail(name, f"has kind {kind!r}; kind must be one of {KINDS}")
    f = dict(facts)
    positional, keywords = _signature_parts(fn)
    inputs = tuple(f["inputs"])
    if inputs != positional:
        _fail(name, f"declares inputs {inputs}, but its positional arguments are {positional}")
    target, prediction = f["target"], f["prediction"]
    if target is not None and target not in DOMAINS:
        _fail(name, f"has target domain {target!r}; it must be one of {', '.join(DOMAINS)} or None")
    target_arg = f.get("target_arg", inputs[0] if target is not None else None)
    if (target is None) != (target_arg is None) or (target_arg is not None and target_arg not in inputs):
        _fail(name, f"has target_arg {target_arg!r}; it must name an input when target is set, else be None")
    preds = tuple(a for a in inputs if a != target_arg)
    pred_domains = (prediction,) * len(preds) if isinstance(prediction, str) else tuple(prediction)
    if len(pred_domains) != len(preds) or any(d not in DOMAINS for d in pred_domains):
        _fail(name, f"has prediction {prediction!r}; it must be a domain of {', '.join(DOMAINS)}, "
                    f"or a tuple of one per prediction input {preds}")
    wrt = tuple(f.get("wrt", preds))
    if not wrt or not set(wrt) <= set(inputs):
        _fail(name, f"has wrt {wrt}; it must name the inputs .grad differentiates, among {inputs}")
    labels = f["labels"]
    if labels is not None and not isinstance(labels, str):
        _fail(name, f"has labels {labels!r}; it must be words (a str) or None")
    per_example = f["per_example"]
    if per_example not in PER_EXAMPLE:
        _fail(name, f"has per_example {per_example!r}; it must be one of {PER_EXAMPLE}")
    reductions = tuple(f["reductions"])
    if not set(reductions) <= set(_ALL_REDUCTIONS):
        _fail(name, f"has reductions {reductions}; they must be among {_ALL_REDUCTIONS}")
    if ("none" in reductions) != (per_example is not False):
        _fail(name, f"has per_example={per_example!r} with reductions {reductions}: "
                    "'none' is accepted exactly when there is a per-example form")
    if "reduction" not in keywords and reductions:
        _fail(name, f"has reductions {reductions} but no reduction keyword: declare reductions=()")
    if "reduction" in keywords and (not reductions or keywords["reduction"] != reductions[0]):
        _fail(name, f"has reductions {reductions}, whose first must be the signature's default "
                    f"reduction, {keywords['reduction']!r}")
    hyper = tuple(f["hyper"])
    if not all(isinstance(h, Hyper) for h in hyper):
        _fail(name, "has hyper entries that are not Hyper(...)")
    options = tuple(f.get("options", ()))
    declared = [h.name for h in hyper] + list(options)
    expected = [k for k in keywords if k != "reduction"]
    if sorted(declared) != sorted(expected):
        _fail(name, f"declares hyper + options {sorted(declared)}, but its keyword arguments "
                    f"are {sorted(expected)}: declare each as a Hyper or in options")
    for h in hyper:
        if keywords[h.name] != h.default:
            _fail(name, f"declares {h.name} default {h.default!r}, the signature has {keywords[h.name]!r}")
    for key in ("convex", "differentiable"):
        if not isinstance(f[key], bool):
            _fail(name, f"has {key} {f[key]!r}; it must be True or False")
    kinks = f.get("kinks")
    if not f["differentiable"] and not isinstance(kinks, str):
        _fail(name, "is declared not differentiable: say where with kinks='at ...'")
    if f["differentiable"] and kinks is not None:
        _fail(name, f"is declared differentiable but has kinks {kinks!r}")
    if f["proper"] not in (True, False, None):
        _fail(name, f"has proper {f['proper']!r}; it must be True, False or None")
    if not callable(f["sample"]):
        _fail(name, "has a sample that is not callable: sample(rng, n) -> Case")
    weighted_mean = f.get("weighted_mean")
    if weighted_mean is not None and ("mean" not in reductions or not isinstance(weighted_mean, str)):
        _fail(name, "has weighted_mean: it must be words (a str), for a loss with a 'mean' reduction")
    return LossInfo(
        name=name, kind=kind, inputs=inputs, target=target, prediction=prediction,
        labels=labels, per_example=per_example, reductions=reductions,
        hyper=MappingProxyType({h.name: h for h in hyper}), convex=f["convex"],
        differentiable=f["differentiable"], proper=f["proper"], sample=f["sample"],
        kinks=kinks, options=options, target_arg=target_arg, wrt=wrt,
        weighted_mean=weighted_mean,
    )


# --------------------------------------------------------------------------- sampling
def draw(domain: str, rng: np.random.Generator, shape, *, classes: int = 4) -> np.ndarray:
    """Random float64 values of a named domain (integers for the class-index domains).

    Values stay inside the open domain, away from its edges (probabilities in
    [0.05, 0.95], distances in [0.1, 2]), so that finite differences stay valid.
    ``classes`` is C for the class domains; shapes follow ``DOMAINS`` (give the
    full shape, e.g. ``(n, C)`` for ``class_probabilities`` and ``class_index_lists``,
    whose C is the last axis).

    Example:
        >>> import numpy as np
        >>> draw("pm1", np.random.default_rng(0), 4)
        array([ 1., -1., -1., -1.])
    """
    if domain not in DOMAINS:
        raise ValueError(f"draw: domain must be one of {', '.join(DOMAINS)}, got {domain!r}")
    if domain in ("real", "log_rate"):
        return rng.standard_normal(shape)
    if domain in ("logit", "score", "embedding"):
        return 1.5 * rng.standard_normal(shape)
    if domain in ("positive", "nonnegative", "distance"):
        return rng.uniform(0.1, 2.0, shape)
    if domain == "counts":
        return rng.poisson(2.0, shape).astype(np.float64)
    if domain in ("binary01", "multi_hot"):
        return rng.integers(0, 2, shape).astype(np.float64)
    if domain == "pm1":
        return np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    if domain == "probability":
        return rng.uniform(0.05, 0.95, shape)
    if domain == "class_index_lists":  # 1..C-1 distinct classes per row, then -1
        n, c = shape
        lists = np.full((n, c), -1, dtype=np.int64)
        for i in range(n):
            k = rng.integers(1, c)
            lists[i, :k] = rng.permutation(c)[:k]
        return lists
    if domain in ("class_index", "label_sequence"):
        low = 1 if domain == "label_sequence" else 0  # CTC: class 0 is the blank
        return rng.integers(low, classes, shape)
    shape = np.atleast_1d(shape)
    if domain == "class_probabilities":
        return rng.dirichlet(np.full(shape[-1], 8.0), size=tuple(shape[:-1]))  # away from 0
    z = rng.standard_normal(tuple(shape))  # log_probability: log_softmax over the last axis
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def away_from(x, points, gap: float = 0.05) -> np.ndarray:
    """``x`` with every entry closer than ``gap`` to one of ``points`` moved to ``2 gap`` away.

    Example:
        >>> print(away_from([0.01, -0.02, 0.5], [0.0]))
        [ 0.1 -0.1  0.5]
    """
    x = np.array(x, dtype=np.float64)
    for p in points:
        close = np.abs(x - p) < gap
        x[close] = p + 2 * gap * np.where(x[close] >= p, 1.0, -1.0)
    return x

