"""Tests of lossbook.optim: every option against torch.optim, Keras's rules, divergence.

References are independent of the code under test: ``torch.optim`` in float64 (same
gradients fed to both), ``keras.optimizers`` in float64, ``torch.optim.lr_scheduler``,
and closed forms worked out by hand.
"""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest

from lossbook import optim
from lossbook.optim import SGD, Adagrad, Adam, AdamW, RMSprop, cosine_decay, exponential_decay, make, run, step_decay

# Trajectories against torch.optim: both sides evaluate the same float64 formula, but
# torch's CPU addcmul_ is a fused multiply-add (one rounding where NumPy has two), so
# single steps can differ by an ulp.  On all the runs below that stays under 1e-14
# after 200 steps; 1e-10 leaves room for other CPUs and is far below any formula
# difference (a misplaced epsilon or bias correction moves points by > 1e-6).  Adam
# with betas=(0.5, 0.9) on Rosenbrock is left out on purpose: its iterates oscillate
# across the valley and amplify those ulps to 4e-9 by step 200 (a fact about
# floating point, not about the rule).
TOL_TRAJ = 1e-10
# Keras in float64 against the Keras rule re-implemented below: same formula, same
# order up to the library's fused kernels.
TOL_KERAS = 1e-12
STEPS = 200


# --------------------------------------------------------------------------- problems
# An ill-conditioned quadratic (condition number 50) and Rosenbrock's function, with
# their gradients written out here (not taken from lossbook.landscapes).
def quad_grad(x):
    return np.array([1.0 * x[0], 50.0 * x[1]])


def rosen_grad(x):
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


PROBLEMS = {
    "quadratic": (quad_grad, np.array([-3.0, 1.5])),
    "rosenbrock": (rosen_grad, np.array([-1.2, 1.0])),
}

# (optimizer name, options); the learning rate per problem comes from LR unless given.
CONFIGS = [
    ("sgd", {}),
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "dampening": 0.5}),
    ("sgd", {"momentum": 0.9, "nesterov": True}),
    ("sgd", {"weight_decay": 0.1}),
    ("sgd", {"momentum": 0.8, "weight_decay": 0.1, "nesterov": True}),
    ("sgd", {"momentum": 0.9, "maximize": True}),
    ("adagrad", {}),
    ("adagrad", {"lr_decay": 0.01}),
    ("adagrad", {"initial_accumulator_value": 0.5}),
    ("adagrad", {"weight_decay": 0.1}),
    ("adagrad", {"eps": 1e-2}),
    ("adagrad", {"maximize": True}),
    ("rmsprop", {}),
    ("rmsprop", {"alpha": 0.9}),
    ("rmsprop", {"eps": 1e-2}),
    ("rmsprop", {"momentum": 0.9}),
    ("rmsprop", {"centered": True}),
    ("rmsprop", {"centered": True, "momentum": 0.5}),
    ("rmsprop", {"weight_decay": 0.1}),
    ("rmsprop", {"maximize": True}),
    ("adam", {}),
    ("adam", {"amsgrad": True}),
    ("adam", {"weight_decay": 0.1}),
    ("adam", {"weight_decay": 0.1, "amsgrad": True}),
    ("adam", {"betas": (0.5, 0.99)}),  # 1 - beta1 = 0.5: the other branch of torch.lerp
    ("adam", {"betas": (0.3, 0.99)}),
    ("adam", {"eps": 0.1}),
    ("adam", {"maximize": True}),
    ("adamw", {}),
    ("adamw", {"amsgrad": True}),
    ("adamw", {"weight_decay": 0.5}),
    ("adamw", {"weight_decay": 0.5, "amsgrad": True, "eps": 1e-3}),
    ("adamw", {"maximize": True}),
]
LR = {
    ("sgd", "quadratic"): 0.01,
    ("sgd", "rosenbrock"): 5e-4,
    ("adagrad", "quadratic"): 0.1,
    ("adagrad", "rosenbrock"): 0.1,
    ("rmsprop", "quadratic"): 0.01,
    ("rmsprop", "rosenbrock"): 0.005,
    ("adam", "quadratic"): 0.05,
    ("adam", "rosenbrock"): 0.02,
    ("adamw", "quadratic"): 0.05,
    ("adamw", "rosenbrock"): 0.02,
}
TORCH_NAME = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def torch_trajectory(torch, name, kwargs, grad, x0, steps, lr_at=None):
    """Iterates of torch.optim.<name> on a float64 tensor, fed ``grad`` (NumPy)."""
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, TORCH_NAME[name])([p], foreach=False, **kwargs)
    out = [x0.copy()]
    for t in range(steps):
        if lr_at is not None:
            opt.param_groups[0]["lr"] = lr_at(t)
        opt.zero_grad()
        p.grad = torch.from_numpy(grad(p.detach().numpy().copy()))
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def lossbook_trajectory(name, kwargs, grad, x0, steps):
    opt = make(name, **kwargs)
    out = [x0.copy()]
    x = x0.copy()
    for _ in range(steps):
        x = opt.step(x, grad(x))
        out.append(x)
    return np.array(out)


