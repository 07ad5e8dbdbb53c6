import torch

y_pm = 2 * torch.as_tensor(y) - 1                # labels in {-1, +1}
hinge = torch.clamp(1 - y_pm * torch.as_tensor(z), min=0)   # no built-in binary hinge
loss = hinge.mean()
loss_sq = (hinge ** 2).mean()
