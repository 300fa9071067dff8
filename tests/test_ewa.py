"""Chapter 6: exponentially weighted averages, bias correction and the measures behind the claims."""

import numpy as np
import pytest

from helpers import data, ewa, widgets


@pytest.fixture(scope="module")
def theta():
    return data.load_temperatures()["temp_mean"]


def test_ewa_matches_the_recursion_written_out():
    theta = np.array([4.0, 8.0, 2.0])
    beta = 0.5
    v1 = 0.5 * 4.0
    v2 = 0.5 * v1 + 0.5 * 8.0
    v3 = 0.5 * v2 + 0.5 * 2.0
    np.testing.assert_allclose(ewa.ewa(theta, beta), [v1, v2, v3])
    np.testing.assert_allclose(ewa.ewa(theta, beta, bias_correction=True),
                               [v1 / 0.5, v2 / 0.75, v3 / 0.875])


def test_beta_zero_is_the_series_and_a_constant_is_kept_after_correction():
    theta = np.array([3.0, -1.0, 7.5])
    np.testing.assert_allclose(ewa.ewa(theta, 0.0), theta)
    np.testing.assert_allclose(ewa.ewa(np.full(50, 7.0), 0.98, bias_correction=True), 7.0)


def test_weights_reproduce_the_average_and_sum_to_one():
    rng = np.random.default_rng(0)
    theta = rng.normal(size=40)
    beta = 0.8
    w = ewa.ewa_weights(beta, theta.size)
    np.testing.assert_allclose(ewa.ewa(theta, beta)[-1], np.sum(w * theta[::-1]))
    assert np.isclose(ewa.ewa_weights(0.9, 2000).sum(), 1.0)
    # beta^(1/(1-beta)) is close to 1/e
    assert abs(0.98 ** ewa.effective_window(0.98) - np.exp(-1)) < 0.01
    assert ewa.mean_lag(0.9) == pytest.approx(9.0)


def test_centered_average_and_lag_of_a_shifted_copy():
    t = np.arange(600)
    s = np.sin(2 * np.pi * t / 200)
    assert np.allclose(ewa.centered_average(np.ones(10), 3), 1.0)
    shifted = np.concatenate([np.zeros(7), s[:-7]])
    assert ewa.lag_days(shifted, s, max_lag=30, skip=40) == 7


def test_claims_on_the_temperatures(theta):
    reference = ewa.centered_average(theta, 15)
    v90 = ewa.ewa(theta, 0.9, bias_correction=True)
    v98 = ewa.ewa(theta, 0.98, bias_correction=True)
    assert ewa.roughness(v98) < ewa.roughness(v90) / 2
    assert ewa.lag_days(v98, reference) > ewa.lag_days(v90, reference) + 10
    plain = ewa.startup_error(ewa.ewa(theta, 0.98), theta)
    corrected = ewa.startup_error(v98, theta)
    assert plain > 3 * corrected


@pytest.mark.parametrize("bad, match", [
    (dict(theta=[1.0, np.nan]), "NaN"),
    (dict(theta=np.ones((2, 3))), "1-D"),
    (dict(theta=[], beta=0.5), "at least one"),
    (dict(theta=[1.0], beta=1.0), r"beta: got 1.0, expected a number in \[0, 1\)"),
    (dict(theta=[1.0], beta=-0.1), "beta"),
])
def test_ewa_validates(bad, match):
    with pytest.raises(ValueError, match=match):
        ewa.ewa(**bad)


def test_other_validation():
    with pytest.raises(ValueError, match="n: got 0, expected an integer"):
        ewa.ewa_weights(0.9, 0)
    with pytest.raises(ValueError, match="same shape"):
        ewa.lag_days(np.ones(300), np.ones(299))
    with pytest.raises(ValueError, match="same shape"):
        ewa.startup_error(np.ones(30), np.ones(29))
    with pytest.raises(ValueError, match="at least 3"):
        ewa.roughness([1.0, 2.0])


def _plain(theta, beta):
    v, out = 0.0, []
    for x in theta:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return out


def _failed(result, word):
    return result.status == "failed" and word in result.message


