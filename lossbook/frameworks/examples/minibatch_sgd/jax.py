import jax
import jax.numpy as jnp
import optax

N, D = X.shape
X1 = jnp.column_stack([jnp.asarray(X), jnp.ones(N)])   # rows (x_i, 1), so theta = (w, b)


def batch_loss(theta, xb, yb):
    return jnp.mean((xb @ theta - yb) ** 2)


opt = optax.sgd(learning_rate=lambda t: eta0 / (1 + t / t0))   # a schedule: a function of the step


@jax.jit
def step(theta, state, xb, yb):
    updates, state = opt.update(jax.grad(batch_loss)(theta, xb, yb), state)
    return optax.apply_updates(theta, updates), state


theta = jnp.zeros(D + 1)
state = opt.init(theta)
for perm in perms:
    for k in range(0, N, B):
        i = perm[k:k + B]
        theta, state = step(theta, state, X1[i], jnp.asarray(y[i]))
