import jax.numpy as jnp

u = jnp.asarray(y) - jnp.asarray(y_hat)
loss = jnp.mean(jnp.maximum(tau * u, (tau - 1) * u))
