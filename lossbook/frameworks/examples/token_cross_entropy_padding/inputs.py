# Inputs of the tabs on a language model's loss over padded sentences: logits (N, T, C),
# batch first, and the next-token labels y (N, T), padded with -100 past each sentence's
# end. Outputs: the mean over the real tokens of the batch (what PyTorch's default
# computes), the mean over sentences of each sentence's mean, and the gradient of the
# token mean with respect to the logits (zero at the padded positions).
import numpy as np

_rng = np.random.default_rng(0)
logits = _rng.normal(size=(3, 6, 5))
y = _rng.integers(0, 5, size=(3, 6))
y[1, 4:] = -100                                   # sentence 2: 4 tokens, then padding
y[2, 2:] = -100                                   # sentence 3: 2 tokens
OUTPUTS = ("token_mean", "sequence_mean", "grad")
RTOL = 1e-5  # JAX computes in float32 by default
ATOL = 1e-6
