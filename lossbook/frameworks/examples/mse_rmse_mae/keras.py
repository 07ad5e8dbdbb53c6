import keras

# Keras puts the target first: loss(y_true, y_pred)
mse = keras.losses.MeanSquaredError()(y, y_hat)
mae = keras.losses.MeanAbsoluteError()(y, y_hat)
rmse_metric = keras.metrics.RootMeanSquaredError()  # a metric, not a loss
rmse_metric.update_state(y, y_hat)
rmse = rmse_metric.result()
