import keras
import tensorflow as tf

theta = keras.Variable(theta0, dtype="float64")
# Keras's epsilon is added to the uncorrected sqrt(v) ("epsilon hat"): not PyTorch's eps
opt = keras.optimizers.AdamW(learning_rate=lr, beta_1=beta1, beta_2=beta2, epsilon=eps,
                             weight_decay=weight_decay)
path = [theta.numpy()]
for t in range(steps):
    with tf.GradientTape() as tape:
        loss = 0.5 * (a * theta[0] ** 2 + b * theta[1] ** 2)
    opt.apply_gradients([(tape.gradient(loss, theta), theta)])   # decay, then the Adam step
    path.append(theta.numpy())
