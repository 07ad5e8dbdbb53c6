import torch

data = torch.utils.data.TensorDataset(torch.as_tensor(X), torch.as_tensor(y))
model = torch.nn.Linear(X.shape[1], 1, dtype=torch.float64)
torch.nn.init.zeros_(model.weight)             # start at theta = 0, as the other tabs
torch.nn.init.zeros_(model.bias)
opt = torch.optim.SGD(model.parameters(), lr=eta0)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1 / (1 + t / t0))
for perm in perms:
    # DataLoader(data, batch_size=B, shuffle=True) draws its own permutation (the default,
    # shuffle=False, does not shuffle at all); the sampler replays ours.
    loader = torch.utils.data.DataLoader(data, batch_size=B, sampler=perm.tolist())
    for xb, yb in loader:
        loss = torch.nn.functional.mse_loss(model(xb).squeeze(1), yb)   # (B, 1) -> (B,)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()                           # once per step, not per epoch
theta = torch.cat([model.weight[0], model.bias]).detach()
