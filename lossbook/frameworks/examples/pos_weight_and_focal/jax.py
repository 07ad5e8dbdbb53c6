import jax
import jax.numpy as jnp
import optax

z_j, y_j = jnp.asarray(z), jnp.asarray(y)
loss_pos_weight = jnp.mean(pos_weight * y_j * jax.nn.softplus(-z_j) + (1 - y_j) * jax.nn.softplus(z_j))
focal = optax.losses.sigmoid_focal_loss(z_j, y_j, gamma=gamma).mean()        # alpha=None: off
focal_alpha = optax.losses.sigmoid_focal_loss(z_j, y_j, alpha=alpha, gamma=gamma).mean()
