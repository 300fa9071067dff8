"""helpers.optim: each rule against its formula written out, Adam's epsilon, validation, purity,
the other momentum conventions, and runs to the known minima of a parabola and of Rosenbrock."""

import numpy as np
import pytest

from helpers import data, model, optim, surfaces

ALL = list(optim.OPTIMIZERS)


def two_params(seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.standard_normal((3, 2)), "b1": rng.standard_normal((3, 1))}
    grads = [{"dW1": rng.standard_normal((3, 2)), "db1": rng.standard_normal((3, 1))} for _ in range(3)]
    return params, grads


def run(opt, params, grads_list):
    state = opt.init(params)
    for grads in grads_list:
        params, state = opt.update(params, grads, state)
    return params, state


# ---------------------------------------------------------------- one rule, written out by hand


def hand(name, W, gs, alpha, beta=0.9, beta1=0.9, beta2=0.999, eps=1e-8):
    """The update rules of the course, one line each, for a list of gradients ``gs``."""
    v = np.zeros_like(W)
    s = np.zeros_like(W)
    for t, g in enumerate(gs, start=1):
        if name == "gd":
            W = W - alpha * g
        elif name == "momentum":
            v = beta * v + (1 - beta) * g
            W = W - alpha * v
        elif name == "nesterov":
            v = beta * v + (1 - beta) * g
            W = W - alpha * (beta * v + (1 - beta) * g)
        elif name == "adagrad":
            s = s + g**2
            W = W - alpha * g / (np.sqrt(s) + eps)
        elif name == "rmsprop":
            s = beta * s + (1 - beta) * g**2
            W = W - alpha * g / (np.sqrt(s) + eps)
        elif name == "adam":
            v = beta1 * v + (1 - beta1) * g
            s = beta2 * s + (1 - beta2) * g**2
            v_corrected, s_corrected = v / (1 - beta1**t), s / (1 - beta2**t)
            W = W - alpha * v_corrected / (np.sqrt(s_corrected) + eps)
    return W


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("steps", [1, 3])
def test_update_matches_the_formula(name, steps):
    params, grads = two_params()
    beta = 0.8
    opt = optim.make(name, 0.05, beta=beta, beta1=0.7, beta2=0.99, epsilon=1e-6)
    new, state = run(opt, params, grads[:steps])
    for key in params:
        expected = hand(name, params[key], [g["d" + key] for g in grads[:steps]], 0.05, beta=beta,
                        beta1=0.7, beta2=0.99, eps=1e-6)
        np.testing.assert_allclose(new[key], expected, rtol=1e-12, atol=1e-15)
    assert state["t"] == steps


def test_adam_epsilon_is_outside_the_square_root():
    # t = 1: v_hat = g and s_hat = g**2, so the step is alpha g / (|g| + eps). With g = eps it is
    # alpha / 2 exactly: W = 1 - 0.1 / 2. (Inside the root it would be alpha g / sqrt(g**2 + eps) ~ 1e-5 alpha.)
    opt = optim.adam(learning_rate=0.1, epsilon=1e-8)
    params = {"W": np.array([1.0])}
    new, _ = opt.update(params, {"dW": np.array([1e-8])}, opt.init(params))
    assert new["W"][0] == pytest.approx(0.95, abs=1e-15)


def test_adam_two_steps_expected_numbers():
    # g = 0.5 then -0.25, alpha = 0.1, default betas and epsilon.
    # t=1: v = 0.05, s = 0.00025, v_hat = 0.5, s_hat = 0.25: W = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.900000002
    # t=2: v = 0.02, s = 0.00031225, v_hat = 0.02 / 0.19, s_hat = 0.00031225 / 0.001999
    opt = optim.adam(learning_rate=0.1)
    params = {"W": np.array([1.0])}
    state = opt.init(params)
    params, state = opt.update(params, {"dW": np.array([0.5])}, state)
    assert params["W"][0] == pytest.approx(0.900000002, abs=1e-12)
    params, state = opt.update(params, {"dW": np.array([-0.25])}, state)
    assert state["v"]["W"][0] == pytest.approx(0.02, abs=1e-15)
    assert state["s"]["W"][0] == pytest.approx(0.00031225, abs=1e-15)
    assert params["W"][0] == pytest.approx(0.8733662987078463, abs=1e-12)


