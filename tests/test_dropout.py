"""Chapter 3: inverted dropout (expected activation, fresh masks), the grid, the checker, the widget."""

import numpy as np
import pytest

from helpers import dropout, gradcheck, gradient_check, layers, model, widgets


@pytest.fixture(scope="module")
def small_grid():
    return dropout.train_keep_prob_grid(keep_probs=(0.5, 1.0), num_epochs=120, grid_n=20)


def test_expected_activation_is_kept():
    A = np.abs(np.random.default_rng(0).standard_normal((20, 30))) + 0.1
    inverted = dropout.expected_activation(A, 0.7, n_draws=3000, seed=1)
    assert inverted["mean"].shape == A.shape
    assert inverted["relative_error"] < 0.005 and inverted["max_z"] < 5
    plain = dropout.expected_activation(A, 0.7, n_draws=3000, seed=1, inverted=False)
    assert plain["relative_error"] == pytest.approx(0.3, abs=0.01)
    assert dropout.expected_activation(A, 1.0, n_draws=3)["relative_error"] == 0.0
    with pytest.raises(ValueError, match="keep_prob"):
        dropout.expected_activation(A, 1.5)
    for seed in (True, -1, 0.5, None):
        with pytest.raises(ValueError, match="seed"):
            dropout.expected_activation(A, 0.5, n_draws=3, seed=seed)


def test_model_draws_a_new_mask_every_iteration():
    X = np.random.default_rng(0).standard_normal((3, 10))
    params = model.init_params([3, 8, 1], seed=0)
    rng = np.random.default_rng(4)
    mask1 = model.forward_pass(X, params, keep_prob=0.5, rng=rng).D[1]
    mask2 = model.forward_pass(X, params, keep_prob=0.5, rng=rng).D[1]
    assert not np.array_equal(mask1, mask2)
    # and the same generator state gives the same mask (reproducible)
    again = model.forward_pass(X, params, keep_prob=0.5, rng=np.random.default_rng(4)).D[1]
    assert np.array_equal(again, mask1)


def test_dropout_backward_with_a_fixed_mask_matches_numerical_gradient():
    X = np.random.default_rng(1).standard_normal((3, 7))
    Y = (np.random.default_rng(2).random((1, 7)) < 0.5).astype(float)
    params = model.init_params([3, 6, 5, 1], init="xavier", seed=3)
    _, grads = model.cost_and_grads(X, Y, params, hidden="tanh", keep_prob=(0.6, 0.8), rng=np.random.default_rng(9))
    frozen = gradient_check.network_cost_fn(X, Y, "tanh", keep_prob=(0.6, 0.8), rng=np.random.default_rng(9))
    report = gradcheck.gradient_check(lambda p: gradient_check.network_cost_fn(
        X, Y, "tanh", keep_prob=(0.6, 0.8), rng=np.random.default_rng(9))(p), params, grads)
    assert report.difference < 1e-7
    assert np.isfinite(frozen(params))


