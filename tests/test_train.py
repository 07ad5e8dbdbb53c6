"""lossbook.train: the loop is deterministic, records every step, stops and restores honestly."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lossbook import nets  # noqa: E402
from lossbook.metrics import accuracy  # noqa: E402
from lossbook.train import EarlyStopping, NonFiniteLossWarning, evaluate, fit, predict  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """One intra-op thread, as the Makefile's OMP_NUM_THREADS=1: tiny models on a shared
    machine run many times slower when PyTorch's threads wait for each other."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _regression(n=96, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.standard_normal(n)).astype(np.float32)
    return X, y[:, None]


def _params(model):
    return [p.detach().clone() for p in model.parameters()]


def test_fit_is_deterministic_for_a_seed_with_dropout():
    X, y = _regression()
    runs = []
    for seed in (0, 0, 1):
        model = nets.mlp([3, 16, 1], dropout=0.2, seed=7)
        h = fit(model, torch.nn.MSELoss(), (X, y), epochs=3, batch_size=16, lr=0.01, seed=seed, device="cpu")
        runs.append((h.step_loss, _params(model)))
    assert np.array_equal(runs[0][0], runs[1][0])
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    assert not np.array_equal(runs[0][0], runs[2][0])                # another shuffling and dropout


def test_history_records_steps_epochs_and_learns_digits():
    pytest.importorskip("sklearn")
    from lossbook.data import digits_split

    d = digits_split()
    model = nets.mlp([64, 32, 10], seed=0)
    h = fit(model, torch.nn.CrossEntropyLoss(), (d.X_train, d.y_train), val_data=(d.X_val, d.y_val),
            epochs=8, batch_size=64, lr=0.01, metrics={"accuracy": accuracy}, eval_train=True,
            device="cpu")
    steps = int(np.ceil(len(d.y_train) / 64))
    assert h.steps_per_epoch == steps and len(h.step_loss) == len(h.step_grad_norm) == 8 * steps
    assert np.all(h.step_lr == 0.01) and np.all(np.isfinite(h.step_loss))
    assert set(h.logs) == {"train_loss", "val_loss", "val_accuracy", "train_eval_loss", "train_accuracy"}
    assert h["val_accuracy"][-1] > 0.9 and h.val_loss[-1] < h.val_loss[0]
    # the epoch's train_loss is the batch-size-weighted mean of its steps
    sizes = np.r_[np.full(steps - 1, 64), len(d.y_train) - 64 * (steps - 1)]
    assert h.train_loss[0] == pytest.approx(np.average(h.step_loss[:steps], weights=sizes))
    assert h.best_epoch == int(np.argmin(h.val_loss)) and h.monitor == "val_loss"
    assert h.to_frame().shape == (8, 5) and h.stop_reason == "completed"
    # evaluate agrees with the logged values at the end, whatever its batch size
    res = evaluate(model, torch.nn.CrossEntropyLoss(), (d.X_val, d.y_val), batch_size=50,
                   metrics={"accuracy": accuracy})
    assert res["loss"] == pytest.approx(h.val_loss[-1], rel=1e-5)
    assert res["accuracy"] == h["val_accuracy"][-1]


def test_early_stopping_restores_the_best_weights():
    # train on y = x, validate on y = -x: validation gets worse as training succeeds
    x = np.linspace(-1, 1, 32, dtype=np.float32)[:, None]
    snapshots = []
    for restore in (True, False):
        model = nets.mlp([1, 1], seed=0)
        with torch.no_grad():
            model[0].weight.zero_()
            model[0].bias.zero_()
        snapshots.clear()
        es = EarlyStopping(patience=2, restore_best=restore)
        h = fit(model, torch.nn.MSELoss(), (x, x), val_data=(x, -x), epochs=20, batch_size=8,
                lr=0.05, optimizer="sgd", early_stopping=es, device="cpu",
                on_epoch_end=lambda e, logs, m: snapshots.append(_params(m)))
        assert h.stop_reason == "early stopping" and h.epochs_run == 3 and h.best_epoch == es.best_epoch == 0
        final = _params(model)
        if restore:
            assert all(torch.equal(a, b) for a, b in zip(final, snapshots[h.best_epoch]))
        else:
            assert all(torch.equal(a, b) for a, b in zip(final, snapshots[-1]))
            assert not torch.equal(final[0], snapshots[0][0])
    with pytest.raises(ValueError, match="no val_data"):
        fit(model, torch.nn.MSELoss(), (x, x), early_stopping=EarlyStopping(), device="cpu")


def _diverging(on_nonfinite, **kw):
    X, y = _regression(64)
    model = nets.mlp([3, 1], seed=0)
    return model, fit(model, torch.nn.MSELoss(), (X, y * 1e3), epochs=30, batch_size=16, lr=50.0,
                      optimizer="sgd", on_nonfinite=on_nonfinite, device="cpu", **kw)


