import torch

torch.manual_seed(0)
x_t = torch.as_tensor(x).reshape(-1, 1)        # shape (N, 1), float64
y_t = torch.as_tensor(y).reshape(-1, 1)
model = torch.nn.Linear(1, 1, dtype=torch.float64)   # bias=True by default
opt = torch.optim.LBFGS(model.parameters(), max_iter=100, line_search_fn="strong_wolfe",
                        tolerance_grad=1e-12, tolerance_change=0.0)


def closure():
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x_t), y_t)
    loss.backward()
    return loss


opt.step(closure)                              # a quadratic: L-BFGS solves it in a few steps
b, slope = model.bias.item(), model.weight.item()
