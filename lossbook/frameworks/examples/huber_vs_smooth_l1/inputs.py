# Inputs of the Huber / Smooth L1 tabs: targets y, predictions y_hat, Huber's delta and
# Smooth L1's beta (PyTorch's name for its threshold).
import numpy as np

_rng = np.random.default_rng(0)
y = _rng.normal(size=50)
y_hat = y + 2.0 * _rng.standard_t(df=3, size=50)  # residuals on both sides of the thresholds
delta = 1.5
beta = 0.5
OUTPUTS = ("huber", "smooth_l1")
RTOL = 1e-6  # Keras and JAX compute in float32 by default
ATOL = 1e-6