def config_id(c):
    name, kw = c
    return name + "-" + ("default" if not kw else ",".join(f"{k}={v}" for k, v in kw.items()))


# --------------------------------------------------------------------------- vs torch.optim
@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("config", CONFIGS, ids=[config_id(c) for c in CONFIGS])
def test_trajectory_matches_torch(torch, config, problem):
    name, kwargs = config
    kwargs = {"lr": LR[name, problem], **kwargs}
    grad, x0 = PROBLEMS[problem]
    if kwargs.get("maximize"):
        # maximize -f: the gradient handed over is that of -f.
        grad = (lambda g: lambda x: -g(x))(grad)
    ours = lossbook_trajectory(name, kwargs, grad, x0, STEPS)
    ref = torch_trajectory(torch, name, kwargs, grad, x0, STEPS)
    assert np.all(np.isfinite(ref))
    assert np.max(np.abs(ref[-1] - x0)) > 1e-2  # the run really went somewhere
    np.testing.assert_allclose(ours, ref, rtol=TOL_TRAJ, atol=TOL_TRAJ)


@pytest.mark.parametrize("name", list(TORCH_NAME))
def test_several_parameter_arrays_match_torch(torch, name):
    """A list of two arrays of different shapes, each with its own state."""
    rng = np.random.default_rng(0)
    a0, b0 = rng.normal(size=(2, 3)), rng.normal(size=4)
    scale_a, scale_b = np.linspace(1, 5, 6).reshape(2, 3), np.linspace(0.5, 20, 4)
    lr = {"sgd": 0.02, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.05, "adamw": 0.05}[name]
    ours = make(name, lr=lr)
    pa = torch.tensor(a0, requires_grad=True)
    pb = torch.tensor(b0, requires_grad=True)
    ref = getattr(torch.optim, TORCH_NAME[name])([pa, pb], lr=lr, foreach=False)
    params = [a0, b0]
    for _ in range(50):
        grads = [scale_a * params[0], scale_b * params[1] ** 3]
        out = ours.step(params, grads)
        assert isinstance(out, list) and len(out) == 2
        params = out
        ref.zero_grad()
        pa.grad = torch.from_numpy(scale_a * pa.detach().numpy())
        pb.grad = torch.from_numpy(scale_b * pb.detach().numpy() ** 3)
        ref.step()
    np.testing.assert_allclose(params[0], pa.detach().numpy(), rtol=TOL_TRAJ, atol=TOL_TRAJ)
    np.testing.assert_allclose(params[1], pb.detach().numpy(), rtol=TOL_TRAJ, atol=TOL_TRAJ)


@pytest.mark.parametrize("name", list(TORCH_NAME))
def test_signature_matches_torch(torch, name):
    """Same argument names and defaults as torch.optim (less torch's implementation flags)."""
    skip = {"self", "params", "foreach", "capturable", "differentiable", "fused", "decoupled_weight_decay"}
    theirs = {
        k: p.default
        for k, p in inspect.signature(getattr(torch.optim, TORCH_NAME[name])).parameters.items()
        if k not in skip
    }
    ours = {k: p.default for k, p in inspect.signature(optim.OPTIMIZERS[name]).parameters.items()}
    assert ours == theirs
    # Everything but lr is keyword-only.
    kinds = [p.kind for k, p in inspect.signature(optim.OPTIMIZERS[name]).parameters.items() if k != "lr"]
    assert all(k is inspect.Parameter.KEYWORD_ONLY for k in kinds)


def test_maximize_is_descent_on_the_negated_objective():
    x0 = np.array([-1.2, 1.0])
    for name in TORCH_NAME:
        down = lossbook_trajectory(name, {"lr": 1e-3}, rosen_grad, x0, 50)
        up = lossbook_trajectory(name, {"lr": 1e-3, "maximize": True}, lambda x: -rosen_grad(x), x0, 50)
        np.testing.assert_array_equal(up, down)


