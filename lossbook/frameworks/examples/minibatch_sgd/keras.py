import keras

model = keras.Sequential([keras.Input((X.shape[1],)),
                          keras.layers.Dense(1, kernel_initializer="zeros", dtype="float64")])
schedule = keras.optimizers.schedules.InverseTimeDecay(
    eta0, decay_steps=t0, decay_rate=1.0)      # eta0 / (1 + t / t0)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
for perm in perms:
    # fit(X, y, shuffle=True) draws its own permutation (the default); we replay ours
    model.fit(X[perm], y[perm], batch_size=B, epochs=1, shuffle=False, verbose=0)
w, b = model.layers[-1].get_weights()
theta = keras.ops.concatenate([w[:, 0], b])
