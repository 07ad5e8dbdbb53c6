r"""A short, readable PyTorch training loop that records everything a chapter wants to show.

:func:`fit` is mini-batch gradient descent on a loss, written out once:

.. code-block:: python

    for epoch in range(epochs):
        for X_b, y_b in batches(train_data, shuffled with seed):     # one step t
            loss = loss_fn(model(X_b), y_b)
            loss.backward()                                           # gradient g_t
            clip g_t to grad_clip (if set); theta -= optimizer step
        evaluate val_data; early stopping

and it keeps the record: the loss, the gradient norm and the learning rate of *every*
step (a NaN or an infinity is recorded where it happened, never dropped), the
per-epoch training and validation losses and metrics, the best epoch, and (apart) the
time per epoch.  Runs are deterministic for a seed on the CPU.  The device defaults to
:func:`lossbook.frameworks.torch_device` (a GPU when present).

:func:`evaluate` and :func:`predict` run a model in evaluation mode without gradients;
:class:`EarlyStopping` stops a run that no longer improves and restores its best weights.

This module imports PyTorch; ``import lossbook`` does not import it.

Example:
    >>> import torch
    >>> from lossbook import nets
    >>> X = torch.linspace(-1, 1, 64).reshape(-1, 1); y = 3 * X + 1
    >>> model = nets.mlp([1, 1], seed=0)
    >>> h = fit(model, torch.nn.MSELoss(), (X, y), epochs=200, batch_size=16, lr=0.05, device="cpu")
    >>> h.stop_reason, len(h.step_loss), bool(h.train_loss[-1] < 1e-8)
    ('completed', 800, True)
    >>> round(model[0].weight.item(), 4), round(model[0].bias.item(), 4)
    (3.0, 1.0)
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch

__all__ = ["fit", "evaluate", "predict", "EarlyStopping", "History", "NonFiniteLossWarning"]

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad")


class NonFiniteLossWarning(UserWarning):
    """A training step produced a NaN or infinite loss and :func:`fit` stopped."""


# ------------------------------------------------------------------------------ record
@dataclass
class History:
    """What :func:`fit` recorded.  Per step (one entry per optimizer step) and per epoch.

    Attributes:
        step_loss: the training loss of every step, NaN/inf included.
        step_grad_norm: the global L2 norm of the gradient of every step, before clipping.
        step_lr: the learning rate used at every step.
        step_parts: the named parts of the loss per step, when ``loss_fn`` returns them.
        step_param_grad_norm: per parameter name, its gradient norm per step (when
            ``record_param_grads=True``).
        logs: per-epoch values, one list per key (``train_loss``, ``val_loss``, ...);
            NaN where a value was not computed (e.g. after a run stopped mid-epoch).
        monitor: the key that defines the best epoch.
        mode: ``"min"`` or ``"max"``, whether the best epoch has the lowest or highest value.
        best_epoch: 0-based index of the best epoch (None if no finite value).
        stop_reason: ``"completed"``, ``"early stopping"``, ``"non-finite loss at step
            k"`` or ``"callback"``.
        nonfinite_step: the first step whose loss was not finite, or None.
        steps_per_epoch: optimizer steps in a full epoch.
        epoch_time: seconds per epoch (kept apart: not a fact to print).
    """

    step_loss: np.ndarray
    step_grad_norm: np.ndarray
    step_lr: np.ndarray
    step_parts: dict
    step_param_grad_norm: dict
    logs: dict
    monitor: str
    mode: str
    best_epoch: int | None
    stop_reason: str
    nonfinite_step: int | None
    steps_per_epoch: int
    epoch_time: list = field(default_factory=list)

    def __getitem__(self, key):
        """``history["val_loss"]``: the per-epoch values of ``key`` as a NumPy array."""
        if key not in self.logs:
            raise KeyError(f"History: no {key!r}; logged keys: {sorted(self.logs)}")
        return np.asarray(self.logs[key], dtype=float)

    def __contains__(self, key):
        return key in self.logs

    @property
    def train_loss(self):
        """Per-epoch mean training loss over the epoch's batches (what Keras reports)."""
        return self["train_loss"]

    @property
    def val_loss(self):
        """Per-epoch validation loss (KeyError without ``val_data``)."""
        return self["val_loss"]

    @property
    def epochs_run(self):
        return len(self.logs["train_loss"])

    @property
    def best_value(self):
        return None if self.best_epoch is None else float(self[self.monitor][self.best_epoch])

    def to_frame(self):
        """The per-epoch logs as a pandas DataFrame indexed by epoch (1-based, as printed)."""
        import pandas as pd

        df = pd.DataFrame({k: self[k] for k in self.logs})
        df.index = pd.RangeIndex(1, len(df) + 1, name="epoch")
        return df

    def summary(self):
        """One line: how many epochs, why the run ended, the best monitored value."""
        best = ("no finite value" if self.best_epoch is None
                else f"{self.monitor} {self.best_value:.3g} at epoch {self.best_epoch + 1}")
        return f"{self.epochs_run} epochs ({self.stop_reason}); best {best}"

    def __repr__(self):
        return f"History({self.summary()}; {len(self.step_loss)} steps; logs {sorted(self.logs)})"


