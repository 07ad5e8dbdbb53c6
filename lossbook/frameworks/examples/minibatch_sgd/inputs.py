# Inputs of the mini-batch SGD tabs: linear regression on (X, y) with the mean squared
# error, batches of B cut from one permutation of the examples per epoch (perms, one row
# per epoch: the tabs replay the same batches), and the schedule eta_t = eta0 / (1 + t / t0).
import numpy as np

_rng = np.random.default_rng(0)
X = _rng.standard_normal((100, 3))
y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * _rng.standard_normal(100)
perms = np.array([_rng.permutation(100) for _ in range(3)])
B = 16
eta0 = 0.05
t0 = 1000
OUTPUTS = ("theta",)  # (w, b) after the last step
RTOL = 1e-5  # Keras keeps the learning rate in float32, JAX computes in float32
ATOL = 1e-5
