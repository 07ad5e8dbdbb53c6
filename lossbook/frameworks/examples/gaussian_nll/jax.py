import jax.numpy as jnp

log_var = jnp.log(jnp.asarray(var))
loss = jnp.mean(0.5 * (log_var + (jnp.asarray(y) - jnp.asarray(mu)) ** 2 * jnp.exp(-log_var)))
