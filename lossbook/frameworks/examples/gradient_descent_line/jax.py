import jax
import jax.numpy as jnp


def loss_fn(w, b):
    y_hat = w * x + b                                    # 1. forward
    return jnp.mean((y_hat - y) ** 2)                    # 2. loss


grad_fn = jax.jit(jax.grad(loss_fn, argnums=(0, 1)))    # 3. backward (autodiff), compiled
w, b = 0.0, 0.0
for t in range(steps):
    dw, db = grad_fn(w, b)
    w, b = w - lr * dw, b - lr * db                      # 4. update
