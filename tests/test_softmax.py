"""Chapter 10: stable softmax, hardmax, temperature, cross-entropy gradient, the digits network."""

import warnings

import numpy as np
import pytest

from helpers import data, layers, model, optim, softmax
from helpers.gradcheck import max_relative_error, numerical_gradient
from helpers.widgets import softmax as softmax_widgets

# ---------------------------------------------------------------- softmax, hardmax, temperature


def test_softmax_is_finite_for_huge_logits_without_warnings():
    Z = np.array([[1e3, -1e3, 0.0, 1e3], [-1e3, 1e3, 0.0, 1e3 - 1], [0.0, -1e3, 1e3, -1e3]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = layers.softmax(Z)
        A_T = softmax.softmax(Z, temperature=0.01)
        J, dZ = layers.softmax_cross_entropy(Z, np.eye(3)[:, [0, 1, 2, 1]])
    for value in (A, A_T, J, dZ):
        assert np.all(np.isfinite(value))
    np.testing.assert_allclose(A.sum(axis=0), 1.0)
    np.testing.assert_allclose(A[:, 3], [1 / (1 + np.exp(-1)), 1 - 1 / (1 + np.exp(-1)), 0.0])
    # Columns 0-2 are certain and right; column 3's label is class 1, one logit below class 0.
    np.testing.assert_allclose(J, np.log1p(np.exp(1.0)) / 4, rtol=1e-12)


def test_softmax_values_and_shift_invariance():
    Z = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    expected = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    np.testing.assert_allclose(layers.softmax(Z)[:, 0], expected)
    np.testing.assert_allclose(layers.softmax(Z)[:, 1], 1 / 3)
    np.testing.assert_allclose(layers.softmax(Z + 100.0), layers.softmax(Z))


def test_softmax_of_a_stack_is_column_wise_per_model():
    Z = np.random.default_rng(0).standard_normal((2, 3, 4))
    np.testing.assert_allclose(layers.softmax(Z)[1], layers.softmax(Z[1]))


def test_temperature_limits_and_argmax_invariance():
    Z = np.random.default_rng(0).standard_normal((4, 50)) * 3
    np.testing.assert_allclose(softmax.softmax(Z, 1.0), layers.softmax(Z))
    np.testing.assert_allclose(softmax.softmax(Z, 1e-3), softmax.hardmax(Z), atol=1e-6)
    np.testing.assert_allclose(softmax.softmax(Z, 1e4), 0.25, atol=1e-3)
    for T in (0.01, 0.3, 3.0, 300.0):
        np.testing.assert_array_equal(softmax.softmax(Z, T).argmax(axis=0), Z.argmax(axis=0))


def test_hardmax():
    Z = np.array([[1.0, 5.0, 2.0], [3.0, 5.0, 2.0], [0.0, -1.0, 2.5]])
    np.testing.assert_array_equal(softmax.hardmax(Z), [[0, 1, 0], [1, 0, 0], [0, 0, 1]])  # tie -> first


@pytest.mark.parametrize("call, message", [
    (lambda: softmax.softmax(np.zeros((1, 3))), "C >= 2"),
    (lambda: softmax.softmax(np.zeros((3, 3)), temperature=0.0), "temperature"),
    (lambda: softmax.softmax(np.zeros((3, 3)), temperature=-1.0), "temperature"),
    (lambda: softmax.softmax(np.array([[np.nan, 1.0], [0.0, 1.0]])), "NaN"),
    (lambda: softmax.hardmax(np.zeros(3)), "2-D"),
    (lambda: layers.softmax_cross_entropy(np.zeros((3, 4)), np.zeros((3, 4))), "exactly one 1"),
    (lambda: layers.softmax_cross_entropy(np.zeros((3, 4)), np.eye(4)[:3].T), "Y.T"),
    (lambda: softmax.confusion_matrix([0, 1, 5], [0, 1, 1], 3), "y_true"),
    (lambda: softmax.confusion_matrix([0, 1], [0, 1, 1], 3), "as many as y_true"),
])
def test_validation(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- C = 2 and the gradient


def test_two_class_softmax_is_the_sigmoid_and_its_loss_the_binary_one():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((2, 500)) * 10
    np.testing.assert_allclose(layers.softmax(Z)[0], layers.sigmoid(Z[0] - Z[1]), rtol=1e-12, atol=1e-300)
    y = (rng.random((1, 500)) < 0.5).astype(float)
    z = Z[:1] - Z[1:]
    J_binary, dz_binary = layers.binary_cross_entropy(z, y)
    J_soft, dZ_soft = layers.softmax_cross_entropy(np.vstack([z, 0 * z]), np.vstack([y, 1 - y]))
    np.testing.assert_allclose(J_soft, J_binary, rtol=1e-12)
    np.testing.assert_allclose(dZ_soft[0], dz_binary[0], atol=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cross_entropy_gradient_is_A_minus_Y_over_m(seed):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((4, 6)) * 2
    Y = data.one_hot(rng.integers(0, 4, (1, 6)), 4)
    J, dZ = layers.softmax_cross_entropy(Z, Y)
    np.testing.assert_allclose(dZ, (layers.softmax(Z) - Y) / 6)
    numeric = numerical_gradient(lambda: layers.softmax_cross_entropy(Z, Y)[0], Z, epsilon=1e-5)
    assert max_relative_error(numeric, dZ) < 1e-7


def test_multiclass_network_gradients_match_numerical():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 10))
    Y = data.one_hot(rng.integers(0, 3, (1, 10)), 3)
    params = model.init_params([4, 6, 5, 3], seed=0)
    for key in ("b1", "b2", "b3"):
        params[key] = params[key] + 0.1 * rng.standard_normal(params[key].shape)  # away from ReLU kinks at 0
    _, grads = model.cost_and_grads(X, Y, params, lambd=0.1)

    def f():
        return model.cost_and_grads(X, Y, params, lambd=0.1)[0]

    for key in params:
        assert max_relative_error(numerical_gradient(f, params[key], epsilon=1e-5), grads["d" + key]) < 1e-7, key


def test_softmax_regression_on_blobs_matches_logistic_regression_for_two_classes():
    X, y = data.make_blobs(200, centers=2, seed=3)
    soft, _ = model.fit(X, data.one_hot(y, 2), model.init_params([2, 2], init="zeros"), optim.gd(0.5), num_epochs=50)
    logistic, _ = model.fit(X, 1 - y, model.init_params([2, 1], init="zeros"), optim.gd(1.0), num_epochs=50)
    # Softmax of (z1, z2) is sigmoid(z1 - z2); from zeros, gradient descent on (w1, w2) moves
    # w1 - w2 exactly as logistic regression with twice the learning rate moves w.
    np.testing.assert_allclose(soft["W1"][0] - soft["W1"][1], logistic["W1"][0], rtol=1e-10)
    np.testing.assert_allclose(model.predict_proba(X, soft)[0], model.predict_proba(X, logistic)[0], rtol=1e-10)


# ---------------------------------------------------------------- confusion matrix, regions


def test_confusion_matrix():
    counts = softmax.confusion_matrix(np.array([[0, 0, 1, 2, 2, 2]]), np.array([[0, 1, 1, 2, 0, 2]]), 3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])


def test_region_image_mixes_class_colours():
    logits = np.array([[10.0, 0.0, 0.0, 0.0], [0.0, 10.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    image = softmax.region_image(logits, 1.0, colors=["#ff0000", "#00ff00", "#0000ff"])
    assert image.shape == (2, 2, 3)
    np.testing.assert_allclose(image[0, 0], [1, 0, 0], atol=1e-4)
    np.testing.assert_allclose(image[0, 1], [0, 1, 0], atol=1e-4)
    np.testing.assert_allclose(image[1, 0], [1 / 3, 1 / 3, 1 / 3])
    light = softmax.region_image(logits, 1.0, colors=["#ff0000", "#00ff00", "#0000ff"], lighten=0.5)
    np.testing.assert_allclose(light[0, 0], [1, 0.5, 0.5], atol=1e-4)


@pytest.fixture(scope="module")
def regressions():
    return softmax_widgets.default_regressions()


def test_blob_regressions_separate_the_classes(regressions):
    for C in regressions.class_counts:
        assert regressions.grid_logits[C].shape == (C, regressions.grid_n**2)
        assert regressions.train_accuracy[C] >= 0.85


def test_softmax_explorer_bars_follow_the_temperature(regressions):
    explorer = softmax_widgets.softmax_explorer(regressions)
    explorer.set(n_classes=4, temperature=10 ** 1.5)
    rects = explorer.axes[1].patches
    heights = np.array([r.get_height() for r in rects[:4]])
    np.testing.assert_allclose(heights.sum(), 1.0)
    assert heights.max() < 0.35  # hot: close to uniform
    explorer.set(temperature=1.0)
    at_one = np.array([r.get_height() for r in rects[:4]])
    explorer.set(temperature=10 ** -1.5)
    cold = np.array([r.get_height() for r in rects[:4]])
    # The star is where the model is least sure, so even cold it may split between two classes,
    # but it is sharper than at T = 1, and its argmax does not move.
    assert cold.max() > at_one.max() and cold.argmax() == at_one.argmax()
    assert not rects[5].get_visible()


# ---------------------------------------------------------------- the MNIST network and save/load


@pytest.fixture(scope="module")
def mnist():
    return softmax.train_mnist()


def test_mnist_network_reaches_90_percent_on_the_held_out_test_split(mnist):
    sizes = (mnist.X_train.shape[1], mnist.X_val.shape[1], mnist.X_test.shape[1])
    assert sizes == (3500, 500, 1000)
    assert mnist.params["W1"].shape == (128, 784) and mnist.params["W2"].shape == (10, 128)
    assert model.accuracy(mnist.X_test, data.one_hot(mnist.y_test, 10), mnist.params) >= 0.90
    assert mnist.val_accuracy >= 0.90
    counts = softmax.confusion_matrix(mnist.y_val, mnist.predict(mnist.X_val), 10)
    assert np.isclose(np.trace(counts) / counts.sum(), mnist.val_accuracy)


def test_mnist_splits_do_not_overlap(mnist):
    def keys(X):
        return {x.tobytes() for x in X.T}
    assert not keys(mnist.X_test) & keys(mnist.X_train) and not keys(mnist.X_test) & keys(mnist.X_val)


def test_mnist_network_is_deterministic():
    once = softmax.train_mnist(num_epochs=1, hidden_units=16)
    twice = softmax.train_mnist(num_epochs=1, hidden_units=16)
    for key in once.params:
        np.testing.assert_array_equal(once.params[key], twice.params[key])


def test_save_and_load_the_whole_mnist_network(mnist, tmp_path):
    # chapter 10's network through the core's model.save_model / load_model (tests/test_model_io.py)
    path = tmp_path / "network.npz"
    model.save_model(path, mnist.params, mnist.hidden)
    params, hidden, layer_dims = model.load_model(path)
    assert layer_dims == [784, 128, 10] and hidden == "relu"
    assert sorted(params) == sorted(mnist.params)
    for key, value in mnist.params.items():
        np.testing.assert_array_equal(params[key], value)
        assert params[key].dtype == value.dtype
    np.testing.assert_array_equal(model.predict(mnist.X_test, params, hidden), mnist.predict(mnist.X_test))


@pytest.mark.parametrize("call, message", [
    (lambda: softmax.train_mnist(hidden_units=0), "hidden_units"),
    (lambda: softmax.train_mnist(fractions=(0.8, 0.2)), "three numbers"),
    (lambda: softmax.draw_digit_examples(None, np.zeros((10, 2)), [0, 1], [0, 1]), "square"),
    (lambda: softmax.region_image(np.zeros((3, 10))), "square grid"),
])
def test_mnist_validation(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- exercise checkers


def _stub(*args):
    raise NotImplementedError("subtract each column's max, then exponentiate and normalize")


def test_softmax_checker_accepts_a_stable_softmax_and_says_not_written_for_the_stub():
    assert softmax.check_softmax(layers.softmax).passed
    assert softmax.check_softmax(_stub).status == "not written"
    assert softmax.check_softmax(lambda Z: None).status == "not written"


@pytest.mark.parametrize("wrong, key", [
    (lambda Z: np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True), "beyond the largest float64"),
    (lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), "axis 1"),
    (lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(axis=0), "own max"),
    (lambda Z: np.exp(Z), "sum to"),
    (lambda Z: np.exp(Z - Z.max(axis=1, keepdims=True)) / np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=0), "row's max"),
    (lambda Z: np.log(layers.softmax(Z)), "log of the softmax"),
    (lambda Z: Z[:, :1], "shape"),
    (lambda Z: layers.softmax(Z).T, "transposed"),
    (lambda Z: Z.undefined_name, "AttributeError"),
])
def test_softmax_checker_names_the_mistake(wrong, key):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = softmax.check_softmax(wrong)
    assert result.status == "failed"
    assert key in result.message


def test_backward_checker_accepts_the_reference_and_says_not_written_for_the_stub():
    assert softmax.check_softmax_cross_entropy_backward(softmax.softmax_cross_entropy_backward).passed
    assert softmax.check_softmax_cross_entropy_backward(_stub).status == "not written"


@pytest.mark.parametrize("wrong, key", [
    (lambda A, Y: A - Y, "/ m"),
    (lambda A, Y: (Y - A) / A.shape[1], "sign"),
    (lambda A, Y: (A - Y) / A.shape[0], "divided by C"),
    (lambda A, Y: (A - Y) * A * (1 - A) / A.shape[1], "A (1 - A)"),
    (lambda A, Y: ((A - Y) / A.shape[1]).T, "transposed"),
    (lambda A, Y: (A - Y) / (A.shape[1] - 1), "wrong"),
])
def test_backward_checker_names_the_mistake(wrong, key):
    result = softmax.check_softmax_cross_entropy_backward(wrong)
    assert result.status == "failed"
    assert key in result.message


def test_checkers_fail_on_something_that_is_not_a_function():
    assert softmax.check_softmax(None).status == "failed"
    assert not softmax.check_softmax_cross_entropy_backward("dZ").passed


@pytest.mark.parametrize("call, message", [
    (lambda: softmax.train_blob_regressions(class_counts=(1, 3)), "class_counts"),
    (lambda: softmax.region_image(np.zeros((3, 4)), lighten=1.0), "lighten"),
    (lambda: softmax.softmax_cross_entropy_backward(np.zeros((3, 4)), np.zeros((4, 3))), r"A: got shape \(3, 4\).*pass A\.T"),
])
def test_more_validation(call, message):
    with pytest.raises(ValueError, match=message):
        call()
