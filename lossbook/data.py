"""Small, deterministic, offline data sets for the chapters.

Everything here is generated from a seeded ``numpy.random.Generator``; nothing is
downloaded.  Real data sets come from scikit-learn, which ships them (diabetes, breast
cancer, digits, iris).
"""

from __future__ import annotations

import numpy as np


def _check_n(fn: str, n) -> None:
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"{fn}: n must be an integer >= 2, got {n!r}")


def linear(n=50, *, slope=2.0, intercept=1.0, noise=0.5, outliers=0, outlier_shift=8.0,
           x_range=(-2.0, 2.0), seed=0):
    """Points on the line ``y = slope * x + intercept`` with Gaussian noise.

    ``outliers`` of the points (chosen at random) are pushed up by ``outlier_shift``,
    which is how the book shows MSE being dragged and MAE or Huber holding on.

    Returns ``(x, y)``, both of shape ``(n,)``, float64.

    Example:
        >>> x, y = linear(5, noise=0.0)
        >>> bool(np.allclose(y, 2 * x + 1))
        True
    """
    _check_n("linear", n)
    if not 0 <= outliers <= n:
        raise ValueError(f"linear: outliers must be between 0 and n={n}, got {outliers!r}")
    if noise < 0:
        raise ValueError(f"linear: noise must be >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(*x_range, size=n))
    y = slope * x + intercept + noise * rng.standard_normal(n)
    if outliers:
        idx = rng.choice(n, size=outliers, replace=False)
        y[idx] += outlier_shift
    return x, y


def blobs(n=200, *, weights=(0.5, 0.5), separation=2.0, seed=0):
    """Two Gaussian blobs in 2-D for binary classification, possibly imbalanced.

    ``weights`` are the class proportions (e.g. ``(0.95, 0.05)`` for a rare positive
    class).  Returns ``(X, y)`` with ``X`` of shape ``(n, 2)`` and ``y`` in {0, 1} of
    shape ``(n,)``.

    Example:
        >>> X, y = blobs(100, weights=(0.9, 0.1))
        >>> X.shape, int(y.sum())
        ((100, 2), 10)
    """
    _check_n("blobs", n)
    w = np.asarray(weights, dtype=float)
    if w.shape != (2,) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError(f"blobs: weights must be two non-negative numbers summing to 1, got {weights!r}")
    rng = np.random.default_rng(seed)
    n_pos = int(round(w[1] * n))
    y = np.zeros(n, dtype=np.int64)
    y[:n_pos] = 1
    rng.shuffle(y)
    centres = np.array([[-separation / 2, 0.0], [separation / 2, 0.0]])
    X = centres[y] + rng.standard_normal((n, 2))
    return X, y


def counts(n=200, *, coef=(0.5, 0.8), seed=0):
    """Poisson counts whose log-rate is linear in one feature: ``log lambda = a + b x``.

    Returns ``(x, y)`` of shape ``(n,)``; ``y`` are non-negative integers (as float64).

    Example:
        >>> x, y = counts(50)
        >>> bool((y >= 0).all() and np.all(y == np.round(y)))
        True
    """
    _check_n("counts", n)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.5, 1.5, size=n)
    lam = np.exp(coef[0] + coef[1] * x)
    return x, rng.poisson(lam).astype(np.float64)
