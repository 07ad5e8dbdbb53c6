import keras
import tensorflow as tf


def linex_huber(y_true, y_pred, a=0.1, delta=20.0):
    """A Keras loss: a function of (y_true, y_pred), one value per example."""
    u = y_true - y_pred
    v = keras.ops.clip(u, -delta, delta)
    e = keras.ops.expm1(a * v)
    return keras.ops.mean((e - a * v) / a**2 + e / a * (u - v), axis=-1)


# model.compile(optimizer="adam", loss=linex_huber) trains with it;
# here, its value and its gradient:
y_hat_v = tf.Variable(y_hat[:, None])        # (N, 1): one forecast per row
with tf.GradientTape() as tape:
    y_true = tf.constant(y[:, None])
    loss = keras.ops.mean(linex_huber(y_true, y_hat_v, a, delta))
grad = tape.gradient(loss, y_hat_v)[:, 0]
