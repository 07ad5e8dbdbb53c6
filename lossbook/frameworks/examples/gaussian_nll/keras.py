import keras


def gaussian_nll(y_true, y_pred):
    """A Keras loss for a model with two outputs per example: the mean and the log-variance."""
    mean, log_var = y_pred[..., 0], y_pred[..., 1]
    return 0.5 * (log_var + (y_true[..., 0] - mean) ** 2 * keras.ops.exp(-log_var))


model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(2)])  # (mean, log-variance)
model.compile(optimizer="adam", loss=gaussian_nll)  # trains with it; here we evaluate it
y_pred = keras.ops.stack([mu, keras.ops.log(var)], axis=-1)  # what such a model outputs
loss = keras.ops.mean(gaussian_nll(keras.ops.expand_dims(y, -1), y_pred))
