import torch
import torch.nn.functional as F

q_t, k_t = torch.tensor(q), torch.tensor(k)
logits = q_t @ k_t.T / temperature
loss = F.cross_entropy(logits, torch.arange(len(q_t)))     # target i for row i
