"""helpers.optim: each rule against its formula written out, Adam's epsilon, validation, purity,
the other momentum conventions, runs to the known minima of a parabola and of Rosenbrock,
hyperparameters that broadcast over stacked networks, extreme gradients, AdamW and clipping.
(The chapter-7 exercise checker and its tests live in helpers/optimizers.py and its tests.)"""

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
    with pytest.raises(ValueError, match=next(iter(kw)) + r": got .*, expected a number in \[0, 1\)"):
        ctor(0.1, **kw)


def test_beta_nan():
    with pytest.raises(ValueError, match="beta2: got nan, expected a finite number"):
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
    with pytest.raises(ValueError, match=r"grads\['dw1'\]: got a key with no parameter"):
        opt.update(params, {"dw1": np.zeros((3, 2))}, state)


def test_make_rejects_unknown_names():
    with pytest.raises(ValueError, match="name: got .*, expected one of"):
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


# ---------------------------------------------------------------- hyperparameters over a stack of networks

KNOBS = {"gd": (), "momentum": ("beta",), "nesterov": ("beta",), "adagrad": ("epsilon",),
         "rmsprop": ("beta", "epsilon"), "adam": ("beta1", "beta2", "epsilon"),
         "adamw": ("beta1", "beta2", "epsilon", "weight_decay")}
VALUES = {"learning_rate": [0.01, 0.05, 0.2], "beta": [0.0, 0.5, 0.9], "beta1": [0.5, 0.8, 0.9],
          "beta2": [0.9, 0.99, 0.999], "epsilon": [1e-8, 1e-3, 0.1], "weight_decay": [0.0, 0.1, 1.0]}


@pytest.mark.parametrize("name", ALL + ["adamw"])
def test_array_hyperparameters_train_each_network_as_if_alone(name):
    rng = np.random.default_rng(7)
    K = 3
    stack = {"W1": rng.standard_normal((K, 4, 2)), "b1": rng.standard_normal((K, 4, 1)), "xy": rng.standard_normal((K, 2))}
    grads = [{"d" + k: rng.standard_normal(v.shape) for k, v in stack.items()} for _ in range(4)]
    knobs = {k: np.array(VALUES[k]) for k in ("learning_rate",) + KNOBS[name]}
    together, _ = run(optim.make(name, **knobs), stack, grads)
    for k in range(K):
        alone_knobs = {key: float(value[k]) for key, value in knobs.items()}
        alone, _ = run(optim.make(name, **alone_knobs), {p: v[k] for p, v in stack.items()},
                       [{g: v[k] for g, v in gs.items()} for gs in grads])
        for p in stack:
            np.testing.assert_allclose(together[p][k], alone[p], rtol=1e-13, atol=1e-15)


def test_a_schedule_may_return_one_rate_per_network():
    rates = np.array([0.1, 0.2])
    opt = optim.gd(lambda t: rates / (1 + t))
    params = {"W": np.zeros((2, 3, 1))}
    new, _ = run(opt, params, [{"dW": np.ones((2, 3, 1))}] * 2)
    np.testing.assert_allclose(new["W"][:, 0, 0], -(rates + rates / 2))


def test_a_hyperparameter_array_that_does_not_match_the_stack():
    opt = optim.adam(np.array([0.1, 0.2, 0.3]))
    params = {"W1": np.zeros((2, 3, 1))}
    with pytest.raises(ValueError, match=r"learning_rate: got shape \(3,\) against params\['W1'\] of shape \(2, 3, 1\)"):
        opt.update(params, {"dW1": np.ones((2, 3, 1))}, opt.init(params))