# --------------------------------------------------------------------------- step() plumbing
def test_step_returns_the_structure_it_was_given_and_leaves_inputs_alone():
    x = np.array([1.0, 2.0])
    g = np.array([0.5, -1.0])
    out = SGD(lr=0.1).step(x, g)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [0.95, 2.1])
    np.testing.assert_array_equal(x, [1.0, 2.0])  # not modified in place
    out_t = SGD(lr=0.1).step((x, x[:1]), (g, g[:1]))
    assert isinstance(out_t, tuple) and len(out_t) == 2
    np.testing.assert_array_equal(out_t[1], [0.95])
    out_l = SGD(lr=0.1).step([x], [g])
    assert isinstance(out_l, list)


@pytest.mark.parametrize("name", list(TORCH_NAME))
def test_float32_stays_float32(name):
    opt = make(name, lr=0.1, **({"momentum": 0.9} if name == "sgd" else {}))
    x = np.array([1.0, -2.0], dtype=np.float32)
    for _ in range(3):
        x = opt.step(x, 2 * x)
        assert x.dtype == np.float32


def test_integer_inputs_become_float64():
    out = SGD(lr=0.5).step(np.array([1, 2]), np.array([1, 1]))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [0.5, 1.5])


def test_reset_forgets_the_state():
    opt = Adam(lr=0.1)
    x0 = np.array([1.0, -2.0])
    first = opt.step(x0, 2 * x0)
    opt.step(first, 2 * first)
    assert opt.state[0]["step"] == 2
    opt.reset()
    assert opt.step(x0, 2 * x0).tolist() == first.tolist()
    assert opt.state[0]["step"] == 1


