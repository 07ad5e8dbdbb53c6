# Inputs of the Huberized-LINEX tabs: demand y (items), forecasts y_hat, the
# asymmetry a (per item) and the threshold delta (items) of the linear tails.
import numpy as np

_rng = np.random.default_rng(0)
y = 50.0 + 15.0 * _rng.standard_normal(40)
y_hat = y - 30.0 * _rng.standard_normal(40)   # shortfalls on both sides of +-delta
a = 0.1
delta = 20.0
OUTPUTS = ("loss", "grad")
RTOL = 1e-5  # Keras and JAX compute in float32 by default
ATOL = 1e-5
