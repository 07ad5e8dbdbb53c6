import torch
import torch.nn.functional as F

# Prediction first, then target, then variance; var is clamped at eps=1e-6, full=False
loss = F.gaussian_nll_loss(torch.as_tensor(mu), torch.as_tensor(y), torch.as_tensor(var))
