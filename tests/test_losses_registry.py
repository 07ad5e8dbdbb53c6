"""Properties every registered loss must have, checked over the whole registry.

Nothing here keeps a list of losses by hand except :data:`REFERENCES`, the table of
each loss's reference-value test: the cases come from each loss's declared facts
(``losses.info(name)``: its inputs, domains, reductions, hyperparameters, convexity,
differentiability, ``sample``).  A new loss is covered as soon as it is registered, and
these tests fail until its facts, its docstring and its reference entry are complete.
Framework comparisons live in the per-topic test files.
"""

from __future__ import annotations

import importlib
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lossbook import losses
from lossbook.losses._core import register
from lossbook.losses.facts import REQUIRED_FACTS, Hyper
from tests._tools import ATOL_FD, RTOL_FD, central_difference

NAMES = losses.available()
N = 6  # examples per generated case

#: Each loss's reference-value test: (what it is compared with, "file::test").  A loss
#: without a framework counterpart says so and names its closed-form test instead.
REFERENCES = {
    "mse": ("torch nn.MSELoss", "test_losses_regression.py::test_value_matches_torch"),
    "mae": ("torch nn.L1Loss", "test_losses_regression.py::test_value_matches_torch"),
    "rmse": ("torch sqrt of mse_loss", "test_losses_regression.py::test_rmse_value_and_grad_match_torch"),
    "huber": ("torch nn.HuberLoss", "test_losses_regression.py::test_value_matches_torch"),
    "smooth_l1": ("torch nn.SmoothL1Loss", "test_losses_regression.py::test_value_matches_torch"),
    "log_cosh": ("keras LogCosh", "test_losses_regression.py::test_matches_keras"),
    "barron": ("no reference in torch/keras/sklearn: its named special cases in closed form", "test_losses_regression.py::test_barron_special_cases_in_closed_form"),
    "quantile": ("sklearn mean_pinball_loss", "test_losses_regression.py::test_matches_sklearn"),
    "poisson_nll": ("torch nn.PoissonNLLLoss", "test_losses_regression.py::test_poisson_nll_value_and_grad_match_torch"),
    "gaussian_nll": ("torch nn.GaussianNLLLoss", "test_losses_regression.py::test_gaussian_nll_value_and_grads_match_torch"),
    "binary_cross_entropy": ("torch nn.BCELoss", "test_losses_classification.py::test_bce_matches_torch"),
    "binary_cross_entropy_with_logits": ("torch nn.BCEWithLogitsLoss", "test_losses_classification.py::test_bce_with_logits_matches_torch"),
    "cross_entropy": ("torch nn.CrossEntropyLoss", "test_losses_classification.py::test_cross_entropy_matches_torch"),
    "focal": ("torchvision sigmoid_focal_loss's formula in torch", "test_losses_classification.py::test_focal_matches_torchvision_formula"),
    "hinge": ("sklearn hinge_loss, keras Hinge", "test_losses_classification.py::test_hinge_matches_sklearn_and_keras"),
    "squared_hinge": ("keras SquaredHinge", "test_losses_classification.py::test_hinge_matches_sklearn_and_keras"),
    "multiclass_hinge": ("sklearn hinge_loss (multiclass)", "test_losses_classification.py::test_multiclass_hinge_matches_sklearn"),
    "nll": ("torch nn.NLLLoss", "test_losses_classification_zoo.py::test_nll_matches_torch"),
    "soft_margin": ("torch nn.SoftMarginLoss", "test_losses_classification_zoo.py::test_soft_margin_matches_torch"),
    "exponential": ("sklearn._loss ExponentialLoss", "test_losses_classification_zoo.py::test_exponential_matches_sklearn"),
    "modified_huber": ("sklearn SGDClassifier's ModifiedHuber loss", "test_losses_classification_zoo.py::test_modified_huber_matches_sklearn"),
    "multilabel_soft_margin": ("torch nn.MultiLabelSoftMarginLoss", "test_losses_classification_zoo.py::test_multilabel_soft_margin_matches_torch"),
    "multi_margin": ("torch nn.MultiMarginLoss", "test_losses_classification_zoo.py::test_multi_margin_matches_torch"),
    "multilabel_margin": ("torch nn.MultiLabelMarginLoss", "test_losses_classification_zoo.py::test_multilabel_margin_matches_torch"),
    "categorical_hinge": ("keras CategoricalHinge", "test_losses_classification_zoo.py::test_categorical_hinge_matches_keras"),
    "categorical_focal": ("keras CategoricalFocalCrossentropy(from_logits=True)", "test_losses_classification_zoo.py::test_categorical_focal_matches_keras"),
    "poly1": ("optax poly_loss_cross_entropy", "test_losses_classification_zoo.py::test_poly1_matches_optax"),
    "sparsemax": ("optax multiclass_sparsemax_loss", "test_losses_classification_zoo.py::test_sparsemax_matches_optax"),
    "kl_divergence": ("torch F.kl_div", "test_losses_classification.py::test_kl_matches_torch"),
    "contrastive": ("no reference in torch/keras/sklearn: closed form", "test_losses_metric.py::test_contrastive_matches_closed_form"),
    "triplet": ("torch F.triplet_margin_loss", "test_losses_metric.py::test_triplet_values_and_grads_match_torch"),
    "info_nce": ("torch F.cross_entropy of q k^T / tau", "test_losses_metric.py::test_info_nce_matches_torch_cross_entropy"),
    "cosine_embedding": ("torch F.cosine_embedding_loss", "test_losses_metric.py::test_cosine_embedding_matches_torch"),
    "margin_ranking": ("torch F.margin_ranking_loss", "test_losses_metric.py::test_margin_ranking_matches_torch"),
    "ctc": ("torch F.ctc_loss", "test_losses_sequence.py::test_values_match_torch"),
    "l1_penalty": ("keras regularizers.L1", "test_losses_penalty.py::test_l1_matches_keras"),
    "l2_penalty": ("keras regularizers.L2 (half of it)", "test_losses_penalty.py::test_l2_is_half_keras"),
    "elastic_net": ("keras regularizers.L1L2", "test_losses_penalty.py::test_elastic_net_matches_keras_l1l2"),
    "mape": ("keras MeanAbsolutePercentageError", "test_losses_regression.py::test_mape_msle_poisson_match_keras"),
    "msle": ("keras MeanSquaredLogarithmicError", "test_losses_regression.py::test_mape_msle_poisson_match_keras"),
    "poisson": ("keras Poisson (and torch poisson_nll_loss, log_input=False, eps=1e-7)", "test_losses_regression.py::test_mape_msle_poisson_match_keras"),
    "hinge_embedding": ("torch F.hinge_embedding_loss", "test_losses_metric.py::test_hinge_embedding_matches_torch"),
    "symmetric_info_nce": ("torch (F.cross_entropy(z) + F.cross_entropy(z.T)) / 2, z = q k^T / tau", "test_losses_metric.py::test_symmetric_info_nce_matches_torch"),
    "nt_xent": ("optax losses.ntxent (float64)", "test_losses_metric.py::test_nt_xent_matches_optax"),
    "dice": ("keras Dice(axis=every axis but the first)", "test_losses_segmentation.py::test_dice_matches_keras"),
    "tversky": ("keras Tversky(axis=every axis but the first)", "test_losses_segmentation.py::test_tversky_matches_keras"),
    "bpr": ("torch -F.logsigmoid(pos - neg)", "test_losses_ranking.py::test_bpr_matches_torch_logsigmoid"),
    "chunked_cross_entropy": ("torch F.cross_entropy(hidden @ weight.T) with autograd", "test_losses_vocabulary.py::test_value_and_grads_match_torch"),
}


