"""Reference loss functions in NumPy, each with its gradient.

Every loss is a plain function ``loss(y_true, y_pred, ..., *, reduction="mean")``
(target first, hyperparameters keyword-only) with a ``grad`` attribute of the same
signature that returns the derivative with respect to the prediction input(s).
Losses are also reachable by name through :func:`get` and :func:`available`.

Importing this module imports NumPy only: no PyTorch, no TensorFlow.
"""

from ._core import KINDS, REDUCTIONS, available, get
from .regression import *  # noqa: F401,F403
from .classification import *  # noqa: F401,F403
from .divergence import *  # noqa: F401,F403
from .metric import *  # noqa: F401,F403
from .sequence import *  # noqa: F401,F403
from .penalty import *  # noqa: F401,F403

__all__ = ["KINDS", "REDUCTIONS", "available", "get", *available()]
