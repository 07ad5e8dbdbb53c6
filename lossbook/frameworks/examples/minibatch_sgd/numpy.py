import numpy as np

N, D = X.shape
X1 = np.column_stack([X, np.ones(N)])          # rows (x_i, 1), so theta = (w, b)
theta, t = np.zeros(D + 1), 0
for perm in perms:                             # one shuffle of the examples per epoch
    for k in range(0, N, B):
        i = perm[k:k + B]                      # the last batch may be smaller
        lr_t = eta0 / (1 + t / t0)             # eta_t = eta_0 / (1 + t / t0)
        theta = theta - lr_t * 2 * (X1[i] @ theta - y[i]) @ X1[i] / len(i)
        t += 1
