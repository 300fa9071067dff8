"""Chapter 2: L2/L1 gradients, weight decay, early stopping, augmentation, the grid and its widget."""

import numpy as np
import pytest

from helpers import data, gradcheck, model
from helpers import regularization as reg
from helpers import widgets


@pytest.fixture(scope="module")
def small_grid():
    return reg.train_lambda_grid(lambdas=(0.0, 0.3, 10.0), num_epochs=150, grid_n=20)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
@pytest.mark.parametrize("hidden", ["tanh", "sigmoid"])
def test_penalized_backward_matches_numerical_gradient(penalty, hidden):
    X, Y, _, _ = reg.overfitting_data(m=12, dev_size=5, seed=3)
    params = model.init_params([2, 4, 3, 1], init="xavier", seed=5)
    params = {k: v + 0.05 for k, v in params.items()}  # non-zero biases
    _, grads = model.cost_and_grads(X, Y, params, hidden=hidden, lambd=0.9, penalty=penalty)
    theta, spec = gradcheck.dict_to_vector(params)
    views = gradcheck.vector_to_dict(theta, spec)

    def J():
        return float(model.cost(model.forward(X, views, hidden=hidden)[0], Y, views, lambd=0.9, penalty=penalty))

    approx = gradcheck.numerical_gradient(J, theta, epsilon=1e-5)  # less rounding than 1e-6 or 1e-7
    exact, _ = gradcheck.dict_to_vector({k: grads["d" + k] for k in params})
    assert gradcheck.max_relative_error(approx, exact) < 1e-7


def test_l2_penalty_value():
    params = {"W1": np.ones((2, 3)), "b1": np.ones((2, 1)), "W2": 2 * np.ones((1, 2)), "b2": np.ones((1, 1))}
    assert reg.l2_penalty(params, lambd=0.5, m=4) == pytest.approx(0.5 / 8 * (6 + 8))
    with pytest.raises(ValueError, match="lambd"):
        reg.l2_penalty(params, lambd=-1.0, m=4)


def test_weight_decay_identity_holds_and_decays():
    X, Y, _, _ = reg.overfitting_data(m=20, dev_size=5)
    params = model.init_params([2, 6, 1], seed=1)
    result = reg.weight_decay_identity(X, Y, params, lambd=2.0, learning_rate=0.5, hidden="tanh")
    assert result["max_difference"] < 1e-12
    assert result["decay_factor"] == pytest.approx(1 - 0.5 * 2.0 / 20)
    # with a zero data gradient the step is pure decay of W and leaves b alone
    zero = {"d" + k: np.zeros_like(v) for k, v in params.items()}
    decayed = reg.weight_decay_step(params, zero, learning_rate=0.5, lambd=2.0, m=20)
    assert np.allclose(decayed["W1"], 0.95 * params["W1"]) and np.array_equal(decayed["b1"], params["b1"])
    with pytest.raises(ValueError, match="learning_rate"):
        reg.weight_decay_step(params, zero, learning_rate=-0.1, lambd=1.0, m=20)


def test_preactivations_and_near_linear_fraction():
    X, _, _, _ = reg.overfitting_data(m=30, dev_size=5)
    params = model.init_params([2, 5, 4, 1], seed=2)
    Zs = reg.hidden_preactivations(X, params)
    assert [Z.shape for Z in Zs] == [(5, 30), (4, 30)]
    assert np.allclose(Zs[0], params["W1"] @ X + params["b1"])
    assert reg.near_linear_fraction([np.array([[0.1, -0.2, 0.7, -3.0]])]) == 0.5
    stack = model.stack_params([params, {k: 0.01 * v for k, v in params.items()}])
    fractions = reg.near_linear_fraction(reg.hidden_preactivations(X, stack))
    assert fractions.shape == (2,) and fractions[1] == 1.0
    with pytest.raises(ValueError, match="z_max"):
        reg.near_linear_fraction(Zs, z_max=0)
    with pytest.raises(ValueError, match=r"\(n_x, m\)"):
        reg.hidden_preactivations(X.T, params)


def test_sparsity():
    params = {"W1": np.array([[0.0, 0.005], [1.0, -2.0]]), "b1": np.zeros((2, 1))}
    assert reg.sparsity(params) == 0.5


