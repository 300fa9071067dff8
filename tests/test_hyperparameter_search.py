"""Chapter 13: samplers, grid / random / coarse-to-fine search, the Adam objective, the search over a network."""

import numpy as np
import pytest

from helpers import hyperparameter_search as hp
from helpers import model, optim, widgets


@pytest.fixture(scope="module")
def objective():
    return hp.AdamObjective()


def test_from_unit_and_to_unit_are_inverse_and_hit_the_ends():
    for h in (hp.Hyperparameter("a", 2.0, 5.0), hp.Hyperparameter("alpha", 1e-4, 1.0, "log"),
              hp.Hyperparameter("beta", 0.9, 0.999, "one_minus_log")):
        u = np.linspace(0, 1, 7)
        values = hp.from_unit(h, u)
        assert np.isclose(values[0], h.low) and np.isclose(values[-1], h.high)
        assert np.allclose(hp.to_unit(h, values), u)
    assert np.isclose(hp.from_unit(hp.Hyperparameter("alpha", 1e-4, 1.0, "log"), 0.5), 1e-2)
    assert np.isclose(hp.from_unit(hp.Hyperparameter("beta", 0.9, 0.999, "one_minus_log"), 0.5), 0.99)


def test_samplers_are_seeded_and_spread_as_promised():
    a = hp.sample_log_uniform(1e-4, 1.0, 8000, np.random.default_rng(1))
    assert np.array_equal(a, hp.sample_log_uniform(1e-4, 1.0, 8000, np.random.default_rng(1)))
    assert a.min() >= 1e-4 and a.max() <= 1.0
    shares = np.histogram(np.log10(a), bins=np.arange(-4, 0.5))[0] / a.size
    assert np.all(np.abs(shares - 0.25) < 0.02)
    b = hp.sample_beta(0.9, 0.999, 8000, np.random.default_rng(2))
    assert 0.9 <= b.min() and b.max() <= 0.999
    assert abs(np.mean(b > 0.99) - 0.5) < 0.02
    u = hp.sample_uniform(0.9, 0.999, 8000, np.random.default_rng(3))
    assert abs(np.mean(u > 0.99) - 0.009 / 0.099) < 0.02


