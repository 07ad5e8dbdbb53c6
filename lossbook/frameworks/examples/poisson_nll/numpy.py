import numpy as np

loss = np.mean(np.exp(z) - y * z)                       # from the log-rate z
mu = np.exp(z)                                          # the rate (the Poisson mean)
loss_rate = np.mean(mu - y * np.log(mu + 1e-8))         # from the rate, as PyTorch does
