import torch

theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
opt = torch.optim.SGD([theta], lr=lr)
path = [theta.detach().clone()]
for t in range(steps):
    opt.zero_grad()
    loss = 0.5 * (a * theta[0] ** 2 + b * theta[1] ** 2)
    loss.backward()                           # theta.grad = g_t, by autograd
    opt.step()                                # theta -= lr * theta.grad
    path.append(theta.detach().clone())
path = torch.stack(path)
