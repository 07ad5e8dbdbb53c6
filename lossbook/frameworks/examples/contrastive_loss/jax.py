import jax.numpy as jnp

d = jnp.linalg.norm(jnp.asarray(z1) - jnp.asarray(z2), axis=1)   # float32 unless x64 is on
loss = jnp.mean(y * 0.5 * d**2 + (1 - y) * 0.5 * jnp.maximum(0.0, margin - d) ** 2)
