"""Chapter 12: initialization, symmetry, and statistics across depth."""

import numpy as np
import pytest

from helpers import data, gradcheck, initialization, model, widgets


@pytest.fixture(scope="module")
def small():
    # moons rather than circles: circles are symmetric, which makes some gradients nearly cancel
    X, Y = data.make_moons(12, 0.2, seed=1)
    return X, Y


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid", "linear"])
def test_forward_backward_matches_model_and_numerical_gradient(small, hidden):
    X, Y = small
    params = model.init_params([2, 4, 3, 1], init="xavier", seed=2)
    params = {k: v + 0.05 for k, v in params.items()}  # non-zero biases: no relu kink at a data point
    out = initialization.forward_backward(X, Y, params, hidden)
    J, grads = model.cost_and_grads(X, Y, params, hidden=hidden)
    assert np.isclose(out["cost"], J)
    assert len(out["A"]) == 2 and out["A"][0].shape == (4, 12) and out["ZL"].shape == (1, 12)
    for name in params:
        assert np.allclose(out["grads"]["d" + name], grads["d" + name])
        numerical = gradcheck.numerical_gradient(
            lambda: initialization.forward_backward(X, Y, params, hidden)["cost"], params[name], epsilon=1e-5)
        assert gradcheck.max_relative_error(numerical, out["grads"]["d" + name]) < 1e-7


