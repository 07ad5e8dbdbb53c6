import numpy as np

z_max = logits.max(axis=1, keepdims=True)                 # the max shift: no overflow
log_p = (logits - z_max) - np.log(np.exp(logits - z_max).sum(axis=1, keepdims=True))
nll = -log_p[np.arange(len(y)), y]                        # -log p_y, one per example
loss = nll.mean()
loss_smooth = np.mean((1 - alpha) * nll + alpha * (-log_p).mean(axis=1))
loss_weighted = np.sum(w[y] * nll) / np.sum(w[y])         # divides by the total weight