def case(name, seed=0, n=N):
    """A generated case: ``(fn, info, args, kwargs)`` from the loss's ``sample``."""
    info = losses.info(name)
    args, kwargs = info.sample(np.random.default_rng(seed), n)
    return losses.get(name), info, tuple(args), dict(kwargs)


def wrt_index(info):
    return [info.inputs.index(a) for a in info.wrt]


def grads(fn, args, kwargs):
    g = fn.grad(*args, **kwargs)
    return g if isinstance(g, tuple) else (g,)


def replaced(args, i, value):
    a = list(args)
    a[i] = value
    return tuple(a)


def reductions(info):
    """The reductions giving a scalar (with ``"none"`` the gradient is that of the sum)."""
    return [r for r in info.reductions if r != "none"] or [None]


def with_reduction(kwargs, reduction):
    return kwargs if reduction is None else {**kwargs, "reduction": reduction}


# --------------------------------------------------------------------------- the registry
def test_every_registered_loss_has_a_reference_test():
    missing = sorted(set(NAMES) - set(REFERENCES))
    assert not missing, f"add a REFERENCES entry (reference-value test) for {missing}"
    assert sorted(REFERENCES) == NAMES, f"REFERENCES names unregistered losses: {set(REFERENCES) - set(NAMES)}"


