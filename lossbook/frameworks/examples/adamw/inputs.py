# Inputs of the AdamW tabs: the quadratic L = (a theta_1^2 + b theta_2^2) / 2, a start, and
# AdamW's hyperparameters. The learning rate, the betas and the weight decay are exact in
# binary (Keras keeps the learning rate in float32 and rounds the betas to float32), and
# epsilon is small, because Keras adds its epsilon to the uncorrected sqrt(v) where the
# others add it to the bias-corrected one: with a large epsilon the Keras tab differs.
import numpy as np

a, b = 1.0, 50.0
theta0 = np.array([-4.0, 2.0])
lr = 2.0**-4
beta1, beta2 = 0.875, 1 - 2.0**-10
eps = 1e-8
weight_decay = 0.5
steps = 60
OUTPUTS = ("path",)
RTOL = 1e-5  # JAX computes in float32 by default
ATOL = 1e-5
