"""Chapter 4: the planted bugs, the epsilon sweep, clipping, the widgets and the exercises' checkers."""

import numpy as np
import pytest

from helpers import gradcheck, model, widgets
from helpers import gradient_check as gc


@pytest.fixture(scope="module")
def problem():
    return gc.bug_hunt_problem()


@pytest.fixture(scope="module")
def reports(problem):
    return gc.bug_hunt_reports(problem)


def test_backward_with_bug_none_is_model_backward(problem):
    X, Y, params, lambd = problem
    _, reference = model.cost_and_grads(X, Y, params, hidden="tanh", lambd=lambd)
    mine = gc.backward_with_bug(X, Y, params, "none", 1, lambd)
    assert all(np.allclose(mine[k], reference[k], atol=1e-14) for k in reference)


def test_binary_output_bug_free_backward_passes():
    X, Y, params, lambd = gc.bug_hunt_problem(layer_dims=(3, 5, 4, 1), seed=2)
    report = gradcheck.gradient_check(gc.network_cost_fn(X, Y, "tanh", lambd), params,
                                      gc.backward_with_bug(X, Y, params, "none", 1, lambd))
    assert report.passed and report.suspect is None


def test_every_bug_is_caught_and_located(reports):
    touched = {"extra 1/m": ["b"], "wrong transpose": ["W"], "forgotten L2 term": ["W"], "wrong factor": ["W", "b"]}
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
    table = reports[("extra 1/m", 2)].table()
    assert "b2" in table.splitlines()[4] and "<- look here" in table.splitlines()[4]
    assert table.splitlines()[-1].startswith("all")


def test_bug_validation(problem):
    X, Y, params, lambd = problem
    with pytest.raises(ValueError, match="bug"):
        gc.backward_with_bug(X, Y, params, "typo", 1, lambd)
    with pytest.raises(ValueError, match="layer"):
        gc.backward_with_bug(X, Y, params, "none", 4, lambd)
    with pytest.raises(ValueError, match=r"\(n_x, m\)"):
        gc.backward_with_bug(X.T, Y, params, "none", 1, lambd)
    with pytest.raises(ValueError, match="labels"):
        gc.backward_with_bug(X, 2 * Y, params, "none", 1, lambd)
    without_b1 = {k: v for k, v in params.items() if k != "b1"}
    with pytest.raises(ValueError, match="b1"):
        gc.backward_with_bug(X, Y, without_b1, "none", 1, lambd)
    Xb, Yb, rect, _ = gc.bug_hunt_problem(layer_dims=(3, 5, 1))
    with pytest.raises(ValueError, match="square"):
        gc.backward_with_bug(Xb, Yb, rect, "wrong transpose", 1, 0.0)


def test_network_cost_fn_blames_the_right_array(problem):
    X, Y, params, lambd = problem
    with pytest.raises(ValueError, match=r"pass X\.T"):
        gc.network_cost_fn(X.T, Y, "tanh", lambd)
    with pytest.raises(ValueError, match="Y"):
        gc.network_cost_fn(X, Y[:, :5], "tanh", lambd)
    with pytest.raises(ValueError, match="rng"):
        gc.network_cost_fn(X, Y, keep_prob=0.5)
    cost_fn = gc.network_cost_fn(X, Y, "tanh", lambd)
    with pytest.raises(ValueError, match="X"):  # a network for 3 inputs given the 4-input X
        cost_fn(gc.bug_hunt_problem(layer_dims=(3, 4, 4))[2])


def test_network_cost_fn_is_model_cost_exactly(problem):
    X, Y, params, lambd = problem
    for lam in (0.0, lambd):
        ZL, _ = model.forward(X, params, hidden="tanh")
        assert gc.network_cost_fn(X, Y, "tanh", lam)(params) == float(model.cost(ZL, Y, params, lambd=lam))
    Yb = (Y[:1] > 0).astype(float)  # binary labels: a logistic output
    binary = gc.bug_hunt_problem(layer_dims=(4, 4, 1))[2]
    ZL, _ = model.forward(X, binary, hidden="tanh")
    assert gc.network_cost_fn(X, Yb, "tanh", lambd)(binary) == float(model.cost(ZL, Yb, binary, lambd=lambd))
    with pytest.raises(ValueError, match="output layer of 1 unit"):  # one output unit for 4 rows of labels
        gc.network_cost_fn(X, Y, "tanh", lambd)(binary)


