import numpy as np

d = np.linalg.norm(z1 - z2, axis=1)                       # distance of each pair
loss = np.mean(y * 0.5 * d**2 + (1 - y) * 0.5 * np.maximum(0.0, margin - d) ** 2)
