import keras
import tensorflow as tf

z = tf.Variable(logits)
C = logits.shape[1]
t = (1 - alpha) * keras.ops.one_hot(y, C, dtype=z.dtype) + alpha / C
t_w = t * w                                          # column c times w[c]
with tf.GradientTape() as tape:
    # log_softmax written out: CategoricalCrossentropy's gradient
    # assumes that every row of t_w sums to 1
    log_p = keras.ops.log_softmax(z, axis=-1)
    loss = -keras.ops.sum(t_w * log_p) / keras.ops.sum(keras.ops.take(w, y))
grad = tape.gradient(loss, z)
