# Inputs of the line-with-a-bias tabs: 100 points around y = 2x + 1 with x in [0, 1].
import numpy as np

_rng = np.random.default_rng(1)
x = np.sort(_rng.uniform(0.0, 1.0, size=100))
y = 2.0 * x + 1.0 + 0.5 * _rng.standard_normal(100)
OUTPUTS = ("b", "slope")
RTOL = 1e-4  # Keras trains in float32, by gradient descent
ATOL = 1e-4
