import jax
import jax.numpy as jnp
import optax


def loss_fn(theta):
    t1, t2 = theta
    return (t1**2 + t2 - 11) ** 2 + (t1 + t2**2 - 7) ** 2


opt = optax.sgd(learning_rate=lr, momentum=beta)   # PyTorch's form


@jax.jit
def step(theta, state):
    updates, state = opt.update(jax.grad(loss_fn)(theta), state)
    return optax.apply_updates(theta, updates), state


theta = jnp.asarray(theta0)                   # float32 unless JAX's x64 mode is on
state = opt.init(theta)
path = [theta]
for t in range(steps):
    theta, state = step(theta, state)
    path.append(theta)
path = jnp.stack(path)
