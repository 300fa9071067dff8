"""Chapter 11: input normalization, the squared-error cost and convergence of gradient descent."""

import numpy as np
import pytest

from helpers import data, gradcheck, input_normalization, widgets


@pytest.fixture(scope="module")
def problem():
    X, y = input_normalization.make_unscaled_regression(m=300, seed=1)
    mu, sigma = data.fit_standardizer(X)
    return X, y, data.standardize(X, mu, sigma)


def test_data_shapes_scales_and_determinism():
    X, y = input_normalization.make_unscaled_regression(m=50, mu=(3.0, 25.0), sigma=(1.0, 6.0), seed=3)
    assert X.shape == (2, 50) and y.shape == (1, 50)
    assert abs(y.mean()) < 1e-12
    X2, y2 = input_normalization.make_unscaled_regression(m=50, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    big = input_normalization.make_unscaled_regression(m=20000, seed=0)[0]
    assert np.allclose(big.mean(axis=1), [3.0, 25.0], atol=0.15)
    assert np.allclose(big.std(axis=1), [1.0, 6.0], rtol=0.03)


def test_gradient_matches_numerical(problem):
    X, y, _ = problem
    w = np.array([[0.7, -0.1]])
    _, dw = input_normalization.squared_cost(X, y, w)
    numerical = gradcheck.numerical_gradient(lambda: input_normalization.squared_cost(X, y, w)[0], w)
    assert gradcheck.max_relative_error(numerical, dw) < 1e-7


def test_stacked_cost_equals_single_runs(problem):
    X, y, _ = problem
    ws = np.array([[[0.1, 0.2]], [[-1.0, 0.5]]])
    J, dw = input_normalization.squared_cost(X, y, ws)
    for k in range(2):
        Jk, dwk = input_normalization.squared_cost(X, y, ws[k])
        assert np.isclose(J[k], Jk) and np.allclose(dw[k], dwk)


def test_least_squares_is_the_minimum(problem):
    X, y, _ = problem
    w_star, J_star = input_normalization.least_squares(X, y)
    _, dw = input_normalization.squared_cost(X, y, w_star)
    assert np.allclose(dw, 0, atol=1e-10)
    assert input_normalization.squared_cost(X, y, w_star + 0.01)[0] > J_star


def test_condition_number_and_learning_rates(problem):
    X, _, X_norm = problem
    assert input_normalization.condition_number(X) > 100
    assert input_normalization.condition_number(X_norm) < 1.5
    eigenvalues = np.linalg.eigvalsh(X @ X.T / X.shape[1])
    assert np.isclose(input_normalization.max_stable_learning_rate(X), 2 / eigenvalues[-1])
    assert np.isclose(input_normalization.optimal_learning_rate(X), 2 / eigenvalues.sum())


def test_stability_limit_separates_convergence_from_divergence(problem):
    X, y, _ = problem
    limit = input_normalization.max_stable_learning_rate(X)
    run = input_normalization.gradient_descent(X, y, np.array([0.95 * limit, 1.05 * limit]), 3000)
    assert run["diverged"].tolist() == [False, True]
    assert np.isfinite(run["cost"][0]).all()
    assert np.isnan(run["cost"][1, -1])  # the diverged run is cut, never overflowing
    assert run["path"].shape == (2, 3001, 2)


def test_a_stacked_run_is_the_run_alone_and_a_diverged_run_is_cut_where_it_crossed(problem):
    X, y, _ = problem
    limit = input_normalization.max_stable_learning_rate(X)
    alphas = np.array([0.5 * limit, 3.0 * limit, 0.9 * limit, 1.5 * limit])
    stack = input_normalization.gradient_descent(X, y, alphas, 400)
    for k, alpha in enumerate(alphas):
        alone = input_normalization.gradient_descent(X, y, alpha, 400)
        np.testing.assert_array_equal(stack["path"][k], alone["path"][0])
        np.testing.assert_array_equal(stack["cost"][k], alone["cost"][0])
    assert stack["diverged"].tolist() == [False, True, False, True]
    for k in (1, 3):
        finite = np.isfinite(stack["cost"][k])
        cut = int(np.argmin(finite))
        assert 0 < cut and finite[:cut].all() and not finite[cut:].any() and np.isnan(stack["path"][k, cut:]).all()
        assert stack["cost"][k, cut - 1] < 1e8 * (stack["cost"][k, 0] + 1.0)  # cut at the first step over the limit
    # iterations_to_converge: the same count for a rate in a stack as alone, inf for a diverging one
    counts = input_normalization.iterations_to_converge(X, y, alphas, max_iterations=20000)
    assert np.isinf(counts[[1, 3]]).all()
    for k in (0, 2):
        assert counts[k] == input_normalization.iterations_to_converge(X, y, alphas[k], max_iterations=20000)


def test_iterations_match_theory_and_normalization_is_faster(problem):
    X, y, X_norm = problem
    alpha = input_normalization.optimal_learning_rate(X)
    measured = input_normalization.iterations_to_converge(X, y, alpha, tol=1e-6, max_iterations=5000)
    predicted = input_normalization.predicted_iterations(X, tol=1e-6)
    assert 0.5 * predicted <= measured <= 1.05 * predicted
    _, fast = input_normalization.best_learning_rate(X_norm, y)
    _, slow = input_normalization.best_learning_rate(X, y)
    assert slow > 100 * fast
    too_big = input_normalization.iterations_to_converge(X, y, np.array([1.0]), max_iterations=100)
    assert np.isinf(too_big[0])


def test_cost_surface_matches_cost(problem):
    X, y, _ = problem
    w1, w2 = np.array([0.0, 1.0, 2.0]), np.array([-0.5, 0.5])
    grid = input_normalization.cost_surface(X, y, w1, w2)
    assert grid.shape == (2, 3)
    assert np.isclose(grid[1, 2], input_normalization.squared_cost(X, y, np.array([[2.0, 0.5]]))[0])


@pytest.mark.parametrize("call, match", [
    (lambda X, y: input_normalization.squared_cost(X.T, y, np.zeros((1, 2))), r"X: got shape \(300, 2\).*pass X\.T"),
    (lambda X, y: input_normalization.squared_cost(X, y, np.zeros((2, 1))), r"w: got shape \(2, 1\).*pass w\.T"),
    (lambda X, y: input_normalization.gradient_descent(X, y, -0.1), "learning_rate: got .*positive"),
    (lambda X, y: input_normalization.gradient_descent(X, y, 0.1, num_iterations=-1), "num_iterations"),
    (lambda X, y: input_normalization.iterations_to_converge(X, y, 0.1, tol=2.0), "tol"),
    (lambda X, y: input_normalization.squared_cost(np.full((2, 300), np.nan), y, np.zeros((1, 2))), "finite"),
    (lambda X, y: input_normalization.make_unscaled_regression(sigma=(1.0, -1.0)), "sigma: got .*positive"),
    (lambda X, y: input_normalization.cost_surface(np.vstack([X, X]), y, [0.0], [0.0]), "2 features"),
])
def test_validation(problem, call, match):
    X, y, _ = problem
    with pytest.raises(ValueError, match=match):
        call(X, y)


def _own_stats(X_train, X_test):
    f = lambda A: (A - A.mean(axis=1, keepdims=True)) / A.std(axis=1, keepdims=True)
    return f(X_train), f(X_test)


def _wrong_axis(X_train, X_test):
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mu) / sigma, (X_test - X_test.mean(axis=0)) / X_test.std(axis=0)