@pytest.mark.parametrize("name", NAMES)
def test_reference_entry_names_an_existing_test_that_uses_the_loss(name):
    reference, where = REFERENCES[name]
    assert reference, f"{name}: say what the reference is"
    file, test = where.split("::")
    module = importlib.import_module(f"tests.{Path(file).stem}")
    assert callable(getattr(module, test, None)), f"{name}: {where} does not exist"
    assert re.search(rf"\b{name}\b", Path(module.__file__).read_text()), f"{name}: {file} never mentions it"


@pytest.mark.parametrize("name", NAMES)
def test_get_info_and_grad(name):
    fn = losses.get(name)
    assert fn is getattr(losses, name)
    assert callable(fn.grad), f"{name} has no gradient"
    info = losses.info(name)
    assert info is fn.info is losses.info(fn)
    assert info.name == name and info.kind == fn.kind and info.kind in losses.KINDS
    assert all(getattr(info, fact) is not None or fact in ("target", "labels", "proper")
               for fact in REQUIRED_FACTS)


def test_available_by_kind_partitions_the_registry():
    seen = []
    for kind in losses.KINDS:
        seen += losses.available(kind)
    assert sorted(seen) == losses.available()
    assert {"segmentation", "ranking"} <= set(losses.KINDS)


def test_available_filters_on_facts():
    per = losses.available(per_example=True)
    assert set(per) == {n for n in NAMES if losses.info(n).per_example in ("element", "sample")}
    assert "rmse" not in per and "rmse" in losses.available(per_example=False)
    assert losses.available("regression", per_example="element") == [
        n for n in losses.available("regression") if losses.info(n).per_example == "element"
    ]
    assert all(losses.info(n).convex for n in losses.available(convex=True))


def test_unknown_names_kinds_and_facts_are_clear_errors():
    with pytest.raises(ValueError, match=r"get: unknown loss 'hubber'; available losses are .*huber"):
        losses.get("hubber")
    with pytest.raises(ValueError, match=r"info: unknown loss 'hubber'; available losses are .*huber"):
        losses.info("hubber")
    with pytest.raises(ValueError, match=r"available: kind must be one of .* got 'regresion'"):
        losses.available("regresion")
    with pytest.raises(ValueError, match=r"available: convexity is not a fact to filter on; the facts are .*convex"):
        losses.available(convexity=True)


# --------------------------------------------------------------------------- registration
def _toy(y_true, y_pred, *, delta=1.0, reduction="mean"):
    return 0.0


