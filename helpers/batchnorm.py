"""Chapter 9: batch normalization, what it computes and what it changes in training.

The layer itself lives in :mod:`helpers.layers` (``batchnorm_forward`` / ``batchnorm_backward``)
and the network option in :mod:`helpers.model` (``init_params(..., batchnorm=True)`` puts batch
norm on ``Z[l]`` of every hidden layer, *before* the activation, and drops ``b[l]``). This module
holds the chapter's experiments:

- :func:`identity_gamma_beta`: the ``gamma``, ``beta`` that make batch norm give back ``Z``;
- :func:`track_running_stats`: the test-time statistics as exponentially weighted averages;
- :func:`normalization_noise`: the noise that batch statistics add, and how it shrinks with the
  mini-batch size; :func:`regularization_gap`: whether that noise measurably shrinks the
  train/dev gap;
- :func:`input_drift`: how far a hidden layer's input moves during training (covariate shift);
- :func:`activation_statistics`: per-layer activation histograms and gradient norms at
  initialization, with and without batch norm, for a range of depths and init scales;
- :func:`lr_sweep`: training curves of a stack of networks over learning rates and init scales;
- :func:`check_batchnorm_forward`, :func:`check_batchnorm_backward`: the checkers of the
  chapter's exercises.

The running-average convention is the one of chapter 6 and of :func:`helpers.model.fit`:
``running = momentum * running + (1 - momentum) * batch_statistic`` with ``momentum = 0.9``
(an average over about ``1 / (1 - momentum) = 10`` mini-batches). Some libraries call
``1 - momentum`` the momentum; here ``momentum`` is the chapter-6 ``beta``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import exercises, layers, model, optim
from .blas import single_thread
from .validate import as_float_array, check_choice, check_number, check_X, describe, error

__all__ = [
    "identity_gamma_beta",
    "track_running_stats",
    "normalization_noise",
    "regularization_gap",
    "input_drift",
    "ActivationStats",
    "activation_statistics",
    "training_status",
    "Sweep",
    "lr_sweep",
    "check_batchnorm_forward",
    "check_batchnorm_backward",
]


def identity_gamma_beta(Z, epsilon=1e-5):
    """``gamma = sqrt(sigma^2 + epsilon)`` and ``beta = mu`` of ``Z`` ``(n, m)``, each ``(n, 1)``.

    With these, ``gamma * Z_norm + beta = Z``: batch norm can always undo itself, so adding it
    never takes a representation away from the network; ``gamma`` and ``beta`` are learned.
    """
    Z = check_X(Z, name="Z")
    check_number("epsilon", epsilon, low=0, low_open=True)
    return np.sqrt(Z.var(axis=1, keepdims=True) + epsilon), Z.mean(axis=1, keepdims=True)


def track_running_stats(Z_population, mini_batch_size=64, momentum=0.9, num_steps=200, seed=0):
    """Follow the running mean and variance over ``num_steps`` random mini-batches.

    Each step draws ``mini_batch_size`` columns of ``Z_population`` ``(n, M)`` (without
    replacement within a batch), takes the batch statistics that train-mode batch norm uses
    (``mu``, and ``sigma^2`` with ``1/m``, as in :func:`helpers.layers.batchnorm_forward`) and
    updates ``running = momentum * running + (1 - momentum) * batch`` with
    :func:`helpers.model.update_running_stats` (what :func:`helpers.model.fit` does after every
    mini-batch), starting from mean 0 and variance 1 like :func:`helpers.model.init_params`.

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
    # A one-hidden-layer network whose hidden layer passes Z through unchanged (W1 = I, linear
    # activation) into batch norm: the running averages are then updated by the very function
    # model.fit uses, helpers.model.update_running_stats.
    net = model.init_params([n, n, 1], batchnorm=True)
    net["W1"] = np.eye(n)
    out = {key: np.zeros((num_steps, n)) for key in ("running_mean", "running_var", "batch_mean", "batch_var")}
    for step in range(num_steps):
        Z_t = Z[:, rng.choice(M, size=mini_batch_size, replace=False)]
        fwd = model.forward_pass(Z_t, net, hidden="linear", mode="train")
        net = model.update_running_stats(net, fwd, momentum)
        out["running_mean"][step], out["running_var"][step] = net["running_mean1"][:, 0], net["running_var1"][:, 0]
        out["batch_mean"][step], out["batch_var"][step] = fwd.bn[1]["mu"][:, 0], fwd.bn[1]["var"][:, 0]
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
        raise error("batch_sizes", repr(list(batch_sizes)), f"integers in [2, {z.size}] (the pool size)")
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


