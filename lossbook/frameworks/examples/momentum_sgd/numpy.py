import numpy as np


def grad_L(theta):                            # L = (a theta_1^2 + b theta_2^2) / 2
    return np.array([a, b]) * theta


theta, m = np.array(theta0, dtype=float), np.zeros(2)
path = [theta]
for t in range(steps):
    g = grad_L(theta)
    m = beta * m + g                          # PyTorch's buffer: a sum of raw gradients
    theta = theta - lr * (g + beta * m if nesterov else m)
    path.append(theta)
path = np.array(path)
