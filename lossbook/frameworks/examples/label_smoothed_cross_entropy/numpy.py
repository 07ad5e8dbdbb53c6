import numpy as np

N, C = logits.shape
z = logits - logits.max(axis=1, keepdims=True)            # no overflow in exp
log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))  # log-softmax
t = (1 - alpha) * np.eye(C)[y] + alpha / C                # smoothed one-hot
t_w = t * w                                               # column c times w[c]
total = w[y].sum()                                        # the denominator
loss = -(t_w * log_p).sum() / total
s = t_w.sum(axis=1, keepdims=True)                        # row sums: not 1
grad = (s * np.exp(log_p) - t_w) / total                  # d loss / d logits
