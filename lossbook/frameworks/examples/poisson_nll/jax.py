import jax.numpy as jnp

loss = jnp.mean(jnp.exp(z) - y * z)                     # from the log-rate z
mu = jnp.exp(z)
loss_rate = jnp.mean(mu - y * jnp.log(mu + 1e-8))