@pytest.mark.parametrize("ctor, kw, message", [
    (optim.gd, {"learning_rate": np.array([0.1, -0.1])}, r"learning_rate\[1\]: got -0.1, expected a number in \(0, inf\]"),
    (optim.gd, {"learning_rate": np.array([0.1, np.nan])}, r"learning_rate\[1\]: got nan, expected a finite number"),
    (optim.gd, {"learning_rate": [0.1, True]}, r"learning_rate\[1\]: got True \(a bool\), expected a number"),
    (optim.gd, {"learning_rate": np.array([True, False])}, r"learning_rate\[0\]: got True \(a bool\), expected a number"),
    (optim.gd, {"learning_rate": np.array(["0.1", "0.2"])}, r"learning_rate\[0\]: got '0.1' \(a str\), expected a number"),
    (optim.gd, {"learning_rate": np.array([0.1, None])}, r"learning_rate\[1\]: got None, expected a number"),
    (optim.gd, {"learning_rate": np.array([])}, r"learning_rate: got an empty array"),
    (optim.gd, {"learning_rate": None}, r"learning_rate: got None, expected a number"),
    (optim.momentum, {"learning_rate": 0.1, "beta": np.array([[0.5, 1.0]])}, r"beta\[0, 1\]: got 1.0, expected a number in \[0, 1\)"),
    (optim.adam, {"learning_rate": 0.1, "beta2": [0.9, "0.99"]}, r"beta2\[1\]: got '0.99' \(a str\), expected a number in \[0, 1\), e.g. 0.99 without quotes"),
    (optim.rmsprop, {"learning_rate": 0.1, "epsilon": np.array([1e-8, 0.0])}, r"epsilon\[1\]: got 0.0, expected a number in \(0, inf\]"),
    (optim.adamw, {"learning_rate": 0.1, "weight_decay": np.array([0.1, -1.0])}, r"weight_decay\[1\]: got -1.0, expected a number in \[0, inf\]"),
    (optim.adamw, {"learning_rate": 0.1, "weight_decay": "0.1"}, r"weight_decay: got '0.1' \(a str\), expected a number"),
])
def test_array_hyperparameters_are_checked_element_by_element(ctor, kw, message):
    with pytest.raises(ValueError, match=message):
        ctor(**kw)


def test_a_schedule_returning_a_bad_array():
    opt = optim.gd(lambda t: np.array([0.1, -0.1]))
    params = {"W": np.zeros((2, 1))}
    with pytest.raises(ValueError, match=r"learning_rate\(0\)\[1\] \(the schedule's value at update 0\): got -0.1, expected"):
        opt.update(params, {"dW": np.ones((2, 1))}, opt.init(params))


def test_array_hyperparameters_are_copied():
    rates = np.array([0.1, 0.2])
    opt = optim.gd(rates)
    rates[0] = -5.0  # a later change of the caller's array does not reach the optimizer
    params = {"W": np.zeros(2)}
    new, _ = opt.update(params, {"dW": np.ones(2)}, opt.init(params))
    np.testing.assert_allclose(new["W"], [-0.1, -0.2])


# ---------------------------------------------------------------- extreme gradients


@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam", "adamw"])
@pytest.mark.parametrize("size", [1e160, 1e200, 1e300, -1e300])
def test_huge_gradients_do_not_freeze_a_parameter(name, size):
    # Warnings are errors in this suite: g**2 must not overflow.
    # short memories (betas 0.5) so that the test sees the huge gradient forgotten in 2000 steps
    opt = optim.make(name, 0.01, beta=0.5, beta1=0.5, beta2=0.5)
    params = {"W": np.array([1.0, 1.0])}
    state = opt.init(params)
    params, state = opt.update(params, {"dW": np.array([size, 1.0])}, state)
    assert all(np.all(np.isfinite(s)) for s in state["s"].values())
    # the scale-free rules step by about alpha, as for any gradient
    assert abs(params["W"][0] - 1.0) == pytest.approx(0.01, rel=0.5)
    before = params["W"].copy()
    for _ in range(2000):
        params, state = opt.update(params, {"dW": np.array([1.0, 1.0])}, state)
    assert np.all(np.isfinite(params["W"]))
    if name != "adagrad":  # RMSProp's and Adam's averages forget the huge gradient: W moves again
        assert before[0] - params["W"][0] > 1.0
    else:  # AdaGrad's sum remembers it for ever (as in exact arithmetic), but stays finite
        assert state["s"]["W"][0] <= optim.S_MAX