def test_state_uses_torch_names(torch):
    opt = Adam(lr=0.1, amsgrad=True)
    opt.step(np.array([1.0]), np.array([2.0]))
    assert set(opt.state[0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    np.testing.assert_allclose(opt.state[0]["exp_avg"], [0.2])  # (1 - 0.9) * 2
    np.testing.assert_allclose(opt.state[0]["exp_avg_sq"], [0.004])  # (1 - 0.999) * 4


def test_repr_is_readable_and_round_trips():
    opt = SGD(lr=0.1, momentum=0.9, nesterov=True)
    assert repr(opt) == "SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=True, maximize=False)"
    for name, cls in optim.OPTIMIZERS.items():
        o = cls()
        again = eval(repr(o), {c.__name__: c for c in optim.OPTIMIZERS.values()})
        assert type(again) is cls and repr(again) == repr(o)


def test_make_registry():
    assert set(optim.OPTIMIZERS) == {"sgd", "adagrad", "rmsprop", "adam", "adamw"}
    assert isinstance(make("AdamW"), AdamW)
    assert make("adamw").weight_decay == 0.01
    with pytest.raises(ValueError, match=r"^make: unknown optimizer 'adamax'; available optimizers are sgd, adagrad, rmsprop, adam, adamw$"):
        make("adamax")


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: SGD(lr=-0.1), r"^SGD: lr must be >= 0, got -0\.1$"),
        (lambda: SGD(lr=float("nan")), r"^SGD: lr must be a real number, got nan$"),
        (lambda: SGD(lr="0.1"), r"^SGD: lr must be a real number, got '0\.1'$"),
        (lambda: SGD(momentum=-0.5), r"^SGD: momentum must be >= 0, got -0\.5$"),
        (lambda: SGD(weight_decay=-1), r"^SGD: weight_decay must be >= 0, got -1$"),
        (lambda: SGD(nesterov=True), r"^SGD: nesterov=True requires momentum > 0 and dampening = 0, got momentum=0 and dampening=0$"),
        (lambda: SGD(momentum=0.9, dampening=0.1, nesterov=True), r"^SGD: nesterov=True requires momentum > 0 and dampening = 0, got momentum=0\.9 and dampening=0\.1$"),
        (lambda: SGD(nesterov=1), r"^SGD: nesterov must be True or False, got 1$"),
        (lambda: Adagrad(lr_decay=-0.1), r"^Adagrad: lr_decay must be >= 0, got -0\.1$"),
        (lambda: Adagrad(initial_accumulator_value=-1.0), r"^Adagrad: initial_accumulator_value must be >= 0, got -1\.0$"),
        (lambda: Adagrad(eps=-1e-10), r"^Adagrad: eps must be >= 0, got -1e-10$"),
        (lambda: RMSprop(alpha=1.5), r"^RMSprop: alpha must be in \[0, 1\], got 1\.5$"),
        (lambda: RMSprop(momentum=-0.1), r"^RMSprop: momentum must be >= 0, got -0\.1$"),
        (lambda: Adam(betas=(1.0, 0.999)), r"^Adam: betas\[0\] must be in \[0, 1\), got 1\.0$"),
        (lambda: Adam(betas=(0.9, -0.1)), r"^Adam: betas\[1\] must be in \[0, 1\), got -0\.1$"),
        (lambda: AdamW(betas=(0.9, 1.0)), r"^AdamW: betas\[1\] must be in \[0, 1\), got 1\.0$"),
        (lambda: Adam(betas=0.9), r"^Adam: betas must be a pair \(beta1, beta2\), got 0\.9$"),
        (lambda: Adam(eps=-1e-8), r"^Adam: eps must be >= 0, got -1e-08$"),
        (lambda: AdamW(weight_decay=-0.01), r"^AdamW: weight_decay must be >= 0, got -0\.01$"),
        (lambda: Adam(amsgrad="yes"), r"^Adam: amsgrad must be True or False, got 'yes'$"),
    ],
)
def test_bad_hyperparameters_raise(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_torch_rejects_what_we_reject(torch):
    """Our range checks are at least torch's (spot checks of the shared ones)."""
    p = [torch.zeros(1, requires_grad=True)]
    for cls, kw in [("SGD", {"lr": -0.1}), ("SGD", {"nesterov": True}), ("Adam", {"betas": (1.0, 0.999)}), ("Adagrad", {"lr_decay": -0.1}), ("RMSprop", {"eps": -1.0})]:
        with pytest.raises(ValueError):
            getattr(torch.optim, cls)(p, **kw)


def test_lr_setter_validates():
    opt = Adam()
    opt.lr = 0.5
    assert opt.lr == 0.5
    with pytest.raises(ValueError, match=r"^Adam: lr must be >= 0, got -1$"):
        opt.lr = -1


def test_step_shape_errors():
    opt = SGD(lr=0.1)
    with pytest.raises(ValueError, match=r"^SGD\.step: grads\[0\] must have the shape of params\[0\], got \(3,\) and \(2,\)$"):
        opt.step(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match=r"^SGD\.step: grads must match params \(list of 2\), got list of 1$"):
        opt.step([np.zeros(2), np.zeros(1)], [np.zeros(2)])
    opt.step(np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match=r"call reset\(\) to start a new problem"):
        opt.step(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"^SGD\.step: params must hold real numbers, got dtype <U1$"):
        SGD().step(np.array(["a"]), np.array([1.0]))


# --------------------------------------------------------------------------- run() and divergence
def test_run_matches_the_closed_form_of_gradient_descent():
    # f = 0.5 * (x^2 + 10 y^2): x_k = (1 - lr)^k x_0 and y_k = (1 - 10 lr)^k y_0.
    lr, k = 0.05, np.arange(31)
    traj = run(SGD(lr=lr), lambda v: np.array([1.0, 10.0]) * v, np.array([2.0, -1.0]), 30,
               loss_fn=lambda v: 0.5 * (v[0] ** 2 + 10 * v[1] ** 2))
    assert traj.params.shape == (31, 2) and traj.losses.shape == (31,)
    assert traj.diverged_at is None
    np.testing.assert_allclose(traj.params[:, 0], 2.0 * (1 - lr) ** k, rtol=1e-13)
    np.testing.assert_allclose(traj.params[:, 1], -1.0 * (1 - 10 * lr) ** k, rtol=1e-13)
    np.testing.assert_allclose(traj.losses, 0.5 * (traj.params[:, 0] ** 2 + 10 * traj.params[:, 1] ** 2))


def test_run_without_loss_fn_and_zero_steps():
    traj = run(Adam(), lambda v: v, np.array([[1.0, 2.0]]), 0)
    assert traj.params.shape == (1, 1, 2) and traj.losses is None and traj.diverged_at is None


@pytest.mark.parametrize("lr", [0.25, 0.3, 1.0])
def test_sgd_above_two_over_L_diverges_cleanly(lr):
    # f = 0.5 * (x^2 + 10 y^2), L = 10: y_k = (1 - 10 lr)^k y_0 with |1 - 10 lr| > 1.
    factor, y0, bound = abs(1 - 10 * lr), 1.0, 1e12
    expected = math.floor(math.log(bound / y0) / math.log(factor)) + 1  # first k with factor^k > bound
    opt = SGD(lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning fails the test
        traj = run(opt, lambda v: np.array([1.0, 10.0]) * v, np.array([0.5, y0]), 500,
                   loss_fn=lambda v: 0.5 * (v[0] ** 2 + 10 * v[1] ** 2), bound=bound)
    assert traj.diverged_at == expected
    assert traj.params.shape == (501, 2) and traj.losses.shape == (501,)
    assert np.all(np.isfinite(traj.params[: expected + 1]))
    assert abs(traj.params[expected, 1]) > bound >= abs(traj.params[expected - 1, 1])
    assert np.all(np.isnan(traj.params[expected + 1 :])) and np.all(np.isnan(traj.losses[expected + 1 :]))
    assert opt.lr == lr


def test_overflow_to_inf_is_reported_not_warned():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(SGD(lr=1e300), lambda v: v**3, np.array([1e3]), 20, loss_fn=lambda v: float(v[0] ** 4))
    assert traj.diverged_at == 1  # 1e3 - 1e300 * 1e9 overflows to -inf
    assert np.isinf(traj.params[1, 0]) and np.isnan(traj.params[2, 0])


def test_run_can_continue_past_divergence():
    # x_k = (1 - 0.3 * 10)^k = (-2)^k: |x_k| > 10 first at k = 4; then it carries on.
    traj = run(SGD(lr=0.3), lambda v: 10 * v, np.array([1.0]), 50, stop_on_divergence=False, bound=10.0)
    assert traj.diverged_at == 4
    np.testing.assert_array_equal(traj.params[:, 0], (-2.0) ** np.arange(51))


def test_run_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"^run: steps must be an integer >= 0, got -1$"):
        run(SGD(), lambda v: v, np.zeros(1), -1)
    with pytest.raises(ValueError, match=r"^run: x0 must be finite, got non-finite values$"):
        run(SGD(), lambda v: v, np.array([np.nan]), 1)


def test_run_with_schedule_matches_torch_scheduler(torch):
    from torch.optim import lr_scheduler

    x0 = np.array([-3.0, 1.5])
    p = torch.tensor(x0, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.03, momentum=0.9, foreach=False)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=40, eta_min=0.001)
    ref = [x0]
    for _ in range(60):
        opt.zero_grad()
        p.grad = torch.from_numpy(quad_grad(p.detach().numpy().copy()))
        opt.step()
        sched.step()
        ref.append(p.detach().numpy().copy())
    ours = SGD(lr=0.03, momentum=0.9)
    traj = run(ours, quad_grad, x0, 60, lr_schedule=lambda t: cosine_decay(t, lr=0.03, T_max=40, eta_min=0.001))
    np.testing.assert_allclose(traj.params, np.array(ref), rtol=TOL_TRAJ, atol=TOL_TRAJ)
    assert ours.lr == 0.03  # restored


