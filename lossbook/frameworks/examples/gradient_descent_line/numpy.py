import numpy as np

w, b = 0.0, 0.0
for t in range(steps):
    y_hat = w * x + b                          # 1. forward
    loss = np.mean((y_hat - y) ** 2)           # 2. loss
    dL_dyhat = 2 * (y_hat - y) / len(y)        # 3. backward, by hand
    dw, db = np.sum(dL_dyhat * x), np.sum(dL_dyhat)
    w, b = w - lr * dw, b - lr * db            # 4. update
