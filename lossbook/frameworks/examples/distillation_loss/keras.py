import keras
from keras import ops

soft = keras.losses.KLDivergence()(ops.softmax(v / T), ops.softmax(z / T))   # clips at 1e-7
hard = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, z)
loss = alpha * T**2 * soft + (1 - alpha) * hard
