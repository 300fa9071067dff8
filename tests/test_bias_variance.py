"""Chapter 1 helpers: the verdict, the learner check, the Bayes error, the trained grid."""

import numpy as np
import pytest

from helpers import bias_variance as bv
from helpers import data


@pytest.mark.parametrize("bayes, train, dev, expected", bv.CASES)
def test_the_five_published_cases(bayes, train, dev, expected):
    assert bv.verdict(bayes, train, dev).verdict == expected


def test_diagnosis_numbers_and_advice():
    d = bv.verdict(0.05, 0.10, 0.30)
    assert d.avoidable_bias == pytest.approx(0.05) and d.variance == pytest.approx(0.20)
    assert "high bias and high variance" in str(d)


# ---------------------------------------------------------------- the exercises


def my_verdict(bayes, train, dev):
    high_bias, high_variance = train - bayes > 0.02, dev - train > 0.02
    if high_bias and high_variance:
        return "high bias and high variance"
    return "high bias" if high_bias else "high variance" if high_variance else "low bias, low variance"


def my_split(X, Y, fractions, seed):
    m = X.shape[1]
    order = np.random.default_rng(seed).permutation(m)
    bounds = np.cumsum((0,) + data.split_sizes(m, fractions))
    return [(X[:, order[a:b]], Y[:, order[a:b]]) for a, b in zip(bounds[:-1], bounds[1:])]


def my_bayes_error(p):
    return float(np.mean(np.minimum(p, 1 - p)))


def stub(*args):
    raise NotImplementedError("write it")


@pytest.mark.parametrize("check, solution", [
    (bv.check_verdict, my_verdict),
    (bv.check_verdict, lambda b, t, d: bv.verdict(b, t, d).verdict),
    (bv.check_train_dev_test_split, my_split),
    (bv.check_train_dev_test_split, data.train_dev_test_split),
    (bv.check_bayes_error_from_proba, my_bayes_error),
    (bv.check_bayes_error_from_proba, bv.bayes_error_from_proba),
])
def test_solutions_pass_and_stubs_are_not_written(check, solution):
    assert check(solution).passed
    assert check(stub).status == "not written"
    assert check(lambda *a: None).status == "not written"
    crash = check(lambda *a: [][1])
    assert crash.status == "failed" and "IndexError" in crash.message


def failure(check, attempt):
    result = check(attempt)
    assert result.status == "failed", result
    return result.message


def test_verdict_mistakes():
    forgets_bayes = lambda bayes, train, dev: my_verdict(0.0, train, dev)
    message = failure(bv.check_verdict, forgets_bayes)
    assert "bayes=15.0%" in message and "expected 'low bias, low variance', got 'high bias'" in message
    always_variance = lambda bayes, train, dev: "high variance"
    assert "expected 'high bias'" in failure(bv.check_verdict, always_variance)
    gap_against_bayes = lambda bayes, train, dev: my_verdict(bayes, bayes, dev)  # variance measured from Bayes
    assert "variance = dev - train" in failure(bv.check_verdict, gap_against_bayes)

    def at_least(bayes, train, dev):  # >= 0.02 instead of > 0.02: differs only exactly on the line
        return {(True, True): "high bias and high variance", (True, False): "high bias", (False, True): "high variance",
                (False, False): "low bias, low variance"}[(train - bayes >= 0.02, dev - train >= 0.02)]

    assert "strictly above 2%" in failure(bv.check_verdict, at_least)
    in_percent = lambda bayes, train, dev: my_verdict(bayes / 100, train / 100, dev / 100)  # tolerance 2 read as 2 %
    assert "0.02, not 2" in failure(bv.check_verdict, in_percent)
    assert ".verdict" in failure(bv.check_verdict, bv.verdict)   # the Diagnosis object, not its string


def test_split_mistakes():
    def no_shuffle(X, Y, fractions, seed):
        bounds = np.cumsum((0,) + data.split_sizes(X.shape[1], fractions))
        return [(X[:, a:b], Y[:, a:b]) for a, b in zip(bounds[:-1], bounds[1:])]

    def two_permutations(X, Y, fractions, seed):
        rng = np.random.default_rng(seed)
        X, Y = X[:, rng.permutation(X.shape[1])], Y[:, rng.permutation(X.shape[1])]
        return no_shuffle(X, Y, fractions, seed)

    def rows(X, Y, fractions, seed):
        return [(Xp.T, Yp) for Xp, Yp in my_split(X, Y, fractions, seed)]

    def rounds_sizes(X, Y, fractions, seed):
        m = X.shape[1]
        order = np.random.default_rng(seed).permutation(m)
        bounds = np.cumsum([0] + [int(np.ceil(f * m)) for f in fractions])
        return [(X[:, order[a:b]], Y[:, order[a:b]]) for a, b in zip(bounds[:-1], bounds[1:])]

    assert "original order" in failure(bv.check_train_dev_test_split, no_shuffle)
    assert "same permutation" in failure(bv.check_train_dev_test_split, two_permutations)
    assert "columns" in failure(bv.check_train_dev_test_split, rows)
    assert "split_sizes" in failure(bv.check_train_dev_test_split, rounds_sizes)


