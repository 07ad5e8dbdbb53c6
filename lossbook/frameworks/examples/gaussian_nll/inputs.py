# Inputs of the Gaussian-NLL tabs: targets y, predicted means mu and variances var
# (all above PyTorch's clamp eps = 1e-6, where every framework computes the same loss).
import numpy as np

_rng = np.random.default_rng(0)
y = _rng.normal(size=8)
mu = _rng.normal(size=8)
var = _rng.uniform(0.1, 2.0, size=8)
OUTPUTS = ("loss",)
RTOL = 1e-6  # Keras and JAX compute in float32 by default
ATOL = 1e-6