def _toy_facts(**change):
    facts = dict(inputs=("y_true", "y_pred"), target="real", prediction="real", labels=None,
                 per_example="element", reductions=("mean", "sum", "none"),
                 hyper=(Hyper("delta", 1.0, 0.5, 2.0),), convex=True, differentiable=True,
                 proper=None, sample=lambda rng, n: None)
    facts.update(change)
    return {k: v for k, v in facts.items() if v is not ...}


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(convex=...), r"^register: loss '_toy' lacks the fact\(s\) convex: every loss declares"),
        (dict(sample=..., labels=...), r"^register: loss '_toy' lacks the fact\(s\) labels, sample"),
        (dict(inputs=("y", "y_pred")), r"declares inputs \('y', 'y_pred'\), but its positional arguments are \('y_true', 'y_pred'\)"),
        (dict(hyper=()), r"declares hyper \+ options \[\], but its keyword arguments are \['delta'\]"),
        (dict(hyper=(Hyper("delta", 2.0, 0.5, 3.0),)), r"declares delta default 2.0, the signature has 1.0"),
        (dict(reductions=("sum", "mean", "none")), r"whose first must be the signature's default reduction, 'mean'"),
        (dict(per_example=False), r"'none' is accepted exactly when there is a per-example form"),
        (dict(differentiable=False), r"is declared not differentiable: say where with kinks="),
        (dict(target="reals"), r"has target domain 'reals'; it must be one of real, "),
        (dict(proper="yes"), r"has proper 'yes'; it must be True, False or None"),
        (dict(convexity=True), r"declares unknown fact\(s\) convexity"),
    ],
)
def test_registration_fails_without_a_fact_or_with_a_wrong_one(change, message):
    with pytest.raises(ValueError, match=message):
        register("regression", **_toy_facts(**change))(_toy)
    assert "_toy" not in losses.available()


def test_hyper_range_must_hold_its_default():
    with pytest.raises(ValueError, match=r"Hyper 'tau': the default 0.95 lies outside \(0.1, 0.9\)"):
        Hyper("tau", 0.95, 0.1, 0.9)
    with pytest.raises(ValueError, match=r"Hyper 't': a log scale needs low > 0, got 0.0"):
        Hyper("t", 0.1, 0.0, 1.0, scale="log")


# --------------------------------------------------------------------------- the facts hold
_DOMAIN_CHECKS = {
    "real": np.isfinite, "logit": np.isfinite, "score": np.isfinite, "log_rate": np.isfinite,
    "embedding": np.isfinite,
    "positive": lambda a: a > 0, "nonnegative": lambda a: a >= 0, "distance": lambda a: a >= 0,
    "counts": lambda a: a >= 0,
    "binary01": lambda a: (a == 0) | (a == 1), "multi_hot": lambda a: (a == 0) | (a == 1),
    "pm1": lambda a: np.abs(a) == 1,
    "probability": lambda a: (a >= 0) & (a <= 1),
    "class_index": lambda a: (a >= 0) & (a == np.round(a)),
    "class_index_lists": lambda a: (a >= -1) & (a == np.round(a)),
    "label_sequence": lambda a: (a >= 0) & (a == np.round(a)),
    "class_probabilities": lambda a: (a >= 0) & np.isclose(a.sum(axis=-1, keepdims=True), 1),
    "log_probability": lambda a: a <= 0,
}


def test_every_domain_has_a_check_here():
    assert set(_DOMAIN_CHECKS) == set(losses.DOMAINS)


@pytest.mark.parametrize("name", NAMES)
def test_sample_draws_from_the_declared_domains(name):
    fn, info, args, kwargs = case(name)
    assert len(args) == len(info.inputs)
    for arg, value in zip(info.inputs, args):
        domain = info.domain(arg)
        if domain is not None:
            assert np.all(_DOMAIN_CHECKS[domain](np.asarray(value))), f"{name}: {arg} is not {domain}"
    assert np.isfinite(fn(*args, **kwargs))


