import numpy as np

r_w = lam * (logp_chosen - ref_chosen)          # implied reward of the chosen response
r_l = lam * (logp_rejected - ref_rejected)      # ... and of the rejected one
d = r_w - r_l
loss = np.mean(np.logaddexp(0.0, -d))           # -log sigmoid(d), without overflow
s = np.exp(-np.logaddexp(0.0, d))               # sigmoid(-d): the weight of each pair
d_chosen, d_rejected = -lam * s / len(d), lam * s / len(d)
