import numpy as np
from lossbook import losses

log_probs = logits - np.logaddexp.reduce(logits, axis=2, keepdims=True)   # log-softmax
N, T_x = logits.shape[:2]
nll = losses.ctc(targets, log_probs.transpose(1, 0, 2),                    # time first
                 input_lengths=np.full(N, T_x), target_lengths=target_lengths,
                 reduction="none")                                         # -log p(l_n | x_n)
