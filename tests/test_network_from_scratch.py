"""Chapter 0: the reference steps, and every checker against right, unwritten and wrong attempts."""

import numpy as np
import pytest

from helpers import data, model, optim
from helpers import network_from_scratch as nfs


# ---------------------------------------------------------------- solutions as a learner writes them


def initialize_parameters(layer_dims, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * np.sqrt(2 / layer_dims[l - 1])
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


def linear_activation_forward(A_prev, W, b, activation):
    Z = W @ A_prev + b
    A = np.maximum(Z, 0) if activation == "relu" else 1 / (1 + np.exp(-Z))
    return A, ((A_prev, W, b), Z)


def model_forward(X, params):
    L = len(params) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, params[f"W{l}"], params[f"b{l}"], "relu" if l < L else "sigmoid")
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)


def linear_activation_backward(dA, cache, activation):
    (A_prev, W, b), Z = cache
    if activation == "relu":
        dZ = dA * (Z > 0)
    else:
        s = 1 / (1 + np.exp(-Z))
        dZ = dA * s * (1 - s)
    return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)


def model_backward(AL, Y, caches):
    L, m = len(caches), Y.shape[1]
    dA = -(Y / AL - (1 - Y) / (1 - AL)) / m
    grads = {}
    for l in range(L, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1],
                                                                          "sigmoid" if l == L else "relu")
    return grads


def update_parameters(params, grads, learning_rate):
    return {k: v - learning_rate * grads[f"d{k}"] for k, v in params.items()}


def predict(X, params):
    AL, _ = model_forward(X, params)
    return (AL > 0.5).astype(float)


def stub(*args, **kwargs):
    raise NotImplementedError("write this function")


SOLUTIONS = {
    "initialize_parameters": initialize_parameters,
    "linear_activation_forward": linear_activation_forward,
    "model_forward": model_forward,
    "compute_cost": compute_cost,
    "linear_activation_backward": linear_activation_backward,
    "model_backward": model_backward,
    "update_parameters": update_parameters,
    "predict": predict,
}


def checker(name):
    return getattr(nfs, f"check_{name}")


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_the_learners_solution_and_the_reference_pass(name):
    assert checker(name)(SOLUTIONS[name]).passed, checker(name)(SOLUTIONS[name])
    assert checker(name)(getattr(nfs, name)).passed


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_the_stub_is_not_written(name):
    result = checker(name)(stub)
    assert result.status == "not written" and not result.passed
    assert checker(name)(lambda *a, **k: None).status == "not written"


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_a_learners_exception_is_reported_not_raised(name):
    def broken(*args, **kwargs):
        return 1 / 0

    result = checker(name)(broken)
    assert result.status == "failed" and "ZeroDivisionError" in result.message


def fails_with(name, attempt, *words):
    result = checker(name)(attempt)
    assert result.status == "failed", result
    for word in words:
        assert word in result.message, result.message
    return result


# ---------------------------------------------------------------- realistic mistakes, one test per exercise


