import torch

z1_t, z2_t, y_t = (torch.tensor(v) for v in (z1, z2, y))
d = torch.linalg.norm(z1_t - z2_t, dim=1)   # F.pairwise_distance would add 1e-6 inside the norm
loss = (y_t * 0.5 * d**2 + (1 - y_t) * 0.5 * torch.relu(margin - d) ** 2).mean()
