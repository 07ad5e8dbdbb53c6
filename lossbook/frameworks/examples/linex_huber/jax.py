import jax
import jax.numpy as jnp


def linex_huber(y_hat):
    u = jnp.asarray(y) - y_hat
    v = jnp.clip(u, -delta, delta)
    e = jnp.expm1(a * v)
    return jnp.mean((e - a * v) / a**2 + e / a * (u - v))


loss, grad = jax.value_and_grad(linex_huber)(jnp.asarray(y_hat))
