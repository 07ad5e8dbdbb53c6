# Inputs of the training-loop tabs: 50 points around y = 2x + 1 (x, y), the learning
# rate lr and the number of steps; every tab fits the line y_hat = w x + b by gradient
# descent on the mean squared error, from w = b = 0.
from lossbook import data as _data

x, y = _data.linear()  # float64, shape (50,)
lr = 0.1
steps = 200
OUTPUTS = ("w", "b")
RTOL = 1e-5  # JAX computes in float32 by default; the other tabs agree to 1e-12
ATOL = 1e-6
