import numpy as np
import pytest

from lossbook.gradcheck import central_difference, relative_error


@pytest.mark.parametrize("order, h, tol", [(2, 1e-5, 1e-8), (4, 1e-3, 1e-10)])
def test_central_difference_matches_closed_form(order, h, tol):
    x = np.array([[0.3, -1.2], [2.0, 0.7]])
    g = central_difference(lambda v: np.sum(np.sin(v) * v**2), x, h=h, order=order)
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    assert relative_error(g, exact) < tol


def test_bad_arguments():
    with pytest.raises(ValueError, match="order must be 2 or 4, got 3"):
        central_difference(np.sum, [1.0], order=3)
    with pytest.raises(ValueError, match=r"h must be > 0, got 0"):
        central_difference(np.sum, [1.0], h=0)
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(1,\)"):
        relative_error([1.0, 2.0], [1.0])


def test_tensorflow_import_is_quiet(capfd):
    pytest.importorskip("tensorflow")
    import subprocess, sys
    out = subprocess.run([sys.executable, "-c", "from lossbook.frameworks import import_tensorflow; "
                          "tf = import_tensorflow(); print(tf.__version__)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip().startswith("2.")
    assert out.stderr.strip() == "", out.stderr


def test_normwise_relative_error_ignores_tiny_entries():
    a = np.array([1.0, 1e-10])
    b = np.array([1.0, 0.0])
    assert relative_error(a, b) == pytest.approx(1.0)  # the tiny entry dominates elementwise
    assert relative_error(a, b, norm=True) == pytest.approx(1e-10)
