"""Properties every registered loss must have, checked over the whole registry.

Each loss gets a small, smooth test case below (inputs away from kinks, so finite
differences are valid); the tests then check, for every loss at once: the gradient
against 4th-order central differences, the reductions against each other, dtype
preservation, NaN propagation, and the documentation the house style asks for.
Framework comparisons live in the per-topic test files.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lossbook import losses
from tests._tools import ATOL_FD, RTOL_FD, central_difference

rng = np.random.default_rng(1234)


def _away_from(x, points, gap=0.05):
    """Nudge entries of x that sit within ``gap`` of a kink at one of ``points``."""
    x = np.array(x, dtype=float)
    for p in points:
        close = np.abs(x - p) < gap
        x[close] = p + gap * 2 * np.sign(x[close] - p + 1e-12)
    return x


def _log_softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


N, C, D = 6, 4, 3
y_reg = rng.standard_normal(N)
r = _away_from(rng.standard_normal(N), [0.0, 1.0, -1.0, 0.7, -0.7])
labels = rng.integers(0, C, size=N)
pm1 = np.where(rng.random(N) < 0.5, -1.0, 1.0)
p_target = rng.dirichlet(np.ones(C), size=N)
q_pred = rng.dirichlet(np.full(C, 8.0), size=N)  # away from 0: FD of log q needs h << q
scores = _away_from(rng.standard_normal(N) * 2, [1.0, -1.0]) * pm1
mc_scores = rng.standard_normal((N, C))
ctc_T, ctc_C = 7, 4
ctc_logp = _log_softmax(rng.standard_normal((ctc_T, ctc_C)))

# name -> (positional args, kwargs, indices of the differentiable args)
CASES = {
    "mse": ((y_reg, y_reg + r), {}, [1]),
    "mae": ((y_reg, y_reg + r), {}, [1]),
    "rmse": ((y_reg, y_reg + r), {}, [1]),
    "huber": ((y_reg, y_reg + r), {"delta": 0.7}, [1]),
    "smooth_l1": ((y_reg, y_reg + r), {"beta": 0.7}, [1]),
    "log_cosh": ((y_reg, y_reg + r), {}, [1]),
    "quantile": ((y_reg, y_reg + r), {"tau": 0.3}, [1]),
    "poisson_nll": ((rng.poisson(2.0, N).astype(float), rng.standard_normal(N)), {}, [1]),
    "gaussian_nll": ((y_reg, y_reg + r, rng.uniform(0.5, 2.0, N)), {}, [1, 2]),
    "binary_cross_entropy": ((rng.random(N), rng.uniform(0.1, 0.9, N)), {}, [1]),
    "binary_cross_entropy_with_logits": ((rng.random(N), rng.standard_normal(N) * 3), {}, [1]),
    "cross_entropy": ((labels, rng.standard_normal((N, C))), {"label_smoothing": 0.1}, [1]),
    "focal": (((rng.random(N) < 0.5).astype(float), rng.standard_normal(N) * 2), {"gamma": 2.0, "alpha": 0.25}, [1]),
    "hinge": ((pm1, scores), {}, [1]),
    "squared_hinge": ((pm1, scores), {}, [1]),
    "multiclass_hinge": ((labels, mc_scores), {}, [1]),
    "kl_divergence": ((p_target, q_pred), {}, [1]),
    "contrastive": (((rng.random(N) < 0.5).astype(float), rng.uniform(0.1, 0.8, N)), {"margin": 1.0}, [1]),
    "triplet": ((rng.standard_normal((N, D)), rng.standard_normal((N, D)), rng.standard_normal((N, D))), {"margin": 5.0}, [0, 1, 2]),
    "info_nce": ((rng.standard_normal((N, D)), rng.standard_normal((N, D))), {"temperature": 0.5}, [0, 1]),
    "cosine_embedding": ((np.ones(N), rng.standard_normal((N, D)), rng.standard_normal((N, D))), {}, [1, 2]),
    "margin_ranking": ((pm1, rng.standard_normal(N), rng.standard_normal(N) + 5 * pm1), {"margin": 10.0}, [1, 2]),
    "ctc": ((np.array([1, 2, 2]), ctc_logp), {}, [1]),
    "l1_penalty": ((_away_from(rng.standard_normal(N), [0.0]),), {}, [0]),
    "l2_penalty": ((rng.standard_normal(N),), {}, [0]),
    "elastic_net": ((_away_from(rng.standard_normal(N), [0.0]),), {"alpha": 0.3, "l1_ratio": 0.4}, [0]),
}

EXPECTED = set(CASES)


def test_registry_holds_every_loss_of_the_spec():
    assert set(losses.available()) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_get_returns_the_function_and_it_has_a_grad(name):
    fn = losses.get(name)
    assert fn is getattr(losses, name)
    assert callable(fn.grad), f"{name} has no gradient"
    assert fn.kind in losses.KINDS


def test_available_by_kind_partitions_the_registry():
    seen = []
    for kind in losses.KINDS:
        seen += losses.available(kind)
    assert sorted(seen) == losses.available()


def test_unknown_names_and_kinds_are_clear_errors():
    with pytest.raises(ValueError, match=r"get: unknown loss 'hubber'; available losses are .*huber"):
        losses.get("hubber")
    with pytest.raises(ValueError, match=r"available: kind must be one of .* got 'regresion'"):
        losses.available("regresion")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_docstring_follows_the_house_style(name):
    doc = losses.get(name).__doc__ or ""
    for part in (".. math::", "Shape:", ">>>", "References"):
        assert part in doc, f"{name}'s docstring lacks {part!r}"


def _call_mean(name, args, kwargs, which, value):
    a = list(args)
    a[which] = value
    return losses.get(name)(*a, **kwargs)


def _grads(name, args, kwargs, reduction=None):
    kw = dict(kwargs)
    if reduction:
        kw["reduction"] = reduction
    g = losses.get(name).grad(*args, **kw)
    return g if isinstance(g, tuple) else (g,)


def _reductions(name):
    if name == "rmse":
        return ["mean"]
    if name == "kl_divergence":
        return ["batchmean", "sum", "mean"]
    return ["mean", "sum"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_gradient_matches_central_differences(name):
    args, kwargs, diff = CASES[name]
    for reduction in _reductions(name):
        kw = {**kwargs, "reduction": reduction}
        grads = _grads(name, args, kw)
        assert len(grads) == len(diff), f"{name}: expected {len(diff)} gradients"
        for g, i in zip(grads, diff):
            fd = central_difference(lambda v: _call_mean(name, args, kw, i, v), args[i])
            np.testing.assert_allclose(g, fd, rtol=RTOL_FD * 100, atol=ATOL_FD * 100,
                                       err_msg=f"{name} d/d(arg {i}), reduction={reduction}")


ELEMENTWISE_MEAN = {"mse", "mae", "huber", "smooth_l1", "log_cosh", "quantile", "poisson_nll",
                    "gaussian_nll", "binary_cross_entropy", "binary_cross_entropy_with_logits",
                    "focal", "hinge", "squared_hinge", "multiclass_hinge", "contrastive", "triplet",
                    "info_nce", "cosine_embedding", "margin_ranking", "l1_penalty", "l2_penalty",
                    "elastic_net"}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE_MEAN))
def test_sum_and_mean_reduce_the_unreduced_losses(name):
    args, kwargs, _ = CASES[name]
    fn = losses.get(name)
    per = np.asarray(fn(*args, **kwargs, reduction="none"))
    np.testing.assert_allclose(fn(*args, **kwargs, reduction="sum"), per.sum(), rtol=1e-12)
    np.testing.assert_allclose(fn(*args, **kwargs, reduction="mean"), per.mean(), rtol=1e-12)


def _astype(args, diff, dtype):
    return tuple(np.asarray(a, dtype=dtype) if i in diff else a for i, a in enumerate(args))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_float32_in_float32_out(name):
    args, kwargs, diff = CASES[name]
    args32 = tuple(np.asarray(a, dtype=np.float32) if np.asarray(a).dtype.kind == "f" else a for a in args)
    fn = losses.get(name)
    value = fn(*args32, **kwargs)
    assert np.asarray(value).dtype == np.float32, f"{name} value is {np.asarray(value).dtype}"
    for g in _grads(name, args32, kwargs):
        assert np.asarray(g).dtype == np.float32, f"{name} grad is {np.asarray(g).dtype}"
    ref = fn(*args, **kwargs)
    np.testing.assert_allclose(value, ref, rtol=1e-4)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_nan_in_gives_nan_out(name):
    args, kwargs, diff = CASES[name]
    bad = list(args)
    i = diff[0]
    x = np.array(bad[i], dtype=float)
    x.flat[0] = np.nan
    bad[i] = x
    value = losses.get(name)(*bad, **kwargs)
    assert np.isnan(value), f"{name} turned a NaN input into {value}"


def test_importing_the_losses_imports_no_framework():
    code = ("import sys, lossbook.losses, lossbook.plotting, lossbook.data; "
            "bad = [m for m in ('torch', 'tensorflow', 'keras', 'matplotlib') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
