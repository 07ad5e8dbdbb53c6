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


def test_keras_trajectory_is_gradient_descent_for_plain_sgd():
    pytest.importorskip("tensorflow")
    from lossbook.frameworks import import_tensorflow, keras_trajectory

    import_tensorflow()
    import keras

    a = np.array([1.0, 4.0])  # f = 1/2 sum a x^2, gradient a x
    x0 = np.array([1.0, -2.0])
    lr = 0.125  # exact in float32, where Keras keeps its learning rate
    path = keras_trajectory(keras.optimizers.SGD(learning_rate=lr), lambda x: a * x, x0, steps=5)
    expected = x0 * (1 - lr * a) ** np.arange(6)[:, None]  # closed form of gradient descent
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-15)
    halved = keras_trajectory(keras.optimizers.SGD(), lambda x: a * x, x0, lrs=[lr, lr / 2])
    np.testing.assert_allclose(halved[-1], x0 * (1 - lr * a) * (1 - lr / 2 * a), rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="exactly one of steps and lrs"):
        keras_trajectory(keras.optimizers.SGD(), lambda x: a * x, x0)
