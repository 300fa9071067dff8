"""The core gradient check: numerical gradient, relative difference, dict <-> vector, the report."""

import numpy as np
import pytest

from helpers import gradcheck, model
from helpers.gradient_check import bug_hunt_problem, network_cost_fn


@pytest.fixture(scope="module")
def problem():
    return bug_hunt_problem()


def test_verdict_bands_and_magnitude():
    assert gradcheck.verdict(3e-9) == "good"
    assert gradcheck.verdict(1e-5) == "look closer"
    assert gradcheck.verdict(0.2) == "likely a bug"
    with pytest.raises(ValueError, match="difference"):
        gradcheck.verdict(-1.0)
    # below 1e-7 only the band is printed: those digits are rounding error and differ between CPUs
    assert gradcheck.magnitude(7.7e-9) == gradcheck.magnitude(7.4e-9) == "< 1e-7"
    assert gradcheck.magnitude(4.9e-7) == "5e-07"
    assert gradcheck.magnitude(0.18) == "0.2"


def test_vector_round_trip_and_relative_difference():
    params = {"W1": np.arange(6.0).reshape(2, 3), "b1": np.array([[1.0], [2.0]])}
    theta, spec = gradcheck.dict_to_vector(params)
    assert theta.tolist() == [0, 1, 2, 3, 4, 5, 1, 2]
    back = gradcheck.vector_to_dict(theta, spec)
    assert all(np.array_equal(back[k], params[k]) for k in params)
    assert gradcheck.relative_difference(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(np.sqrt(2) / 2)
    assert gradcheck.relative_difference(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="8 entries"):
        gradcheck.vector_to_dict(theta[:-1], spec)
    with pytest.raises(ValueError, match="no b2"):
        gradcheck.dict_to_vector(params, keys=["W1", "b2"])


def test_numerical_gradient_matches_a_known_derivative():
    x = np.array([0.3, -1.2, 2.0])
    exact = 3 * x**2
    for method, tol in (("two-sided", 1e-9), ("one-sided", 1e-4)):
        approx = gradcheck.numerical_gradient(lambda: float(np.sum(x**3)), x, epsilon=1e-6, method=method)
        assert gradcheck.max_relative_error(approx, exact) < tol


def test_numerical_gradient_restores_x_when_the_cost_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def failing():
        calls.append(x.copy())
        if len(calls) == 3:
            raise RuntimeError("cost failed")
        return float(np.sum(x))

    with pytest.raises(RuntimeError, match="cost failed"):
        gradcheck.numerical_gradient(failing, x, epsilon=0.5)
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_numerical_gradient_rejects_an_epsilon_below_float_spacing():
    x = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="spacing"):
        gradcheck.numerical_gradient(lambda: float(x.sum()), x, epsilon=1e-20)
    with pytest.raises(ValueError, match="float64"):
        gradcheck.numerical_gradient(lambda: 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="function"):
        gradcheck.numerical_gradient(3.0, x)


def test_gradient_check_passes_a_correct_backprop_and_restores_params(problem):
    X, Y, params, lambd = problem
    before = {k: v.copy() for k, v in params.items()}
    report = gradcheck.gradient_check(network_cost_fn(X, Y, "tanh", lambd), params,
                                      model.cost_and_grads(X, Y, params, "tanh", lambd)[1])
    assert report.passed and report.suspect is None and report.failing() == []
    assert all(np.array_equal(before[k], params[k]) for k in params)
    assert "< 1e-7" in report.table().splitlines()[-1]


def test_gradient_check_never_calls_a_check_of_nothing_good(problem):
    X, Y, params, lambd = problem
    cost_fn = network_cost_fn(X, Y, "tanh", lambd)
    _, grads = model.cost_and_grads(X, Y, params, "tanh", lambd)
    with pytest.raises(ValueError, match="name it .dW3."):  # keyed like the params (W3, b3, ...), not dW3
        gradcheck.gradient_check(cost_fn, params, {k[1:]: v for k, v in grads.items()})
    with pytest.raises(ValueError, match="no gradient"):
        gradcheck.gradient_check(cost_fn, params, {})
    with pytest.raises(ValueError, match="dW7"):
        gradcheck.gradient_check(cost_fn, params, {**grads, "dW7": grads["dW1"]})
    with pytest.raises(ValueError, match="no gradient"):
        gradcheck.gradient_check(cost_fn, params, {"dW1": params["W1"]}, keys=["W1", "b1"])
    with pytest.raises(ValueError, match="shape"):
        gradcheck.gradient_check(cost_fn, params, {"dW1": params["W1"].T[:2]}, keys=["W1"])
    with pytest.raises(ValueError, match="function"):
        gradcheck.gradient_check(None, params, grads)


@pytest.mark.parametrize("epsilon", [1e-20, 1e-12, 0.1])
def test_gradient_check_refuses_an_epsilon_its_bands_are_not_made_for(problem, epsilon):
    X, Y, params, lambd = problem
    _, grads = model.cost_and_grads(X, Y, params, "tanh", lambd)
    with pytest.raises(ValueError, match="epsilon: got"):
        gradcheck.gradient_check(network_cost_fn(X, Y, "tanh", lambd), params, grads, epsilon=epsilon)


@pytest.mark.parametrize("epsilon", [1e-10, 1e-3])
def test_a_correct_gradient_is_never_likely_a_bug_inside_the_range(problem, epsilon):
    X, Y, params, lambd = problem
    _, grads = model.cost_and_grads(X, Y, params, "tanh", lambd)
    report = gradcheck.gradient_check(network_cost_fn(X, Y, "tanh", lambd), params, grads, epsilon=epsilon)
    assert report.verdict != "likely a bug"
