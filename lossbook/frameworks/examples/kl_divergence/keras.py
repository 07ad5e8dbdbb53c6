import keras

kl = keras.losses.KLDivergence()(p, q)           # p first; clips both to [1e-7, 1]
