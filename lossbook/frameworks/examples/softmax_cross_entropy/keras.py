import keras

sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True)  # y: class indices
loss = sparse(y, logits)
one_hot = keras.ops.one_hot(y, logits.shape[1])           # smoothing needs one-hot targets
smoothed = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=alpha)
loss_smooth = smoothed(one_hot, logits)
weighted = keras.losses.SparseCategoricalCrossentropy(
    from_logits=True, reduction="mean_with_sample_weight")          # / sum of the weights
loss_weighted = weighted(y, logits, sample_weight=w[y])
