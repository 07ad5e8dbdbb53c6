# Inputs of the Poisson-loss tabs: counts y and the log-rates z = log(mu) a model predicts.
# Every tab computes the mean Poisson NLL without the log(y!) term, once from the log-rate
# (loss) and once from the rate mu = e^z (loss_rate, where each library adds a small
# epsilon inside the log: 1e-8 in PyTorch, 1e-7 in Keras).
import numpy as np

y = np.array([0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0])
z = np.log(y + 0.7)
OUTPUTS = ("loss", "loss_rate")
RTOL = 1e-6  # Keras computes in float32 by default, and its epsilon is 1e-7, not 1e-8
ATOL = 1e-7
