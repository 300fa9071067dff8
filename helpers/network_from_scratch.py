"""Chapter 0: a deep network from scratch, one step at a time.

The chapter's learner writes the steps of the source notes' L-layer network: initialization,
the layer forward (linear then sigmoid or ReLU), the L-layer forward, the cross-entropy cost, the
layer backward, the L-layer backward, the gradient-descent update and the prediction. This module
holds the reference for each step, in the interface the chapter teaches, and one checker per
exercise (the contract of :mod:`helpers.exercises`).

The references are thin: they call the course's core (:mod:`helpers.layers`, :mod:`helpers.model`,
:mod:`helpers.optim`), so chapter 0 and every later chapter run on the same code.

Conventions of the chapter (the course's own, stated once here):

- a layer's cache is ``((A_prev, W, b), Z)``: the *linear cache* and the *activation cache* of
  the source notes;
- every ``d``-quantity is the true derivative of the cost ``J``, so the cost's ``1/m`` enters once,
  at the output: ``dA[L] = -(Y / A[L] - (1 - Y) / (1 - A[L])) / m``. The layer backward then reads
  ``dW = dZ A_prev^T`` and ``db = sum(dZ)``, with no ``1/m`` of its own. (The source notes put the
  ``1/m`` in the layer backward instead and leave it out of ``dA[L]``: the gradients are the same.)
- hidden layers use ReLU, the output layer a sigmoid; weights start with He's scale
  ``sqrt(2 / n[l-1])``, drawn in order ``W1, W2, ...`` from ``np.random.default_rng(seed)``.
"""

from __future__ import annotations

import numpy as np

from dataclasses import dataclass, field

from . import data, exercises, layers, model, optim, plots
from .exercises import Mistake
from .validate import (as_float_array, check_choice, check_grads, check_labels, check_number, check_params, check_X,
                       describe, error)

__all__ = [
    "initialize_parameters",
    "linear_activation_forward",
    "model_forward",
    "compute_cost",
    "linear_activation_backward",
    "model_backward",
    "update_parameters",
    "predict",
    "Grid",
    "train_grid",
    "check_initialize_parameters",
    "check_linear_activation_forward",
    "check_model_forward",
    "check_compute_cost",
    "check_linear_activation_backward",
    "check_model_backward",
    "check_update_parameters",
    "check_predict",
]

ACTIVATIONS = ("relu", "sigmoid")


# ---------------------------------------------------------------- the reference steps


def initialize_parameters(layer_dims, seed=0):
    """He-initialized parameters for ``layer_dims = [n[0], ..., n[L]]``.

    ``W{l}`` ``(n[l], n[l-1])`` is ``rng.standard_normal((n[l], n[l-1])) * sqrt(2 / n[l-1])`` with
    ``rng = np.random.default_rng(seed)``, drawn in order ``W1, W2, ...``; ``b{l}`` ``(n[l], 1)`` is 0.
    The same as ``model.init_params(layer_dims, init="he", seed=seed)``.
    """
    return model.init_params(layer_dims, init="he", seed=seed)


def _check_layer(A_prev, W, b):
    W = as_float_array("W", W, ndim=2)
    A_prev = check_X(A_prev, n_x=W.shape[1], name="A_prev")
    if np.shape(b) != (W.shape[0], 1):
        fix = "pass b.T" if np.shape(b) == (1, W.shape[0]) else "b.reshape(-1, 1)"
        raise error("b", f"shape {np.shape(b)}", f"(n[l], 1) = ({W.shape[0]}, 1) to match W {W.shape}", fix)
    return A_prev, W, as_float_array("b", b, ndim=2)


def linear_activation_forward(A_prev, W, b, activation):
    """One layer: ``Z = W A_prev + b``, ``A = g(Z)`` with ``g`` ``"relu"`` or ``"sigmoid"``.

    ``A_prev`` ``(n[l-1], m)``, ``W`` ``(n[l], n[l-1])``, ``b`` ``(n[l], 1)``.
    Returns ``(A, cache)`` with ``A`` ``(n[l], m)`` and ``cache = ((A_prev, W, b), Z)``.
    """
    A_prev, W, b = _check_layer(A_prev, W, b)
    check_choice("activation", activation, ACTIVATIONS)
    Z, _ = layers.affine_forward(A_prev, W, b)
    A, _ = model.ACTIVATIONS[activation][0](Z)
    return A, ((A_prev, W, b), Z)