# ---------------------------------------------------------------- AdamW


def test_adamw_with_no_decay_is_adam():
    params, grads = two_params()
    a, _ = run(optim.adam(0.05, beta1=0.7, beta2=0.99), params, grads)
    w, _ = run(optim.adamw(0.05, beta1=0.7, beta2=0.99, weight_decay=0.0), params, grads)
    for k in params:
        np.testing.assert_array_equal(a[k], w[k])


def test_adamw_formula_decays_weights_not_biases():
    alpha, wd, beta1, beta2, eps = 0.05, 0.3, 0.8, 0.99, 1e-6
    params, grads = two_params()
    new, _ = run(optim.adamw(alpha, beta1, beta2, eps, weight_decay=wd), params, grads)
    W, v, s = params["W1"], 0.0, 0.0
    for t, g in enumerate([gr["dW1"] for gr in grads], start=1):
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g**2
        W = W - alpha * ((v / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps) + wd * W)
    np.testing.assert_allclose(new["W1"], W, rtol=1e-12)
    adam_b, _ = run(optim.adam(alpha, beta1, beta2, eps), params, grads)
    np.testing.assert_array_equal(new["b1"], adam_b["b1"])


def test_adamw_is_not_adam_with_an_l2_gradient():
    # With a zero data gradient, AdamW shrinks W by exactly (1 - alpha wd) per step; Adam given the
    # L2 gradient wd W instead normalises it away and steps by about alpha, whatever the size of W.
    alpha, wd = 0.01, 0.1
    params = {"W": np.array([100.0, 1.0])}
    w_state, a_state = optim.adamw(alpha, weight_decay=wd).init(params), optim.adam(alpha).init(params)
    w, a = dict(params), dict(params)
    for _ in range(10):
        w, w_state = optim.adamw(alpha, weight_decay=wd).update(w, {"dW": np.zeros(2)}, w_state)
        a, a_state = optim.adam(alpha).update(a, {"dW": wd * a["W"]}, a_state)
    np.testing.assert_allclose(w["W"], params["W"] * (1 - alpha * wd) ** 10, rtol=1e-12)
    np.testing.assert_allclose(params["W"] - a["W"], 10 * alpha, rtol=1e-2)


def test_make_knows_adamw():
    assert "adamw" in optim.VARIANTS and "adamw" not in optim.OPTIMIZERS
    params, grads = two_params()
    a, _ = run(optim.make("adamw", 0.05, weight_decay=0.2), params, grads)
    b, _ = run(optim.adamw(0.05, weight_decay=0.2), params, grads)
    np.testing.assert_array_equal(a["W1"], b["W1"])


# ---------------------------------------------------------------- gradient clipping


def test_clip_by_norm_rescales_only_long_gradients():
    grads = {"dW1": np.array([[3.0, 0.0]]), "db1": np.array([[4.0]])}  # norm 5
    assert optim.global_norm(grads) == pytest.approx(5.0)
    clipped = optim.clip_by_norm(grads, 1.0)
    np.testing.assert_allclose(clipped["dW1"], [[0.6, 0.0]])
    np.testing.assert_allclose(clipped["db1"], [[0.8]])
    assert optim.global_norm(clipped) == pytest.approx(1.0)
    same = optim.clip_by_norm(grads, 10.0)
    np.testing.assert_array_equal(same["dW1"], grads["dW1"])
    assert grads["dW1"][0, 0] == 3.0  # not modified


