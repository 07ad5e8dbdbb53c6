import torch

x_t, y_t = torch.as_tensor(x), torch.as_tensor(y)        # float64, like x and y
w = torch.zeros((), dtype=torch.float64, requires_grad=True)
b = torch.zeros((), dtype=torch.float64, requires_grad=True)
opt = torch.optim.SGD([w, b], lr=lr)
for t in range(steps):
    y_hat = w * x_t + b                                  # 1. forward
    loss = torch.nn.functional.mse_loss(y_hat, y_t)      # 2. loss
    opt.zero_grad()
    loss.backward()                                      # 3. backward (autograd)
    opt.step()                                           # 4. update
