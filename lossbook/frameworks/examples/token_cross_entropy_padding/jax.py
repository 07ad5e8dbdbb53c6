import jax
import jax.numpy as jnp
import optax

real = jnp.asarray(y) != -100                       # optax has no ignore_index:
labels = jnp.where(real, jnp.asarray(y), 0)         # mask the padding yourself


def token_nll(z):
    nll = optax.softmax_cross_entropy_with_integer_labels(z, labels)   # (N, T)
    return jnp.where(real, nll, 0.0)


token_mean, grad = jax.value_and_grad(lambda z: token_nll(z).sum() / real.sum())(
    jnp.asarray(logits))
nll = token_nll(jnp.asarray(logits))
sequence_mean = jnp.mean(nll.sum(axis=1) / real.sum(axis=1))
