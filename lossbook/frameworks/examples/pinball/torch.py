import torch

u = torch.as_tensor(y) - torch.as_tensor(y_hat)
loss = torch.maximum(tau * u, (tau - 1) * u).mean()