# --------------------------------------------------------------------------- schedules vs torch
def torch_lrs(torch, make_sched, steps, lr):
    p = [torch.zeros(1, requires_grad=True)]
    opt = torch.optim.SGD(p, lr=lr)
    sched = make_sched(opt)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "scheduler.step() before optimizer.step()" note
        for _ in range(steps):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    return np.array(out)


def test_step_decay_matches_StepLR(torch):
    S = torch.optim.lr_scheduler
    ref = torch_lrs(torch, lambda o: S.StepLR(o, step_size=7, gamma=0.3), 50, 0.2)
    np.testing.assert_allclose([step_decay(t, lr=0.2, step_size=7, gamma=0.3) for t in range(50)], ref, rtol=1e-12)


def test_exponential_decay_matches_ExponentialLR(torch):
    S = torch.optim.lr_scheduler
    ref = torch_lrs(torch, lambda o: S.ExponentialLR(o, gamma=0.95), 100, 0.1)
    np.testing.assert_allclose([exponential_decay(t, lr=0.1, gamma=0.95) for t in range(100)], ref, rtol=1e-12)


@pytest.mark.parametrize("eta_min", [0.0, 0.01])
def test_cosine_decay_matches_CosineAnnealingLR_over_several_periods(torch, eta_min):
    S = torch.optim.lr_scheduler
    ref = torch_lrs(torch, lambda o: S.CosineAnnealingLR(o, T_max=25, eta_min=eta_min), 75, 0.1)
    ours = [cosine_decay(t, lr=0.1, T_max=25, eta_min=eta_min) for t in range(75)]
    # torch updates the rate recursively (a ratio of cosines each step), so rounding
    # accumulates; 1e-12 absolute is still far below any formula difference.
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


def test_cosine_decay_with_warmup_matches_SequentialLR(torch):
    S = torch.optim.lr_scheduler
    ref = torch_lrs(
        torch,
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.2, total_iters=8), S.CosineAnnealingLR(o, T_max=30, eta_min=0.005)], milestones=[8]),
        50,
        0.1,
    )
    ours = [cosine_decay(t, lr=0.1, T_max=30, eta_min=0.005, warmup_steps=8, warmup_start_factor=0.2) for t in range(50)]
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