@pytest.mark.parametrize("name", NAMES)
def test_hyperparameter_ranges_are_accepted(name):
    fn, info, args, kwargs = case(name)
    for h in info.hyper.values():
        for value in (h.low, h.high, h.start):
            if value is not None:
                assert np.isfinite(fn(*args, **kwargs, **{h.name: value})), f"{name}({h.name}={value})"
        if h.integer:
            assert float(h.low).is_integer() and float(h.high).is_integer()


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    fn, info, args, kwargs = case(name)
    for reduction in reductions(info):
        kw = with_reduction(kwargs, reduction)
        gs = grads(fn, args, kw)
        assert len(gs) == len(info.wrt), f"{name}: .grad returns {len(gs)} arrays, wrt is {info.wrt}"
        for g, i in zip(gs, wrt_index(info)):
            assert np.shape(g) == np.shape(args[i])
            fd = central_difference(lambda v: fn(*replaced(args, i, v), **kw), args[i])
            np.testing.assert_allclose(g, fd, rtol=RTOL_FD * 100, atol=ATOL_FD * 100,
                                       err_msg=f"{name} d/d{info.inputs[i]}, reduction={reduction}")


DIFFERENTIABLE = losses.available(differentiable=True)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_declared_differentiable_losses_match_finite_differences_at_random_points(name, seed):
    fn, info, args, kwargs = case(name, seed=seed)
    for g, i in zip(grads(fn, args, kwargs), wrt_index(info)):
        fd = central_difference(lambda v: fn(*replaced(args, i, v), **kwargs), args[i])
        np.testing.assert_allclose(g, fd, rtol=RTOL_FD * 100, atol=ATOL_FD * 100, err_msg=name)


