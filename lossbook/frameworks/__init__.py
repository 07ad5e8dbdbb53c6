"""lossbook's losses in PyTorch, Keras/TensorFlow and JAX/optax: mapped, run and compared.

* ``lossbook.frameworks.mapping``: for every lossbook loss, the PyTorch, Keras and
  optax call that computes it and the options that make them agree (or why a framework
  has none); :func:`mapping_table` is that table as a DataFrame.
* :func:`compare`: one loss in NumPy, PyTorch, Keras and JAX on every device present,
  values, gradient differences and times in one table; :func:`evaluate` one framework's
  value and gradients; :func:`devices` the devices each framework detects.
* ``lossbook.frameworks.examples``: the book's framework tabs, run and checked.
* Quiet imports (:func:`import_tensorflow`, :func:`import_jax`), :func:`torch_device`,
  :func:`keras_trajectory`.

Nothing here imports a framework when the package is imported; each function imports
the framework it needs when called.
"""

from __future__ import annotations

import contextlib
import os

from .comparison import compare, devices, evaluate
from .mapping import NoEquivalent
from .mapping import table as mapping_table

__all__ = [
    "compare",
    "devices",
    "evaluate",
    "mapping_table",
    "NoEquivalent",
    "import_tensorflow",
    "import_jax",
    "keras_trajectory",
    "torch_device",
]


@contextlib.contextmanager
def _silenced_stderr():
    """Redirect the process's file descriptor 2 (C++ logs bypass ``sys.stderr``)."""
    try:
        fd = os.dup(2)
    except OSError:  # no real stderr (some notebook front ends)
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(fd, 2)
        os.close(fd)


def import_tensorflow():
    """Import TensorFlow without its start-up log lines and return the module.

    TensorFlow prints oneDNN, CUDA and absl messages from C++ when it is first
    imported, which ``TF_CPP_MIN_LOG_LEVEL`` alone does not stop; a chapter should show
    results, not a wall of logs.  Keras is imported with it (``tf.keras``).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _silenced_stderr():
        import tensorflow as tf
        import keras  # noqa: F401  (its first import also logs)
    return tf


def import_jax():
    """Import JAX, start its backends without their start-up log lines, return ``jax``.

    JAX probes for accelerators when it first runs; with TensorFlow loaded in the same
    process the probe of a machine without a GPU prints a CUDA error from C++. The
    devices found are those of ``jax.devices()``: a GPU when there is one.
    """
    with _silenced_stderr():
        import jax

        jax.devices()
    return jax


def keras_trajectory(opt, grad_fn, theta0, *, steps=None, lrs=None):
    """The iterates of a Keras optimizer fed NumPy gradients, on a float64 variable.

    Runs ``opt`` (e.g. ``keras.optimizers.Adam(...)``) for ``steps`` steps, or for
    ``len(lrs)`` steps setting the learning rate to ``lrs[t]`` before step ``t``; the
    gradient at each point is ``grad_fn(theta)``.  Returns an array of shape
    ``(steps + 1, *theta0.shape)``, the start included, to compare with
    :func:`lossbook.optim.run`'s trajectory.  Keras keeps some hyperparameters in
    float32 even for float64 variables (the learning rate, momentum, the betas): pick
    values exact in float32 (0.125, 0.875, ...) for comparisons to 1e-12.
    """
    import keras
    import numpy as np

    if (steps is None) == (lrs is None):
        raise ValueError("keras_trajectory: pass exactly one of steps and lrs")
    var = keras.Variable(np.asarray(theta0, dtype=np.float64), dtype="float64")
    path = [np.array(var.numpy())]
    for t in range(steps if lrs is None else len(lrs)):
        if lrs is not None:
            opt.learning_rate.assign(lrs[t])
        g = keras.ops.convert_to_tensor(grad_fn(var.numpy()), dtype="float64")
        opt.apply([g], [var])
        path.append(np.array(var.numpy()))
    return np.array(path)


def torch_device():
    """``"cuda"`` when PyTorch sees a GPU, else ``"cpu"``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