def regularization_gap(X, Y, X_dev, Y_dev, layer_dims=(64, 64, 64, 10), learning_rate=0.1, num_epochs=40,
                       mini_batch_size=64, seeds=(0, 1, 2, 3, 4)):
    """Train the same ReLU network with and without batch norm from several seeds; measure the gap.

    One stack of ``len(seeds)`` networks per kind (He init with each seed), mini-batch gradient
    descent with ``learning_rate``, the same mini-batches for both kinds. The train/dev gap
    (training accuracy minus dev accuracy) is what a regularizer shrinks.

    Returns
    -------
    dict mapping ``batchnorm`` (False / True) to a dict of ``(len(seeds),)`` arrays:
    ``train_accuracy``, ``dev_accuracy``, ``gap``.
    """
    X = check_X(X)
    check_X(X_dev, n_x=X.shape[0], name="X_dev")
    if len(seeds) < 1:
        raise error("seeds", repr(seeds), "at least one seed", "(0, 1, 2)")
    out = {}
    for batchnorm in (False, True):
        stack = model.stack_params([model.init_params(list(layer_dims), init="he", seed=s, batchnorm=batchnorm)
                                    for s in seeds])
        trained, _ = model.fit(X, Y, stack, optim.gd(learning_rate), num_epochs=num_epochs,
                               mini_batch_size=mini_batch_size, seed=0)
        train_acc = np.asarray(model.accuracy(X, Y, trained))
        dev_acc = np.asarray(model.accuracy(X_dev, Y_dev, trained))
        out[batchnorm] = {"train_accuracy": train_acc, "dev_accuracy": dev_acc, "gap": train_acc - dev_acc}
    return out


def input_drift(X, Y, layer_dims=(64, 32, 32, 32, 10), layer=2, learning_rate=0.1, num_epochs=20,
                mini_batch_size=64, seed=0):
    """How far the input of layer ``layer``'s activation moves while the network trains (covariate shift).

    The same ReLU network (He init with ``seed``) is trained with and without batch norm by
    mini-batch gradient descent. Before training and after every epoch, the pre-activation that
    layer ``layer``'s activation receives is computed on the whole of ``X`` (``Z[layer]`` without
    batch norm, ``gamma Z_norm + beta`` with it; :func:`helpers.model.forward_pass`), and its
    per-unit mean and standard deviation are compared with those at the start.

    Returns
    -------
    dict mapping ``batchnorm`` (False / True) to a dict of ``(num_epochs + 1,)`` arrays:
    ``mean_shift`` (the mean over units of ``|mean_t - mean_0| / std_0``) and ``scale_change``
    (the mean over units of ``|log(std_t / std_0)|``).
    """
    X = check_X(X)
    L = len(layer_dims) - 1
    check_number("layer", layer, low=1, high=L - 1, integer=True)
    check_number("num_epochs", num_epochs, low=1, integer=True)
    out = {}
    for batchnorm in (False, True):
        params = model.init_params(list(layer_dims), init="he", seed=seed, batchnorm=batchnorm)
        means, stds = [], []
        for epoch in range(num_epochs + 1):
            fwd = model.forward_pass(X, params, mode="train")
            Z_in = fwd.Z_tilde[layer] if batchnorm else fwd.Z[layer]
            means.append(Z_in.mean(axis=1))
            stds.append(Z_in.std(axis=1))
            if epoch < num_epochs:
                params, _ = model.fit(X, Y, params, optim.gd(learning_rate), num_epochs=1,
                                      mini_batch_size=mini_batch_size, seed=seed + epoch)
        means, stds = np.array(means), np.array(stds)
        floor = np.maximum(stds[0], 1e-12)
        out[batchnorm] = {"mean_shift": np.mean(np.abs(means - means[0]) / floor, axis=1),
                          "scale_change": np.mean(np.abs(np.log(np.maximum(stds, 1e-12) / floor)), axis=1)}
    return out


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
        raise error("depths", repr(depths), "positive integers", "(2, 4, 6)")
    scales = as_float_array("init_scales", init_scales, ndim=1)
    if scales.size == 0 or np.any(scales <= 0):
        raise error("init_scales", repr(init_scales), "positive numbers", "(0.5, 1.0)")
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
                    _, fwd, bwd = model.layer_gradients(X, Y, params, hidden=hidden)
                for k, scale in enumerate(stats.init_scales):
                    key = (hidden, batchnorm, depth, scale)
                    A = np.stack([fwd.A[l][k] for l in range(1, depth + 1)])  # A[1..depth], (depth, width, m)
                    flat = np.clip(A.reshape(depth, -1), edges[0], edges[-1])
                    # ReLU outputs many exact zeros; they are counted in ``active``, not in the histogram.
                    counts = np.stack([np.histogram(row[row > 0] if hidden == "relu" else row, bins=edges)[0]
                                       for row in flat])
                    stats.hist[key] = counts / flat.shape[1]
                    stats.std[key] = A.reshape(depth, -1).std(axis=1)
                    stats.active[key] = (A.reshape(depth, -1) > 0).mean(axis=1)
                    stats.grad_norm[key] = np.array([np.linalg.norm(bwd.grads[f"dW{l}"][k]) for l in range(1, depth + 2)])


