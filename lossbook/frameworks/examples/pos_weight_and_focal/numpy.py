import numpy as np


def softplus(v):
    return np.logaddexp(0, v)                    # log(1 + e^v), without overflow


loss_pos_weight = np.mean(pos_weight * y * softplus(-z) + (1 - y) * softplus(z))
log_p_t = -softplus(-(2 * y - 1) * z)            # log p_t = log sigma(y~ z)
focal_i = -(1 - np.exp(log_p_t)) ** gamma * log_p_t
focal = focal_i.mean()
focal_alpha = np.mean(np.where(y == 1, alpha, 1 - alpha) * focal_i)
