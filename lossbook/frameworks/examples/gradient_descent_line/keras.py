import tensorflow as tf

x_t, y_t = tf.constant(x), tf.constant(y)               # float64, like x and y
w = tf.Variable(0.0, dtype=tf.float64)
b = tf.Variable(0.0, dtype=tf.float64)                  # the intercept: do not forget it
for t in range(steps):
    with tf.GradientTape() as tape:                      # records the forward pass
        y_hat = w * x_t + b                              # 1. forward
        loss = tf.reduce_mean(tf.square(y_hat - y_t))    # 2. loss
    dw, db = tape.gradient(loss, [w, b])                 # 3. backward (autodiff)
    w.assign_sub(lr * dw)                                # 4. update
    b.assign_sub(lr * db)