def test_schedule_errors():
    with pytest.raises(ValueError, match=r"^step_decay: step_size must be an integer >= 1, got 0$"):
        step_decay(3, lr=0.1, step_size=0)
    with pytest.raises(ValueError, match=r"^cosine_decay: T_max must be an integer >= 1, got 0$"):
        cosine_decay(0, lr=0.1, T_max=0)
    with pytest.raises(ValueError, match=r"^exponential_decay: t must be an integer >= 0, got -1$"):
        exponential_decay(-1, lr=0.1, gamma=0.9)
    with pytest.raises(ValueError, match=r"^cosine_decay: warmup_start_factor must be in \(0, 1\], got 0\.0$"):
        cosine_decay(0, lr=0.1, T_max=5, warmup_steps=2, warmup_start_factor=0.0)


# --------------------------------------------------------------------------- Keras's rules
# The Keras update rules, written from the formulas in Keras's documentation and
# Kingma & Ba's "epsilon hat" remark; independent of lossbook.optim.
#
# One detail is not in the documentation and was found by these tests: Keras 3 (TF
# backend) passes Python-float hyperparameters through ``ops.cast``, which makes a
# float32 tensor first.  So with float64 variables the bias corrections use the betas
# rounded to float32 (0.9 -> 0.899999976..., 0.999 -> 0.999000012...), and Adagrad's
# accumulator starts at float32(0.1).  ``f32`` reproduces that rounding.
def f32(v):
    return float(np.float32(v))


def keras_adam_rule(x0, grad, steps, lr, b1, b2, eps, weight_decay=0.0, amsgrad=False, round32=True):
    x, m, v, vmax = x0.copy(), np.zeros_like(x0), np.zeros_like(x0), np.zeros_like(x0)
    out = [x.copy()]
    for t in range(1, steps + 1):
        g = grad(x)
        x = x - x * weight_decay * lr  # decoupled decay, before the step
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        vmax = np.maximum(vmax, v)
        c1, c2 = (f32(b1), f32(b2)) if round32 else (b1, b2)
        alpha = lr * np.sqrt(1 - c2**t) / (1 - c1**t)
        x = x - m * alpha / (np.sqrt(vmax if amsgrad else v) + eps)
        out.append(x.copy())
    return np.array(out)


def keras_rmsprop_rule(x0, grad, steps, lr, rho, eps, momentum=0.0, centered=False):
    x, v, gbar, mom = x0.copy(), np.zeros_like(x0), np.zeros_like(x0), np.zeros_like(x0)
    out = [x.copy()]
    for _ in range(steps):
        g = grad(x)
        v = rho * v + (1 - rho) * g * g
        if centered:
            gbar = rho * gbar + (1 - rho) * g
            denom = v - gbar * gbar + eps
        else:
            denom = v + eps
        inc = lr * g / np.sqrt(denom)  # epsilon inside the square root
        if momentum > 0:
            mom = momentum * mom + inc
            x = x - mom
        else:
            x = x - inc
        out.append(x.copy())
    return np.array(out)


def keras_adagrad_rule(x0, grad, steps, lr, acc0, eps):
    x, acc = x0.copy(), np.full_like(x0, f32(acc0))
    out = [x.copy()]
    for _ in range(steps):
        g = grad(x)
        acc = acc + g * g
        x = x - lr * g / np.sqrt(acc + eps)
        out.append(x.copy())
    return np.array(out)


def keras_sgd_rule(x0, grad, steps, lrs, momentum, nesterov=False, weight_decay=0.0):
    x, m = x0.copy(), np.zeros_like(x0)
    out = [x.copy()]
    for t in range(steps):
        g = grad(x)
        x = x - x * weight_decay * lrs[t]  # decoupled decay, before the step
        m = momentum * m - lrs[t] * g
        x = x + (momentum * m - lrs[t] * g if nesterov else m)
        out.append(x.copy())
    return np.array(out)


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def keras_trajectory(keras, opt, x0, grad, steps, lrs=None):
    """Iterates of a Keras optimizer on a float64 variable, fed ``grad`` (NumPy)."""
    var = keras.Variable(x0, dtype="float64")
    out = [x0.copy()]
    for t in range(steps):
        if lrs is not None:
            opt.learning_rate.assign(lrs[t])
        g = grad(np.array(var.numpy()))
        opt.apply([keras.ops.convert_to_tensor(g, dtype="float64")], [var])
        out.append(np.array(var.numpy()))
    return np.array(out)


