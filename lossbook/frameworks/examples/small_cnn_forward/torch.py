import torch
from torch import nn

model = nn.Sequential(                # images (N, 1, 8, 8): channels first
    nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(),
    nn.MaxPool2d(2),                  # (N, 16, 4, 4)
    nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),
    nn.MaxPool2d(2),                  # (N, 32, 2, 2)
    nn.Flatten(),                     # 128 features: (channel, row, column)
    nn.Linear(32 * 2 * 2, 10),        # logits; the loss applies the softmax
)
n_params = sum(p.numel() for p in model.parameters())

with torch.no_grad():                 # the shared weights, PyTorch's layout
    for p, w in zip(model.parameters(), (W1, b1, W2, b2, W3, b3)):
        p.copy_(torch.as_tensor(w))
    logits = model(torch.as_tensor(x))