def model_forward(X, params):
    """The L-layer forward: ReLU in layers ``1..L-1``, sigmoid in layer ``L``.

    ``X`` ``(n[0], m)``; ``params`` holds ``W1, b1, ..., WL, bL``. Returns ``(AL, caches)``: ``AL``
    ``(1, m)`` the output probabilities, ``caches`` the ``L`` layer caches ``((A[l-1], W[l], b[l]), Z[l])``
    in order. The pass itself is the course's :func:`helpers.model.forward_pass`.
    """
    L = _check_params(params)
    fwd = model.forward_pass(X, params, hidden="relu")
    caches = [((fwd.A[l - 1], params[f"W{l}"], params[f"b{l}"]), fwd.Z[l]) for l in range(1, L + 1)]
    return layers.sigmoid(fwd.Z[L]), caches


def _check_probabilities(AL, Y):
    AL = as_float_array("AL", AL, ndim=2)
    if AL.size == 0 or np.any(AL <= 0) or np.any(AL >= 1):
        got = f"values in [{AL.min():.3g}, {AL.max():.3g}]" if AL.size else "an empty array"
        raise error("AL", got, "probabilities strictly between 0 and 1 (sigmoid outputs)")
    if AL.shape[0] != 1:
        raise error("AL", f"shape {AL.shape}", "(1, m): one output unit", "pass AL.T" if AL.shape[1] == 1 else None)
    Y = check_labels(Y, m=AL.shape[1], n_classes=1)
    return AL, Y


def compute_cost(AL, Y):
    """``J = -1/m sum(Y log AL + (1 - Y) log(1 - AL))`` as a float.

    ``AL`` ``(1, m)`` in (0, 1), ``Y`` ``(1, m)`` of 0/1. Computed by the course's stable
    :func:`helpers.layers.binary_cross_entropy` from the logits ``log(AL / (1 - AL))``.
    """
    AL, Y = _check_probabilities(AL, Y)
    J, _ = layers.binary_cross_entropy(np.log(AL) - np.log1p(-AL), Y)
    return float(J)


def linear_activation_backward(dA, cache, activation):
    """One layer backward: ``dZ = dA * g'(Z)``; ``dW = dZ A_prev^T``; ``db = sum(dZ)``; ``dA_prev = W^T dZ``.

    ``cache = ((A_prev, W, b), Z)`` from :func:`linear_activation_forward`; ``dA`` ``(n[l], m)``
    already carries the cost's ``1/m``. Returns ``(dA_prev, dW, db)`` with the shapes of
    ``A_prev``, ``W`` and ``b``.
    """
    check_choice("activation", activation, ACTIVATIONS)
    try:
        (A_prev, W, b), Z = cache
    except (TypeError, ValueError):
        raise error("cache", describe(cache), "((A_prev, W, b), Z), as linear_activation_forward returns it") from None
    A_prev, W, b = _check_layer(A_prev, W, b)
    Z = as_float_array("Z", Z, ndim=2)
    dA = as_float_array("dA", dA, ndim=2)
    for name, value in (("Z", Z), ("dA", dA)):
        if value.shape != (W.shape[0], A_prev.shape[1]):
            raise error(name, f"shape {value.shape}", f"(n[l], m) = {(W.shape[0], A_prev.shape[1])}")
    act_forward, act_backward = model.ACTIVATIONS[activation]
    dZ = act_backward(dA, act_forward(Z)[1])
    return layers.affine_backward(dZ, (A_prev, W))


def model_backward(AL, Y, caches):
    """The L-layer backward from ``dA[L] = -(Y / AL - (1 - Y) / (1 - AL)) / m``.

    Through the output sigmoid that is ``dZ[L] = dA[L] AL (1 - AL) = (AL - Y) / m``; the rest is the
    course's :func:`helpers.model.backward_pass` over the layers whose caches are given.
    Returns ``grads`` with ``dW1, db1, ..., dWL, dbL`` (the shapes of ``W1, b1, ...``).
    """
    AL, Y = _check_probabilities(AL, Y)
    if not isinstance(caches, (list, tuple)) or not caches:
        raise error("caches", describe(caches), "the non-empty list of layer caches from model_forward")
    try:
        params = {f"{k}{l}": value for l, ((_, W, b), _) in enumerate(caches, start=1) for k, value in (("W", W), ("b", b))}
        X = caches[0][0][0]
    except (TypeError, ValueError):
        raise error("caches", "an entry that is not ((A_prev, W, b), Z)", "the caches model_forward returns") from None
    _check_params(params)
    fwd = model.forward_pass(X, params, hidden="relu")
    return model.backward_pass((AL - Y) / AL.shape[1], fwd, params, hidden="relu").grads


def update_parameters(params, grads, learning_rate):
    """One step of gradient descent, ``W := W - alpha dW`` for every parameter (a new dict).

    The rule itself is :func:`helpers.optim.gd`.
    """
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    _check_params(params)
    check_grads(grads, params)
    step = optim.gd(learning_rate)
    new_params, _ = step.update(params, grads, step.init(params))
    return new_params


