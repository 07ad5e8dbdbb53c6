import jax.numpy as jnp
import optax

kl = optax.losses.kl_divergence(jnp.log(q), p).mean()   # log q first, then p; one value per row