def test_early_stopping_point():
    dev = np.array([1.0, 0.8, 0.6, 0.65, 0.7, 0.5, 0.55, 0.6, 0.7, 0.8])
    assert reg.early_stopping_point(dev) == reg.EarlyStop(6, 10, 0.5)
    assert reg.early_stopping_point(dev, patience=2) == reg.EarlyStop(3, 5, 0.6)
    assert reg.early_stopping_point(dev, patience=3) == reg.EarlyStop(6, 9, 0.5)
    # min_delta: an improvement smaller than it does not count
    assert reg.early_stopping_point([1.0, 0.99, 0.98], min_delta=0.05).best_epoch == 1
    with pytest.raises(ValueError, match="patience"):
        reg.early_stopping_point(dev, patience=0)
    with pytest.raises(ValueError, match="empty"):
        reg.early_stopping_point([])
    with pytest.raises(ValueError, match="NaN"):
        reg.early_stopping_point([1.0, np.nan])


def test_shift_flip_augment():
    X = np.arange(64, dtype=float).reshape(1, 64).T  # one 8x8 image, pixel value = its index
    right = reg.shift_images(X, 1, 0).reshape(8, 8)
    assert np.all(right[:, 0] == 0) and np.array_equal(right[:, 1:], X.reshape(8, 8)[:, :-1])
    down = reg.shift_images(X, 0, 1).reshape(8, 8)
    assert np.all(down[0] == 0) and np.array_equal(down[1:], X.reshape(8, 8)[:-1])
    assert np.array_equal(reg.shift_images(reg.shift_images(X, 2, -1), 0, 0), reg.shift_images(X, 2, -1))
    flipped = reg.flip_images(X).reshape(8, 8)
    assert np.array_equal(flipped, X.reshape(8, 8)[:, ::-1])
    assert np.array_equal(reg.flip_images(reg.flip_images(X)), X)
    Xa, ya = reg.augment(np.hstack([X, X]), np.array([[3.0, 5.0]]), flip=True)
    assert Xa.shape == (64, 12) and ya.tolist() == [[3.0, 5.0] * 6]
    jittered = reg.jitter_images(np.hstack([X] * 50), max_shift=1, seed=0)
    assert jittered.shape == (64, 50) and not np.array_equal(jittered, np.hstack([X] * 50))
    with pytest.raises(ValueError, match=r"\(n_x, m\)"):
        reg.shift_images(np.zeros((3, 64)), 1, 0)
    with pytest.raises(ValueError, match="dx"):
        reg.shift_images(X, 9, 0)


def test_augmentation_on_digits_keeps_pixels_in_range():
    X, y = data.load_digits()
    Xa, ya = reg.augment(X[:, :10], y[:, :10])
    assert Xa.shape == (64, 50) and Xa.min() >= 0 and Xa.max() <= 1


def stub(*args):
    raise NotImplementedError("write this")


def test_check_l2_cost_term():
    assert reg.check_l2_cost_term(lambda p, lam, m: reg.l2_penalty(p, lam, m)).passed
    assert reg.check_l2_cost_term(stub).status == "not written"
    assert reg.check_l2_cost_term(lambda p, lam, m: None).status == "not written"
    L = 3
    attempts = {
        "1/2 is missing": lambda p, lam, m: lam / m * sum(np.sum(p[f"W{l}"] ** 2) for l in range(1, L + 1)),
        "biases are included": lambda p, lam, m: lam / (2 * m) * sum(np.sum(v ** 2) for v in p.values()),
        "L1 norm": lambda p, lam, m: lam / (2 * m) * sum(np.sum(np.abs(p[f"W{l}"])) for l in range(1, L + 1)),
        "m times too large": lambda p, lam, m: lam / 2 * sum(np.sum(p[f"W{l}"] ** 2) for l in range(1, L + 1)),
        "(lambd / 2) * m": lambda p, lam, m: lam / 2 * m * sum(np.sum(p[f"W{l}"] ** 2) for l in range(1, L + 1)),
        "one number": lambda p, lam, m: np.array([1.0, 2.0]),
        "KeyError": lambda p, lam, m: p["W4"],
    }
    for word, attempt in attempts.items():
        result = reg.check_l2_cost_term(attempt)
        assert result.status == "failed" and word in result.message, (word, result.message)


def test_check_l2_backward():
    assert reg.check_l2_backward(lambda g, p, lam, m: reg.l2_backward(g, p, lam, m)).passed
    assert reg.check_l2_backward(stub).status == "not written"

    def add(term, biases=False):
        return lambda g, p, lam, m: {k: v + (term(p[k[1:]], lam, m) if k.startswith("dW") or biases else 0)
                                     for k, v in g.items()}

    attempts = {
        "1/2 of the cost": add(lambda W, lam, m: lam / (2 * m) * W),
        "1/m is missing": add(lambda W, lam, m: lam * W),
        "L1's gradient": add(lambda W, lam, m: lam / m * np.sign(W)),
        "db1 changed": add(lambda W, lam, m: lam / m * W, biases=True),
        "unchanged": lambda g, p, lam, m: dict(g),
        "missing dW3": lambda g, p, lam, m: {k: v for k, v in g.items() if k != "dW3"},
    }

    def in_place(g, p, lam, m):  # right values, but the caller's gradients changed
        for k in g:
            if k.startswith("dW"):
                g[k] += lam / m * p[k[1:]]
        return g

    attempts["grads you were given changed"] = in_place
    for word, attempt in attempts.items():
        result = reg.check_l2_backward(attempt)
        assert result.status == "failed" and word in result.message, (word, result.message)


