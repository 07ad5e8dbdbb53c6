"""Tests of lossbook.losses.segmentation against Keras (float64), closed forms and finite
differences.  Every reference value comes from one of those, never from the code under test."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from lossbook.losses.segmentation import dice, tversky
from tests._tools import (
    ATOL_F64,
    ATOL_FD,
    RTOL_F32,
    RTOL_F64,
    RTOL_FD,
    central_difference,
)

REDUCTIONS = ("mean", "sum", "none")
# (alpha, beta): Keras's default (Dice up to epsilon), recall-leaning, precision-leaning, IoU
TVERSKY = [(0.5, 0.5), (0.7, 0.3), (0.2, 0.8), (1.0, 1.0)]


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras")


def _masks(shape=(4, 3, 5, 2), seed=0):
    """Soft targets (some hard 0/1) and predictions in [0, 1]; one sample with an empty target."""
    rng = np.random.default_rng(seed)
    y = rng.uniform(0, 1, size=shape)
    y[0] = (y[0] > 0.5).astype(float)  # a hard mask
    y[1] = 0.0  # an empty target: all of its prediction is false positives
    p = rng.uniform(0.02, 0.98, size=shape)
    return y, p


def _keras_value_and_grad(keras, cls, kwargs, y, p, reduction):
    """Keras's loss with axis = every axis but the first, in float64, and its gradient."""
    import tensorflow as tf

    loss = getattr(keras.losses, cls)(**kwargs, axis=tuple(range(1, p.ndim)), reduction=reduction, dtype="float64")
    pv = tf.Variable(p)
    with tf.GradientTape() as tape:
        value = loss(keras.ops.convert_to_tensor(y, dtype="float64"), pv)
        total = tf.reduce_sum(value)  # "none": the gradient of the sum
    return value.numpy(), tape.gradient(total, pv).numpy()


