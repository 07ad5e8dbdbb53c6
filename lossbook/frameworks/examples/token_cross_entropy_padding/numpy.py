import numpy as np

N, T, C = logits.shape
real = y != -100                                           # (N, T) mask of real tokens
z = logits - logits.max(axis=-1, keepdims=True)            # no overflow in exp
log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))  # log-softmax
labels = np.where(real, y, 0)                              # any class at padding
nll = -np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0] * real
token_mean = nll.sum() / real.sum()                        # divide by real tokens
sequence_mean = np.mean(nll.sum(axis=1) / real.sum(axis=1))
one_hot = np.eye(C)[labels]
grad = (np.exp(log_p) - one_hot) * real[..., None] / real.sum()