def test_grid_and_random_search_distinct_values():
    space = hp.alpha_epsilon_space()
    grid, u = hp.grid_search(space, 25)
    assert grid.shape == (25, 2) and u.min() == 0 and u.max() == 1
    assert np.unique(grid[:, 0]).size == 5 and np.unique(grid[:, 1]).size == 5
    assert np.allclose(np.unique(grid[:, 0]), [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    points, _ = hp.random_search(space, 25, np.random.default_rng(0))
    assert np.unique(points[:, 0]).size == 25
    more, _ = hp.random_search(space, 49, np.random.default_rng(0))
    assert np.array_equal(more[:25], points)  # nested: the first 25 of 49


def test_coarse_to_fine_boxes_shrink_around_the_best():
    space = (hp.Hyperparameter("x", -1.0, 1.0), hp.Hyperparameter("y", -1.0, 1.0))
    target = np.array([0.3, -0.6])
    objective = lambda P: np.sum((P - target) ** 2, axis=1)
    result = hp.coarse_to_fine(objective, space, 30, np.random.default_rng(0), n_rounds=3, shrink=0.3)
    assert result["points"].shape == (30, 2) and result["round"].tolist() == [0] * 10 + [1] * 10 + [2] * 10
    widths = np.diff(result["boxes"], axis=2)[..., 0]
    assert np.allclose(widths, [[1, 1], [0.3, 0.3], [0.09, 0.09]])
    for r in (1, 2):
        u = result["u"][result["round"] == r]
        lo, hi = result["boxes"][r, :, 0], result["boxes"][r, :, 1]
        assert np.all((u >= lo) & (u <= hi))
    assert np.all(result["boxes"] >= 0) and np.all(result["boxes"] <= 1)
    # on a smooth bowl, zooming in beats the same budget of plain random search
    plain = objective(hp.random_search(space, 30, np.random.default_rng(0))[0]).min()
    assert result["scores"].min() < plain
    batch = hp.coarse_to_fine_batch(objective, [(space, 30, np.random.default_rng(0))] * 1)
    assert np.array_equal(batch[0]["scores"], result["scores"])


def test_best_so_far_is_the_running_minimum():
    assert hp.best_so_far([3.0, 1.0, 2.0, 0.5]).tolist() == [3.0, 1.0, 1.0, 0.5]


def test_objective_scores_the_dev_cost_of_adam_trained_on_the_training_split(objective):
    # Written out independently: Adam of helpers.optim on the fixed mini-batches of the training
    # split, the dev cost from the dev data itself, the floor from the dev least-squares fit.
    alpha, beta1, eps = 0.02, 0.9, 1e-8
    w = {"w": np.zeros((1, 2))}
    opt = optim.adam(alpha, beta1, 0.999, eps)
    state = opt.init(w)
    X_dev, y_dev = objective.X_dev, objective.y_dev
    dev_cost = lambda v: float(np.sum((v @ X_dev - y_dev) ** 2) / (2 * X_dev.shape[1]))
    costs = []
    for t in range(objective.num_steps):
        batch = objective.batches[t]
        X_t, y_t = objective.X[:, batch], objective.y[:, batch]
        dw = (w["w"] @ X_t - y_t) @ X_t.T / X_t.shape[1]
        w, state = opt.update(w, {"dw": dw}, state)
        if t >= objective.num_steps - objective.tail_steps:
            costs.append(dev_cost(w["w"]))
    w_best = np.linalg.lstsq(X_dev.T, y_dev.ravel(), rcond=None)[0][None, :]
    floor = dev_cost(w_best)
    expected = np.log10((np.mean(costs) - floor) / (dev_cost(np.zeros((1, 2))) - floor))
    assert np.isclose(objective(np.array([alpha]), beta1, eps)[0], expected, rtol=1e-9)
    # train, dev and test are disjoint parts of one data set
    assert objective.X.shape[1] + X_dev.shape[1] + objective.X_test.shape[1] == 500


def test_objective_stops_a_diverging_trial_before_overflow(objective):
    with np.errstate(all="raise"):
        scores = objective(np.array([0.02, 1e200, 1e300]))
    assert np.isfinite(scores[0]) and np.all(np.isinf(scores[1:]))


def test_objective_alpha_matters_epsilon_does_not(objective):
    alphas = np.logspace(-4, 0, 21)
    a = objective(alphas, epsilon=1e-10)
    b = objective(alphas, epsilon=1e-6)
    assert np.ptp(a) > 2 and np.max(np.abs(a - b)) < 0.01
    assert 0.005 < alphas[np.argmin(a)] < 0.1


def test_objective_broadcasts_and_scores_stacks_of_searches_as_one(objective):
    alphas, epsilons = np.logspace(-4, 0, 9), np.array([1e-10, 1e-8, 1e-6])
    grid = objective(alphas, epsilon=epsilons[:, None])
    assert grid.shape == (3, 9)
    for row, eps in zip(grid, epsilons):  # one stack, the same scores as one run per epsilon
        assert np.allclose(row, objective(alphas, epsilon=eps), rtol=1e-9, atol=0)
    score = objective.on(hp.alpha_beta_space())
    searches = np.stack([hp.random_search(hp.alpha_beta_space(), 6, np.random.default_rng(s))[0] for s in range(4)])
    stacked = score(searches)
    assert stacked.shape == (4, 6)
    assert np.allclose(stacked, [score(points) for points in searches], rtol=1e-9, atol=0)
    with pytest.raises(ValueError, match="shapes that broadcast"):
        objective(np.ones((2, 3)) * 0.01, epsilon=np.full(2, 1e-8))


def test_objective_on_space_and_validation(objective):
    score = objective.on(hp.alpha_beta_space())
    P = np.array([[0.02, 0.9], [0.02, 0.99]])
    assert np.allclose(score(P), objective(P[:, 0], beta1=P[:, 1]))
    with pytest.raises(ValueError, match="names among alpha, beta1 and epsilon"):
        objective.on((hp.Hyperparameter("momentum", 0.0, 0.9),))
    with pytest.raises(ValueError, match="one column per hyperparameter"):
        score(np.zeros((3, 3)) + 0.5)
    with pytest.raises(ValueError, match="learning_rate"):
        objective(np.array([-0.1]))
    with pytest.raises(ValueError, match="beta1"):
        objective(np.array([0.1]), beta1=1.0)
    with pytest.raises(ValueError, match="same length"):
        objective(np.array([0.1, 0.2]), beta1=np.array([0.9, 0.9, 0.9]))


@pytest.mark.parametrize("call, match", [
    (lambda: hp.grid_search(hp.alpha_epsilon_space(), 24), "k\\*\\*2"),
    (lambda: hp.from_unit(hp.Hyperparameter("alpha", 0.0, 1.0, "log"), 0.5), "low > 0"),
    (lambda: hp.from_unit(hp.Hyperparameter("beta", 0.9, 1.0, "one_minus_log"), 0.5), "a beta range inside \\[0, 1\\)"),
    (lambda: hp.from_unit(hp.Hyperparameter("a", 1.0, 0.5), 0.5), "got the range \\[1.0, 0.5\\], expected low below high"),
    (lambda: hp.from_unit(hp.Hyperparameter("a", 0.0, 1.0, "cubic"), 0.5), "scale: got 'cubic', expected one of"),
    (lambda: hp.random_search(hp.alpha_epsilon_space(), 5, rng=0), "numpy.random.Generator"),
    (lambda: hp.random_search(((0, 1),), 5, np.random.default_rng(0)), "expected a Hyperparameter"),
    (lambda: hp.coarse_to_fine(lambda P: P[:, 0], hp.alpha_epsilon_space(), 10, np.random.default_rng(0), shrink=1.5), "shrink"),
    (lambda: hp.coarse_to_fine(lambda P: P[:2, 0], hp.alpha_epsilon_space(), 9, np.random.default_rng(0)), "one score per trial"),
    (lambda: hp.landscape(hp.AdamObjective(num_steps=4), hp.alpha_epsilon_space()[:1]), "two hyperparameters"),
])
def test_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_check_sample_log_uniform_reference_stub_and_mistakes():
    assert hp.check_sample_log_uniform(hp.sample_log_uniform).passed

    def stub(low, high, size, rng):
        raise NotImplementedError("r = rng.uniform(...)")
    assert hp.check_sample_log_uniform(stub).status == "not written"
    cases = {
        (lambda lo, hi, n, rng: rng.uniform(lo, hi, n)): "uniform on a linear scale",
        (lambda lo, hi, n, rng: 10 ** rng.uniform(np.log(lo), np.log(hi), n)): "must lie in",
        (lambda lo, hi, n, rng: 10 ** np.random.default_rng().uniform(np.log10(lo), np.log10(hi), n)): "same seed",
        (lambda lo, hi, n, rng: 10 ** rng.uniform(np.log10(lo), np.log10(hi), (n, 1))): "shape",
        (lambda lo, hi, n, rng: 10 ** rng.uniform(-4, -0.5, n)): "about 25%",
        (lambda lo, hi, n, rng: 1 / 0): "ZeroDivisionError",
        (lambda lo, hi, n, rng: 10 ** rng.uniform(-4, 0, n)): "not fixed numbers",  # right only for [1e-4, 1]
        (lambda lo, hi, n, rng: 10 ** np.random.default_rng(0).uniform(np.log10(lo), np.log10(hi), n)): "of your own",
        (lambda lo, hi, n, rng: np.exp(rng.uniform(np.log10(lo), np.log10(hi), n))): "np.exp(r) is base e",
        (lambda lo, hi, n, rng: rng.uniform(np.log10(lo), np.log10(hi), n)): "return 10**r",
    }
    for fn, fragment in cases.items():
        result = hp.check_sample_log_uniform(fn)
        assert result.status == "failed" and fragment in result.message, result.message


def test_check_sample_beta_reference_stub_and_mistakes():
    assert hp.check_sample_beta(hp.sample_beta).passed

    def stub(low, high, size, rng):
        raise NotImplementedError
    assert hp.check_sample_beta(stub).status == "not written"
    cases = {
        (lambda lo, hi, n, rng: rng.uniform(lo, hi, n)): "uniformly gives about 9%",
        (lambda lo, hi, n, rng: 10 ** rng.uniform(np.log10(1 - hi), np.log10(1 - lo), n)): "that is 1 - beta",
        (lambda lo, hi, n, rng: 1 - 10 ** np.random.default_rng().uniform(-3, -1, n)): "same seed",
        (lambda lo, hi, n, rng: 1 - np.exp(rng.uniform(np.log(1 - hi), np.log(1 - lo), n))): None,
        (lambda lo, hi, n, rng: 1 - 10 ** rng.uniform(-3, -1.5, n)): "half of the samples in each decade",
        (lambda lo, hi, n, rng: 1 - 10 ** rng.uniform(-4, -1, n)): "must lie in",
        (lambda lo, hi, n, rng: 1 - 10 ** rng.uniform(-3, -1, n)): "not fixed numbers",  # right only for [0.9, 0.999]
        (lambda lo, hi, n, rng: 1 - 10 ** np.random.default_rng(1).uniform(np.log10(1 - hi), np.log10(1 - lo), n)): "of your own",
    }
    for fn, fragment in cases.items():
        result = hp.check_sample_beta(fn)
        if fragment is None:  # natural log and exp together are right too: the same distribution
            assert result.passed, result.message
        else:
            assert result.status == "failed" and fragment in result.message, result.message


def test_integer_hyperparameters_take_every_whole_value():
    units = hp.Hyperparameter("hidden_units", 4, 128, "log", integer=True)
    layers = hp.Hyperparameter("hidden_layers", 1, 3, "linear", integer=True)
    u = np.random.default_rng(0).random(6000)
    values = hp.from_unit(layers, u)
    assert set(values.tolist()) == {1.0, 2.0, 3.0}
    assert np.allclose(np.bincount(values.astype(int))[1:] / u.size, 1 / 3, atol=0.03)
    n = hp.from_unit(units, u)
    assert n.min() == 4 and n.max() == 128 and np.all(n == np.round(n))
    assert np.mean(n < 23) > 0.4  # log scale: about half of the draws below sqrt(4 * 128)
    assert np.allclose(hp.from_unit(units, hp.to_unit(units, [4, 16, 128])), [4, 16, 128])
    with pytest.raises(ValueError, match="whole-number ends"):
        hp.from_unit(hp.Hyperparameter("units", 4.5, 128, "log", integer=True), 0.5)


def test_network_search_on_the_digits_dev_set_and_babysitting():
    splits = hp.digits_splits(seed=0)
    assert splits["train"][0].shape == (64, 1079) and splits["test"][1].shape[0] == 10
    points = np.array([[3e-4, 0.9, 16, 1], [1e-2, 0.9, 32, 2]])
    search = hp.network_search(hp.network_space(), points, splits, num_epochs=3)
    assert search["best"] == 1 and search["dev_accuracy"][1] > 0.85 > search["dev_accuracy"][0]
    assert search["epochs"] == 6 and model.num_layers(search["params"][1]) == 3
    panda = hp.babysit(np.array([0.1, 0.9, 32, 1]), splits, num_blocks=3, epochs_per_block=1)
    assert panda["dev_accuracy"].shape == (4,) and np.all(np.diff(panda["dev_accuracy"]) >= 0)
    assert np.all(panda["learning_rate"][1:][~panda["kept"]] < 0.1)
    with pytest.raises(ValueError, match="hidden_units"):
        hp.layer_dims_of(np.array([0.01, 0.9, 16.5, 1]))
    with pytest.raises(ValueError, match="points"):
        hp.network_search(hp.network_space(), np.zeros((0, 4)), splits)


def test_precomputed_searches_match_direct_calls(objective):
    results = hp.precompute_searches(objective, hp.alpha_epsilon_space, n_options=(9, 16), seeds=(0, 1))
    assert len(results) == 3 * 2 * 2 * 2
    r = results[("random", 9, "log", 1)]
    points, _ = hp.random_search(hp.alpha_epsilon_space(), 16, np.random.default_rng(1))
    assert np.array_equal(r["points"], points[:9])
    assert np.allclose(r["scores"], objective.on(hp.alpha_epsilon_space())(points[:9]))
    g = results[("grid", 16, "linear", 0)]
    assert np.array_equal(g["points"], hp.grid_search(hp.alpha_epsilon_space("linear"), 16)[0])
    c = results[("coarse to fine", 16, "log", 0)]
    assert c["boxes"].shape == (3, 2, 2) and c["points"].shape == (16, 2)


def test_widget_counts_distinct_alphas():
    explorer = widgets.build("13_hyperparameter_search")
    explorer.set(strategy="grid", n_trials=49)
    assert "distinct alpha values tried: 7 of 49 trials" in explorer.readout.value
    explorer.set(strategy="random")
    assert "distinct alpha values tried: 49 of 49 trials" in explorer.readout.value
    boxes = explorer.axes[0].patches  # the coarse-to-fine rounds' dashed boxes
    assert len(boxes) == 2
    assert not any(b.get_visible() for b in boxes)
    explorer.set(strategy="coarse to fine")
    assert all(b.get_visible() for b in boxes)


def test_widget_trial_axis_fits_the_trials_and_colours_come_from_plots():
    from matplotlib.colors import to_hex

    from helpers import plots
    from helpers.widgets import hyperparameter_search as w

    explorer = widgets.build("13_hyperparameter_search")
    frames = set()
    for n_trials in (9, 25, 49):
        explorer.set(n_trials=n_trials)
        frames.add(explorer.frame)
        assert explorer.axes[2].get_xlim() == (1, n_trials)
        (text,) = explorer.texts(2)
        assert text == f"distinct alpha values tried: {explorer.result['distinct_alphas'][0]} of {n_trials} trials"
        assert explorer.result["boxes"] == (None, None)
    assert len(frames) == 3  # each trial count shows its own axis
    frame_before = explorer.frame
    explorer.set(strategy="coarse to fine", n_trials=25)
    assert explorer.frame != frame_before
    assert all(box.shape == (3, 2, 2) for box in explorer.result["boxes"])
    assert [to_hex(c) for c in w.ROUND_COLORS] == [to_hex(c) for c in plots.series_colors(3)]
    stars = [line for line in explorer.axes[0].lines if line.get_marker() == "*"]
    assert len(stars) == 1 and to_hex(stars[0].get_color()) == to_hex(plots.COLORS["optimum"])


@pytest.mark.parametrize("call, match", [
    (lambda: hp.sample_log_uniform(1e-4, 1.0, "3", np.random.default_rng(0)), "size: got '3'"),
    (lambda: hp.sample_beta(0.9, 0.99, 3, 0), "rng: got"),
    (lambda: hp.train_network(np.array([0.01, 0.9, 8, 1]), {}), "splits: got"),
    (lambda: hp.babysit(np.array([0.01, 0.9, 8, 1]), {"train": (np.zeros((2, 3)), np.zeros((1, 3)))}), "splits: got"),
    (lambda: hp.network_search(hp.network_space(), [[0.01, 0.9, 8, 1]], {"train": 1, "dev": 2}), "an \\(X, Y\\) pair"),
])
def test_bad_inputs_get_the_package_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