KERAS_REDUCTION = {"mean": "sum_over_batch_size", "sum": "sum", "none": None}


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_dice_matches_keras(keras, reduction):
    y, p = _masks()
    want, want_grad = _keras_value_and_grad(keras, "Dice", {}, y, p, KERAS_REDUCTION[reduction])
    np.testing.assert_allclose(dice(y, p, reduction=reduction), want, rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(dice.grad(y, p, reduction=reduction), want_grad, rtol=RTOL_F64, atol=ATOL_F64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("alpha, beta", TVERSKY)
def test_tversky_matches_keras(keras, alpha, beta, reduction):
    y, p = _masks(seed=1)
    kw = dict(alpha=alpha, beta=beta)
    want, want_grad = _keras_value_and_grad(keras, "Tversky", kw, y, p, KERAS_REDUCTION[reduction])
    np.testing.assert_allclose(tversky(y, p, **kw, reduction=reduction), want, rtol=RTOL_F64, atol=ATOL_F64)
    np.testing.assert_allclose(tversky.grad(y, p, **kw, reduction=reduction), want_grad, rtol=RTOL_F64, atol=ATOL_F64)


def test_dice_matches_keras_docstring_example():
    """Keras's own example (float32 there): [0.5, 0.75757575] per sample, 0.6164384 pooled."""
    y = np.array([[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]])
    p = np.array([[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]])
    np.testing.assert_allclose(dice(y, p, reduction="none"), [0.5, 0.75757575], rtol=RTOL_F32)
    # Keras's default axis=None pools the batch: lossbook's one sample of everything
    np.testing.assert_allclose(dice(y.reshape(1, -1), p.reshape(1, -1)), 0.6164384, rtol=RTOL_F32)


def test_tversky_puts_alpha_on_the_missed_target_as_keras_does(keras):
    """Keras's code weighs sum y (1 - p) by alpha, although its docstring names alpha for
    false positives; lossbook follows the code."""
    y = np.array([[1.0, 1.0, 1.0, 0.0]])
    p = np.array([[1.0, 0.0, 0.0, 0.0]])  # TP = 1, two target pixels missed, FP = 0
    for alpha, beta in [(0.7, 0.3), (0.3, 0.7)]:
        closed = 1 - 1 / (1 + alpha * 2 + 1e-7)
        np.testing.assert_allclose(tversky(y, p, alpha=alpha, beta=beta), closed, rtol=RTOL_F64)
        want, _ = _keras_value_and_grad(keras, "Tversky", dict(alpha=alpha, beta=beta), y, p, None)
        np.testing.assert_allclose(want, [closed], rtol=RTOL_F64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_tversky_at_one_half_is_dice_with_twice_the_epsilon(reduction):
    """The limit in two hyperparameters that the registry cannot test: alpha = beta = 1/2."""
    y, p = _masks(seed=2)
    axes = (1, 2, 3)
    tp, sy, sp = np.sum(y * p, axis=axes), np.sum(y, axis=axes), np.sum(p, axis=axes)
    closed = 1 - 2 * tp / (sy + sp + 2e-7)  # dice's formula with 2 eps
    per = tversky(y, p, reduction="none")
    np.testing.assert_allclose(per, closed, rtol=RTOL_F64)
    # and dice itself differs by O(eps / (sum y + sum p)), below 1e-8 here
    np.testing.assert_allclose(per, dice(y, p, reduction="none"), rtol=0, atol=1e-8)
    np.testing.assert_allclose(tversky.grad(y, p, reduction=reduction), dice.grad(y, p, reduction=reduction), rtol=1e-6, atol=1e-12)


def test_tversky_at_one_one_is_one_minus_soft_iou():
    y, p = _masks(seed=3)
    axes = (1, 2, 3)
    inter = np.sum(y * p, axis=axes)
    union = np.sum(y, axis=axes) + np.sum(p, axis=axes) - inter
    np.testing.assert_allclose(tversky(y, p, alpha=1.0, beta=1.0, reduction="none"), 1 - inter / (union + 1e-7), rtol=RTOL_F64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, kw", [("dice", {}), ("tversky", dict(alpha=0.7, beta=0.3)), ("tversky", dict(alpha=0.0, beta=1.0))])
def test_grad_matches_central_difference(name, kw, reduction):
    f = {"dice": dice, "tversky": tversky}[name]
    y, p = _masks(shape=(3, 2, 4), seed=4)
    red = "sum" if reduction == "none" else reduction  # with "none", the gradient of the sum
    fd = central_difference(lambda q: f(y, q, **kw, reduction=red), p)
    np.testing.assert_allclose(f.grad(y, p, **kw, reduction=reduction), fd, rtol=RTOL_FD, atol=ATOL_FD)


def test_empty_masks_and_perfect_predictions():
    # both empty: 0/0 without Keras's epsilon; with it the loss is 1 and the slope finite
    zero = np.zeros((2, 3, 3))
    np.testing.assert_array_equal(dice(zero, zero, reduction="none"), [1.0, 1.0])
    np.testing.assert_array_equal(tversky(zero, zero, reduction="none"), [1.0, 1.0])
    assert np.all(np.isfinite(dice.grad(zero, zero))) and np.all(np.isfinite(tversky.grad(zero, zero)))
    # a perfect hard prediction costs only eps / (2 sum y + eps), never a negative number
    y = np.zeros((1, 4, 4))
    y[0, :2] = 1.0
    np.testing.assert_allclose(dice(y, y), 1e-7 / (16 + 1e-7), rtol=RTOL_F64)


@pytest.mark.parametrize("f", [dice, tversky])
def test_near_perfect_float32_keeps_its_digits(f):
    """1 - 2 TP / S would cancel; the sum of false counts over S does not."""
    y = np.zeros((2, 64, 64), np.float32)
    y[:, :32] = 1.0
    p = np.where(y == 1, np.float32(1 - 1e-4), np.float32(1e-4)).astype(np.float32)
    got = f(y, p, reduction="none")
    assert got.dtype == np.float32 and f.grad(y, p).dtype == np.float32
    exact = f(y.astype(np.float64), p.astype(np.float64), reduction="none")
    np.testing.assert_allclose(got, exact, rtol=RTOL_F32)
    sy, sp, tp = y.sum(axis=(1, 2)), p.sum(axis=(1, 2)), (y * p).sum(axis=(1, 2))
    naive = np.float32(1) - np.float32(2) * tp / (sy + sp + np.float32(1e-7))  # Keras in float32
    assert np.max(np.abs(naive / exact - 1)) > 1e-4  # about 3 of float32's 7 digits lost


def test_integer_and_boolean_targets_keep_float32():
    y = np.array([[[1, 0], [1, 1]]])
    p = np.full((1, 2, 2), 0.5, np.float32)
    for target in (y, y.astype(bool)):
        assert dice(target, p).dtype == np.float32 and tversky.grad(target, p).dtype == np.float32


MALFORMED = [
    (lambda: dice([0.0, 1.0], [0.5, 0.5]), "dice: y_pred must have shape (N, *) with at least one axis after the sample axis N, got shape (2,) (for a single mask pass y_true[None] and y_pred[None])"),
    (lambda: dice(np.zeros((2, 3)), np.zeros((2, 4))), "dice: y_true and y_pred must have the same shape, got y_true (2, 3) and y_pred (2, 4)"),
    (lambda: dice.grad([[0.0, 1.0]], [[0.5, 1.5]]), "dice: y_pred must hold probabilities in [0, 1], got 1.5"),
    (lambda: tversky([[0.0, 2.0]], [[0.5, 0.5]]), "tversky: y_true must hold probabilities in [0, 1], got 2.0"),
    (lambda: tversky([[0.0, 1.0]], [[0.5, 0.5]], alpha=-0.1), "tversky: alpha must be >= 0, got -0.1"),
    (lambda: tversky.grad([[0.0, 1.0]], [[0.5, 0.5]], beta=np.inf), "tversky: beta must be a finite real number, got inf"),
    (lambda: tversky(np.zeros((0, 2)), np.zeros((0, 2))), "tversky: y_true must not be empty, got shape (0, 2)"),
    (lambda: dice([[0.0, 1.0]], [[0.5, 0.5]], reduction="batchmean"), "dice: reduction must be one of 'mean', 'sum', 'none', got 'batchmean'"),
]


@pytest.mark.parametrize("call, message", MALFORMED, ids=[m[:40] for _, m in MALFORMED])
def test_malformed_calls_raise(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        call()
