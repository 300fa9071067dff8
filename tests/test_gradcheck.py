"""Chapter 4: the full gradient check, its report, the planted bugs, the epsilon sweep, the checker."""

import numpy as np
import pytest

from helpers import gradcheck, model, widgets


@pytest.fixture(scope="module")
def problem():
    return gradcheck.bug_hunt_problem()


@pytest.fixture(scope="module")
def reports(problem):
    return gradcheck.bug_hunt_reports(problem)


def test_verdict_bands():
    assert gradcheck.verdict(3e-9) == "good"
    assert gradcheck.verdict(1e-5) == "look closer"
    assert gradcheck.verdict(0.2) == "likely a bug"
    with pytest.raises(ValueError, match="difference"):
        gradcheck.verdict(-1.0)


def test_vector_round_trip_and_relative_difference():
    params = {"W1": np.arange(6.0).reshape(2, 3), "b1": np.array([[1.0], [2.0]])}
    theta, spec = gradcheck.dict_to_vector(params)
    assert theta.tolist() == [0, 1, 2, 3, 4, 5, 1, 2]
    back = gradcheck.vector_to_dict(theta, spec)
    assert all(np.array_equal(back[k], params[k]) for k in params)
    assert gradcheck.relative_difference(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(np.sqrt(2) / 2)
    with pytest.raises(ValueError, match="8 entries"):
        gradcheck.vector_to_dict(theta[:-1], spec)


def test_backward_with_bug_none_is_model_backward(problem):
    X, Y, params, lambd = problem
    _, reference = model.cost_and_grads(X, Y, params, hidden="tanh", lambd=lambd)
    mine = gradcheck.backward_with_bug(X, Y, params, "none", 1, lambd)
    assert all(np.allclose(mine[k], reference[k], atol=1e-14) for k in reference)


def test_binary_output_bug_free_backward_passes():
    X, Y, params, lambd = gradcheck.bug_hunt_problem(layer_dims=(3, 5, 4, 1), seed=2)
    report = gradcheck.gradient_check(gradcheck.network_cost_fn(X, Y, "tanh", lambd), params,
                                      gradcheck.backward_with_bug(X, Y, params, "none", 1, lambd))
    assert report.passed and report.suspect is None


def test_every_bug_is_caught_and_located(reports):
    touched = {"missing 1/m": ["b"], "wrong transpose": ["W"], "forgotten L2 term": ["W"], "wrong factor": ["W", "b"]}
    for (bug, layer), report in reports.items():
        if bug == "none":
            assert report.difference < 1e-7 and report.failing() == []
            continue
        assert report.verdict == "likely a bug", (bug, layer)
        assert report.suspect_layer == layer, (bug, layer)
        assert report.suspect[0] in touched[bug]
        below = [f"{p}{l}" for l in range(1, layer) for p in "Wb"] if bug == "wrong factor" else []
        assert sorted(report.failing()) == sorted(below + [f"{p}{layer}" for p in touched[bug]])


def test_report_table_marks_the_suspect(reports):
    table = reports[("missing 1/m", 2)].table()
    assert "b2" in table.splitlines()[4] and "<- look here" in table.splitlines()[4]
    assert table.splitlines()[-1].startswith("all")


def test_bug_validation(problem):
    X, Y, params, lambd = problem
    with pytest.raises(ValueError, match="bug"):
        gradcheck.backward_with_bug(X, Y, params, "typo", 1, lambd)
    with pytest.raises(ValueError, match="layer"):
        gradcheck.backward_with_bug(X, Y, params, "none", 4, lambd)
    with pytest.raises(ValueError, match=r"\(n_x, m\)"):
        gradcheck.backward_with_bug(X.T, Y, params, "none", 1, lambd)
    with pytest.raises(ValueError, match="labels"):
        gradcheck.backward_with_bug(X, 2 * Y, params, "none", 1, lambd)
    Xb, Yb, rect, _ = gradcheck.bug_hunt_problem(layer_dims=(3, 5, 1))
    with pytest.raises(ValueError, match="square"):
        gradcheck.backward_with_bug(Xb, Yb, rect, "wrong transpose", 1, 0.0)


def test_gradient_check_validation(problem):
    X, Y, params, lambd = problem
    cost_fn = gradcheck.network_cost_fn(X, Y, "tanh", lambd)
    with pytest.raises(ValueError, match="no gradient"):
        gradcheck.gradient_check(cost_fn, params, {"dW1": params["W1"]}, keys=["W1", "b1"])
    with pytest.raises(ValueError, match="shape"):
        gradcheck.gradient_check(cost_fn, params, {"dW1": params["W1"].T[:2]}, keys=["W1"])
    with pytest.raises(ValueError, match="rng"):
        gradcheck.network_cost_fn(X, Y, keep_prob=0.5)
    before = {k: v.copy() for k, v in params.items()}
    gradcheck.gradient_check(cost_fn, params, model.cost_and_grads(X, Y, params, "tanh", lambd)[1])
    assert all(np.array_equal(before[k], params[k]) for k in params)  # params restored


def test_dropout_makes_the_check_fail(problem):
    X, Y, params, lambd = problem
    for keep_prob, should_pass in ((0.7, False), (1.0, True)):
        rng = np.random.default_rng(3)
        _, grads = model.cost_and_grads(X, Y, params, "tanh", lambd, keep_prob=keep_prob, rng=rng)
        report = gradcheck.gradient_check(gradcheck.network_cost_fn(X, Y, "tanh", lambd, keep_prob, rng), params, grads)
        assert report.passed == should_pass


def test_epsilon_sweep_slopes(problem):
    X, Y, params, lambd = problem
    cost_fn = gradcheck.network_cost_fn(X, Y, "tanh", lambd)
    grads = model.cost_and_grads(X, Y, params, "tanh", lambd)[1]
    eps = np.logspace(-4, -1, 4)
    errors = gradcheck.epsilon_sweep(cost_fn, params, grads, eps)
    assert gradcheck.loglog_slope(eps, errors["two-sided"]) == pytest.approx(2, abs=0.15)
    assert gradcheck.loglog_slope(eps, errors["one-sided"]) == pytest.approx(1, abs=0.15)


def test_loglog_slope():
    x = np.logspace(-3, 0, 7)
    assert gradcheck.loglog_slope(x, 3 * x**2) == pytest.approx(2)
    assert gradcheck.loglog_slope(x, x, x_min=1e-2, x_max=0.5) == pytest.approx(1)
    with pytest.raises(ValueError, match="positive"):
        gradcheck.loglog_slope(x, -x)
    with pytest.raises(ValueError, match="two points"):
        gradcheck.loglog_slope(x, x, x_min=0.9)


def test_check_numerical_gradient_messages():
    assert gradcheck.check_numerical_gradient(lambda f, t, e: gradcheck.numerical_gradient(f, t, e)).startswith("correct")

    def one_sided(f, theta, eps):
        return gradcheck.numerical_gradient(f, theta, eps, method="one-sided")

    def no_two(f, theta, eps):
        return 2 * gradcheck.numerical_gradient(f, theta, eps)

    def not_restored(f, theta, eps):
        grad = np.zeros_like(theta)
        for i in range(theta.size):
            theta[i] += eps
            plus = f()
            theta[i] -= 2 * eps
            grad[i] = (plus - f()) / (2 * eps)
        return grad

    def drifting(f, theta, eps):  # restores theta only at the very end
        saved = theta.copy()
        grad = np.zeros_like(theta)
        for i in range(theta.size):
            theta[i] += eps
            plus = f()
            theta[i] -= 2 * eps
            grad[i] = (plus - f()) / (2 * eps)
        theta[:] = saved
        return grad

    for attempt, message in ((one_sided, "one-sided"), (no_two, "twice"), (not_restored, "not restored"),
                             (drifting, "restored before the next")):
        with pytest.raises(AssertionError, match=message):
            gradcheck.check_numerical_gradient(attempt)


def test_bug_hunt_widget_points_at_the_layer(reports):
    explorer = widgets.build("04_gradient_check", reports=reports)
    explorer.set(bug="missing 1/m", layer=3)
    assert "look at <b>b3</b>" in explorer.readout.value
    explorer.set(bug="none")
    assert "look at" not in explorer.readout.value and "good" in explorer.readout.value


def test_epsilon_widget_readout():
    eps = np.logspace(-8, -2, 4)
    sweep = (eps, {"two-sided": 1e-3 * eps**2 + 1e-12, "one-sided": 1e-2 * eps + 1e-12})
    explorer = widgets.build("04_gradient_check.epsilon", sweep=sweep)
    explorer.set(epsilon=float(eps[-1]))
    assert "epsilon = 1.0e-02" in explorer.readout.value and "likely a bug" not in explorer.readout.value
