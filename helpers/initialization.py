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
histograms of the chapter are computed from. The initializations themselves are
:func:`helpers.model.init_params` (its ``init`` is one of :data:`helpers.model.INITS`).

The chapter's exercises: He and Xavier initialization, checked by :func:`check_he_init` and
:func:`check_xavier_init` (the contract of :mod:`helpers.exercises`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import blas, data, exercises, model, optim
from .validate import as_float_array, check_choice, check_number, check_params, check_X, error

__all__ = [
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
    "check_xavier_init",
]


def forward_backward(X, Y, params, hidden="relu"):
    """Forward and backward pass of a binary-output network, keeping everything per layer.

    A thin view of :func:`helpers.model.layer_gradients` (the course's one network pass) as lists.

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
    L = check_params(params)
    if np.shape(params[f"W{L}"])[-2] != 1:
        raise error(f"W{L}", f"shape {np.shape(params[f'W{L}'])}", "a single logistic output unit, shape (1, n[L-1])")
    cost, fwd, bwd = model.layer_gradients(X, Y, params, hidden=hidden)
    return {"cost": float(cost), "Z": [fwd.Z[l] for l in range(1, L)], "A": [fwd.A[l] for l in range(1, L)],
            "ZL": fwd.ZL, "grads": bwd.grads}


def saturated_fraction(A, hidden):
    """Share of units stuck where the activation is flat: ``|A| > 0.99`` for tanh, ``A < 0.01`` or
    ``A > 0.99`` for sigmoid, ``A == 0`` for ReLU (no gradient flows back), none for linear."""
    check_choice("hidden", hidden, model.ACTIVATIONS)
    A = as_float_array("A", A)
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
    check_choice("init", init, model.INITS)
    check_choice("hidden", hidden, model.ACTIVATIONS)
    check_number("m", m, low=1, integer=True)
    X, Y = _circles(m, seed)
    params = depth_network(depth, width, init, scale, seed)
    overflow = str(error("depth_profile", f"activations or gradients beyond float64 with {hidden}, {init} x {scale:g} and "
                                           f"{depth} layers of {width} units", "a setting that stays finite",
                         "a smaller scale or depth"))
    # A setting whose activations or gradients leave float64 is reported as such, not as a warning
    # from deep inside numpy (the live view's controls stay far inside the range).
    with blas.single_thread(), np.errstate(over="ignore", invalid="ignore"):  # one BLAS thread: small products
        try:
            cost, fwd, bwd = model.layer_gradients(X, Y, params, hidden=hidden)
        except ValueError:  # the data and params are built here: only overflowed values can be refused
            raise ValueError(overflow) from None
        cost = float(cost)
        if not np.isfinite(cost):
            raise ValueError(overflow)
        activations = [fwd.A[l] for l in range(1, depth + 1)]
        dW = [bwd.grads[f"dW{l}"] for l in range(1, depth + 2)]
        A = np.stack(activations)  # (depth, width, m): one call per statistic instead of one per layer
        middle = np.stack(dW[1:-1]) if depth > 1 else np.zeros((0, width, width))
        dW_std = np.concatenate([[dW[0].std()], middle.std(axis=(1, 2)), [dW[-1].std()]])
        A_std = A.std(axis=(1, 2))
    if not (np.all(np.isfinite(A_std)) and np.all(np.isfinite(dW_std))):
        raise ValueError(overflow)
    if hidden == "tanh":
        saturated = np.mean(np.abs(A) > 0.99, axis=(1, 2))
    elif hidden == "sigmoid":
        saturated = np.mean((A < 0.01) | (A > 0.99), axis=(1, 2))
    elif hidden == "relu":
        saturated = np.mean(A == 0, axis=(1, 2))
    else:
        saturated = np.zeros(depth)
    return {"A": activations, "dW": dW, "A_std": A_std, "dW_std": dW_std, "saturated": saturated, "cost": cost}


def constant_params(layer_dims, value=0.5):
    """Every weight equal to ``value`` and every bias 0: a *symmetric* start (zeros is the case 0)."""
    params = model.init_params(layer_dims, init="zeros")
    check_number("value", value)
    return {k: np.full_like(v, value) if k.startswith("W") else v for k, v in params.items()}


def unit_spread(params):
    """For each layer, how different its units are: ``max |row_i - row_0|`` over the rows of
    ``[W[l] | b[l]]`` (0 when every unit of the layer computes the same function)."""
    L = check_params(params)
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
    dev_accuracy, params, initial, diverged)}``. A run that diverged (``history["diverged"]`` of
    :func:`helpers.model.fit`) reports NaN accuracies: its weights may have overflowed.
    """
    if inits is None:
        inits = {"zeros": {"init": "zeros"}, "random x 10": {"init": "random", "scale": 10.0},
                 "xavier": {"init": "xavier"}, "he": {"init": "he"}}
    if not isinstance(inits, dict) or not inits:
        raise error("inits", repr(inits), "a non-empty dict label -> init_params keywords or a params dict",
                    '{"he": {"init": "he"}}')
    starts = [spec if "W1" in spec else model.init_params(list(layer_dims), seed=seed, **spec) for spec in inits.values()]
    stack = model.stack_params(starts)
    trained, history = model.fit(X, Y, stack, optim.gd(learning_rate), num_epochs=num_epochs, progress=True)
    out = {}
    for k, label in enumerate(inits):
        params = model.unstack_params(trained, k)
        diverged = bool(history["diverged"][k])
        # A diverged run's weights may have overflowed: it has no accuracy to report.
        finite = not diverged and all(np.all(np.isfinite(v)) for v in params.values())
        out[label] = {"initial": starts[k], "params": params, "diverged": diverged,
                      "initial_cost": float(history["cost"][0][k]), "history": history["cost"][:, k],
                      "train_accuracy": float(model.accuracy(X, Y, params)) if finite else float("nan"),
                      "dev_accuracy": float(model.accuracy(X_dev, Y_dev, params)) if finite else float("nan")}
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
    check_number("n", n, low=1, integer=True)
    check_number("m", m, low=1, integer=True)
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, m))
    norms = [np.linalg.norm(A)]
    with blas.single_thread(), np.errstate(over="ignore", invalid="ignore"):
        for _ in range(L):
            A = (scale / np.sqrt(n)) * rng.standard_normal((n, n)) @ A
            norms.append(np.linalg.norm(A))
    ratios = np.array(norms) / norms[0]
    if not np.all(np.isfinite(ratios)):
        raise error("random_linear_norms", f"norms beyond float64 with scale {scale:g} over {L} layers",
                    "a product that stays finite", "a scale closer to 1 or fewer layers")
    return ratios


