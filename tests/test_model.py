"""helpers.model: backprop against numerical gradients, training, prediction, validation."""

import numpy as np
import pytest

from helpers import data, model, optim
from helpers.gradcheck import dict_to_vector, max_relative_error, numerical_gradient, vector_to_dict

TOL = 1e-7
EPS = 1e-5


def numeric_grads(X, Y, params, **kw):
    theta, spec = dict_to_vector(params)

    def J():
        ZL, _ = model.forward(X, vector_to_dict(theta, spec), hidden=kw.get("hidden", "relu"))
        return model.cost(ZL, Y, vector_to_dict(theta, spec), kw.get("lambd", 0.0), kw.get("penalty", "l2"))

    return vector_to_dict(numerical_gradient(J, theta, epsilon=EPS), spec)


def assert_backprop_matches(X, Y, params, **kw):
    _, grads = model.cost_and_grads(X, Y, params, **kw)
    numeric = numeric_grads(X, Y, params, **kw)
    trainable = [k for k in params if not k.startswith("running_")]
    assert sorted("d" + k for k in trainable) == sorted(grads)
    for k in trainable:
        err = max_relative_error(numeric[k], grads["d" + k])
        assert err < TOL, f"d{k}: relative error {err:.2e}"


@pytest.fixture
def binary():
    X, Y = data.make_moons(12, 0.2, seed=1)
    return X, Y


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid", "linear"])
def test_backprop_each_hidden_activation(binary, hidden):
    X, Y = binary
    params = model.init_params([2, 4, 3, 1], init="xavier", seed=2)
    params = {k: v + 0.05 for k, v in params.items()}  # non-zero biases: relu kinks unlikely at data points
    assert_backprop_matches(X, Y, params, hidden=hidden)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_backprop_with_penalty(binary, penalty):
    X, Y = binary
    params = model.init_params([2, 5, 1], seed=3)
    assert_backprop_matches(X, Y, params, lambd=0.7, penalty=penalty)


def test_backprop_with_batchnorm(binary):
    X, Y = binary
    params = model.init_params([2, 4, 3, 1], seed=4, batchnorm=True)
    params["gamma1"] = params["gamma1"] * 1.3
    params["beta2"] = params["beta2"] + 0.2
    assert "b1" not in params and "b2" not in params and "b3" in params
    assert_backprop_matches(X, Y, params, hidden="tanh")


def test_backprop_softmax_output():
    X, y = data.make_blobs(15, centers=3, seed=5)
    Y = data.one_hot(y, 3)
    params = model.init_params([2, 4, 3], seed=5)
    assert_backprop_matches(X, Y, params, lambd=0.1)