def test_initialize_parameters_mistakes():
    def transposed(layer_dims, seed=0):
        p = initialize_parameters(layer_dims, seed)
        return {k: (v.T if k.startswith("W") else v) for k, v in p.items()}

    def small_scale(layer_dims, seed=0):
        rng = np.random.default_rng(seed)
        return {k: v for l in range(1, len(layer_dims)) for k, v in (
            (f"W{l}", rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * 0.01),
            (f"b{l}", np.zeros((layer_dims[l], 1))))}

    def flat_bias(layer_dims, seed=0):
        p = initialize_parameters(layer_dims, seed)
        return {k: (v.ravel() if k.startswith("b") else v) for k, v in p.items()}

    def misses_last_layer(layer_dims, seed=0):
        p = initialize_parameters(layer_dims, seed)
        L = len(layer_dims) - 1
        return {k: v for k, v in p.items() if k not in (f"W{L}", f"b{L}")}

    def legacy_rng(layer_dims, seed=0):
        np.random.seed(seed)
        return {k: v for l in range(1, len(layer_dims)) for k, v in (
            (f"W{l}", np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])),
            (f"b{l}", np.zeros((layer_dims[l], 1))))}

    fails_with("initialize_parameters", transposed, "W1", "W1.T")
    fails_with("initialize_parameters", small_scale, "scale", "sqrt(2 / n[l-1])")
    fails_with("initialize_parameters", flat_bias, "b1", "(4, 1)")
    fails_with("initialize_parameters", misses_last_layer, "no W2", "range(1, len(layer_dims))")

    def xavier(layer_dims, seed=0):
        rng = np.random.default_rng(seed)
        return {k: v for l in range(1, len(layer_dims)) for k, v in (
            (f"W{l}", rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * np.sqrt(1 / layer_dims[l - 1])),
            (f"b{l}", np.zeros((layer_dims[l], 1))))}

    def own_size(layer_dims, seed=0):
        rng = np.random.default_rng(seed)
        return {k: v for l in range(1, len(layer_dims)) for k, v in (
            (f"W{l}", rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * np.sqrt(2 / layer_dims[l])),
            (f"b{l}", np.zeros((layer_dims[l], 1))))}

    fails_with("initialize_parameters", xavier, "Xavier", "sqrt(2 / n[l-1])")
    fails_with("initialize_parameters", own_size, "sqrt(2 / n[l])", "own size")
    fails_with("initialize_parameters", legacy_rng, "default_rng")


def test_linear_activation_forward_mistakes():
    def no_bias(A_prev, W, b, activation):
        return linear_activation_forward(A_prev, W, np.zeros_like(b), activation)[0], ((A_prev, W, b), W @ A_prev + b)

    def sigmoid_sign(A_prev, W, b, activation):
        Z = W @ A_prev + b
        return (np.maximum(Z, 0) if activation == "relu" else 1 / (1 + np.exp(Z))), ((A_prev, W, b), Z)

    def no_activation(A_prev, W, b, activation):
        Z = W @ A_prev + b
        return Z, ((A_prev, W, b), Z)

    def cache_with_A(A_prev, W, b, activation):
        A, (linear_cache, Z) = linear_activation_forward(A_prev, W, b, activation)
        return A, (linear_cache, A)

    fails_with("linear_activation_forward", no_bias, "without b")
    fails_with("linear_activation_forward", sigmoid_sign, "minus sign")
    fails_with("linear_activation_forward", no_activation, "not applied")
    fails_with("linear_activation_forward", cache_with_A, "cache's Z")


def test_model_forward_mistakes():
    def misses_last_layer(X, params):
        L = len(params) // 2
        A, caches = X, []
        for l in range(1, L):
            A, cache = linear_activation_forward(A, params[f"W{l}"], params[f"b{l}"], "relu")
            caches.append(cache)
        return A, caches

    def relu_output(X, params):
        L = len(params) // 2
        A, caches = X, []
        for l in range(1, L + 1):
            A, cache = linear_activation_forward(A, params[f"W{l}"], params[f"b{l}"], "relu")
            caches.append(cache)
        return A, caches

    def all_sigmoid(X, params):
        L = len(params) // 2
        A, caches = X, []
        for l in range(1, L + 1):
            A, cache = linear_activation_forward(A, params[f"W{l}"], params[f"b{l}"], "sigmoid")
            caches.append(cache)
        return A, caches

    fails_with("model_forward", misses_last_layer, "caches has 2 entries", "range(1, L + 1)")
    fails_with("model_forward", relu_output, "relu(Z[L])")
    fails_with("model_forward", all_sigmoid, "hidden layers use relu")


def test_compute_cost_mistakes():
    fails_with("compute_cost", lambda AL, Y: float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))),
               "not divided by m")
    fails_with("compute_cost", lambda AL, Y: float(np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))), "minus sign")
    fails_with("compute_cost", lambda AL, Y: float(-np.mean(Y * np.log(AL))), "(1 - Y) log(1 - AL)")
    fails_with("compute_cost", lambda AL, Y: -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL), keepdims=True),
               "shape (1, 1)")


