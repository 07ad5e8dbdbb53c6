import jax.numpy as jnp
import optax

# optax puts the prediction first: optax.huber_loss(predictions, targets, delta)
huber = optax.huber_loss(jnp.asarray(y_hat), jnp.asarray(y), delta=delta).mean()
# optax has no Smooth L1 loss either: divide Huber(delta=beta) by beta.
smooth_l1 = optax.huber_loss(jnp.asarray(y_hat), jnp.asarray(y), delta=beta).mean() / beta
