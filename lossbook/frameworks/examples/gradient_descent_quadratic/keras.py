import keras
import tensorflow as tf

theta = keras.Variable(theta0, dtype="float64")
opt = keras.optimizers.SGD(learning_rate=lr)
path = [theta.numpy()]
for t in range(steps):
    with tf.GradientTape() as tape:
        loss = 0.5 * (a * theta[0] ** 2 + b * theta[1] ** 2)
    opt.apply_gradients([(tape.gradient(loss, theta), theta)])   # theta -= lr * g_t
    path.append(theta.numpy())