class EarlyStopping:
    """Stop training when a monitored value stops improving; optionally restore the best weights.

    After each epoch the monitored value (``val_loss`` by default) is compared with the
    best so far; an improvement must beat it by more than ``min_delta``.  After
    ``patience`` epochs without one, training stops.  With ``restore_best`` the model
    ends with the weights of its best epoch, whether the run stopped early or not.

    Args:
        patience: epochs without improvement before stopping.
        monitor: a logged key: ``val_loss``, ``train_loss``, ``val_<metric>``, ...
        mode: ``"min"`` (losses) or ``"max"`` (accuracy and other scores).
        min_delta: the smallest change that counts as an improvement.
        restore_best: load the best epoch's weights at the end of :func:`fit`.

    Attributes (after a run): ``best``, ``best_epoch`` (0-based), ``stopped_epoch``.
    """

    def __init__(self, patience=5, *, monitor="val_loss", mode="min", min_delta=0.0,
                 restore_best=True):
        if not isinstance(patience, int) or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 1, got {patience!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        if min_delta < 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta!r}")
        self.patience, self.monitor, self.mode = patience, monitor, mode
        self.min_delta, self.restore_best = min_delta, restore_best
        self.reset()

    def reset(self):
        self.best, self.best_epoch, self.wait, self.stopped_epoch = None, None, 0, None
        self._state = None

    def _better(self, value):
        if not math.isfinite(value):
            return False
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value, epoch, model):
        """Record epoch ``epoch``'s monitored ``value``; return True when training should stop."""
        if self._better(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self._state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self, model):
        """Load the best epoch's weights into ``model`` (no-op without a saved state)."""
        if self.restore_best and self._state is not None:
            model.load_state_dict(self._state)

    def __repr__(self):
        return (f"EarlyStopping(patience={self.patience}, monitor={self.monitor!r}, mode={self.mode!r}, "
                f"min_delta={self.min_delta}, restore_best={self.restore_best})")


# ------------------------------------------------------------------------------- data
def _tensor(a, device, name):
    if isinstance(a, torch.Tensor):
        return a.to(device)
    arr = np.asarray(a)
    if arr.dtype.kind == "f":
        t = torch.as_tensor(arr, dtype=torch.get_default_dtype())
    elif arr.dtype.kind in "iu":
        t = torch.as_tensor(arr, dtype=torch.int64)
    elif arr.dtype.kind == "b":
        t = torch.as_tensor(arr)
    else:
        raise ValueError(f"{name}: arrays must be numeric, got dtype {arr.dtype}")
    return t.to(device)


def _tensors(x, device, name):
    if isinstance(x, tuple):
        return tuple(_tensor(a, device, name) for a in x)
    return _tensor(x, device, name)


def _flat(x):
    return x if isinstance(x, tuple) else (x,)


def _take(x, idx):
    return tuple(a[idx] for a in x) if isinstance(x, tuple) else x[idx]