def test_stacked_networks_train_like_separate_ones(binary):
    X, Y = binary
    inits = [model.init_params([2, 3, 1], seed=s) for s in range(3)]
    lambdas = np.array([0.0, 0.1, 1.0])
    stacked, history = model.fit(X, Y, model.stack_params(inits), optim.adam(0.05), num_epochs=30, lambd=lambdas)
    for k, (init, lambd) in enumerate(zip(inits, lambdas)):
        alone, alone_history = model.fit(X, Y, init, optim.adam(0.05), num_epochs=30, lambd=float(lambd))
        for name in alone:
            np.testing.assert_allclose(model.unstack_params(stacked, k)[name], alone[name], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(history["cost"][:, k], alone_history["cost"], rtol=1e-10)


def test_fit_lowers_the_cost_and_leaves_inputs_unchanged():
    X, Y = data.make_moons(200, 0.2, seed=0)
    params = model.init_params([2, 8, 1], seed=0)
    before = {k: v.copy() for k, v in params.items()}
    trained, history = model.fit(X, Y, params, optim.adam(0.02), num_epochs=300, mini_batch_size=64)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    assert history["cost"][-1] < 0.5 * history["cost"][0]
    assert history["batch_cost"].size == 300 * 4  # 200 examples in batches of 64 -> 4 per epoch
    assert model.accuracy(X, Y, trained) > 0.9


def test_fit_is_deterministic():
    X, Y = data.make_moons(100, 0.3, seed=0)
    params = model.init_params([2, 6, 1], seed=0)
    runs = [model.fit(X, Y, params, optim.gd(0.3), num_epochs=20, mini_batch_size=16, keep_prob=0.8, seed=7) for _ in range(2)]
    np.testing.assert_array_equal(runs[0][1]["batch_cost"], runs[1][1]["batch_cost"])


def test_dev_cost_history(binary):
    X, Y = binary
    _, history = model.fit(X, Y, model.init_params([2, 3, 1]), num_epochs=5, X_dev=X, Y_dev=Y)
    assert history["dev_cost"].shape == (5,)


def test_divergence_is_reported_without_warnings():
    X, Y = data.make_moons(50, 0.2, seed=0)
    params = model.init_params([2, 8, 8, 1], init="random", scale=3.0, seed=0)
    _, history = model.fit(X, Y, params, optim.gd(1e6), num_epochs=200)  # warnings are errors here
    assert history["diverged"]
    assert len(history["cost"]) < 200  # stopped early


def test_batchnorm_running_averages_follow_the_batch_statistics():
    X, Y = data.make_moons(256, 0.2, seed=0)
    X = 3 * X + 5
    params = model.init_params([2, 4, 1], batchnorm=True, seed=0)
    trained, _ = model.fit(X, Y, params, optim.gd(1e-9), num_epochs=100, bn_momentum=0.9)
    Z1 = trained["W1"] @ X
    np.testing.assert_allclose(trained["running_mean1"], Z1.mean(axis=1, keepdims=True), rtol=1e-3)
    np.testing.assert_allclose(trained["running_var1"], Z1.var(axis=1, keepdims=True), rtol=1e-3)


def test_predict_and_accuracy_shapes():
    X, y = data.make_blobs(60, centers=4, cluster_std=0.3, seed=0)
    Y = data.one_hot(y, 4)
    trained, _ = model.fit(X, Y, model.init_params([2, 8, 4]), optim.adam(0.05), num_epochs=200)
    assert model.predict(X, trained).shape == (1, 60)
    assert model.predict_proba(X, trained).sum(axis=0) == pytest.approx(np.ones(60))
    assert model.accuracy(X, Y, trained) == model.accuracy(X, y, trained) > 0.95


def test_save_and_load_round_trip(tmp_path):
    params = model.init_params([3, 4, 2], batchnorm=True, seed=1)
    model.save_params(tmp_path / "p.npz", params)
    loaded = model.load_params(tmp_path / "p.npz")
    assert loaded.keys() == params.keys()
    for k in params:
        np.testing.assert_array_equal(loaded[k], params[k])


@pytest.mark.parametrize("init", ["zeros", "random", "xavier", "he"])
def test_init_scales(init):
    params = model.init_params([500, 400, 1], init=init, scale=2.0, seed=0)
    expected = {"zeros": 0.0, "random": 2.0, "xavier": 2.0 * np.sqrt(1 / 500), "he": 2.0 * np.sqrt(2 / 500)}[init]
    assert params["W1"].std() == pytest.approx(expected, rel=0.02, abs=1e-12)
    assert not params["b1"].any()


def test_bad_inputs_raise_clear_errors():
    X, Y = data.make_moons(20, seed=0)
    params = model.init_params([2, 3, 1])
    with pytest.raises(ValueError, match=r"pass X\.T"):
        model.fit(X.T, Y, params)
    with pytest.raises(ValueError, match=r"X must have shape \(n_x, m\) = \(2, m\)"):
        model.forward(np.ones((3, 5)), params)
    with pytest.raises(ValueError, match="labels in Y must be 0 or 1"):
        model.fit(X, Y * 2, params)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.where(X > 1, np.nan, X), Y, params)
    with pytest.raises(ValueError, match=r"learning_rate must be in \(0, inf\]"):
        optim.gd(-0.1)
    with pytest.raises(ValueError, match=r"keep_prob must be in \(0, 1\]"):
        model.fit(X, Y, params, keep_prob=0.0)
    with pytest.raises(ValueError, match="one per hidden layer"):
        model.fit(X, Y, params, keep_prob=(0.5, 0.5))
    with pytest.raises(ValueError, match=r"lambd must be in \[0, inf\]"):
        model.fit(X, Y, params, lambd=-1.0)
    with pytest.raises(ValueError, match="hidden must be one of"):
        model.forward(X, params, hidden="swish")
    with pytest.raises(ValueError, match="needs rng"):
        model.forward(X, params, keep_prob=0.5)
    with pytest.raises(ValueError, match="layer_dims must be a list"):
        model.init_params([2])
    with pytest.raises(ValueError, match="init must be one of"):
        model.init_params([2, 1], init="glorot")
    with pytest.raises(ValueError, match="W2 has shape"):
        model.forward(X, {"W1": np.ones((3, 2)), "b1": np.zeros((3, 1)), "W2": np.ones((1, 4)), "b2": np.zeros((1, 1))})
    with pytest.raises(ValueError, match=r"Y must have 1 row\(s\) to match the output layer"):
        model.fit(X, np.vstack([Y, 1 - Y]), params)
    with pytest.raises(ValueError, match="num_epochs must be in"):
        model.fit(X, Y, params, num_epochs=0)
    with pytest.raises(ValueError, match="optimizer must come from helpers.optim"):
        model.fit(X, Y, params, optimizer="adam")
