r"""Failing training runs and their repairs: a menu for the failure, a switch for the fix.

One figure (see :mod:`lossbook.interactive`), ``"training_failures"``: pairs of training
runs of the same model, one broken by a single wrong value (a learning rate, a missing
standardization, a softmax before the loss, a hand-written logarithm, a large
initialization, shuffled labels) and one with that value repaired.  A menu picks the
failure, a checkbox applies the repair.  It draws, per optimizer step,

* the training loss (log scale), with the other run of the pair in grey behind it, a
  reference level where one helps (:math:`\ln C`, the loss of a model that predicts
  the class frequencies, or a floor the broken loss cannot cross), and a cross where
  the loss first became NaN or infinite; and
* the global L2 norm of the gradient before clipping, with the clipping threshold
  when the repair is clipping.

A run is a :class:`lossbook.train.History` (or a dict with ``step_loss`` and
``step_grad_norm``); non-finite values are left out of the lines and marked.  Values
outside :data:`LOSS_DOMAIN` and :data:`GRAD_DOMAIN` are drawn at the axis' edge.

The registered figure shows a few failures of a small MLP on scikit-learn's digits
(:func:`digits_failure_runs`, trained on first use); a chapter shows its own runs
with :func:`figure`::

    interactive.show(training_failures.figure({
        "lr_high": {"broken": h_high, "repaired": h_ok, "label": "learning rate too high",
                    "switch": "lr = 4 -> 0.5", "level": math.log(10), "level_label": "ln 10"},
        ...}))

Importing this module imports NumPy only; :func:`digits_failure_runs` imports PyTorch.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Checkbox, Figure, Line, Menu, Panel, Point, Rule, Text

__all__ = ["LOSS_DOMAIN", "GRAD_DOMAIN", "DEFAULT_FAILURES", "digits_failure_runs", "training_failure",
           "figure", "FIGURE"]

#: The loss axis (log scale); values outside are drawn at its edges.
LOSS_DOMAIN = (1e-3, 1e4)
#: The gradient-norm axis (log scale).
GRAD_DOMAIN = (1e-3, 1e5)
#: The failures of the registered figure: ``key -> (menu label, (broken value, repaired value))``.
DEFAULT_FAILURES = {
    "lr_high": ("learning rate too high", ("lr=4", "lr=0.5")),
    "lr_low": ("learning rate too low", ("lr=0.005", "lr=0.5")),
    "probabilities": ("softmax before CrossEntropyLoss", ("softmax head", "logits")),
    "exploding": ("exploding gradients", ("grad_clip=None", "grad_clip=20")),
    "shuffled": ("labels shuffled", ("labels shuffled", "labels aligned")),
}


def _deep_init(model, scale, seed):
    """Weights drawn N(0, scale^2 / fan_in), biases zero (He's scale is sqrt(2))."""
    import torch

    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, torch.nn.Linear):
                layer.weight.normal_(0.0, scale / math.sqrt(layer.in_features), generator=g)
                layer.bias.zero_()
    return model


