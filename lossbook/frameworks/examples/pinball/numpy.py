import numpy as np

u = y - y_hat                                  # residual, target minus prediction
loss = np.mean(np.maximum(tau * u, (tau - 1) * u))
