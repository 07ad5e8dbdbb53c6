"""One loss, every framework, every device: run lossbook's loss and its equivalents side by side.

:func:`compare` computes a loss with lossbook (NumPy), PyTorch, Keras on TensorFlow and
JAX/optax, on every device each framework detects here (the CPU, and CUDA, the
TensorFlow GPU or the JAX GPU when there is one), using the calls of
``lossbook.frameworks.mapping``, and tabulates the value, the largest difference of
the value and of the gradient from lossbook's, and the median time.  Gradients are taken
by each framework's automatic differentiation (autograd, ``tf.GradientTape``,
``jax.grad``) with respect to the loss's prediction input(s), the inputs of
``losses.get(name).grad``.

A framework that is not installed, a device a dtype cannot run on, and an option value
a framework cannot reproduce are rows that say so, never exceptions.  Frameworks are
imported when a function here needs them, never when this module is imported.
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np

from .mapping import FRAMEWORKS, LABELS, NoEquivalent, backend, entry

#: The columns of :func:`compare`'s table.
COLUMNS = ("framework", "device", "dtype", "match", "status", "value", "value_diff", "grad_diff", "time_ms")


def devices(frameworks=None) -> dict:
    """The devices each installed framework detects here, by framework.

    Args:
        frameworks: the frameworks to ask (``"torch"``, ``"keras"``, ``"jax"``); all by
            default.

    Returns:
        A dict from framework to its device names, ``{"numpy": ["cpu"], "torch": ["cpu",
        "cuda:0"], "keras": ["/CPU:0", "/GPU:0"], "jax": ["cpu:0", "gpu:0"]}`` on a
        machine with one GPU; an empty list for a framework that is not installed.

    Example:
        >>> devices([])
        {'numpy': ['cpu']}
    """
    found = {"numpy": ["cpu"]}
    for fw in FRAMEWORKS if frameworks is None else frameworks:
        try:
            found[fw] = backend(fw).devices()
        except ImportError:
            found[fw] = []
    return found


def _float_dtype(arrays, dtype) -> str:
    if dtype is not None:
        name = np.dtype(dtype).name
        if name not in ("float32", "float64"):
            raise ValueError(f"compare: dtype must be float32 or float64, got {dtype!r}")
        return name
    floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
    return np.result_type(*floats).name if floats else "float64"


def prepare(name: str, inputs, options: dict, dtype=None):
    """The inputs and options of a comparison as NumPy arrays of one floating dtype.

    The label inputs and options of the mapping entry (``entry(name).labels``: class
    labels, CTC's targets and lengths) given as integers stay integers; every other
    array becomes ``dtype`` (default: the inputs' floating dtype, float64 if none).
    Scalar options are left as they are.

    Returns:
        ``(arrays, options, dtype_name)``.

    Example:
        >>> arrays, opts, dt = prepare("cross_entropy", ([0, 1], [[1, 2], [3, 4]]), {"weight": [1, 2]}, "float32")
        >>> [a.dtype.name for a in arrays], opts["weight"].dtype.name, dt
        (['int64', 'float32'], 'float32', 'float32')
    """
    e = entry(name)
    raw = [np.asarray(x) for x in inputs]
    dt = _float_dtype(raw, dtype)

    def cast(key, a):
        return a if (key in e.labels and a.dtype.kind in "iu") else a.astype(dt)

    arrays = [cast(i, a) for i, a in enumerate(raw)]
    opts = {k: cast(k, np.asarray(v)) if isinstance(v, (np.ndarray, list, tuple)) else v
            for k, v in options.items()}
    return arrays, opts, dt


def project(name: str, inputs, grads) -> tuple:
    """Gradients as the comparison compares them (a tuple, one per prediction input).

    For CTC (the entry's ``projection == "log_softmax"``) each gradient ``g`` with
    respect to log-probabilities ``lp`` is replaced by its image under log_softmax's
    backward, ``g - exp(lp) * sum_c g``: PyTorch's CTC backward returns the gradient
    for the logits that produced ``lp``, Keras and optax differentiate through their own
    log_softmax, and lossbook's gradient treats ``lp`` as free; all four agree after
    this map, the only use PyTorch supports.

    Example:
        >>> project("mse", ([0.0, 0.0], [1.0, 2.0]), np.array([1.0, 2.0]))
        (array([1., 2.]),)
        >>> lp = np.log([[0.25, 0.75]])
        >>> project("ctc", ([1], lp), np.array([[-1.0, 0.0]]))  # -1 + 0.25, 0 + 0.75
        (array([[-0.75,  0.75]]),)
    """
    e = entry(name)
    grads = tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)
    if e.projection != "log_softmax":
        return grads
    out = []
    for i, g in zip(e.predictions, grads):
        g = np.asarray(g)
        y = np.exp(np.asarray(inputs[i], dtype=g.dtype))
        out.append(g - y * g.sum(axis=-1, keepdims=True))
    return tuple(out)


def _timed(step, repeat):
    """Run ``step`` once (the warm-up) and ``repeat`` more times; (result, median ms)."""
    result = step()
    if repeat <= 0:
        return result, math.nan
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - t0)
    return result, 1e3 * statistics.median(times)


def _max_diff(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return math.inf
    d = np.abs(a - b)
    both_nan = np.isnan(a) & np.isnan(b)
    same_inf = np.isinf(a) & (a == b)
    d = np.where(both_nan | same_inf, 0.0, d)
    return float(np.max(d, initial=0.0))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]


def _run_framework(name, be, device, arrays, opts, dt, *, repeat, compile):
    """(value, grads, median ms) of one framework on one device, as NumPy."""
    e = entry(name)
    fn = getattr(be, name)
    with be.placement(device, dt):
        tensors = [be.convert(a, device, dt) for a in arrays]
        kw = {k: (be.convert(v, device, dt) if isinstance(v, np.ndarray) else v) for k, v in opts.items()}
        step = be.value_and_grad(fn, tensors, kw, e.predictions, compile=compile)
        (value, grads), ms = _timed(step, repeat)
        value = be.to_numpy(value)
        grads = tuple(be.to_numpy(g) for g in grads)
    return value, grads, ms


def evaluate(name: str, framework: str, *inputs, device: str | None = None, dtype=None, compile=False, **options):
    """The value and gradient(s) of loss ``name`` computed by ``framework``, as NumPy.

    Args:
        name: a lossbook loss of the mapping (``mapping.names()``).
        framework: ``"torch"``, ``"keras"`` or ``"jax"``.
        *inputs: the loss's positional inputs, as for ``losses.get(name)``.
        device: one of ``devices()[framework]``; the first (the CPU) by default.
        dtype: ``"float32"`` or ``"float64"``; by default the inputs' floating dtype.
        compile: compile the value-and-gradient function (``jax.jit``,
            ``tf.function``); PyTorch runs eagerly.
        **options: the loss's keyword options, as for lossbook.

    Returns:
        ``(value, grads)``: the value as a NumPy array (0-d for a scalar) and a tuple of
        gradients of the summed value with respect to the prediction inputs, by the
        framework's automatic differentiation (not projected; see ``project()``).

    Raises:
        ImportError: the framework is not installed.
        NoEquivalent: the framework has no equivalent (or none for these options).

    Example (needs PyTorch):
        >>> value, (grad,) = evaluate("mse", "torch", [0.0, 1.0], [0.5, 1.0])  # doctest: +SKIP
        >>> print(value, grad)  # doctest: +SKIP
        0.125 [0.5 0. ]
    """
    eq = entry(name).equivalent(framework)
    if eq.match == "none":
        raise NoEquivalent(f"{LABELS[framework]} has no equivalent of {name}: {eq.note}")
    be = backend(framework)
    arrays, opts, dt = prepare(name, inputs, options, dtype)
    value, grads, _ = _run_framework(
        name, be, device or be.devices()[0], arrays, opts, dt, repeat=0, compile=compile
    )
    return value, grads


def compare(name: str, *inputs, frameworks=None, dtype=None, repeat: int = 5, compile=None, **options):
    """Run loss ``name`` in NumPy, PyTorch, Keras and JAX on every device; one row each.

    Args:
        name: a lossbook loss (``losses.available()``; a loss of the mapping that is not
            registered yet still runs in the frameworks, without differences).
        *inputs: the loss's positional inputs, as NumPy arrays or lists, in lossbook's
            order (target first); none for the registry's sample inputs of 8 examples
            (``losses.info(name).sample``, seed 0).
        frameworks: the frameworks to run besides NumPy (``"torch"``, ``"keras"``,
            ``"jax"``); all three by default.
        dtype: ``"float32"`` or ``"float64"`` (JAX's 64-bit mode is switched on for the
            float64 run only and restored afterwards); by default the inputs' floating
            dtype.
        repeat: timed runs of value and gradient after one warm-up run; 0 runs once and
            leaves the time empty (NaN).
        compile: compile the value-and-gradient function (``jax.jit``,
            ``tf.function``); by default when timing (``repeat > 0``), as training code
            does. PyTorch runs eagerly.
        **options: the loss's keyword options (``reduction``, ``weight``, ...), passed to
            lossbook and to every framework's adapter.

    Returns:
        A ``pandas.DataFrame`` with the columns ``framework``, ``device``, ``dtype``,
        ``match`` (built-in, composed or none), ``status`` (``ok``, or why there is no
        value), ``value`` (a float, or an array for ``reduction="none"``),
        ``value_diff`` and ``grad_diff`` (the largest absolute difference from
        lossbook's value and gradient; gradients are compared after ``project()``),
        and ``time_ms`` (the median of ``repeat`` runs of value and gradient).

    Example:
        >>> t = compare("mse", [0.0, 1.0], [0.5, 1.0], frameworks=[], repeat=0)
        >>> t[["framework", "device", "status", "value"]].to_dict("records")
        [{'framework': 'NumPy (lossbook)', 'device': 'cpu', 'status': 'ok', 'value': 0.125}]
    """
    import pandas as pd

    from lossbook import losses

    e = entry(name)
    if not inputs:
        if name not in losses.available():
            raise ValueError(f"compare: {name} is not registered, so it has no sample inputs: pass them")
        case = losses.info(name).sample(np.random.default_rng(0), 8)
        inputs, options = case.args, {**case.kwargs, **options}
    arrays, opts, dt = prepare(name, inputs, options, dtype)
    compile = repeat > 0 if compile is None else compile
    rows = []

    def row(framework, device, status, match="", value=None, value_diff=math.nan, grad_diff=math.nan, ms=math.nan):
        if value is not None:
            value = value.item() if np.ndim(value) == 0 else value
        rows.append(dict(zip(COLUMNS, (LABELS[framework], device, dt, match, status,
                                       math.nan if value is None else value, value_diff, grad_diff, ms))))

    ref = None
    if name in losses.available():
        fn = losses.get(name)

        def numpy_step():
            return fn(*arrays, **opts), fn.grad(*arrays, **opts)

        (ref_value, ref_grads), ms = _timed(numpy_step, repeat)
        ref = (np.asarray(ref_value), project(name, arrays, ref_grads))
        row("numpy", "cpu", "ok", "reference", ref[0], 0.0, 0.0, ms)
    else:
        row("numpy", "cpu", f"not registered: losses.get({name!r}) does not exist yet", "reference")

    for fw in FRAMEWORKS if frameworks is None else frameworks:
        eq = e.equivalent(fw)
        try:
            be = backend(fw)
        except ImportError as exc:
            row(fw, "", f"not installed ({_first_line(exc)})", eq.match)
            continue
        if eq.match == "none":
            row(fw, "", f"no equivalent: {eq.note}", eq.match)
            continue
        for device in be.devices():
            why = be.supports(device, dt)
            if why:
                row(fw, device, f"unsupported: {why}", eq.match)
                continue
            try:
                value, grads, ms = _run_framework(name, be, device, arrays, opts, dt, repeat=repeat, compile=compile)
            except NoEquivalent as exc:
                row(fw, device, f"no equivalent: {exc}", eq.match)
                continue
            except Exception as exc:  # reported in the table, never raised
                row(fw, device, f"error: {_first_line(exc)}", eq.match)
                continue
            if ref is None:
                row(fw, device, "ok", eq.match, value, ms=ms)
                continue
            grads = project(name, arrays, grads)
            if any(g is None for g in grads):
                grad_diff = math.inf  # the framework's graph does not reach an input
            else:
                grad_diff = max(_max_diff(g, r) for g, r in zip(grads, ref[1]))
            row(fw, device, "ok", eq.match, value, _max_diff(value, ref[0]), grad_diff, ms)
    return pd.DataFrame(rows, columns=list(COLUMNS))