def test_first_steps_of_the_averaging_optimizers():
    params = {"W": np.array([0.0])}
    g = {"dW": np.array([2.0])}
    # momentum's v starts at 0: the first step is (1 - beta) of a plain step
    new, _ = optim.momentum(0.1, beta=0.9).update(params, g, optim.momentum(0.1, beta=0.9).init(params))
    assert new["W"][0] == pytest.approx(-0.1 * 0.1 * 2.0)
    # RMSProp is not bias-corrected: the first step is alpha / sqrt(1 - beta)
    opt = optim.rmsprop(0.01, beta=0.9)
    new, _ = opt.update(params, g, opt.init(params))
    assert new["W"][0] == pytest.approx(-0.01 / np.sqrt(0.1), rel=1e-7)
    # AdaGrad's first step is alpha (s = g**2)
    opt = optim.adagrad(0.3)
    new, _ = opt.update(params, g, opt.init(params))
    assert new["W"][0] == pytest.approx(-0.3, rel=1e-7)


# ---------------------------------------------------------------- purity and bookkeeping


@pytest.mark.parametrize("name", ALL)
def test_inputs_are_not_modified_and_the_state_is_new(name):
    params, grads = two_params()
    params_copy = {k: v.copy() for k, v in params.items()}
    grads_copy = {k: v.copy() for k, v in grads[0].items()}
    opt = optim.make(name, 0.1)
    state = opt.init(params)
    state_copy = {k: ({n: a.copy() for n, a in v.items()} if isinstance(v, dict) else v) for k, v in state.items()}
    new, new_state = opt.update(params, grads[0], state)
    for k in params:
        np.testing.assert_array_equal(params[k], params_copy[k])
        np.testing.assert_array_equal(grads[0]["d" + k], grads_copy["d" + k])
        assert not np.shares_memory(new[k], params[k])
    for k, v in state.items():
        if isinstance(v, dict):
            for n in v:
                np.testing.assert_array_equal(v[n], state_copy[k][n])
        else:
            assert v == state_copy[k]
    assert new is not params and new_state is not state
    # the same inputs give the same outputs: a replay from a saved state is exact
    again, _ = opt.update(params, grads[0], state)
    for k in params:
        np.testing.assert_array_equal(again[k], new[k])


@pytest.mark.parametrize("name", ALL)
def test_a_parameter_without_gradient_is_carried_over(name):
    params, grads = two_params()
    params["running_mean1"] = np.arange(3.0).reshape(3, 1)
    opt = optim.make(name, 0.1)
    new, _ = run(opt, params, grads)
    np.testing.assert_array_equal(new["running_mean1"], params["running_mean1"])
    assert not np.allclose(new["W1"], params["W1"])


@pytest.mark.parametrize("name", ALL)
def test_elementwise_on_stacked_and_vector_params(name):
    rng = np.random.default_rng(3)
    stack = {"W1": rng.standard_normal((4, 3, 2))}
    grads = [{"dW1": rng.standard_normal((4, 3, 2))} for _ in range(3)]
    together, _ = run(optim.make(name, 0.05), stack, grads)
    for k in range(4):
        alone, _ = run(optim.make(name, 0.05), {"W1": stack["W1"][k]}, [{"dW1": g["dW1"][k]} for g in grads])
        np.testing.assert_allclose(together["W1"][k], alone["W1"], rtol=1e-13)
    point, _ = run(optim.make(name, 0.05), {"xy": np.array([1.0, -1.0])}, [{"dxy": np.array([0.3, 0.2])}])
    assert point["xy"].shape == (2,)


def test_learning_rate_schedule_gets_the_update_count():
    seen = []

    def schedule(t):
        seen.append(t)
        return 0.1 / (1 + t)

    params = {"W": np.array([0.0])}
    opt = optim.gd(schedule)
    new, _ = run(opt, params, [{"dW": np.array([1.0])}] * 3)
    assert seen == [0, 1, 2]
    assert new["W"][0] == pytest.approx(-(0.1 + 0.05 + 0.1 / 3))
    adam = optim.adam(lambda t: np.float64(0.01))
    run(adam, params, [{"dW": np.array([1.0])}])


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("learning_rate", [-0.1, 0.0, float("nan"), float("inf"), "0.1", True])
def test_bad_learning_rate(name, learning_rate):
    with pytest.raises(ValueError, match="learning_rate"):
        optim.make(name, learning_rate)


