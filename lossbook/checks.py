r"""Input checks for losses, optimizers and surfaces: one family, one error style.

Every check takes the name of the calling function, the name of the argument and the
value, in that order, ``check(fn, arg, value, ...)``, and raises ``ValueError`` with
one message shape::

    <fn>: <arg> must be <what was expected>, got <what came in>[ (a hint)]

e.g. ``hinge: margin must be a real number, got '1'`` or ``hinge: y_true must hold -1
or +1, got 0 (for 0/1 labels pass 2*y - 1)``.  A ``TypeError`` from deep inside NumPy
names neither the function nor the argument; these messages name both and say what
to do.

Array checks return the converted array (floating inputs keep their dtype, so float32
in gives float32 out; integers and booleans become float64).  Scalar checks return a
Python ``float``/``int``/``bool``: NumPy 2 treats Python scalars as "weak", so
``float32_array * delta`` stays float32, where an ``np.float64`` scalar would upcast it.

The checks are strict on purpose: a loss that silently broadcasts ``(N, 1)`` against
``(N,)`` returns a number that looks right and is wrong (an ``(N, N)`` matrix of
residuals gets averaged); :func:`same_shape` raises instead, naming both shapes.

Importing this module imports NumPy only.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = [
    "show",
    "reduction",
    "float_array",
    "same_shape",
    "class_labels",
    "probabilities",
    "pm1_labels",
    "binary_labels",
    "nonnegative_values",
    "weights",
    "real",
    "positive",
    "at_least",
    "in_range",
    "integer",
    "flag",
]


def show(value) -> str:
    """How a message prints a value: its ``repr``, NumPy scalars as plain numbers.

    Example:
        >>> show(np.float32(0.5)), show("1"), show(None)
        ('0.5', "'1'", 'None')
    """
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


# --------------------------------------------------------------------------- reductions
def reduction(fn: str, value, allowed=("mean", "sum", "none")) -> str:
    """Raise unless ``value`` is one of the ``allowed`` reduction names; return it.

    Example:
        >>> reduction("mse", "avg")
        Traceback (most recent call last):
        ValueError: mse: reduction must be one of 'mean', 'sum', 'none', got 'avg'
    """
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(
            f"{fn}: reduction must be one of {', '.join(map(repr, allowed))}, got {show(value)}"
        )
    return value


# --------------------------------------------------------------------------- arrays
def float_array(fn: str, arg: str, x, *, allow_empty: bool = False, copy: bool = False) -> np.ndarray:
    """``x`` as a floating array; integers and booleans become float64, float32 stays.

    Raises for non-numeric input, ragged lists and, unless ``allow_empty``, an empty
    array.  ``copy=True`` always returns a new array (never the caller's).

    Example:
        >>> float_array("mse", "y_pred", [1, 2]).dtype
        dtype('float64')
        >>> float_array("mse", "y_pred", ["a"])
        Traceback (most recent call last):
        ValueError: mse: y_pred must hold real numbers, got dtype <U1
    """
    try:
        a = np.array(x) if copy else np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{fn}: {arg} must be array-like numbers, got {type(x).__name__}") from exc
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    elif a.dtype.kind != "f":
        raise ValueError(f"{fn}: {arg} must hold real numbers, got dtype {a.dtype}")
    if a.size == 0 and not allow_empty:
        raise ValueError(f"{fn}: {arg} must not be empty, got shape {a.shape}")
    return a


def same_shape(fn: str, name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise unless ``a`` and ``b`` have exactly the same shape (no broadcasting).

    Example:
        >>> same_shape("mse", "y_true", np.zeros((3, 1)), "y_pred", np.zeros(3))
        Traceback (most recent call last):
        ValueError: mse: y_true and y_pred must have the same shape, got y_true (3, 1) and y_pred (3,) (they hold the same number of values: reshape one, e.g. with .reshape(-1)); lossbook never broadcasts them, because (N, 1) against (N,) would silently compare every pair (an (N, N) result)
    """
    if a.shape != b.shape:
        hint = ""
        if a.ndim != b.ndim and a.size == b.size:
            hint = " (they hold the same number of values: reshape one, e.g. with .reshape(-1))"
        raise ValueError(
            f"{fn}: {name_a} and {name_b} must have the same shape, got {name_a} {a.shape} "
            f"and {name_b} {b.shape}{hint}; lossbook never broadcasts them, because "
            f"(N, 1) against (N,) would silently compare every pair (an (N, N) result)"
        )


def class_labels(fn: str, arg: str, x, n_classes: int | None = None, *, ignore_index=None) -> np.ndarray:
    """``x`` as an integer label array, checking ``0 <= label < n_classes``.

    Floats that hold whole numbers are accepted; labels equal to ``ignore_index`` are
    exempt from the range check.

    Example:
        >>> class_labels("cross_entropy", "y_true", [0, 3], 3)
        Traceback (most recent call last):
        ValueError: cross_entropy: y_true must hold class labels in [0, 2], got 3
    """
    a = np.asarray(x)
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
            raise ValueError(f"{fn}: {arg} must hold integer class labels, got non-integer values")
        a = a.astype(np.int64)
    elif a.dtype.kind not in "iu":
        raise ValueError(f"{fn}: {arg} must hold integer class labels, got dtype {a.dtype}")
    if a.size == 0:
        raise ValueError(f"{fn}: {arg} must not be empty, got shape {a.shape}")
    if n_classes is not None:
        check = a if ignore_index is None else a[a != ignore_index]
        bad = check[(check < 0) | (check >= n_classes)]
        if bad.size:
            raise ValueError(
                f"{fn}: {arg} must hold class labels in [0, {n_classes - 1}]"
                + (f" (or ignore_index={ignore_index})" if ignore_index is not None else "")
                + f", got {bad.flat[0]}"
            )
    return a


def _first_bad(a: np.ndarray, bad: np.ndarray):
    """The first entry of ``a`` where ``bad`` holds, or None."""
    hits = a[bad]
    return hits.flat[0] if hits.size else None


def probabilities(fn: str, arg: str, p: np.ndarray) -> None:
    """Raise if any (non-NaN) entry of ``p`` lies outside [0, 1]; NaN passes (and propagates)."""
    v = _first_bad(p, (p < 0) | (p > 1))
    if v is not None:
        raise ValueError(f"{fn}: {arg} must hold probabilities in [0, 1], got {show(v)}")


def pm1_labels(fn: str, arg: str, y: np.ndarray) -> None:
    """Raise if a (non-NaN) entry of ``y`` is neither -1 nor +1.

    Example:
        >>> pm1_labels("hinge", "y_true", np.array([1.0, 0.0]))
        Traceback (most recent call last):
        ValueError: hinge: y_true must hold -1 or +1, got 0 (for 0/1 labels pass 2*y - 1)
    """
    v = _first_bad(y, (y != 1) & (y != -1) & ~np.isnan(y))
    if v is not None:
        raise ValueError(f"{fn}: {arg} must hold -1 or +1, got {v:g} (for 0/1 labels pass 2*y - 1)")


def binary_labels(fn: str, arg: str, y: np.ndarray, *, meaning: str = "0 or 1") -> None:
    """Raise if a (non-NaN) entry of ``y`` is neither 0 nor 1; ``meaning`` says what they mean."""
    v = _first_bad(y, (y != 0) & (y != 1) & ~np.isnan(y))
    if v is not None:
        raise ValueError(
            f"{fn}: {arg} must hold {meaning}, got {v:g} (for -1/+1 labels pass (y + 1) / 2)"
        )


def nonnegative_values(fn: str, arg: str, a: np.ndarray, *, what: str = "values", hint: str = "") -> None:
    """Raise if an entry of ``a`` is negative (NaN passes); ``what`` names the entries.

    Example:
        >>> nonnegative_values("poisson_nll", "y_true", np.array([1.0, -1.0]), what="counts")
        Traceback (most recent call last):
        ValueError: poisson_nll: y_true must hold counts >= 0, got -1.0
    """
    v = _first_bad(a, a < 0)
    if v is not None:
        raise ValueError(f"{fn}: {arg} must hold {what} >= 0{hint}, got {show(v)}")


def weights(fn: str, arg: str, w, dtype, shape=None) -> np.ndarray:
    """A non-negative weight array cast to ``dtype`` (its shape checked if given)."""
    w = float_array(fn, arg, w)
    if shape is not None and w.shape != tuple(shape):
        raise ValueError(f"{fn}: {arg} must have shape {tuple(shape)}, got shape {w.shape}")
    nonnegative_values(fn, arg, w, what="weights")
    return w.astype(dtype, copy=False)


# --------------------------------------------------------------------------- scalars
def _is_real(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def real(fn: str, arg: str, value, *, finite: bool = False, optional: bool = False) -> float | None:
    """``value`` as a Python float; refuses booleans, strings, arrays and NaN.

    ``finite=True`` also refuses infinities; ``optional=True`` lets ``None`` through.

    Example:
        >>> real("hinge", "margin", "1")
        Traceback (most recent call last):
        ValueError: hinge: margin must be a real number, got '1'
    """
    if optional and value is None:
        return None
    if not _is_real(value) or math.isnan(value):
        none = "None or " if optional else ""
        raise ValueError(f"{fn}: {arg} must be {none}a real number, got {show(value)}")
    if finite and math.isinf(value):
        raise ValueError(f"{fn}: {arg} must be a finite real number, got {show(value)}")
    return float(value)


def _condition(fn, arg, value, ok: bool, condition: str, hint: str, optional: bool):
    if not ok:
        wanted = f"None or a number {condition}" if optional else condition
        raise ValueError(f"{fn}: {arg} must be {wanted}{hint}, got {show(value)}")


def at_least(
    fn: str, arg: str, value, low: float = 0.0, *, hint: str = "", optional: bool = False
) -> float | None:
    """``value`` as a finite Python float ``>= low`` (``None`` passes if ``optional``).

    ``hint`` is added after the condition, e.g. ``" (a norm order)"``.

    Example:
        >>> at_least("SGD", "lr", -0.1)
        Traceback (most recent call last):
        ValueError: SGD: lr must be >= 0, got -0.1
    """
    v = real(fn, arg, value, optional=optional)
    if v is None:
        return None
    _condition(fn, arg, value, v >= low, f">= {low:g}", hint, optional)
    return real(fn, arg, value, finite=True)


def positive(fn: str, arg: str, value, *, hint: str = "", optional: bool = False) -> float | None:
    """``value`` as a finite Python float ``> 0`` (``None`` passes if ``optional``).

    Example:
        >>> positive("huber", "delta", 0)
        Traceback (most recent call last):
        ValueError: huber: delta must be > 0, got 0
    """
    v = real(fn, arg, value, optional=optional)
    if v is None:
        return None
    _condition(fn, arg, value, v > 0, "> 0", hint, optional)
    return real(fn, arg, value, finite=True)


_BRACKETS = {"both": "[]", "left": "[)", "right": "(]", "neither": "()"}


def in_range(
    fn: str, arg: str, value, low: float, high: float, *, closed: str = "both", hint: str = "",
    optional: bool = False,
) -> float | None:
    """``value`` as a Python float in the interval from ``low`` to ``high``.

    ``closed`` says which ends belong to it: ``"both"`` (default), ``"left"``,
    ``"right"`` or ``"neither"``; ``hint`` is added after the interval.

    Example:
        >>> in_range("quantile", "tau", 1.5, 0, 1, closed="neither")
        Traceback (most recent call last):
        ValueError: quantile: tau must be in (0, 1), got 1.5
    """
    v = real(fn, arg, value, optional=optional)
    if v is None:
        return None
    left, right = _BRACKETS[closed]
    ok = (low <= v if left == "[" else low < v) and (v <= high if right == "]" else v < high)
    _condition(fn, arg, value, ok, f"in {left}{low:g}, {high:g}{right}", hint, optional)
    return v


def integer(fn: str, arg: str, value, *, low=None, high=None, what: str = "an integer", hint: str = "") -> int:
    """``value`` as a Python int (booleans refused), in ``[low, high]`` where given.

    Example:
        >>> integer("run", "steps", -1, low=0)
        Traceback (most recent call last):
        ValueError: run: steps must be an integer >= 0, got -1
    """
    if low is not None and high is not None:
        bounds = f" in [{low}, {high}]"
    elif low is not None:
        bounds = f" >= {low}"
    elif high is not None:
        bounds = f" <= {high}"
    else:
        bounds = ""
    ok = isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        raise ValueError(f"{fn}: {arg} must be {what}{bounds}{hint}, got {show(value)}")
    return int(value)


def flag(fn: str, arg: str, value) -> bool:
    """``value`` as a bool; only ``True`` and ``False`` (and NumPy booleans) pass.

    Example:
        >>> flag("triplet", "swap", "yes")
        Traceback (most recent call last):
        ValueError: triplet: swap must be True or False, got 'yes'
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{fn}: {arg} must be True or False, got {show(value)}")
    return bool(value)
