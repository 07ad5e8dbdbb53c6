import numpy as np

r = y_hat - y
a = np.abs(r)
huber = np.mean(np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta)))
smooth_l1 = np.mean(np.where(a < beta, 0.5 * r**2 / beta, a - 0.5 * beta))
