import jax
import jax.numpy as jnp
import optax


def loss_fn(params):
    A = jnp.tanh(X @ params["W1"] + params["b1"])
    Z = A @ params["W2"] + params["b2"]
    return optax.losses.softmax_cross_entropy_with_integer_labels(Z, y).mean()


params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
loss, grads = jax.value_and_grad(loss_fn)(params)        # reverse mode, traced by JAX
W1_bar, b1_bar, W2_bar, b2_bar = grads["W1"], grads["b1"], grads["W2"], grads["b2"]