# Learning rates are powers of two and the Adam betas below are exact in float32
# (0.875 = 1 - 2^-3, 0.9990234375 = 1 - 2^-10): Keras keeps the learning rate in a
# float32 variable and rounds the betas to float32 (see f32 above), so with these
# values the float64 comparison with lossbook is exact.
KERAS_STEPS = 60
BETAS = (0.875, 0.9990234375)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_keras_adam_adds_epsilon_hat_after_moving_the_bias_correction(keras, amsgrad):
    x0, grad = PROBLEMS["quadratic"][1], quad_grad
    lr, eps = 0.0625, 0.1  # a large epsilon makes its placement visible
    kopt = keras.optimizers.Adam(learning_rate=lr, beta_1=BETAS[0], beta_2=BETAS[1], epsilon=eps, amsgrad=amsgrad)
    ref = keras_trajectory(keras, kopt, x0, grad, KERAS_STEPS)
    mine = keras_adam_rule(x0, grad, KERAS_STEPS, lr, *BETAS, eps, amsgrad=amsgrad)
    np.testing.assert_allclose(mine, ref, rtol=TOL_KERAS, atol=TOL_KERAS)
    ours = lossbook_trajectory("adam", {"lr": lr, "betas": BETAS, "eps": eps, "amsgrad": amsgrad}, grad, x0, KERAS_STEPS)
    assert np.max(np.abs(ours - ref)) > 1e-2  # torch's rule is a different trajectory
    # Keras = torch's rule with a time-varying eps_t = eps_hat / sqrt(1 - beta2^t).
    opt, x, same = Adam(lr=lr, betas=BETAS, eps=eps, amsgrad=amsgrad), x0.copy(), [x0.copy()]
    for t in range(1, KERAS_STEPS + 1):
        opt.eps = eps / math.sqrt(1 - BETAS[1] ** t)
        x = opt.step(x, grad(x))
        same.append(x)
    np.testing.assert_allclose(np.array(same), ref, rtol=1e-11, atol=1e-11)


def test_keras_rounds_the_adam_betas_to_float32_in_the_bias_correction(keras):
    """With the default betas 0.9 and 0.999 Keras's float64 run uses float32(beta)^t."""
    x0, grad = PROBLEMS["quadratic"][1], quad_grad
    lr, eps = 0.0625, 1e-7
    ref = keras_trajectory(keras, keras.optimizers.Adam(learning_rate=lr, epsilon=eps), x0, grad, KERAS_STEPS)
    rounded = keras_adam_rule(x0, grad, KERAS_STEPS, lr, 0.9, 0.999, eps, round32=True)
    exact = keras_adam_rule(x0, grad, KERAS_STEPS, lr, 0.9, 0.999, eps, round32=False)
    np.testing.assert_allclose(rounded, ref, rtol=TOL_KERAS, atol=TOL_KERAS)
    assert np.max(np.abs(exact - ref)) > 1e-7


def test_keras_adam_weight_decay_is_decoupled_like_adamw(keras):
    x0, grad = PROBLEMS["quadratic"][1], quad_grad
    lr, wd, eps = 0.0625, 0.5, 1e-16  # negligible epsilon: isolate the decay
    kopt = keras.optimizers.Adam(learning_rate=lr, beta_1=BETAS[0], beta_2=BETAS[1], epsilon=eps, weight_decay=wd)
    ref = keras_trajectory(keras, kopt, x0, grad, KERAS_STEPS)
    np.testing.assert_allclose(keras_adam_rule(x0, grad, KERAS_STEPS, lr, *BETAS, eps, wd), ref, rtol=TOL_KERAS, atol=TOL_KERAS)
    adamw = lossbook_trajectory("adamw", {"lr": lr, "betas": BETAS, "eps": eps, "weight_decay": wd}, grad, x0, KERAS_STEPS)
    adam_l2 = lossbook_trajectory("adam", {"lr": lr, "betas": BETAS, "eps": eps, "weight_decay": wd}, grad, x0, KERAS_STEPS)
    np.testing.assert_allclose(adamw, ref, rtol=1e-10, atol=1e-10)
    assert np.max(np.abs(adam_l2 - ref)) > 1e-2


