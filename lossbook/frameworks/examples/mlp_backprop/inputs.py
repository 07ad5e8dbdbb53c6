# Inputs of the backpropagation tabs: a batch X (N, D) with integer labels y, and the
# parameters of a two-layer tanh network, W1 (D, M), b1 (M,), W2 (M, C), b2 (C,). Every tab
# computes the mean softmax cross-entropy of the logits and its gradient with respect to the
# four parameter arrays (the adjoints W1_bar, ...).
import numpy as np

_rng = np.random.default_rng(0)
X = _rng.normal(size=(16, 5))
y = _rng.integers(0, 3, size=16)
W1, b1 = _rng.normal(size=(5, 4)), _rng.normal(size=4)
W2, b2 = _rng.normal(size=(4, 3)), _rng.normal(size=3)
OUTPUTS = ("loss", "W1_bar", "b1_bar", "W2_bar", "b2_bar")
RTOL = 1e-5  # JAX computes in float32 by default; PyTorch and TensorFlow agree to 1e-12
ATOL = 1e-6
