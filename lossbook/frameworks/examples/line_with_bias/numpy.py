import numpy as np

X = np.column_stack([np.ones_like(x), x])      # the column of ones is the bias
b, slope = np.linalg.lstsq(X, y, rcond=None)[0]
