import numpy as np

y_pm = 2 * y - 1                                 # labels in {-1, +1}
hinge = np.maximum(0, 1 - y_pm * z)              # one per example
loss = hinge.mean()
loss_sq = np.mean(hinge ** 2)                    # the squared hinge