# ---------------------------------------------------------------- learning-rate sweep


def training_status(costs, chance_cost, stall_fraction=0.9):
    """``"diverged"`` (a NaN/inf cost), ``"stalled"`` (the final cost is still above
    ``stall_fraction * chance_cost``) or ``""`` (it trained) for one cost curve."""
    # NaN / inf are allowed in costs (that is how a diverged run is recorded), so no finite check here.
    if costs is None or isinstance(costs, (str, bytes, bool)):
        raise error("costs", describe(costs), "a 1-D sequence of numbers (a cost per epoch)")
    raw = np.asarray(costs)
    if raw.dtype.kind not in "iuf":
        raise error("costs", f"an array of dtype {raw.dtype}", "a 1-D sequence of numbers (a cost per epoch)")
    costs = raw.astype(float)
    if costs.ndim != 1:
        raise error("costs", f"shape {costs.shape}", "a 1-D sequence of numbers (a cost per epoch)")
    if costs.size == 0:
        raise error("costs", "an empty sequence", "at least one cost")
    check_number("chance_cost", chance_cost, low=0, low_open=True)
    check_number("stall_fraction", stall_fraction, low=0, low_open=True)
    if not np.all(np.isfinite(costs)):
        return "diverged"
    return "stalled" if costs[-1] > stall_fraction * chance_cost else ""


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
    :func:`helpers.optim.gd` given one learning rate per network of the stack (an array that
    broadcasts over the stack's leading axis).
    """
    X = check_X(X)
    check_X(X_dev, n_x=X.shape[0], name="X_dev")
    lrs = np.asarray(learning_rates, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0 or np.any(lrs <= 0):
        raise error("learning_rates", repr(learning_rates), "positive numbers", "(0.01, 0.1)")
    scales = as_float_array("init_scales", init_scales, ndim=1)
    if scales.size == 0 or np.any(scales <= 0):
        raise error("init_scales", repr(init_scales), "positive numbers", "(0.5, 1.0)")
    C = layer_dims[-1]
    sweep = Sweep(tuple(learning_rates), tuple(init_scales), tuple(layer_dims), num_epochs,
                  float(np.log(C)) if C > 1 else float(np.log(2)), {}, {}, {})
    alpha = np.tile(lrs, len(init_scales))  # (K,): network k = (init scale i, learning rate j) trains with alpha[k]
    for batchnorm in (False, True):
        stack = model.stack_params([model.init_params(list(layer_dims), init="he", scale=s, seed=seed, batchnorm=batchnorm)
                                    for s in init_scales for _ in lrs])
        with single_thread():
            trained, history = model.fit(X, Y, stack, optim.gd(alpha), num_epochs=num_epochs,
                                         mini_batch_size=mini_batch_size, seed=seed, progress=progress)
        K = alpha.size
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


# ---------------------------------------------------------------- exercise checkers


def _bn_case(seed=0):
    rng = np.random.default_rng(seed)
    n, m, epsilon = 3, 5, 1e-1  # a large epsilon, so forgetting it shows; n != m, so a transpose shows
    Z = rng.standard_normal((n, m)) * 2 + 1
    gamma = rng.uniform(0.5, 2.0, (n, 1))
    beta = rng.uniform(-1.0, 1.0, (n, 1))
    return Z, gamma, beta, epsilon


@exercises.checker("batch norm forward (train mode)")
def check_batchnorm_forward(fn):
    """Check a learner's ``fn(Z, gamma, beta, epsilon) -> out`` (train mode) against the reference.

    Names the usual mistakes: statistics over the features (axis 0) instead of the examples
    (axis 1), ``mu`` / ``sigma^2`` without ``keepdims`` (numpy's broadcast error, named as such),
    the standard deviation without ``epsilon`` or the variance without the square root,
    ``gamma`` / ``beta`` left out or swapped, and a wrong output shape.
    Returns a :class:`helpers.exercises.Result`.
    """
    Z, gamma, beta, epsilon = _bn_case()
    n, m = Z.shape
    expected = layers.batchnorm_forward(Z, gamma, beta, epsilon=epsilon)[0]
    try:
        out = exercises.call(fn, Z, gamma, beta, epsilon)
    except exercises.Mistake as mistake:
        # Z.mean(axis=1) without keepdims is an (n,) vector: (n, m) minus (n,) is numpy's broadcast error.
        said = str(mistake)
        if "could not be broadcast" in said and f"({n},)" in said:
            raise exercises.Mistake(
                f"mu or sigma^2 has shape (n,) = ({n},): Z.mean(axis=1) and Z.var(axis=1) drop the axis of the "
                f"examples, and Z of shape (n, m) = ({n}, {m}) minus a ({n},) vector does not line up; keep "
                f"the column shape (n, 1) with keepdims=True. numpy said: {said.split('. The shapes')[0]}") from None
        raise
    got = exercises.expect_shape("out", out, expected.shape, "it is transposed: out has the shape of Z, (n, m)")
    if np.allclose(got, expected):
        return "batch statistics over the examples, epsilon inside the square root, then gamma and beta"

    def variant(axis=1, root=True, eps=True, scale=True, shift=True, swap=False, eps_outside=False, ddof=0):
        mu, var = Z.mean(axis=axis, keepdims=True), Z.var(axis=axis, keepdims=True, ddof=ddof)
        denom = np.sqrt(var + (epsilon if eps else 0.0)) if root else var + (epsilon if eps else 0.0)
        if eps_outside:
            denom = np.sqrt(var) + epsilon
        Z_norm = (Z - mu) / denom
        g, b = (beta, gamma) if swap else (gamma, beta)
        return (g if scale else 1.0) * Z_norm + (b if shift else 0.0)

    diagnoses = [
        (dict(axis=0), "mu and sigma^2 are taken over axis 0 (the features); batch norm averages over the "
                       "examples of the mini-batch: axis=1, keepdims=True"),
        (dict(eps=False), "epsilon is missing: divide by sqrt(sigma^2 + epsilon), not by sigma"),
        (dict(eps_outside=True), "epsilon is added outside the square root: divide by sqrt(sigma^2 + epsilon), "
                                 "not by sigma + epsilon"),
        (dict(ddof=1), "sigma^2 divides by m - 1 (ddof=1); batch norm's sigma^2 is the batch's own variance, "
                       "1/m sum (z - mu)^2: np.var's default ddof=0"),
        (dict(root=False), "you divide by sigma^2 + epsilon; divide by its square root"),
        (dict(scale=False, shift=False), "Z_norm is right but gamma * Z_norm + beta is missing"),
        (dict(scale=False), "gamma is missing: return gamma * Z_norm + beta"),
        (dict(shift=False), "beta is missing: return gamma * Z_norm + beta"),
        (dict(swap=True), "gamma and beta are swapped: gamma scales, beta shifts"),
    ]
    for kwargs, message in diagnoses:
        if np.allclose(got, variant(**kwargs)):
            raise exercises.Mistake(message)
    exercises.expect_close("out", got, expected)
    return "correct"


@exercises.checker("batch norm backward")
def check_batchnorm_backward(fn):
    """Check a learner's ``fn(dout, cache) -> (dZ, dgamma, dbeta)`` against the reference.

    ``cache`` is the dict of :func:`helpers.layers.batchnorm_forward` in train mode (``Z_norm``,
    ``gamma``, ``inv_std``, ``mu``, ``var``). Names the usual mistakes: ``mu`` and ``sigma^2``
    treated as constants (``dZ = dout * gamma * inv_std``, the two sums missing), ``gamma`` left
    out of ``dZ``, ``dgamma`` without ``Z_norm``, sums over the wrong axis or without
    ``keepdims``. Returns a :class:`helpers.exercises.Result`.
    """
    Z, gamma, beta, epsilon = _bn_case(seed=1)
    n, m = Z.shape
    dout = np.random.default_rng(2).standard_normal(Z.shape)
    _, cache = layers.batchnorm_forward(Z, gamma, beta, epsilon=epsilon)
    dZ_ref, dgamma_ref, dbeta_ref = layers.batchnorm_backward(dout, cache)
    out = exercises.call(fn, dout, cache)
    if not (isinstance(out, tuple) and len(out) == 3):
        raise exercises.Mistake(f"return the tuple (dZ, dgamma, dbeta); got {type(out).__name__}"
                                f"{' of length ' + str(len(out)) if isinstance(out, (tuple, list)) else ''}")
    dZ = exercises.expect_shape("dZ", out[0], (n, m), "it is transposed: dZ has the shape of Z, (n, m)")
    for name, value, ref in (("dbeta", out[2], dbeta_ref), ("dgamma", out[1], dgamma_ref)):
        got = exercises.expect_array(name, value)
        if got.shape == (n,):
            raise exercises.Mistake(f"{name} has shape {got.shape}; keep the column: sum(..., axis=1, keepdims=True) "
                                    f"gives {(n, 1)}, the shape of {name[1:]}")
        if got.shape == (1, m):
            raise exercises.Mistake(f"{name} has shape {got.shape}: you summed over axis 0 (the units); "
                                    "sum over the examples, axis=1")
        exercises.expect_shape(name, got, (n, 1))
    dbeta, dgamma = np.asarray(out[2], dtype=float), np.asarray(out[1], dtype=float)
    if not np.allclose(dbeta, dbeta_ref):
        if np.allclose(dbeta, dgamma_ref) and np.allclose(dgamma, dbeta_ref):
            raise exercises.Mistake("dgamma and dbeta are swapped: return (dZ, dgamma, dbeta) in that order")
        exercises.expect_close("dbeta", dbeta, dbeta_ref, hint="dbeta = sum of dout over the examples")
    if not np.allclose(dgamma, dgamma_ref):
        if np.allclose(dgamma, dbeta_ref):
            raise exercises.Mistake("dgamma is the sum of dout; it must be sum(dout * Z_norm) over the examples "
                                    "(gamma multiplies Z_norm)")
        exercises.expect_close("dgamma", dgamma, dgamma_ref, hint="dgamma = sum of dout * Z_norm over the examples")
    if np.allclose(dZ, dZ_ref):
        return "dZ runs through mu and sigma^2 (the two sums over the batch); dgamma and dbeta are right"
    g, inv_std, Z_norm = dout * gamma, cache["inv_std"], cache["Z_norm"]
    diagnoses = [
        (g * inv_std, "dZ treats mu and sigma^2 as constants: both depend on every example of the batch, so "
                      "dZ = inv_std / m * (m g - sum(g) - Z_norm * sum(g * Z_norm)) with g = dout * gamma"),
        (inv_std / m * (m * g - g.sum(axis=1, keepdims=True)), "the term through sigma^2 is missing: subtract "
                                                               "Z_norm * sum(g * Z_norm) as well"),
        (inv_std / m * (m * g - Z_norm * np.sum(g * Z_norm, axis=1, keepdims=True)),
         "the term through mu is missing: subtract sum(g) over the batch as well"),
        (inv_std / m * (m * dout - dout.sum(axis=1, keepdims=True) - Z_norm * np.sum(dout * Z_norm, axis=1, keepdims=True)),
         "gamma is missing from dZ: start from g = dout * gamma (out = gamma * Z_norm + beta)"),
        (inv_std / m * (m * g - g.sum(axis=0, keepdims=True) - Z_norm * np.sum(g * Z_norm, axis=0, keepdims=True)),
         "the sums in dZ run over axis 0 (the units); they run over the examples of the batch: axis=1"),
        (dZ_ref * m, "dZ is m times too large: the bracket (m g - sum(g) - Z_norm * sum(g * Z_norm)) is divided "
                     "by m, dZ = inv_std / m * (...)"),
    ]
    for wrong, message in diagnoses:
        if np.allclose(dZ, wrong):
            raise exercises.Mistake(message)
    exercises.expect_close("dZ", dZ, dZ_ref)
    return "correct"
