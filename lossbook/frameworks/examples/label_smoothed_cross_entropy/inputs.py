# Inputs of the tabs on cross-entropy with label smoothing AND class weights (PyTorch's
# semantics): integer labels y, logits (N, C), one weight per class w, the smoothing alpha.
# Outputs: the loss and its gradient with respect to the logits.
import numpy as np

_rng = np.random.default_rng(0)
logits = _rng.normal(size=(8, 5)) * 2
y = _rng.integers(0, 5, size=8)
w = np.array([1.0, 2.0, 5.0, 0.5, 1.0])
alpha = 0.1
OUTPUTS = ("loss", "grad")
RTOL = 1e-5  # JAX computes in float32 by default
ATOL = 1e-6
