import jax
import jax.numpy as jnp


def loss_fn(params):
    b, slope = params
    return jnp.mean((slope * x + b - y) ** 2)


step = jax.jit(lambda p: p - 0.5 * jax.grad(loss_fn)(p))   # gradient descent, learning rate 0.5
params = jnp.zeros(2)
for _ in range(400):
    params = step(params)
b, slope = params
