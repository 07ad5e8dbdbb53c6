import torch
import torch.nn.functional as F

target, pred = torch.as_tensor(y), torch.as_tensor(y_hat)
# PyTorch puts the prediction first: F.mse_loss(input, target)
mse = F.mse_loss(pred, target)
rmse = torch.sqrt(mse)         # torch.nn has no RMSE loss
mae = F.l1_loss(pred, target)
