import torch
import torch.nn.functional as F

N, T_x = logits.shape[:2]
log_probs = F.log_softmax(torch.as_tensor(logits), dim=2).transpose(0, 1)   # (T_x, N, C)
nll = F.ctc_loss(log_probs, torch.as_tensor(targets), input_lengths=torch.full((N,), T_x),
                 target_lengths=torch.as_tensor(target_lengths), blank=0, reduction="none")
