import torch
import torch.nn.functional as F

logp_w = torch.tensor(logp_chosen, requires_grad=True)     # the policy's log-probabilities
logp_l = torch.tensor(logp_rejected, requires_grad=True)
d = lam * ((logp_w - torch.tensor(ref_chosen)) - (logp_l - torch.tensor(ref_rejected)))
loss = -F.logsigmoid(d).mean()
loss.backward()
d_chosen, d_rejected = logp_w.grad, logp_l.grad
