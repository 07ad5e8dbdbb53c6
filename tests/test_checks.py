"""Tests of lossbook.checks: one error style for losses, optimizers and surfaces."""

from __future__ import annotations

import numpy as np
import pytest

from lossbook import checks, landscapes, losses, optim


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: checks.reduction("f", "avg"), r"^f: reduction must be one of 'mean', 'sum', 'none', got 'avg'$"),
        (lambda: checks.reduction("f", None, ("sum",)), r"^f: reduction must be one of 'sum', got None$"),
        (lambda: checks.float_array("f", "x", ["a"]), r"^f: x must hold real numbers, got dtype <U1$"),
        (lambda: checks.float_array("f", "x", [[1.0], [1.0, 2.0]]), r"^f: x must be array-like numbers, got list$"),
        (lambda: checks.float_array("f", "x", []), r"^f: x must not be empty, got shape \(0,\)$"),
        (lambda: checks.same_shape("f", "a", np.zeros((2, 1)), "b", np.zeros(2)),
         r"^f: a and b must have the same shape, got a \(2, 1\) and b \(2,\) \(they hold the same number of values"),
        (lambda: checks.class_labels("f", "y", [0.5]), r"^f: y must hold integer class labels, got non-integer values$"),
        (lambda: checks.class_labels("f", "y", [0, 5], 3, ignore_index=-1),
         r"^f: y must hold class labels in \[0, 2\] \(or ignore_index=-1\), got 5$"),
        (lambda: checks.probabilities("f", "p", np.array([0.5, 1.5])), r"^f: p must hold probabilities in \[0, 1\], got 1.5$"),
        (lambda: checks.pm1_labels("f", "y", np.array([1.0, 0.0])), r"^f: y must hold -1 or \+1, got 0 \(for 0/1 labels pass 2\*y - 1\)$"),
        (lambda: checks.binary_labels("f", "y", np.array([-1.0])), r"^f: y must hold 0 or 1, got -1 \(for -1/\+1 labels pass \(y \+ 1\) / 2\)$"),
        (lambda: checks.nonnegative_values("f", "d", np.array([-0.5]), what="distances"), r"^f: d must hold distances >= 0, got -0.5$"),
        (lambda: checks.weights("f", "w", [1.0, -1.0], np.float64), r"^f: w must hold weights >= 0, got -1.0$"),
        (lambda: checks.weights("f", "w", [1.0], np.float64, (2,)), r"^f: w must have shape \(2,\), got shape \(1,\)$"),
        (lambda: checks.real("f", "m", "1"), r"^f: m must be a real number, got '1'$"),
        (lambda: checks.real("f", "m", True), r"^f: m must be a real number, got True$"),
        (lambda: checks.real("f", "m", np.array([1.0])), r"^f: m must be a real number, got array"),
        (lambda: checks.real("f", "m", float("nan")), r"^f: m must be a real number, got nan$"),
        (lambda: checks.real("f", "m", float("inf"), finite=True), r"^f: m must be a finite real number, got inf$"),
        (lambda: checks.real("f", "m", "x", optional=True), r"^f: m must be None or a real number, got 'x'$"),
        (lambda: checks.positive("f", "t", 0), r"^f: t must be > 0, got 0$"),
        (lambda: checks.positive("f", "t", float("inf")), r"^f: t must be a finite real number, got inf$"),
        (lambda: checks.at_least("f", "p", 0.5, 1, hint=" (a norm order)"), r"^f: p must be >= 1 \(a norm order\), got 0.5$"),
        (lambda: checks.at_least("f", "e", np.float32(-0.5)), r"^f: e must be >= 0, got -0.5$"),
        (lambda: checks.in_range("f", "b", 1.0, 0, 1, closed="left"), r"^f: b must be in \[0, 1\), got 1.0$"),
        (lambda: checks.in_range("f", "e", 0.7, 0, 0.5, closed="neither", optional=True),
         r"^f: e must be None or a number in \(0, 0.5\), got 0.7$"),
        (lambda: checks.integer("f", "n", 2.0), r"^f: n must be an integer, got 2.0$"),
        (lambda: checks.integer("f", "n", True, low=0), r"^f: n must be an integer >= 0, got True$"),
        (lambda: checks.integer("f", "k", 4, low=0, high=3, what="an integer class index"),
         r"^f: k must be an integer class index in \[0, 3\], got 4$"),
        (lambda: checks.flag("f", "s", 1), r"^f: s must be True or False, got 1$"),
    ],
)
def test_every_check_names_the_function_the_argument_what_was_expected_and_what_came_in(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_checks_return_plain_python_scalars_and_keep_float32():
    assert type(checks.real("f", "x", np.float32(0.5))) is float
    assert type(checks.integer("f", "n", np.int64(3))) is int
    assert checks.flag("f", "s", np.bool_(True)) is True
    assert checks.in_range("f", "x", None, 0, 1, optional=True) is None
    assert checks.float_array("f", "x", np.zeros(2, np.float32)).dtype == np.float32
    assert checks.float_array("f", "x", [True, False]).dtype == np.float64
    assert checks.float_array("f", "x", [], allow_empty=True).shape == (0,)
    a = np.zeros(2)
    assert checks.float_array("f", "x", a) is a and checks.float_array("f", "x", a, copy=True) is not a
    assert checks.in_range("f", "x", 0.0, 0, 1) == 0.0
    assert checks.show(np.float64(2.5)) == "2.5"


def test_losses_optimizers_and_surfaces_speak_one_language():
    """The same mistake gets the same sentence, wherever it is made."""
    with pytest.raises(ValueError, match=r"^hinge: margin must be a real number, got '1'$"):
        losses.hinge([1.0, -1.0], [0.5, 0.5], margin="1")
    with pytest.raises(ValueError, match=r"^SGD: momentum must be a real number, got '1'$"):
        optim.SGD(momentum="1")
    with pytest.raises(ValueError, match=r"^quadratic: b must be a real number, got '1'$"):
        landscapes.quadratic(b="1")
    with pytest.raises(ValueError, match=r"^huber: delta must be > 0, got 0$"):
        losses.huber([1.0], [2.0], delta=0)
    with pytest.raises(ValueError, match=r"^rosenbrock: b must be > 0, got 0$"):
        landscapes.rosenbrock(b=0)
    with pytest.raises(ValueError, match=r"^SGD: lr must be >= 0, got -1$"):
        optim.SGD(lr=-1)
