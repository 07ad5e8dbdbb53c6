import jax.numpy as jnp
import optax

y_pm = 2 * jnp.asarray(y) - 1                    # labels in {-1, +1}
hinge = optax.losses.hinge_loss(jnp.asarray(z), y_pm)       # scores first, then targets
loss = hinge.mean()
loss_sq = jnp.mean(hinge ** 2)
