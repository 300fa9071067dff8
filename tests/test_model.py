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


@pytest.mark.parametrize("n_out", [1, 3])
@pytest.mark.parametrize("learning_rate", [1e200, 1e300])
def test_a_learning_rate_that_overflows_the_weights_is_reported_as_diverged(n_out, learning_rate):
    # One step sends the weights to inf: the next cost must be marked diverged, not raise.
    X, y = data.make_blobs(60, centers=3, seed=0)
    Y = (y == 0).astype(float) if n_out == 1 else data.one_hot(y, 3)
    params = model.init_params([2, 8, n_out], seed=0)
    for optimizer in (optim.gd(learning_rate), optim.adam(learning_rate)):
        _, history = model.fit(X, Y, params, optimizer, num_epochs=20)
        assert history["diverged"]


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
    with pytest.raises(ValueError, match=r"X: got shape \(3, 5\), expected \(n_x, m\) = \(2, m\)"):
        model.forward(np.ones((3, 5)), params)
    with pytest.raises(ValueError, match="Y: got .*expected labels 0 or 1"):
        model.fit(X, Y * 2, params)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.where(X > 1, np.nan, X), Y, params)
    with pytest.raises(ValueError, match=r"learning_rate: got -0.1, expected a number in \(0, inf\]"):
        optim.gd(-0.1)
    with pytest.raises(ValueError, match=r"keep_prob: got 0.0, expected a number in \(0, 1\]"):
        model.fit(X, Y, params, keep_prob=0.0)
    with pytest.raises(ValueError, match="one per hidden layer"):
        model.fit(X, Y, params, keep_prob=(0.5, 0.5))
    with pytest.raises(ValueError, match=r"lambd: got -1.0, expected a number in \[0, inf\]"):
        model.fit(X, Y, params, lambd=-1.0)
    with pytest.raises(ValueError, match="hidden: got 'swish', expected one of"):
        model.forward(X, params, hidden="swish")
    with pytest.raises(ValueError, match=r"rng: got None, expected a numpy.random.Generator for dropout"):
        model.forward(X, params, keep_prob=0.5)
    with pytest.raises(ValueError, match=r"layer_dims: got \[2\], expected a list of at least two"):
        model.init_params([2])
    with pytest.raises(ValueError, match="init: got 'glorot', expected one of"):
        model.init_params([2, 1], init="glorot")
    with pytest.raises(ValueError, match=r"W2: got shape \(1, 4\)"):
        model.forward(X, {"W1": np.ones((3, 2)), "b1": np.zeros((3, 1)), "W2": np.ones((1, 4)), "b2": np.zeros((1, 1))})
    with pytest.raises(ValueError, match=r"Y: got 2 rows, shape \(2, 20\), expected binary labels \(1, m\)"):
        model.fit(X, np.vstack([Y, 1 - Y]), params)
    with pytest.raises(ValueError, match="num_epochs: got 0, expected an integer in"):
        model.fit(X, Y, params, num_epochs=0)
    with pytest.raises(ValueError, match="optimizer: got 'adam' \\(a str\\), expected an optimizer from helpers.optim"):
        model.fit(X, Y, params, optimizer="adam")


# ---------------------------------------------------------------- looking inside: forward_pass / backward_pass


def test_forward_pass_exposes_every_layer(binary):
    X, Y = binary
    params = model.init_params([2, 4, 3, 1], seed=1)
    fwd = model.forward_pass(X, params, hidden="tanh")
    assert fwd.L == 3 and sorted(fwd.Z) == [1, 2, 3] and sorted(fwd.A) == [0, 1, 2]
    np.testing.assert_array_equal(fwd.A[0], X)
    np.testing.assert_allclose(fwd.Z[1], params["W1"] @ X + params["b1"], rtol=1e-14)
    np.testing.assert_allclose(fwd.A[1], np.tanh(fwd.Z[1]), rtol=1e-14)
    np.testing.assert_allclose(fwd.Z[2], params["W2"] @ fwd.A[1] + params["b2"], rtol=1e-14)
    ZL, _ = model.forward(X, params, hidden="tanh")
    np.testing.assert_array_equal(fwd.ZL, ZL)
    np.testing.assert_allclose(fwd.output(), 1 / (1 + np.exp(-ZL)), rtol=1e-12)


def test_backward_pass_gives_the_gradients_of_every_layer(binary):
    X, Y = binary
    params = model.init_params([2, 4, 3, 1], seed=1)
    J, fwd, bwd = model.layer_gradients(X, Y, params, hidden="tanh", lambd=0.3)
    J2, grads = model.cost_and_grads(X, Y, params, hidden="tanh", lambd=0.3)
    assert J == J2 and sorted(grads) == sorted(bwd.grads)
    for k in grads:
        np.testing.assert_array_equal(grads[k], bwd.grads[k])
    assert sorted(bwd.dZ) == [1, 2, 3] and sorted(bwd.dA) == [1, 2]
    m = X.shape[1]
    np.testing.assert_allclose(bwd.dZ[3], (fwd.output() - Y) / m, rtol=1e-12)
    np.testing.assert_allclose(bwd.dA[2], params["W3"].T @ bwd.dZ[3], rtol=1e-12)
    np.testing.assert_allclose(bwd.dZ[2], bwd.dA[2] * (1 - fwd.A[2] ** 2), rtol=1e-12)
    np.testing.assert_allclose(bwd.grads["dW1"], bwd.dZ[1] @ X.T + 0.3 / m * params["W1"], rtol=1e-12)
    # the manual route gives the same as the one-call route
    J3, dZL = model.data_cost(fwd.ZL, Y)
    same = model.backward_pass(dZL, fwd, params, hidden="tanh", lambd=0.3)
    np.testing.assert_array_equal(same.grads["dW1"], bwd.grads["dW1"])
    assert J3 + model.penalty_term(params, 0.3, m) == pytest.approx(J, rel=1e-14)


