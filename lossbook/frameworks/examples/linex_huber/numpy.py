import numpy as np

u = y - y_hat                      # > 0: the forecast fell short
v = np.clip(u, -delta, delta)      # the exponent never exceeds a * delta
e = np.expm1(a * v)                # e^(a v) - 1, accurate near 0
# LINEX on [-delta, delta], continued by its tangent lines outside:
loss = np.mean((e - a * v) / a**2 + e / a * (u - v))
grad = -(e / a) / u.size           # d loss / d y_hat, by hand: -psi(u) / N
