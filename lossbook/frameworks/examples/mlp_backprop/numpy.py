import numpy as np

U = X @ W1 + b1                                  # forward pass, keeping A for the backward
A = np.tanh(U)
Z = A @ W2 + b2                                  # logits, shape (N, C)
Z_max = Z.max(axis=1, keepdims=True)
P_hat = np.exp(Z - Z_max) / np.exp(Z - Z_max).sum(axis=1, keepdims=True)
N, C = Z.shape
loss = -np.mean(np.log(P_hat[np.arange(N), y]))
Z_bar = (P_hat - np.eye(C)[y]) / N               # backward pass, written by hand
W2_bar, b2_bar = A.T @ Z_bar, Z_bar.sum(axis=0)
A_bar = Z_bar @ W2.T
U_bar = A_bar * (1 - A**2)
W1_bar, b1_bar = X.T @ U_bar, U_bar.sum(axis=0)
