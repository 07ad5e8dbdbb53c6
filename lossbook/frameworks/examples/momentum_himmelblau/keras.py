import keras
import tensorflow as tf

theta = keras.Variable(theta0, dtype="float64")
opt = keras.optimizers.SGD(learning_rate=lr, momentum=beta)   # u = beta u - lr g; theta += u
path = [theta.numpy()]
for t in range(steps):
    with tf.GradientTape() as tape:
        t1, t2 = theta[0], theta[1]
        loss = (t1**2 + t2 - 11) ** 2 + (t1 + t2**2 - 7) ** 2
    opt.apply_gradients([(tape.gradient(loss, theta), theta)])
    path.append(theta.numpy())
