# Inputs of the binary hinge tabs: 0/1 labels y and real scores z (one per example).
import numpy as np

_rng = np.random.default_rng(0)
y = _rng.integers(0, 2, size=20)
z = _rng.normal(scale=2.0, size=20)
OUTPUTS = ("loss", "loss_sq")
RTOL = 1e-6  # Keras and JAX compute in float32 by default
ATOL = 1e-7