def predict(X, params):
    """Labels ``(1, m)``: 1 where the network's ``AL > 0.5``, else 0 (``model.predict``)."""
    return model.predict(X, params, hidden="relu")


def _check_params(params):
    # A plain network (no batch norm): exactly W1, b1, ..., WL, bL of matching shapes.
    L = check_params(params)
    if any(str(k).startswith("gamma") for k in params):
        raise error("params", "batch-norm keys (gamma, beta, ...)", "W1, b1, ..., WL, bL only (chapter 0's network)")
    if params["W1"].ndim != 2:
        raise error("W1", f"shape {params['W1'].shape}", "(n[1], n[0]): one network, not a stack")
    return L


# ---------------------------------------------------------------- checkers: shared pieces


def _sample_params(layer_dims, seed):
    """Parameters with non-zero biases, so that a forgotten ``+ b`` shows."""
    rng = np.random.default_rng(seed + 100)
    params = initialize_parameters(layer_dims, seed=seed)
    for l in range(1, len(layer_dims)):
        params[f"b{l}"] = rng.normal(0, 0.3, params[f"b{l}"].shape)
    return params


def _sample_layer(n_prev=4, n=3, m=5, seed=0):
    rng = np.random.default_rng(seed)
    A_prev = rng.standard_normal((n_prev, m))
    W = rng.standard_normal((n, n_prev)) * 0.8
    b = rng.normal(0, 0.5, (n, 1))
    return A_prev, W, b


def _same(a, b, rtol=1e-6, atol=1e-9):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=rtol, atol=atol)