def test_l2_backward_and_penalty_validate():
    params = {"W1": np.ones((2, 3)), "b1": np.ones((2, 1))}
    grads = {"dW1": np.zeros((2, 3)), "db1": np.zeros((2, 1))}
    assert np.allclose(reg.l2_backward(grads, params, 0.5, 5)["dW1"], 0.1)
    with pytest.raises(ValueError, match="dW1"):
        reg.l2_backward({"W1": np.zeros((2, 3))}, params, 0.5, 5)
    with pytest.raises(ValueError, match="params"):
        reg.l2_penalty({}, 0.5, 5)
    with pytest.raises(ValueError, match="params"):
        reg.sparsity({})
    two_layers = model.init_params([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match="b2"):  # b2 without W2: not a one-layer network
        reg.l2_penalty({k: v for k, v in two_layers.items() if k != "W2"}, 0.5, 5)
    with pytest.raises(ValueError, match="lambd"):
        reg.l2_penalty(params, "0.1", 5)
    X, _, _, _ = reg.overfitting_data(m=10, dev_size=5)
    full = model.init_params([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match="no b1"):
        reg.hidden_preactivations(X, {k: v for k, v in full.items() if k != "b1"})
    with pytest.raises(ValueError, match="Zs"):
        reg.near_linear_fraction([])
    with pytest.raises(ValueError, match="Zs"):
        reg.near_linear_fraction(None)
    with pytest.raises(ValueError, match=r"pass X\.T"):
        reg.weight_decay_identity(X.T, np.zeros((1, 10)), full, lambd=0.1, learning_rate=0.1)


def test_rotations_and_crops():
    X, _ = data.load_digits()
    images = X[:, :5]
    assert np.allclose(reg.rotate_images(images, 0), images)
    assert np.allclose(reg.crop_images(images, 0, 0, 8), images)
    quarter = reg.rotate_images(images, 90).T.reshape(-1, 8, 8)
    assert np.allclose(quarter, np.rot90(images.T.reshape(-1, 8, 8), 1, axes=(1, 2)))
    for out in (reg.rotate_images(images, 15), reg.crop_images(images, 1, 1, 7), reg.tilt_images(images, 20, seed=0)):
        assert out.shape == images.shape and out.min() >= 0 and out.max() <= 1 + 1e-12
    Xa, ya = reg.augment(images, np.arange(5.0)[None], shifts=(), rotations=(-15, 15), crops=((0, 0, 7),))
    assert Xa.shape == (64, 20) and ya.shape == (1, 20)
    with pytest.raises(ValueError, match="top"):
        reg.crop_images(images, 2, 0, 7)
    with pytest.raises(ValueError, match="degrees"):
        reg.rotate_images(images, 400)


def test_lambda_grid_shrinks_weights(small_grid):
    lambdas, norms = small_grid.curve("weight_norm", "l2")
    assert np.all(np.diff(norms) < 0)
    _, linear = small_grid.curve("near_linear", "l2")
    assert linear[-1] > linear[0]
    assert small_grid[("l1", 0.3)]["sparsity"] > small_grid[("l2", 0.3)]["sparsity"]
    assert small_grid[("l2", 0.0)]["proba"].shape == (400,)
    assert small_grid[("l2", 0.0)]["w_counts"].sum() == sum(v.size for k, v in small_grid.params["l2"].items()
                                                           if k.startswith("W")) // 3


def test_lambda_grid_validates():
    with pytest.raises(ValueError, match="lambdas"):
        reg.train_lambda_grid(lambdas=(-1.0,))
    with pytest.raises(ValueError, match="penalty"):
        reg.train_lambda_grid(penalties=("l3",))


def test_widget_reads_the_grid(small_grid):
    explorer = widgets.build("02_regularization", grid=small_grid)
    explorer.set(lambd=0.3, penalty="l2")
    result = small_grid[("l2", 0.3)]
    assert f"||W|| = {result['weight_norm']:.2f}" in explorer.readout.value
    assert f"dev {100 * result['dev_accuracy']:.1f}%" in explorer.readout.value
    frame = explorer.snapshot().data
    explorer.set(penalty="l1")
    assert explorer.snapshot().data != frame
