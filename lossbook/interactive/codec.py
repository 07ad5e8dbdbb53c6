"""How the static charts carry their numbers: as short text, unpacked in the browser.

A static chart holds every output of its precomputed grid.  Written as JSON arrays of
numbers, that is large and slow to validate; written as one comma-separated string per
array, with no more digits than the picture can show, it is a third smaller, and
Altair validates one string instead of thousands of numbers.  Vega unpacks a string
with ``split`` and ``toNumber`` (:data:`SPLIT`, :data:`NUMBER`); a heatmap's band
indices are one character each (:data:`DIGITS`).  A path (an array drawn on an axis
of known range) is written as differences of whole multiples of :math:`10^{-d}`
(``delta=d``): a path that settles writes zeros, and the browser sums them back
(a running sum, exact in integers).  This module is the only place
that knows the format: :func:`pack` writes it, :func:`unpack` reads it back (for the
tests), and the expressions below read it in the browser.

Example:
    >>> pack([0.5, -0.0, 1234.5678, 2.5e-05])
    '.5,0,1235,2.5e-5'
    >>> unpack(".5,0,1235,2.5e-5")
    array([5.000e-01, 0.000e+00, 1.235e+03, 2.500e-05])
    >>> pack([1.23456, -0.5], decimals=2), pack(None), pack("lr = 0.1")
    ('1.23,-.5', '', 'lr = 0.1')
    >>> pack([-4.0, -3.6, -3.24, -3.24], delta=2)
    '-400,40,36,0'
    >>> unpack('-400,40,36,0', delta=2)
    array([-4.  , -3.6 , -3.24, -3.24])
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["DIGITS", "SPLIT", "NUMBER", "DIGIT", "RUNNING_SUM", "decimals", "number", "pack", "unpack", "is_array"]

#: One character per heatmap cell: band indices 0 to 35.
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"

#: Vega expressions that unpack a field ``{f}`` of a datum: an array's text into its
#: items, one item into a number (an empty item, a missing value, into null), and a
#: heatmap's text (``"nx;digits"``) into its digits.  Each writes a new field: Vega
#: may run an expression again on the same datum, so none may read what it writes.
SPLIT = "split(datum['{f}'], ',')"
NUMBER = "toNumber(datum['{f}'])"
DIGIT = f"indexof('{DIGITS}', datum['{{f}}'])"
HEATMAP_NX = "toNumber(split(datum['{f}'], ';')[0])"
HEATMAP_CELLS = "split(split(datum['{f}'], ';')[1], '')"

#: A delta-coded array's values from the running sum ``{f}`` of its differences.
RUNNING_SUM = "datum['{f}'] / {scale}"

#: Significant digits of a number written without a fixed number of decimals.
SIGNIFICANT = 4


def decimals(span: float, resolution: int = 2000) -> int:
    """Decimals that resolve ``span / resolution`` (a pixel or finer on a panel).

    Example:
        >>> decimals(10.0), decimals(0.5)
        (3, 4)
    """
    if not span > 0 or not math.isfinite(span):
        return 6
    return max(0, int(math.ceil(-math.log10(span / resolution))))


def number(v, decimals: int | None = None) -> str:
    """One number as short text: ``decimals`` places, or :data:`SIGNIFICANT` significant digits."""
    v = float(v)
    if not math.isfinite(v):
        return ""
    t = f"{v:.{decimals}f}" if decimals is not None else f"{v:.{SIGNIFICANT}g}"
    if "e" in t:
        mant, exp = t.split("e")
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        t = f"{mant}e{int(exp)}"
    elif "." in t:
        t = t.rstrip("0").rstrip(".")
    if t.startswith(("0.", "-0.")):
        t = t.replace("0.", ".", 1)  # JavaScript and Python read ".25" as 0.25
    return "0" if t in ("-0", "", "-") else t


def is_array(value) -> bool:
    """Whether an output is an array (packed as a list) rather than a single value."""
    return isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) >= 1


def pack(value, decimals: int | None = None, delta: int | None = None) -> str:
    """An output as text: numbers joined by commas, a heatmap as digits, a string as is.

    ``None`` (a missing value) is the empty string; a 2-D integer array (a heatmap's
    band indices, row by row) is ``"nx;"`` followed by one :data:`DIGITS` character
    per cell; with ``delta=d`` a finite array is written as the differences of its
    values rounded to ``d`` decimals, in units of :math:`10^{-d}`.
    """
    if delta is not None and is_array(value):
        q = np.round(np.asarray(value, dtype=np.float64) * 10.0**delta).astype(np.int64)
        return ",".join(str(int(v)) for v in np.diff(q, prepend=0))
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if not is_array(value):
        return number(value, decimals)
    a = np.asarray(value)
    if a.ndim == 2:
        if a.dtype.kind not in "iu" or a.size and (a.min() < 0 or a.max() >= len(DIGITS)):
            raise ValueError(f"pack: a 2-D output must hold integers 0..{len(DIGITS) - 1} (band indices)")
        return f"{a.shape[1]};" + "".join(DIGITS[i] for i in a.ravel())
    if a.ndim != 1:
        raise ValueError(f"pack: outputs must be numbers, 1-D arrays or 2-D band indices, got shape {a.shape}")
    return ",".join(number(v, decimals) for v in a.astype(np.float64))


def unpack(text: str, heatmap: bool = False, delta: int | None = None) -> np.ndarray:
    """Inverse of :func:`pack` for arrays (NaN where an item is empty); ``heatmap`` for digits."""
    if delta is not None:
        return np.cumsum([int(v) for v in text.split(",")]) / 10.0**delta if text else np.zeros(0)
    if heatmap:
        nx, digits = text.split(";")
        return np.array([DIGITS.index(c) for c in digits]).reshape(-1, int(nx))
    if not text:
        return np.zeros(0)
    return np.array([float(v) if v else np.nan for v in text.split(",")])