def test_dropout_makes_the_check_fail(problem):
    X, Y, params, lambd = problem
    for keep_prob, should_pass in ((0.7, False), (1.0, True)):
        rng = np.random.default_rng(3)
        _, grads = model.cost_and_grads(X, Y, params, "tanh", lambd, keep_prob=keep_prob, rng=rng)
        report = gradcheck.gradient_check(gc.network_cost_fn(X, Y, "tanh", lambd, keep_prob, rng), params, grads)
        assert report.passed == should_pass


def test_epsilon_sweep_is_each_method_alone_with_a_third_fewer_evaluations(problem):
    X, Y, params, lambd = problem
    cost_fn = gc.network_cost_fn(X, Y, "tanh", lambd)
    grads = model.cost_and_grads(X, Y, params, "tanh", lambd)[1]
    calls = []
    counted = lambda p: calls.append(1) or cost_fn(p)  # noqa: E731
    eps = np.array([1e-6, 1e-3])
    both = gc.epsilon_sweep(counted, params, grads, eps)
    n = sum(v.size for v in params.values())
    assert len(calls) == eps.size * (2 * n + 1)  # two-sided 2n, one-sided only its base point
    theta, _, exact, f = gradcheck.vector_problem(cost_fn, params, grads, list(params))
    for method in ("two-sided", "one-sided"):
        alone = [gradcheck.relative_difference(gradcheck.numerical_gradient(f, theta, e, method), exact) for e in eps]
        np.testing.assert_array_equal(both[method], alone)


def test_epsilon_sweep_slopes(problem):
    X, Y, params, lambd = problem
    cost_fn = gc.network_cost_fn(X, Y, "tanh", lambd)
    grads = model.cost_and_grads(X, Y, params, "tanh", lambd)[1]
    eps = np.logspace(-4, -1, 4)
    errors = gc.epsilon_sweep(cost_fn, params, grads, eps)
    assert gc.loglog_slope(eps, errors["two-sided"]) == pytest.approx(2, abs=0.15)
    assert gc.loglog_slope(eps, errors["one-sided"]) == pytest.approx(1, abs=0.15)
    with pytest.raises(ValueError, match="epsilons"):
        gc.epsilon_sweep(cost_fn, params, grads, [])
    with pytest.raises(ValueError, match="positive"):
        gc.epsilon_sweep(cost_fn, params, grads, [1e-3, 0.0])
    with pytest.raises(ValueError, match="no gradient"):
        gc.epsilon_sweep(cost_fn, params, {}, eps)


def test_loglog_slope():
    x = np.logspace(-3, 0, 7)
    assert gc.loglog_slope(x, 3 * x**2) == pytest.approx(2)
    assert gc.loglog_slope(x, x, x_min=1e-2, x_max=0.5) == pytest.approx(1)
    with pytest.raises(ValueError, match="positive"):
        gc.loglog_slope(x, -x)
    with pytest.raises(ValueError, match="two points"):
        gc.loglog_slope(x, x, x_min=0.9)


@pytest.mark.parametrize("seed", range(6))
def test_clipping_keeps_the_cost_down_for_every_seed(seed):  # the notebook's claim, not one lucky seed
    runs = gc.clipping_demo(seed=seed)
    (plain_norms, plain_costs), (clip_norms, clip_costs) = runs["plain"], runs["clipped"]
    assert plain_norms[0] == clip_norms[0] > 1.0  # the same start, a gradient longer than max_norm
    assert plain_costs.max() > 3 * plain_costs[0] and clip_costs.max() < 2.5 * clip_costs[0]
    assert clip_costs[-30:].mean() < plain_costs[-30:].mean() / 1.5
    with pytest.raises(ValueError, match="max_norm"):
        gc.clipping_demo(max_norm=0)


@pytest.mark.parametrize("seed", range(6))
def test_clipping_does_not_rescue_a_learning_rate_too_large_for_the_run(seed):  # the notebook's section 6 claim
    ending = {}
    for alpha in (1.0, 10.0):
        costs = gc.clipping_demo(max_norm=1.0, learning_rate=alpha, seed=seed, runs=("clipped",))["clipped"][1]
        ending[alpha] = costs[-30:].mean() / costs[0]
    assert ending[1.0] < 0.5 and ending[10.0] > 1.5


def test_clipping_demo_trains_only_the_runs_asked_for():
    both = gc.clipping_demo(num_steps=8)
    clipped = gc.clipping_demo(num_steps=8, runs=("clipped",))
    assert list(clipped) == ["clipped"]
    np.testing.assert_array_equal(clipped["clipped"][1], both["clipped"][1])
    for bad in ((), "clipped", ("clipped", "other")):
        with pytest.raises(ValueError, match="^runs: got"):
            gc.clipping_demo(runs=bad)


# ---------------------------------------------------------------- the exercises


def stub(*args):
    raise NotImplementedError("write this")