def _ratio(got, expected):
    """``got / expected`` when ``got`` is a constant multiple of ``expected``, else None."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return None
    scale = np.sum(got * expected) / max(np.sum(expected * expected), 1e-300)
    return float(scale) if _same(got, scale * expected) else None


def _describe_factor(name, got, expected, m):
    """A sentence for the usual factor mistakes (``1/m`` twice or missing, a sign), or None."""
    factor = _ratio(got, expected)
    if factor is None:
        return None
    if np.isclose(factor, -1.0):
        return f"{name} has the opposite sign of the expected"
    if np.isclose(factor, 1.0 / m):
        return (f"{name} is 1/m times the expected (m = {m}): the 1/m is applied twice; in this course dA already "
                f"carries the cost's 1/m, so the layer backward has none (the source notes put it there instead)")
    if np.isclose(factor, float(m)):
        return f"{name} is m times the expected (m = {m}): the 1/m is missing"
    return f"{name} is {factor:.3g} times the expected"


def _expect_grad(name, got, expected, m, shape_of, where=""):
    got = exercises.expect_array(name, got)
    if got.shape != expected.shape:
        if got.ndim == 2 and got.shape == expected.shape[::-1] and got.shape != expected.shape:
            raise Mistake(f"{name} has the shape of {shape_of}.T, {got.shape}: it must have the shape of {shape_of}, "
                          f"{expected.shape}{where}")
        raise Mistake(f"{name} has shape {got.shape}, expected {expected.shape} (the shape of {shape_of}){where}")
    if not _same(got, expected):
        sentence = _describe_factor(name, got, expected, m)
        if sentence:
            raise Mistake(sentence + where)
        if where.startswith("; "):
            exercises.expect_close(name, got, expected, hint=where[2:])
        else:
            exercises.expect_close(name + where, got, expected)


# ---------------------------------------------------------------- 1. initialization


@exercises.checker("initialize_parameters")
def check_initialize_parameters(attempt):
    """Compare ``initialize_parameters(layer_dims, seed)`` with the reference on a 2-layer and a 4-layer net."""
    for layer_dims in ([3, 4, 1], [5, 4, 3, 2, 1]):
        got = exercises.call(attempt, list(layer_dims), seed=1)
        expected = initialize_parameters(layer_dims, seed=1)
        L = len(layer_dims) - 1
        if isinstance(got, dict) and f"W{L}" not in got and f"W{L - 1}" in got:
            raise Mistake(f"for layer_dims {layer_dims} (L = {L} layers) there is no W{L}: loop l over "
                          f"range(1, len(layer_dims)), i.e. l = 1..L")
        exercises.expect_keys(f"the dict for layer_dims {layer_dims}", got, list(expected))
        for l in range(1, len(layer_dims)):
            W, b = got[f"W{l}"], got[f"b{l}"]
            exercises.expect_shape(f"W{l}", W, expected[f"W{l}"].shape,
                                   transposed_hint=f"it is W{l}.T: W[l] is (n[l], n[l-1])")
            b = exercises.expect_array(f"b{l}", b)
            if b.shape != expected[f"b{l}"].shape:
                hint = ": a column, np.zeros((n[l], 1))" if b.shape == (layer_dims[l],) else ""
                raise Mistake(f"b{l} has shape {b.shape}, expected {expected[f'b{l}'].shape}{hint}")
            if np.any(b != 0):
                raise Mistake(f"b{l} is not zero: biases start at 0 (only W breaks the symmetry)")
        for l in range(1, len(layer_dims)):
            W, ref = np.asarray(got[f"W{l}"], dtype=float), expected[f"W{l}"]
            if _same(W, ref):
                continue
            factor = _ratio(W, ref)
            if factor is not None:
                scale, n_prev, n = factor * np.sqrt(2 / layer_dims[l - 1]), layer_dims[l - 1], layer_dims[l]
                known = {"sqrt(1 / n[l-1]), Xavier's scale (for tanh)": np.sqrt(1 / n_prev),
                         "sqrt(2 / n[l]): the layer's own size, not its inputs'": np.sqrt(2 / n)}
                for what, value in known.items():
                    if n_prev != n and np.isclose(scale, value):
                        raise Mistake(f"W{l} has the right draw but the wrong scale, {what}; He's scale is "
                                      f"sqrt(2 / n[l-1]) = sqrt(2 / {n_prev}) = {np.sqrt(2 / n_prev):.3g}")
                raise Mistake(f"W{l} has the right draw but the wrong scale: it is multiplied by "
                              f"{factor * np.sqrt(2 / layer_dims[l - 1]):.3g}; He's scale is sqrt(2 / n[l-1]) = "
                              f"sqrt(2 / {layer_dims[l - 1]}) = {np.sqrt(2 / layer_dims[l - 1]):.3g}")
            if np.all(W == 0):
                raise Mistake(f"W{l} is all zeros: every unit of a layer would then stay the same (symmetry)")
            raise Mistake(f"W{l} differs from the reference draw at {layer_dims}: use rng = "
                          f"np.random.default_rng(seed) once, then rng.standard_normal((n[l], n[l-1])) * "
                          f"np.sqrt(2 / n[l-1]) for l = 1, 2, ... in order")
    return "shapes (n[l], n[l-1]) and (n[l], 1), He's scale, the same draw as model.init_params"


# ---------------------------------------------------------------- 2. one layer forward


def _expect_cache(cache, A_prev, W, b, Z, where):
    try:
        (c_A, c_W, c_b), c_Z = cache
    except (TypeError, ValueError):
        raise Mistake(f"the cache must be ((A_prev, W, b), Z){where}; got a {type(cache).__name__}") from None
    for name, got, want in (("A_prev", c_A, A_prev), ("W", c_W, W), ("b", c_b, b), ("Z", c_Z, Z)):
        if not _same(exercises.expect_array(f"the cache's {name}", got), want):
            raise Mistake(f"the cache's {name} is not {name}{where}: the cache is ((A_prev, W, b), Z)")


@exercises.checker("linear_activation_forward")
def check_linear_activation_forward(attempt):
    """Compare ``linear_activation_forward(A_prev, W, b, activation)`` for relu and sigmoid."""
    A_prev, W, b = _sample_layer()
    Z = W @ A_prev + b
    for activation in ("relu", "sigmoid"):
        got = exercises.call(attempt, A_prev, W, b, activation)
        if not isinstance(got, tuple) or len(got) != 2:
            raise Mistake(f"return (A, cache); got a {type(got).__name__}")
        A, cache = got
        expected, _ = linear_activation_forward(A_prev, W, b, activation)
        A_arr = exercises.expect_array(f"A ({activation})", A)
        if activation == "relu" and A_arr.shape != expected.shape and (_same(A_arr, np.max(Z, axis=0))
                                                                      or _same(A_arr, np.max(Z, axis=1))):
            raise Mistake(f"A (relu) has shape {A_arr.shape}: np.max(Z, 0) takes the largest entry along an axis; "
                          f"ReLU is np.maximum(0, Z), entry by entry")
        A = exercises.expect_shape(f"A ({activation})", A, expected.shape)
        if not _same(A, expected):
            relu_Z, sig_Z = np.maximum(Z, 0), layers.sigmoid(Z)
            other = {"relu": sig_Z, "sigmoid": relu_Z}[activation]
            if _same(A, Z):
                raise Mistake(f"A equals Z for activation={activation!r}: the activation is not applied")
            if _same(A, other):
                raise Mistake(f"activation={activation!r} returned {'sigmoid' if activation == 'relu' else 'relu'}(Z)")
            g = {"relu": lambda z: np.maximum(z, 0), "sigmoid": layers.sigmoid}[activation]
            if _same(A, g(W @ A_prev)):
                raise Mistake(f"A is g(W A_prev) without b ({activation}): Z = W A_prev + b")
            if activation == "sigmoid" and _same(A, 1 / (1 + np.exp(Z))):
                raise Mistake("sigmoid(Z) is 1 / (1 + exp(-Z)): the minus sign is missing")
            if activation == "sigmoid" and _same(A, np.tanh(Z)):
                raise Mistake("A is tanh(Z): the output layer uses the sigmoid, 1 / (1 + exp(-Z)), a probability in (0, 1)")
            exercises.expect_close(f"A ({activation})", A, expected)
        _expect_cache(cache, A_prev, W, b, Z, f" ({activation})")
    return "Z = W A_prev + b, then relu or sigmoid; the cache is ((A_prev, W, b), Z)"


# ---------------------------------------------------------------- 3. the L-layer forward


@exercises.checker("model_forward")
def check_model_forward(attempt):
    """Compare ``model_forward(X, params)`` with the reference on a 3-layer network."""
    layer_dims = [3, 5, 4, 1]
    params = _sample_params(layer_dims, seed=2)
    X = np.random.default_rng(3).standard_normal((3, 6))
    got = exercises.call(attempt, X, params)
    if not isinstance(got, tuple) or len(got) != 2:
        raise Mistake(f"return (AL, caches); got a {type(got).__name__}")
    AL, caches = got
    expected_AL, expected_caches = model_forward(X, params)
    if not isinstance(caches, (list, tuple)):
        raise Mistake(f"caches must be a list of the layers' caches; got a {type(caches).__name__}")
    if len(caches) != len(expected_caches):
        raise Mistake(f"caches has {len(caches)} entries for a network of L = {len(expected_caches)} layers: "
                      f"one cache per layer, l = 1..L (range(1, L + 1))")
    AL = exercises.expect_shape("AL", AL, expected_AL.shape)
    if not _same(AL, expected_AL):
        all_relu = np.maximum(expected_caches[-1][1], 0)
        A = X
        for l in range(1, 4):
            A = layers.sigmoid(params[f"W{l}"] @ A + params[f"b{l}"])
        if _same(AL, all_relu):
            raise Mistake("AL is relu(Z[L]): the output layer uses sigmoid, the hidden layers relu")
        if _same(AL, A):
            raise Mistake("AL matches a network with sigmoid in every layer: the hidden layers use relu")
        exercises.expect_close("AL", AL, expected_AL)
    for l, (cache, (linear_cache, Z)) in enumerate(zip(caches, expected_caches), start=1):
        _expect_cache(cache, *linear_cache, Z, f" in caches[{l - 1}] (layer {l})")
    return "relu in layers 1..L-1, sigmoid in layer L, one cache per layer"


# ---------------------------------------------------------------- 4. the cost


@exercises.checker("compute_cost")
def check_compute_cost(attempt):
    """Compare ``compute_cost(AL, Y)`` with the cross-entropy on two cases."""
    rng = np.random.default_rng(4)
    for m in (4, 7):
        AL = rng.uniform(0.05, 0.95, (1, m))
        Y = (rng.random((1, m)) < 0.5).astype(float)
        Y[0, :2] = (0.0, 1.0)  # both labels occur
        got = exercises.call(attempt, AL, Y)
        expected = compute_cost(AL, Y)
        if np.ndim(got) != 0:
            raise Mistake(f"the cost must be a number; got an array of shape {np.shape(got)} (use np.squeeze or "
                          f"float)")
        got = exercises.expect_array("the cost", got).item()
        if not np.isfinite(got):
            raise Mistake("the cost is not finite")
        if np.isclose(got, expected, rtol=1e-6):
            continue
        if np.isclose(got, -expected):
            raise Mistake("the cost is negative: J = -1/m sum(...), the minus sign is missing")
        if np.isclose(got, m * expected):
            raise Mistake(f"the cost is positive but not divided by m (it is m = {m} times the expected); m is the "
                          f"number of examples, the columns: Y.shape[1]")
        if np.isclose(got, -m * expected):
            raise Mistake("the cost is neither negated nor divided by m")
        one_term = -np.mean(Y * np.log(AL))
        other_term = -np.mean((1 - Y) * np.log(1 - AL))
        if np.isclose(got, one_term):
            raise Mistake("the (1 - Y) log(1 - AL) term is missing: only examples with y = 1 count")
        if np.isclose(got, other_term):
            raise Mistake("the Y log(AL) term is missing: only examples with y = 0 count")
        if np.isclose(got, -np.mean(np.log(AL))):
            raise Mistake("the second term uses log(AL): it is (1 - Y) log(1 - AL), the log-probability of y = 0")
        raise Mistake(f"the cost is {got:.6g}, expected {expected:.6g} (m = {m})")
    return "J = -1/m sum(Y log AL + (1 - Y) log(1 - AL)), a number"


# ---------------------------------------------------------------- 5. one layer backward


@exercises.checker("linear_activation_backward")
def check_linear_activation_backward(attempt):
    """Compare ``linear_activation_backward(dA, cache, activation)`` for relu and sigmoid."""
    A_prev, W, b = _sample_layer(n_prev=4, n=3, m=5, seed=5)
    m = A_prev.shape[1]
    dA = np.random.default_rng(6).standard_normal((3, m)) / m
    for activation in ("relu", "sigmoid"):
        _, cache = linear_activation_forward(A_prev, W, b, activation)
        got = exercises.call(attempt, dA, cache, activation)
        if not isinstance(got, tuple) or len(got) != 3:
            raise Mistake(f"return (dA_prev, dW, db); got a {type(got).__name__}")
        dA_prev, dW, db = got
        e_dA_prev, e_dW, e_db = linear_activation_backward(dA, cache, activation)
        where = f" ({activation})"
        db_arr = exercises.expect_array("db", db)
        if db_arr.shape == (e_db.shape[0],):
            raise Mistake(f"db has shape {db_arr.shape}, expected {e_db.shape}: keep the column, "
                          f"np.sum(dZ, axis=1, keepdims=True){where}")
        if db_arr.shape == (1, m):
            raise Mistake(f"db has shape (1, m): sum dZ over the examples, axis=1, not over the units{where}")
        Z = cache[1]
        wrong_dZ = None
        if activation == "sigmoid" and _same(db_arr, np.sum(dA * Z * (1 - Z), axis=1, keepdims=True)):
            wrong_dZ = "dZ = dA * s (1 - s) with s = sigmoid(Z), not Z (1 - Z)"
        if activation == "relu" and _same(db_arr, np.sum(dA * (dA > 0), axis=1, keepdims=True)):
            wrong_dZ = "ReLU's derivative is 1[Z > 0], taken at Z (from the cache), not at dA"
        if _same(db_arr, np.sum(dA, axis=1, keepdims=True)):
            wrong_dZ = f"db is sum(dA): dZ = dA * g'(Z), the derivative of {activation} is missing"
        if wrong_dZ:
            raise Mistake(wrong_dZ + where)
        _expect_grad("db", db_arr, e_db, m, "b", where)
        _expect_grad("dW", dW, e_dW, m, "W", where)
        dA_prev = exercises.expect_array("dA_prev", dA_prev)
        if dA_prev.shape == (W.shape[0], m) or (not _same(dA_prev, e_dA_prev) and dA_prev.shape == e_dA_prev.shape
                                               and _same(dA_prev, W.T @ dA)):
            raise Mistake(f"dA_prev = W.T dZ (the gradient of A_prev, shape (n[l-1], m)){where}")
        _expect_grad("dA_prev", dA_prev, e_dA_prev, m, "A_prev", where)
    return "dZ = dA g'(Z), dW = dZ A_prev.T, db = sum over examples, dA_prev = W.T dZ"


# ---------------------------------------------------------------- 6. the L-layer backward


@exercises.checker("model_backward")
def check_model_backward(attempt):
    """Compare ``model_backward(AL, Y, caches)`` with the course's backprop on a 3-layer network."""
    layer_dims = [3, 5, 4, 1]
    params = _sample_params(layer_dims, seed=7)
    rng = np.random.default_rng(8)
    m = 6
    X = rng.standard_normal((3, m))
    Y = np.array([[0, 1, 1, 0, 1, 0]], dtype=float)
    AL, caches = model_forward(X, params)
    got = exercises.call(attempt, AL, Y, caches)
    # The reference is the course's own backprop (helpers.model), not this module's loop.
    _, expected = model.cost_and_grads(X, Y, params, hidden="relu")
    exercises.expect_keys("grads", got, [f"d{k}{l}" for l in range(1, 4) for k in "Wb"])
    dAL = -(Y / AL - (1 - Y) / (1 - AL)) / m
    _, relu_dW, relu_db = linear_activation_backward(dAL, caches[-1], "relu")
    relu_output = {"W": relu_dW, "b": relu_db}
    _, dZ_as_dA, _ = linear_activation_backward((AL - Y) / m, caches[-1], "sigmoid")
    if isinstance(got.get("dW3"), np.ndarray) and _same(got["dW3"], dZ_as_dA):
        raise Mistake("dW3 comes from dA[L] = (AL - Y) / m, which is dZ[L], the gradient after the sigmoid: start "
                      "from dA[L] = -(Y / AL - (1 - Y) / (1 - AL)) / m and let the sigmoid's backward make dZ[L]")
    all_sigmoid, dA = {}, dAL
    for l in range(3, 0, -1):
        dA, all_sigmoid[f"dW{l}"], all_sigmoid[f"db{l}"] = linear_activation_backward(dA, caches[l - 1], "sigmoid")
    # Name the first wrong gradient from the output back, as backprop computes them.
    for l in range(3, 0, -1):
        for k in "Wb":
            name = f"d{k}{l}"
            if l == 3 and _same(got[name], relu_output[k]):
                raise Mistake(f"{name} uses relu's derivative in the output layer: layer L is a sigmoid, "
                              f"linear_activation_backward(dA, caches[L-1], 'sigmoid')")
            if l < 3 and _same(got[name], all_sigmoid[name]) and not _same(got[name], expected[name]):
                raise Mistake(f"{name} uses the sigmoid's derivative in hidden layer {l}: layers 1..L-1 are relu, "
                              f"linear_activation_backward(dA, caches[l-1], 'relu')")
            where = "; check dA[L] = -(Y / AL - (1 - Y) / (1 - AL)) / m" if l == 3 else ""
            _expect_grad(name, got[name], expected[name], m, f"{k}{l}", where)
    return "every dW[l] and db[l] agrees with the course's backprop"


