r"""Dynamic loss scaling in float16: the scale, the skipped steps and the gradients lost.

One figure (see :mod:`lossbook.interactive`), ``"loss_scale_dynamics"``: a dynamic
loss scaler with the rules of ``torch.amp.GradScaler`` (:func:`scale_path`) run on a
synthetic sequence of gradients (:func:`gradient_model`) for :data:`STEPS` steps.
At step :math:`t` the largest gradient entry has the magnitude :math:`2^{\gamma_t}`,

.. math::

    \gamma_t = -2 - 6\,t / K + 0.4\,\xi_t, \qquad \xi_t \sim \mathcal N(0, 1),

so the gradients shrink as training goes on (from about :math:`2^{-2}` to
:math:`2^{-8}`), and the bulk of the entries is spread far below it:
:math:`\log_2 |g| \sim \mathcal N(\gamma_t - 16, 4^2)`.  A share ``spike_rate`` of the
steps holds an ``inf`` whatever the scale (a bad batch, a division by zero).  With the
scale :math:`S` the scaled gradient overflows float16 when
:math:`S\, 2^{\gamma_t} \ge 65520` (the values that round to ``inf``), and an entry
flushes to zero when :math:`S\,|g| < 2^{-25}` (half the smallest subnormal
:math:`2^{-24}`: it rounds to 0).  The figure draws

* :math:`\log_2 S` against the step, under the ceiling :math:`\log_2(65520) - \gamma_t`
  (the largest scale that does not overflow), with the skipped steps marked;
* the share of the gradient entries that flush to zero at the scale used, against
  the share without scaling (:math:`S = 1`).

Sliders: the growth interval (GradScaler's ``growth_interval``, default 2000) and
the share of steps with an ``inf``.  Importing this module imports NumPy only.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Panel, Point, Slider

__all__ = ["STEPS", "FP16_OVERFLOW", "FLUSH_LOG2", "SPREAD", "BULK_BELOW", "GROWTH_INTERVALS", "SPIKE_RATES",
           "gradient_model", "scale_path", "flushed_share", "loss_scale_dynamics", "FIGURE"]

#: Steps of the drawn run (K).
STEPS = 4000
#: The smallest magnitude that float16 rounds to ``inf``: 65504 + half a spacing of 32.
FP16_OVERFLOW = 65520.0
#: log2 of the largest magnitude that float16 rounds to 0: half its smallest subnormal 2^-24.
FLUSH_LOG2 = -25.0
#: Standard deviation of log2 |g| of the gradient entries ...
SPREAD = 4.0
#: ... and how many powers of two their centre sits below the largest entry.
BULK_BELOW = 16.0
#: The static page's growth intervals (up to GradScaler's default, 2000) and shares of steps with an inf.
GROWTH_INTERVALS = (250.0, 500.0, 750.0, 1000.0, 1250.0, 1500.0, 1750.0, 2000.0)
SPIKE_RATES = (0.0, 0.001, 0.002, 0.003, 0.004)
#: Points of the drawn lines that do not depend on the controls (every 10th step) and windows of the flushed share.
_EVERY = 10
_WINDOW = 20
_SHARE = (1e-4, 100.0)
#: The scale axis (log2 S); smaller scales are drawn at its floor.
_LOG2_SCALE = (-4.0, 26.0)


@functools.lru_cache(maxsize=4)
def gradient_model(steps: int = STEPS, seed: int = 0):
    r"""``(log2_top, u)``: log2 of each step's largest gradient entry (:math:`\gamma_t`), and the
    uniform numbers that place the spikes.

    A step ``t`` holds an ``inf`` when ``u[t] < spike_rate``: the spikes of a smaller rate
    are among those of a larger one.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    log2_top = -2.0 - 6.0 * t / steps + 0.4 * rng.standard_normal(steps)
    u = rng.random(steps)
    return log2_top, u


def scale_path(overflow, steps, *, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5,
               growth_interval=2000):
    """The scale of every step and whether the step was skipped, by ``torch.amp.GradScaler``'s rules.

    Args:
        overflow: ``overflow(t, scale) -> bool``: whether the gradient of step ``t``,
            scaled by ``scale``, holds an ``inf`` or ``NaN``.
        steps: the number of steps.
        init_scale, growth_factor, backoff_factor, growth_interval: GradScaler's
            arguments, with its defaults.

    A step that overflows is skipped and multiplies the scale by ``backoff_factor``
    (and restarts the count of good steps); ``growth_interval`` good steps in a row
    multiply it by ``growth_factor``.

    Returns:
        ``(scales, skipped)``: the scale used at each step (float64), and whether the
        step was skipped (bool).

    Example:
        >>> scales, skipped = scale_path(lambda t, s: t == 2, 6, init_scale=8.0, growth_interval=2)
        >>> scales.tolist()
        [8.0, 8.0, 16.0, 8.0, 8.0, 16.0]
        >>> skipped.tolist()
        [False, False, True, False, False, False]
    """
    scale, good = float(init_scale), 0
    scales, skipped = np.empty(steps), np.zeros(steps, dtype=bool)
    for t in range(steps):
        scales[t] = scale
        if overflow(t, scale):
            skipped[t] = True
            scale *= backoff_factor
            good = 0
        else:
            good += 1
            if good == growth_interval:
                scale *= growth_factor
                good = 0
    return scales, skipped


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(x, dtype=np.float64) / math.sqrt(2.0)))


def flushed_share(log2_scale, log2_top) -> np.ndarray:
    r"""Share of the gradient entries that round to 0 in float16 at scale ``2**log2_scale``.

    The entries of a step whose largest entry is ``2**log2_top`` have
    :math:`\log_2 |g| \sim \mathcal N(\text{log2\_top} - 16, 4^2)`; those below
    :math:`2^{-25}` after scaling round to 0.
    """
    centre = np.asarray(log2_top) - BULK_BELOW
    return _normal_cdf((FLUSH_LOG2 - np.asarray(log2_scale) - centre) / SPREAD)


