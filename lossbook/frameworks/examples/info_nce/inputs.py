# Inputs of the InfoNCE tabs (van den Oord et al. 2018): N queries q and their N keys k,
# row i of k being the positive of row i of q, and a softmax temperature. The output is
# the mean over the queries of log sum_j exp(q_i . k_j / T) - q_i . k_i / T.
import numpy as np

_rng = np.random.default_rng(0)
q = _rng.normal(size=(8, 4))
k = q + 0.5 * _rng.normal(size=(8, 4))
q /= np.linalg.norm(q, axis=1, keepdims=True)             # unit length: cosine similarities
k /= np.linalg.norm(k, axis=1, keepdims=True)
temperature = 0.1
OUTPUTS = ("loss",)
RTOL = 1e-5  # JAX computes in float32 by default
ATOL = 1e-6
