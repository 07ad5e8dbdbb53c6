r"""The squared and the absolute error of one prediction: the first figure of the book.

One figure (see :mod:`lossbook.interactive`), ``"one_prediction_errors"``: the target is
:math:`y = 2`; a slider sets the prediction :math:`\hat y`, and the figure draws the
squared error :math:`(\hat y - y)^2` and the absolute error :math:`|\hat y - y|` of that
single prediction along the whole range of :math:`\hat y`, with the current prediction
marked on both curves.  Below one unit of error squaring shrinks an error; above one,
it magnifies it.  The errors are :func:`lossbook.losses.mse` and
:func:`lossbook.losses.mae` of one example (``reduction="none"``).
"""

from __future__ import annotations

import numpy as np

from lossbook import losses as _losses
from lossbook.plotting import color

from .registry import register
from .spec import Figure, Line, Panel, Point, Slider, grid

__all__ = ["TARGET", "one_prediction_errors", "FIGURE"]

#: The target of the figure.
TARGET = 2.0
_Y_HAT = np.linspace(-2.0, 6.0, 161)


def one_prediction_errors(*, y_hat: float) -> dict:
    r"""What the figure draws for the prediction ``y_hat`` of the target :data:`TARGET`.

    Returns:
        the curves ``y_hat_grid``, ``squared``, ``absolute`` over :math:`\hat y \in [-2, 6]`,
        the current prediction ``now_x`` with its errors ``now_sq``, ``now_abs`` (arrays of
        one point), the numbers ``squared_error``, ``absolute_error`` and a ``message``.

    Example:
        >>> out = one_prediction_errors(y_hat=2.5)
        >>> out["squared_error"], out["absolute_error"]
        (0.25, 0.5)
    """
    y_hat = float(y_hat)
    target = np.full_like(_Y_HAT, TARGET)
    sq = float(_losses.mse([TARGET], [y_hat]))
    ab = float(_losses.mae([TARGET], [y_hat]))
    return {
        "y_hat_grid": _Y_HAT,
        "squared": _losses.mse(target, _Y_HAT, reduction="none"),
        "absolute": _losses.mae(target, _Y_HAT, reduction="none"),
        "now_x": np.array([y_hat]), "now_sq": np.array([sq]), "now_abs": np.array([ab]),
        "squared_error": sq, "absolute_error": ab,
        "message": f"y_hat = {y_hat:g}: squared error {sq:.2f}, absolute error {ab:.2f}",
    }


def _figure() -> Figure:
    mse, mae = color("mse"), color("mae")
    return Figure(
        name="one_prediction_errors",
        compute=one_prediction_errors,
        controls=[
            Slider(name="y_hat", values=grid(-2.0, 6.0, 0.25), default=4.0, live=(-2.0, 6.0, 0.05),
                   label="prediction y_hat", fmt=".2f"),
        ],
        panels=[
            Panel(title="the errors of one prediction", subtitle="target y = 2; blue squared, red absolute",
                  xlabel="prediction y_hat", ylabel="error", xdomain=(-2.0, 6.0), ydomain=(0.0, 16.0),
                  marks=[Line(x="y_hat_grid", y="squared", color=mse, name="squared"),
                         Line(x="y_hat_grid", y="absolute", color=mae, name="absolute"),
                         Point(x="now_x", y="now_sq", color=mse, size=60, name="now_squared"),
                         Point(x="now_x", y="now_abs", color=mae, size=60, shape="square", name="now_absolute")]),
        ],
        message="message",
        width=320, height=220, figsize=(6.0, 4.0),
        alt=("The squared error and the absolute error of one prediction against the prediction, for the "
             "target 2, with the current prediction marked on both curves; a slider moves the prediction."),
    )


FIGURE = register(_figure())
