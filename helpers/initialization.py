"""Chapter 12: initialization, and vanishing / exploding activations and gradients.

With ``Z[l] = W[l] A[l-1]`` and ``W[l]`` drawn with standard deviation ``s`` over ``n[l-1]`` inputs,
``Var(Z[l]) = n[l-1] s^2 E[A[l-1]^2]``: the variance is multiplied by a *gain* at every layer, and
after ``L`` layers by the gain to the power ``L``. Keeping the gain at 1 is what Xavier
(``s^2 = 1/n[l-1]``, for tanh) and He (``s^2 = 2/n[l-1]``, for ReLU, which zeroes half of its
inputs) initializations do; anything else makes activations and gradients vanish or explode
exponentially with depth. The deep *linear* network, ``y_hat = W[L] ... W[1] x`` with every
``W[l] = a I``, shows the bare mechanism: ``y_hat = a^L x``.

``forward_backward`` runs a network of :mod:`helpers.model` (binary output, any hidden
activation) and keeps every hidden activation and every gradient, which the statistics and
histograms of the chapter are computed from.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import blas, data, layers, model, optim
from .validate import check_choice, check_number, check_X, check_X_Y
from .normalization import Feedback

__all__ = [
    "INITS",
    "forward_backward",
    "saturated_fraction",
    "depth_network",
    "depth_profile",
    "constant_params",
    "unit_spread",
    "compare_inits",
    "deep_linear_output",
    "random_linear_norms",
    "check_he_init",
]

INITS = ("zeros", "random", "xavier", "he")


def forward_backward(X, Y, params, hidden="relu"):
    """Forward and backward pass of a binary-output network, keeping everything per layer.

    Parameters
    ----------
    X : (n_x, m).  Y : (1, m) labels in {0, 1}.  params : from :func:`helpers.model.init_params`.
    hidden : activation of the hidden layers (relu, tanh, sigmoid, linear).

    Returns
    -------
    dict with ``cost`` (float), ``Z`` and ``A`` (lists of the ``L - 1`` hidden layers' ``(n[l], m)``
    arrays), ``ZL`` (the output logits ``(1, m)``) and ``grads`` (``dW1..dWL``, ``db1..dbL``), the
    same gradients as :func:`helpers.model.cost_and_grads`.
    """
    L = model._check_params(params)
    if params[f"W{L}"].shape[-2] != 1:
        raise ValueError(f"forward_backward needs a single logistic output; W{L} has shape {params[f'W{L}'].shape}")
    X, Y = check_X_Y(X, Y, n_x=params["W1"].shape[-1])
    check_choice("hidden", hidden, model.ACTIVATIONS)
    return _forward_backward(X, Y, params, L, hidden)


def _forward_backward(X, Y, params, L, hidden):
    act_forward, act_backward = model.ACTIVATIONS[hidden]
    A = X
    Zs, As, caches = [], [], []
    for l in range(1, L + 1):
        Z, affine_cache = layers.affine_forward(A, params[f"W{l}"], params[f"b{l}"])
        if l == L:
            break
        A, act_cache = act_forward(Z)
        Zs.append(Z)
        As.append(A)
        caches.append((affine_cache, act_cache))
    cost, dZ = layers._binary_cross_entropy(Z, Y)
    grads = {}
    dA, grads[f"dW{L}"], grads[f"db{L}"] = layers.affine_backward(dZ, affine_cache, need_dA_prev=L > 1)
    for l in range(L - 1, 0, -1):
        affine_cache, act_cache = caches[l - 1]
        dZ = act_backward(dA, act_cache)
        dA, grads[f"dW{l}"], grads[f"db{l}"] = layers.affine_backward(dZ, affine_cache, need_dA_prev=l > 1)
    return {"cost": float(cost), "Z": Zs, "A": As, "ZL": Z, "grads": grads}


_DERIVATIVES = {  # g'(z) written with a = g(z), for the lean pass below
    "relu": lambda A: (A > 0).astype(float),
    "tanh": lambda A: 1.0 - A * A,
    "sigmoid": lambda A: A * (1.0 - A),
    "linear": lambda A: 1.0,
}
_FUNCTIONS = {"relu": lambda Z: np.maximum(Z, 0.0), "tanh": np.tanh, "sigmoid": layers.sigmoid, "linear": lambda Z: Z}


def _lean_forward_backward(X, Y, params, L, hidden):
    # The same computation as _forward_backward (the tests compare them) without the per-layer
    # checks and caches, because the live experiment runs it for 50 layers on every move.
    g, g_prime = _FUNCTIONS[hidden], _DERIVATIVES[hidden]
    A, activations = X, [X]
    for l in range(1, L):
        A = g(params[f"W{l}"] @ A + params[f"b{l}"])
        activations.append(A)
    ZL = params[f"W{L}"] @ A + params[f"b{L}"]
    cost, dZ = layers._binary_cross_entropy(ZL, Y)
    dW = [None] * L
    for l in range(L, 0, -1):
        dW[l - 1] = dZ @ activations[l - 1].T
        if l > 1:
            dZ = (params[f"W{l}"].T @ dZ) * g_prime(activations[l - 1])
    return activations[1:], dW, float(cost)


def saturated_fraction(A, hidden):
    """Share of units stuck where the activation is flat: ``|A| > 0.99`` for tanh, ``A < 0.01`` or
    ``A > 0.99`` for sigmoid, ``A == 0`` for ReLU (no gradient flows back), none for linear."""
    check_choice("hidden", hidden, model.ACTIVATIONS)
    A = np.asarray(A)
    if hidden == "tanh":
        return float(np.mean(np.abs(A) > 0.99))
    if hidden == "sigmoid":
        return float(np.mean((A < 0.01) | (A > 0.99)))
    if hidden == "relu":
        return float(np.mean(A == 0))
    return 0.0


@lru_cache(maxsize=1)
def _circles(m, seed):
    X, Y = data.make_circles(m, noise=0.08, factor=0.5, seed=seed)
    mu, sigma = data.fit_standardizer(X)
    return data.standardize(X, mu, sigma), Y


def depth_network(depth, width=50, init="he", scale=1.0, seed=0):
    """Parameters of ``[2, width x depth, 1]``: ``depth`` hidden layers of ``width`` units."""
    check_number("depth", depth, low=1, integer=True)
    check_number("width", width, low=1, integer=True)
    return model.init_params([2] + [width] * depth + [1], init=init, scale=scale, seed=seed)


def depth_profile(hidden="relu", init="he", scale=1.0, depth=20, width=32, m=100, seed=0):
    """Statistics per layer of a freshly initialized ``[2, width x depth, 1]`` network on make_circles.

    Returns
    -------
    dict with ``A`` and ``dW`` (lists: each hidden layer's activations, each layer's ``dW``),
    ``A_std`` ``(depth,)``, ``dW_std`` ``(depth + 1,)``, ``saturated`` ``(depth,)`` and ``cost``.
    """
    check_choice("init", init, INITS)
    check_choice("hidden", hidden, model.ACTIVATIONS)
    X, Y = _circles(m, seed)
    params = depth_network(depth, width, init, scale, seed)
    with blas.single_thread():  # small products: one BLAS thread is faster on a busy machine
        activations, dW, cost = _lean_forward_backward(X, Y, params, depth + 1, hidden)
    out = {"A": activations, "cost": cost}
    A = np.stack(activations)  # (depth, width, m): one call per statistic instead of one per layer
    middle = np.stack(dW[1:-1]) if depth > 1 else np.zeros((0, width, width))
    dW_std = np.concatenate([[dW[0].std()], middle.std(axis=(1, 2)), [dW[-1].std()]])
    if hidden == "tanh":
        saturated = np.mean(np.abs(A) > 0.99, axis=(1, 2))
    elif hidden == "sigmoid":
        saturated = np.mean((A < 0.01) | (A > 0.99), axis=(1, 2))
    elif hidden == "relu":
        saturated = np.mean(A == 0, axis=(1, 2))
    else:
        saturated = np.zeros(depth)
    return {"A": out["A"], "dW": dW, "A_std": A.std(axis=(1, 2)), "dW_std": dW_std,
            "saturated": saturated, "cost": out["cost"]}


def constant_params(layer_dims, value=0.5):
    """Every weight equal to ``value`` and every bias 0: a *symmetric* start (zeros is the case 0)."""
    params = model.init_params(layer_dims, init="zeros")
    check_number("value", value)
    return {k: np.full_like(v, value) if k.startswith("W") else v for k, v in params.items()}


def unit_spread(params):
    """For each layer, how different its units are: ``max |row_i - row_0|`` over the rows of
    ``[W[l] | b[l]]`` (0 when every unit of the layer computes the same function)."""
    L = model.num_layers(params)
    spreads = []
    for l in range(1, L + 1):
        rows = np.concatenate([params[f"W{l}"], params[f"b{l}"]], axis=-1)
        spreads.append(float(np.max(np.abs(rows - rows[..., :1, :]))))
    return np.array(spreads)


def compare_inits(X, Y, X_dev, Y_dev, layer_dims=(2, 10, 5, 1), inits=None, learning_rate=0.1,
                  num_epochs=1500, seed=1):
    """Train the same ReLU network from several initializations, all in one stacked ``fit`` call.

    ``inits`` maps a label to ``init_params`` keyword arguments (default: zeros, random with
    ``scale=10``, Xavier, He) or to a ready parameter dict. Batch gradient descent with
    ``learning_rate`` for ``num_epochs``. Returns ``{label: dict(initial_cost, history, train_accuracy,
    dev_accuracy, params, initial)}``.
    """
    if inits is None:
        inits = {"zeros": {"init": "zeros"}, "random x 10": {"init": "random", "scale": 10.0},
                 "xavier": {"init": "xavier"}, "he": {"init": "he"}}
    starts = [spec if "W1" in spec else model.init_params(list(layer_dims), seed=seed, **spec) for spec in inits.values()]
    stack = model.stack_params(starts)
    trained, history = model.fit(X, Y, stack, optim.gd(learning_rate), num_epochs=num_epochs, progress=True)
    train_acc = model.accuracy(X, Y, trained)
    dev_acc = model.accuracy(X_dev, Y_dev, trained)
    out = {}
    for k, label in enumerate(inits):
        out[label] = {"initial": starts[k], "params": model.unstack_params(trained, k),
                      "initial_cost": float(history["cost"][0][k]), "history": history["cost"][:, k],
                      "train_accuracy": float(train_acc[k]), "dev_accuracy": float(dev_acc[k])}
    return out


def deep_linear_output(a, L, x):
    """Push ``x`` ``(n, m)`` through ``L`` linear layers with ``W[l] = a I``.

    Returns the ``(L + 1, n, m)`` array of ``A[0] = x, A[1], ..., A[L]``, where ``A[l] = a^l x``.
    """
    check_number("a", a)
    check_number("L", L, low=1, integer=True)
    x = check_X(x, name="x")
    W = a * np.eye(x.shape[0])
    out = [x]
    for _ in range(L):
        out.append(W @ out[-1])
    return np.stack(out)


def random_linear_norms(scale, L, n=100, m=50, seed=0):
    """``||A[l]|| / ||A[0]||`` through ``L`` linear layers with Gaussian ``W[l]`` of std ``scale / sqrt(n)``.

    Each layer multiplies the squared norm by ``scale^2`` in expectation, so ``log ||A[l]||`` grows
    like ``l log(scale)``. Returns ``(L + 1,)`` ratios.
    """
    check_number("scale", scale, low=0, low_open=True)
    check_number("L", L, low=1, integer=True)
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, m))
    norms = [np.linalg.norm(A)]
    with blas.single_thread():
        for _ in range(L):
            A = (scale / np.sqrt(n)) * rng.standard_normal((n, n)) @ A
            norms.append(np.linalg.norm(A))
    return np.array(norms) / norms[0]


def check_he_init(init_fn, seed=0):
    """Check a learner's ``init_fn(layer_dims, seed) -> params`` against He initialization
    (``W[l] ~ N(0, 2 / n[l-1])``, ``b[l] = 0``) and say precisely what is wrong."""
    dims = [400, 300, 200, 1]
    try:
        params = init_fn(list(dims), seed)
    except Exception as error:  # the learner's code may raise anything; report it in words
        return Feedback(False, f"your function raised {type(error).__name__}: {error}")
    if not isinstance(params, dict):
        return Feedback(False, f"return a dict with W1, b1, ...; got {type(params).__name__}")
    for l in range(1, len(dims)):
        for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
            if key not in params:
                return Feedback(False, f"{key} is missing; expected keys W1, b1, ..., W{len(dims) - 1}, b{len(dims) - 1}")
            got = np.shape(params[key])
            if got != shape:
                hint = " (transposed: W[l] is (n[l], n[l-1]))" if got == shape[::-1] else ""
                return Feedback(False, f"{key} must have shape {shape}; got {got}{hint}")
        if np.any(params[f"b{l}"] != 0):
            return Feedback(False, f"b{l} must start at 0")
    again = init_fn(list(dims), seed)
    if not np.array_equal(again["W1"], params["W1"]):
        return Feedback(False, "two calls with the same seed gave different weights: use np.random.default_rng(seed)")
    for l in range(1, len(dims) - 1):  # the output layer has too few weights to measure precisely
        W = np.asarray(params[f"W{l}"], dtype=float)
        std, n_prev, n_this = W.std(), dims[l - 1], dims[l]
        if abs(W.mean()) > 0.1 * std:
            return Feedback(False, f"W{l} has mean {W.mean():.3g}; draw from a normal distribution centred at 0")
        candidates = {
            "sqrt(2 / n[l-1])": np.sqrt(2 / n_prev),
            "sqrt(1 / n[l-1]) (that is Xavier; He has a factor 2 for ReLU)": np.sqrt(1 / n_prev),
            "sqrt(2 / n[l]) (use the number of inputs n[l-1], not of units n[l])": np.sqrt(2 / n_this),
            "2 / n[l-1] (the variance: take its square root)": 2 / n_prev,
            "1 (standard normal: multiply by sqrt(2 / n[l-1]))": 1.0,
            "0.01 (small random: multiply by sqrt(2 / n[l-1]) instead)": 0.01,
        }
        name = min(candidates, key=lambda k: abs(np.log(std / candidates[k])))
        if abs(std / candidates[name] - 1) > 0.05:
            return Feedback(False, f"W{l} has standard deviation {std:.4f}; He needs sqrt(2 / n[l-1]) = {np.sqrt(2 / n_prev):.4f}")
        if name != "sqrt(2 / n[l-1])":
            return Feedback(False, f"W{l} has standard deviation {std:.4f}, which is {name}; "
                                   f"He needs sqrt(2 / n[l-1]) = {np.sqrt(2 / n_prev):.4f}")
    return Feedback(True, "correct: W[l] ~ N(0, 2 / n[l-1]) with the right shapes, b[l] = 0")
