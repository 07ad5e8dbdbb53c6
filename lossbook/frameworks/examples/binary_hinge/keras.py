import keras

y_pm = 2 * y - 1                                 # Keras would convert 0/1 itself, silently
loss = keras.losses.Hinge()(y_pm, z)             # target first
loss_sq = keras.losses.SquaredHinge()(y_pm, z)
