import torch

y_hat_t = torch.tensor(y_hat, requires_grad=True)   # float64, as y_hat
u = torch.as_tensor(y) - y_hat_t
v = u.clamp(-delta, delta)         # clamp before exp: nothing can overflow
e = torch.expm1(a * v)
loss = ((e - a * v) / a**2 + e / a * (u - v)).mean()
loss.backward()                    # autograd differentiates the same formula
grad = y_hat_t.grad
