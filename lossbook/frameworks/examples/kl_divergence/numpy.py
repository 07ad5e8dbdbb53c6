import numpy as np

kl = np.sum(p * np.log(p / q)) / len(p)          # KL(p || q) of each row, averaged over rows
