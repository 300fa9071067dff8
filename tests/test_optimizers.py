"""Chapter 7: the measurements of helpers.optimizers and the exercise checkers."""

import numpy as np
import pytest

from helpers import optim, optimizers, surfaces


# ---------------------------------------------------------------- measurements


def test_escape_rate_is_one_plus_alpha_for_gd_and_the_characteristic_root_for_momentum():
    assert optimizers.escape_rate(optim.gd(0.1)) == pytest.approx(1.1, rel=1e-12)
    # momentum on dy = -y: u' = beta u + (1 - beta) y, y' = y + alpha u'  ->  (r - 1)(r - beta) = alpha (1 - beta) r
    alpha, beta = 0.1, 0.9
    b = 1 + beta + alpha * (1 - beta)
    r = (b + np.sqrt(b**2 - 4 * beta)) / 2
    assert optimizers.escape_rate(optim.momentum(alpha, beta=beta)) == pytest.approx(r, rel=1e-6)
    assert optimizers.escape_rate(optim.momentum(alpha, beta=beta)) < 1 + alpha


def test_escape_rate_validates():
    with pytest.raises(ValueError, match="optimizer"):
        optimizers.escape_rate("gd")
    with pytest.raises(ValueError, match="num_steps"):
        optimizers.escape_rate(optim.gd(10.0), num_steps=1000)


def test_effective_learning_rates():
    g = np.array([2.0, -1.0, 0.5, 3.0])
    np.testing.assert_allclose(optimizers.effective_learning_rates(optim.gd(0.3), g), 0.3)
    adagrad = optimizers.effective_learning_rates(optim.adagrad(0.1, epsilon=1e-8), g)
    np.testing.assert_allclose(adagrad, 0.1 / (np.sqrt(np.cumsum(g**2)) + 1e-8), rtol=1e-12)
    with pytest.raises(ValueError, match="nonzero"):
        optimizers.effective_learning_rates(optim.gd(0.1), [1.0, 0.0])


def test_adam_efficient_form_is_the_bias_corrected_step():
    rng = np.random.default_rng(3)
    params = {"W": rng.standard_normal(4)}
    opt = optim.adam(0.01, beta1=0.8, beta2=0.99, epsilon=1e-6)
    state = opt.init(params)
    for t in range(1, 8):
        new, state = opt.update(params, {"dW": rng.standard_normal(4)}, state)
        lr_t = optimizers.adam_efficient_learning_rate(0.01, 0.8, 0.99, t)
        step = lr_t * state["v"]["W"] / (np.sqrt(state["s"]["W"]) + 1e-6 * np.sqrt(1 - 0.99**t))
        np.testing.assert_allclose(params["W"] - step, new["W"], rtol=1e-12, atol=1e-15)
        params = new
    assert optimizers.adam_efficient_learning_rate(1.0, 0.9, 0.999, 1) == pytest.approx(np.sqrt(0.001) / 0.1)
    with pytest.raises(ValueError, match="t"):
        optimizers.adam_efficient_learning_rate(0.01, 0.9, 0.999, 0)
    with pytest.raises(ValueError, match="beta2"):
        optimizers.adam_efficient_learning_rate(0.01, 0.9, 1.0, 1)


# ---------------------------------------------------------------- the momentum exercise


def _momentum(W, dW, v, learning_rate, beta):
    v = beta * v + (1 - beta) * dW
    return W - learning_rate * v, v


def test_check_momentum_step():
    assert optimizers.check_momentum_step(_momentum).passed

    def stub(W, dW, v, learning_rate, beta):
        raise NotImplementedError("write it")

    def summed(W, dW, v, learning_rate, beta):
        v = beta * v + dW
        return W - learning_rate * v, v

    def old_v(W, dW, v, learning_rate, beta):
        return W - learning_rate * v, beta * v + (1 - beta) * dW

    def uphill(W, dW, v, learning_rate, beta):
        v = beta * v + (1 - beta) * dW
        return W + learning_rate * v, v

    def only_w(W, dW, v, learning_rate, beta):
        return W - learning_rate * dW

    def in_place(W, dW, v, learning_rate, beta):
        v *= beta
        v += (1 - beta) * dW
        W -= learning_rate * v
        return W, v

    assert optimizers.check_momentum_step(stub).status == "not written"
    for fn, word in [(in_place, "in place"), (summed, "convention"), (old_v, "old v"), (uphill, "uphill"), (only_w, "tuple")]:
        result = optimizers.check_momentum_step(fn)
        assert result.status == "failed" and word in result.message, (fn.__name__, result)


# ---------------------------------------------------------------- the RMSProp exercise


def _rmsprop(W, dW, s, learning_rate, beta, epsilon, inside=False, old_s=False, summed=False):
    s_new = s + dW**2 if summed else beta * s + (1 - beta) * dW**2
    root = np.sqrt((s if old_s else s_new) + epsilon) if inside else np.sqrt(s if old_s else s_new) + epsilon
    return W - learning_rate * dW / root, s_new


