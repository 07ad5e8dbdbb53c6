import numpy as np

# softplus(v) = log(1 + e^v), computed as max(v, 0) + log1p(exp(-|v|)): nothing overflows
softplus = lambda v: np.maximum(v, 0.0) + np.log1p(np.exp(-np.abs(v)))
loss = np.mean(y * softplus(-z) + (1 - y) * softplus(z))
loss_w = np.mean(pos_weight * y * softplus(-z) + (1 - y) * softplus(z))
