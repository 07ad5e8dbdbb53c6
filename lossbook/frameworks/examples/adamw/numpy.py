import numpy as np


def grad_L(theta):                            # L = (a theta_1^2 + b theta_2^2) / 2
    return np.array([a, b]) * theta


theta = np.array(theta0, dtype=float)
m, v = np.zeros_like(theta), np.zeros_like(theta)
path = [theta]
for t in range(steps):
    g = grad_L(theta)
    m = beta1 * m + (1 - beta1) * g           # first moment
    v = beta2 * v + (1 - beta2) * g**2        # second moment
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))   # bias correction
    theta = (1 - lr * weight_decay) * theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    path.append(theta)
path = np.array(path)
