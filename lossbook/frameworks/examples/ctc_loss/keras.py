import keras

# y_true padded with 0, which is also the blank; y_pred: logits (N, T_x, C), batch first.
# Keras counts the non-zero labels itself and uses every frame of every sequence.
nll = keras.losses.CTC(reduction=None)(targets, logits)
