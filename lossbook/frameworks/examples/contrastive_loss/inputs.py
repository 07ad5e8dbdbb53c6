# Inputs of the contrastive-loss tabs (Hadsell, Chopra and LeCun 2006): the embeddings z1,
# z2 of N pairs, a pair label y (1 similar, 0 dissimilar) and the margin. The output is
# the mean over the pairs of y d^2 / 2 + (1 - y) max(0, margin - d)^2 / 2.
import numpy as np

_rng = np.random.default_rng(0)
z1, z2 = _rng.normal(size=(2, 8, 3))
y = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0])
margin = 2.0
OUTPUTS = ("loss",)
RTOL = 1e-5  # JAX computes in float32 by default
ATOL = 1e-6
