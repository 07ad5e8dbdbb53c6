import numpy as np


def grad_L(theta):                            # gradient of Himmelblau's function, by hand
    t1, t2 = theta
    u, w = t1**2 + t2 - 11, t1 + t2**2 - 7
    return np.array([4 * t1 * u + 2 * w, 2 * u + 4 * t2 * w])


theta, m = np.array(theta0, dtype=float), np.zeros(2)
path = [theta]
for t in range(steps):
    m = beta * m + grad_L(theta)              # PyTorch's buffer: a sum of raw gradients
    theta = theta - lr * m
    path.append(theta)
path = np.array(path)
