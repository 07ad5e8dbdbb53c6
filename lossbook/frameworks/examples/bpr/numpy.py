import numpy as np

# softplus(v) = log(1 + e^v) = max(v, 0) + log1p(e^-|v|): no overflow at any v
softplus = lambda v: np.maximum(v, 0.0) + np.log1p(np.exp(-np.abs(v)))
x = pos - neg                                   # the score differences z_ui - z_uj
loss = np.mean(softplus(-x))                    # -log sigmoid(x)
s = np.exp(-softplus(x))                        # sigmoid(-x), the weight of each pair
d_pos, d_neg = -s / len(x), s / len(x)          # gradients of the mean
