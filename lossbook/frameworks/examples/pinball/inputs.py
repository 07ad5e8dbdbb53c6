# Inputs of the pinball-loss tabs: targets y, predictions y_hat, the quantile level tau.
import numpy as np

_rng = np.random.default_rng(0)
y = _rng.normal(size=50)
y_hat = _rng.normal(size=50)
tau = 0.9
OUTPUTS = ("loss",)
RTOL = 1e-6  # Keras and JAX compute in float32 by default
ATOL = 1e-7
