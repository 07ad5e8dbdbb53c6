import torch
import torch.nn.functional as F

z = torch.tensor(logits, requires_grad=True)
loss = F.cross_entropy(z, torch.as_tensor(y), weight=torch.as_tensor(w),
                       label_smoothing=alpha)      # divides by sum of w[y_i]
loss.backward()
grad = z.grad
