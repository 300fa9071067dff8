"""Chapter 9: batch normalization, what it computes and what it changes in training.

The layer itself lives in :mod:`helpers.layers` (``batchnorm_forward`` / ``batchnorm_backward``)
and the network option in :mod:`helpers.model` (``init_params(..., batchnorm=True)`` puts batch
norm on ``Z[l]`` of every hidden layer, *before* the activation, and drops ``b[l]``). This module
holds the chapter's experiments:

- :func:`identity_gamma_beta`: the ``gamma``, ``beta`` that make batch norm give back ``Z``;
- :func:`track_running_stats`: the test-time statistics as exponentially weighted averages;
- :func:`normalization_noise`: the noise that batch statistics add (the slight regularizing
  effect), and how it shrinks with the mini-batch size;
- :func:`activation_statistics`: per-layer activation histograms and gradient norms at
  initialization, with and without batch norm, for a range of depths and init scales;
- :func:`lr_sweep`: training curves of a stack of networks over learning rates and init scales;
- :func:`check_batchnorm_forward`: the checker of the learner's exercise.

The running-average convention is the one of chapter 6 and of :func:`helpers.model.fit`:
``running = momentum * running + (1 - momentum) * batch_statistic`` with ``momentum = 0.9``
(an average over about ``1 / (1 - momentum) = 10`` mini-batches). Some libraries call
``1 - momentum`` the momentum; here ``momentum`` is the chapter-6 ``beta``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import layers, model, optim
from .blas import single_thread
from .validate import as_float_array, check_choice, check_number, check_X

__all__ = [
    "identity_gamma_beta",
    "track_running_stats",
    "normalization_noise",
    "ActivationStats",
    "activation_statistics",
    "training_status",
    "stacked_gd",
    "Sweep",
    "lr_sweep",
    "check_batchnorm_forward",
]


def identity_gamma_beta(Z, epsilon=1e-5):
    """``gamma = sqrt(sigma^2 + epsilon)`` and ``beta = mu`` of ``Z`` ``(n, m)``, each ``(n, 1)``.

    With these, ``gamma * Z_norm + beta = Z``: batch norm can always undo itself, so adding it
    never takes a representation away from the network; ``gamma`` and ``beta`` are learned.
    """
    Z = check_X(Z, name="Z")
    check_number("epsilon", epsilon, low=0)
    return np.sqrt(Z.var(axis=1, keepdims=True) + epsilon), Z.mean(axis=1, keepdims=True)


def track_running_stats(Z_population, mini_batch_size=64, momentum=0.9, num_steps=200, seed=0):
    """Follow the running mean and variance over ``num_steps`` random mini-batches.

    Each step draws ``mini_batch_size`` columns of ``Z_population`` ``(n, M)`` (without
    replacement within a batch), takes the batch statistics that train-mode batch norm uses
    (``mu``, and ``sigma^2`` with ``1/m``, as in :func:`helpers.layers.batchnorm_forward`) and
    updates ``running = momentum * running + (1 - momentum) * batch``, starting from mean 0 and
    variance 1 like :func:`helpers.model.init_params`.

    Returns
    -------
    dict with ``running_mean``, ``running_var`` ``(num_steps, n)`` (after each step),
    ``batch_mean``, ``batch_var`` ``(num_steps, n)``, and the population's ``mean``, ``var`` ``(n,)``.
    """
    Z = check_X(Z_population, name="Z_population")
    n, M = Z.shape
    check_number("mini_batch_size", mini_batch_size, low=2, high=M, integer=True)
    check_number("momentum", momentum, low=0, high=1, high_open=True)
    check_number("num_steps", num_steps, low=1, integer=True)
    rng = np.random.default_rng(seed)
    running_mean, running_var = np.zeros((n, 1)), np.ones((n, 1))
    out = {key: np.zeros((num_steps, n)) for key in ("running_mean", "running_var", "batch_mean", "batch_var")}
    ones, zeros = np.ones((n, 1)), np.zeros((n, 1))
    for step in range(num_steps):
        Z_t = Z[:, rng.choice(M, size=mini_batch_size, replace=False)]
        _, cache = layers.batchnorm_forward(Z_t, ones, zeros, mode="train")
        running_mean = momentum * running_mean + (1 - momentum) * cache["mu"]
        running_var = momentum * running_var + (1 - momentum) * cache["var"]
        out["running_mean"][step], out["running_var"][step] = running_mean[:, 0], running_var[:, 0]
        out["batch_mean"][step], out["batch_var"][step] = cache["mu"][:, 0], cache["var"][:, 0]
    out["mean"], out["var"] = Z.mean(axis=1), Z.var(axis=1)
    return out


def normalization_noise(z_pool, batch_sizes=(4, 16, 64, 256), n_draws=400, seed=0):
    """How much the normalized value of one fixed example moves with its mini-batch companions.

    For each size ``m`` in ``batch_sizes``, ``n_draws`` mini-batches are formed from example 0 of
    the 1-D ``z_pool`` plus ``m - 1`` others drawn at random (with replacement, which for a pool
    much larger than ``m`` is the same as without); the example's ``z_norm`` is computed
    with that batch's ``mu`` and ``sigma``. Train-time batch norm thus adds noise to every hidden
    unit (a slight regularizer, like dropout's); the noise shrinks roughly as ``1/sqrt(m)``, which
    is why bigger mini-batches weaken the effect.

    Returns
    -------
    dict with ``batch_sizes`` (array), ``z_norm`` ``(len(batch_sizes), n_draws)`` and ``spread``
    (the standard deviation of ``z_norm`` for each size).
    """
    z = as_float_array("z_pool", z_pool, ndim=1)
    sizes = np.asarray(batch_sizes)
    if sizes.ndim != 1 or sizes.size == 0 or np.any(sizes < 2) or np.any(sizes > z.size) or np.any(sizes != np.round(sizes)):
        raise ValueError(f"batch_sizes must be integers in [2, {z.size}] (the pool size); got {list(batch_sizes)!r}")
    check_number("n_draws", n_draws, low=2, integer=True)
    rng = np.random.default_rng(seed)
    others = z[1:]
    result = np.zeros((sizes.size, n_draws))
    for i, m in enumerate(sizes.astype(int)):
        picks = rng.integers(0, others.size, (n_draws, m - 1))  # with replacement (see above)
        batch = np.concatenate([np.full((n_draws, 1), z[0]), others[picks]], axis=1)  # (n_draws, m)
        # One batch per row here, so the statistics are over axis 1 (the examples of that batch).
        mu, var = batch.mean(axis=1), batch.var(axis=1)
        result[i] = (z[0] - mu) / np.sqrt(var + 1e-5)
    return {"batch_sizes": sizes.astype(int), "z_norm": result, "spread": result.std(axis=1)}


# ---------------------------------------------------------------- activations across depth


@dataclass
class ActivationStats:
    """Results of :func:`activation_statistics`, indexed by ``(hidden, batchnorm, depth, init_scale)``.

    For every key, ``hist[key]`` is ``(depth, n_bins)`` (the fraction of the activations of each
    hidden layer in each bin of ``bins[hidden]``; values beyond the range land in the end bins;
    for ReLU only the non-zero activations are binned), ``active[key]`` ``(depth,)`` the fraction
    of activations that are non-zero,
    ``std[key]`` ``(depth,)`` the standard deviation of each hidden layer's activations, and
    ``grad_norm[key]`` ``(depth + 1,)`` the norm ``||dW[l]||_F`` of every layer at initialization.
    """

    depths: tuple
    init_scales: tuple
    hiddens: tuple
    bins: dict
    hist: dict
    std: dict
    grad_norm: dict
    active: dict


def activation_statistics(depths=tuple(range(1, 11)), init_scales=(0.25, 0.5, 1.0, 2.0, 4.0),
                          hiddens=("tanh", "relu"), width=64, m=256, n_bins=40, seed=0):
    """Histograms of ``A[l]`` at initialization for every depth, init scale, activation, with/without BN.

    The network is ``[width, width x depth, 10]`` on ``m`` standard-normal inputs with random
    labels (only the initial forward and backward pass matter here). ``W[l]`` has standard
    deviation ``init_scale`` times the matched init: Xavier ``sqrt(1/n[l-1])`` for tanh, He
    ``sqrt(2/n[l-1])`` for ReLU, so ``init_scale = 1`` is the right scale and the others are too
    small or too large. Batch norm (train mode) is applied to ``Z[l]`` before the activation.

    The networks of one depth share their weights up to the scale (same seed), and the first
    layers of a deeper network are those of a shallower one.
    """
    if not all(isinstance(d, (int, np.integer)) and d >= 1 for d in depths):
        raise ValueError(f"depths must be positive integers; got {depths!r}")
    if any(s <= 0 for s in init_scales):
        raise ValueError(f"init_scales must be > 0; got {init_scales!r}")
    for h in hiddens:
        check_choice("hidden", h, ("tanh", "relu"))
    check_number("width", width, low=1, integer=True)
    check_number("m", m, low=2, integer=True)
    check_number("n_bins", n_bins, low=2, integer=True)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((width, m))
    Y = np.zeros((10, m))
    Y[rng.integers(0, 10, m), np.arange(m)] = 1.0
    bins = {"tanh": np.linspace(-1, 1, n_bins + 1), "relu": np.linspace(0, 3, n_bins + 1)}
    stats = ActivationStats(tuple(depths), tuple(init_scales), tuple(hiddens), bins, {}, {}, {}, {})
    with single_thread():
        _fill_activation_statistics(stats, X, Y, width, seed)
    return stats


def _fill_activation_statistics(stats, X, Y, width, seed):
    for hidden in stats.hiddens:
        init = "xavier" if hidden == "tanh" else "he"
        edges = stats.bins[hidden]
        for batchnorm in (False, True):
            for depth in stats.depths:
                dims = [width] + [width] * depth + [10]
                params = model.stack_params([model.init_params(dims, init=init, scale=s, seed=seed + 1, batchnorm=batchnorm)
                                             for s in stats.init_scales])
                with np.errstate(over="ignore", invalid="ignore"):
                    _, caches = model.forward(X, params, hidden=hidden, mode="train")
                    _, grads = model.cost_and_grads(X, Y, params, hidden=hidden)
                for k, scale in enumerate(stats.init_scales):
                    key = (hidden, batchnorm, depth, scale)
                    A = np.stack([caches[l][0][0][k] for l in range(1, depth + 1)])  # A[1..depth], (depth, width, m)
                    flat = np.clip(A.reshape(depth, -1), edges[0], edges[-1])
                    # ReLU outputs many exact zeros; they are counted in ``active``, not in the histogram.
                    counts = np.stack([np.histogram(row[row > 0] if hidden == "relu" else row, bins=edges)[0]
                                       for row in flat])
                    stats.hist[key] = counts / flat.shape[1]
                    stats.std[key] = A.reshape(depth, -1).std(axis=1)
                    stats.active[key] = (A.reshape(depth, -1) > 0).mean(axis=1)
                    stats.grad_norm[key] = np.array([np.linalg.norm(grads[f"dW{l}"][k]) for l in range(1, depth + 2)])


# ---------------------------------------------------------------- learning-rate sweep


def training_status(costs, chance_cost, stall_fraction=0.9):
    """``"diverged"`` (a NaN/inf cost), ``"stalled"`` (the final cost is still above
    ``stall_fraction * chance_cost``) or ``""`` (it trained) for one cost curve."""
    costs = np.asarray(costs, dtype=float)
    if costs.size == 0:
        raise ValueError("costs must hold at least one value")
    if not np.all(np.isfinite(costs)):
        return "diverged"
    return "stalled" if costs[-1] > stall_fraction * chance_cost else ""


def stacked_gd(learning_rates):
    """Gradient descent ``W := W - alpha_k dW`` for a stack of ``K`` networks, one ``alpha_k`` each.

    ``learning_rates`` is ``(K,)``; every parameter of the stack has a leading axis ``K``
    (see :func:`helpers.model.stack_params`). Same ``init`` / ``update`` shape as
    :func:`helpers.optim.gd`, which takes one learning rate for the whole stack.
    """
    alphas = as_float_array("learning_rates", learning_rates, ndim=1)
    if np.any(alphas <= 0):
        raise ValueError(f"learning_rates must all be > 0; got {alphas.tolist()}")

    def init(params):
        for name, value in params.items():
            if value.shape[:1] != alphas.shape:
                raise ValueError(f"params[{name!r}] has shape {value.shape}; a stack of {alphas.size} networks "
                                 f"needs a leading axis of {alphas.size}")
        return {"t": 0}

    def update(params, grads, state):
        new = {}
        for name, value in params.items():
            g = grads.get("d" + name)
            new[name] = value if g is None else value - alphas.reshape((-1,) + (1,) * (value.ndim - 1)) * g
        return new, {"t": state["t"] + 1}

    return optim.Optimizer(init, update)


@dataclass
class Sweep:
    """Results of :func:`lr_sweep`.

    ``cost[batchnorm]`` is ``(len(init_scales), len(learning_rates), num_epochs)`` (NaN after a
    divergence), ``dev_accuracy[batchnorm]`` ``(len(init_scales), len(learning_rates))``,
    ``status[batchnorm]`` the matching array of :func:`training_status` strings.
    """

    learning_rates: tuple
    init_scales: tuple
    layer_dims: tuple
    num_epochs: int
    chance_cost: float
    cost: dict
    dev_accuracy: dict
    status: dict


def lr_sweep(X, Y, X_dev, Y_dev, layer_dims=(64, 32, 32, 32, 32, 10), learning_rates=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
             init_scales=(0.2, 1.0, 3.0), num_epochs=20, mini_batch_size=64, seed=1, progress=False):
    """Train one ReLU network per (init scale, learning rate), with and without batch norm.

    Mini-batch gradient descent, He init times ``init_scale``, the same initial weights ``W``
    for every learning rate. All ``len(init_scales) * len(learning_rates)`` networks of one
    kind are one stack trained by a single :func:`helpers.model.fit` call, with
    :func:`stacked_gd` giving each network of the stack its own learning rate.
    """
    X = check_X(X)
    check_X(X_dev, n_x=X.shape[0], name="X_dev")
    lrs = np.asarray(learning_rates, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0 or np.any(lrs <= 0):
        raise ValueError(f"learning_rates must be positive numbers; got {learning_rates!r}")
    if len(init_scales) == 0 or any(s <= 0 for s in init_scales):
        raise ValueError(f"init_scales must be positive numbers; got {init_scales!r}")
    C = layer_dims[-1]
    sweep = Sweep(tuple(learning_rates), tuple(init_scales), tuple(layer_dims), num_epochs,
                  float(np.log(C)) if C > 1 else float(np.log(2)), {}, {}, {})
    alpha = np.tile(lrs, len(init_scales))[:, None, None]
    for batchnorm in (False, True):
        stack = model.stack_params([model.init_params(list(layer_dims), init="he", scale=s, seed=seed, batchnorm=batchnorm)
                                    for s in init_scales for _ in lrs])
        with single_thread():
            trained, history = model.fit(X, Y, stack, stacked_gd(alpha[:, 0, 0]), num_epochs=num_epochs,
                                         mini_batch_size=mini_batch_size, seed=seed, progress=progress)
        K = alpha.shape[0]
        cost = np.full((num_epochs, K), np.nan)
        cost[: history["cost"].shape[0]] = history["cost"]
        shape = (len(init_scales), lrs.size)
        sweep.cost[batchnorm] = cost.T.reshape(shape + (num_epochs,))
        finite = {name: np.where(np.isfinite(v), v, 0.0) for name, v in trained.items()}
        with np.errstate(over="ignore", invalid="ignore"):
            acc = model.accuracy(X_dev, Y_dev, finite)
        sweep.dev_accuracy[batchnorm] = np.where(history["diverged"], np.nan, acc).reshape(shape)
        curves = sweep.cost[batchnorm].reshape(K, num_epochs)
        sweep.status[batchnorm] = np.array([training_status(c, sweep.chance_cost) for c in curves]).reshape(shape)
    return sweep


# ---------------------------------------------------------------- exercise checker


def check_batchnorm_forward(fn, seed=0):
    """Check a learner's ``fn(Z, gamma, beta, epsilon) -> out`` (train mode) against the reference.

    Returns ``"correct: ..."`` or raises ``AssertionError`` with what is wrong, recognizing the
    usual mistakes: statistics over the features (axis 0) instead of the examples (axis 1),
    the standard deviation without ``epsilon`` or the variance without the square root,
    ``gamma`` / ``beta`` left out or swapped, and a wrong output shape.
    """
    if not callable(fn):
        raise ValueError(f"fn must be a function fn(Z, gamma, beta, epsilon); got {fn!r}")
    rng = np.random.default_rng(seed)
    n, m, epsilon = 3, 5, 1e-1  # a large epsilon, so forgetting it shows
    Z = rng.standard_normal((n, m)) * 2 + 1
    gamma = rng.uniform(0.5, 2.0, (n, 1))
    beta = rng.uniform(-1.0, 1.0, (n, 1))
    expected = layers.batchnorm_forward(Z, gamma, beta, epsilon=epsilon)[0]
    got = np.asarray(fn(Z.copy(), gamma.copy(), beta.copy(), epsilon), dtype=float)
    if got.shape != expected.shape:
        raise AssertionError(f"the output must have the shape of Z, {expected.shape}; got {got.shape}")
    if np.allclose(got, expected):
        return "correct: batch statistics over the examples, epsilon inside the square root, then gamma and beta"

    def variant(axis=1, root=True, eps=True, scale=True, shift=True, swap=False):
        mu, var = Z.mean(axis=axis, keepdims=True), Z.var(axis=axis, keepdims=True)
        denom = np.sqrt(var + (epsilon if eps else 0.0)) if root else var + (epsilon if eps else 0.0)
        Z_norm = (Z - mu) / denom
        g, b = (beta, gamma) if swap else (gamma, beta)
        return (g if scale else 1.0) * Z_norm + (b if shift else 0.0)

    diagnoses = [
        (dict(axis=0), "mu and sigma^2 are taken over axis 0 (the features); batch norm averages over the "
                       "examples of the mini-batch: axis=1, keepdims=True"),
        (dict(eps=False), "epsilon is missing: divide by sqrt(sigma^2 + epsilon), not by sigma"),
        (dict(root=False), "you divide by sigma^2 + epsilon; divide by its square root"),
        (dict(scale=False, shift=False), "Z_norm is right but gamma * Z_norm + beta is missing"),
        (dict(scale=False), "gamma is missing: return gamma * Z_norm + beta"),
        (dict(shift=False), "beta is missing: return gamma * Z_norm + beta"),
        (dict(swap=True), "gamma and beta are swapped: gamma scales, beta shifts"),
    ]
    for kwargs, message in diagnoses:
        if np.allclose(got, variant(**kwargs)):
            raise AssertionError(message)
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    raise AssertionError(f"the output differs from the reference, most at row {worst[0]}, column {worst[1]}: "
                         f"got {got[worst]:.4f}, expected {expected[worst]:.4f}")
