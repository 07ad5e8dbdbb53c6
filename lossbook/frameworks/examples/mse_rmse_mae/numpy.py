import numpy as np

r = y_hat - y                  # residuals, prediction minus target
mse = np.mean(r**2)
rmse = np.sqrt(mse)
mae = np.mean(np.abs(r))
