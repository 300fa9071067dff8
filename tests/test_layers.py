"""Every backward in helpers.layers against a two-sided numerical gradient (float64, < 1e-7)."""

import numpy as np
import pytest

from helpers import layers
from helpers.gradcheck import max_relative_error, numerical_gradient

RNG = np.random.default_rng(0)
TOL = 1e-7
EPS = 1e-5  # two-sided: truncation O(EPS^2) ~ 1e-10, rounding ~ 1e-16 / EPS ~ 1e-11


def check_backward(forward, backward, x, dout=None, **kw):
    """Compare backward(dout, cache) with the numerical gradient of sum(forward(x) * dout)."""
    out, cache = forward(x)
    dout = RNG.standard_normal(out.shape) if dout is None else dout
    analytic = backward(dout, cache)
    numeric = numerical_gradient(lambda: np.sum(forward(x)[0] * dout), x, epsilon=EPS, **kw)
    return max_relative_error(numeric, analytic)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "linear"])
def test_activation_backward(name):
    forward, backward = getattr(layers, f"{name}_forward"), getattr(layers, f"{name}_backward")
    Z = RNG.standard_normal((4, 6))
    Z[np.abs(Z) < 1e-3] = 0.5  # keep away from relu's kink
    assert check_backward(forward, backward, Z) < TOL


def test_affine_backward_all_three_gradients():
    A_prev, W, b = RNG.standard_normal((3, 5)), RNG.standard_normal((4, 3)), RNG.standard_normal((4, 1))
    Z, cache = layers.affine_forward(A_prev, W, b)
    dZ = RNG.standard_normal(Z.shape)
    dA_prev, dW, db = layers.affine_backward(dZ, cache)
    f = lambda: np.sum(layers.affine_forward(A_prev, W, b)[0] * dZ)
    assert max_relative_error(numerical_gradient(f, A_prev, epsilon=EPS), dA_prev) < TOL
    assert max_relative_error(numerical_gradient(f, W, epsilon=EPS), dW) < TOL
    assert max_relative_error(numerical_gradient(f, b, epsilon=EPS), db) < TOL


def test_affine_backward_on_a_stack_of_models():
    A_prev, W, b = RNG.standard_normal((3, 5)), RNG.standard_normal((2, 4, 3)), RNG.standard_normal((2, 4, 1))
    Z, cache = layers.affine_forward(A_prev, W, b)
    dZ = RNG.standard_normal(Z.shape)
    _, dW, db = layers.affine_backward(dZ, cache)
    for k in range(2):
        _, dW_k, db_k = layers.affine_backward(dZ[k], layers.affine_forward(A_prev, W[k], b[k])[1])
        np.testing.assert_allclose(dW[k], dW_k)
        np.testing.assert_allclose(db[k], db_k)


def test_binary_cross_entropy_gradient_and_value():
    Z = RNG.standard_normal((1, 7))
    Y = (RNG.random((1, 7)) < 0.5).astype(float)
    J, dZ = layers.binary_cross_entropy(Z, Y)
    A = 1 / (1 + np.exp(-Z))
    assert J == pytest.approx(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)), rel=1e-12)
    assert max_relative_error(numerical_gradient(lambda: layers.binary_cross_entropy(Z, Y)[0], Z, epsilon=EPS), dZ) < TOL


def test_softmax_cross_entropy_gradient_and_value():
    Z = RNG.standard_normal((4, 6))
    Y = np.eye(4)[:, RNG.integers(0, 4, 6)]
    J, dZ = layers.softmax_cross_entropy(Z, Y)
    A = np.exp(Z) / np.exp(Z).sum(axis=0)
    assert J == pytest.approx(-np.sum(Y * np.log(A)) / 6, rel=1e-12)
    np.testing.assert_allclose(dZ, (A - Y) / 6, atol=1e-15)
    assert max_relative_error(numerical_gradient(lambda: layers.softmax_cross_entropy(Z, Y)[0], Z, epsilon=EPS), dZ) < TOL


