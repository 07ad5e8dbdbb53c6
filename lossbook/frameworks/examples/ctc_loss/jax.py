import jax.numpy as jnp
import optax

N, T_x = logits.shape[:2]
label_paddings = (jnp.arange(targets.shape[1]) >= jnp.asarray(target_lengths)[:, None]) * 1.0
nll = optax.losses.ctc_loss(jnp.asarray(logits), jnp.zeros((N, T_x)),   # logits batch first
                            jnp.asarray(targets), label_paddings, blank_id=0)
