# Inputs of the momentum tabs on Himmelblau's function
# L(theta) = (theta_1^2 + theta_2 - 11)^2 + (theta_1 + theta_2^2 - 7)^2, a non-convex surface
# with four minima: a start, a learning rate, a momentum (PyTorch's heavy ball) and K steps.
# Keras keeps the learning rate in float32 and JAX computes in float32 by default, so they
# agree with the float64 tabs to about 1e-6, not to the last digit.
import numpy as np

theta0 = np.array([0.0, 0.0])
lr = 0.01
beta = 0.9
steps = 100
OUTPUTS = ("path",)
RTOL = 1e-5
ATOL = 1e-5
