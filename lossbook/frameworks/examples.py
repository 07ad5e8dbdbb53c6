"""The book's framework tabs: one computation in NumPy, PyTorch, Keras and JAX, run and compared.

A chapter that shows the same computation in several frameworks shows it in tabs, and
every tab's code runs. Each such computation is an *example*: a folder
``lossbook/frameworks/examples/<name>/`` holding

* ``inputs.py``: the default inputs, as module-level names (seeded, a few lines);
  ``OUTPUTS = ("loss",)`` names what every tab computes, ``RTOL`` / ``ATOL`` the
  agreement asked of the frameworks (float32 frameworks need about ``1e-5``);
* ``numpy.py``, ``torch.py``, ``keras.py``, ``jax.py``: the code of each tab, a short
  fragment that reads the inputs by name and assigns the outputs.

The chapter includes the fragments in its tabs with ``{literalinclude}`` (so the reader
sees exactly the code that ran) and runs them with :func:`run_example`, which executes
each fragment in a fresh namespace holding the inputs, converts its outputs to NumPy and
compares them with the NumPy tab's. ``tests/test_examples.py`` runs every example with
its default inputs, so a tab cannot drift from the others even where no chapter looks.

A framework that is not installed is reported as such, never an error; a fragment that
raises, or disagrees with the NumPy tab, makes :meth:`ExampleRun.check` fail.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Folder of the examples (package data of :mod:`lossbook.frameworks`).
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"

#: The tabs, in the order the book shows them: file stem, label, module to import.
FRAMEWORKS = (
    ("numpy", "NumPy", "numpy"),
    ("torch", "PyTorch", "torch"),
    ("keras", "TensorFlow / Keras", "keras"),
    ("jax", "JAX", "jax"),
)


def available_examples() -> list[str]:
    """Names of the examples shipped with the package, sorted."""
    return sorted(p.name for p in EXAMPLES_DIR.iterdir() if (p / "inputs.py").is_file())


def example_path(name: str, framework: str) -> Path:
    """The file of one tab, e.g. ``example_path("pinball", "torch")``."""
    _check_name(name)
    stems = [f[0] for f in FRAMEWORKS]
    if framework not in stems:
        raise ValueError(f"example_path: framework must be one of {stems}, got {framework!r}")
    return EXAMPLES_DIR / name / f"{framework}.py"


def _check_name(name) -> None:
    if not isinstance(name, str) or not (EXAMPLES_DIR / name / "inputs.py").is_file():
        raise ValueError(
            f"unknown example {name!r}; the examples are {', '.join(available_examples())}"
        )


def _exec(path: Path, namespace: dict) -> dict:
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    exec(code, namespace)  # noqa: S102  (the package's own example files)
    return namespace


def default_inputs(name: str) -> dict:
    """The inputs of example ``name`` as its ``inputs.py`` defines them."""
    _check_name(name)
    ns = _exec(EXAMPLES_DIR / name / "inputs.py", {"__name__": f"lossbook_example_{name}"})
    return {k: v for k, v in ns.items() if not k.startswith("_") and not _is_module(v)}


def _is_module(v) -> bool:
    return type(v).__name__ == "module"


def _to_numpy(value):
    """NumPy copy of a framework's tensor (torch, TensorFlow, JAX) or of a number."""
    if hasattr(value, "detach"):  # torch
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and callable(value.numpy):  # TensorFlow eager, Keras
        value = value.numpy()
    if isinstance(value, (tuple, list)):
        return type(value)(_to_numpy(v) for v in value)
    return np.asarray(value)


@dataclass
class TabResult:
    """What one tab computed: its outputs as NumPy arrays, or why it has none."""

    framework: str
    label: str
    outputs: dict = field(default_factory=dict)
    status: str = "ok"  # "ok", "not installed" or "error: ..."
    max_abs_diff: float = math.nan  # largest |output - NumPy's| over all outputs