class _Overflow:
    """The overflow test of the model: an ``inf`` in the step, or S 2^gamma_t at or above 65520."""

    def __init__(self, log2_top, spikes):
        self.log2_top, self.spikes = log2_top, spikes

    def __call__(self, t, scale):
        return bool(self.spikes[t]) or scale * 2.0 ** self.log2_top[t] >= FP16_OVERFLOW


def _windowed(x: np.ndarray) -> np.ndarray:
    return x[: len(x) // _WINDOW * _WINDOW].reshape(-1, _WINDOW).mean(axis=1)


@functools.lru_cache(maxsize=1)
def _fixed(steps: int):
    """What does not depend on the controls: the ceiling and the share flushed without scaling."""
    log2_top, _ = gradient_model(steps)
    t = np.arange(steps)
    ceiling = math.log2(FP16_OVERFLOW) - log2_top
    unscaled = 100 * _windowed(flushed_share(0.0, log2_top))
    return {"ct": t[::_EVERY].astype(float), "ceiling": ceiling[::_EVERY],
            "lt": _windowed(t.astype(float)), "unscaled": np.clip(unscaled, *_SHARE)}


def loss_scale_dynamics(*, growth_interval=2000, spike_rate=0.001, init_scale=2.0**16, steps=STEPS) -> dict:
    """What the figure draws for a growth interval and a share of steps with an ``inf``.

    Returns the scale as a step line (``st``, ``sy`` = log2 S at each change),
    the ceiling (``ct``, ``ceiling``), the skipped steps (``skip_t``, ``skip_y``), the
    share of flushed entries in percent per window of 20 steps (``lt``, ``lost``,
    and ``unscaled`` for S = 1; floored at 1e-4 %), the run itself (``scales``,
    ``skipped``, ``spikes``) and the numbers ``n_skipped``, ``n_spikes``,
    ``mean_log2_scale``, ``mean_lost`` (percent, over all steps) and ``message``.
    """
    log2_top, u = gradient_model(steps)
    spikes = u < spike_rate
    scales, skipped = scale_path(_Overflow(log2_top, spikes), steps, init_scale=init_scale,
                                 growth_interval=int(round(growth_interval)))
    log2_s = np.log2(scales)
    change = np.flatnonzero(np.diff(log2_s)) + 1
    st = np.concatenate([[0.0], np.repeat(change, 2).astype(float), [steps - 1.0]])
    sy = np.clip(np.repeat(log2_s[np.concatenate([[0], change])], 2), *_LOG2_SCALE)
    lost = 100 * flushed_share(log2_s, log2_top)
    n_skipped, n_spikes = int(skipped.sum()), int(spikes.sum())
    fixed = _fixed(steps)
    return {
        **fixed, "st": st, "sy": sy,
        "skip_t": np.flatnonzero(skipped).astype(float), "skip_y": np.clip(log2_s[skipped], *_LOG2_SCALE),
        "lost": np.clip(_windowed(lost), *_SHARE),
        "scales": scales, "skipped": skipped, "spikes": spikes,
        "n_skipped": n_skipped, "n_spikes": n_spikes, "mean_log2_scale": float(log2_s.mean()),
        "mean_lost": float(lost.mean()),
        "message": (f"{n_skipped} steps skipped ({n_spikes} inf, {n_skipped - n_spikes} overflow); "
                    f"mean log₂ S {log2_s.mean():.1f}; {lost.mean():.2g}% flushed"),
    }


_BLUE, _GREY, _RED = OKABE_ITO["blue"], OKABE_ITO["grey"], OKABE_ITO["vermillion"]

#: The loss-scale figure (registered as ``"loss_scale_dynamics"``).
FIGURE = register(Figure(
    name="loss_scale_dynamics", compute=loss_scale_dynamics,
    controls=(
        Slider(name="growth_interval", values=GROWTH_INTERVALS, default=2000.0, integer=True,
               live=(25.0, 4000.0, 25.0), label="growth interval (good steps)", fmt=".0f"),
        Slider(name="spike_rate", values=SPIKE_RATES, default=0.001, live=(0.0, 0.01, 0.0002),
               label="share of steps with an inf", fmt=".4f"),
    ),
    panels=(
        Panel(title="loss scale S", subtitle="grey: the overflow ceiling; crosses: skipped steps",
              xlabel="step t", ylabel="log₂ S", xdomain=(0, STEPS), ydomain=_LOG2_SCALE,
              marks=(Line(x="ct", y="ceiling", color=_GREY, width=1.0, name="ceiling"),
                     Line(x="st", y="sy", color=_BLUE, width=2.0, name="scale"),
                     Point(x="skip_t", y="skip_y", shape="cross", size=40, color=_RED, name="skipped"))),
        Panel(title="gradient entries flushed to zero", subtitle="blue: at the scale used; grey: without scaling",
              xlabel="step t", ylabel="% of the entries", yscale="log", xdomain=(0, STEPS), ydomain=_SHARE,
              marks=(Line(x="lt", y="unscaled", color=_GREY, width=1.0, name="unscaled"),
                     Line(x="lt", y="lost", color=_BLUE, width=2.0, name="lost"))),
    ),
    message="message", width=230, height=220,
    alt="A dynamic loss scaler in float16: left, the log2 of the scale against the step under the ceiling "
        "above which the gradients overflow, with the skipped steps marked; right, the share of gradient "
        "entries that flush to zero at that scale and without scaling. Sliders move the growth interval and "
        "the share of steps that hold an inf.",
))
