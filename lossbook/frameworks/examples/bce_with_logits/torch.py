import torch
import torch.nn.functional as F

logits, target = torch.as_tensor(z), torch.as_tensor(y)
loss = F.binary_cross_entropy_with_logits(logits, target)   # input first, target second
loss_w = F.binary_cross_entropy_with_logits(logits, target, pos_weight=torch.tensor(pos_weight))
# or the module: torch.nn.BCEWithLogitsLoss(pos_weight=...)(logits, target)