def _variance(X_train, X_test):
    mu, var = X_train.mean(axis=1, keepdims=True), X_train.var(axis=1, keepdims=True)
    return (X_train - mu) / var, (X_test - mu) / var


def _no_centering(X_train, X_test):
    sigma = X_train.std(axis=1, keepdims=True)
    return X_train / sigma, X_test / sigma


def _crashes(X_train, X_test):
    raise RuntimeError("boom")


def _test_not_scaled(X_train, X_test):
    mu, sigma = X_train.mean(axis=1, keepdims=True), X_train.std(axis=1, keepdims=True)
    return (X_train - mu) / sigma, X_test - mu


def _stub(X_train, X_test):
    raise NotImplementedError("mu and sigma of X_train (axis=1, keepdims=True), applied to both sets")


def test_check_standardize_accepts_the_reference_and_says_not_written_for_the_stub():
    assert input_normalization.check_standardize(input_normalization.standardize_train_test).passed
    assert input_normalization.check_standardize(_stub).status == "not written"


def _pooled(X_train, X_test):
    both = np.hstack([X_train, X_test])     # statistics of train and test together
    mu, sigma = both.mean(axis=1, keepdims=True), both.std(axis=1, keepdims=True)
    return (X_train - mu) / sigma, (X_test - mu) / sigma


@pytest.mark.parametrize("fn, fragment", [
    (_own_stats, "its own mean and std"), (_wrong_axis, "axis=0"), (_variance, "variance"),
    (_no_centering, "mean 0"), (_crashes, "RuntimeError"), (_test_not_scaled, "X_test_norm is wrong"),
    (lambda a, b: a, "pair"), (lambda a, b: (a.T, b.T), "shape"),
    (lambda a, b: _pooled(a, b), "training and test sets together"),
])
def test_check_standardize_names_each_mistake(fn, fragment):
    result = input_normalization.check_standardize(fn)
    assert result.status == "failed"
    assert fragment in result.message


def test_network_race_standardized_features_train_far_faster():
    X, y, names = input_normalization.load_breast_cancer()
    assert X.shape == (30, 569) and y.shape == (1, 569) and len(names) == 30
    race = input_normalization.network_race(X[:, :300], y[:, :300], learning_rates=(1e-3, 1.0), num_epochs=60)
    raw, std = race["raw"], race["standardized"]
    assert np.isinf(raw["epochs_to_target"]).all()
    assert std["epochs_to_target"][std["best"]] <= 30
    assert raw["cost"].shape == (60, 2)