def test_check_numerical_gradient():
    assert gc.check_numerical_gradient(lambda f, t, e: gradcheck.numerical_gradient(f, t, e)).passed
    assert gc.check_numerical_gradient(stub).status == "not written"

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

    def crashes(f, theta, eps):
        return theta[100]

    for attempt, word in ((one_sided, "one-sided"), (no_two, "twice"), (not_restored, "not restored"),
                          (drifting, "restored before the next"), (crashes, "IndexError")):
        result = gc.check_numerical_gradient(attempt)
        assert result.status == "failed" and word in result.message, (attempt.__name__, result.message)


def test_check_relative_difference():
    assert gc.check_relative_difference(gradcheck.relative_difference).passed
    assert gc.check_relative_difference(stub).status == "not written"
    attempts = {
        "alone": lambda a, b: np.linalg.norm(a - b),
        "||approx + exact||": lambda a, b: np.linalg.norm(a - b) / np.linalg.norm(a + b),
        "squared": lambda a, b: np.sum((a - b) ** 2) / (np.sum(a**2) + np.sum(b**2)),
        "one number": lambda a, b: np.abs(a - b) / (np.abs(a) + np.abs(b)),
    }
    for word, attempt in attempts.items():
        result = gc.check_relative_difference(attempt)
        assert result.status == "failed" and word in result.message, (word, result.message)


def fixed_backward(X, Y, params, lambd):
    return gc.backward_with_bug(X, Y, params, "none", 1, lambd)


def test_check_fixed_backward():
    assert gc.check_fixed_backward(fixed_backward).passed
    assert gc.check_fixed_backward(stub).status == "not written"
    result = gc.check_fixed_backward(gc.buggy_backward)
    assert result.status == "failed" and "still the gradients of buggy_backward" in result.message

    def wrong_factor(X, Y, params, lambd):  # "fixed" to 1 - A2 instead of 1 - A2**2
        return gc.backward_with_bug(X, Y, params, "wrong factor", 2, lambd)

    def broke_the_output(X, Y, params, lambd):
        return gc.backward_with_bug(X, Y, params, "extra 1/m", 3, lambd)

    def missing_key(X, Y, params, lambd):
        grads = fixed_backward(X, Y, params, lambd)
        del grads["db1"]
        return grads

    def fixed_then(change):  # the dZ2 line fixed, then a new mistake in dW2's own line
        def attempt(X, Y, params, lambd):
            grads = fixed_backward(X, Y, params, lambd)
            grads["dW2"] = change(grads["dW2"], params["W2"], lambd / X.shape[1])
            return grads
        return attempt

    transposed = fixed_then(lambda dW, W, decay: (dW - decay * W).T + decay * W)  # A1 @ dZ2.T + lambd / m * W2
    no_l2 = fixed_then(lambda dW, W, decay: dW - decay * W)
    for attempt, word in ((wrong_factor, "dZ2"), (broke_the_output, "elsewhere"), (missing_key, "db1"),
                          (transposed, "dW2's own line: it is transposed"), (no_l2, "L2 term")):
        result = gc.check_fixed_backward(attempt)
        assert result.status == "failed" and word in result.message, (attempt.__name__, result.message)


# ---------------------------------------------------------------- the widgets


def test_bug_hunt_widget_points_at_the_layer(reports):
    explorer = widgets.build("04_gradient_check", reports=reports)
    explorer.set(bug="extra 1/m", layer=3)
    assert "look at <b>b3</b>" in explorer.readout.value
    explorer.set(bug="none")
    assert "look at" not in explorer.readout.value and "good" in explorer.readout.value


def test_epsilon_widget_readout():
    eps = np.logspace(-8, -2, 4)
    sweep = (eps, {"two-sided": 1e-3 * eps**2 + 1e-12, "one-sided": 1e-2 * eps + 1e-12})
    explorer = widgets.build("04_gradient_check.epsilon", sweep=sweep)
    explorer.set(epsilon=float(eps[-1]))
    assert "epsilon = 1.0e-02" in explorer.readout.value and "likely a bug" not in explorer.readout.value


def test_bug_hunt_reports_are_the_checks_made_one_by_one(problem):
    X, Y, params, lambd = problem
    reports = gc.bug_hunt_reports(problem, bugs=("none", "wrong factor", "extra 1/m"))
    cost_fn = gc.network_cost_fn(X, Y, "tanh", lambd)
    for (bug, layer), report in reports.items():
        alone = gradcheck.gradient_check(cost_fn, params, gc.backward_with_bug(X, Y, params, bug, layer, lambd), 1e-7)
        assert report.rows == alone.rows and report.difference == alone.difference and report.suspect == alone.suspect
