# Inputs of the small-CNN tabs: a batch of images x (N, 1, 8, 8) and the weights of
# the network in PyTorch's layout: convolution kernels W1 (16, 1, 3, 3) and
# W2 (32, 16, 3, 3) as (out, in, rows, columns), the dense layer W3 (10, 128) as
# (out, in), and the biases b1, b2, b3. Every tab builds the same network, loads
# these weights and computes its number of parameters and the logits of the batch.
import numpy as np

_rng = np.random.default_rng(0)


def _normal(scale, *shape):
    return _rng.normal(0.0, scale, size=shape).astype(np.float32)


x = _rng.uniform(0.0, 1.0, size=(5, 1, 8, 8)).astype(np.float32)
W1, b1 = _normal(0.5, 16, 1, 3, 3), _normal(0.1, 16)
W2, b2 = _normal(0.1, 32, 16, 3, 3), _normal(0.1, 32)
W3, b3 = _normal(0.1, 10, 128), _normal(0.1, 10)
OUTPUTS = ("n_params", "logits")
RTOL = 1e-5  # float32 everywhere: sums of a few hundred products in different orders
ATOL = 1e-5
