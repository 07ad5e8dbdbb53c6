import keras

logits = keras.ops.matmul(keras.ops.convert_to_tensor(q), keras.ops.transpose(k)) / temperature
ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
loss = ce(keras.ops.arange(len(q)), logits)                # target i for row i
