"""Every framework tab of the book runs and agrees with its NumPy tab.

The tabs are the examples of :mod:`lossbook.frameworks.examples`; each is run here with
its default inputs, so a tab cannot break or drift even where no chapter runs it. The
book's side (every tab includes an example, no unexecuted code in a tab) is checked in
``tests/test_book.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from lossbook.frameworks import examples

NAMES = examples.available_examples()


def test_there_are_examples():
    assert "pinball" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_tab_runs_and_agrees_with_numpy(name):
    run = examples.run_example(name)
    installed = tuple(t.framework for t in run.tabs if t.status != "not installed")
    run.check(require=installed)
    assert run["numpy"].status == "ok"


@pytest.mark.parametrize("name", NAMES)
def test_every_example_has_numpy_and_another_framework(name):
    files = {p.stem for p in (examples.EXAMPLES_DIR / name).glob("*.py")}
    assert "numpy" in files and len(files - {"inputs", "numpy"}) >= 1, files


def test_inputs_override_the_defaults():
    a = examples.run_example("pinball", frameworks=[], tau=0.1).value()
    b = examples.run_example("pinball", frameworks=[], tau=0.9).value()
    assert a != b


def test_a_tab_that_disagrees_fails_the_check(tmp_path, monkeypatch):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "inputs.py").write_text("x = 2.0\n")
    (folder / "numpy.py").write_text("loss = x * x\n")
    (folder / "torch.py").write_text("import torch\nloss = torch.tensor(x) * 3\n")
    monkeypatch.setattr(examples, "EXAMPLES_DIR", tmp_path)
    pytest.importorskip("torch")
    run = examples.run_example("broken")
    assert not run.agree("torch")
    with pytest.raises(AssertionError, match="differs from NumPy"):
        run.check()


def test_a_tab_that_raises_is_reported_not_raised(tmp_path, monkeypatch):
    folder = tmp_path / "raises"
    folder.mkdir()
    (folder / "inputs.py").write_text("x = 2.0\n")
    (folder / "numpy.py").write_text("loss = x\n")
    (folder / "torch.py").write_text("import torch\nloss = undefined_name\n")
    monkeypatch.setattr(examples, "EXAMPLES_DIR", tmp_path)
    pytest.importorskip("torch")
    run = examples.run_example("raises")
    assert run["torch"].status.startswith("error: NameError")
    with pytest.raises(AssertionError, match="tab failed"):
        run.check()


def test_a_missing_framework_is_a_row_not_an_error(tmp_path, monkeypatch):
    folder = tmp_path / "missing"
    folder.mkdir()
    (folder / "inputs.py").write_text("x = 2.0\n")
    (folder / "numpy.py").write_text("loss = x\n")
    (folder / "jax.py").write_text("loss = x\n")
    monkeypatch.setattr(examples, "EXAMPLES_DIR", tmp_path)
    monkeypatch.setattr(examples.importlib.util, "find_spec", lambda m: None if m == "jax" else object())
    run = examples.run_example("missing")
    assert run["jax"].status == "not installed"
    run.check()  # not required: passes
    with pytest.raises(AssertionError):
        run.check(require=("jax",))


def test_unknown_example_and_unknown_input_are_value_errors():
    with pytest.raises(ValueError, match="unknown example"):
        examples.run_example("no_such_example")
    with pytest.raises(ValueError, match="has no input 'bogus'"):
        examples.run_example("pinball", bogus=1)


def test_outputs_are_numpy_arrays():
    run = examples.run_example("pinball")
    for tab in run.tabs:
        if tab.status == "ok":
            assert isinstance(tab.outputs["loss"], np.ndarray)
