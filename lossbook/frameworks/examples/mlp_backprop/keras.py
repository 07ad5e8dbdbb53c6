import tensorflow as tf

params = {k: tf.Variable(v) for k, v in {"W1": W1, "b1": b1, "W2": W2, "b2": b2}.items()}
with tf.GradientTape() as tape:                          # records the forward pass
    A = tf.tanh(tf.constant(X) @ params["W1"] + params["b1"])
    Z = A @ params["W2"] + params["b2"]
    loss = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=Z))
grads = tape.gradient(loss, params)                      # reverse mode on the tape
W1_bar, b1_bar, W2_bar, b2_bar = grads["W1"], grads["b1"], grads["W2"], grads["b2"]
