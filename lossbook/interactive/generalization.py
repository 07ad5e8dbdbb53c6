r"""Regularization on the training curves: weight decay, dropout and where early stopping stops.

One figure (see :mod:`lossbook.interactive`), ``"regularization_curves"``: the curves of
the same network trained on few examples with a weight decay :math:`\lambda` (a menu) and
a dropout probability (a slider), and the epoch that early stopping keeps for a patience
(a slider).  It draws, per epoch,

* the training loss measured in evaluation mode after each epoch (the fair comparison
  with validation), the training loss as logged during the epoch (the running mean of
  the batch losses, in training mode: with dropout it lies higher), and the validation
  loss, on a log scale, with the epoch early stopping keeps (:func:`early_stopping_epoch`)
  marked and the epoch where it stops drawn as a vertical line; and
* the accuracy on held-out test data, with the test accuracy of the kept epoch marked.

Nothing is computed from the test curve: it is recorded only to show what each stopping
rule delivers.  A run is a dict (or a :class:`lossbook.train.History`-like mapping) with
the per-epoch arrays ``train_loss``, ``train_eval_loss``, ``val_loss``, ``test_loss`` and
``test_accuracy``.

The registered figure shows :func:`digits_runs` (trained on first use): an MLP with 256
ReLU units on 300 training images of :func:`lossbook.data.digits_split`, for every weight
decay of :data:`WEIGHT_DECAYS` and dropout of :data:`DROPOUTS`.  A chapter shows its own
runs with :func:`figure`::

    interactive.show(generalization.figure({(0.0, 0.0): run, (0.3, 0.5): run, ...}))

Importing this module imports NumPy only; :func:`digits_runs` imports PyTorch.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from lossbook.plotting import OKABE_ITO, color

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Rule, Slider, grid

__all__ = ["WEIGHT_DECAYS", "DROPOUTS", "PATIENCES", "LOSS_DOMAIN", "ACC_DOMAIN", "early_stopping_epoch",
           "digits_runs", "regularization_curves", "figure", "FIGURE"]

#: The weight decays (decoupled, on the weight matrices only) of the registered figure.
WEIGHT_DECAYS = (0.0, 0.1, 0.3, 1.0)
#: The dropout probabilities (PyTorch's convention: the probability to *drop* a unit).
DROPOUTS = (0.0, 0.25, 0.5)
#: The patiences of the static page (the live slider takes every integer in between).
PATIENCES = grid(2.0, 20.0, 2.0)
#: The loss axis (log scale): values outside it are drawn at its edge.
LOSS_DOMAIN = (1e-3, 3.0)
#: The accuracy axis.
ACC_DOMAIN = (0.8, 1.0)
_KEYS = ("train_loss", "train_eval_loss", "val_loss", "test_loss", "test_accuracy")


def early_stopping_epoch(val_loss, patience: int, *, min_delta: float = 0.0):
    """The epoch early stopping keeps, and the epoch at which it stops (both 0-based).

    The rule of :class:`lossbook.train.EarlyStopping` (and of Keras's callback): an epoch
    improves if its loss is below the best so far by more than ``min_delta``; after
    ``patience`` epochs in a row without improvement training stops, and with
    ``restore_best`` the weights of the best epoch are kept.  Non-finite losses never
    improve.

    Returns:
        ``(best, stopped)``: the kept epoch, and the epoch after which training stopped
        (None if the run ended first).

    Example:
        >>> early_stopping_epoch([1.0, 0.5, 0.6, 0.4, 0.45, 0.5, 0.7], patience=2)
        (3, 5)
        >>> early_stopping_epoch([1.0, 0.5, 0.6, 0.4], patience=2)
        (3, None)
    """
    if not (isinstance(patience, (int, np.integer)) and patience >= 1):
        raise ValueError(f"early_stopping_epoch: patience must be an integer >= 1, got {patience!r}")
    best, best_epoch, wait = None, None, 0
    for epoch, value in enumerate(np.asarray(val_loss, dtype=np.float64)):
        if math.isfinite(value) and (best is None or value < best - min_delta):
            best, best_epoch, wait = value, epoch, 0
            continue
        wait += 1
        if wait >= patience:
            return best_epoch, epoch
    return best_epoch, None


@functools.lru_cache(maxsize=2)
def digits_runs(epochs: int = 40, n_train: int = 300, seed: int = 0) -> dict:
    r"""The runs of the registered figure: one per weight decay and dropout probability.

    ``n_train`` images drawn from the training split of :func:`lossbook.data.digits_split`
    (``np.random.default_rng(0).choice``), an MLP ``nets.mlp((64, 256, 10), dropout=p,
    seed=seed)`` trained with :func:`lossbook.train.fit` on the cross-entropy for
    ``epochs`` epochs (batches of 32, AdamW with learning rate 0.01, the weight decay on
    the weight matrices only, the biases undecayed), on the CPU; validation on the
    validation split, test loss and accuracy on the test split after every epoch.

    Returns:
        ``{(weight_decay, dropout): {"train_loss", "train_eval_loss", "val_loss",
        "test_loss", "test_accuracy"}}`` (arrays of length ``epochs``).
    """
    import torch

    from lossbook import data, losses, metrics, nets
    from lossbook.train import fit, predict

    d = data.digits_split(seed=0)
    idx = np.random.default_rng(0).choice(len(d.y_train), n_train, replace=False)
    runs = {}
    for weight_decay in WEIGHT_DECAYS:
        for dropout in DROPOUTS:
            def adamw(params, weight_decay=weight_decay):         # decay the weights, not the biases
                return torch.optim.AdamW([{"params": [p for p in params if p.ndim > 1], "weight_decay": weight_decay},
                                          {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}],
                                         lr=0.01)

            test_loss, test_acc = [], []

            def on_epoch_end(epoch, logs, model, test_loss=test_loss, test_acc=test_acc):
                z = predict(model, d.X_test)
                test_loss.append(losses.cross_entropy(d.y_test, z))
                test_acc.append(metrics.accuracy(d.y_test, z))

            h = fit(nets.mlp((64, 256, 10), dropout=dropout, seed=seed), torch.nn.CrossEntropyLoss(),
                    (d.X_train[idx], d.y_train[idx]), val_data=(d.X_val, d.y_val), epochs=epochs, batch_size=32,
                    optimizer=adamw, seed=seed, device="cpu", eval_train=True, on_epoch_end=on_epoch_end)
            runs[weight_decay, dropout] = {
                "train_loss": h["train_loss"], "train_eval_loss": h["train_eval_loss"], "val_loss": h["val_loss"],
                "test_loss": np.array(test_loss), "test_accuracy": np.array(test_acc)}
    return runs


def _nearest(keys, value, *, log=False):
    values = np.array(sorted(set(keys)), dtype=np.float64)
    if log:
        pos = np.log10(np.maximum(values, 1e-12))
        return float(values[int(np.argmin(np.abs(pos - math.log10(max(value, 1e-12)))))])
    return float(values[int(np.argmin(np.abs(values - value)))])


def _run(runs, weight_decay, dropout):
    wd = _nearest([k[0] for k in runs], weight_decay)
    p = _nearest([k[1] for k in runs if math.isclose(k[0], wd)], dropout)
    key = next(k for k in runs if math.isclose(k[0], wd) and math.isclose(k[1], p))
    run = runs[key]
    missing = [k for k in _KEYS if k not in run]
    if missing:
        raise ValueError(f"regularization_curves: the run {key} has no {', '.join(missing)}")
    return key, {k: np.asarray(run[k], dtype=np.float64) for k in _KEYS}


def regularization_curves(*, weight_decay, dropout, patience, runs=None):
    r"""The curves of the run at ``(weight_decay, dropout)`` and the epoch early stopping keeps.

    Args:
        weight_decay: the run's weight decay :math:`\lambda` (the nearest run is shown).
        dropout: its dropout probability (the probability to drop a unit).
        patience: epochs without improvement of the validation loss before stopping.
        runs: ``{(weight_decay, dropout): run}`` (None: :func:`digits_runs`), each run a
            mapping with the per-epoch ``train_loss``, ``train_eval_loss``, ``val_loss``,
            ``test_loss`` and ``test_accuracy``.

    Returns:
        The outputs the figure draws: ``epoch`` (1, 2, ...), ``train_eval``, ``train_mode``
        and ``val`` (clipped to :data:`LOSS_DOMAIN`), ``acc`` (the test accuracy),
        ``best_epoch`` / ``best_val`` / ``best_acc`` (the kept epoch, 1-based), the stopping
        line ``stop_x``, ``stop_y``, ``stop_y2`` (None if the run ended first), ``e_dom``,
        the numbers ``acc_kept``, ``acc_last``, ``loss_kept``, ``loss_last`` (test), and a
        ``message``.

    Example:
        >>> run = {"train_loss": [1.0, 0.6, 0.4, 0.3, 0.2], "train_eval_loss": [0.9, 0.5, 0.3, 0.2, 0.1],
        ...        "val_loss": [1.0, 0.7, 0.8, 0.9, 1.0], "test_loss": [1.0, 0.7, 0.8, 0.9, 1.1],
        ...        "test_accuracy": [0.5, 0.8, 0.79, 0.78, 0.77]}
        >>> out = regularization_curves(weight_decay=0.0, dropout=0.0, patience=2, runs={(0.0, 0.0): run})
        >>> out["best_epoch"], out["stop_x"], out["acc_kept"]   # stops after epoch 4, keeps epoch 2
        (2.0, 4.0, 0.8)
    """
    runs = digits_runs() if runs is None else runs
    (wd, p), r = _run(runs, weight_decay, dropout)
    patience = int(round(patience))
    best, stopped = early_stopping_epoch(r["val_loss"], patience)
    n = len(r["val_loss"])
    epoch = np.arange(1, n + 1, dtype=np.float64)
    lo, hi = LOSS_DOMAIN
    clip = lambda a: np.clip(a, lo, hi)
    acc = np.clip(r["test_accuracy"], *ACC_DOMAIN)
    where = (f"stops after epoch {stopped + 1} and keeps epoch {best + 1}" if stopped is not None
             else f"never runs out of patience; keeps epoch {best + 1}")
    return {
        "epoch": epoch, "train_eval": clip(r["train_eval_loss"]), "train_mode": clip(r["train_loss"]),
        "val": clip(r["val_loss"]), "acc": acc,
        "best_epoch": float(best + 1), "best_val": float(clip(r["val_loss"][best])), "best_acc": float(acc[best]),
        "stop_x": None if stopped is None else float(stopped + 1), "stop_y": lo, "stop_y2": hi,
        "e_dom": (0.0, float(n + 1)),
        "acc_kept": float(r["test_accuracy"][best]), "acc_last": float(r["test_accuracy"][-1]),
        "loss_kept": float(r["test_loss"][best]), "loss_last": float(r["test_loss"][-1]),
        "message": (f"weight decay {wd:g}, dropout {p:g}: early stopping (patience {patience}) {where}: "
                    f"test accuracy {r['test_accuracy'][best]:.3f}, test loss {r['test_loss'][best]:.3f} "
                    f"(last epoch: {r['test_accuracy'][-1]:.3f}, {r['test_loss'][-1]:.3f})"),
    }


def figure(runs=None, *, default=(0.0, 0.0), patience=10, name="regularization_curves") -> Figure:
    """The figure for ``runs`` (``{(weight_decay, dropout): run}``); None: :func:`digits_runs`.

    Every combination of the keys' weight decays and dropouts must be there.  The controls
    start at ``default`` (a ``(weight_decay, dropout)`` pair) and ``patience``.
    """
    keys = () if runs is None else tuple(runs)
    wds = WEIGHT_DECAYS if runs is None else tuple(sorted({float(k[0]) for k in keys}))
    ps = DROPOUTS if runs is None else tuple(sorted({float(k[1]) for k in keys}))
    if runs is not None:
        have = {(float(a), float(b)) for a, b in keys}
        missing = [(a, b) for a in wds for b in ps if (a, b) not in have]
        if missing:
            raise ValueError(f"generalization.figure: runs must hold every (weight_decay, dropout) pair; "
                             f"missing {missing}")
    steps = np.diff(ps)
    even = len(ps) > 1 and np.allclose(steps, steps[0])
    dropout_control = (Slider(name="dropout", values=ps, default=_nearest(ps, default[1]), label="dropout probability",
                              live=(ps[0], ps[-1], float(steps[0])), fmt=".2f")
                       if even else
                       Menu(name="dropout", options=ps, default=_nearest(ps, default[1]), label="dropout probability"))
    train, val, grey, black = color("train"), color("validation"), OKABE_ITO["grey"], OKABE_ITO["black"]
    return Figure(
        name=name,
        compute=regularization_curves,
        controls=[
            Menu(name="weight_decay", options=wds, default=_nearest(wds, default[0]),
                 labels=tuple(f"{w:g}" for w in wds), label="weight decay λ"),
            dropout_control,
            Slider(name="patience", values=PATIENCES, default=float(patience), integer=True, live=(1, 20, 1),
                   label="patience (epochs)"),
        ],
        panels=[
            Panel(title="Loss per epoch", subtitle="train (eval mode), train as logged (grey), validation; "
                  "dot: kept epoch, line: stop",
                  xlabel="epoch", ylabel="cross-entropy (log scale)", yscale="log",
                  xdomain="e_dom", ydomain=LOSS_DOMAIN,
                  marks=[Rule(x="stop_x", y="stop_y", x2="stop_x", y2="stop_y2", color=grey, width=1.0,
                              name="stop"),
                         Line(x="epoch", y="train_mode", color=grey, name="train_mode"),
                         Line(x="epoch", y="train_eval", color=train, name="train_eval"),
                         Line(x="epoch", y="val", color=val, name="validation"),
                         Point(x="best_epoch", y="best_val", color=black, size=60, name="kept")]),
            Panel(title="Test accuracy per epoch", subtitle="dot: the epoch early stopping keeps",
                  xlabel="epoch", ylabel="test accuracy", xdomain="e_dom", ydomain=ACC_DOMAIN,
                  marks=[Line(x="epoch", y="acc", color=black, name="test_accuracy"),
                         Point(x="best_epoch", y="best_acc", color=black, size=60, name="kept_accuracy")]),
        ],
        message="message",
        fixed={"runs": runs},
        width=250, height=220,
        alt=("The training and validation loss per epoch of a network trained on 300 digits, and its test "
             "accuracy per epoch, with the epoch that early stopping keeps marked; a menu sets the weight "
             "decay, sliders set the dropout probability and the patience of early stopping."),
    )


#: The registered figure, on :func:`digits_runs` (trained on its first call, not at import).
FIGURE = register(figure())
