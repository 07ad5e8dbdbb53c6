import numpy as np


def grad_L(theta):                            # L = (a theta_1^2 + b theta_2^2) / 2
    return np.array([a, b]) * theta


theta = np.array(theta0, dtype=float)
path = [theta]
for t in range(steps):
    theta = theta - lr * grad_L(theta)        # theta_{t+1} = theta_t - lr * g_t
    path.append(theta)
path = np.array(path)
