# Inputs of the MSE / RMSE / MAE tabs: targets y and predictions y_hat of the same shape.
import numpy as np

y = np.array([30.0, 25.0, 40.0, 35.0])      # actual delivery times (min)
y_hat = np.array([28.0, 26.0, 31.0, 35.0])  # predicted (min)
OUTPUTS = ("mse", "rmse", "mae")
RTOL = 1e-6  # Keras and JAX compute in float32 by default
ATOL = 1e-6