def test_forward_backward_validation(small):
    X, Y = small
    params = model.init_params([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match="pass X.T"):
        initialization.forward_backward(X.T, Y, params)
    with pytest.raises(ValueError, match="hidden: got 'swish', expected one of"):
        initialization.forward_backward(X, Y, params, hidden="swish")
    with pytest.raises(ValueError, match="single logistic output"):
        initialization.forward_backward(X, Y, model.init_params([2, 3, 2], seed=0))
    with pytest.raises(ValueError, match="Y: got .*expected labels 0 or 1"):
        initialization.forward_backward(X, Y * 2, params)


def test_saturated_fraction():
    A = np.array([[0.995, -0.5, 0.0, -0.999]])
    assert initialization.saturated_fraction(A, "tanh") == 0.5
    assert initialization.saturated_fraction(np.array([[0.005, 0.5, 0.995, 0.3]]), "sigmoid") == 0.5
    assert initialization.saturated_fraction(np.array([[0.0, 1.0]]), "relu") == 0.5
    assert initialization.saturated_fraction(A, "linear") == 0.0


def test_depth_profile_shapes_and_the_classic_behaviours():
    he = initialization.depth_profile("relu", "he", 1.0, depth=20, width=100, m=200)
    assert he["A_std"].shape == (20,) and he["dW_std"].shape == (21,) and he["saturated"].shape == (20,)
    assert 0.25 < he["A_std"][-1] / he["A_std"][0] < 4
    xavier = initialization.depth_profile("relu", "xavier", 1.0, depth=20, width=100, m=200)
    assert xavier["A_std"][-1] / xavier["A_std"][0] < 0.01
    exploding = initialization.depth_profile("linear", "random", 10.0, depth=50)
    assert np.isfinite(exploding["cost"]) and exploding["A_std"][-1] > 1e50  # finite: the stable loss
    zeros = initialization.depth_profile("tanh", "zeros", 1.0, depth=5)
    assert np.all(zeros["A_std"] == 0)
    one = initialization.depth_profile("relu", "he", 1.0, depth=1)
    assert one["dW_std"].shape == (2,)
    assert np.array_equal(initialization.depth_profile("tanh", "he", 2.0, 10)["A_std"],
                          initialization.depth_profile("tanh", "he", 2.0, 10)["A_std"])  # seeded


def test_symmetry_is_never_broken_from_a_constant_start(small):
    X, Y = small
    dims = [2, 5, 4, 1]
    for start in (model.init_params(dims, init="zeros"), initialization.constant_params(dims, 0.3)):
        trained, _ = model.fit(X, Y, start, num_epochs=200)
        # identical units: equal up to rounding (rows of one product may take different kernel paths)
        assert np.all(initialization.unit_spread(trained)[:-1] < 1e-12)
    trained, _ = model.fit(X, Y, initialization.constant_params(dims, 0.3), num_epochs=50)
    assert np.abs(trained["W1"] - 0.3).max() > 1e-4  # it trained, and still symmetric (above)
    broken, _ = model.fit(X, Y, model.init_params(dims, init="he", seed=0), num_epochs=50)
    assert np.all(initialization.unit_spread(broken)[:-1] > 0)


def test_compare_inits_trains_every_start_in_one_stack():
    X, Y = data.make_circles(200, noise=0.08, seed=0)
    (Xt, Yt), (Xd, Yd) = data.train_dev_test_split(X, Y, (0.5, 0.5))
    runs = initialization.compare_inits(Xt, Yt, Xd, Yd, num_epochs=400, learning_rate=0.1)
    assert list(runs) == ["zeros", "random x 10", "xavier", "he"]
    assert runs["random x 10"]["initial_cost"] > 10 and np.isfinite(runs["random x 10"]["initial_cost"])
    assert runs["zeros"]["dev_accuracy"] < 0.6 < runs["he"]["dev_accuracy"]
    assert runs["he"]["history"].shape == (400,)


def test_deep_linear_network_is_a_power():
    x = np.array([[1.0, 0.5], [2.0, -1.0]])
    A = initialization.deep_linear_output(1.2, 10, x)
    assert A.shape == (11, 2, 2)
    assert np.allclose(A[7], 1.2**7 * x)
    norms = initialization.random_linear_norms(0.5, 20, n=200)
    assert norms[0] == 1 and abs(np.exp(np.polyfit(np.arange(21), np.log(norms), 1)[0]) - 0.5) < 0.03
    with pytest.raises(ValueError, match="L: got 0, expected an integer"):
        initialization.deep_linear_output(1.0, 0, x)
    with pytest.raises(ValueError, match="scale: got -1.0, expected a number"):
        initialization.random_linear_norms(-1.0, 5)


def _init(factor, transpose=False, bias=0.0, shared_seed=True):
    def fn(layer_dims, seed):
        rng = np.random.default_rng(seed if shared_seed else None)
        params = {}
        for l in range(1, len(layer_dims)):
            n_prev, n = layer_dims[l - 1], layer_dims[l]
            shape = (n_prev, n) if transpose else (n, n_prev)
            params[f"W{l}"] = rng.standard_normal(shape) * factor(n_prev, n)
            params[f"b{l}"] = np.full((n, 1), bias)
        return params
    return fn


def per_layer_generator(layer_dims, seed):
    """He's rule with a generator created anew (same seed) for every layer."""
    params = {}
    for l in range(1, len(layer_dims)):
        rng = np.random.default_rng(seed)
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * np.sqrt(2 / layer_dims[l - 1])
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


def test_check_he_init_reference_stub_and_mistakes():
    he = lambda dims, seed: model.init_params(dims, init="he", seed=seed)
    assert initialization.check_he_init(he).passed

    def stub(layer_dims, seed):
        raise NotImplementedError("draw W[l] with rng.standard_normal")
    assert initialization.check_he_init(stub).status == "not written"
    assert initialization.check_he_init(lambda dims, seed: None).status == "not written"

    cases = {
        _init(lambda p, n: np.sqrt(1 / p)): "Xavier",
        _init(lambda p, n: np.sqrt(2 / n)): "n[l-1]",
        _init(lambda p, n: 2 / p): "square root",
        _init(lambda p, n: 1.0): "standard normal",
        _init(lambda p, n: 0.01): "small random",
        _init(lambda p, n: np.sqrt(2 / p), transpose=True): "transposed",
        _init(lambda p, n: np.sqrt(2 / p), bias=0.1): "must start at 0",
        _init(lambda p, n: np.sqrt(2 / p), shared_seed=False): "same seed",
        _init(lambda p, n: 3 * np.sqrt(2 / p)): "He needs sqrt(2 / n[l-1])",
        (lambda dims, seed: [1, 2]): "must be a dict",
        per_layer_generator: "once per layer",
        (lambda dims, seed: {}): "missing W1",
        (lambda dims, seed: {"W1": np.zeros(3) @ np.zeros(4)}): "raised ValueError",
    }
    for fn, fragment in cases.items():
        result = initialization.check_he_init(fn)
        assert result.status == "failed" and fragment in result.message, result.message


def test_check_xavier_init_reference_stub_and_mistakes():
    xavier = lambda dims, seed: model.init_params(dims, init="xavier", seed=seed)
    assert initialization.check_xavier_init(xavier).passed

    def stub(layer_dims, seed):
        raise NotImplementedError
    assert initialization.check_xavier_init(stub).status == "not written"
    for fn, fragment in {_init(lambda p, n: np.sqrt(2 / p)): "He's",
                         _init(lambda p, n: np.sqrt(1 / n)): "n[l-1]",
                         _init(lambda p, n: 1 / p): "square root",
                         _init(lambda p, n: np.sqrt(2 / (p + n))): "symmetric variant"}.items():
        result = initialization.check_xavier_init(fn)
        assert result.status == "failed" and fragment in result.message, result.message


def test_widget_verdicts_through_the_readout():
    explorer = widgets.build("12_initialization")
    explorer.set(hidden="relu", init="xavier", scale=1.0, depth=50)
    assert "activations vanish" in explorer.readout.value
    explorer.set(hidden="linear", init="random", scale=10.0, depth=50)
    assert "explode" in explorer.readout.value
    explorer.set(hidden="tanh", init="random", scale=1.0, depth=20)
    assert "saturated" in explorer.readout.value and "gradients explode towards the input" in explorer.readout.value
    explorer.set(hidden="relu", init="he", scale=1.0, depth=2)
    assert "<b>" not in explorer.readout.value
    from helpers.widgets import initialization as w
    stats = w.profile("relu", "he", 1.0, 2)
    assert stats["a_layers"] == [1, 2] and len(stats["a_hist"]) == 2
    assert all(np.isclose(h.sum(), 1.0) for h in stats["a_hist"] + stats["g_hist"])


def test_widget_draws_every_depth_across_the_whole_axis():
    explorer = widgets.build("12_initialization")
    for depth in (2, 30, 50):
        explorer.set(depth=depth)
        a_line, g_line = explorer.axes[2].lines[:2]
        assert len(a_line.get_xdata()) == depth and len(g_line.get_xdata()) == depth + 1
        assert g_line.get_xdata()[-1] == 1.0 and explorer.axes[2].get_xlim() == (0.0, 1.02)


def test_widget_status_box_holds_two_verdicts_on_two_lines():
    explorer = widgets.build("12_initialization")
    explorer.set(hidden="tanh", init="random", scale=1.0, depth=20)
    status = [t for t in explorer.texts(2) if "saturated" in t]
    assert status == ["saturated: 61% of the last layer's units\ngradients explode towards the input"]
    explorer.set(hidden="relu", init="he", depth=30)
    assert not any("saturated" in t or "vanish" in t or "explode" in t for t in explorer.texts())


def test_huge_inputs_are_reported_not_overflowed():
    X, Y = data.make_circles(60, seed=0)
    runs = initialization.compare_inits(X, Y, X, Y, learning_rate=1e100, num_epochs=5)
    assert all(run["diverged"] and np.isnan(run["dev_accuracy"]) for run in runs.values())
    with pytest.raises(ValueError, match="beyond float64"):
        initialization.depth_profile("relu", "random", 1e10, depth=50)
    assert np.isfinite(initialization.depth_profile("tanh", "random", 1e10, depth=50)["cost"])
    with pytest.raises(ValueError, match="got no b2"):
        initialization.forward_backward(X, Y, {k: v for k, v in model.init_params([2, 3, 1]).items() if k != "b2"})


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid", "linear"])
def test_depth_profile_is_the_model_pass(hidden):
    profile = initialization.depth_profile(hidden, "he", 1.0, depth=6, width=8, m=64, seed=0)
    X, Y = data.make_circles(64, noise=0.08, factor=0.5, seed=0)
    mu, sigma = data.fit_standardizer(X)
    params = initialization.depth_network(6, 8, "he", 1.0, 0)
    J, fwd, bwd = model.layer_gradients(data.standardize(X, mu, sigma), Y, params, hidden=hidden)
    assert np.isclose(profile["cost"], J)
    assert np.allclose(profile["A_std"], [fwd.A[l].std() for l in range(1, 7)])
    assert np.allclose(profile["dW_std"], [bwd.grads[f"dW{l}"].std() for l in range(1, 8)])


@pytest.mark.parametrize("call, match", [
    (lambda: initialization.saturated_fraction("a", "tanh"), "A: got 'a'"),
    (lambda: initialization.unit_spread({}), "params: got keys"),
    (lambda: initialization.random_linear_norms(1.0, 3, n=0), "n: got 0"),
    (lambda: initialization.random_linear_norms(1e200, 50), "beyond float64"),
])
def test_bad_inputs_get_the_package_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