@pytest.mark.parametrize("ctor, kw", [
    (optim.momentum, {"beta": 1.0}), (optim.momentum, {"beta": -0.1}), (optim.nesterov, {"beta": 1.5}),
    (optim.rmsprop, {"beta": 1.0}), (optim.adam, {"beta1": 1.0}), (optim.adam, {"beta2": -0.001}),
])
def test_beta_outside_zero_one(ctor, kw):
    with pytest.raises(ValueError, match=next(iter(kw)) + r" must be in \[0, 1\)"):
        ctor(0.1, **kw)


def test_beta_nan():
    with pytest.raises(ValueError, match="beta2 must be finite"):
        optim.adam(0.1, beta2=float("nan"))


@pytest.mark.parametrize("ctor", [optim.adagrad, optim.rmsprop, optim.adam])
@pytest.mark.parametrize("epsilon", [0.0, -1e-8])
def test_epsilon_must_be_positive(ctor, epsilon):
    with pytest.raises(ValueError, match="epsilon"):
        ctor(0.1, epsilon=epsilon)


def test_beta_zero_is_allowed():
    optim.momentum(0.1, beta=0.0)
    optim.adam(0.1, beta1=0.0, beta2=0.0)


def test_schedule_returning_a_negative_alpha():
    opt = optim.gd(lambda t: -0.1)
    params = {"W": np.zeros(1)}
    with pytest.raises(ValueError, match="schedule"):
        opt.update(params, {"dW": np.ones(1)}, opt.init(params))


@pytest.mark.parametrize("name", ALL)
def test_grads_that_do_not_match_params(name):
    params, grads = two_params()
    opt = optim.make(name, 0.1)
    state = opt.init(params)
    with pytest.raises(ValueError, match=r"shape of params\['W1'\]"):
        opt.update(params, {"dW1": np.zeros((2, 3))}, state)
    with pytest.raises(ValueError, match="has no parameter"):
        opt.update(params, {"dw1": np.zeros((3, 2))}, state)


def test_make_rejects_unknown_names():
    with pytest.raises(ValueError, match="name must be one of"):
        optim.make("sgd_with_magic", 0.1)


# ---------------------------------------------------------------- conventions and Nesterov's look-ahead


