"""Chapter 9: batch norm layer (forward, backward, test mode), the network option, the experiments."""

import numpy as np
import pytest

from helpers import batchnorm, data, layers, model, optim
from helpers.gradcheck import max_relative_error, numerical_gradient
from helpers.widgets import batchnorm as bn_widgets

# ---------------------------------------------------------------- the layer


def _case(seed=0, n=4, m=7):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, m)) * 3 + 1
    gamma = rng.uniform(0.5, 2.0, (n, 1))
    beta = rng.standard_normal((n, 1))
    return Z, gamma, beta, rng.standard_normal((n, m))


def test_train_mode_normalizes_each_feature_over_the_batch():
    Z, gamma, beta, _ = _case()
    out, cache = layers.batchnorm_forward(Z, np.ones_like(gamma), np.zeros_like(beta))
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=1), Z.var(axis=1) / (Z.var(axis=1) + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(cache["mu"][:, 0], Z.mean(axis=1))
    np.testing.assert_allclose(cache["var"][:, 0], Z.var(axis=1))


def test_gamma_beta_identity_gives_back_Z():
    Z, _, _, _ = _case(1)
    gamma, beta = batchnorm.identity_gamma_beta(Z)
    out, _ = layers.batchnorm_forward(Z, gamma, beta)
    np.testing.assert_allclose(out, Z, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_numerical_gradient(seed):
    Z, gamma, beta, dout = _case(seed)
    _, cache = layers.batchnorm_forward(Z, gamma, beta)
    dZ, dgamma, dbeta = layers.batchnorm_backward(dout, cache)

    def f():
        return np.sum(layers.batchnorm_forward(Z, gamma, beta)[0] * dout)

    assert max_relative_error(numerical_gradient(f, Z), dZ) < 1e-7
    assert max_relative_error(numerical_gradient(f, gamma), dgamma) < 1e-7
    assert max_relative_error(numerical_gradient(f, beta), dbeta) < 1e-7


def test_backward_of_a_stack_matches_one_network_at_a_time():
    cases = [_case(s) for s in range(3)]
    Z, gamma, beta, dout = (np.stack(parts) for parts in zip(*cases))
    _, cache = layers.batchnorm_forward(Z, gamma, beta)
    dZ, dgamma, dbeta = layers.batchnorm_backward(dout, cache)
    for k, (Zk, gk, bk, dk) in enumerate(cases):
        expected = layers.batchnorm_backward(dk, layers.batchnorm_forward(Zk, gk, bk)[1])
        for got, want in zip((dZ[k], dgamma[k], dbeta[k]), expected):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_test_mode_uses_the_running_statistics():
    Z, gamma, beta, _ = _case()
    mean, var = np.full((4, 1), 0.5), np.full((4, 1), 4.0)
    out, _ = layers.batchnorm_forward(Z, gamma, beta, mode="test", running_mean=mean, running_var=var)
    np.testing.assert_allclose(out, gamma * (Z - mean) / np.sqrt(var + 1e-5) + beta)


def test_train_and_test_mode_differ_for_a_single_example():
    Z, gamma, beta, _ = _case()
    x = Z[:, :1]
    train, _ = layers.batchnorm_forward(x, gamma, beta, mode="train")
    test, _ = layers.batchnorm_forward(x, gamma, beta, mode="test", running_mean=Z.mean(1, keepdims=True),
                                       running_var=Z.var(1, keepdims=True))
    np.testing.assert_allclose(train, beta)  # a batch of one: z - mu = 0 whatever the input
    assert np.max(np.abs(train - test)) > 0.1


def test_layer_validation():
    Z, gamma, beta, _ = _case()
    with pytest.raises(ValueError, match="mode"):
        layers.batchnorm_forward(Z, gamma, beta, mode="eval")
    with pytest.raises(ValueError, match="running_mean"):
        layers.batchnorm_forward(Z, gamma, beta, mode="test")
    with pytest.raises(ValueError, match="Z"):
        batchnorm.identity_gamma_beta(np.array([1.0, np.nan]))


# ---------------------------------------------------------------- the network option


def _bn_net(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((3, 9))
    Y = data.one_hot(rng.integers(0, 4, (1, 9)), 4)
    params = model.init_params([3, 5, 4, 4], batchnorm=True, seed=seed)
    for key in params:
        if key.startswith(("gamma", "beta")):
            params[key] = params[key] + 0.3 * rng.standard_normal(params[key].shape)
    return X, Y, params


def test_bn_network_has_no_hidden_bias_and_keeps_the_output_bias():
    params = model.init_params([3, 5, 4, 2], batchnorm=True)
    assert "b1" not in params and "b2" not in params and "b3" in params
    assert {"gamma1", "beta1", "running_mean1", "running_var1", "gamma2"} <= set(params)


@pytest.mark.parametrize("hidden", ["relu", "tanh"])
def test_bn_network_gradients_match_numerical(hidden):
    X, Y, params = _bn_net()
    _, grads = model.cost_and_grads(X, Y, params, hidden=hidden)
    assert not any(k.startswith("drunning") for k in grads)

    def f():
        return model.cost_and_grads(X, Y, params, hidden=hidden)[0]

    for key in params:
        if key.startswith("running"):
            continue
        # epsilon 1e-5: with 1e-6 the round-off of J (~1e-16 / 1e-6) reaches 1e-7 on the smallest entries.
        assert max_relative_error(numerical_gradient(f, params[key], epsilon=1e-5), grads["d" + key]) < 1e-7, key


def test_fit_updates_running_averages_with_the_stated_momentum():
    X, Y, params = _bn_net()
    Z1 = params["W1"] @ X
    trained, _ = model.fit(X, Y, params, optim.gd(1e-12), num_epochs=1, bn_momentum=0.9)
    # One full-batch step with a negligible learning rate: running = 0.9 * init + 0.1 * batch.
    np.testing.assert_allclose(trained["running_mean1"], 0.1 * Z1.mean(1, keepdims=True), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(trained["running_var1"], 0.9 + 0.1 * Z1.var(1, keepdims=True), rtol=1e-9)


def test_running_averages_converge_to_the_statistics_of_the_data():
    rng = np.random.default_rng(0)
    population = rng.standard_normal((3, 5000)) * np.array([[0.5], [2.0], [4.0]]) + np.array([[3.0], [-1.0], [0.0]])
    track = batchnorm.track_running_stats(population, mini_batch_size=256, momentum=0.9, num_steps=150)
    assert np.all(np.abs(track["running_mean"][-1] - track["mean"]) < 0.25 * np.sqrt(track["var"]))
    np.testing.assert_allclose(track["running_var"][-1], track["var"], rtol=0.1)
    early = np.abs(track["running_mean"][2] - track["mean"]).max()
    assert early > 3 * np.abs(track["running_mean"][-1] - track["mean"]).max()


def test_track_running_stats_validation():
    with pytest.raises(ValueError, match="momentum"):
        batchnorm.track_running_stats(np.zeros((2, 50)), mini_batch_size=10, momentum=1.0)
    with pytest.raises(ValueError, match="mini_batch_size"):
        batchnorm.track_running_stats(np.zeros((2, 50)), mini_batch_size=100)


def test_trained_network_running_stats_match_its_data():
    X, y = data.load_digits()
    X, Y = X[:, :512], data.one_hot(y[:, :512], 10)
    params = model.init_params([64, 32, 10], batchnorm=True, seed=0)
    trained, _ = model.fit(X, Y, params, optim.adam(0.01), num_epochs=20, mini_batch_size=64)
    Z1 = trained["W1"] @ X
    np.testing.assert_allclose(trained["running_mean1"][:, 0], Z1.mean(axis=1), atol=0.1 * Z1.std(axis=1).max())
    ratio = trained["running_var1"][:, 0] / Z1.var(axis=1)
    assert np.all((ratio > 0.7) & (ratio < 1.3)), ratio


# ---------------------------------------------------------------- the chapter's experiments


def test_normalization_noise_shrinks_with_batch_size():
    z = np.random.default_rng(0).standard_normal(2000)
    noise = batchnorm.normalization_noise(z, batch_sizes=(4, 16, 64, 256))
    assert np.all(np.diff(noise["spread"]) < 0)
    assert noise["spread"][0] > 4 * noise["spread"][-1]
    with pytest.raises(ValueError, match="batch_sizes"):
        batchnorm.normalization_noise(z, batch_sizes=(1, 4))


@pytest.fixture(scope="module")
def stats():
    return bn_widgets.default_stats()


def test_bn_keeps_activations_at_unit_scale_at_any_depth_and_init(stats):
    for hidden in stats.hiddens:
        for scale in stats.init_scales:
            std = stats.std[(hidden, True, 10, scale)]
            assert np.all((std > 0.3) & (std < 1.0)), (hidden, scale, std)


def test_without_bn_small_init_vanishes_and_large_relu_init_explodes(stats):
    assert stats.std[("tanh", False, 10, 0.25)][-1] < 1e-5
    assert stats.std[("relu", False, 10, 0.5)][-1] < 1e-2
    assert stats.std[("relu", False, 10, 4.0)][-1] > 1e4
    assert stats.hist[("tanh", False, 10, 4.0)][-1][[0, -1]].sum() > 0.5  # tanh saturated at +-1


def test_histograms_are_fractions(stats):
    for key, hist in stats.hist.items():
        total = hist.sum(axis=1)
        if key[0] == "tanh":
            np.testing.assert_allclose(total, 1.0)
        else:
            np.testing.assert_allclose(total, stats.active[key])


def test_lr_sweep_matches_separate_fits():
    X, y = data.load_digits()
    X, Y = X[:, :128], data.one_hot(y[:, :128], 10)
    sweep = batchnorm.lr_sweep(X, Y, X, Y, layer_dims=(64, 16, 10), learning_rates=(0.05, 0.5), init_scales=(1.0,),
                               num_epochs=3, mini_batch_size=64)
    for j, lr in enumerate((0.05, 0.5)):
        for bn in (False, True):
            init = model.init_params([64, 16, 10], init="he", seed=1, batchnorm=bn)
            _, history = model.fit(X, Y, init, optim.gd(lr), num_epochs=3, mini_batch_size=64, seed=1)
            np.testing.assert_allclose(sweep.cost[bn][0, j], history["cost"], rtol=1e-10)


def test_training_status():
    assert batchnorm.training_status([2.3, np.nan], 2.3) == "diverged"
    assert batchnorm.training_status([2.3, 2.29], 2.3) == "stalled"
    assert batchnorm.training_status([2.3, 0.5], 2.3) == ""


@pytest.fixture(scope="module")
def sweep():
    return bn_widgets.default_sweep()


def test_bn_trains_where_plain_network_stalls(sweep):
    poor = sweep.init_scales.index(0.2)
    assert np.all(sweep.status[False][poor] != "")  # every learning rate stalls without BN
    assert np.all(sweep.status[True][poor] == "")  # and trains with it
    high = [j for j, lr in enumerate(sweep.learning_rates) if lr >= 1.0]
    good = sweep.init_scales.index(1.0)
    assert np.all(sweep.status[False][good, high] != "") and np.all(sweep.status[True][good, high] == "")


# ---------------------------------------------------------------- exercise checkers


def _reference(Z, gamma, beta, epsilon):
    return layers.batchnorm_forward(Z, gamma, beta, epsilon=epsilon)[0]


def _stub(*args):
    raise NotImplementedError("mu and var over axis 1, then gamma * Z_norm + beta")


def test_forward_checker_accepts_the_reference_and_says_not_written_for_the_stub():
    assert batchnorm.check_batchnorm_forward(_reference).passed
    assert batchnorm.check_batchnorm_forward(_stub).status == "not written"
    assert batchnorm.check_batchnorm_forward(lambda Z, g, b, e: None).status == "not written"


@pytest.mark.parametrize("wrong, key", [
    (lambda Z, g, b, e: g * (Z - Z.mean(0, keepdims=True)) / np.sqrt(Z.var(0, keepdims=True) + e) + b, "axis 0"),
    (lambda Z, g, b, e: g * (Z - Z.mean(1, keepdims=True)) / Z.std(1, keepdims=True) + b, "epsilon is missing"),
    (lambda Z, g, b, e: g * (Z - Z.mean(1, keepdims=True)) / (Z.var(1, keepdims=True) + e) + b, "square root"),
    (lambda Z, g, b, e: (Z - Z.mean(1, keepdims=True)) / np.sqrt(Z.var(1, keepdims=True) + e), "is missing"),
    (lambda Z, g, b, e: b * (Z - Z.mean(1, keepdims=True)) / np.sqrt(Z.var(1, keepdims=True) + e) + g, "swapped"),
    (lambda Z, g, b, e: g * (Z - Z.mean(1, keepdims=True)) / (np.sqrt(Z.var(1, keepdims=True)) + e) + b, "outside the square root"),
    (lambda Z, g, b, e: g * (Z - Z.mean(1, keepdims=True)) / np.sqrt(Z.var(1, keepdims=True, ddof=1) + e) + b, "ddof"),
    (lambda Z, g, b, e: Z.T, "transposed"),
    (lambda Z, g, b, e: Z, "wrong"),
    (lambda Z, g, b, e: Z.mean(axis=2), "AxisError"),
])
def test_forward_checker_names_the_mistake(wrong, key):
    result = batchnorm.check_batchnorm_forward(wrong)
    assert result.status == "failed"
    assert key in result.message


def _forward_without_keepdims(Z, gamma, beta, epsilon):
    mu = Z.mean(axis=1)                       # (n,): the axis of the examples is gone
    var = Z.var(axis=1)
    return gamma * (Z - mu) / np.sqrt(var + epsilon) + beta


def _forward_var_without_keepdims(Z, gamma, beta, epsilon):
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1)                       # only sigma^2 lost its column shape
    return gamma * (Z - mu) / np.sqrt(var + epsilon) + beta


@pytest.mark.parametrize("wrong", [_forward_without_keepdims, _forward_var_without_keepdims])
def test_forward_checker_names_a_missing_keepdims_behind_numpys_broadcast_error(wrong):
    result = batchnorm.check_batchnorm_forward(wrong)
    assert result.status == "failed"
    assert "keepdims=True" in result.message and "shape (n,) = (3,)" in result.message
    assert "could not be broadcast" in result.message     # numpy's own words kept, with the learner's line
    assert "line " in result.message


def test_forward_checker_passes_other_learner_errors_on_unchanged():
    def typo(Z, gamma, beta, epsilon):
        return gamma * (Z - Z.mean(axis=1, keepdims=True)) / np.sqrt(Z.var(axis=1, keepdims=True) + epsilon) + bta  # noqa: F821

    result = batchnorm.check_batchnorm_forward(typo)
    assert result.status == "failed"
    assert "NameError" in result.message and "shape (n,)" not in result.message


def _dZ(dout, cache, gamma=True, axis=1, mu_term=True, var_term=True):
    g = dout * cache["gamma"] if gamma else dout
    Z_norm, inv_std, m = cache["Z_norm"], cache["inv_std"], dout.shape[1]
    dZ = m * g
    if mu_term:
        dZ = dZ - g.sum(axis=axis, keepdims=True)
    if var_term:
        dZ = dZ - Z_norm * np.sum(g * Z_norm, axis=axis, keepdims=True)
    return inv_std / m * dZ


def _right_dgamma_dbeta(dout, cache):
    return np.sum(dout * cache["Z_norm"], axis=1, keepdims=True), dout.sum(axis=1, keepdims=True)


def test_backward_checker_accepts_the_reference_and_says_not_written_for_the_stub():
    assert batchnorm.check_batchnorm_backward(layers.batchnorm_backward).passed
    assert batchnorm.check_batchnorm_backward(lambda d, c: (_dZ(d, c), *_right_dgamma_dbeta(d, c))).passed
    assert batchnorm.check_batchnorm_backward(_stub).status == "not written"


@pytest.mark.parametrize("wrong, key", [
    (lambda d, c: (d * c["gamma"] * c["inv_std"], *_right_dgamma_dbeta(d, c)), "constants"),
    (lambda d, c: (_dZ(d, c, var_term=False), *_right_dgamma_dbeta(d, c)), "sigma^2 is missing"),
    (lambda d, c: (_dZ(d, c, mu_term=False), *_right_dgamma_dbeta(d, c)), "through mu is missing"),
    (lambda d, c: (_dZ(d, c, gamma=False), *_right_dgamma_dbeta(d, c)), "gamma is missing"),
    (lambda d, c: (_dZ(d, c, axis=0), *_right_dgamma_dbeta(d, c)), "axis 0"),
    (lambda d, c: (_dZ(d, c), d.sum(axis=1, keepdims=True), d.sum(axis=1, keepdims=True)), "Z_norm"),
    (lambda d, c: (_dZ(d, c), np.sum(d * c["Z_norm"], axis=1), d.sum(axis=1)), "keepdims"),
    (lambda d, c: (_dZ(d, c), np.sum(d * c["Z_norm"], axis=0, keepdims=True), d.sum(axis=0, keepdims=True)), "axis 0"),
    (lambda d, c: (_dZ(d, c).T, *_right_dgamma_dbeta(d, c)), "transposed"),
    (lambda d, c: _dZ(d, c), "tuple"),
    (lambda d, c: (_dZ(d, c), *_right_dgamma_dbeta(d, c)[::-1]), "swapped"),
    (lambda d, c: (_dZ(d, c) * d.shape[1], *_right_dgamma_dbeta(d, c)), "m times too large"),
])
def test_backward_checker_names_the_mistake(wrong, key):
    result = batchnorm.check_batchnorm_backward(wrong)
    assert result.status == "failed"
    assert key in result.message


# ---------------------------------------------------------------- widgets


def test_activations_explorer_readout_and_status():
    explorer = bn_widgets.activations_explorer()
    explorer.set(batchnorm=False, hidden="tanh", init_scale=0.25, depth=10)
    assert "8." in explorer.readout.value or "e-0" in explorer.readout.value
    assert any("vanish" in text for text in explorer.texts(1))
    explorer.set(batchnorm=True)
    assert not any("vanish" in text for text in explorer.texts(1))


def test_lr_sweep_explorer_says_stalled_on_the_plot():
    explorer = bn_widgets.lr_sweep_explorer()
    explorer.set(init_scale=0.2, learning_rate=0.1)
    shown = explorer.texts(0)
    assert "no BN: stalled" in shown and not any(s.startswith("BN:") for s in shown)


@pytest.mark.parametrize("call, message", [
    (lambda: batchnorm.activation_statistics(depths=(0, 2)), "depths"),
    (lambda: batchnorm.activation_statistics(init_scales=(0.0,)), "init_scales"),
    (lambda: batchnorm.activation_statistics(hiddens=("softplus",)), "hidden"),
    (lambda: batchnorm.lr_sweep(np.zeros((4, 8)), np.eye(2)[:, [0, 1] * 4], np.zeros((4, 8)), np.eye(2)[:, [0, 1] * 4],
                                layer_dims=(4, 3, 2), learning_rates=(-0.1,)), "learning_rates"),
    (lambda: batchnorm.lr_sweep(np.zeros((8, 4)), np.eye(2)[:, [0, 1] * 4], np.zeros((4, 8)), np.eye(2)[:, [0, 1] * 4],
                                layer_dims=(4, 3, 2)), "X_dev"),
    (lambda: batchnorm.training_status([], 2.3), "at least one"),
    (lambda: batchnorm.training_status([1.0], "x"), "chance_cost"),
    (lambda: batchnorm.activation_statistics(init_scales=("a",)), "init_scales"),
])
def test_experiment_validation(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- covariate shift and the train/dev gap


def _digits(n=128):
    X, y = data.load_digits()
    return X[:, :n], data.one_hot(y[:, :n], 10), X[:, n:2 * n], data.one_hot(y[:, n:2 * n], 10)


def test_input_drift_is_small_with_batchnorm_and_starts_at_zero():
    X, Y, _, _ = _digits()
    drift = batchnorm.input_drift(X, Y, layer_dims=(64, 16, 16, 10), layer=2, num_epochs=4)
    for bn in (False, True):
        assert drift[bn]["mean_shift"].shape == (5,) and drift[bn]["mean_shift"][0] == 0.0
        assert drift[bn]["scale_change"][0] == 0.0
    assert drift[True]["mean_shift"].max() < drift[False]["mean_shift"].max()


def test_regularization_gap_measures_train_minus_dev():
    X, Y, X_dev, Y_dev = _digits()
    gaps = batchnorm.regularization_gap(X, Y, X_dev, Y_dev, layer_dims=(64, 8, 10), num_epochs=2, seeds=(0, 1))
    for bn in (False, True):
        g = gaps[bn]
        assert g["gap"].shape == (2,)
        np.testing.assert_allclose(g["gap"], g["train_accuracy"] - g["dev_accuracy"])


@pytest.mark.parametrize("call, message", [
    (lambda: batchnorm.input_drift(np.zeros((4, 6)), np.eye(2)[:, [0, 1] * 3], layer_dims=(4, 3, 2), layer=1,
                                   num_epochs=0), "num_epochs"),
    (lambda: batchnorm.input_drift(np.zeros((4, 6)), np.eye(2)[:, [0, 1] * 3], layer_dims=(4, 3, 2), layer=2), "layer"),
    (lambda: batchnorm.regularization_gap(np.zeros((4, 6)), np.eye(2)[:, [0, 1] * 3], np.zeros((6, 4)),
                                          np.eye(2)[:, [0, 1] * 2], layer_dims=(4, 3, 2)), "X_dev"),
    (lambda: batchnorm.regularization_gap(np.zeros((4, 6)), np.eye(2)[:, [0, 1] * 3], np.zeros((4, 6)),
                                          np.eye(2)[:, [0, 1] * 3], layer_dims=(4, 3, 2), seeds=()), "seeds"),
])
def test_drift_and_gap_validation(call, message):
    with pytest.raises(ValueError, match=message):
        call()
