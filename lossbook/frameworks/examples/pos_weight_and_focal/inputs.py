# Inputs of the imbalanced-classes tabs: 0/1 labels y, logits z, the positive class's
# weight pos_weight, the focal loss's gamma and alpha.
import numpy as np

_rng = np.random.default_rng(0)
y = _rng.integers(0, 2, size=20).astype(float)
z = _rng.normal(scale=3.0, size=20)
pos_weight = 7.5
gamma = 2.0
alpha = 0.25
OUTPUTS = ("loss_pos_weight", "focal", "focal_alpha")
RTOL = 1e-5  # Keras computes in float32, its focal loss from the sigmoid's output
ATOL = 1e-7
