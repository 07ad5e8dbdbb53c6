import numpy as np
from scipy.special import logsumexp

z = q @ k.T / temperature                                  # (N, N) similarity logits
loss = np.mean(logsumexp(z, axis=1) - np.diag(z))          # positives on the diagonal