def _prepare(data, device, fn, name):
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise ValueError(f"{fn}: {name} must be a pair (inputs, targets), e.g. (X, y); "
                         f"for an autoencoder (X, X)")
    inputs, targets = (_tensors(d, device, f"{fn}: {name}") for d in data)
    sizes = {int(a.shape[0]) for a in _flat(inputs) + _flat(targets)}
    if len(sizes) != 1:
        raise ValueError(f"{fn}: every array of {name} must have the same first dimension N, "
                         f"got {sorted(sizes)}")
    return inputs, targets, sizes.pop()


def _call(model, inputs):
    return model(*inputs) if isinstance(inputs, tuple) else model(inputs)


def _loss(loss_fn, output, targets, fn):
    out = loss_fn(output, targets)
    parts = {}
    if isinstance(out, tuple):
        if len(out) != 2 or not isinstance(out[1], dict):
            raise ValueError(f"{fn}: loss_fn must return a scalar tensor or (total, {{name: part}})")
        out, parts = out
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        raise ValueError(f"{fn}: loss_fn must return a scalar tensor (use reduction='mean'), "
                         f"got {type(out).__name__} of shape {getattr(out, 'shape', None)}")
    return out.reshape(()), parts


def _item(v):
    return v.detach().item() if isinstance(v, torch.Tensor) else float(v)


def _numpy(x):
    if isinstance(x, tuple):
        return tuple(_numpy(a) for a in x)
    return x.detach().cpu().numpy()


def _default_device(model):
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _run_eval(model, loss_fn, inputs, targets, n, batch_size, metrics, fn):
    """Loss (batch-size-weighted mean), mean parts and metrics of one split, eval mode."""
    was_training = model.training
    model.eval()
    total, part_sums, outputs = 0.0, {}, []
    try:
        with torch.no_grad():
            for start in range(0, n, batch_size):
                idx = slice(start, min(start + batch_size, n))
                out = _call(model, _take(inputs, idx))
                loss, parts = _loss(loss_fn, out, _take(targets, idx), fn)
                nb = idx.stop - idx.start
                total += loss.item() * nb
                for k, v in parts.items():
                    part_sums[k] = part_sums.get(k, 0.0) + _item(v) * nb
                if metrics:
                    outputs.append(_numpy(out))
    finally:
        model.train(was_training)
    result = {"loss": total / n}
    result.update({k: v / n for k, v in part_sums.items()})
    if metrics:
        if isinstance(outputs[0], tuple):
            output = tuple(np.concatenate(o) for o in zip(*outputs))
        else:
            output = np.concatenate(outputs)
        y_true = _numpy(targets)
        for name, f in metrics.items():
            result[name] = float(f(y_true, output))
    return result


def evaluate(model, loss_fn, data, *, batch_size=1024, metrics=None, device=None):
    """The loss and metrics of ``model`` on ``data``, in evaluation mode, without gradients.

    Args:
        model: a ``torch.nn.Module`` (its train/eval mode is restored afterwards).
        loss_fn: as in :func:`fit`.
        data: ``(inputs, targets)`` as in :func:`fit`.
        batch_size: examples per forward pass (memory only: the result does not depend on
            it for a loss that returns the batch mean).
        metrics: dict ``name -> f(y_true, output)`` on NumPy arrays of the whole split.
        device: where to compute; None: where the model's parameters are.

    Returns a dict: ``"loss"`` (mean of the batch losses weighted by batch size, exact for
    mean-reduced losses), the loss's named parts if it returns any, and each metric.
    A loss that averages over something else than examples (tokens, with padding ignored)
    is exact only in one batch: pass ``batch_size >= N`` (:func:`fit` evaluates in
    batches of 1024).
    """
    device = _default_device(model) if device is None else torch.device(device)
    model.to(device)
    inputs, targets, n = _prepare(data, device, "evaluate", "data")
    return _run_eval(model, loss_fn, inputs, targets, n, batch_size, metrics, "evaluate")


