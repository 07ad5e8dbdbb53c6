import keras

model = keras.Sequential([            # images (N, 8, 8, 1): channels last
    keras.Input(shape=(8, 8, 1)),
    keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
    keras.layers.MaxPooling2D(2),     # (N, 4, 4, 16)
    keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
    keras.layers.MaxPooling2D(2),     # (N, 2, 2, 32)
    keras.layers.Flatten(),           # 128 features: (row, column, channel)
    keras.layers.Dense(10),           # logits; the loss applies the softmax
])
n_params = model.count_params()

# PyTorch's layout -> Keras's: kernels (out, in, h, w) -> (h, w, in, out),
# and the dense weights reordered for the other flatten order.
dense = W3.reshape(10, 32, 2, 2).transpose(2, 3, 1, 0).reshape(128, 10)
model.set_weights([W1.transpose(2, 3, 1, 0), b1,
                   W2.transpose(2, 3, 1, 0), b2, dense, b3])
logits = model(x.transpose(0, 2, 3, 1))   # (N, 1, 8, 8) -> (N, 8, 8, 1)