def test_dropout_backward_uses_the_forward_mask():
    A = RNG.standard_normal((5, 8))
    seed = 3
    forward = lambda a: layers.dropout_forward(a, 0.6, np.random.default_rng(seed))
    assert check_backward(forward, layers.dropout_backward, A) < TOL


def test_batchnorm_backward_dz_dgamma_dbeta():
    Z = RNG.standard_normal((3, 10)) * 2 + 1
    gamma, beta = RNG.standard_normal((3, 1)), RNG.standard_normal((3, 1))
    out, cache = layers.batchnorm_forward(Z, gamma, beta)
    dout = RNG.standard_normal(out.shape)
    dZ, dgamma, dbeta = layers.batchnorm_backward(dout, cache)
    f = lambda: np.sum(layers.batchnorm_forward(Z, gamma, beta)[0] * dout)
    assert max_relative_error(numerical_gradient(f, Z, epsilon=EPS), dZ) < TOL
    assert max_relative_error(numerical_gradient(f, gamma, epsilon=EPS), dgamma) < TOL
    assert max_relative_error(numerical_gradient(f, beta, epsilon=EPS), dbeta) < TOL


@pytest.mark.parametrize("z", [1000.0, -1000.0])
def test_losses_are_finite_and_silent_at_extreme_logits(z):
    Z = np.array([[z, -z, 0.0]])
    for Y in (np.array([[1.0, 0.0, 1.0]]), np.array([[0.0, 1.0, 0.0]])):
        J, dZ = layers.binary_cross_entropy(Z, Y)  # warnings are errors in this suite
        assert np.isfinite(J) and np.all(np.isfinite(dZ))
    assert np.all(np.isfinite(layers.sigmoid(Z)))
    Zc = np.array([[z, -z], [-z, z], [0.0, 0.0]])
    J, dZ = layers.softmax_cross_entropy(Zc, np.eye(3)[:, [1, 0]])
    assert np.isfinite(J) and J == pytest.approx(2000.0 if z > 0 else 0.0, abs=1e-9)


def test_binary_cross_entropy_of_a_confident_mistake_is_large_but_finite():
    J, _ = layers.binary_cross_entropy(np.array([[1000.0]]), np.array([[0.0]]))
    assert J == pytest.approx(1000.0)


