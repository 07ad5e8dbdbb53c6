import torch
import torch.nn.functional as F

z = torch.tensor(logits, requires_grad=True)
target = torch.as_tensor(y)
C = z.shape[-1]
token_mean = F.cross_entropy(z.reshape(-1, C), target.reshape(-1),
                             ignore_index=-100)    # the default: real tokens
token_mean.backward()
grad = z.grad
nll = F.cross_entropy(z.reshape(-1, C), target.reshape(-1), ignore_index=-100,
                      reduction="none").reshape(target.shape)   # 0 at padding
sequence_mean = (nll.sum(dim=1) / (target != -100).sum(dim=1)).mean()
