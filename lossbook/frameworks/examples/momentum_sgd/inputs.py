# Inputs of the momentum tabs: the quadratic L = (a theta_1^2 + b theta_2^2) / 2, a start,
# a learning rate and a momentum exact in binary (Keras keeps both in float32), heavy ball
# or Nesterov, and a number of steps K.
import numpy as np

a, b = 1.0, 100.0
theta0 = np.array([-4.0, 2.0])
lr = 2.0**-7
beta = 0.875
nesterov = False
steps = 60
OUTPUTS = ("path",)
RTOL = 1e-5  # JAX computes in float32 by default
ATOL = 1e-5
