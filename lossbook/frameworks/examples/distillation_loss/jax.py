import jax
import jax.numpy as jnp
import optax

z_j, v_j = jnp.asarray(z), jnp.asarray(v)
soft = optax.losses.kl_divergence(jax.nn.log_softmax(z_j / T), jax.nn.softmax(v_j / T)).mean()
hard = optax.losses.softmax_cross_entropy_with_integer_labels(z_j, jnp.asarray(y)).mean()
loss = alpha * T**2 * soft + (1 - alpha) * hard