def test_nonfinite_losses_are_recorded_and_reported():
    with pytest.warns(NonFiniteLossWarning, match="at step"):
        model, h = _diverging("warn", record_param_grads=True)
    k = h.nonfinite_step
    assert k is not None and len(h.step_loss) == k + 1 and not np.isfinite(h.step_loss[k])
    assert np.all(np.isfinite(h.step_loss[:k])) and h.step_grad_norm[k - 1] > h.step_grad_norm[0]
    assert h.stop_reason == f"non-finite loss at step {k}"
    assert set(h.step_param_grad_norm) == {"0.weight", "0.bias"}
    assert len(h.step_param_grad_norm["0.weight"]) == k + 1
    assert np.isnan(h.train_loss[-1]) or np.isinf(h.train_loss[-1])   # the epoch's mean shows it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, quiet = _diverging("stop")                    # the same record, without a warning
    assert np.array_equal(quiet.step_loss, h.step_loss, equal_nan=True)
    _, cont = _diverging("continue")                     # keeps going: NaN everywhere after
    assert len(cont.step_loss) == 30 * 4 and cont.nonfinite_step == k and np.isnan(cont.step_loss[-1])
    with pytest.raises(FloatingPointError) as err:
        _diverging("raise")
    assert err.value.history.nonfinite_step == k


def test_grad_norm_is_recorded_before_clipping_and_clipping_bounds_the_step():
    X, y = _regression(32)
    model = nets.mlp([3, 1], seed=0)
    w0 = _params(model)
    loss = torch.nn.functional.mse_loss(model(torch.tensor(X)), torch.tensor(y))
    g = torch.autograd.grad(loss, list(model.parameters()))
    norm = torch.sqrt(sum((gi**2).sum() for gi in g)).item()
    h = fit(model, torch.nn.MSELoss(), (X, y), epochs=1, batch_size=32, lr=1.0, optimizer="sgd",
            grad_clip=0.1, device="cpu")
    assert h.step_grad_norm[0] == pytest.approx(norm, rel=1e-5) and norm > 0.1
    step = torch.sqrt(sum(((a - b) ** 2).sum() for a, b in zip(_params(model), w0))).item()
    assert step == pytest.approx(0.1, rel=1e-4)                      # lr * clipped norm


def test_lr_schedule_loss_parts_and_trainable_loss_parameters():
    X, y = _regression(40)

    class Weighted(torch.nn.Module):
        """Two parts with a learned log-weight (trained with the model)."""

        def __init__(self):
            super().__init__()
            self.log_w = torch.nn.Parameter(torch.zeros(()))

        def forward(self, out, target):
            mse = torch.nn.functional.mse_loss(out, target)
            mae = torch.nn.functional.l1_loss(out, target)
            return mse + torch.exp(self.log_w) * mae + 0.1 * self.log_w**2, {"mse": mse, "mae": mae}

    loss_fn = Weighted()
    sched = lambda t: 0.01 / (1 + t)                                  # noqa: E731
    h = fit(nets.mlp([3, 1], seed=0), loss_fn, (X, y), val_data=(X, y), epochs=2, batch_size=10,
            lr_schedule=sched, device="cpu")
    assert np.allclose(h.step_lr, [sched(t) for t in range(8)])
    assert set(h.step_parts) == {"mse", "mae"} and len(h.step_parts["mse"]) == 8
    assert {"train_mse", "train_mae", "val_mse", "val_mae"} <= set(h.logs)
    assert loss_fn.log_w.item() != 0.0


def test_tuple_inputs_and_targets_train_a_ctc_model():
    from lossbook.data import speech_like

    u = speech_like(24, seed=0)
    model = nets.recurrent(16, 24, 5, seed=0)
    ctc = torch.nn.CTCLoss(blank=0)

    def loss_fn(out, targets):
        labels, in_len, tg_len = targets
        return ctc(out.log_softmax(-1).transpose(0, 1), labels, in_len, tg_len)

    inputs = (u.frames, u.input_lengths)
    targets = (u.labels, u.input_lengths, u.target_lengths)
    h = fit(model, loss_fn, (inputs, targets), epochs=6, batch_size=8, lr=0.02, device="cpu")
    assert h.train_loss[-1] < h.train_loss[0]
    out = predict(model, inputs)
    assert out.shape == (24, u.frames.shape[1], 5)


def test_predict_in_eval_mode_restores_training_mode():
    X, _ = _regression(20)
    model = nets.mlp([3, 8, 1], dropout=0.5, seed=0)
    model.train()
    a, b = predict(model, X), predict(model, X, batch_size=3)
    assert np.allclose(a, b, atol=1e-6) and a.shape == (20, 1)        # no dropout, any batch size
    assert model.training


def test_bad_arguments_teach():
    X, y = _regression(8)
    m = nets.mlp([3, 1])
    with pytest.raises(ValueError, match="pair \\(inputs, targets\\)"):
        fit(m, torch.nn.MSELoss(), X, device="cpu")
    with pytest.raises(ValueError, match="same first dimension"):
        fit(m, torch.nn.MSELoss(), (X, y[:5]), device="cpu")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        fit(m, torch.nn.MSELoss(), (X, y), optimizer="lion", device="cpu")
    with pytest.raises(ValueError, match="scalar tensor"):
        fit(m, torch.nn.MSELoss(reduction="none"), (X, y), device="cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_fit_on_the_gpu_matches_the_cpu():
    X, y = _regression()
    runs = {}
    for device in ("cpu", "cuda"):
        model = nets.mlp([3, 16, 1], seed=0)
        h = fit(model, torch.nn.MSELoss(), (X, y), val_data=(X, y), epochs=3, batch_size=16,
                lr=0.01, device=device)
        assert next(model.parameters()).device.type == device
        runs[device] = h
    assert np.allclose(runs["cpu"].step_loss, runs["cuda"].step_loss, rtol=1e-4, atol=1e-6)