def test_check_rmsprop_step():
    def via_optim(W, dW, s, learning_rate, beta, epsilon):
        opt = optim.rmsprop(learning_rate, beta, epsilon)
        new, state = opt.update({"W": W}, {"dW": dW}, {"t": 0, "s": {"W": s}})
        return new["W"], state["s"]["W"]

    assert optimizers.check_rmsprop_step(_rmsprop).passed and optimizers.check_rmsprop_step(via_optim).passed
    assert optimizers.check_rmsprop_step(lambda *a, **k: None).status == "not written"
    for kwargs, word in [(dict(inside=True), "convention"), (dict(old_s=True), "old s"), (dict(summed=True), "AdaGrad")]:
        result = optimizers.check_rmsprop_step(lambda *a, kw=kwargs, **k: _rmsprop(*a, **k, **kw))
        assert result.status == "failed" and word in result.message, (word, result)

    def in_place(W, dW, s, learning_rate, beta, epsilon):
        s *= beta
        s += (1 - beta) * dW**2
        return W - learning_rate * dW / (np.sqrt(s) + epsilon), s

    result = optimizers.check_rmsprop_step(in_place)
    assert result.status == "failed" and "caller's s in place" in result.message, result


# ---------------------------------------------------------------- the Adam exercise


def _adam(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon, inside=False, correct=True, keep_hat=False,
          shift=0, correct_s=True):
    v = beta1 * v + (1 - beta1) * dW
    s = beta2 * s + (1 - beta2) * dW**2
    v_hat, s_hat = (v / (1 - beta1 ** (t + shift)), s / (1 - beta2 ** (t + shift))) if correct else (v, s)
    s_hat = s_hat if correct_s else s
    denominator = np.sqrt(s_hat + epsilon) if inside else np.sqrt(s_hat) + epsilon
    W = W - learning_rate * v_hat / denominator
    return (W, v_hat, s_hat) if keep_hat else (W, v, s)


def test_check_adam_step_reference_and_optim_agree():
    assert optimizers.check_adam_step(_adam).passed

    def via_optim(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon):
        opt = optim.adam(learning_rate, beta1, beta2, epsilon)
        new, state = opt.update({"W": W}, {"dW": dW}, {"t": t - 1, "v": {"W": v}, "s": {"W": s}})
        return new["W"], state["v"]["W"], state["s"]["W"]

    assert optimizers.check_adam_step(via_optim).passed


def test_check_adam_step_names_the_mistakes():
    def stub(*args, **kwargs):
        raise NotImplementedError

    cases = [
        (lambda *a, **k: _adam(*a, **k, inside=True), "inside the square root"),
        (lambda *a, **k: _adam(*a, **k, correct=False), "no bias correction"),
        (lambda *a, **k: _adam(*a, **k, keep_hat=True), "uncorrected"),
        (lambda *a, **k: _adam(*a, **k, shift=1), "uses t + 1"),
        (lambda *a, **k: _adam(*a, **k, correct_s=False), "only v is bias-corrected"),
        (lambda W, dW, v, s, t, **hyper: (W, v), "tuple"),
        (lambda W, dW, v, s, t, **hyper: (W.T, v, s), "shape"),
        (lambda W, dW, v, s, t, **hyper: 1 / 0, "ZeroDivisionError"),
    ]
    assert optimizers.check_adam_step(stub).status == "not written"
    for fn, word in cases:
        result = optimizers.check_adam_step(fn)
        assert result.status == "failed" and word in result.message, (word, result)
    inside = optimizers.check_adam_step(lambda *a, **k: _adam(*a, **k, inside=True))
    assert "convention" in inside.message and "t = 1" in inside.message


# the playground settings of notebook 07's "every optimizer reaches the minimum" table, at the table's beta values
PLAYGROUND_SETTINGS = {
    "quadratic": {"gd": (0.9, {}, 100), "momentum": (2.0, {"beta": 0.5}, 50), "nesterov": (2.0, {"beta": 0.7}, 50),
                  "adagrad": (1.0, {}, 50), "rmsprop": (0.01, {"beta": 0.9}, 300), "adam": (0.2, {"beta1": 0.5}, 50)},
    "rosenbrock": {"gd": (0.002, {}, 7000), "momentum": (0.02, {"beta": 0.9}, 800),
                   "nesterov": (0.02, {"beta": 0.95}, 800), "adagrad": (2.0, {}, 2000),
                   "rmsprop": (0.002, {"beta": 0.9}, 6500), "adam": (0.02, {"beta2": 0.99}, 1500)},
}
LR_GRID = sorted({m * 10.0 ** e for e in range(-4, 1) for m in (1, 2, 5)} | {1.0, 2.0, 3.0})


def test_playground_settings_are_near_the_best_of_a_learning_rate_grid():
    """Notebook 07: each setting reaches the minimum within its budget in at most twice the steps of the best
    learning rate of the grid 1e-4, 2e-4, 5e-4, ..., 2, 3 (same beta, same budget); ten of the twelve need no more."""
    start, ratios = (-1.5, 1.6), []
    for surface_name, settings in PLAYGROUND_SETTINGS.items():
        s = surfaces.get(surface_name)
        for name, (lr, kwargs, budget) in settings.items():
            def steps(alpha):
                return surfaces.steps_to_reach(s, surfaces.replay(s, getattr(optim, name)(alpha, **kwargs), start, budget),
                                               tol=1e-2)
            on_grid = [k for k in map(steps, LR_GRID) if k is not None]
            chosen = steps(lr)
            assert on_grid and chosen is not None, (surface_name, name)
            ratios.append(chosen / min(on_grid))
    assert max(ratios) <= 2.0, ratios
    assert sum(r <= 1.0 for r in ratios) >= 10, ratios