def test_check_ewa_tells_what_is_wrong():
    assert ewa.check_ewa(_plain).passed

    def swapped(theta, beta):
        return _plain(theta, 1 - beta)

    def starts_at_theta(theta, beta):
        v, out = theta[0], []
        for x in theta:
            v = beta * v + (1 - beta) * x
            out.append(v)
        return out

    def corrected(theta, beta):
        return ewa.ewa(theta, beta, bias_correction=True)

    def shifted(theta, beta):
        return [0.0] + _plain(theta, beta)[:-1]

    def broken(theta, beta):
        raise KeyError("oops")

    def stub(theta, beta):
        raise NotImplementedError("write it")

    assert ewa.check_ewa(stub).status == "not written"
    assert _failed(ewa.check_ewa(swapped), "swapped")
    assert _failed(ewa.check_ewa(starts_at_theta), "convention")
    assert _failed(ewa.check_ewa(corrected), "bias correction")
    assert _failed(ewa.check_ewa(shifted), "shifted")
    assert _failed(ewa.check_ewa(broken), "KeyError")
    assert _failed(ewa.check_ewa(lambda theta, beta: _plain(theta, beta)[:-1]), "shape")


def test_check_ewa_corrected_tells_what_is_wrong():
    def reference(theta, beta):
        return ewa.ewa(theta, beta, bias_correction=True)

    def t_from_zero(theta, beta):
        v, out = 0.0, []
        for t, x in enumerate(theta):
            v = beta * v + (1 - beta) * x
            out.append(v / (1 - beta ** (t + 1 + 1)))
        return out

    def fed_back(theta, beta):
        v, out = 0.0, []
        for t, x in enumerate(theta, start=1):
            v = (beta * v + (1 - beta) * x) / (1 - beta**t)
            out.append(v)
        return out

    def divides_by_zero(theta, beta):
        plain = np.array(_plain(theta, beta))
        with np.errstate(divide="ignore"):
            return plain / (1 - beta ** np.arange(len(plain)))

    assert ewa.check_ewa_corrected(reference).passed
    assert ewa.check_ewa_corrected(lambda theta, beta: None).status == "not written"
    assert _failed(ewa.check_ewa_corrected(_plain), "plain averages")
    assert _failed(ewa.check_ewa_corrected(t_from_zero), "t + 1")
    assert _failed(ewa.check_ewa_corrected(fed_back), "fed back")
    assert _failed(ewa.check_ewa_corrected(divides_by_zero), "NaN or inf")
    assert _failed(ewa.check_ewa_corrected(lambda theta, beta: ewa.ewa(theta, beta, start="first")), "convention")


def test_notes_start_convention():
    theta = np.array([4.0, 2.0, 6.0])
    v = ewa.ewa(theta, 0.5, start="first")
    assert v[0] == 4.0 and v[1] == pytest.approx(0.5 * 4 + 0.5 * 2) and v[2] == pytest.approx(0.5 * 3 + 0.5 * 6)
    with pytest.raises(ValueError, match="start"):
        ewa.ewa(theta, 0.5, start="one")
    with pytest.raises(ValueError, match="bias_correction"):
        ewa.ewa(theta, 0.5, bias_correction=True, start="first")


def test_sine_lag_matches_a_filtered_sine_and_tends_to_the_mean_age():
    period, beta = 200.0, 0.95
    t = np.arange(4000)
    v = ewa.ewa(np.sin(2 * np.pi * t / period), beta)
    lag = ewa.sine_lag(beta, period)
    # after the start-up, v is a sine delayed by `lag` steps (with a smaller amplitude)
    late = t[2000:]
    fit = np.sin(2 * np.pi * (late - lag) / period)
    amplitude = np.dot(v[2000:], fit) / np.dot(fit, fit)
    assert np.max(np.abs(v[2000:] - amplitude * fit)) < 1e-9
    assert ewa.sine_lag(0.9, 1e6) == pytest.approx(ewa.mean_lag(0.9), rel=1e-3)


def test_trailing_average():
    theta = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose(ewa.trailing_average(theta, 2), [1.0, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(ewa.trailing_average(theta, 1), theta)
    with pytest.raises(ValueError, match="window"):
        ewa.trailing_average(theta, 0)


def test_explorer_readout_follows_the_controls():
    explorer = widgets.build("06_ewa")
    explorer.set(beta=0.98, bias_correction=False)
    plain = explorer.readout.value
    image = explorer.frame
    explorer.set(bias_correction=True)
    assert explorer.readout.value != plain and "correction on" in explorer.readout.value
    assert explorer.frame != image
    assert "50 days" in explorer.readout.value


@pytest.mark.parametrize("max_lag, skip", [(120, 120), (30, 40), (0, 5), (10, 200)])
def test_lag_days_is_the_argmin_of_one_mean_per_delay(max_lag, skip):
    rng = np.random.default_rng(3)
    reference = np.cumsum(rng.standard_normal(400))
    v = np.roll(reference, 9) + 0.3 * rng.standard_normal(400)
    errors = [np.mean((v[skip:] - reference[skip - k : v.size - k]) ** 2) for k in range(max_lag + 1)]
    assert ewa.lag_days(v, reference, max_lag=max_lag, skip=skip) == int(np.argmin(errors))
