import torch
import torch.nn.functional as F

z_t, y_t = torch.as_tensor(z), torch.as_tensor(y)
loss = F.poisson_nll_loss(z_t, y_t)                     # log_input=True, full=False
loss_rate = F.poisson_nll_loss(z_t.exp(), y_t, log_input=False)   # adds eps=1e-8