def test_linear_activation_backward_mistakes():
    def transposed_dW(dA, cache, activation):
        dA_prev, dW, db = linear_activation_backward(dA, cache, activation)
        return dA_prev, dW.T, db

    def notes_convention(dA, cache, activation):  # 1/m again in the layer backward
        dA_prev, dW, db = linear_activation_backward(dA, cache, activation)
        m = dA.shape[1]
        return dA_prev, dW / m, db / m

    def flat_db(dA, cache, activation):
        dA_prev, dW, db = linear_activation_backward(dA, cache, activation)
        return dA_prev, dW, db.ravel()

    def no_derivative(dA, cache, activation):
        (A_prev, W, b), Z = cache
        return W.T @ dA, dA @ A_prev.T, np.sum(dA, axis=1, keepdims=True)

    def returns_dZ(dA, cache, activation):
        (A_prev, W, b), Z = cache
        _, dW, db = linear_activation_backward(dA, cache, activation)
        dZ = dA * (Z > 0) if activation == "relu" else None
        return dZ, dW, db

    fails_with("linear_activation_backward", transposed_dW, "dW has the shape of W.T")
    fails_with("linear_activation_backward", notes_convention, "db is 1/m times", "applied twice")
    fails_with("linear_activation_backward", flat_db, "keepdims=True")
    fails_with("linear_activation_backward", no_derivative, "derivative of relu is missing")
    fails_with("linear_activation_backward", returns_dZ, "dA_prev = W.T dZ")


def test_model_backward_mistakes():
    def no_one_over_m(AL, Y, caches):
        grads = model_backward(AL, Y, caches)
        return {k: v * Y.shape[1] for k, v in grads.items()}

    def wrong_sign(AL, Y, caches):
        L, m = len(caches), Y.shape[1]
        dA = (Y / AL - (1 - Y) / (1 - AL)) / m
        grads = {}
        for l in range(L, 0, -1):
            dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1],
                                                                              "sigmoid" if l == L else "relu")
        return grads

    def relu_everywhere(AL, Y, caches):
        L, m = len(caches), Y.shape[1]
        dA = -(Y / AL - (1 - Y) / (1 - AL)) / m
        grads = {}
        for l in range(L, 0, -1):
            dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1], "relu")
        return grads

    def off_by_one(AL, Y, caches):
        grads = model_backward(AL, Y, caches)
        grads.pop("dW1"), grads.pop("db1")
        return grads

    fails_with("model_backward", no_one_over_m, "dW3 is m times", "1/m is missing")
    fails_with("model_backward", wrong_sign, "dW3 has the opposite sign")
    fails_with("model_backward", relu_everywhere, "dW3", "relu's derivative in the output layer")
    fails_with("model_backward", off_by_one, "missing dW1")


def test_update_parameters_mistakes():
    fails_with("update_parameters", lambda p, g, a: {k: v + a * g[f"d{k}"] for k, v in p.items()}, "against the gradient")
    fails_with("update_parameters", lambda p, g, a: {k: v - g[f"d{k}"] for k, v in p.items()}, "learning rate")
    fails_with("update_parameters", lambda p, g, a: {k: (v - a * g[f"d{k}"] if k[0] == "W" else v) for k, v in p.items()},
               "b1 did not change")


def test_predict_mistakes():
    fails_with("predict", lambda X, p: model_forward(X, p)[0], "probabilities")
    fails_with("predict", lambda X, p: (model_forward(X, p)[0] > 0.5).astype(float).ravel(), "(1, m) row")
    fails_with("predict", lambda X, p: (model_forward(X, p)[0] < 0.5).astype(float), "flipped")


# ---------------------------------------------------------------- the reference steps


def test_the_steps_assemble_into_model_fit():
    X, Y = data.make_moons(60, 0.2, seed=0)
    params = nfs.initialize_parameters([2, 5, 3, 1], seed=4)
    start = dict(params)
    for _ in range(25):
        AL, caches = nfs.model_forward(X, params)
        grads = nfs.model_backward(AL, Y, caches)
        params = nfs.update_parameters(params, grads, 0.5)
    fitted, history = model.fit(X, Y, start, optim.gd(0.5), num_epochs=26)
    for k in params:
        np.testing.assert_allclose(params[k], model.fit(X, Y, start, optim.gd(0.5), num_epochs=25)[0][k], rtol=1e-9,
                                   atol=1e-12)
    # the cost of the 26th epoch is the cost of the parameters after 25 steps
    assert nfs.compute_cost(nfs.model_forward(X, params)[0], Y) == pytest.approx(history["cost"][-1], rel=1e-9)
    np.testing.assert_array_equal(nfs.predict(X, params), model.predict(X, params))


