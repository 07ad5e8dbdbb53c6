"""Reference loss functions in NumPy, each with its gradient and its facts.

Every loss is a plain function ``loss(y_true, y_pred, ..., *, reduction="mean")``
(target first, hyperparameters keyword-only) with a ``grad`` attribute of the same
signature that returns the derivative with respect to the prediction input(s).
Losses are reachable by name through :func:`get`, listed by :func:`available`, and
described by :func:`info`.

The facts
---------
Each loss declares, where it is registered, what a caller would otherwise guess
(:class:`~lossbook.losses.facts.LossInfo`; ``info(name)`` or ``fn.info``):

* ``kind`` (one of ``KINDS``), ``inputs`` (the positional data arguments),
  ``target`` and ``prediction`` (named domains of ``DOMAINS``: ``"real"``,
  ``"pm1"``, ``"logit"``, ...) and ``labels`` (the label convention in words);
* ``per_example`` (``"element"``, ``"sample"`` or False: what ``reduction="none"``
  gives), ``reductions`` (the default first), ``weighted_mean`` (when the mean is not
  the plain average);
* ``hyper``: each numeric hyperparameter as a
  :class:`~lossbook.losses.facts.Hyper` (default, slider range and scale, integer or
  not, and the values where the loss ``reduces_to`` a simpler one), and ``options``:
  the other keywords (flags, arrays, indices);
* ``convex`` (in the prediction, for a fixed target), ``differentiable`` (with
  ``kinks`` saying where it is not), ``proper`` (a proper scoring rule, or None where
  that does not apply);
* ``sample(rng, n)``: valid random inputs, off the kinks, for tests and figures.

Filter on them: ``available("regression", per_example="element")``.

Adding a loss
-------------
Write the function and its derivative in the module of its topic, with the checks of
:mod:`lossbook.checks` in one ``_prepare_<name>`` that both call, and register it::

    @register(
        "regression",
        inputs=("y_true", "y_pred"), target="real", prediction="real", labels=None,
        per_example="element", reductions=REDUCTIONS,
        hyper=(Hyper("delta", 1.0, 0.25, 2.25, step=0.05),),
        convex=True, differentiable=True, proper=None,
        sample=_residual_sample(-1.0, 1.0),
    )
    def huber(y_true, y_pred, *, delta=1.0, reduction="mean"):
        ...

    @grad_of(huber)
    def _huber_grad(y_true, y_pred, *, delta=1.0, reduction="mean"):
        ...

A missing fact, or one that disagrees with the signature (inputs, keywords, defaults,
the default reduction), raises ``ValueError`` naming the loss when the module is
imported.  The registry-wide tests (``tests/test_losses_registry.py``) then check the
facts against the code: gradients, reductions, dtypes, convexity, the limits, the
docstring's sections, and that the loss has a reference-value test.

Importing this module imports NumPy only: no PyTorch, no TensorFlow.
"""

from ._core import available, get, info
from .facts import DOMAINS, KINDS, PER_EXAMPLE, REDUCTIONS, Case, Hyper, Limit, LossInfo
from .regression import *  # noqa: F401,F403
from .classification import *  # noqa: F401,F403
from .divergence import *  # noqa: F401,F403
from .metric import *  # noqa: F401,F403
from .sequence import *  # noqa: F401,F403
from .penalty import *  # noqa: F401,F403
from .segmentation import *  # noqa: F401,F403
from .ranking import *  # noqa: F401,F403
from .vocabulary import *  # noqa: F401,F403

__all__ = [
    "KINDS",
    "REDUCTIONS",
    "DOMAINS",
    "PER_EXAMPLE",
    "LossInfo",
    "Hyper",
    "Limit",
    "Case",
    "available",
    "get",
    "info",
    *available(),
]
