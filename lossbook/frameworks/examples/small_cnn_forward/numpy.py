import numpy as np


def conv3x3(a, kernel, bias):
    """3x3 cross-correlation with zero padding 1 (the size is kept)."""
    n, c, rows, cols = a.shape
    a_pad = np.pad(a, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((n, kernel.shape[0], rows, cols), dtype=a.dtype)
    for u in range(3):
        for v in range(3):
            window = a_pad[:, :, u:u + rows, v:v + cols]
            out += np.einsum("nchw,oc->nohw", window, kernel[:, :, u, v])
    return out + bias[:, None, None]


def relu_maxpool(a):
    """ReLU, then the largest value of each 2x2 block."""
    n, c, rows, cols = a.shape
    blocks = np.maximum(a, 0).reshape(n, c, rows // 2, 2, cols // 2, 2)
    return blocks.max(axis=(3, 5))


a1 = relu_maxpool(conv3x3(x, W1, b1))           # (N, 16, 4, 4)
a2 = relu_maxpool(conv3x3(a1, W2, b2))          # (N, 32, 2, 2)
features = a2.reshape(len(x), -1)               # (channel, row, column)
logits = features @ W3.T + b3                   # (N, 10)
n_params = sum(w.size for w in (W1, b1, W2, b2, W3, b3))
