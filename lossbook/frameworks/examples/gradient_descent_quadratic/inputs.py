# Inputs of the gradient-descent tabs: the quadratic L = (a theta_1^2 + b theta_2^2) / 2,
# a start, a learning rate and a number of steps K. The learning rate is exact in binary
# (3/16), so that Keras, which keeps it in float32, takes the same steps as the others.
import numpy as np

a, b = 1.0, 10.0
theta0 = np.array([-4.0, 2.0])
lr = 0.1875
steps = 100
OUTPUTS = ("path",)
RTOL = 1e-5  # JAX computes in float32 by default
ATOL = 1e-5