def test_bayes_error_mistakes():
    assert "accuracy" in failure(bv.check_bayes_error_from_proba, lambda p: float(np.mean(np.maximum(p, 1 - p))))
    assert "one side of 0.5" in failure(bv.check_bayes_error_from_proba, lambda p: float(np.mean(p < 0.5)))
    assert "divide by m" in failure(bv.check_bayes_error_from_proba, lambda p: float(np.sum(np.minimum(p, 1 - p))))
    assert "one number" in failure(bv.check_bayes_error_from_proba, lambda p: np.minimum(p, 1 - p))


def test_curves_return_one_row_per_initialization():
    h, train, dev = bv.capacity_curve(hidden_units=(1, 4), seeds=(0, 1, 2), dev_size=50, num_epochs=5)
    assert h.tolist() == [1, 4] and train.shape == dev.shape == (3, 2)
    sizes, train, dev = bv.learning_curve(train_sizes=(20, 40), seeds=(0, 1), dev_size=50, num_epochs=5)
    assert sizes.tolist() == [20, 40] and train.shape == dev.shape == (2, 2)
    assert np.all((dev >= 0) & (dev <= 1))


@pytest.mark.parametrize("call, words", [
    (lambda: bv.capacity_curve(hidden_units=(0, 4)), "hidden_units"),
    (lambda: bv.capacity_curve(seeds=()), "seeds"),
    (lambda: bv.capacity_curve(dev_size=0), "dev_size"),
    (lambda: bv.learning_curve(train_sizes=(20.5,)), "train_sizes"),
    (lambda: bv.learning_curve(learning_rate=-1), "learning_rate"),
    (lambda: bv.bayes_error_from_proba([[0.2, 1.5]]), "probabilities"),
    (lambda: bv.bayes_error(0.2, m=0), "m"),
    (lambda: bv.bayes_proba(np.zeros((5, 2)), 0.2), "X.T"),
])
def test_bad_input_is_a_clear_value_error(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_verdict_validates():
    with pytest.raises(ValueError, match=r"dev: got 11.0, expected a number in \[0, 1\]"):
        bv.verdict(0.0, 0.1, 11.0)  # percent instead of a fraction


def test_bayes_classifier_beats_a_trained_network_and_error_grows_with_noise():
    errors = [bv.bayes_error(noise, 0.05) for noise in (0.1, 0.25, 0.4)]
    assert errors == sorted(errors) and errors[0] >= 0.04
    X, Y = data.make_noisy(4000, 0.25, 0.05, seed=77)
    p = bv.bayes_proba(X, 0.25, 0.05)
    empirical = np.mean((p > 0.5) != Y)
    assert empirical == pytest.approx(errors[1], abs=0.02)
    assert bv.bayes_error_from_proba(p) == pytest.approx(errors[1], abs=0.02)


def test_grid_is_indexed_by_every_combination():
    grid = bv.train_grid(hidden_units=(1, 8), lambdas=(0.0, 1.0), train_sizes=(20, 40), noises=(0.2,), num_epochs=20, grid_n=10)
    assert len(grid.results) == 8
    result = grid[(0.2, 40, 8, 1.0)]
    assert set(result) == {"train_error", "dev_error", "proba", "weight_norm"}
    assert result["proba"].shape == (100,)
    assert grid.bayes[0.2] > 0.05 and grid.points[0.2][0].shape == (2, 40)


def test_grid_names_its_keys_for_a_missing_one():
    grid = bv.train_grid(hidden_units=(1,), lambdas=(0.0,), train_sizes=(20,), noises=(0.2,), num_epochs=2, grid_n=5,
                         dev_size=20)
    with pytest.raises(ValueError, match="hidden_units"):
        grid[(0.2, 20, 64, 0.0)]


def test_selection_bias_records_the_winner_of_each_split():
    result = bv.selection_bias(hidden_units=(2, 8), seeds=(0, 1), dev_size=30, test_size=300, n_splits=5,
                               num_epochs=10)
    assert result["dev_error"].shape == result["test_error"].shape == (5,)
    assert result["pool_error"].shape == (4,)
    assert np.all((result["dev_error"] >= 0) & (result["dev_error"] <= 1))
    with pytest.raises(ValueError, match="test_size"):
        bv.selection_bias(test_size=0)


def test_a_lazy_grid_trains_on_demand_the_same_networks():
    settings = dict(hidden_units=(1, 8), lambdas=(0.0, 1.0), train_sizes=(20, 40), noises=(0.2,), num_epochs=20, grid_n=10)
    eager, lazy = bv.train_grid(**settings), bv.train_grid(lazy=True, **settings)
    assert lazy.results == {}
    key = (0.2, 40, 8, 1.0)
    assert lazy[key]["train_error"] == eager[key]["train_error"] and lazy[key]["dev_error"] == eager[key]["dev_error"]
    assert np.allclose(lazy[key]["proba"], eager[key]["proba"])
    assert set(lazy.results) == {(0.2, 40, 8, 0.0), (0.2, 40, 8, 1.0)}   # one stack: the two lambdas
    with pytest.raises(ValueError, match="hidden_units"):
        lazy[(0.2, 40, 64, 0.0)]
    with pytest.raises(ValueError, match="keys are"):
        lazy["not a key"]
    with pytest.raises(ValueError, match=r"got \(0\.3, 40, 8\), expected values from noises"):
        lazy.train_stack(0.3, 40, 8)
