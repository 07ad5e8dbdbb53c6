import torch
import torch.nn.functional as F

params = {k: torch.tensor(v, requires_grad=True)        # float64, like the NumPy arrays
          for k, v in {"W1": W1, "b1": b1, "W2": W2, "b2": b2}.items()}
A = torch.tanh(torch.as_tensor(X) @ params["W1"] + params["b1"])
loss = F.cross_entropy(A @ params["W2"] + params["b2"], torch.as_tensor(y))
loss.backward()                                          # reverse mode on the recorded graph
W1_bar, b1_bar = params["W1"].grad, params["b1"].grad
W2_bar, b2_bar = params["W2"].grad, params["b2"].grad
