import keras

# Keras puts the target first, and averages over the last axis of each example first.
huber = keras.losses.Huber(delta=delta)(y, y_hat)
# Keras has no Smooth L1 loss: Huber(delta=beta) / beta is the same loss.
smooth_l1 = keras.losses.Huber(delta=beta)(y, y_hat) / beta
