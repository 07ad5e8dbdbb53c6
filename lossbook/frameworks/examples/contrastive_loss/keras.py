import keras

d = keras.ops.norm(keras.ops.convert_to_tensor(z1 - z2), axis=1)
loss = keras.ops.mean(y * 0.5 * d**2 + (1 - y) * 0.5 * keras.ops.relu(margin - d) ** 2)