@functools.lru_cache(maxsize=2)
def digits_failure_runs(epochs: int = 5, seed: int = 0) -> dict:
    r"""The runs of the registered figure: the failures of :data:`DEFAULT_FAILURES`.

    A ReLU MLP with 64 hidden units (``lossbook.nets.mlp((64, 64, 10), seed=seed)``)
    trained by plain SGD (batch 64, learning rate 0.5) on the cross-entropy of the
    training split of :func:`lossbook.data.digits_split`, with
    :func:`lossbook.train.fit` on the CPU; each failure changes one value.  The
    exploding-gradient pair is an 8-hidden-layer MLP initialized with weights of
    standard deviation :math:`2.5/\sqrt{\text{fan-in}}` and trained at rate 0.05,
    without and with clipping of the gradient norm at 20.

    Returns:
        ``{key: {"broken": History, "repaired": History, "label", "switch", "level",
        "level_label", "clip"}}``, the argument :func:`figure` takes.
    """
    import warnings

    import torch

    from lossbook import data, nets
    from lossbook.train import fit

    d = data.digits_split(seed=0)
    ce = torch.nn.CrossEntropyLoss()

    def run(lr=0.5, head="logits", labels="aligned", depth=1, scale=None, clip=None):
        model = nets.mlp((64,) + (64,) * depth + (10,), seed=seed)
        if scale is not None:
            _deep_init(model, scale, seed)
        if head == "softmax":
            model = torch.nn.Sequential(model, torch.nn.Softmax(dim=1))
        y = d.y_train if labels == "aligned" else np.random.default_rng(seed).permutation(d.y_train)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fit(model, ce, (d.X_train, y), epochs=epochs, batch_size=64, lr=lr, optimizer="sgd",
                       seed=seed, grad_clip=clip, device="cpu", on_nonfinite="stop")

    ok = run()
    pairs = {
        "lr_high": (run(lr=4.0), ok, math.log(10), "ln 10", None),
        "lr_low": (run(lr=0.005), ok, math.log(10), "ln 10", None),
        "probabilities": (run(head="softmax"), ok, math.log(1 + 9 / math.e), "floor ln(1 + 9/e)", None),
        "exploding": (run(lr=0.05, depth=8, scale=2.5), run(lr=0.05, depth=8, scale=2.5, clip=20.0),
                      None, "", 20.0),
        "shuffled": (run(labels="shuffled"), ok, math.log(10), "ln 10", None),
    }
    return {k: {"broken": b, "repaired": r, "label": DEFAULT_FAILURES[k][0], "switch": DEFAULT_FAILURES[k][1],
                "level": lv, "level_label": ll, "clip": c} for k, (b, r, lv, ll, c) in pairs.items()}


def _curves(run):
    if hasattr(run, "step_loss"):
        return np.asarray(run.step_loss, float), np.asarray(run.step_grad_norm, float)
    return np.asarray(run["step_loss"], float), np.asarray(run["step_grad_norm"], float)


def _finite(values, domain):
    """Steps and values of the finite entries, clipped into ``domain``."""
    keep = np.isfinite(values)
    return np.flatnonzero(keep), np.clip(values[keep], *domain)


def training_failure(*, failure, repair, runs=None):
    r"""The curves of one failure: the broken run, or (``repair=True``) the repaired one.

    Args:
        failure: a key of ``runs``.
        repair: False: the broken run in front; True: the repaired run in front.
        runs: ``{key: {"broken": run, "repaired": run, "label": str, "switch": (str, str),
            "level": float or None, "level_label": str, "clip": float or None}}``
            with each run a :class:`lossbook.train.History` or a dict with
            ``step_loss`` and ``step_grad_norm`` (None: :func:`digits_failure_runs`).
            ``switch`` names the value of the broken and of the repaired run (shown in
            the message); ``level`` is a reference loss drawn as a line; ``clip`` the
            clipping threshold of the repaired run.

    Returns:
        The outputs the figure draws: ``t``/``loss`` and ``t_other``/``loss_other``
        (finite losses of the shown and the other run, clipped to :data:`LOSS_DOMAIN`),
        ``t_g``/``grad`` and ``t_g_other``/``grad_other`` (gradient norms),
        ``nan_t``/``nan_y`` (the first non-finite loss, or None) and ``nan_text`` at
        ``nan_tx``/``nan_ty``,
        the reference level's segment ``lv_x``, ``lv_y``, ``lv_x2``, ``lv_y2`` and its
        ``lv_text``, the clipping threshold's segment ``clip_x``... (or None), ``t_dom``,
        ``last`` (the last finite loss of the shown run) and a ``message``.

    Example:
        >>> out = training_failure(failure="lr_high", repair=True)
        >>> bool(out["last"] < 1.0), out["nan_t"] is None
        (True, True)
    """
    runs = digits_failure_runs() if runs is None else runs
    if failure not in runs:
        raise ValueError(f"training_failure: failure must be one of {sorted(runs)}, got {failure!r}")
    entry = runs[failure]
    shown, other = (entry["repaired"], entry["broken"]) if repair else (entry["broken"], entry["repaired"])
    L, G = _curves(shown)
    L_o, G_o = _curves(other)
    n = max(len(L), len(L_o))
    t, loss = _finite(L, LOSS_DOMAIN)
    t_o, loss_o = _finite(L_o, LOSS_DOMAIN)
    t_g, grad = _finite(G, GRAD_DOMAIN)
    t_g_o, grad_o = _finite(G_o, GRAD_DOMAIN)
    bad = np.flatnonzero(~np.isfinite(L))
    nan_t = int(bad[0]) if bad.size else None
    level = entry.get("level")
    clip = entry.get("clip") if repair else None
    last = float(L[np.isfinite(L)][-1]) if np.isfinite(L).any() else math.nan
    switch = entry.get("switch", ("broken", "repaired"))
    state = switch[1] if repair else switch[0]
    if nan_t is not None:
        outcome = f"loss {L[nan_t]} at step {nan_t}, stopped"
    else:
        outcome = f"last loss {last:.3g}, largest |g| {np.nanmax(G):.3g}"
    return {
        "t": t, "loss": loss, "t_other": t_o, "loss_other": loss_o,
        "t_g": t_g, "grad": grad, "t_g_other": t_g_o, "grad_other": grad_o,
        "nan_t": nan_t, "nan_y": None if nan_t is None else LOSS_DOMAIN[1] / 2,
        "nan_text": None if nan_t is None else "NaN/inf",
        "nan_tx": 0.0 if nan_t is None else float(nan_t), "nan_ty": LOSS_DOMAIN[1] / 8,
        "lv_x": None if level is None else 0.0, "lv_x2": None if level is None else float(n),
        "lv_y": level, "lv_y2": level,
        "lv_text": None if level is None else entry.get("level_label", ""),
        "lv_tx": 0.02 * n, "lv_ty": 1.6 * (level if level is not None else 1.0),
        "clip_x": None if clip is None else 0.0, "clip_x2": None if clip is None else float(n),
        "clip_y": clip, "clip_y2": clip,
        "t_dom": (0, n), "last": last,
        "message": f"{state}: {outcome}",
    }


