import torch
import torch.nn.functional as F

pi_w = torch.tensor(logp_chosen, requires_grad=True)
pi_l = torch.tensor(logp_rejected, requires_grad=True)
d = lam * ((pi_w - torch.tensor(ref_chosen)) - (pi_l - torch.tensor(ref_rejected)))
loss = -F.logsigmoid(d).mean()
loss.backward()
d_chosen, d_rejected = pi_w.grad, pi_l.grad
