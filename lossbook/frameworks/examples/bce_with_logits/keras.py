import keras
import tensorflow as tf

loss = keras.losses.BinaryCrossentropy(from_logits=True)(y, z)   # target first
# no pos_weight in Keras; TensorFlow has the weighted form (labels first, then logits):
loss_w = tf.reduce_mean(tf.nn.weighted_cross_entropy_with_logits(y, z, pos_weight=pos_weight))