def test_batchnorm_statistics_through_the_public_api(binary):
    X, Y = binary
    params = model.init_params([2, 4, 3, 1], seed=2, batchnorm=True)
    fwd = model.forward_pass(X, params)
    assert sorted(fwd.bn) == [1, 2]
    np.testing.assert_allclose(fwd.bn[1]["mu"], fwd.Z[1].mean(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(fwd.bn[1]["var"], fwd.Z[1].var(axis=1, keepdims=True), rtol=1e-12)
    new = model.update_running_stats(params, fwd, momentum=0.8)
    np.testing.assert_allclose(new["running_mean1"], 0.2 * fwd.bn[1]["mu"], rtol=1e-12)
    np.testing.assert_allclose(new["running_var2"], 0.8 + 0.2 * fwd.bn[2]["var"], rtol=1e-12)
    np.testing.assert_array_equal(new["W1"], params["W1"])
    assert params["running_mean1"].sum() == 0  # unchanged input
    with pytest.raises(ValueError, match="fwd: got a test-mode Forward"):
        model.update_running_stats(params, model.forward_pass(X, params, mode="test"))


def test_penalty_term_formulas():
    params = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[5.0]]), "W2": np.array([[3.0]]), "b2": np.array([[7.0]])}
    assert model.penalty_term(params, 0.5, 4) == pytest.approx(0.5 / 8 * (1 + 4 + 9))
    assert model.penalty_term(params, 0.5, 4, penalty="l1") == pytest.approx(0.5 / 4 * (1 + 2 + 3))
    assert model.penalty_term(params, 0.0, 4) == 0.0


def test_inits_is_the_one_table():
    assert set(model.INITS) == {"zeros", "random", "xavier", "he"}
    assert model.INITS["he"](50, 1.0) == pytest.approx(np.sqrt(2 / 50))
    assert model.INITS["xavier"](50, 2.0) == pytest.approx(2 * np.sqrt(1 / 50))


# ---------------------------------------------------------------- every mistake gets a precise error


def test_params_must_have_exactly_the_layers():
    X, Y = data.make_moons(20, seed=0)
    params = model.init_params([2, 3, 1])
    no_b2 = {k: v for k, v in params.items() if k != "b2"}
    with pytest.raises(ValueError, match="b2"):
        model.fit(X, Y, no_b2, num_epochs=1)
    gap = {"W1": params["W1"], "b1": params["b1"], "W3": params["W2"], "b3": params["b2"]}
    with pytest.raises(ValueError, match="W2"):
        model.accuracy(X, Y, gap)
    with pytest.raises(ValueError, match="W1"):  # a transposed W1 is W1's fault, not W2's
        model.forward(X, {**params, "W1": params["W1"].T})


def test_labels_are_checked_where_they_enter():
    X, Y = data.make_moons(20, seed=0)
    params = model.init_params([2, 3, 1])
    for bad, word in [(Y + 1, r"\{1, 2\}"), (2 * Y - 1, r"\{-1, 1\}"), (np.full_like(Y, 0.3), "probabilities"),
                      (np.vstack([Y, 1 - Y]), "binary labels")]:
        with pytest.raises(ValueError, match=word):
            model.accuracy(X, bad, params)
    Xs, y = data.make_blobs(30, centers=3, seed=0)
    soft = model.init_params([2, 4, 3])
    with pytest.raises(ValueError, match=r"integer classes 0\.\.2"):
        model.accuracy(Xs, y + 1, soft)
    with pytest.raises(ValueError, match=r"integer classes"):
        model.accuracy(Xs, y * 0.5, soft)


@pytest.mark.parametrize("kw, name", [
    ({"keep_prob": "0.5"}, "keep_prob"), ({"keep_prob": None}, "keep_prob"), ({"keep_prob": True}, "keep_prob"),
    ({"lambd": "0.1"}, "lambd"), ({"lambd": None}, "lambd"), ({"lambd": False}, "lambd"),
    ({"num_epochs": 2.0}, "num_epochs"), ({"mini_batch_size": "8"}, "mini_batch_size"), ({"seed": None}, "seed"),
    ({"bn_momentum": "0.9"}, "bn_momentum"), ({"keep_prob": [0.5, "0.5"]}, r"keep_prob\[1\]"),
])
def test_numbers_must_be_numbers(kw, name):
    X, Y = data.make_moons(20, seed=0)
    params = model.init_params([2, 3, 3, 1])
    with pytest.raises(ValueError, match=name + ": got"):
        model.fit(X, Y, params, **{"num_epochs": 1, **kw})


