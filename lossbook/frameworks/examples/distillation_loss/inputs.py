# Inputs of the distillation tabs: student logits z and teacher logits v, shape (N, C),
# the labels y, the temperature T and the weight alpha of the soft term.
import numpy as np

_rng = np.random.default_rng(0)
z = _rng.normal(size=(6, 10)) * 2
v = _rng.normal(size=(6, 10)) * 5
y = _rng.integers(0, 10, size=6)
T = 4.0
alpha = 0.9
OUTPUTS = ("loss",)
RTOL = 1e-5  # Keras and JAX compute in float32 by default
ATOL = 1e-6