def figure(runs=None, *, default=None, name="training_failures") -> Figure:
    """The figure for ``runs`` (see :func:`training_failure`); None: :func:`digits_failure_runs`.

    The menu offers the keys of ``runs`` in their order, labelled by their ``label``,
    starting at ``default`` (else the first).
    """
    keys = tuple(DEFAULT_FAILURES if runs is None else runs)
    labels = tuple(DEFAULT_FAILURES[k][0] for k in keys) if runs is None else \
        tuple(runs[k].get("label", k) for k in keys)
    blue, grey, black, verm = OKABE_ITO["blue"], OKABE_ITO["grey"], OKABE_ITO["black"], OKABE_ITO["vermillion"]
    return Figure(
        name=name,
        compute=training_failure,
        controls=[
            Menu(name="failure", options=keys, default=default or keys[0], labels=labels, label="failure"),
            Checkbox(name="repair", default=False, label="apply the repair"),
        ],
        panels=[
            Panel(title="Training loss of every step", subtitle="grey: the other run of the pair",
                  xlabel="step t", ylabel="loss (log scale)", yscale="log", xdomain="t_dom",
                  ydomain=LOSS_DOMAIN,
                  marks=[Line(x="t_other", y="loss_other", color=grey, width=1.0, name="other"),
                         Rule(x="lv_x", y="lv_y", x2="lv_x2", y2="lv_y2", color=black, width=1.0, name="level"),
                         Text(text="lv_text", x="lv_tx", y="lv_ty", size=10),
                         Line(x="t", y="loss", color=blue, width=1.5, name="loss"),
                         Point(x="nan_t", y="nan_y", shape="cross", size=80, color=verm, name="nan"),
                         Text(text="nan_text", x="nan_tx", y="nan_ty", size=10)]),
            Panel(title="Gradient norm before clipping", subtitle="grey: the other run of the pair",
                  xlabel="step t", ylabel="L2 norm (log scale)", yscale="log", xdomain="t_dom",
                  ydomain=GRAD_DOMAIN,
                  marks=[Line(x="t_g_other", y="grad_other", color=grey, width=1.0, name="other_grad"),
                         Rule(x="clip_x", y="clip_y", x2="clip_x2", y2="clip_y2", color=verm, width=1.0,
                              name="clip"),
                         Line(x="t_g", y="grad", color=blue, width=1.5, name="grad")]),
        ],
        message="message",
        fixed={"runs": runs},
        width=230, height=200,
        alt=("Two panels against the optimizer step: the training loss and the gradient norm of a run broken "
             "by one wrong value, or of the same run repaired, with the other run in grey; a menu picks the "
             "failure and a checkbox applies the repair."),
    )


#: The registered figure, on :func:`digits_failure_runs` (trained on its first call, not at import).
FIGURE = register(figure())