def predict(model, inputs, *, batch_size=1024, device=None):
    """The outputs of ``model`` on ``inputs``, in evaluation mode, as NumPy arrays on the CPU.

    ``inputs`` is an array/tensor, or a tuple of them passed as ``model(*inputs)``.
    Returns an array, or a tuple of arrays when the model returns a tuple.
    """
    device = _default_device(model) if device is None else torch.device(device)
    model.to(device)
    x = _tensors(inputs, device, "predict")
    n = int(_flat(x)[0].shape[0])
    was_training = model.training
    model.eval()
    outs = []
    try:
        with torch.no_grad():
            for start in range(0, n, batch_size):
                outs.append(_numpy(_call(model, _take(x, slice(start, start + batch_size)))))
    finally:
        model.train(was_training)
    if isinstance(outs[0], tuple):
        return tuple(np.concatenate(o) for o in zip(*outs))
    return np.concatenate(outs)


# ------------------------------------------------------------------------------- fit
def _make_optimizer(optimizer, params, lr, weight_decay, momentum):
    if isinstance(optimizer, torch.optim.Optimizer):
        return optimizer
    if callable(optimizer):
        return optimizer(params)
    name = str(optimizer).lower()
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"fit: optimizer must be one of {OPTIMIZERS}, a torch optimizer or a "
                     f"callable params -> optimizer, got {optimizer!r}")


def _grad_norm(params):
    norms = [p.grad.detach().norm(2) for p in params if p.grad is not None]
    if not norms:
        return 0.0
    return torch.linalg.vector_norm(torch.stack(norms)).item()


def _append(logs, values, epoch):
    """Add one epoch's values; keys seen first now get NaN for the earlier epochs."""
    for k, v in values.items():
        logs.setdefault(k, [math.nan] * epoch).append(float(v))
    for k, col in logs.items():
        if len(col) == epoch:
            col.append(math.nan)


