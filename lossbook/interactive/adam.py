r"""Adam's betas, its bias correction and a learning-rate schedule, on a noisy valley.

One figure (see :mod:`lossbook.interactive`), ``"adam_schedule"``: Adam
(:class:`lossbook.optim.Adam`, ``torch.optim.Adam``'s rule) on the valley
:math:`L = \tfrac12(\theta_1^2 + 50\,\theta_2^2)` of
:func:`lossbook.landscapes.quadratic`, fed the gradient plus Gaussian noise of standard
deviation :data:`NOISE` per coordinate (a stand-in for a mini-batch gradient), for
:data:`STEPS` steps from :math:`(-4, 2)`.  Two versions are drawn at once (a
:class:`~lossbook.interactive.Series`): Adam as published, with the bias correction,
and Adam without it, whose step divides the raw averages,
:math:`\eta_t\,\mathbf m_{t+1}/(\sqrt{\mathbf v_{t+1}} + \epsilon)`.

The uncorrected version is the same optimizer with its learning rate multiplied by
:math:`r_{t+1} = (1 - \beta_1^{t+1})/\sqrt{1 - \beta_2^{t+1}}` at step :math:`t`
(:func:`uncorrected_factor`), which undoes both corrections exactly, except that
:math:`\epsilon` then acts as :math:`\epsilon\sqrt{1 - \beta_2^{t+1}}`, a difference of
less than :math:`10^{-8}` in the denominator.

Controls: the learning rate :math:`\eta_0` (log scale), the schedule (:func:`make_schedule`:
constant, step decay, cosine decay, linear warm-up then cosine), :math:`\beta_1` and
:math:`\beta_2`.  Panels: the paths, the loss against the step, and the effective
learning rate (the schedule's :math:`\eta_t`, times :math:`r_{t+1}` without the
correction) with the largest coordinate of each actual step, :math:`\lVert
\theta_{t+1} - \theta_t \rVert_\infty`.

Example:
    >>> out = adam_run(version="uncorrected", lr=0.1, schedule="constant", beta1=0.9, beta2=0.999)
    >>> round(float(out["eff"][0] / 0.1), 3)                     # r_1 = 0.1 / sqrt(0.001)
    3.162
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import landscapes as _landscapes
from lossbook import optim as _optim

from .playground import display_path
from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Rule, Series, Slider, grid, log_grid
from .step_size import level_sets

__all__ = ["LEARNING_RATES", "SCHEDULES", "STEPS", "NOISE", "VERSIONS", "make_schedule", "uncorrected_factor",
           "valley", "adam_run", "FIGURE"]

#: The static page's initial learning rates, half a decade apart.
LEARNING_RATES = log_grid(10**-1.5, 10**-0.5, 2)
#: The schedules of the menu.
SCHEDULES = ("constant", "step", "cosine", "warmup")
#: Steps of every run, and the standard deviation of the gradient noise per coordinate.
STEPS = 120
NOISE = 2.0
#: The series: Adam with and without its bias correction.
VERSIONS = ("corrected", "uncorrected")
#: Axes (log scales): values beyond them are drawn at their edges.
_LOSS = (1e-4, 1e3)
_STEP = (1e-4, 10.0)


def make_schedule(name: str, lr: float, steps: int = STEPS):
    r"""The learning rate :math:`\eta_t` of step ``t`` under the schedule ``name``, as a function.

    * ``"constant"``: :math:`\eta_t = \eta_0`;
    * ``"step"``: :func:`lossbook.optim.step_decay`, a drop by 0.3 every third of the run;
    * ``"cosine"``: :func:`lossbook.optim.cosine_decay` from :math:`\eta_0` to 0 over the run;
    * ``"warmup"``: a linear warm-up from :math:`\eta_0/10` over the first tenth of the
      run, then the cosine over the rest (:func:`lossbook.optim.cosine_decay` with
      ``warmup_steps``).

    Example:
        >>> [round(make_schedule("warmup", 1.0, 100)(t), 3) for t in (0, 5, 10, 100)]
        [0.1, 0.55, 1.0, 0.0]
    """
    if name == "constant":
        return lambda t: lr
    if name == "step":
        return functools.partial(_optim.step_decay, lr=lr, step_size=steps // 3, gamma=0.3)
    if name == "cosine":
        return functools.partial(_optim.cosine_decay, lr=lr, T_max=steps)
    if name == "warmup":
        w = steps // 10
        return functools.partial(_optim.cosine_decay, lr=lr, T_max=steps - w, warmup_steps=w)
    raise ValueError(f"make_schedule: name must be one of {', '.join(SCHEDULES)}, got {name!r}")


def uncorrected_factor(t, beta1: float, beta2: float):
    r""":math:`r_{t+1} = (1 - \beta_1^{t+1})/\sqrt{1 - \beta_2^{t+1}}`: the uncorrected step over the corrected one.

    At step :math:`t` (0, 1, ...) Adam has averaged :math:`t + 1` gradients; for a
    constant gradient the uncorrected step is :math:`r_{t+1}` times the corrected one.

    Example:
        >>> round(float(uncorrected_factor(0, 0.9, 0.999)), 4)
        3.1623
    """
    n = np.asarray(t, dtype=np.float64) + 1.0
    return (1.0 - beta1**n) / np.sqrt(1.0 - beta2**n)


@functools.lru_cache(maxsize=1)
def valley() -> _landscapes.Landscape:
    """``landscapes.quadratic(1, 50)``: the axis-aligned valley of the chapter on adaptive methods."""
    return _landscapes.quadratic(1.0, 50.0)


@functools.lru_cache(maxsize=1)
def _levels() -> dict:
    return level_sets(np.diag([1.0, 50.0]), radii=(1.5, 3.0, 6.0, 12.0, 24.0))


def _noisy_grad(land, seed: int = 0):
    rng = np.random.default_rng(seed)
    return lambda th: land.grad(th) + NOISE * rng.standard_normal(np.shape(th))


def adam_run(*, version: str, lr: float, schedule: str = "constant", beta1: float = 0.9, beta2: float = 0.999,
             steps: int = STEPS) -> dict:
    r"""What the figure draws for one version of Adam (``"corrected"`` or ``"uncorrected"``).

    Returns:
        The valley's level sets (``cx``, ``cy``, ``cx2``, ``cy2``,
        :func:`.step_size.level_sets`), the start ``sx``/``sy``, the drawn path
        ``px``/``py``, the loss ``k``/``f`` (clipped to the axis), the effective learning
        rate ``t``/``eff`` and the largest coordinate of each step ``ts``/``step`` (both
        clipped to the axis), ``final`` (the mean loss over the last 20 steps),
        ``message``, and the run as :func:`lossbook.optim.run` made it: ``trajectory``,
        the ``optimizer``, the gradients it was fed (``grads``, ``(steps, 2)``) and the
        learning rate of each step (``lrs``).
    """
    if version not in VERSIONS:
        raise ValueError(f"adam_run: version must be one of {', '.join(VERSIONS)}, got {version!r}")
    land = valley()
    eta = make_schedule(schedule, lr, steps)
    t = np.arange(steps)
    eff = np.array([eta(i) for i in t])
    if version == "uncorrected":
        eff = eff * uncorrected_factor(t, beta1, beta2)
    opt = _optim.Adam(lr=lr, betas=(beta1, beta2))
    noisy, fed = _noisy_grad(land), []

    def grad(theta):
        fed.append(noisy(theta))
        return fed[-1]

    run = _optim.run(opt, grad, land.default_start, steps, loss_fn=land.f, lr_schedule=lambda i: float(eff[i]))
    path = display_path(land, run)
    step = np.abs(np.diff(run.params, axis=0)).max(axis=1)
    keep = np.isfinite(run.losses)
    final = float(np.mean(run.losses[-20:]))
    (lo, hi), (slo, shi) = _LOSS, _STEP
    ok = np.isfinite(step)
    return {
        **_levels(), "sx": float(land.default_start[0]), "sy": float(land.default_start[1]),
        "zero": 0.0, "px": path[:, 0], "py": path[:, 1],
        "k": np.flatnonzero(keep), "f": np.clip(run.losses[keep], lo, hi),
        "t": t, "eff": np.clip(eff, slo, shi), "ts": t[ok], "step": np.clip(step[ok], slo, shi),
        "final": final, "trajectory": run, "optimizer": opt, "grads": np.array(fed), "lrs": eff,
        "message": (f"largest step {step[ok].max():.2g} (t = {int(np.argmax(step[ok]))}), "
                    f"final loss {final:.2g} (mean of the last 20 steps)"
                    + ("" if run.diverged_at is None else f"; diverged at step {run.diverged_at}")),
    }


_PATH = Panel(
    title="paths on the valley (κ = 50)", subtitle="noisy gradients; grey: level sets",
    xlabel="θ₁ (curvature 1)", ylabel="θ₂ (curvature 50)", xdomain=(-5.0, 5.0), ydomain=(-3.0, 3.0),
    marks=(Rule(x="cx", y="cy", x2="cx2", y2="cy2", color="#999999", width=1.0, shared=True, name="level_sets"),
           Line(x="px", y="py", width=1.2, name="path"),
           Point(x="zero", y="zero", shape="diamond", size=90, fill="white", color="#000000", shared=True),
           Point(x="sx", y="sy", shape="square", size=70, filled=False, color="#000000", shared=True)),
)
_LOSS_PANEL = Panel(
    title="loss against the step", subtitle="log scale",
    xlabel="step t", ylabel="loss L(θ_t)", yscale="log", xdomain=(0, STEPS), ydomain=_LOSS, legend=True,
    marks=(Line(x="k", y="f", width=1.5, name="loss"),),
)
_STEPS = Panel(
    title="effective learning rate and actual steps", subtitle="lines: η_t (× r_t without correction); dots: steps",
    xlabel="step t", ylabel="size (log scale)", yscale="log", xdomain=(0, STEPS), ydomain=_STEP,
    width=440, height=170,
    marks=(Line(x="t", y="eff", width=2.0, name="eff"),
           Point(x="ts", y="step", size=8, opacity=0.6, name="steps")),
)

#: Adam's betas, bias correction and schedule (registered as ``"adam_schedule"``).
FIGURE = register(Figure(
    name="adam_schedule", compute=adam_run,
    controls=(
        Slider(name="lr", values=LEARNING_RATES, default=LEARNING_RATES[2], scale="log", live=(1e-3, 1.0, 0.05),
               label="learning rate η₀", fmt=".3g"),
        Menu(name="schedule", options=SCHEDULES, default="constant",
             labels=("constant", "step decay", "cosine decay", "warm-up + cosine")),
        Slider(name="beta1", values=grid(0.0, 0.9, 0.45), default=0.9, live=(0.0, 0.99, 0.01), label="β₁",
               fmt=".2f"),
        Menu(name="beta2", options=(0.99, 0.999), default=0.999, live=(0.9, 0.99, 0.999, 0.9999), label="β₂"),
    ),
    series=Series(name="version", options=VERSIONS, default=VERSIONS, label="Adam",
                  labels=("with bias correction", "without"),
                  styles={"corrected": ("#D55E00", "-"), "uncorrected": ("#0072B2", "--")}),
    panels=(_PATH, _LOSS_PANEL, _STEPS), rows=((0, 1), (2,)), message="message", width=215, height=215,
    alt="Adam with and without its bias correction on a noisy valley: the paths, the losses against the step, "
        "and the effective learning rate with the actual step sizes; controls for the learning rate, the "
        "schedule and the two betas.",
))
