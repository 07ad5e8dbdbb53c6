"""Tests of lossbook.losses.ranking against PyTorch (float64), the closed form and finite
differences.  Every reference value comes from one of those, never from the code under test."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lossbook.losses import binary_cross_entropy_with_logits
from lossbook.losses.ranking import bpr
from tests._tools import (
    ATOL_F64,
    ATOL_FD,
    RTOL_F64,
    RTOL_FD,
    central_difference,
    elementwise_central_difference,
)

REDUCTIONS = ("mean", "sum", "none")


def _scores(shape=(5, 3), seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=2.0, size=shape), rng.normal(scale=2.0, size=shape)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bpr_matches_torch_logsigmoid(reduction):
    torch = pytest.importorskip("torch")
    pos, neg = _scores()
    tp = torch.tensor(pos, requires_grad=True)
    tn = torch.tensor(neg, requires_grad=True)
    per = -torch.nn.functional.logsigmoid(tp - tn)
    want = per.mean() if reduction == "mean" else per.sum() if reduction == "sum" else per
    np.testing.assert_allclose(bpr(pos, neg, reduction=reduction), want.detach().numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    want.sum().backward()
    d_pos, d_neg = bpr.grad(pos, neg, reduction=reduction)
    np.testing.assert_allclose(d_pos, tp.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(d_neg, tn.grad.numpy(), rtol=RTOL_F64, atol=ATOL_F64)


def test_bpr_is_the_closed_form_and_logistic_loss_of_the_difference():
    pos, neg = _scores(seed=1)
    closed = np.log1p(np.exp(-(pos - neg)))  # Rendle et al. (2009): -ln sigma(x_uij), moderate x
    np.testing.assert_allclose(bpr(pos, neg, reduction="none"), closed, rtol=RTOL_F64)
    np.testing.assert_allclose(bpr(pos, neg), binary_cross_entropy_with_logits(np.ones_like(pos), pos - neg), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bpr_grad_matches_central_difference(reduction):
    pos, neg = _scores(seed=2)
    d_pos, d_neg = bpr.grad(pos, neg, reduction=reduction)
    if reduction == "none":
        fd_pos = elementwise_central_difference(lambda x: bpr(x, neg, reduction="none"), pos)
        fd_neg = elementwise_central_difference(lambda x: bpr(pos, x, reduction="none"), neg)
    else:
        fd_pos = central_difference(lambda x: bpr(x, neg, reduction=reduction), pos)
        fd_neg = central_difference(lambda x: bpr(pos, x, reduction=reduction), neg)
    np.testing.assert_allclose(d_pos, fd_pos, rtol=RTOL_FD, atol=ATOL_FD)
    np.testing.assert_allclose(d_neg, fd_neg, rtol=RTOL_FD, atol=ATOL_FD)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bpr_is_exact_at_differences_of_a_thousand(dtype):
    pos = np.array([1000.0, -1000.0, 500.0, 0.0, 30.0, -30.0], dtype)
    neg = np.array([0.0, 0.0, -500.0, 0.0, 0.0, 0.0], dtype)
    got = bpr(pos, neg, reduction="none")
    d_pos, d_neg = bpr.grad(pos, neg, reduction="none")
    assert got.dtype == dtype and d_pos.dtype == dtype and d_neg.dtype == dtype
    # softplus(-x): 0 (5e-435 underflows), 1000 exactly, ..., log 2, e^-30, 30 + e^-30
    expected = [0.0, 1000.0, 0.0, math.log(2.0), math.log1p(math.exp(-30.0)), 30.0 + math.log1p(math.exp(-30.0))]
    np.testing.assert_allclose(got, np.array(expected, dtype), rtol=np.finfo(dtype).eps * 4, atol=0)
    # -sigmoid(-x): -e^-1000 = -0.0, -1 exactly, ..., -1/2, -e^-30 kept (no 1 - 1 cancellation)
    sig = [0.0, 1.0, 0.0, 0.5, math.exp(-30.0) / (1 + math.exp(-30.0)), 1 / (1 + math.exp(-30.0))]
    np.testing.assert_allclose(d_neg, np.array(sig, dtype), rtol=np.finfo(dtype).eps * 4, atol=0)
    np.testing.assert_array_equal(d_pos, -d_neg)
    # infinite scores: the limits 0 and inf; inf - inf has none: NaN
    inf = np.array([np.inf, -np.inf, np.inf], dtype)
    np.testing.assert_array_equal(bpr(inf, np.array([0.0, 0.0, np.inf], dtype), reduction="none"), [0.0, np.inf, np.nan])


MALFORMED = [
    (lambda: bpr([1.0, 2.0], [[1.0, 2.0]]), "bpr: pos_scores and neg_scores must have the same shape, got pos_scores (2,) and neg_scores (1, 2) (they hold the same number of values: reshape one"),
    (lambda: bpr.grad([], []), "bpr: pos_scores must not be empty, got shape (0,)"),
    (lambda: bpr(["a"], [1.0]), "bpr: pos_scores must hold real numbers, got dtype <U1"),
    (lambda: bpr([1.0], [1.0], reduction=None), "bpr: reduction must be one of 'mean', 'sum', 'none', got None"),
]


@pytest.mark.parametrize("call, message", MALFORMED, ids=[m[:40] for _, m in MALFORMED])
def test_malformed_calls_raise(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        call()
