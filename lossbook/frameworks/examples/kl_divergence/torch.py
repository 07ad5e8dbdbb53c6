import torch
import torch.nn.functional as F

p_t, q_t = torch.as_tensor(p), torch.as_tensor(q)
kl = F.kl_div(q_t.log(), p_t, reduction="batchmean")   # log q FIRST, then p; not the default "mean"