@pytest.mark.parametrize("centered, momentum", [(False, 0.0), (True, 0.0), (False, 0.5), (True, 0.5)])
def test_keras_rmsprop_puts_epsilon_inside_the_root(keras, centered, momentum):
    x0, grad = PROBLEMS["quadratic"][1], quad_grad
    lr, rho, eps = 0.015625, 0.9, 0.1
    kopt = keras.optimizers.RMSprop(learning_rate=lr, rho=rho, epsilon=eps, centered=centered, momentum=momentum)
    ref = keras_trajectory(keras, kopt, x0, grad, KERAS_STEPS)
    np.testing.assert_allclose(keras_rmsprop_rule(x0, grad, KERAS_STEPS, lr, rho, eps, momentum, centered), ref, rtol=TOL_KERAS, atol=TOL_KERAS)
    ours = lossbook_trajectory("rmsprop", {"lr": lr, "alpha": rho, "eps": eps, "centered": centered, "momentum": momentum}, grad, x0, KERAS_STEPS)
    assert np.max(np.abs(ours - ref)) > 1e-3


def test_keras_adagrad_puts_epsilon_inside_the_root(keras):
    x0, grad = PROBLEMS["quadratic"][1], quad_grad
    lr, acc0, eps = 0.25, 0.1, 0.1
    kopt = keras.optimizers.Adagrad(learning_rate=lr, initial_accumulator_value=acc0, epsilon=eps)
    ref = keras_trajectory(keras, kopt, x0, grad, KERAS_STEPS)
    np.testing.assert_allclose(keras_adagrad_rule(x0, grad, KERAS_STEPS, lr, acc0, eps), ref, rtol=TOL_KERAS, atol=TOL_KERAS)
    ours = lossbook_trajectory("adagrad", {"lr": lr, "initial_accumulator_value": acc0, "eps": eps}, grad, x0, KERAS_STEPS)
    assert np.max(np.abs(ours - ref)) > 1e-3


@pytest.mark.parametrize("nesterov", [False, True])
def test_keras_sgd_momentum_agrees_for_a_constant_lr_and_not_under_a_schedule(keras, nesterov):
    x0, grad = PROBLEMS["quadratic"][1], quad_grad
    lr, mu = 0.015625, 0.875
    ref = keras_trajectory(keras, keras.optimizers.SGD(learning_rate=lr, momentum=mu, nesterov=nesterov), x0, grad, KERAS_STEPS)
    ours = lossbook_trajectory("sgd", {"lr": lr, "momentum": mu, "nesterov": nesterov}, grad, x0, KERAS_STEPS)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)
    # With a learning rate that halves every 10 steps the velocities part ways:
    lrs = [step_decay(t, lr=lr, step_size=10, gamma=0.5) for t in range(KERAS_STEPS)]
    ref_s = keras_trajectory(keras, keras.optimizers.SGD(learning_rate=lr, momentum=mu, nesterov=nesterov), x0, grad, KERAS_STEPS, lrs)
    np.testing.assert_allclose(keras_sgd_rule(x0, grad, KERAS_STEPS, lrs, mu, nesterov), ref_s, rtol=TOL_KERAS, atol=TOL_KERAS)
    ours_s = run(SGD(lr=lr, momentum=mu, nesterov=nesterov), grad, x0, KERAS_STEPS, lr_schedule=lambda t: lrs[t]).params
    assert np.max(np.abs(ours_s - ref_s)) > 1e-3


# --------------------------------------------------------------------------- imports
def test_importing_optim_imports_no_framework():
    import subprocess
    import sys

    code = "import lossbook.optim, lossbook.landscapes, sys; assert 'torch' not in sys.modules and 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("momentum", [0.0, 0.875])
def test_keras_sgd_weight_decay_is_decoupled(keras, momentum):
    """Keras shrinks the weights before the step; torch adds lambda*theta to the gradient.

    Without momentum the two are the same update; with momentum torch's decay enters
    the velocity and Keras's does not.
    """
    x0, grad = PROBLEMS["quadratic"][1], quad_grad
    lr, wd = 0.015625, 0.5
    kopt = keras.optimizers.SGD(learning_rate=lr, momentum=momentum, weight_decay=wd)
    ref = keras_trajectory(keras, kopt, x0, grad, KERAS_STEPS)
    mine = keras_sgd_rule(x0, grad, KERAS_STEPS, [lr] * KERAS_STEPS, momentum, weight_decay=wd)
    np.testing.assert_allclose(mine, ref, rtol=TOL_KERAS, atol=TOL_KERAS)
    ours = lossbook_trajectory("sgd", {"lr": lr, "momentum": momentum, "weight_decay": wd}, grad, x0, KERAS_STEPS)
    if momentum == 0:
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-14)
    else:
        assert np.max(np.abs(ours - ref)) > 1e-3
    no_decay = keras_sgd_rule(x0, grad, KERAS_STEPS, [lr] * KERAS_STEPS, momentum)
    assert np.max(np.abs(no_decay - ref)) > 1e-3  # the decay matters on this run
