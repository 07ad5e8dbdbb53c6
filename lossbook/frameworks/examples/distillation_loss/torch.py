import torch
import torch.nn.functional as F

z_t, v_t = torch.as_tensor(z), torch.as_tensor(v)
soft = F.kl_div(F.log_softmax(z_t / T, dim=1),        # log q^T first
                F.softmax(v_t.detach() / T, dim=1),   # p^T; no gradient into the teacher
                reduction="batchmean")                # NOT the default "mean"
loss = alpha * T**2 * soft + (1 - alpha) * F.cross_entropy(z_t, torch.as_tensor(y))
