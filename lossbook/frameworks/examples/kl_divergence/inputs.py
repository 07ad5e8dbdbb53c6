# Inputs of the KL-divergence tabs: a reference p and an approximation q, one distribution
# per row, shape (N, C), every entry positive.
import numpy as np

_rng = np.random.default_rng(0)
p = _rng.dirichlet(np.ones(5), size=4)
q = _rng.dirichlet(np.ones(5), size=4)
OUTPUTS = ("kl",)
RTOL = 1e-5  # Keras and JAX compute in float32 by default
ATOL = 1e-6
