import keras

z_k = keras.ops.convert_to_tensor(z)
loss = keras.ops.mean(keras.ops.exp(z_k) - y * z_k)     # from the log-rate: a formula
mu = keras.ops.exp(z_k)                                 # the built-in loss takes the rate
loss_rate = keras.losses.Poisson()(y, mu)               # mean of mu - y log(mu + 1e-7)