@pytest.mark.parametrize("call, match", [
    (lambda: input_normalization.network_race(np.zeros((3, 5)), np.zeros((1, 4))), "y_train"),
    (lambda: input_normalization.network_race(np.zeros((3, 5)), np.zeros((1, 5)), learning_rates=(0.1, -1.0)), "learning_rates"),
    (lambda: input_normalization.network_race(np.zeros((3, 5)), np.zeros((1, 5)), target_cost=0.0), "target_cost"),
])
def test_network_race_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_relative_gap_of_the_widget_problems():
    from helpers.widgets import input_normalization as normalization_widgets
    raw, norm = normalization_widgets.default_problems()
    k = normalization_widgets.LEARNING_RATES.index(1.0)
    gap = norm.relative_gap(k, 20)
    assert gap.shape == (21,) and gap[0] == 1.0 and gap[-1] < 1e-6
    k = normalization_widgets.LEARNING_RATES.index(0.01)
    assert np.isnan(raw.relative_gap(k, 3000)[-1])


def test_widget_diverged_is_on_the_plot_and_lookups_are_consistent():
    explorer = widgets.build("11_input_normalization")
    explorer.set(learning_rate=2.0, num_iterations=3000)
    assert explorer.readout.value.count("diverged") == 2
    assert explorer.texts(0) == ["diverged"] and explorer.texts(1) == ["diverged"]  # 2.0 > both stable limits
    explorer.set(learning_rate=1.0, num_iterations=50)
    assert "diverged" in explorer.readout.value and "standardized inputs: largest stable alpha 1.7966, gap" in explorer.readout.value
    explorer.set(learning_rate=1e-4, num_iterations=0)
    assert "diverged" not in explorer.readout.value


def _kappa(X):
    eigenvalues = np.linalg.eigvalsh(X @ X.T / X.shape[1])
    return eigenvalues[-1] / eigenvalues[0]


def test_check_condition_number_accepts_the_reference_and_says_not_written_for_the_stub():
    assert input_normalization.check_condition_number(_kappa).passed
    assert input_normalization.check_condition_number(input_normalization.condition_number).passed
    assert input_normalization.check_condition_number(lambda X: np.linalg.cond(X @ X.T)).passed  # the 1/m cancels
    def stub(X):
        raise NotImplementedError("eigenvalues of H = X X^T / m, largest over smallest")
    assert input_normalization.check_condition_number(stub).status == "not written"


@pytest.mark.parametrize("fn, fragment", [
    (lambda X: 1 / _kappa(X), "1/kappa"),
    (lambda X: (lambda s: s[0] / s[-1])(np.linalg.svd(X, compute_uv=False)), "sqrt(kappa)"),
    (lambda X: (lambda e: e[-1] / e[0])(np.linalg.eigvalsh(X.T @ X / X.shape[1])), "X^T X"),
    (lambda X: np.linalg.eigvalsh(X @ X.T), "one number"),
    (lambda X: 2.0, "you return 2"),
    (lambda X: np.linalg.cond(np.cov(X)), "centred"),
])
def test_check_condition_number_names_each_mistake(fn, fragment):
    with np.errstate(all="ignore"):
        result = input_normalization.check_condition_number(fn)
    assert result.status == "failed"
    assert fragment in result.message


def test_load_breast_cancer_reads_the_same_arrays_as_scikit_learn():
    from sklearn.datasets import load_breast_cancer

    X, y, names = input_normalization.load_breast_cancer()
    bunch = load_breast_cancer()
    np.testing.assert_array_equal(X, bunch.data.T)
    np.testing.assert_array_equal(y, bunch.target.reshape(1, -1).astype(np.float64))
    assert X.dtype == y.dtype == np.float64
    assert names == list(bunch.feature_names)


def test_network_race_is_each_training_alone():
    from helpers import data, model, optim

    X, y, _ = input_normalization.load_breast_cancer()
    X, y = X[:, :200], y[:, :200]
    race = input_normalization.network_race(X, y, learning_rates=(1e-3, 0.1, 3.0), hidden_units=4, num_epochs=15)
    mu, sigma = data.fit_standardizer(X)
    for name, F in (("raw", X), ("standardized", data.standardize(X, mu, sigma))):
        stack = model.stack_params([model.init_params([30, 4, 1], init="he", seed=0) for _ in range(3)])
        _, history = model.fit(F, y, stack, optim.gd(np.array([1e-3, 0.1, 3.0])), num_epochs=15)
        cost = np.full((15, 3), np.nan)
        cost[: history["cost"].shape[0]] = history["cost"]
        np.testing.assert_array_equal(race[name]["cost"], cost)
        np.testing.assert_array_equal(race[name]["diverged"], history["diverged"])
