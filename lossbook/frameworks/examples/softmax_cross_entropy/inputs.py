# Inputs of the softmax cross-entropy tabs: integer labels y, logits (N, C), one weight
# per class w, the label-smoothing level alpha.
import numpy as np

_rng = np.random.default_rng(0)
logits = _rng.normal(size=(8, 5))
y = _rng.integers(0, 5, size=8)
w = np.array([1.0, 2.0, 5.0, 0.5, 1.0])
alpha = 0.1
OUTPUTS = ("loss", "loss_smooth", "loss_weighted")
RTOL = 1e-6  # Keras and JAX compute in float32 by default
ATOL = 1e-7