@dataclass
class ExampleRun:
    """The result of :func:`run_example`: one :class:`TabResult` per framework."""

    name: str
    tabs: list
    rtol: float
    atol: float

    def __getitem__(self, framework: str) -> TabResult:
        for tab in self.tabs:
            if tab.framework == framework:
                return tab
        raise KeyError(framework)

    def value(self, framework: str = "numpy", output: str | None = None):
        """One output of one tab (the first output by default)."""
        tab = self[framework]
        if tab.status != "ok":
            raise ValueError(f"{self.name}: the {tab.label} tab did not run ({tab.status})")
        return tab.outputs[output or next(iter(tab.outputs))]

    def agree(self, framework: str) -> bool:
        """Whether ``framework``'s outputs match NumPy's to ``rtol``/``atol``."""
        tab, ref = self[framework], self["numpy"]
        if tab.status != "ok" or ref.status != "ok":
            return False
        return all(
            np.shape(tab.outputs[k]) == np.shape(ref.outputs[k])
            and np.allclose(tab.outputs[k], ref.outputs[k], rtol=self.rtol, atol=self.atol)
            for k in ref.outputs
        )

    def check(self, *, require=()) -> "ExampleRun":
        """Raise ``AssertionError`` unless every tab that ran agrees with NumPy's.

        ``require`` names frameworks that must have run (e.g. ``("torch",)`` in a
        chapter that relies on PyTorch); others may be missing. Returns ``self``.
        """
        ref = self["numpy"]
        if ref.status != "ok":
            raise AssertionError(f"{self.name}: the NumPy tab failed: {ref.status}")
        for tab in self.tabs:
            if tab.status == "not installed" and tab.framework not in require:
                continue
            if tab.status != "ok":
                raise AssertionError(f"{self.name}: the {tab.label} tab failed: {tab.status}")
            if not self.agree(tab.framework):
                raise AssertionError(
                    f"{self.name}: the {tab.label} tab differs from NumPy's by "
                    f"{tab.max_abs_diff:.3g} (rtol={self.rtol}, atol={self.atol})"
                )
        return self

    def rows(self) -> list[tuple]:
        """(tab, status, first output, max |difference| from NumPy) per framework."""
        out = []
        for tab in self.tabs:
            first = next(iter(tab.outputs.values()), None)
            shown = "" if first is None else _short(first)
            out.append((tab.label, tab.status, shown, tab.max_abs_diff))
        return out

    def __repr__(self) -> str:
        lines = [f"example {self.name!r} (rtol={self.rtol:g}, atol={self.atol:g})"]
        for label, status, shown, diff in self.rows():
            d = "" if math.isnan(diff) else f"  max|diff| = {diff:.2g}"
            lines.append(f"  {label:<20} {status:<14} {shown}{d}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "<tr><th>tab</th><th>ran</th><th>result</th><th>max |diff| from NumPy</th></tr>"
        body = "".join(
            f"<tr><td>{label}</td><td>{status}</td><td><code>{shown}</code></td>"
            f"<td>{'' if math.isnan(diff) else f'{diff:.2g}'}</td></tr>"
            for label, status, shown, diff in self.rows()
        )
        return f"<table class='lossbook-example'>{head}{body}</table>"


def _short(a) -> str:
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{a.item():.10g}"
    with np.printoptions(precision=6, threshold=6, edgeitems=2):
        return f"{a.shape} {np.array2string(a.ravel())}"


def run_example(name: str, *, frameworks=None, **inputs) -> ExampleRun:
    """Run the tabs of example ``name`` on its default inputs, updated with ``inputs``.

    Args:
        name: an example of :func:`available_examples`.
        frameworks: the tabs to run (file stems: ``"numpy"``, ``"torch"``, ``"keras"``,
            ``"jax"``); all of them by default. NumPy always runs: it is the reference.
        **inputs: values that replace the defaults of ``inputs.py`` (a chapter passes
            its own data).

    Returns:
        An :class:`ExampleRun`; call ``.check()`` to assert that the tabs agree.

    Example:
        >>> run = run_example("pinball", frameworks=["numpy"], tau=0.5)
        >>> bool(run.check().value("numpy") > 0)
        True
    """
    _check_name(name)
    defaults = default_inputs(name)
    unknown = set(inputs) - set(defaults)
    if unknown:
        raise ValueError(
            f"run_example: {name!r} has no input {sorted(unknown)[0]!r}; its inputs are "
            f"{', '.join(k for k in defaults if k.isidentifier() and not k.isupper())}"
        )
    wanted = [f[0] for f in FRAMEWORKS] if frameworks is None else ["numpy", *frameworks]
    outputs = tuple(defaults.pop("OUTPUTS", ("loss",)))
    rtol = float(defaults.pop("RTOL", 1e-7))
    atol = float(defaults.pop("ATOL", 1e-12))
    values = {**defaults, **inputs}
    tabs = []
    for stem, label, module in FRAMEWORKS:
        path = EXAMPLES_DIR / name / f"{stem}.py"
        if stem not in wanted or not path.is_file():
            continue
        tabs.append(_run_tab(path, stem, label, module, values, outputs))
    run = ExampleRun(name, tabs, rtol, atol)
    _fill_differences(run)
    return run


def _run_tab(path, stem, label, module, values, outputs) -> TabResult:
    if importlib.util.find_spec(module) is None:
        return TabResult(stem, label, status="not installed")
    ns = {"__name__": f"lossbook_example_{stem}"}
    ns.update({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in values.items()})
    try:
        if stem == "keras":
            from . import import_tensorflow

            import_tensorflow()  # quietly: TensorFlow's start-up logs are not the tab's output
        elif stem == "jax":
            from . import import_jax

            import_jax()
        _exec(path, ns)
        got = {k: _to_numpy(ns[k]) for k in outputs}
    except Exception as exc:  # reported in the table; check() turns it into a failure
        return TabResult(stem, label, status=f"error: {type(exc).__name__}: {exc}")
    return TabResult(stem, label, outputs=got)


def _fill_differences(run: ExampleRun) -> None:
    ref = next((t for t in run.tabs if t.framework == "numpy"), None)
    if ref is None or ref.status != "ok":
        return
    for tab in run.tabs:
        if tab.status != "ok":
            continue
        diffs = [
            float(np.max(np.abs(np.asarray(tab.outputs[k], float) - np.asarray(ref.outputs[k], float)), initial=0.0))
            if np.shape(tab.outputs[k]) == np.shape(ref.outputs[k])
            else math.inf
            for k in ref.outputs
        ]
        tab.max_abs_diff = max(diffs)
