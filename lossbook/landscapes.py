r"""Two-dimensional test surfaces with their gradients, for optimizer pictures.

Every surface is a :class:`Landscape` with one interface:

* ``f(xy)`` and ``grad(xy)`` take points of shape ``(..., 2)`` (one point, a list of
  points, or a whole ``meshgrid`` stacked on the last axis) and return shape ``(...)``
  and ``(..., 2)``: the same call draws a contour plot and feeds an optimizer;
* ``minima`` and ``saddles``: the known critical points (lists of arrays of shape
  ``(2,)``; ``minima`` sorted by value, the global minimum first);
* ``default_start``, ``xlim``, ``ylim``: a starting point and a plotting window that
  show the surface's point;
* ``name``, and ``hessian(xy)`` by central differences of ``grad``.

The surfaces: an ill-conditioned :func:`quadratic`, :func:`rosenbrock`'s valley,
:func:`saddle` points (quadratic, monkey, and a bounded one with two minima),
:func:`multi_minima` (three Gaussian wells in a bowl), :func:`himmelblau`, and
:func:`regression_surface`, the loss of a line fit :math:`\hat y = w x + b` as a
function of :math:`(w, b)` under any regression loss of :mod:`lossbook.losses`.
:func:`get_landscape` builds one by name.

Importing this module imports NumPy only: no PyTorch, no TensorFlow.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import checks

__all__ = [
    "Landscape",
    "quadratic",
    "rosenbrock",
    "saddle",
    "multi_minima",
    "himmelblau",
    "regression_surface",
    "regression_data",
    "LANDSCAPES",
    "get_landscape",
]


def _points(name: str, xy) -> np.ndarray:
    """``xy`` as a floating array of shape ``(..., 2)``; float32 stays float32."""
    a = checks.float_array(name, "xy", xy, allow_empty=True)
    if a.ndim == 0 or a.shape[-1] != 2:
        raise ValueError(f"{name}: xy must have shape (..., 2) (points in the plane), got shape {a.shape}")
    return a


class Landscape:
    r"""A 2-D surface :math:`f(x, y)` with its gradient and known critical points.

    Build one with the functions of this module (:func:`quadratic`,
    :func:`rosenbrock`, ...) rather than directly.

    Args:
        name: a short name (used in plots and ``repr``).
        f: ``f(x, y)`` on arrays of one shape, returning that shape.
        grad: ``grad(x, y)`` returning the pair ``(df/dx, df/dy)``.
        minima: the local minima, sorted by value (global first).
        default_start: a starting point that shows the surface's point.
        xlim, ylim: a plotting window.
        saddles: the saddle points (default none).
        params: the parameters the surface was built with (for ``repr``).

    Shape:
        ``f(xy)``: ``xy`` of shape ``(..., 2)`` gives ``(...)``; ``grad(xy)`` gives
        ``(..., 2)``; ``hessian(xy)`` gives ``(..., 2, 2)``.

    Example:
        >>> import numpy as np
        >>> s = rosenbrock()
        >>> print(s.f([-1.2, 1.0]), s.grad([-1.2, 1.0]))
        24.2 [-215.6  -88. ]
        >>> X, Y = np.meshgrid(np.linspace(*s.xlim, 5), np.linspace(*s.ylim, 4))
        >>> s.f(np.stack([X, Y], axis=-1)).shape
        (4, 5)
    """

    def __init__(
        self,
        name: str,
        f: Callable,
        grad: Callable,
        *,
        minima,
        default_start,
        xlim,
        ylim,
        saddles=(),
        params: dict | None = None,
    ):
        self.name = name
        self._f = f
        self._grad = grad
        self.minima = [np.asarray(m, dtype=np.float64) for m in minima]
        self.saddles = [np.asarray(s, dtype=np.float64) for s in saddles]
        self.default_start = np.asarray(default_start, dtype=np.float64)
        self.xlim = tuple(float(v) for v in xlim)
        self.ylim = tuple(float(v) for v in ylim)
        self.params = dict(params or {})

    def f(self, xy):
        """The value :math:`f(x, y)` at points ``xy`` of shape ``(..., 2)``."""
        a = _points(f"{self.name}.f", xy)
        return self._f(a[..., 0], a[..., 1])

    __call__ = f

    def grad(self, xy):
        """The gradient :math:`(\\partial f/\\partial x, \\partial f/\\partial y)`, shape ``(..., 2)``."""
        a = _points(f"{self.name}.grad", xy)
        gx, gy = self._grad(a[..., 0], a[..., 1])
        return np.stack(np.broadcast_arrays(gx, gy), axis=-1)

    def hessian(self, xy, h: float = 1e-5):
        r"""The Hessian at ``xy`` by central differences of :meth:`grad`, shape ``(..., 2, 2)``.

        Column :math:`j` is :math:`(\nabla f(p + h e_j) - \nabla f(p - h e_j)) / 2h`
        with :math:`h` scaled by :math:`1 + |p_j|`; the error is about
        :math:`h^2 \approx 10^{-10}` relative for smooth surfaces.  The result is
        symmetrized.  Its eigenvalues classify a critical point (both positive: a
        minimum; of both signs: a saddle).
        """
        a = _points(f"{self.name}.hessian", xy).astype(np.float64)
        cols = []
        for j in range(2):
            step = h * (1 + np.abs(a[..., j]))
            e = np.zeros(a.shape)
            e[..., j] = step
            cols.append((self.grad(a + e) - self.grad(a - e)) / (2 * step[..., None]))
        hess = np.stack(cols, axis=-1)
        return 0.5 * (hess + np.swapaxes(hess, -1, -2))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Landscape({self.name!r}{args})"


# --------------------------------------------------------------------------- quadratic
def quadratic(a: float = 1.0, b: float = 10.0) -> Landscape:
    r"""An axis-aligned quadratic bowl with condition number :math:`b/a`.

    .. math::

        f(x, y) = \tfrac12\,(a x^2 + b y^2), \qquad \nabla f = (a x,\ b y)

    The Hessian is :math:`\mathrm{diag}(a, b)`: gradient descent with learning rate
    :math:`\eta` multiplies :math:`x` by :math:`1 - \eta a` and :math:`y` by
    :math:`1 - \eta b` at each step, so it converges iff
    :math:`\eta < 2/h_{\max}` with :math:`h_{\max} = \max(a, b)`.  The slow direction
    contracts by :math:`1 - h_{\min}/h_{\max}` per step at :math:`\eta = 1/h_{\max}`, and
    by :math:`(h_{\max} - h_{\min})/(h_{\max} + h_{\min})` at the best fixed rate
    :math:`\eta = 2/(h_{\max} + h_{\min})` (:math:`h_{\min} = \min(a, b)`).  The
    attributes ``h_max``, ``h_min`` and ``condition_number`` hold these numbers (the
    book's notation: the largest and smallest curvature, and
    :math:`\kappa = h_{\max}/h_{\min}`).

    Args:
        a: curvature along :math:`x`, ``> 0`` (default 1).
        b: curvature along :math:`y`, ``> 0`` (default 10).

    Example:
        >>> q = quadratic(1.0, 10.0)
        >>> print(q.f([2.0, 1.0]), q.grad([2.0, 1.0]), q.condition_number)
        7.0 [ 2. 10.] 10.0
    """
    a = checks.positive("quadratic", "a", a)
    b = checks.positive("quadratic", "b", b)

    def f(x, y):
        return 0.5 * (a * x * x + b * y * y)

    def grad(x, y):
        return a * x, b * y

    land = Landscape("quadratic", f, grad, minima=[(0.0, 0.0)], default_start=(-4.0, 2.0),
                     xlim=(-5.0, 5.0), ylim=(-3.0, 3.0), params={"a": a, "b": b})
    land.h_max, land.h_min = max(a, b), min(a, b)
    land.condition_number = land.h_max / land.h_min
    return land


# --------------------------------------------------------------------------- Rosenbrock
def rosenbrock(a: float = 1.0, b: float = 100.0) -> Landscape:
    r"""Rosenbrock's banana-shaped valley: easy to find, slow to follow.

    .. math::

        f(x, y) = (a - x)^2 + b\,(y - x^2)^2, \qquad
        \nabla f = \bigl(-2(a - x) - 4 b x (y - x^2),\ 2 b (y - x^2)\bigr)

    The only minimum is :math:`(a, a^2)` with value 0.  The default start
    :math:`(-1.2, 1)` is Rosenbrock's own.

    Args:
        a: position of the minimum, :math:`x^* = a` (default 1).
        b: steepness of the valley walls, ``> 0`` (default 100).

    Example:
        >>> r = rosenbrock()
        >>> print(r.f([1.0, 1.0]), r.grad([1.0, 1.0]))
        0.0 [0. 0.]

    References:
        Rosenbrock, H. H. (1960). An automatic method for finding the greatest or least
        value of a function. The Computer Journal 3(3).
    """
    a = checks.real("rosenbrock", "a", a, finite=True)
    b = checks.positive("rosenbrock", "b", b)

    def f(x, y):
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def grad(x, y):
        r = y - x * x
        return -2 * (a - x) - 4 * b * x * r, 2 * b * r

    return Landscape("rosenbrock", f, grad, minima=[(a, a * a)], default_start=(-1.2, 1.0),
                     xlim=(min(-2.0, a - 1), max(2.0, a + 1)), ylim=(-1.0, max(3.0, a * a + 1)),
                     params={"a": a, "b": b})


# --------------------------------------------------------------------------- saddles
_SADDLES = ("quadratic", "monkey", "quartic")


def saddle(kind: str = "quadratic") -> Landscape:
    r"""A saddle point at the origin: zero gradient, and not a minimum.

    .. math::

        \text{quadratic:}\quad f = \tfrac12 (x^2 - y^2), \qquad
        \text{monkey:}\quad f = x^3 - 3 x y^2, \qquad
        \text{quartic:}\quad f = \tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2

    * ``"quadratic"``: Hessian :math:`\mathrm{diag}(1, -1)`; gradient descent from
      :math:`(x_0, y_0)` gives :math:`x_t = (1-\gamma)^t x_0 \to 0` and
      :math:`y_t = (1+\gamma)^t y_0`, which escapes only if :math:`y_0 \ne 0`
      (the default start has :math:`y_0 = 10^{-3}`).  No minimum: the surface is
      unbounded below.
    * ``"monkey"``: a degenerate saddle (zero Hessian; three valleys for the monkey's
      legs and tail).  No minimum.
    * ``"quartic"``: the quadratic saddle bent back up in :math:`y`, so that it has two
      minima :math:`(0, \pm 1)` of value :math:`-\tfrac14`: escape the saddle, then
      fall into a well.

    Args:
        kind: ``"quadratic"`` (default), ``"monkey"`` or ``"quartic"``.

    Example:
        >>> s = saddle()
        >>> print(s.grad([0.0, 0.0]) + 0.0, s.f([0.0, 0.1]) < 0 < s.f([0.1, 0.0]))
        [0. 0.] True
    """
    if kind == "quadratic":
        def f(x, y):
            return 0.5 * (x * x - y * y)

        def grad(x, y):
            return x, -y

        minima, start = [], (-2.0, 1e-3)
    elif kind == "monkey":
        def f(x, y):
            return x**3 - 3 * x * y * y

        def grad(x, y):
            return 3 * x * x - 3 * y * y, -6 * x * y

        minima, start = [], (-1.0, 0.05)
    elif kind == "quartic":
        def f(x, y):
            return 0.5 * x * x + 0.25 * y**4 - 0.5 * y * y

        def grad(x, y):
            return x, y**3 - y

        minima, start = [(0.0, -1.0), (0.0, 1.0)], (-2.0, 1e-3)
    else:
        raise ValueError(f"saddle: kind must be one of {', '.join(map(repr, _SADDLES))}, got {kind!r}")
    return Landscape("saddle", f, grad, minima=minima, saddles=[(0.0, 0.0)], default_start=start,
                     xlim=(-2.5, 2.5), ylim=(-2.0, 2.0), params={"kind": kind})


# --------------------------------------------------------------------------- several minima
# (centre, depth, width) of each well; the bowl keeps the surface bounded below and
# makes every path from far away come back.
_WELLS = (((1.5, 1.0), 2.0, 0.8), ((-1.5, 0.8), 1.5, 0.8), ((0.0, -1.5), 1.0, 0.8))
_BOWL = 0.05


def multi_minima() -> Landscape:
    r"""Three Gaussian wells of different depths in a shallow bowl.

    .. math::

        f(x, y) = 0.05\,(x^2 + y^2) - \sum_{i=1}^{3} d_i
        \exp\!\Bigl(-\frac{\lVert (x, y) - c_i \rVert^2}{2 s_i^2}\Bigr)

    with centres :math:`c = (1.5, 1), (-1.5, 0.8), (0, -1.5)`, depths
    :math:`d = 2, 1.5, 1` and widths :math:`s = 0.8`.  The wells overlap, so the
    minima sit slightly off the centres.  Its critical points, found by Newton's
    method and checked in the tests (gradient below 1e-9, Hessian eigenvalues):

    ============  ============================  ============
    kind          point                         value
    ============  ============================  ============
    global min    (1.449838555, 0.966775430)    -1.845823276
    local min     (-1.430526981, 0.762073101)   -1.367362648
    local min     (-0.003124455, -1.387000311)  -0.904078841
    saddle        (-0.074789745, 0.735397653)   -0.571394376
    saddle        (-0.539741698, -0.387116177)  -0.540539337
    saddle        (0.475171748, -0.342078937)   -0.518194469
    local max     (0.004512523, -0.051979010)   -0.486155115
    ============  ============================  ============

    Which minimum gradient descent reaches depends on the start and the learning rate:
    from the default start :math:`(-3, -3)`, gradient descent with learning rate 0.1
    ends in the shallowest well, :math:`(-0.003, -1.387)`, not the global one.

    Example:
        >>> m = multi_minima()
        >>> print(len(m.minima), round(float(m.f(m.minima[0])), 6))
        3 -1.845823
    """

    def f(x, y):
        v = _BOWL * (x * x + y * y)
        for (cx, cy), d, s in _WELLS:
            v = v - d * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
        return v

    def grad(x, y):
        gx, gy = 2 * _BOWL * x, 2 * _BOWL * y
        for (cx, cy), d, s in _WELLS:
            e = (d / (s * s)) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
            gx = gx + e * (x - cx)
            gy = gy + e * (y - cy)
        return gx, gy

    minima = [(1.4498385548, 0.966775430453), (-1.430526980529, 0.762073101346), (-0.003124454535, -1.387000310772)]
    saddles = [(-0.074789744793, 0.735397652831), (-0.539741697546, -0.387116177331), (0.47517174788, -0.342078936927)]
    land = Landscape("multi_minima", f, grad, minima=minima, saddles=saddles, default_start=(-3.0, -3.0),
                     xlim=(-4.0, 4.0), ylim=(-4.0, 4.0))
    land.maxima = [np.array([0.004512523091, -0.051979009839])]
    return land


def himmelblau() -> Landscape:
    r"""Himmelblau's function: four global minima of value 0.

    .. math::

        f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2

    Minima (all :math:`f = 0`): :math:`(3, 2)` exactly, and
    :math:`(3.584428340, -1.848126527)`, :math:`(-2.805118087, 3.131312518)`,
    :math:`(-3.779310253, -3.283185991)`; saddles at :math:`(3.385154184, 0.073851880)`,
    :math:`(0.086677505, 2.884254701)`, :math:`(-3.073025751, -0.081353044)`,
    :math:`(-0.127961347, -1.953714980)`; a local maximum at
    :math:`(-0.270844591, -0.923038556)` with :math:`f = 181.6165215`.

    Example:
        >>> h = himmelblau()
        >>> print(h.f([3.0, 2.0]), h.grad([3.0, 2.0]))
        0.0 [0. 0.]

    References:
        Himmelblau, D. M. (1972). Applied Nonlinear Programming. McGraw-Hill.
    """

    def f(x, y):
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def grad(x, y):
        u, v = x * x + y - 11, x + y * y - 7
        return 4 * x * u + 2 * v, 2 * u + 4 * y * v

    minima = [(3.0, 2.0), (3.58442834033, -1.848126526964), (-2.805118086953, 3.131312518251), (-3.779310253378, -3.283185991286)]
    saddles = [(3.385154183607, 0.073851879838), (0.086677504555, 2.884254701175), (-3.073025750764, -0.081353044288), (-0.127961346731, -1.953714980245)]
    land = Landscape("himmelblau", f, grad, minima=minima, saddles=saddles, default_start=(0.0, 0.0),
                     xlim=(-5.0, 5.0), ylim=(-5.0, 5.0))
    land.maxima = [np.array([-0.270844590667, -0.92303855648])]
    return land


# --------------------------------------------------------------------------- regression
def regression_data(n: int = 20, outliers: int = 0):
    r"""A small line-fitting data set: :math:`y = 2x + 1 + \varepsilon`, seeded.

    ``x`` is uniform on :math:`[-2, 2]` and :math:`\varepsilon \sim N(0, 0.5^2)`, drawn
    with ``np.random.default_rng(0)``; then the ``outliers`` points with the largest
    ``x`` get 6 added to ``y`` (far from the line, where they also pull its slope).

    Returns:
        ``(x, y)``, two float64 arrays of shape ``(n,)``.

    Example:
        >>> x, y = regression_data()
        >>> print(x.shape, round(float(np.polyfit(x, y, 1)[0]), 3))
        (20,) 1.927
    """
    n = checks.integer("regression_data", "n", n, low=2)
    outliers = checks.integer("regression_data", "outliers", outliers, low=0, high=n, hint=" (at most n)")
    rng = np.random.default_rng(0)
    x = rng.uniform(-2.0, 2.0, n)
    y = 2.0 * x + 1.0 + 0.5 * rng.normal(size=n)
    if outliers:
        y[np.argsort(x)[n - outliers:]] += 6.0
    return x, y


def _regression_loss(name: str):
    """The registered regression loss ``name``; imported here so that the module loads without it."""
    from lossbook import losses

    loss = losses.get(name)
    if loss.info.kind != "regression":
        raise ValueError(
            f"regression_surface: loss must be a regression loss ({', '.join(losses.available('regression'))}), "
            f"got {name!r} of kind {loss.info.kind!r}"
        )
    return loss


def regression_surface(loss: str = "mse", x=None, y=None, *, outliers: int = 0, **loss_kwargs) -> Landscape:
    r"""The loss of the line :math:`\hat y = w x + b` as a surface over :math:`(w, b)`.

    .. math::

        L(w, b) = \frac1N \sum_{i=1}^{N} \ell\bigl(y_i,\ w x_i + b\bigr), \qquad
        \frac{\partial L}{\partial w} = \frac1N \sum_i \ell'_i\, x_i, \qquad
        \frac{\partial L}{\partial b} = \frac1N \sum_i \ell'_i

    where :math:`\ell` is the regression loss registered as ``loss`` in
    :mod:`lossbook.losses` (``"mse"``, ``"mae"``, ``"huber"``, ``"log_cosh"``, ...)
    and :math:`\ell'_i` its derivative with respect to the prediction (the loss's
    ``grad`` with ``reduction="none"``): the chain rule through :math:`\hat y_i = w
    x_i + b`.  The points of the surface are :math:`(w, b)`, so ``xy[..., 0]`` is the
    slope and ``xy[..., 1]`` the intercept.

    ``minima`` holds the best line: for ``"mse"`` the least-squares solution; for the
    other losses (all convex in :math:`(w, b)`) the best line through two data points
    (exact for piecewise-linear losses such as MAE and the pinball loss, whose optimum
    lies on such a line), refined by Newton steps that never increase the loss.  The
    surface also carries ``data = (x, y)``, ``loss`` (the function) and
    ``loss_kwargs``.

    Args:
        loss: the name of a registered regression loss (default ``"mse"``).
        x, y: the data, 1-D arrays of one length; default :func:`regression_data`.
        outliers: with the default data, how many outliers to add (default 0).
        **loss_kwargs: hyperparameters of the loss, e.g. ``delta=1.0`` for Huber.

    Shape:
        ``x`` and ``y``: ``(N,)``.  ``f(xy)``: ``(..., 2)`` to ``(...)``; the
        computation makes ``(..., N)`` predictions, so a 200 by 200 grid with
        :math:`N = 20` holds 800,000 numbers at once.

    Example:
        >>> s = regression_surface("mse")
        >>> w, b = s.minima[0]
        >>> print(round(float(w), 3), round(float(b), 3), s.grad(s.minima[0]).round(12) + 0.0)
        1.927 1.035 [0. 0.]
    """
    if x is None and y is None:
        x, y = regression_data(outliers=outliers)
    elif x is None or y is None:
        raise ValueError("regression_surface: pass both x and y, or neither (for the default data)")
    elif outliers:
        raise ValueError("regression_surface: outliers applies to the default data only; add them to your y")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError(
            f"regression_surface: x and y must be 1-D arrays of the same length >= 2, got shapes {x.shape} and {y.shape}"
        )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("regression_surface: x and y must be finite")
    if "reduction" in loss_kwargs:
        raise ValueError("regression_surface: the surface averages over the data itself; do not pass reduction")
    fn = _regression_loss(loss)

    def predictions(w, b):
        dtype = np.result_type(w, b, np.float32)  # float32 grids stay float32
        xs, ys = x.astype(dtype), y.astype(dtype)
        y_hat = w[..., None] * xs + b[..., None]  # (..., N): one line per point (w, b)
        # The losses never broadcast, so the targets are expanded explicitly.
        return xs, y_hat, np.broadcast_to(ys, y_hat.shape)

    # Most losses are a mean of per-point terms: evaluate the whole grid at once with
    # reduction="none".  A loss that has no per-point form (RMSE: the root of a mean;
    # its fact per_example is False) is evaluated one line (w, b) at a time.
    fn(y, y, **loss_kwargs)  # bad hyperparameters raise here, with the loss's message
    per_point = fn.info.per_example == "element"

    def f(w, b):
        _, y_hat, target = predictions(w, b)
        if per_point:
            return fn(target, y_hat, reduction="none", **loss_kwargs).mean(axis=-1)
        flat = [fn(t, p, **loss_kwargs) for t, p in zip(target.reshape(-1, x.size), y_hat.reshape(-1, x.size))]
        return np.asarray(flat, dtype=y_hat.dtype).reshape(y_hat.shape[:-1])

    def grad(w, b):
        xs, y_hat, target = predictions(w, b)
        if per_point:
            d = fn.grad(target, y_hat, reduction="none", **loss_kwargs)  # d ell_i / d y_hat_i
            return (d * xs).mean(axis=-1), d.mean(axis=-1)
        rows = [fn.grad(t, p, **loss_kwargs) for t, p in zip(target.reshape(-1, x.size), y_hat.reshape(-1, x.size))]
        d = np.asarray(rows, dtype=y_hat.dtype).reshape(y_hat.shape)  # d L / d y_hat_i (mean included)
        return (d * xs).sum(axis=-1), d.sum(axis=-1)

    land = Landscape(f"regression ({loss})", f, grad, minima=[], default_start=(0.0, 0.0),
                     xlim=(0, 1), ylim=(0, 1), params={"loss": loss, **loss_kwargs})
    w_ls, b_ls = np.linalg.lstsq(np.stack([x, np.ones_like(x)], axis=1), y, rcond=None)[0]
    best = np.array([w_ls, b_ls]) if loss == "mse" else _best_line(land, x, y, np.array([w_ls, b_ls]))
    land.minima = [best]
    land.xlim = (min(0.0, best[0]) - 1.5, max(0.0, best[0]) + 1.5)
    land.ylim = (min(0.0, best[1]) - 1.5, max(0.0, best[1]) + 1.5)
    land.data = (x, y)
    land.loss = fn
    land.loss_kwargs = dict(loss_kwargs)
    return land


def _best_line(land: Landscape, x: np.ndarray, y: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Minimize a convex line-fitting loss: best line through two points, then Newton.

    A linear program in two unknowns has an optimal vertex where two residuals vanish,
    so for piecewise-linear losses the best line through a pair of data points is
    exact.  For smooth losses it is a start for Newton's method (Hessian by central
    differences of the gradient), whose steps are halved until the loss does not grow.
    """
    i, j = np.triu_indices(x.size, k=1)
    keep = x[i] != x[j]
    i, j = i[keep], j[keep]
    w = (y[j] - y[i]) / (x[j] - x[i])
    candidates = np.concatenate([np.stack([w, y[i] - w * x[i]], axis=1), start[None]])
    p = candidates[np.argmin(land.f(candidates))]
    fp = land.f(p)
    for _ in range(100):
        g = land.grad(p)
        try:
            step = np.linalg.solve(land.hessian(p), g)
        except np.linalg.LinAlgError:
            break
        t, moved = 1.0, False
        for _ in range(40):
            q = p - t * step
            fq = land.f(q)
            # accept a decrease, or (at rounding level) a smaller gradient
            if fq < fp or (fq <= fp + 1e-15 * abs(fp) and np.abs(land.grad(q)).max() < np.abs(g).max()):
                moved = True
                break
            t /= 2
        if not moved:
            break
        done = np.abs(q - p).max() <= 1e-15 * (1 + np.abs(p).max())
        p, fp = q, fq
        if done:
            break
    return p


# --------------------------------------------------------------------------- registry
#: The surfaces by name, for :func:`get_landscape` and the widgets' dropdowns.
LANDSCAPES: dict[str, Callable[..., Landscape]] = {
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "saddle": saddle,
    "multi_minima": multi_minima,
    "himmelblau": himmelblau,
    "regression": regression_surface,
}


def get_landscape(name: str, **kwargs) -> Landscape:
    """Build the surface registered as ``name`` with ``kwargs``.

    Example:
        >>> get_landscape("quadratic", b=50.0)
        Landscape('quadratic', a=1.0, b=50.0)
    """
    if name not in LANDSCAPES:
        raise ValueError(f"get_landscape: unknown landscape {name!r}; available landscapes are {', '.join(LANDSCAPES)}")
    return LANDSCAPES[name](**kwargs)
