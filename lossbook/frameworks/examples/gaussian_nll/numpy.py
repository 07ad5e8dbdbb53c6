import numpy as np

# Half the log-variance plus the variance-scaled squared error; the constant
# log(2 pi) / 2 is left out, as PyTorch's default full=False does.
loss = np.mean(0.5 * (np.log(var) + (y - mu) ** 2 / var))
