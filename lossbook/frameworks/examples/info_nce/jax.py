import jax.numpy as jnp
import optax

logits = jnp.asarray(q) @ jnp.asarray(k).T / temperature   # float32 unless x64 is on
loss = optax.softmax_cross_entropy_with_integer_labels(logits, jnp.arange(len(q))).mean()