def test_clip_by_norm_per_network_and_huge_values():
    grads = {"dW1": np.array([[[3.0]], [[30.0]]]), "db1": np.array([[[4.0]], [[40.0]]])}  # norms 5, 50
    np.testing.assert_allclose(optim.global_norm(grads, stack_ndim=1), [5.0, 50.0])
    clipped = optim.clip_by_norm(grads, np.array([10.0, 10.0]))
    np.testing.assert_allclose(clipped["dW1"].ravel(), [3.0, 6.0])
    huge = {"dW": np.array([3e200, 4e200])}
    assert optim.global_norm(huge) == pytest.approx(5e200)
    np.testing.assert_allclose(optim.clip_by_norm(huge, 1.0)["dW"], [0.6, 0.8])


@pytest.mark.parametrize("grads, max_norm, message", [
    ({"dW": np.ones(2)}, 0.0, r"max_norm: got 0.0, expected a number in \(0, inf\]"),
    ({"dW": np.ones(2)}, "1", r"max_norm: got '1' \(a str\), expected a number"),
    ({}, 1.0, "grads: got an empty dict, expected a non-empty dict"),
    ({"dW": np.array([np.nan])}, 1.0, r"grads\['dW'\]: got 1 NaN or inf value\(s\).*expected finite numbers"),
])
def test_clip_by_norm_bad_inputs(grads, max_norm, message):
    with pytest.raises(ValueError, match=message):
        optim.clip_by_norm(grads, max_norm)


@pytest.mark.parametrize("name", ALL + ["adamw"])
def test_empty_grads_and_params_that_are_not_a_dict(name):
    params, _ = two_params()
    opt = optim.make(name, 0.1)
    with pytest.raises(ValueError, match="grads: got an empty dict"):
        opt.update(params, {}, opt.init(params))
    with pytest.raises(ValueError, match="params: got a list"):
        opt.init([params["W1"], params["b1"]])
    with pytest.raises(ValueError, match=r"grads\['W1'\]: got a key with no parameter.*name it 'dW1'"):
        opt.update(params, {"W1": params["W1"]}, opt.init(params))


def test_adamw_rejects_a_missing_weight_decay():
    with pytest.raises(ValueError, match="weight_decay: got None"):
        optim.adamw(0.1, weight_decay=None)


def test_adam_is_the_formula_bit_for_bit():
    # Stored notebook outputs depend on Adam's exact operation order: alpha * v_hat first, then
    # the division (the order of the formula and of every earlier version of this module).
    params, grads = two_params()
    new, _ = run(optim.adam(0.05, beta1=0.7, beta2=0.99, epsilon=1e-6), params, grads)
    W, v, s = params["W1"], 0.0, 0.0
    for t, g in enumerate([gr["dW1"] for gr in grads], start=1):
        v = 0.7 * v + (1 - 0.7) * g
        s = 0.99 * s + (1 - 0.99) * g * g
        W = W - 0.05 * (v / (1 - 0.7**t)) / (np.sqrt(s / (1 - 0.99**t)) + 1e-6)
    np.testing.assert_array_equal(new["W1"], W)


@pytest.mark.parametrize("name", ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
def test_update_without_the_check_takes_the_same_step(name):
    # check=False (what model.fit uses after its first update) skips only the validation of grads
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((3, 4, 2)), "b1": np.zeros((3, 4, 1))}
    opt = optim.make(name, np.array([0.1, 0.01, 0.001]), beta=np.array([0.5, 0.9, 0.0]), beta2=np.array([0.9, 0.99, 0.999]))
    checked = unchecked = params
    state_checked = state_unchecked = opt.init(params)
    for _ in range(3):
        grads = {"dW1": rng.standard_normal((3, 4, 2)), "db1": rng.standard_normal((3, 4, 1))}
        checked, state_checked = opt.update(checked, grads, state_checked)
        unchecked, state_unchecked = opt.update(unchecked, grads, state_unchecked, check=False)
    assert all(np.array_equal(checked[k], unchecked[k]) for k in params)
    assert state_checked["t"] == state_unchecked["t"] == 3
    with pytest.raises(ValueError, match="grads"):  # the default still checks
        opt.update(params, {"dW1": np.zeros((3, 2, 4))}, opt.init(params))
