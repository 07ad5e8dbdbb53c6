import keras


def pinball(y_true, y_pred, tau=0.9):
    """A Keras loss: any function of (y_true, y_pred) that returns a loss per example."""
    u = y_true - y_pred
    return keras.ops.mean(keras.ops.maximum(tau * u, (tau - 1) * u), axis=-1)


# model.compile(optimizer="adam", loss=pinball) would train with it; here we evaluate it.
loss = pinball(keras.ops.convert_to_tensor(y[None, :]), keras.ops.convert_to_tensor(y_hat[None, :]), tau)[0]
