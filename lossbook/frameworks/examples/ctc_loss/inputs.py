# Inputs of the CTC tabs: logits (N, T_x, C), batch first, with the blank at index 0;
# targets (N, U_max) padded with 0 past target_lengths. Every sequence uses all T_x frames.
import numpy as np

_rng = np.random.default_rng(0)
logits = _rng.normal(size=(3, 12, 5))
targets = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 1, 2]])
target_lengths = np.array([3, 2, 4])
OUTPUTS = ("nll",)
RTOL = 1e-5  # Keras and JAX compute in float32
ATOL = 1e-5