@pytest.mark.parametrize("name", losses.available(per_example=True))
def test_none_gives_one_value_per_example_and_the_others_reduce_it(name):
    fn, info, args, kwargs = case(name)
    per = np.asarray(fn(*args, **kwargs, reduction="none"))
    first_prediction = args[wrt_index(info)[0]]
    if info.per_example == "element":
        assert per.shape == np.shape(first_prediction)
    else:
        assert per.shape == (N,)
    np.testing.assert_allclose(fn(*args, **kwargs, reduction="sum"), per.sum(), rtol=1e-12)
    if info.weighted_mean is None and "mean" in info.reductions:
        np.testing.assert_allclose(fn(*args, **kwargs, reduction="mean"), per.mean(), rtol=1e-12)
    # with "none", .grad is the gradient of the sum
    for g_none, g_sum in zip(grads(fn, args, {**kwargs, "reduction": "none"}),
                             grads(fn, args, {**kwargs, "reduction": "sum"})):
        np.testing.assert_allclose(g_none, g_sum, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_undeclared_reductions_raise(name):
    fn, info, args, kwargs = case(name)
    if not info.reductions:  # a scalar loss without a reduction keyword (nt_xent)
        for call in (fn, fn.grad):
            with pytest.raises(TypeError, match="unexpected keyword argument 'reduction'"):
                call(*args, **kwargs, reduction="mean")
        return
    for reduction in {"mean", "sum", "none", "batchmean", "avg"} - set(info.reductions):
        with pytest.raises(ValueError, match=rf"^{name}: reduction must be "):
            fn(*args, **kwargs, reduction=reduction)
        with pytest.raises(ValueError, match=rf"^{name}: reduction must be "):
            fn.grad(*args, **kwargs, reduction=reduction)


@pytest.mark.parametrize("name", NAMES)
def test_float32_in_float32_out(name):
    fn, info, args, kwargs = case(name)
    args32 = tuple(a.astype(np.float32) if a.dtype.kind == "f" else a for a in map(np.asarray, args))
    value = fn(*args32, **kwargs)
    assert np.asarray(value).dtype == np.float32, f"{name} value is {np.asarray(value).dtype}"
    for g in grads(fn, args32, kwargs):
        assert np.asarray(g).dtype == np.float32, f"{name} grad is {np.asarray(g).dtype}"
    np.testing.assert_allclose(value, fn(*args, **kwargs), rtol=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_empty_input_raises(name):
    fn, info, args, kwargs = case(name, n=0)
    with pytest.raises(ValueError, match=rf"^{name}: \w+ must not be empty"):
        fn(*args, **kwargs)
    with pytest.raises(ValueError, match=rf"^{name}: \w+ must not be empty"):
        fn.grad(*args, **kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_a_hyperparameter_of_the_wrong_type_is_named(name):
    fn, info, args, kwargs = case(name)
    for arg in [*info.hyper, *info.options]:
        for call in (fn, fn.grad):
            with pytest.raises(ValueError, match=rf"^{name}: {arg} must "):
                call(*args, **{**kwargs, arg: "1"})


@pytest.mark.parametrize("name", NAMES)
def test_value_and_grad_check_their_inputs_once_per_call(name, monkeypatch):
    """Value and grad share one preparation: each checks its prediction input exactly once."""
    from lossbook import checks

    fn, info, args, kwargs = case(name)
    seen = []
    original = checks.float_array

    def counting(f, arg, x, **kw):
        seen.append(arg)
        return original(f, arg, x, **kw)

    monkeypatch.setattr(checks, "float_array", counting)
    for call in (fn, fn.grad):
        seen.clear()
        call(*args, **kwargs)
        assert seen.count(info.wrt[0]) == 1, f"{name}: {call.__qualname__} checked {info.wrt[0]} {seen.count(info.wrt[0])} times"


@pytest.mark.parametrize("name", NAMES)
def test_nan_in_gives_nan_out(name):
    fn, info, args, kwargs = case(name)
    i = wrt_index(info)[0]
    x = np.array(args[i], dtype=float)
    x.flat[0] = np.nan
    value = fn(*replaced(args, i, x), **kwargs)
    assert np.isnan(value), f"{name} turned a NaN input into {value}"


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", losses.available(convex=True))
def test_declared_convex_losses_are_midpoint_convex(name, seed):
    """f((a + b) / 2) <= (f(a) + f(b)) / 2 on a random segment, the target held fixed."""
    fn, info, a, kwargs = case(name, seed=seed)
    _, _, b, _ = case(name, seed=seed + 100)
    b = tuple(b[i] if i in wrt_index(info) else a[i] for i in range(len(a)))
    mid = tuple((np.asarray(x) + np.asarray(y)) / 2 if i in wrt_index(info) else x
                for i, (x, y) in enumerate(zip(a, b)))
    fa, fb, fm = (fn(*x, **kwargs) for x in (a, b, mid))
    assert fm <= (fa + fb) / 2 + 1e-12 * (abs(fa) + abs(fb)), f"{name}: {fm} > ({fa} + {fb}) / 2"


LIMITS = [(name, h.name, limit) for name in NAMES for h in losses.info(name).hyper.values()
          for limit in h.reduces_to if limit.equals is not None]


@pytest.mark.parametrize("name, hyper, limit", LIMITS, ids=[f"{n}-{h}" for n, h, _ in LIMITS])
def test_declared_limits_hold(name, hyper, limit):
    fn, info, args, kwargs = case(name)
    other = losses.get(limit.equals)
    at = math.copysign(1e6, limit.at) if math.isinf(limit.at) else limit.at
    for reduction in reductions(info):
        kw = with_reduction(kwargs, reduction)
        np.testing.assert_allclose(fn(*args, **kw, **{hyper: at}), limit.factor * other(*args, **kw),
                                   rtol=1e-12, err_msg=limit.note)
        for g, h in zip(grads(fn, args, {**kw, hyper: at}), grads(other, args, kw)):
            np.testing.assert_allclose(g, limit.factor * h, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- proper scoring rules
def _expected_loss(name, eta, q):
    """The expected loss when the true probability of class 1 is ``eta`` and the
    prediction puts probability ``q`` (an array) on it, built from the declared domains."""
    fn, info = losses.get(name), losses.info(name)
    z = np.log(q) - np.log1p(-q)
    if info.target == "class_probabilities":  # the expectation is linear in the target
        p = np.stack([np.full_like(q, 1 - eta), np.full_like(q, eta)], axis=1)
        pred = np.stack([1 - q, q], axis=1)
        return fn(p, pred, reduction="none").sum(axis=1)
    if info.target in ("class_index", "multi_hot"):  # two classes with logits (0, z)
        logits = np.stack([np.zeros_like(z), z], axis=1)
        if info.target == "class_index":
            y1, y0 = np.ones(q.size, np.int64), np.zeros(q.size, np.int64)
        else:  # one-hot rows
            y1, y0 = np.tile([0.0, 1.0], (q.size, 1)), np.tile([1.0, 0.0], (q.size, 1))
        pred = logits - np.logaddexp(0, z)[:, None] if info.prediction == "log_probability" else logits
    else:
        y1 = np.ones_like(q)
        y0 = -y1 if info.target == "pm1" else np.zeros_like(q)
        pred = {"probability": q, "logit": z}[info.prediction]
    return eta * fn(y1, pred, reduction="none") + (1 - eta) * fn(y0, pred, reduction="none")


CLASSIFIERS = [n for n in NAMES if losses.info(n).proper is not None
               and losses.info(n).kind in ("classification", "divergence")]


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_proper_means_the_true_probability_minimizes_the_expected_loss(name):
    q = np.linspace(0.0005, 0.9995, 1999)
    errors = []
    for eta in (0.2, 0.7, 0.9):
        q_star = q[np.argmin(_expected_loss(name, eta, q))]
        errors.append(abs(q_star - eta))
    if losses.info(name).proper:
        assert max(errors) < 1e-3, f"{name} is declared proper, its minimizers are off by {errors}"
    else:
        assert max(errors) > 1e-2, f"{name} is declared not proper, its minimizers are {errors} off"


def test_probabilistic_losses_are_minimized_in_expectation_by_the_true_parameters():
    # Poisson: the loss is linear in y, so its expectation is the loss at y = E[y] = lam.
    lam = 3.0
    x = np.linspace(0.0, 2.5, 2501)
    assert losses.info("poisson_nll").proper
    assert abs(x[np.argmin(losses.poisson_nll(np.full_like(x, lam), x, reduction="none"))] - np.log(lam)) < 1e-3
    # Gaussian: y = m -+ s with probability 1/2 each has mean m and variance s^2.
    m, s = 0.5, 1.5
    mu, var = np.meshgrid(np.linspace(-0.5, 1.5, 201), np.linspace(1.0, 3.5, 251))
    loss = sum(losses.gaussian_nll(np.full_like(mu, y), mu, var, reduction="none") for y in (m - s, m + s))
    i = np.unravel_index(np.argmin(loss), loss.shape)
    assert losses.info("gaussian_nll").proper
    assert abs(mu[i] - m) < 1e-9 and abs(var[i] - s * s) < 1e-9


# --------------------------------------------------------------------------- documentation
SECTIONS = (".. math::", "Args:", "Shape:", "Example:", ">>>", "References")


@pytest.mark.parametrize("name", NAMES)
def test_docstring_follows_the_house_style(name):
    doc = losses.get(name).__doc__ or ""
    summary = doc.strip().splitlines()[0] if doc.strip() else ""
    assert summary.endswith(".") and len(summary) < 120, f"{name}: a one-line summary first"
    for part in SECTIONS:
        assert part in doc, f"{name}'s docstring lacks {part!r}"
    neighbours = set(re.findall(r":func:`~?(?:lossbook\.losses\.)?(\w+)`", doc)) - {name}
    assert neighbours & set(NAMES), f"{name}'s docstring relates it to no other loss (a :func: link)"


def test_importing_the_losses_imports_no_framework():
    code = ("import sys, lossbook, lossbook.losses, lossbook.checks, lossbook.plotting, lossbook.data; "
            "bad = [m for m in ('torch', 'tensorflow', 'keras', 'jax', 'matplotlib') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
