import torch

theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
opt = torch.optim.SGD([theta], lr=lr, momentum=beta)
path = [theta.detach().clone()]
for t in range(steps):
    opt.zero_grad()
    t1, t2 = theta
    loss = (t1**2 + t2 - 11) ** 2 + (t1 + t2**2 - 7) ** 2
    loss.backward()                           # autograd instead of the hand-written gradient
    opt.step()
    path.append(theta.detach().clone())
path = torch.stack(path)
