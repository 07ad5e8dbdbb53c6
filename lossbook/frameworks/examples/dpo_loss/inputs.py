# Inputs of the DPO tabs (Rafailov et al. 2023): for each of N preference pairs, the
# log-probability (summed over the tokens) of the chosen and of the rejected response
# under the policy being trained and under the frozen reference model, and lam, the
# strength of the KL penalty (the paper's beta). The outputs are the mean DPO loss and
# its gradients with respect to the policy's two log-probabilities.
import numpy as np

_rng = np.random.default_rng(0)
ref_chosen = -_rng.uniform(20.0, 80.0, size=8)
ref_rejected = -_rng.uniform(20.0, 80.0, size=8)
logp_chosen = ref_chosen + _rng.normal(0.0, 5.0, size=8)
logp_rejected = ref_rejected + _rng.normal(0.0, 5.0, size=8)
lam = 0.1
OUTPUTS = ("loss", "d_chosen", "d_rejected")
RTOL = 1e-12  # both tabs compute in float64
ATOL = 1e-15