# ---------------------------------------------------------------- 7. the update


@exercises.checker("update_parameters")
def check_update_parameters(attempt):
    """Compare ``update_parameters(params, grads, learning_rate)`` with one gradient-descent step."""
    params = _sample_params([3, 4, 1], seed=9)
    rng = np.random.default_rng(10)
    grads = {f"d{k}": rng.standard_normal(v.shape) for k, v in params.items()}
    alpha = 0.3
    before = {k: v.copy() for k, v in params.items()}
    # call_in_place: the learner's function gets the checker's own copy, so that a change in place shows.
    got = exercises.call_in_place(attempt, params, {k: v.copy() for k, v in grads.items()}, alpha)
    expected = update_parameters(before, grads, alpha)
    exercises.expect_keys("the returned dict", got, list(expected))
    changed = [k for k in params if not np.array_equal(params[k], before[k])]
    if changed:
        raise Mistake(f"the caller's {', '.join(changed)} changed in place (params[k] -= ...): build and return a new "
                      f"dict, so that the starting parameters stay as they were (chapter 0 trains again from them)")
    params = before
    for name in expected:
        shape = np.shape(got[name])
        if shape != expected[name].shape and name.startswith("b") and shape == grads["dW" + name[1:]].shape:
            raise Mistake(f"{name} has the shape of dW{name[1:]}, {shape}: {name} takes its own step, {name} - alpha d{name}")
        value = exercises.expect_shape(name, got[name], expected[name].shape)
        if _same(value, expected[name]):
            continue
        if _same(value, params[name]):
            raise Mistake(f"{name} did not change: update every W[l] and every b[l]")
        if _same(value, params[name] + alpha * grads[f"d{name}"]):
            raise Mistake(f"{name} moved along d{name}: a step goes against the gradient, {name} - alpha d{name}")
        if _same(value, params[name] - grads[f"d{name}"]):
            raise Mistake(f"{name} moved by the whole d{name}: multiply the gradient by the learning rate")
        exercises.expect_close(name, value, expected[name])
    return "W[l] := W[l] - alpha dW[l] and b[l] := b[l] - alpha db[l] for every layer"


