import jax.numpy as jnp
import optax
from jax.nn import log_sigmoid

loss = optax.sigmoid_binary_cross_entropy(jnp.asarray(z), jnp.asarray(y)).mean()  # logits first
# optax has no pos_weight: -log sigmoid(z) = softplus(-z), -log sigmoid(-z) = softplus(z)
loss_w = jnp.mean(-pos_weight * y * log_sigmoid(z) - (1 - y) * log_sigmoid(-z))