def test_empty_data_and_half_a_dev_set():
    X, Y = data.make_moons(20, seed=0)
    params = model.init_params([2, 3, 1])
    with pytest.raises(ValueError, match="X: got an empty array"):
        model.fit(X[:, :0], Y[:, :0], params, num_epochs=1)
    with pytest.raises(ValueError, match="Y_dev: got None"):
        model.fit(X, Y, params, num_epochs=1, X_dev=X)
    with pytest.raises(ValueError, match="X_dev: got None"):
        model.fit(X, Y, params, num_epochs=1, Y_dev=Y)


def test_x_is_checked_before_y():
    X, Y = data.make_moons(20, seed=0)
    params = model.init_params([2, 3, 1])
    with pytest.raises(ValueError, match=r"^X: .*pass X\.T"):
        model.cost_and_grads(X.T, Y.T, params)


def test_stack_params_rejects_empty_and_mismatched_lists():
    with pytest.raises(ValueError, match="param_list: got an empty list"):
        model.stack_params([])
    with pytest.raises(ValueError, match=r"param_list\[1\]\['W1'\]"):
        model.stack_params([model.init_params([2, 3, 1]), model.init_params([2, 4, 1])])


def test_cost_blames_a_flattened_or_transposed_zl():
    X, Y = data.make_moons(20, seed=0)
    params = model.init_params([2, 3, 1])
    ZL, _ = model.forward(X, params)
    with pytest.raises(ValueError, match=r"^ZL: got a 1-D array"):
        model.cost(ZL.ravel(), Y, params)
    with pytest.raises(ValueError, match=r"^ZL: .*pass ZL\.T"):
        model.cost(ZL.T, Y, params)
    with pytest.raises(ValueError, match=r"^dZL: got shape \(20, 1\).*pass dZL\.T"):
        model.backward(ZL.T, model.forward(X, params)[1], params)


def test_huge_gradients_in_fit_neither_warn_nor_freeze_adam():
    # Inputs of 1e200 give gradients of about 1e200, whose squares overflow: Adam's state stays
    # finite (warnings are errors here) and each step still moves W by at most about alpha.
    X, Y = data.make_moons(50, 0.2, seed=0)
    params = model.init_params([2, 1], seed=0)
    _, grads = model.cost_and_grads(1e200 * X, Y, params)
    assert np.abs(grads["dW1"]).max() > 1e190
    trained, history = model.fit(1e200 * X, Y, params, optim.adam(0.1), num_epochs=5)
    moved = np.abs(trained["W1"] - params["W1"])
    assert np.all(np.isfinite(trained["W1"])) and np.all(moved > 0.05) and np.all(moved <= 5 * 0.1 * 1.01)
    assert np.all(np.isfinite(history["cost"]))


def test_weight_norm_and_cost_and_grads_check_their_inputs():
    X, Y = data.make_moons(20, seed=0)
    params = model.init_params([2, 3, 1])
    assert model.weight_norm(params) == pytest.approx(np.sqrt(np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)))
    with pytest.raises(ValueError, match="W1"):
        model.weight_norm({"b1": params["b1"]})
    with pytest.raises(ValueError, match="NaN"):
        model.weight_norm({**params, "W1": np.full((3, 2), np.nan)})
    with pytest.raises(ValueError, match="Y: got None"):
        model.cost_and_grads(X, None, params)
    with pytest.raises(ValueError, match="Y: got None"):
        model.fit(X, None, params, num_epochs=1)


def test_fit_checks_the_gradients_at_its_first_update_only():
    # fit's gradients come from its own backward pass: one check (the first update), then
    # optim's check=False; the trained parameters are those of checking every update.
    X, Y = data.make_moons(120, noise=0.2, seed=1)
    params = model.init_params([2, 6, 1], seed=0)
    adam = optim.adam(0.01)
    checks = []

    def recording_update(params, grads, state, check=True):
        checks.append(check)
        return adam.update(params, grads, state, check=check)

    def always_checked(params, grads, state):
        return adam.update(params, grads, state)

    fast, _ = model.fit(X, Y, params, optim.Optimizer(adam.init, recording_update), num_epochs=4, mini_batch_size=40)
    assert checks == [True] + [False] * 11
    slow, _ = model.fit(X, Y, params, optim.Optimizer(adam.init, always_checked), num_epochs=4, mini_batch_size=40)
    assert all(np.array_equal(fast[k], slow[k]) for k in params)


def test_cost_unchecked_is_the_checked_cost():
    from helpers import data

    X, Y = data.make_moons(50, seed=1)
    params = model.init_params([2, 5, 1], seed=0)
    ZL = model.forward(X, params)[0]
    for lambd, penalty in ((0.0, "l2"), (0.7, "l2"), (0.3, "l1")):
        assert model.cost(ZL, Y, params, lambd, penalty, check=False) == model.cost(ZL, Y, params, lambd, penalty)