# ---------------------------------------------------------------- 8. predict


@exercises.checker("predict")
def check_predict(attempt):
    """Compare ``predict(X, params)`` with the network's labels."""
    params = _sample_params([2, 6, 1], seed=11)
    X = np.random.default_rng(12).standard_normal((2, 40)) * 2
    got = exercises.call(attempt, X, params)
    expected = predict(X, params)
    got = exercises.expect_array("the predictions", got)
    if got.shape == (X.shape[1],):
        raise Mistake(f"the predictions have shape {got.shape}, expected {expected.shape}: keep the (1, m) row")
    got = exercises.expect_shape("the predictions", got, expected.shape)
    AL, _ = model_forward(X, params)
    if _same(got, AL):
        raise Mistake("the predictions are the probabilities AL: turn them into labels, 1 where AL > 0.5, else 0")
    if not np.all((got == 0) | (got == 1)):
        raise Mistake("the predictions must be labels 0 or 1")
    if _same(got, 1 - expected):
        raise Mistake("every prediction is flipped: 1 where AL > 0.5")
    wrong = int(np.sum(got != expected))
    if wrong:
        raise Mistake(f"{wrong} of {X.shape[1]} predictions differ from 1[AL > 0.5]")
    return "labels 1 where AL > 0.5, shape (1, m)"