def fit(model, loss_fn, train_data, *, val_data=None, epochs=10, batch_size=64, lr=1e-3,
        optimizer="adam", weight_decay=0.0, momentum=0.0, grad_clip=None, lr_schedule=None,
        seed=0, device=None, metrics=None, eval_train=False, early_stopping=None,
        on_nonfinite="warn", record_param_grads=False, on_epoch_end=None, log_every=0):
    r"""Train ``model`` by mini-batch gradient descent on ``loss_fn``; return a :class:`History`.

    Each epoch visits the training examples once in a fresh random order (a generator
    seeded with ``seed``), in batches of ``batch_size`` (the last may be smaller).  Each
    batch is one step :math:`t`: the loss, its gradient :math:`\mathbf g_t`, optional
    clipping of :math:`\|\mathbf g_t\|`, and one optimizer update.  After each epoch the
    model is evaluated on ``val_data`` (and on the training set if ``eval_train``),
    ``on_epoch_end`` is called and early stopping consulted.  The model is trained in
    place and left on ``device``.

    Args:
        model: a ``torch.nn.Module``, called ``model(inputs)`` (or ``model(*inputs)``).
        loss_fn: ``loss_fn(output, targets)`` returning a scalar tensor (e.g.
            ``torch.nn.CrossEntropyLoss()``), or ``(total, {"name": part})`` to record the
            named parts too.  An ``nn.Module`` loss with parameters (learned weights of
            several losses) is trained with the model.
        train_data, val_data: ``(inputs, targets)``; each an array or tensor with the N
            examples first, or a tuple of them.  NumPy floats become
            ``torch.get_default_dtype()`` (float32), integers int64.
        epochs, batch_size, lr: passes over the data, examples per step, learning rate.
        optimizer: ``"adam"``, ``"adamw"``, ``"sgd"``, ``"rmsprop"``, ``"adagrad"`` (the
            ``torch.optim`` classes, with ``lr`` and ``weight_decay``; ``momentum`` for sgd
            and rmsprop), a ``torch.optim.Optimizer``, or a callable ``params -> optimizer``.
        weight_decay: the optimizer's weight decay (an L2 penalty of strength
            ``weight_decay / 2`` in the loss for sgd/adam; decoupled for adamw).
        momentum: momentum :math:`\beta` of sgd and rmsprop.
        grad_clip: clip the global gradient norm to this value (None: no clipping).
        lr_schedule: callable ``t -> lr`` of the step ``t = 0, 1, ...``, e.g.
            ``functools.partial(lossbook.optim.cosine_decay, lr=0.01, T_max=500)``.
        seed: seeds the shuffling and, with ``torch.manual_seed``, dropout.  The same
            seed, initial weights and data give the same run (bitwise on the CPU).
        device: None: :func:`lossbook.frameworks.torch_device` (a GPU when present).
        metrics: dict ``name -> f(y_true, output)`` on NumPy arrays of a whole split (e.g.
            ``{"accuracy": lossbook.metrics.accuracy}``), logged as ``val_<name>`` (and
            ``train_<name>`` with ``eval_train``).
        eval_train: also evaluate the whole training set in evaluation mode after each
            epoch (``train_eval_loss``, ``train_<metric>``): the fair comparison with the
            validation loss when dropout or batch norm behave differently in training.
        early_stopping: an :class:`EarlyStopping`; it also defines the best epoch.
        on_nonfinite: when a step's loss is NaN or infinite: ``"warn"`` (record it, warn
            with :class:`NonFiniteLossWarning`, stop before the update), ``"stop"`` (the
            same, silently), ``"continue"`` (record it and take the step, as a plain loop
            would), ``"raise"`` (``FloatingPointError``, with ``.history`` attached).
        record_param_grads: also record each parameter's gradient norm per step.
        on_epoch_end: ``f(epoch, logs, model)`` after each epoch (0-based epoch, that
            epoch's values); returning True stops training.
        log_every: print a line every ``log_every`` epochs (0: silent).

    Shape: ``inputs`` ``(N, ...)``, ``targets`` ``(N, ...)``, whatever ``model`` and
    ``loss_fn`` take.

    Returns:
        a :class:`History`.  With ``EarlyStopping(restore_best=True)`` the model holds
        the best epoch's weights.
    """
    if on_nonfinite not in ("warn", "stop", "continue", "raise"):
        raise ValueError(f"fit: on_nonfinite must be 'warn', 'stop', 'continue' or 'raise', "
                         f"got {on_nonfinite!r}")
    for name, v in (("epochs", epochs), ("batch_size", batch_size)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"fit: {name} must be a positive integer, got {v!r}")
    if grad_clip is not None and not grad_clip > 0:
        raise ValueError(f"fit: grad_clip must be > 0 or None, got {grad_clip!r}")
    metrics = dict(metrics or {})
    es = early_stopping
    if es is not None:
        es.reset()
        if es.monitor.startswith("val_") and val_data is None:
            raise ValueError(f"fit: early stopping monitors {es.monitor!r} but no val_data was given "
                             f"(pass val_data, or EarlyStopping(monitor='train_loss'))")
    monitor = es.monitor if es else ("val_loss" if val_data is not None else "train_loss")
    mode = es.mode if es else "min"

    device = torch.device(device if device is not None else _torch_device())
    model.to(device)
    if isinstance(loss_fn, torch.nn.Module):
        loss_fn.to(device)
    X, Y, n = _prepare(train_data, device, "fit", "train_data")
    val = _prepare(val_data, device, "fit", "val_data") if val_data is not None else None

    named = list(model.named_parameters())
    if isinstance(loss_fn, torch.nn.Module):
        named += [(f"loss_fn.{k}", p) for k, p in loss_fn.named_parameters()]
    seen, params, names = set(), [], []
    for k, p in named:
        if p.requires_grad and id(p) not in seen:
            seen.add(id(p))
            params.append(p)
            names.append(k)
    opt = _make_optimizer(optimizer, params, lr, weight_decay, momentum)

    torch.manual_seed(seed)                                 # dropout and other randomness
    gen = torch.Generator().manual_seed(seed)               # the order of the examples
    steps_per_epoch = math.ceil(n / batch_size)
    step_loss, step_grad, step_lr = [], [], []
    step_parts, step_pgrad = {}, {k: [] for k in names} if record_param_grads else {}
    logs, epoch_time = {}, []
    stop_reason, nonfinite_step, t = "completed", None, 0

    for epoch in range(epochs):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(n, generator=gen).to(device)
        loss_sum, part_sums, seen_n, stop = 0.0, {}, 0, False
        for b in range(steps_per_epoch):
            idx = order[b * batch_size:(b + 1) * batch_size]
            if lr_schedule is not None:
                for group in opt.param_groups:
                    group["lr"] = float(lr_schedule(t))
            opt.zero_grad(set_to_none=True)
            loss, parts = _loss(loss_fn, _call(model, _take(X, idx)), _take(Y, idx), "fit")
            loss.backward()
            value = loss.item()
            nb = int(idx.shape[0])
            step_loss.append(value)
            step_grad.append(_grad_norm(params))
            step_lr.append(float(opt.param_groups[0]["lr"]))
            for k, v in parts.items():
                v = _item(v)
                step_parts.setdefault(k, [math.nan] * t).append(v)
                part_sums[k] = part_sums.get(k, 0.0) + v * nb
            for k, p in zip(names, params) if record_param_grads else ():
                step_pgrad[k].append(math.nan if p.grad is None else p.grad.detach().norm(2).item())
            loss_sum += value * nb
            seen_n += nb
            t += 1
            if not math.isfinite(value):
                if nonfinite_step is None:
                    nonfinite_step = t - 1
                if on_nonfinite != "continue":
                    stop_reason = f"non-finite loss at step {t - 1}"
                    stop = True
                    break
            if grad_clip is not None:
                torch.nn.utils.clip_grad_norm_(params, grad_clip)
            opt.step()

        values = {"train_loss": loss_sum / seen_n}
        values.update({f"train_{k}": v / seen_n for k, v in part_sums.items()})
        if not stop:
            if val is not None:
                res = _run_eval(model, loss_fn, *val, 1024, metrics, "fit")
                values.update({f"val_{k}": v for k, v in res.items()})
            if eval_train:
                res = _run_eval(model, loss_fn, X, Y, n, 1024, metrics, "fit")
                values["train_eval_loss"] = res.pop("loss")
                values.update({f"train_{k}": v for k, v in res.items() if k in metrics})
        _append(logs, values, epoch)
        epoch_time.append(time.perf_counter() - start)
        if log_every and (epoch + 1) % log_every == 0:
            shown = "  ".join(f"{k} {v:.4g}" for k, v in values.items())
            print(f"epoch {epoch + 1:>{len(str(epochs))}}/{epochs}: {shown}")
        if stop:
            break
        if on_epoch_end is not None and on_epoch_end(epoch, dict(values), model):
            stop_reason = "callback"
            break
        if es is not None:
            if es.monitor not in values:
                raise ValueError(f"fit: early stopping monitors {es.monitor!r}, which is not logged; "
                                 f"logged: {sorted(values)}")
            if es.step(values[es.monitor], epoch, model):
                stop_reason = "early stopping"
                break

    if es is not None:
        es.restore(model)
    history = History(
        step_loss=np.array(step_loss), step_grad_norm=np.array(step_grad), step_lr=np.array(step_lr),
        step_parts={k: np.array(v + [math.nan] * (t - len(v))) for k, v in step_parts.items()},
        step_param_grad_norm={k: np.array(v) for k, v in step_pgrad.items()},
        logs=logs, monitor=monitor, mode=mode, best_epoch=None, stop_reason=stop_reason,
        nonfinite_step=nonfinite_step, steps_per_epoch=steps_per_epoch, epoch_time=epoch_time)
    if monitor in logs:
        col = history[monitor]
        finite = np.isfinite(col)
        if finite.any():
            masked = np.where(finite, col, np.inf if mode == "min" else -np.inf)
            history.best_epoch = int(np.argmin(masked) if mode == "min" else np.argmax(masked))
    if nonfinite_step is not None and on_nonfinite in ("warn", "raise"):
        msg = (f"fit: the training loss was {step_loss[nonfinite_step]} at step {nonfinite_step} "
               f"(epoch {nonfinite_step // steps_per_epoch + 1}); gradient norm "
               f"{step_grad[nonfinite_step]:.3g}. The run stopped before that update; "
               f"history.step_loss and history.step_grad_norm show how it got there.")
        if on_nonfinite == "raise":
            err = FloatingPointError(msg)
            err.history = history
            raise err
        warnings.warn(msg, NonFiniteLossWarning, stacklevel=2)
    return history


def _torch_device():
    from lossbook.frameworks import torch_device

    return torch_device()
