import torch
import torch.nn.functional as F

pos_t = torch.tensor(pos, requires_grad=True)
neg_t = torch.tensor(neg, requires_grad=True)
loss = -F.logsigmoid(pos_t - neg_t).mean()      # no torch.nn loss of this name
loss.backward()
d_pos, d_neg = pos_t.grad, neg_t.grad
