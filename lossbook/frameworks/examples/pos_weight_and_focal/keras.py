import keras
import tensorflow as tf

per_example = tf.nn.weighted_cross_entropy_with_logits(labels=y, logits=z, pos_weight=pos_weight)
loss_pos_weight = tf.reduce_mean(per_example)    # Keras's own losses have no pos_weight
focal = keras.losses.BinaryFocalCrossentropy(gamma=gamma, from_logits=True)(
    y[:, None], z[:, None])                      # alpha is ignored without class balancing
focal_alpha = keras.losses.BinaryFocalCrossentropy(
    gamma=gamma, alpha=alpha, apply_class_balancing=True, from_logits=True)(y[:, None], z[:, None])
