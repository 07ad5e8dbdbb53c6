# Inputs of the BCE-with-logits tabs: labels y in {0, 1}, logits z, and the weight of the
# positive class, pos_weight.
import numpy as np

_rng = np.random.default_rng(0)
y = (_rng.uniform(size=20) < 0.3).astype(float)
z = 3.0 * _rng.normal(size=20)
pos_weight = 3.0
OUTPUTS = ("loss", "loss_w")
RTOL = 1e-6  # Keras and JAX compute in float32 by default
ATOL = 1e-6
