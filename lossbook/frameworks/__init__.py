"""PyTorch and TensorFlow helpers for the chapters that compare frameworks.

Nothing here is imported by ``import lossbook``; each function imports its framework
when called.
"""

from __future__ import annotations

import contextlib
import os


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


def torch_device():
    """``"cuda"`` when PyTorch sees a GPU, else ``"cpu"``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