# ---------------------------------------------------------------- the live experiment's grid


@dataclass
class Grid:
    """Networks trained by :func:`train_grid`, indexed by ``(learning_rate, width, depth)``.

    Each result holds ``cost`` (the training cost of every epoch, NaN after a divergence),
    ``diverged``, ``train_accuracy`` and ``dev_accuracy`` (None when diverged), ``chance_accuracy``
    (the majority class's share of the training labels: the accuracy of a network that says the same
    for every example) and ``proba`` (``P(y=1)`` on the ``grid_n x grid_n`` plot grid, None when
    diverged).
    """

    learning_rates: tuple
    widths: tuple
    depths: tuple
    num_epochs: int
    extent: tuple
    X: np.ndarray
    Y: np.ndarray
    X_dev: np.ndarray
    Y_dev: np.ndarray
    results: dict = field(default_factory=dict)

    def __getitem__(self, key):
        if key not in self.results:
            raise ValueError(f"no network trained for {key!r}; keys are (learning_rate, width, depth) with values from "
                             f"{self._axes()}")
        return self.results[key]

    def _axes(self):
        return f"learning_rates {self.learning_rates}, widths {self.widths}, depths {self.depths}"


def train_grid(learning_rates=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0), widths=(2, 4, 8, 16), depths=(1, 2, 3),
               m=200, noise=0.2, dev_size=500, num_epochs=200, grid_n=60, seed=0, progress=False):
    """Train ``[2, width] * depth + [1]`` ReLU networks by batch gradient descent on two moons.

    For every ``(width, depth)``, one initialization is trained at every learning rate at once (a
    stack of networks, one learning rate each, through ``optim.gd``), so that the learning rate is
    the only difference between them.
    """
    for name, values in (("widths", widths), ("depths", depths)):
        if not values or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in values):
            raise ValueError(f"{name} must be positive integers; got {values!r}")
    if not learning_rates or not all(isinstance(a, (int, float)) and np.isfinite(a) and a > 0 for a in learning_rates):
        raise ValueError(f"learning_rates must be positive numbers; got {learning_rates!r}")
    check_number("num_epochs", num_epochs, low=1, integer=True)
    check_number("grid_n", grid_n, low=2, integer=True)
    X, Y = data.make_moons(m, noise, seed=seed)
    X_dev, Y_dev = data.make_moons(dev_size, noise, seed=seed + 1000)
    points, extent = plots.decision_grid(np.array([[-1.6, 2.6], [-1.1, 1.6]]), n=grid_n, pad=0.0)
    grid = Grid(tuple(learning_rates), tuple(widths), tuple(depths), num_epochs, extent, X, Y, X_dev, Y_dev)
    alphas = np.array(learning_rates, dtype=float)
    chance = float(max(np.mean(Y), 1 - np.mean(Y)))
    jobs = [(w, d) for d in depths for w in widths]
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="training the grid", leave=False)
    for width, depth in jobs:
        init = model.init_params([2] + [width] * depth + [1], init="he", seed=seed)
        stack = model.stack_params([init] * len(alphas))
        trained, history = model.fit(X, Y, stack, optim.gd(alphas), num_epochs=num_epochs)
        cost = np.full((num_epochs, len(alphas)), np.nan)
        cost[: len(history["cost"])] = history["cost"]
        for k, alpha in enumerate(learning_rates):
            params = model.unstack_params(trained, k)
            finite = all(np.all(np.isfinite(v)) for v in params.values())
            ok = finite and not history["diverged"][k]
            curve = cost[:, k].copy()
            # model.fit's test of divergence; the curve stops where it first held (the other networks of
            # the stack kept training, and so did this one, but its run was over).
            blown = ~(curve <= 100 * max(curve[0], 1.0))
            if np.any(blown):
                curve[np.argmax(blown) + 1:] = np.nan
            grid.results[(alpha, width, depth)] = {
                "cost": curve,
                "diverged": not ok,
                "train_accuracy": float(model.accuracy(X, Y, params)) if ok else None,
                "dev_accuracy": float(model.accuracy(X_dev, Y_dev, params)) if ok else None,
                "chance_accuracy": chance,
                "proba": model.predict_proba(points, params)[0].astype(np.float32) if ok else None,
            }
    return grid