def test_other_momentum_conventions_are_a_rescaled_learning_rate():
    lr, beta = 0.02, 0.9
    surface = surfaces.get("quadratic")
    start = np.array([-1.5, 1.6])
    ours = surfaces.replay(surface, optim.momentum(lr / (1 - beta), beta), start, 60).points
    w, v = start.copy(), np.zeros(2)  # v = beta v + g, W -= lr v
    u, x = np.zeros(2), start.copy()  # v = mu v - lr g, W += v
    for t in range(60):
        v = beta * v + surface.grad(w)
        w = w - lr * v
        u = beta * u - lr * surface.grad(x)
        x = x + u
        np.testing.assert_allclose(ours[t + 1], w, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(ours[t + 1], x, rtol=1e-10, atol=1e-13)


def test_nesterov_is_the_look_ahead_method():
    # Classic form: u = mu u - lr grad(x + mu u); x = x + u. Its look-ahead points x + mu u are
    # the points of the EWA form with learning_rate = lr / (1 - mu).
    lr, mu = 0.001, 0.9
    surface = surfaces.get("rosenbrock")
    start = np.array([-1.2, 1.0])
    run_ = surfaces.replay(surface, optim.nesterov(lr / (1 - mu), mu), start, 80)
    assert not run_.diverged
    ours = run_.points
    x, u = start.copy(), np.zeros(2)
    for t in range(80):
        u = mu * u - lr * surface.grad(x + mu * u)
        x = x + u
        np.testing.assert_allclose(ours[t + 1], x + mu * u, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- known minima from a fixed start

START = (-1.5, 1.6)
PARABOLA = {  # name -> (optimizer, step budget)
    "gd": (optim.gd(0.9), 100),
    "momentum": (optim.momentum(2.0, beta=0.5), 50),
    "nesterov": (optim.nesterov(2.0, beta=0.7), 50),
    "adagrad": (optim.adagrad(1.0), 50),
    "rmsprop": (optim.rmsprop(0.01, beta=0.9), 300),
    "adam": (optim.adam(0.2, beta1=0.5), 50),
}
ROSENBROCK = {
    "gd": (optim.gd(0.002), 7000),
    "momentum": (optim.momentum(0.02, beta=0.9), 800),
    "nesterov": (optim.nesterov(0.02, beta=0.95), 800),
    "adagrad": (optim.adagrad(2.0), 2000),
    "rmsprop": (optim.rmsprop(0.002, beta=0.9), 6500),
    "adam": (optim.adam(0.02, beta2=0.99), 1500),
}


@pytest.mark.parametrize("surface, settings", [("quadratic", PARABOLA), ("rosenbrock", ROSENBROCK)])
@pytest.mark.parametrize("name", ALL)
def test_reaches_the_known_minimum(surface, settings, name):
    opt, budget = settings[name]
    s = surfaces.get(surface)
    run_ = surfaces.replay(s, opt, START, budget)
    assert not run_.diverged
    reached = surfaces.steps_to_reach(s, run_, tol=1e-2)
    assert reached is not None, f"{name} ends at {run_.points[-1]} on {surface}"
    np.testing.assert_allclose(run_.points[-1], s.minima[0], atol=1e-2)


# ---------------------------------------------------------------- with the network


@pytest.mark.parametrize("name", ALL)
def test_fit_with_every_optimizer_lowers_the_cost(name):
    X, Y = data.make_moons(120, 0.2, seed=1)
    params = model.init_params([2, 5, 1], seed=0)
    lr = {"gd": 0.3, "momentum": 0.3, "nesterov": 0.3, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01}[name]
    _, history = model.fit(X, Y, params, optim.make(name, lr), num_epochs=30, mini_batch_size=32)
    assert history["cost"][-1] < 0.8 * history["cost"][0]


def test_fit_with_batchnorm_keeps_running_averages_out_of_the_optimizer():
    X, Y = data.make_moons(100, 0.2, seed=0)
    params = model.init_params([2, 4, 1], seed=0, batchnorm=True)
    trained, _ = model.fit(X, Y, params, optim.adam(0.01), num_epochs=3, mini_batch_size=50)
    assert not np.allclose(trained["running_mean1"], params["running_mean1"])  # updated by fit's EWA only


# ---------------------------------------------------------------- the exercise's checker


def correct_adam_step(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon):
    v = beta1 * v + (1 - beta1) * dW
    s = beta2 * s + (1 - beta2) * dW**2
    v_corrected = v / (1 - beta1**t)
    s_corrected = s / (1 - beta2**t)
    return W - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon), v, s


def test_check_adam_step_accepts_the_reference():
    assert optim.check_adam_step(correct_adam_step).startswith("correct")


@pytest.mark.parametrize("mistake, message", [
    ("inside", "epsilon is inside the square root"),
    ("no_correction", "no bias correction"),
    ("no_sqrt", "square root of s_hat is missing"),
    ("uphill", "goes uphill"),
    ("no_one_minus", "factors are missing"),
    ("other", "differs from the reference"),
])
def test_check_adam_step_names_the_mistake(mistake, message):
    def wrong(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon):
        v_new = beta1 * v + (1 - beta1) * dW
        s_new = beta2 * s + (1 - beta2) * dW**2
        v_hat, s_hat = v_new / (1 - beta1**t), s_new / (1 - beta2**t)
        if mistake == "inside":
            return W - learning_rate * v_hat / np.sqrt(s_hat + epsilon), v_new, s_new
        if mistake == "no_correction":
            return W - learning_rate * v_new / (np.sqrt(s_new) + epsilon), v_new, s_new
        if mistake == "no_sqrt":
            return W - learning_rate * v_hat / (s_hat + epsilon), v_new, s_new
        if mistake == "uphill":
            return W + learning_rate * v_hat / (np.sqrt(s_hat) + epsilon), v_new, s_new
        if mistake == "no_one_minus":
            v2, s2 = beta1 * v + dW, beta2 * s + dW**2
            return W - learning_rate * (v2 / (1 - beta1**t)) / (np.sqrt(s2 / (1 - beta2**t)) + epsilon), v2, s2
        return W - 2 * learning_rate * v_hat / (np.sqrt(s_hat) + epsilon), v_new, s_new

    with pytest.raises(ValueError, match=message):
        optim.check_adam_step(wrong)


def test_check_adam_step_reports_bad_returns_and_in_place_changes():
    with pytest.raises(ValueError, match="tuple"):
        optim.check_adam_step(lambda W, dW, v, s, t, **kw: W)

    def in_place(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon):
        W_new, v_new, s_new = correct_adam_step(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon)
        W -= 0
        v[...] = v_new
        return W_new, v_new, s_new

    with pytest.raises(ValueError, match="in place"):
        optim.check_adam_step(in_place)
    with pytest.raises(ValueError, match="raised"):
        optim.check_adam_step(lambda *a, **k: 1 / 0)
