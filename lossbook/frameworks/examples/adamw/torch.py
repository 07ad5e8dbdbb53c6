import torch

theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
opt = torch.optim.AdamW([theta], lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
path = [theta.detach().clone()]
for t in range(steps):
    opt.zero_grad()
    loss = 0.5 * (a * theta[0] ** 2 + b * theta[1] ** 2)
    loss.backward()
    opt.step()                                # decoupled decay, then the Adam step
    path.append(theta.detach().clone())
path = torch.stack(path)
