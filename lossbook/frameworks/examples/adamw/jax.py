import jax
import jax.numpy as jnp
import optax


def loss_fn(theta):
    return 0.5 * (a * theta[0] ** 2 + b * theta[1] ** 2)


opt = optax.adamw(learning_rate=lr, b1=beta1, b2=beta2, eps=eps, weight_decay=weight_decay)


@jax.jit
def step(theta, state):
    updates, state = opt.update(jax.grad(loss_fn)(theta), state, theta)   # decay needs theta
    return optax.apply_updates(theta, updates), state


theta = jnp.asarray(theta0)                   # float32 unless JAX's x64 mode is on
state = opt.init(theta)
path = [theta]
for t in range(steps):
    theta, state = step(theta, state)
    path.append(theta)
path = jnp.stack(path)
