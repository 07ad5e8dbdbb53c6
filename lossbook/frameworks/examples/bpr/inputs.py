# Inputs of the BPR tabs (Rendle et al. 2009): the scores pos of items users interacted
# with and the scores neg of sampled items, paired elementwise. The outputs are the mean
# of -log sigmoid(pos - neg) and its gradients with respect to pos and to neg.
import numpy as np

_rng = np.random.default_rng(0)
pos = _rng.normal(1.0, 2.0, size=12)
neg = _rng.normal(0.0, 2.0, size=12)
pos[:2], neg[:2] = [40.0, -40.0], [-40.0, 40.0]    # one pair far in order, one far out of it
OUTPUTS = ("loss", "d_pos", "d_neg")
RTOL = 1e-12  # both tabs compute in float64
ATOL = 1e-15
