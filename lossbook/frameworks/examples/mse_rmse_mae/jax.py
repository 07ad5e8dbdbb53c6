import jax.numpy as jnp
import optax

# optax puts the prediction first; optax.l2_loss would be half the squared error
mse = optax.squared_error(jnp.asarray(y_hat), jnp.asarray(y)).mean()
rmse = jnp.sqrt(mse)
mae = jnp.abs(jnp.asarray(y_hat) - jnp.asarray(y)).mean()