_RULES = {  # name -> (variance of W[l] as a function of n[l-1], formula shown to the learner)
    "he": (lambda n: 2.0 / n, "2 / n[l-1]"),
    "xavier": (lambda n: 1.0 / n, "1 / n[l-1]"),
}


def _check_init(init_fn, rule, seed):
    dims = [400, 300, 200, 1]
    variance, formula = _RULES[rule]
    params = exercises.call(init_fn, list(dims), seed)
    keys = [f"{p}{l}" for l in range(1, len(dims)) for p in ("W", "b")]
    exercises.expect_keys("the returned params", params, keys)
    for l in range(1, len(dims)):
        exercises.expect_shape(f"W{l}", params[f"W{l}"], (dims[l], dims[l - 1]),
                               transposed_hint="transposed: W[l] is (n[l], n[l-1])")
        b = exercises.expect_shape(f"b{l}", params[f"b{l}"], (dims[l], 1))
        if np.any(b != 0):
            raise exercises.Mistake(f"b{l} must start at 0 (symmetry is broken by the weights alone)")
    again = exercises.call(init_fn, list(dims), seed)
    if not np.array_equal(np.asarray(again["W1"]), np.asarray(params["W1"])):
        raise exercises.Mistake("two calls with the same seed gave different weights: draw from "
                                "rng = np.random.default_rng(seed)")
    other = exercises.call(init_fn, list(dims), seed + 1)
    if np.array_equal(np.asarray(other["W1"]), np.asarray(params["W1"])):
        raise exercises.Mistake("another seed gave the same weights: seed the generator with the seed you are given")
    for l in range(1, len(dims) - 1):  # the output layer has too few weights to measure precisely
        W = np.asarray(params[f"W{l}"], dtype=float)
        std, n_prev, n_this = W.std(), dims[l - 1], dims[l]
        target = np.sqrt(variance(n_prev))
        if abs(W.mean()) > 0.1 * std:
            raise exercises.Mistake(f"W{l} has mean {W.mean():.3g}; draw from a normal distribution centred at 0")
        candidates = {
            "sqrt(2 / n[l-1])": np.sqrt(2 / n_prev),
            "sqrt(1 / n[l-1])": np.sqrt(1 / n_prev),
            "sqrt(2 / n[l]) (the number of units n[l]; use the number of inputs n[l-1])": np.sqrt(2 / n_this),
            "sqrt(1 / n[l]) (the number of units n[l]; use the number of inputs n[l-1])": np.sqrt(1 / n_this),
            "2 / n[l-1] (the variance: take its square root)": 2 / n_prev,
            "1 / n[l-1] (the variance: take its square root)": 1 / n_prev,
            "sqrt(2 / (n[l-1] + n[l])) (the symmetric variant, which averages the two sides; "
            "this exercise asks for the one-sided rule)": np.sqrt(2 / (n_prev + n_this)),
            "1 (a standard normal: multiply it by the factor)": 1.0,
            "0.01 (the small random init: multiply by the factor instead)": 0.01,
        }
        name = min(candidates, key=lambda k: abs(np.log(std / candidates[k])))
        if abs(std / target - 1) > 0.05 and abs(std / candidates[name] - 1) > 0.05:
            raise exercises.Mistake(f"W{l} has standard deviation {std:.4f}; {rule.title()} needs sqrt({formula}) = {target:.4f}")
        if abs(std / target - 1) > 0.05:
            if name == "sqrt(2 / n[l-1])":
                name += " (that is He's, for ReLU; Xavier has no factor 2)"
            elif name == "sqrt(1 / n[l-1])":
                name += " (that is Xavier's; He has a factor 2 for ReLU, which zeroes half of its inputs)"
            raise exercises.Mistake(f"W{l} has standard deviation {std:.4f}, which is {name}; "
                                    f"{rule.title()} needs sqrt({formula}) = {target:.4f}")
    W1, W2 = (np.asarray(params[k], dtype=float).ravel()[:1000] for k in ("W1", "W2"))
    if abs(np.corrcoef(W1, W2)[0, 1]) > 0.9:
        raise exercises.Mistake("W2 starts with the same random numbers as W1 (only scaled): create the generator once, "
                                "before the loop over layers, not once per layer")
    return f"W[l] ~ N(0, {formula}) with the right shapes, b[l] = 0, seeded"


@exercises.checker("He initialization")
def check_he_init(init_fn, seed=0):
    """Check a learner's ``init_fn(layer_dims, seed) -> params`` against He initialization
    (``W[l] ~ N(0, 2 / n[l-1])``, ``b[l] = 0``) on a ``[400, 300, 200, 1]`` network.

    Returns a :class:`helpers.exercises.Result` naming the first precise mistake: a missing key, a
    transposed shape, a non-zero bias, an unseeded draw, or the standard deviation of another rule
    (Xavier's, ``n[l]`` instead of ``n[l-1]``, the variance instead of its square root, ...).
    """
    return _check_init(init_fn, "he", seed)


@exercises.checker("Xavier initialization")
def check_xavier_init(init_fn, seed=0):
    """Check a learner's ``init_fn(layer_dims, seed) -> params`` against Xavier initialization
    (``W[l] ~ N(0, 1 / n[l-1])``, ``b[l] = 0``), as :func:`check_he_init` does for He."""
    return _check_init(init_fn, "xavier", seed)

