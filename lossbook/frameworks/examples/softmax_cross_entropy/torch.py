import torch
import torch.nn.functional as F

z, labels = torch.as_tensor(logits), torch.as_tensor(y)  # labels: int64 class indices
loss = F.cross_entropy(z, labels)                         # logits FIRST, then the labels
loss_smooth = F.cross_entropy(z, labels, label_smoothing=alpha)
loss_weighted = F.cross_entropy(z, labels, weight=torch.as_tensor(w))   # / sum of w[y]