BAD_CALLS = [
    (lambda: layers.affine_forward(np.ones((5, 3)), np.ones((4, 3)), np.zeros((4, 1))), r"A_prev: got shape \(5, 3\), expected \(n\[l-1\], m\) = \(3, m\).*pass A_prev\.T"),
    (lambda: layers.affine_forward(np.ones((3, 5)), np.ones((3, 4)), np.zeros((4, 1))), r"W: got shape \(3, 4\).*pass W\.T"),
    (lambda: layers.affine_forward(np.ones((3, 5)), np.ones((4, 3)), np.zeros((1, 4))), r"b: got shape \(1, 4\), expected \(n\[l\], 1\) = \(4, 1\), e.g. pass b\.T"),
    (lambda: layers.binary_cross_entropy(np.zeros((1, 3)), np.array([[0.0, 2.0, 1.0]])), r"Y: got values such as 2, expected labels 0 or 1"),
    (lambda: layers.binary_cross_entropy(np.zeros((1, 3)), np.array([[1.0, 2.0, 1.0]])), r"Y: got labels \{1, 2\}.*Y - 1"),
    (lambda: layers.binary_cross_entropy(np.zeros((1, 3)), np.array([[1.0, -1.0, 1.0]])), r"Y: got labels \{-1, 1\}"),
    (lambda: layers.binary_cross_entropy(np.zeros((1, 3)), np.array([[0.2, 0.9, 0.5]])), r"Y: got probabilities"),
    (lambda: layers.binary_cross_entropy(np.array([[np.nan, 0.0]]), np.array([[0.0, 1.0]])), r"Z: got 1 NaN or inf value"),
    (lambda: layers.binary_cross_entropy(np.zeros((1, 3)), np.zeros((3, 1))), r"Y: got shape \(3, 1\).*pass Y\.T"),
    # A transposed Z is Z's fault, not Y's (issue 12).
    (lambda: layers.binary_cross_entropy(np.zeros((3, 1)), np.zeros((1, 3))), r"Z: got shape \(3, 1\).*pass Z\.T"),
    (lambda: layers.binary_cross_entropy(np.zeros(3), np.zeros((1, 3))), r"Z: got a 1-D array.*Z\.reshape\(1, -1\)"),
    (lambda: layers.binary_cross_entropy(np.zeros((1, 0)), np.zeros((1, 0))), r"Z: got an empty array"),
    (lambda: layers.softmax_cross_entropy(np.zeros((2, 0)), np.zeros((2, 0))), r"Z: got an empty array"),
    (lambda: layers.binary_cross_entropy(np.zeros((2, 3)), np.eye(2)[:, [0, 1, 1]]), r"Z: got 2 rows"),
    (lambda: layers.softmax_cross_entropy(np.zeros((2, 2)), np.ones((2, 2))), r"Y: got 2 column\(s\) without exactly one 1"),
    (lambda: layers.softmax_cross_entropy(np.zeros((3, 2)), np.zeros((1, 2))), r"Y: got one row of labels.*one_hot"),
    (lambda: layers.softmax([1.0, 2.0, 3.0]), r"Z: got a 1-D array.*Z\.reshape\(-1, 1\)"),
    (lambda: layers.softmax("abc"), r"Z: got 'abc' \(a str\)"),
    (lambda: layers.sigmoid([[np.inf]]), r"Z: got 1 NaN or inf"),
    (lambda: layers.dropout_forward(np.ones((2, 2)), 1.5, np.random.default_rng(0)), r"keep_prob: got 1.5, expected a number in \(0, 1\]"),
    (lambda: layers.dropout_forward(np.ones((2, 2)), None, np.random.default_rng(0)), r"keep_prob: got None, expected a number"),
    (lambda: layers.dropout_forward(np.ones((2, 2)), "0.5", np.random.default_rng(0)), r"keep_prob: got '0.5' \(a str\).*0.5 without quotes"),
    (lambda: layers.dropout_forward(np.ones((2, 2)), 0.5, 0), r"rng: got 0, expected a numpy.random.Generator"),
    (lambda: layers.batchnorm_forward(np.ones((2, 2)), np.ones((2, 1)), np.zeros((2, 1)), mode="eval"), r"mode: got 'eval', expected one of \['test', 'train'\]"),
    (lambda: layers.batchnorm_forward(np.ones((2, 2)), np.ones((2, 1)), np.zeros((2, 1)), epsilon=0), r"epsilon: got 0, expected a number in \(0, inf\]"),
    (lambda: layers.batchnorm_forward(np.ones((2, 2)), np.ones((1, 2)), np.zeros((2, 1))), r"gamma: got shape \(1, 2\).*pass gamma\.T"),
    (lambda: layers.batchnorm_forward(np.ones((2, 2)), np.ones((2, 1)), np.zeros((2, 1)), mode="test"), r"running_mean: got None"),
    (lambda: layers.relu_backward(np.ones((3, 2)), np.ones((2, 3))), r"dA: got shape \(3, 2\).*pass dA\.T"),
]


@pytest.mark.parametrize("call, message", BAD_CALLS)
def test_bad_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_softmax_of_a_list_of_columns_works():
    np.testing.assert_allclose(layers.softmax([[0.0], [0.0]]), [[0.5], [0.5]])


def test_unchecked_losses_match_the_checked_ones_on_a_stack():
    Z = RNG.standard_normal((4, 1, 9))
    Y = (RNG.random((1, 9)) < 0.5).astype(float)
    J, dZ = layers.binary_cross_entropy(Z, Y)
    J_fast, dZ_fast = layers.binary_cross_entropy(Z, Y, check=False)
    assert J.shape == (4,)
    np.testing.assert_array_equal(J, J_fast)
    np.testing.assert_array_equal(dZ, dZ_fast)
    for k in range(4):
        assert layers.binary_cross_entropy(Z[k], Y)[0] == pytest.approx(J[k], rel=1e-14)
