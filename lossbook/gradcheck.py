"""Gradient checking: compare an analytic gradient with finite differences.

The book's chapters use this to verify every derivative they derive by hand; the
package's own tests use an independent copy of the same formula (``tests/_tools.py``)
so that a bug here cannot hide a bug in a loss.
"""

from __future__ import annotations

import numpy as np

from . import checks


def central_difference(f, x, *, h=1e-3, order=4):
    r"""Gradient of the scalar function ``f`` at ``x`` by central differences.

    .. math::
        \text{order 2:}\quad f'(x) \approx \frac{f(x+h) - f(x-h)}{2h}, \qquad
        \text{order 4:}\quad f'(x) \approx \frac{-f(x+2h) + 8f(x+h) - 8f(x-h) + f(x-2h)}{12h}

    The truncation error is :math:`O(h^2)` or :math:`O(h^4)`; rounding adds about
    :math:`\epsilon_{\text{mach}} |f| / h`, so ``h`` around ``1e-5`` (order 2) or ``1e-3``
    (order 4) balances the two in float64.

    Args:
        f: a function of one array returning a scalar.
        x: the point, any shape; it is converted to float64 and never modified.
        h: the step.
        order: 2 or 4.

    Shape:
        The result has the shape of ``x``.

    Example:
        >>> g = central_difference(lambda v: float(np.sum(v ** 3)), np.array([1.0, 2.0]))
        >>> print(np.round(g, 6))
        [ 3. 12.]

    References:
        Nocedal, J. and Wright, S. J. (2006). Numerical Optimization, 2nd ed., section 8.1.
    """
    if order not in (2, 4):
        raise ValueError(f"central_difference: order must be 2 or 4, got {order!r}")
    h = checks.positive("central_difference", "h", h)
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):

        def at(delta):
            xx = x.copy()
            xx[i] += delta
            return float(f(xx))

        if order == 2:
            g[i] = (at(h) - at(-h)) / (2 * h)
        else:
            g[i] = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)
    return g


def relative_error(a, b, *, floor=1e-12, norm=False):
    r"""Largest elementwise relative error :math:`|a-b| / \max(|a|, |b|, \text{floor})`.

    Entries near zero make the elementwise error large even when the arrays agree to
    many digits overall; ``norm=True`` returns the normwise error
    :math:`\lVert a-b \rVert / \max(\lVert a \rVert, \lVert b \rVert, \text{floor})` instead.

    Example:
        >>> print(round(relative_error([1.0, 2.0], [1.0, 2.002]), 9))
        0.000999001
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: a and b must have the same shape, got {a.shape} and {b.shape}")
    if norm:
        scale = max(np.linalg.norm(a), np.linalg.norm(b), floor)
        return float(np.linalg.norm(a - b) / scale)
    denom = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
    return float(np.max(np.abs(a - b) / denom))
