import jax
import jax.numpy as jnp
import optax

z, labels = jnp.asarray(logits), jnp.asarray(y)
nll = optax.losses.softmax_cross_entropy_with_integer_labels(z, labels)   # one per example
loss = nll.mean()
targets = optax.smooth_labels(jax.nn.one_hot(labels, z.shape[1]), alpha)
loss_smooth = optax.losses.softmax_cross_entropy(z, targets).mean()
loss_weighted = jnp.sum(w[y] * nll) / jnp.sum(w[y])
