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


def test_check_verdict_names_the_failing_case():
    always_variance = lambda bayes, train, dev: "high variance"
    message = bv.check_verdict(always_variance)
    assert message.startswith("bayes=0.0%, train=15.0%, dev=16.0%: expected 'high bias', got 'high variance'")
    assert bv.check_verdict(lambda b, t, d: bv.verdict(b, t, d).verdict) == "all 8 cases agree"


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


def test_grid_is_indexed_by_every_combination():
    grid = bv.train_grid(hidden_units=(1, 8), lambdas=(0.0, 1.0), train_sizes=(20, 40), noises=(0.2,), num_epochs=20, grid_n=10)
    assert len(grid.results) == 8
    result = grid[(0.2, 40, 8, 1.0)]
    assert set(result) == {"train_error", "dev_error", "proba", "weight_norm"}
    assert result["proba"].shape == (100,)
    assert grid.bayes[0.2] > 0.05 and grid.points[0.2][0].shape == (2, 40)
