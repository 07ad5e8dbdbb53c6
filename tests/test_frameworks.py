"""lossbook.frameworks: the mapping's calls reproduce lossbook in PyTorch, Keras and JAX.

For every loss of the mapping that is registered, each framework's adapter (the call of
``mapping.entry(name)``) must give lossbook's value to ``RTOL_F64`` in float64 (float32
tolerance where the framework computes in float32) and, by its automatic
differentiation, lossbook's gradient; also in float32.  The inputs come from the
registry (``losses.info(name).sample``), and the variants below exercise the options
the mapping's notes are about (class weights and ignored rows, label smoothing,
reductions, clips, log-space inputs, margins).  A loss of the mapping that is not
registered yet is skipped with the reason; until then its frameworks are checked
against each other.  Each framework's tests skip where it is not installed.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from lossbook import frameworks, losses
from lossbook.frameworks import comparison, mapping
from tests._tools import ATOL_F64, RTOL_F32, RTOL_F64

N, C, D = 6, 4, 3


# ----------------------------------------------------------------------------- frameworks
def _load(framework):
    """The framework's adapter module, or a skip when it is not installed."""
    if framework == "keras":
        try:
            frameworks.import_tensorflow()  # quietly, before importorskip imports it
        except ImportError:
            pass
        pytest.importorskip("tensorflow")
        pytest.importorskip("keras")
    elif framework == "jax":
        try:
            frameworks.import_jax()
        except ImportError:
            pass
        pytest.importorskip("jax")
        pytest.importorskip("optax")
    else:
        pytest.importorskip("torch")
    try:
        return mapping.backend(framework)
    except ImportError as exc:  # e.g. Keras on another backend
        pytest.skip(str(exc))


# ----------------------------------------------------------------------------- inputs
def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _pm1(rng, n=N):
    return np.where(rng.random(n) < 0.5, -1.0, 1.0)


def _one_hot(labels, c=C):
    return np.eye(c)[labels]


def _multilabel_targets(rng):
    """Rows of class indices, each list ended by -1 (one row with all C classes)."""
    y = np.full((N, C), -1)
    for i in range(N):
        k = C if i == 0 else rng.integers(1, C)
        y[i, :k] = rng.permutation(C)[:k]
    return y