def test_reference_backward_matches_a_numerical_gradient():
    X, Y = data.make_moons(8, 0.3, seed=1)
    params = nfs.initialize_parameters([2, 3, 1], seed=0)

    def J(p):
        return nfs.compute_cost(nfs.model_forward(X, p)[0], Y)

    AL, caches = nfs.model_forward(X, params)
    grads = nfs.model_backward(AL, Y, caches)
    for k, v in params.items():
        numeric = np.zeros_like(v)
        for i in np.ndindex(v.shape):
            plus, minus = dict(params), dict(params)
            plus[k], minus[k] = v.copy(), v.copy()
            plus[k][i] += 1e-6
            minus[k][i] -= 1e-6
            numeric[i] = (J(plus) - J(minus)) / 2e-6
        np.testing.assert_allclose(grads[f"d{k}"], numeric, atol=1e-7)


@pytest.mark.parametrize("call, words", [
    (lambda: nfs.linear_activation_forward(np.ones((3, 5)), np.ones((4, 2)), np.zeros((4, 1)), "relu"), "A_prev"),
    (lambda: nfs.linear_activation_forward(np.ones((2, 5)), np.ones((4, 2)), np.zeros(4), "relu"), r"b: got shape \(4,\)"),
    (lambda: nfs.linear_activation_forward(np.ones((2, 5)), np.ones((4, 2)), np.zeros((4, 1)), "tanh"), "activation"),
    (lambda: nfs.model_forward(np.ones((5, 2)), nfs.initialize_parameters([2, 3, 1])), "pass X.T"),
    (lambda: nfs.model_forward(np.ones((2, 5)), {"W1": np.ones((3, 2))}), "no b1"),
    (lambda: nfs.compute_cost(np.array([[0.0, 0.5]]), np.array([[0.0, 1.0]])), "strictly between 0 and 1"),
    (lambda: nfs.compute_cost(np.array([[0.2, 0.5]]), np.array([[0.0], [1.0]])), "Y"),
    (lambda: nfs.linear_activation_backward(np.ones((3, 5)), "cache", "relu"), "cache: got"),
    (lambda: nfs.model_backward(np.array([[0.2, 0.5]]), np.array([[0.0, 1.0]]), []), "caches"),
    (lambda: nfs.update_parameters({"W1": np.ones((1, 1))}, {"dW1": np.ones((1, 1))}, -0.1), "learning_rate"),
    (lambda: nfs.update_parameters(nfs.initialize_parameters([2, 1]), {"dW1": np.ones((1, 2))}, 0.1), "db1"),
    (lambda: nfs.compute_cost(np.full((2, 3), 0.5), np.zeros((2, 3))), r"AL: got shape \(2, 3\)"),
])
def test_bad_input_is_a_clear_value_error(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_grid_marks_divergence_and_names_its_keys():
    grid = nfs.train_grid(learning_rates=(0.1, 30.0), widths=(8,), depths=(2,), m=40, dev_size=40, num_epochs=30,
                          grid_n=5)
    ok, blown = grid[(0.1, 8, 2)], grid[(30.0, 8, 2)]
    assert not ok["diverged"] and ok["proba"].shape == (25,) and 0 <= ok["dev_accuracy"] <= 1
    assert np.all(np.isfinite(ok["cost"])) and ok["cost"][-1] < ok["cost"][0]
    assert blown["diverged"] and blown["proba"] is None and np.isnan(blown["cost"][-1])
    with pytest.raises(ValueError, match="learning_rates"):
        grid[(1.0, 8, 2)]
    with pytest.raises(ValueError, match="widths"):
        nfs.train_grid(widths=(0,))


def test_the_widget_status_follows_the_run():
    from helpers.widgets import network_from_scratch as widget

    assert widget.status({"diverged": True, "cost": np.array([0.7, np.nan])}) == "diverged"
    assert widget.status({"diverged": False, "cost": np.array([0.693, 0.6931])}).startswith("stuck")
    assert widget.status({"diverged": False, "cost": np.array([0.7, 0.3])}) == ""


def test_the_widget_flags_a_network_stuck_at_chance_but_not_a_slow_one():
    # Both on the experiment's moons and initialization: [2, 2, 2, 1] at alpha 1 ends at 50 % with the
    # cost flat at log 2 (its cost fell from ~1.0, so "the cost did not fall" misses it); [2, 4, 1] at
    # alpha 0.001 ends at 52.5 %, near chance too, but its cost still falls (~1.3 % in the last quarter).
    from helpers.widgets import network_from_scratch as widget

    grid = nfs.train_grid(learning_rates=(0.001, 1.0), widths=(2, 4), depths=(1, 2), grid_n=5)
    stuck, slow = grid[(1.0, 2, 2)], grid[(0.001, 4, 1)]
    assert stuck["cost"][-1] < stuck["cost"][0] - 0.1 and stuck["train_accuracy"] == stuck["chance_accuracy"] == 0.5
    assert widget.status(stuck).startswith("stuck at chance")
    assert abs(slow["train_accuracy"] - 0.5) <= widget.STUCK_POINTS
    assert widget.status(slow) == ""
    assert widget.status(grid[(1.0, 4, 2)]) == ""   # a network that trains well


def test_checkers_name_more_learner_mistakes():
    # Mistakes met doing the exercises as a learner: each gets its own sentence, not a generic "is wrong".
    def np_max_relu(A_prev, W, b, activation):
        Z = W @ A_prev + b
        return (np.max(Z, 0) if activation == "relu" else 1 / (1 + np.exp(-Z))), ((A_prev, W, b), Z)

    def tanh_output(A_prev, W, b, activation):
        Z = W @ A_prev + b
        return (np.maximum(0, Z) if activation == "relu" else np.tanh(Z)), ((A_prev, W, b), Z)

    def log_AL_twice(AL, Y):
        return float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(AL)))

    def relu_at_dA(dA, cache, activation):
        (A_prev, W, b), Z = cache
        dZ = dA * (dA > 0) if activation == "relu" else dA / (1 + np.exp(-Z)) * (1 - 1 / (1 + np.exp(-Z)))
        return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)

    def backward(dAL, activation_of):
        def attempt(AL, Y, caches):
            L, dA, grads = len(caches), dAL(AL, Y), {}
            for l in range(L, 0, -1):
                dA, grads[f"dW{l}"], grads[f"db{l}"] = nfs.linear_activation_backward(dA, caches[l - 1], activation_of(l, L))
            return grads
        return attempt

    right_dAL = lambda AL, Y: -(Y / AL - (1 - Y) / (1 - AL)) / Y.shape[1]
    dZ_as_dA = backward(lambda AL, Y: (AL - Y) / Y.shape[1], lambda l, L: "sigmoid" if l == L else "relu")
    all_sigmoid = backward(right_dAL, lambda l, L: "sigmoid")

    def in_place(params, grads, learning_rate):
        for k in params:
            params[k] -= learning_rate * grads["d" + k]
        return params

    def db_takes_dW(params, grads, learning_rate):
        return {k: v - learning_rate * grads["dW" + k[1:]] for k, v in params.items()}

    fails_with("linear_activation_forward", np_max_relu, "np.maximum(0, Z)")
    fails_with("linear_activation_forward", tanh_output, "tanh")
    fails_with("compute_cost", log_AL_twice, "log(1 - AL)")
    fails_with("linear_activation_backward", relu_at_dA, "taken at Z")
    fails_with("model_backward", dZ_as_dA, "dZ[L]", "-(Y / AL")
    fails_with("model_backward", all_sigmoid, "hidden layer 2", "relu")
    fails_with("update_parameters", in_place, "in place", "new dict")
    fails_with("update_parameters", db_takes_dW, "b1", "db1")
