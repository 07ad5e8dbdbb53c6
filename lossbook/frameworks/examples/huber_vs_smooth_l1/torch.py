import torch
import torch.nn.functional as F

target, pred = torch.as_tensor(y), torch.as_tensor(y_hat)
# PyTorch puts the prediction first: F.huber_loss(input, target)
huber = F.huber_loss(pred, target, delta=delta)         # nn.HuberLoss(delta=delta)
smooth_l1 = F.smooth_l1_loss(pred, target, beta=beta)   # nn.SmoothL1Loss(beta=beta)