# Inputs of the losses of issue 8 while the registry has no sample for them.
_FALLBACK = {
    "mape": lambda r: ((_pm1(r) * r.uniform(0.5, 2, N), r.normal(size=N)), {}),
    "msle": lambda r: ((r.uniform(0, 3, N), r.uniform(0.1, 3, N)), {}),
    "poisson": lambda r: ((r.poisson(2.0, N).astype(float), r.uniform(0.2, 3, N)), {}),
    "nll": lambda r: ((r.integers(0, C, N), _log_softmax(r.normal(size=(N, C)))), {}),
    "soft_margin": lambda r: ((_pm1(r), 2 * r.normal(size=N)), {}),
    "multilabel_soft_margin": lambda r: (((r.random((N, C)) < 0.5).astype(float), r.normal(size=(N, C))), {}),
    "multi_margin": lambda r: ((r.integers(0, C, N), 2 * r.normal(size=(N, C))), {}),
    "multilabel_margin": lambda r: ((_multilabel_targets(r), 2 * r.normal(size=(N, C))), {}),
    "hinge_embedding": lambda r: ((_pm1(r), r.uniform(0.1, 0.8, N) + (r.random(N) < 0.5) * 0.5), {}),
    "categorical_hinge": lambda r: ((_one_hot(r.integers(0, C, N)), 2 * r.normal(size=(N, C))), {}),
    "categorical_focal": lambda r: ((_one_hot(r.integers(0, C, N)), 2 * r.normal(size=(N, C))), {}),
    "dice": lambda r: (((r.random((N, 3, 3)) < 0.5).astype(float), r.uniform(0.05, 0.95, (N, 3, 3))), {}),
    "tversky": lambda r: (((r.random((N, 3, 3)) < 0.5).astype(float), r.uniform(0.05, 0.95, (N, 3, 3))), {}),
    "poly1": lambda r: ((r.integers(0, C, N), r.normal(size=(N, C))), {}),
    "sparsemax": lambda r: ((r.integers(0, C, N), 2 * r.normal(size=(N, C))), {}),
    "nt_xent": lambda r: ((r.normal(size=(N, D)), np.repeat(np.arange(N // 2), 2)), {}),
    "symmetric_info_nce": lambda r: ((r.normal(size=(N, D)), r.normal(size=(N, D))), {}),
    "bpr": lambda r: ((r.normal(size=N), r.normal(size=N)), {}),
    "chunked_cross_entropy": lambda r: ((r.integers(0, 7, N), r.normal(size=(N, 5)), r.normal(size=(7, 5))), {}),
}


def inputs(name: str, seed: int = 0):
    """``(args, kwargs)`` for loss ``name``: the registry's sample, else a fallback."""
    rng = np.random.default_rng(seed)
    if name in losses.available() and hasattr(losses, "info"):
        case = losses.info(name).sample(rng, N)
        return tuple(np.asarray(a) for a in case.args), dict(case.kwargs)
    return _FALLBACK[name](rng)


def _ignore_first(args, kw, rng):
    y = np.array(args[0])
    y[0] = -100
    return (y, *args[1:]), kw


def _with(**options):
    return lambda args, kw, rng: (args, {**kw, **options})


def _rates(args, kw, rng):  # poisson_nll with log_input=False takes rates
    return (args[0], np.exp(args[1])), {**kw, "log_input": False}


def _soft_targets(args, kw, rng):
    return (rng.dirichlet(np.ones(args[1].shape[1]), size=len(args[0])), args[1]), kw


def _class_weights(args, kw, rng, n_classes=None):
    c = n_classes or args[1].shape[-1]
    return args, {**kw, "weight": rng.uniform(0.5, 2.0, c)}


def _mixed_pairs(args, kw, rng):  # cosine_embedding with dissimilar pairs too
    y = _pm1(rng, len(args[0]))
    return (y, *args[1:]), kw


# The option variants, per loss: (id, transform(args, kwargs, rng) -> (args, kwargs)).
VARIANTS = {
    "huber": [("delta", _with(delta=0.7))],
    "smooth_l1": [("beta", _with(beta=0.7)), ("beta0", _with(beta=0.0))],
    "quantile": [("tau", _with(tau=0.3))],
    "poisson_nll": [("rate", _rates), ("full", _with(full=True))],
    "gaussian_nll": [("full", _with(full=True))],
    "binary_cross_entropy": [("weight", lambda a, k, r: (a, {**k, "weight": r.uniform(0.5, 2, a[1].shape)})),
                             ("keras_eps", _with(eps=1e-7))],
    "binary_cross_entropy_with_logits": [("pos_weight", _with(pos_weight=2.5))],
    "cross_entropy": [
        ("weight", _class_weights),
        ("ignore", _ignore_first),
        ("weight_ignore", lambda a, k, r: _class_weights(*_ignore_first(a, k, r), r)),
        ("smoothing", _with(label_smoothing=0.1)),
        ("weight_smoothing_ignore", lambda a, k, r: _class_weights(*_ignore_first(a, {**k, "label_smoothing": 0.2}, r), r)),
        ("probabilities", _soft_targets),
        ("probabilities_smoothing", lambda a, k, r: _soft_targets(a, {**k, "label_smoothing": 0.1}, r)),
    ],
    "nll": [("weight_ignore_class0", lambda a, k, r: _class_weights(a, {**k, "ignore_index": 0}, r))],
    "focal": [("alpha", _with(alpha=0.25)), ("gamma", _with(gamma=0.5))],
    "hinge": [("margin", _with(margin=0.5))],
    "squared_hinge": [("margin", _with(margin=0.5))],
    "kl_divergence": [("keras_eps", _with(eps=1e-7)), ("mean", _with(reduction="mean"))],
    "triplet": [("p1", _with(p=1)), ("p3", _with(p=3)), ("swap", _with(swap=True))],
    "cosine_embedding": [("dissimilar", lambda a, k, r: _mixed_pairs(a, {**k, "margin": 0.2}, r))],
    "elastic_net": [("alpha", _with(alpha=0.3, l1_ratio=0.4))],
    "multilabel_soft_margin": [("weight", _class_weights)],
    "multi_margin": [("p2_weight", lambda a, k, r: _class_weights(a, {**k, "p": 2, "margin": 0.5}, r))],
    "categorical_focal": [("smoothing", _with(label_smoothing=0.1, gamma=1.5))],
    "tversky": [("alpha", _with(alpha=0.7, beta=0.3))],
    "poly1": [("epsilon", _with(epsilon=2.0))],
    "chunked_cross_entropy": [("ignore", _ignore_first)],
}


def _reductions(name):
    """The reductions to test besides the default (from the registry's facts if any)."""
    if name in losses.available() and hasattr(losses, "info"):
        info = losses.info(name)
        return list(info.reductions[1:])
    import inspect

    if name in losses.available():
        param = inspect.signature(losses.get(name)).parameters.get("reduction")
        if param is None:
            return []
        return [r for r in ("mean", "sum", "none") if r != param.default and name != "rmse"]
    return ["sum", "none"] if name not in ("nt_xent",) else []


def _cases(name):
    """(id, transform) of every case of ``name``: its sample, reductions, variants."""
    base = [("sample", lambda a, k, r: (a, k))]
    base += [(f"reduction_{red}", _with(reduction=red)) for red in _reductions(name)]
    return base + VARIANTS.get(name, [])


def case(name, transform, seed=0):
    args, kw = inputs(name, seed)
    return transform(args, kw, np.random.default_rng(seed + 1))


# JAX compiles every new function (about 0.2 s each here): its reductions are tested
# where its adapter has code of its own for them; elsewhere they are the shared
# `_reduce`, tested through these.
_JAX_REDUCTIONS = {"cross_entropy", "nll", "kl_divergence", "ctc", "chunked_cross_entropy", "rmse"}

PARAMS = [
    pytest.param(name, cid, fw, id=f"{name}-{cid}-{fw}")
    for name in mapping.names()
    for cid, _ in _cases(name)
    for fw in mapping.FRAMEWORKS
    if not (fw == "jax" and cid.startswith("reduction_") and name not in _JAX_REDUCTIONS)
]

# float32 frameworks against float32 lossbook: both round, differently; the ulps (6e-8)
# are amplified by inverse temperatures and accumulated over sums, so the absolute
# tolerance is 1e-5 of the largest value (RTOL_F32 alone fails where a value is small).
ATOL_F32 = 1e-5


def _tolerances(dtype, eq):
    if dtype == "float64" and eq.float64:
        return RTOL_F64, ATOL_F64
    return RTOL_F32, ATOL_F32


def _assert_close(got, want, rtol, atol, what):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol * scale, err_msg=what)


# ----------------------------------------------------------------------------- agreement
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")  # PyTorch's kl_div
@pytest.mark.parametrize("name,cid,framework", PARAMS)
def test_framework_agrees_with_lossbook(name, cid, framework):
    if name not in losses.available():
        pytest.skip(f"{name} is not registered yet (issue 8, section 1)")
    be = _load(framework)
    eq = mapping.entry(name).equivalent(framework)
    if eq.match == "none":
        pytest.skip(f"{framework} has no equivalent of {name}: {eq.note}")
    transform = dict(_cases(name))[cid]
    args, kw = case(name, transform)
    fn = losses.get(name)
    dtypes = ("float64", "float32") if cid == "sample" else ("float64",)
    for dtype in dtypes:
        arrays, opts, dt = comparison.prepare(name, args, kw, dtype)
        want = fn(*arrays, **opts)
        want_grads = comparison.project(name, arrays, fn.grad(*arrays, **opts))
        value, grads, _ = comparison._run_framework(
            name, be, be.devices()[0], arrays, opts, dt, repeat=0, compile=framework == "jax"
        )
        rtol, atol = _tolerances(dtype, eq)
        _assert_close(value, want, rtol, atol, f"{name} {cid} {dtype}: {framework} value")
        assert np.asarray(value).dtype == np.dtype(dtype), f"{framework} returned {np.asarray(value).dtype}"
        grads = comparison.project(name, arrays, grads)
        for i, (g, w) in enumerate(zip(grads, want_grads)):
            _assert_close(g, w, rtol, atol, f"{name} {cid} {dtype}: {framework} gradient {i}")


@pytest.mark.parametrize("name", [n for n in mapping.names() if n not in losses.available()])
def test_frameworks_agree_with_each_other_before_lossbook_has_the_loss(name):
    """Until the NumPy loss lands, its three framework calls must at least agree."""
    args, kw = inputs(name)
    results = {}
    for fw in mapping.FRAMEWORKS:
        try:
            mapping.backend(fw)
        except ImportError:
            continue
        if mapping.entry(name).equivalent(fw).match != "none":
            results[fw] = frameworks.evaluate(name, fw, *args, compile=fw == "jax", **kw)
    if len(results) < 2:
        pytest.skip("fewer than two frameworks installed")
    (ref_fw, (ref_v, ref_g)), *others = results.items()
    for fw, (v, g) in others:
        _assert_close(v, ref_v, RTOL_F64, ATOL_F64, f"{name}: {fw} vs {ref_fw}")
        for a, b in zip(comparison.project(name, args, g), comparison.project(name, args, ref_g)):
            _assert_close(a, b, RTOL_F64, ATOL_F64, f"{name}: {fw} vs {ref_fw} gradient")


# ----------------------------------------------------------------------------- the table
def test_every_registered_loss_has_a_mapping_entry():
    missing = sorted(set(losses.available()) - set(mapping.names()))
    assert not missing, f"losses without a mapping entry: {missing}"


def test_mapping_entries_match_the_registry_facts():
    if not hasattr(losses, "info"):
        pytest.skip("the registry has no facts yet")
    for name in sorted(set(losses.available()) & set(mapping.names())):
        info, e = losses.info(name), mapping.entry(name)
        assert e.kind == info.kind, f"{name}: mapping kind {e.kind}, registry {info.kind}"
        wrt = tuple(info.inputs.index(a) for a in info.wrt)
        assert e.predictions == wrt, f"{name}: mapping predictions {e.predictions}, registry wrt {info.wrt}"


def test_every_equivalent_with_a_call_has_an_adapter_and_a_reason():
    for name in mapping.names():
        e = mapping.entry(name)
        for fw in mapping.FRAMEWORKS:
            eq = e.equivalent(fw)
            assert eq.call.strip(), f"{name}/{fw}: empty call"
            if eq.match != "built-in":
                assert eq.note, f"{name}/{fw}: a {eq.match} equivalent must say why"


@pytest.mark.parametrize("framework", mapping.FRAMEWORKS)
def test_call_names_the_function_the_adapter_calls(framework):
    """The table's call cannot drift from the code: its main function is in the adapter."""
    import inspect
    import re

    be = _load(framework)
    for name in mapping.names():
        eq = mapping.entry(name).equivalent(framework)
        if eq.match != "built-in":
            continue
        source = inspect.getsource(getattr(be, name))
        first = re.search(r"(F|keras\.\w+|optax\.losses|tf\.nn)\.(\w+)", eq.call)
        assert first, f"{name}/{framework}: no framework function in {eq.call!r}"
        assert first.group(2) in source, f"{name}/{framework}: {first.group(0)} not in the adapter"


def test_table_is_tidy_and_wide():
    pd = pytest.importorskip("pandas")
    tidy = frameworks.mapping_table()
    assert isinstance(tidy, pd.DataFrame)
    assert len(tidy) == 3 * len(mapping.names())
    assert set(tidy["match"]) <= set(mapping.MATCHES)
    wide = frameworks.mapping_table(wide=True)
    assert list(wide.columns) == ["kind", "loss", "PyTorch", "Keras / TensorFlow", "JAX / optax"]
    assert wide.set_index("loss").loc["kl_divergence", "PyTorch"].startswith("F.kl_div(q.log(), p")
    assert set(frameworks.mapping_table(kind="penalty")["loss"]) == {"l1_penalty", "l2_penalty", "elastic_net"}


# ----------------------------------------------------------------------------- compare
def test_compare_has_a_row_per_framework_and_device():
    args, kw = inputs("huber")
    t = frameworks.compare("huber", *args, repeat=1, delta=0.7, **kw)
    assert list(t.columns) == list(comparison.COLUMNS)
    assert t.iloc[0]["framework"] == "NumPy (lossbook)"
    ok = t[t["status"] == "ok"]
    assert len(ok) == 1 + sum(len(v) for k, v in frameworks.devices().items() if k != "numpy")
    assert (ok["value_diff"] < 1e-12).all() and (ok["grad_diff"] < 1e-12).all()
    assert (ok["time_ms"] > 0).all()


def test_compare_float32_and_jax_x64_leaves_no_global_state():
    jax = pytest.importorskip("jax")
    before = jax.config.jax_enable_x64
    args, kw = inputs("mse")
    t64 = frameworks.compare("mse", *args, frameworks=["jax"], repeat=0, dtype="float64", **kw)
    t32 = frameworks.compare("mse", *args, frameworks=["jax"], repeat=0, dtype="float32", **kw)
    assert jax.config.jax_enable_x64 == before
    assert (t64["dtype"] == "float64").all() and (t32["dtype"] == "float32").all()
    assert t64.iloc[1]["status"] == "ok" and t64.iloc[1]["value_diff"] < 1e-12
    assert t32.iloc[1]["status"] == "ok" and t32.iloc[1]["value_diff"] < 1e-5
    assert isinstance(t32.iloc[1]["value"], float) and t32.iloc[1]["value"] != t64.iloc[1]["value"]


def test_a_framework_that_is_not_installed_is_a_row(monkeypatch):
    from lossbook.frameworks import _torch

    monkeypatch.setattr(_torch, "torch", None)
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    t = frameworks.compare("mse", [0.0, 1.0], [0.5, 1.0], frameworks=["torch"], repeat=0)
    assert t["framework"].tolist() == ["NumPy (lossbook)", "PyTorch"]
    assert t.iloc[1]["status"].startswith("not installed")
    assert math.isnan(t.iloc[1]["value"])
    assert frameworks.devices(["torch"])["torch"] == []


def test_an_option_a_framework_cannot_reproduce_is_a_row(monkeypatch):
    be = _load("keras")

    def refuse(*args, **kwargs):
        raise mapping.NoEquivalent("Keras cannot do that")

    monkeypatch.setattr(be, "mse", refuse)
    t = frameworks.compare("mse", [0.0, 1.0], [0.5, 1.0], frameworks=["keras"], repeat=0)
    assert t.iloc[1]["status"] == "no equivalent: Keras cannot do that"


def test_gpu_detection_is_detection(monkeypatch):
    """With a GPU reported, devices() lists it and compare tries it, reporting a failure."""
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a real GPU is present; this test fakes one")
    _load("torch")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert frameworks.devices(["torch"])["torch"] == ["cpu", "cuda:0"]
    t = frameworks.compare("mse", [0.0, 1.0], [0.5, 1.0], frameworks=["torch"], repeat=0)
    assert t["device"].tolist() == ["cpu", "cpu", "cuda:0"]
    assert t.iloc[1]["status"] == "ok"
    assert t.iloc[2]["status"].startswith("error:")  # no CUDA here: a row, not an exception


def test_tensorflow_and_jax_gpus_are_detected(monkeypatch):
    tf_module = _load("keras")
    real = tf_module.tf.config.list_logical_devices
    monkeypatch.setattr(tf_module.tf.config, "list_logical_devices",
                        lambda kind=None: ["fake"] if kind == "GPU" else real(kind))
    assert frameworks.devices(["keras"])["keras"] == ["/CPU:0", "/GPU:0"]

    jax_module = _load("jax")

    class FakeGpu:
        platform, id = "gpu", 0

    monkeypatch.setattr(jax_module.jax, "devices", lambda backend=None: [FakeGpu()])
    assert frameworks.devices(["jax"])["jax"] == ["cpu:0", "gpu:0"]


def test_importing_the_frameworks_package_imports_no_framework():
    code = (
        "import sys, lossbook, lossbook.losses, lossbook.frameworks, lossbook.frameworks.mapping, "
        "lossbook.frameworks.comparison, lossbook.frameworks._torch, lossbook.frameworks._keras, "
        "lossbook.frameworks._jax; "
        "bad = [m for m in ('torch', 'tensorflow', 'keras', 'jax', 'optax', 'pandas') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------------------- the notes' evidence
def test_optax_triplet_is_not_a_norm_for_odd_p():
    """The note on optax.triplet_margin_loss: p = 1 sums signed differences."""
    be = _load("jax")
    a, p, n = np.zeros((1, 2)), np.array([[1.0, 0.0]]), np.array([[0.0, 0.5]])
    with be.jax.enable_x64(True):
        optax_value = float(be.optax.losses.triplet_margin_loss(a, p, n, norm_degree=1, eps=0.0)[0])
    torch_value = losses.triplet(a, p, n, p=1, eps=0.0)  # = PyTorch's, max(0, 1 + 1 - 0.5)
    assert torch_value == pytest.approx(1.5) and optax_value == pytest.approx(0.5)


def test_keras_ctc_is_float32_and_optax_ctc_has_no_infinity():
    """The notes on CTC: Keras computes in float32; optax's impossible alignment is ~1e5."""
    args, kw = inputs("ctc")
    value, _ = frameworks.evaluate("ctc", "keras", *args, **kw)
    want = losses.ctc(*args, **kw)
    assert value.dtype == np.float64 and 1e-12 < abs(value - want) / want < 1e-5
    log_probs = np.log(np.full((2, 3), 1 / 3))  # 2 frames cannot emit 3 labels
    _load("jax")
    impossible, _ = frameworks.evaluate("ctc", "jax", np.array([1, 2, 1]), log_probs, reduction="sum", compile=True)
    assert np.isinf(losses.ctc(np.array([1, 2, 1]), log_probs, reduction="sum"))
    assert 1e4 < impossible < 1e6


def test_keras_and_torch_bce_disagree_on_confident_mistakes():
    """The note on binary cross-entropy: PyTorch clamps the log at -100, Keras clips p."""
    y, p = np.array([1.0]), np.array([0.0])
    assert losses.binary_cross_entropy(y, p) == 100.0
    _load("torch"), _load("keras")
    torch_value, _ = frameworks.evaluate("binary_cross_entropy", "torch", y, p)
    keras_value, _ = frameworks.evaluate("binary_cross_entropy", "keras", y, p)
    assert float(torch_value) == 100.0
    assert float(keras_value) == pytest.approx(-math.log(1e-7))


def test_cross_entropy_all_ignored_is_nan_in_torch_and_zero_in_keras():
    y, z = np.array([-100, -100]), np.zeros((2, 3))
    _load("torch"), _load("keras")
    assert np.isnan(losses.cross_entropy(y, z))
    assert np.isnan(frameworks.evaluate("cross_entropy", "torch", y, z)[0])
    assert frameworks.evaluate("cross_entropy", "keras", y, z)[0] == 0.0


def test_keras_categorical_crossentropy_gradient_assumes_rows_summing_to_one():
    """The note on Keras's cross-entropy: right value, wrong gradient for other targets."""
    _load("keras")
    t = np.array([[1.0, 1.0, 0.0], [0.5, 0.5, 1.0]])  # rows sum to 2
    z = np.array([[0.3, -1.2, 0.5], [1.0, 0.0, -0.5]])
    value, (grad,) = frameworks.evaluate("cross_entropy", "keras", t, z, reduction="sum")
    assert value == pytest.approx(losses.cross_entropy(t, z, reduction="sum"), rel=1e-12)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    np.testing.assert_allclose(losses.cross_entropy.grad(t, z, reduction="sum"), 2 * p - t, rtol=1e-12)
    np.testing.assert_allclose(grad, p - t, rtol=1e-12)  # TensorFlow's softmax - targets


def test_keras_log_cosh_subtracts_log2_rounded_to_float32():
    """The note on Keras's LogCosh: off by 1.9e-9 in float64."""
    _load("keras")
    value, _ = frameworks.evaluate("log_cosh", "keras", np.zeros(1), np.array([0.04]))
    assert float(value - losses.log_cosh(np.zeros(1), np.array([0.04]))) == pytest.approx(
        math.log(2) - float(np.float32(math.log(2))), rel=1e-3  # it subtracts the larger float32 log 2
    )


def test_keras_and_optax_tversky_letters_are_swapped_and_dice_pools_the_batch():
    """The notes on Dice and Tversky: Keras's alpha is optax's beta; Keras's axis=None pools."""
    be_k, be_j = _load("keras"), _load("jax")
    keras, optax, jnp = be_k.keras, be_j.optax, be_j.jnp
    rng = np.random.default_rng(0)
    y, p = (rng.random((2, 9)) < 0.5).astype(float), rng.uniform(0.05, 0.95, (2, 9))
    k = keras.losses.Tversky(alpha=0.7, beta=0.3, axis=(1,), reduction=None, dtype="float64")(y, p).numpy()
    with be_j.jax.enable_x64(True):
        two_class = (jnp.stack([1 - p, p], -1), jnp.stack([1 - y, y], -1))
        swapped = optax.losses.dice_loss(*two_class, alpha=0.3, beta=0.7, smooth=0.0, apply_softmax=False,
                                         reduction="none", axis=(1,))
    np.testing.assert_allclose(np.asarray(swapped)[:, 1], k, rtol=1e-6)  # Keras adds 1e-7
    pooled = keras.losses.Dice(reduction=None, dtype="float64")(y, p).numpy()
    assert np.ndim(pooled) == 0 and np.ndim(keras.losses.Dice(axis=(1,), reduction=None, dtype="float64")(y, p)) == 1