def test_thinned_masks():
    masks = dropout.thinned_masks([2, 100, 100, 1], (0.3, 0.9), np.random.default_rng(0))
    assert [m.shape for m in masks] == [(2,), (100,), (100,), (1,)]
    assert masks[0].all() and masks[-1].all()
    assert abs(masks[1].mean() - 0.3) < 0.12 and abs(masks[2].mean() - 0.9) < 0.08
    other = dropout.thinned_masks([2, 100, 100, 1], (0.3, 0.9), np.random.default_rng(1))
    assert not np.array_equal(masks[1], other[1])
    with pytest.raises(ValueError, match="keep_prob"):
        dropout.thinned_masks([2, 5, 1], 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        dropout.thinned_masks([2, 5, 1], 0.5, 3)


def test_network_layout():
    positions, edges, segments = dropout.network_layout([2, 3, 1])
    assert [p.shape for p in positions] == [(2, 2), (3, 2), (1, 2)]
    assert edges.shape == (2 * 3 + 3 * 1, 3) and segments.shape == (9, 2, 2)
    assert np.allclose(segments[0], [positions[0][0], positions[1][0]])
    for bad in (None, 3, [2, 0, 1], ["2", 3], [2.5, 3]):
        with pytest.raises(ValueError, match="layer_dims"):
            dropout.network_layout(bad)


def test_cost_noise():
    assert dropout.cost_noise(np.linspace(1, 0.5, 100)) == pytest.approx(0.5 / 99)
    jumpy = np.tile([0.5, 0.6], 50)
    assert dropout.cost_noise(jumpy) == pytest.approx(0.1)
    # relative jumps: the same 10 % jitter at two levels of J
    assert dropout.cost_noise(jumpy, relative=True) == pytest.approx(dropout.cost_noise(jumpy / 20, relative=True))
    with pytest.raises(ValueError, match="at least 2"):
        dropout.cost_noise([1.0, 0.9], start=0.9)
    with pytest.raises(ValueError, match="positive"):
        dropout.cost_noise([1.0, 0.0, 1.0, 0.0], start=0.0, relative=True)


def test_cost_spread_is_zero_without_dropout():
    X = np.random.default_rng(1).standard_normal((3, 20))
    Y = (np.random.default_rng(2).random((1, 20)) < 0.5).astype(float)
    params = model.init_params([3, 6, 5, 1], init="xavier", seed=3)
    assert np.ptp(dropout.cost_spread(X, Y, params, 1.0, n_draws=5)) == 0.0
    assert np.std(dropout.cost_spread(X, Y, params, (0.5, 0.5), n_draws=20)) > 0
    with pytest.raises(ValueError, match="keep_prob"):
        dropout.cost_spread(X, Y, params, (0.5, 0.5, 0.5))


def correct_forward(A, keep_prob, rng):
    D = rng.random(A.shape) < keep_prob
    return A * D / keep_prob, D


def stub(*args):
    raise NotImplementedError("write this")


def test_check_dropout_forward():
    assert dropout.check_dropout_forward(correct_forward).passed
    assert dropout.check_dropout_forward(stub).status == "not written"

    def with_mask(make):
        def attempt(A, p, rng):
            D = make(A, p, rng)
            return A * D / p, D
        return attempt

    attempts = {
        "same mask": with_mask(lambda A, p, rng: np.random.default_rng(1).random(A.shape) < p),
        "not scaled": lambda A, p, rng: (lambda D: (A * D, D))(rng.random(A.shape) < p),
        "multiplied by keep_prob": lambda A, p, rng: (lambda D: (A * D * p, D))(rng.random(A.shape) < p),
        "rand >= keep_prob": with_mask(lambda A, p, rng: rng.random(A.shape) >= p),
        "uniform": with_mask(lambda A, p, rng: rng.standard_normal(A.shape) < p),  # 79% kept at 0.8, 69% at 0.5
        "shape": lambda A, p, rng: (lambda D: ((A * D / p)[:, :10], D))(rng.random(A.shape) < p),
        "pair": lambda A, p, rng: A * (rng.random(A.shape) < p) / p,
        "not the mask that was applied": lambda A, p, rng: (A * (rng.random(A.shape) < p) / p, rng.random(A.shape) < p),
    }
    for word, attempt in attempts.items():
        result = dropout.check_dropout_forward(attempt)
        assert result.status == "failed" and word in result.message, (word, result.message)

    own_rng = np.random.default_rng(123)
    ignores_rng = with_mask(lambda A, p, rng: own_rng.random(A.shape) < p)  # masks change, not reproducible
    result = dropout.check_dropout_forward(ignores_rng)
    assert result.status == "failed" and "rng passed in" in result.message


def test_check_dropout_backward():
    assert dropout.check_dropout_backward(lambda dA, D, p: dA * D / p).passed
    assert dropout.check_dropout_backward(lambda dA, D, p: layers.dropout_backward(dA, (D, p))).passed
    assert dropout.check_dropout_backward(stub).status == "not written"
    attempts = {
        "unchanged": lambda dA, D, p: dA,
        "not the scaling": lambda dA, D, p: dA * D,
        "multiplied by keep_prob": lambda dA, D, p: dA * D * p,
        "scaled but not masked": lambda dA, D, p: dA / p,
        "never draw a new one": lambda dA, D, p: dA * (np.random.default_rng(5).random(dA.shape) < p) / p,
        "shape": lambda dA, D, p: (dA * D / p).T,
    }
    for word, attempt in attempts.items():
        result = dropout.check_dropout_backward(attempt)
        assert result.status == "failed" and word in result.message, (word, result.message)


def test_keep_prob_grid(small_grid):
    none, both = small_grid[(1.0, 1.0)], small_grid[(0.5, 0.5)]
    assert none["cost"].shape == (120,) and none["proba"].shape == (400,)
    assert dropout.cost_noise(both["cost"]) > 5 * dropout.cost_noise(none["cost"])
    assert none["train_accuracy"] >= both["train_accuracy"]
    with pytest.raises(ValueError, match="two hidden layers"):
        dropout.train_keep_prob_grid(layer_dims=(2, 5, 1))
    with pytest.raises(ValueError, match="keep_prob"):
        dropout.train_keep_prob_grid(keep_probs=(0.0, 1.0))


def test_widget_draws_a_new_thinned_network(small_grid):
    explorer = widgets.build("03_dropout", grid=small_grid, n_draws=4)
    explorer.set(keep_prob1=0.5, keep_prob2=0.5, draw=0)
    frame, readout = explorer.snapshot().data, explorer.readout.value
    explorer.set(draw=3)
    assert explorer.snapshot().data != frame and explorer.readout.value != readout
    explorer.set(keep_prob1=1.0, keep_prob2=1.0)
    frame = explorer.snapshot().data
    explorer.set(draw=0)  # no dropout: every draw keeps every unit, the picture stays
    assert explorer.snapshot().data == frame
    assert "keeps 50 and 50 of 50 and 50" in explorer.readout.value


def test_per_layer_keep_prob_and_test_mode():
    X = np.random.default_rng(0).standard_normal((3, 40))
    params = model.init_params([3, 30, 20, 1], seed=0)
    masks = model.forward_pass(X, params, keep_prob=(0.5, 1.0), rng=np.random.default_rng(1)).D
    assert abs(masks[1].mean() - 0.5) < 0.1
    assert 2 not in masks  # keep_prob 1: no mask at all
    test_pass = model.forward_pass(X, params, keep_prob=(0.5, 0.5), mode="test")
    plain, _ = model.forward(X, params)
    assert np.array_equal(test_pass.ZL, plain) and test_pass.D == {}
    with pytest.raises(ValueError, match="rng"):
        model.forward(X, params, keep_prob=0.5)  # train mode with dropout needs a generator
