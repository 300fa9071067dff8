"""An L-layer network whose parameters live in a plain dict ``{"W1": ..., "b1": ..., ...}``.

``layer_dims = [n[0], n[1], ..., n[L]]``; hidden layers use ``hidden`` (relu, tanh, sigmoid or
linear); the output layer is a logistic unit when ``n[L] == 1`` (``Y`` is ``(1, m)`` of 0/1) and a
softmax when ``n[L] >= 2`` (``Y`` is one-hot ``(C, m)``). ``forward`` returns the output *logits*
``Z[L]``: the losses take logits, which is what keeps them finite (see :mod:`helpers.layers`).

Options that later chapters switch on: the L2 or L1 penalty (``lambd``, ``penalty``), inverted
dropout (``keep_prob``, one value or one per hidden layer), batch normalization
(``init_params(..., batchnorm=True)``: ``gamma{l}``, ``beta{l}`` replace ``b{l}`` in hidden layers,
and ``running_mean{l}``, ``running_var{l}`` are kept as exponentially weighted averages).

Every function also works on a *stack* of independent networks (each array with a leading axis
of size ``K``, see :func:`stack_params`); costs and accuracies are then arrays of shape ``(K,)``.
"""

from __future__ import annotations

import numpy as np

from . import layers as _layers
from .blas import single_thread
from . import optim as _optim
from .validate import as_float_array, check_choice, check_labels, check_number, check_X
from .data import _mini_batches

__all__ = [
    "ACTIVATIONS",
    "init_params",
    "num_layers",
    "forward",
    "cost",
    "backward",
    "cost_and_grads",
    "fit",
    "predict_proba",
    "predict",
    "accuracy",
    "weight_norm",
    "stack_params",
    "unstack_params",
    "save_params",
    "load_params",
]

ACTIVATIONS = {
    "relu": (_layers.relu_forward, _layers.relu_backward),
    "tanh": (_layers.tanh_forward, _layers.tanh_backward),
    "sigmoid": (_layers.sigmoid_forward, _layers.sigmoid_backward),
    "linear": (_layers.linear_forward, _layers.linear_backward),
}
INITS = ("zeros", "random", "xavier", "he")
PENALTIES = ("l2", "l1")


# ---------------------------------------------------------------- parameters


def init_params(layer_dims, init="he", scale=1.0, seed=0, batchnorm=False):
    """Initial parameters for ``layer_dims = [n[0], ..., n[L]]``.

    ``W[l]`` is drawn from a normal distribution with standard deviation

    - ``"he"``: ``scale * sqrt(2 / n[l-1])`` (for ReLU), ``"xavier"``: ``scale * sqrt(1 / n[l-1])`` (tanh),
    - ``"random"``: ``scale`` (the "large random" init of the course with ``scale=10``),
    - ``"zeros"``: every weight is 0 (symmetry is never broken).

    ``b[l]`` starts at 0. With ``batchnorm=True`` hidden layers get ``gamma{l} = 1``, ``beta{l} = 0``,
    ``running_mean{l} = 0``, ``running_var{l} = 1`` and no ``b{l}`` (batch norm subtracts the mean,
    so a bias before it would do nothing).
    """
    dims = list(layer_dims) if not isinstance(layer_dims, (str, bytes)) else None
    if dims is None or len(dims) < 2 or not all(isinstance(n, (int, np.integer)) and n >= 1 for n in dims):
        raise ValueError(f"layer_dims must be a list of at least two positive integers [n0, ..., nL]; got {layer_dims!r}")
    check_choice("init", init, INITS)
    check_number("scale", scale, low=0)
    rng = np.random.default_rng(seed)
    std = {"he": lambda n: scale * np.sqrt(2.0 / n), "xavier": lambda n: scale * np.sqrt(1.0 / n),
           "random": lambda n: scale, "zeros": lambda n: 0.0}[init]
    params = {}
    L = len(dims) - 1
    for l in range(1, L + 1):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * std(dims[l - 1])
        if batchnorm and l < L:
            params[f"gamma{l}"] = np.ones((dims[l], 1))
            params[f"beta{l}"] = np.zeros((dims[l], 1))
            params[f"running_mean{l}"] = np.zeros((dims[l], 1))
            params[f"running_var{l}"] = np.ones((dims[l], 1))
        else:
            params[f"b{l}"] = np.zeros((dims[l], 1))
    return params


def num_layers(params):
    """``L``, the number of weight matrices ``W1..WL``."""
    L = 0
    while f"W{L + 1}" in params:
        L += 1
    return L


def stack_params(param_list):
    """Stack ``K`` parameter dicts of the same shapes into one dict of ``(K, ...)`` arrays."""
    keys = param_list[0].keys()
    return {k: np.stack([p[k] for p in param_list]) for k in keys}


def unstack_params(params, k):
    """The ``k``-th network of a stack made by :func:`stack_params`."""
    return {name: value[k] for name, value in params.items()}


def weight_norm(params):
    """``sqrt(sum_l ||W[l]||_F^2)``: one number per network."""
    return np.sqrt(sum(np.sum(params[f"W{l}"] ** 2, axis=(-2, -1)) for l in range(1, num_layers(params) + 1)))


def save_params(path, params):
    """Write a parameter dict to a ``.npz`` file."""
    np.savez(path, **params)


def load_params(path):
    """Read a parameter dict written by :func:`save_params`."""
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


# ---------------------------------------------------------------- checks


def _check_params(params):
    if not isinstance(params, dict) or "W1" not in params:
        raise ValueError("params must be a dict with W1, b1, ... (see init_params)")
    for name, value in params.items():
        if not isinstance(value, np.ndarray):
            raise ValueError(f"params[{name!r}] must be a numpy array; got {type(value).__name__}")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"params[{name!r}] holds NaN or inf")
    L = num_layers(params)
    for l in range(2, L + 1):
        if params[f"W{l}"].shape[-1] != params[f"W{l - 1}"].shape[-2]:
            raise ValueError(
                f"W{l} has shape {params[f'W{l}'].shape} but W{l - 1} has {params[f'W{l - 1}'].shape}: "
                f"W{l} must be (n[{l}], n[{l - 1}])"
            )
    return L


def _check_keep_prob(keep_prob, L):
    kp = tuple(np.broadcast_to(np.asarray(keep_prob, dtype=float), (L - 1,))) if np.ndim(keep_prob) == 0 else tuple(keep_prob)
    if len(kp) != L - 1:
        raise ValueError(f"keep_prob must be one number or one per hidden layer ({L - 1}); got {keep_prob!r}")
    for p in kp:
        check_number("keep_prob", float(p), low=0, high=1, low_open=True)
    return kp


def _check_inputs(X, params, Y=None, hidden="relu", keep_prob=1.0, lambd=0.0, penalty="l2", mode="train"):
    L = _check_params(params)
    X = check_X(X, n_x=params["W1"].shape[-1])
    if Y is not None:
        Y_arr = np.asarray(Y)
        if Y_arr.ndim == 2 and Y_arr.shape[0] == X.shape[1] and Y_arr.shape[1] != X.shape[1]:
            raise ValueError(f"Y must be (n[L], m) with one column per example; got {Y_arr.shape}; pass Y.T")
        Y = check_labels(Y, m=X.shape[1], n_classes=params[f"W{L}"].shape[-2])
    check_choice("hidden", hidden, ACTIVATIONS)
    check_choice("penalty", penalty, PENALTIES)
    check_choice("mode", mode, ("train", "test"))
    if np.ndim(lambd) == 0:
        check_number("lambd", float(lambd), low=0)
    elif np.any(np.asarray(lambd) < 0):
        raise ValueError(f"lambd must be >= 0; got {lambd!r}")
    return X, Y, L, _check_keep_prob(keep_prob, L)


# ---------------------------------------------------------------- forward / cost / backward


def forward(X, params, hidden="relu", keep_prob=1.0, rng=None, mode="train"):
    """Forward pass. Returns ``(ZL, cache)``: the output logits ``Z[L]`` and what backward needs.

    ``mode="train"`` applies dropout (needs ``rng``, a ``numpy.random.Generator``, when any
    ``keep_prob < 1``) and batch statistics; ``mode="test"`` applies neither.
    """
    X, _, L, kp = _check_inputs(X, params, hidden=hidden, keep_prob=keep_prob, mode=mode)
    if mode == "train" and any(p < 1 for p in kp) and not isinstance(rng, np.random.Generator):
        raise ValueError("dropout (keep_prob < 1) in train mode needs rng=np.random.default_rng(seed)")
    return _forward(X, params, L, hidden, kp, rng, mode)


def _forward(X, params, L, hidden, kp, rng, mode):
    act_forward = ACTIVATIONS[hidden][0]
    A = X
    caches = []
    for l in range(1, L + 1):
        Z, affine_cache = _layers.affine_forward(A, params[f"W{l}"], params.get(f"b{l}"))
        if l == L:
            caches.append((affine_cache, None, None, None))
            return Z, caches
        bn_cache = None
        if f"gamma{l}" in params:
            Z, bn_cache = _layers.batchnorm_forward(
                Z, params[f"gamma{l}"], params[f"beta{l}"], mode,
                params[f"running_mean{l}"], params[f"running_var{l}"],
            )
        A, act_cache = act_forward(Z)
        drop_cache = None
        if mode == "train" and kp[l - 1] < 1:
            A, drop_cache = _layers.dropout_forward(A, kp[l - 1], rng)
        caches.append((affine_cache, bn_cache, act_cache, drop_cache))


def _data_cost(ZL, Y):
    if ZL.shape[-2] == 1:
        return _layers._binary_cross_entropy(ZL, Y)
    return _layers._softmax_cross_entropy(ZL, Y)


def _penalty(params, L, m, lambd, penalty):
    lam = np.asarray(lambd, dtype=float)
    if not np.any(lam):
        return 0.0
    if penalty == "l2":
        total = sum(np.sum(params[f"W{l}"] ** 2, axis=(-2, -1)) for l in range(1, L + 1))
        return lam * total / (2 * m)
    total = sum(np.sum(np.abs(params[f"W{l}"]), axis=(-2, -1)) for l in range(1, L + 1))
    return lam * total / m


def cost(ZL, Y, params, lambd=0.0, penalty="l2"):
    """``J = cross-entropy(ZL, Y) + lambd/(2m) sum_l ||W[l]||_F^2`` (``penalty="l2"``)
    or ``+ lambd/m sum_l |W[l]|_1`` (``penalty="l1"``). ``ZL`` are logits from :func:`forward`."""
    L = _check_params(params)
    ZL = as_float_array("ZL", ZL)
    Y = check_labels(Y, m=ZL.shape[-1], n_classes=params[f"W{L}"].shape[-2])
    check_choice("penalty", penalty, PENALTIES)
    check_number("lambd", float(lambd), low=0)
    return _cost(ZL, Y, params, L, lambd, penalty)


def _cost(ZL, Y, params, L, lambd, penalty):
    return _data_cost(ZL, Y)[0] + _penalty(params, L, ZL.shape[-1], lambd, penalty)


def backward(dZL, caches, params, hidden="relu", lambd=0.0, penalty="l2"):
    """Backpropagation from ``dZL = dJ/dZ[L]`` (which carries the ``1/m``).

    Returns ``grads`` with ``dW{l}``, ``db{l}`` (or ``dgamma{l}``, ``dbeta{l}`` with batch norm).
    The penalty adds ``lambd/m W[l]`` (L2) or ``lambd/m sign(W[l])`` (L1) to ``dW{l}``.
    """
    L = _check_params(params)
    check_choice("hidden", hidden, ACTIVATIONS)
    check_choice("penalty", penalty, PENALTIES)
    return _backward(as_float_array("dZL", dZL), caches, params, L, hidden, lambd, penalty)


def _backward(dZL, caches, params, L, hidden, lambd, penalty):
    act_backward = ACTIVATIONS[hidden][1]
    m = dZL.shape[-1]
    lam = np.asarray(lambd, dtype=float)[..., None, None]
    use_penalty = bool(np.any(lam))
    grads = {}
    dZ, dA = dZL, None  # dA: gradient of A[l], set by the layer above
    for l in range(L, 0, -1):
        affine_cache, bn_cache, act_cache, drop_cache = caches[l - 1]
        if l < L:
            dA = _layers.dropout_backward(dA, drop_cache) if drop_cache is not None else dA
            dZ = act_backward(dA, act_cache)
            if bn_cache is not None:
                dZ, grads[f"dgamma{l}"], grads[f"dbeta{l}"] = _layers.batchnorm_backward(dZ, bn_cache)
        dA, dW, db = _layers.affine_backward(dZ, affine_cache, need_dA_prev=l > 1)
        if use_penalty:
            W = params[f"W{l}"]
            dW = dW + lam / m * (W if penalty == "l2" else np.sign(W))
        grads[f"dW{l}"] = dW
        if f"b{l}" in params:
            grads[f"db{l}"] = db
    return grads


def cost_and_grads(X, Y, params, hidden="relu", lambd=0.0, penalty="l2", keep_prob=1.0, rng=None):
    """Forward, cost and backward in one call (train mode). Returns ``(J, grads)``."""
    X, Y, L, kp = _check_inputs(X, params, Y, hidden, keep_prob, lambd, penalty)
    if any(p < 1 for p in kp) and not isinstance(rng, np.random.Generator):
        raise ValueError("dropout (keep_prob < 1) needs rng=np.random.default_rng(seed)")
    return _cost_and_grads(X, Y, params, L, hidden, lambd, penalty, kp, rng)[:2]


def _cost_and_grads(X, Y, params, L, hidden, lambd, penalty, kp, rng):
    ZL, caches = _forward(X, params, L, hidden, kp, rng, "train")
    J, dZL = _data_cost(ZL, Y)
    J = J + _penalty(params, L, X.shape[-1], lambd, penalty)
    return J, _backward(dZL, caches, params, L, hidden, lambd, penalty), caches


def _update_running_stats(params, caches, L, momentum):
    # running = momentum * running + (1 - momentum) * batch statistic (the EWA of chapter 6).
    new = dict(params)
    for l in range(1, L):
        bn_cache = caches[l - 1][1]
        if bn_cache is not None:
            new[f"running_mean{l}"] = momentum * params[f"running_mean{l}"] + (1 - momentum) * bn_cache["mu"]
            new[f"running_var{l}"] = momentum * params[f"running_var{l}"] + (1 - momentum) * bn_cache["var"]
    return new


# ---------------------------------------------------------------- training


def fit(
    X,
    Y,
    params,
    optimizer=None,
    num_epochs=1000,
    mini_batch_size=None,
    hidden="relu",
    lambd=0.0,
    penalty="l2",
    keep_prob=1.0,
    bn_momentum=0.9,
    seed=0,
    X_dev=None,
    Y_dev=None,
    progress=False,
):
    """Train ``params`` on ``(X, Y)``; returns ``(params, history)``, the inputs left unchanged.

    Parameters
    ----------
    optimizer : an optimizer from :mod:`helpers.optim`; default ``optim.gd(learning_rate=0.1)``.
    num_epochs : passes over the training set.
    mini_batch_size : ``None`` for batch gradient descent, else the size of each mini-batch
        (reshuffled every epoch with a generator seeded by ``seed``).
    lambd, penalty : the L2 (default) or L1 penalty strength.
    keep_prob : inverted-dropout keep probability, one value or one per hidden layer.
    bn_momentum : running-average weight for batch norm's test-time statistics.
    X_dev, Y_dev : if given, the dev cost (test mode, no penalty) is recorded every epoch.
    progress : show a ``tqdm.auto`` progress bar over epochs.

    Returns
    -------
    params : the trained parameters.
    history : dict of arrays: ``cost`` (training cost of each epoch, the mean over its
        mini-batches), ``batch_cost`` (every mini-batch), ``dev_cost`` (if dev data was given), and
        ``diverged`` (True once the cost stopped being finite or exceeded 100 times its first
        value, or 100 if that is larger; training stops when every network diverged).
    """
    X, Y, L, kp = _check_inputs(X, params, Y, hidden, keep_prob, lambd, penalty)
    optimizer = _optim.gd(0.1) if optimizer is None else optimizer
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "update")):
        raise ValueError(f"optimizer must come from helpers.optim (with init and update); got {optimizer!r}")
    check_number("num_epochs", num_epochs, low=1, integer=True)
    check_number("bn_momentum", bn_momentum, low=0, high=1, high_open=True)
    m = X.shape[1]
    if mini_batch_size is not None:
        check_number("mini_batch_size", mini_batch_size, low=1, integer=True)
    if X_dev is not None:
        X_dev, Y_dev, _, _ = _check_inputs(X_dev, params, Y_dev, hidden)

    rng = np.random.default_rng(seed)
    state = optimizer.init(params)
    history = {"cost": [], "batch_cost": [], "dev_cost": []}
    lead = params["W1"].shape[:-2]
    diverged = np.zeros(lead, dtype=bool)
    has_bn = any(f"gamma{l}" in params for l in range(1, L))
    epochs = range(num_epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="epochs", leave=False)
    # Overflow in a diverging run is expected and reported through history["diverged"].
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), single_thread():
        for _ in epochs:
            batches = [(X, Y)] if mini_batch_size is None or mini_batch_size >= m else _mini_batches(X, Y, mini_batch_size, rng)
            epoch_cost = 0.0
            for X_t, Y_t in batches:
                J, grads, caches = _cost_and_grads(X_t, Y_t, params, L, hidden, lambd, penalty, kp, rng)
                params, state = optimizer.update(params, grads, state)
                if has_bn:
                    params = _update_running_stats(params, caches, L, bn_momentum)
                history["batch_cost"].append(J)
                epoch_cost = epoch_cost + J * X_t.shape[1] / m
            history["cost"].append(epoch_cost)
            if X_dev is not None:
                ZL, _ = _forward(X_dev, params, L, hidden, kp, None, "test")
                history["dev_cost"].append(_data_cost(ZL, Y_dev)[0])
            # Diverged: the cost is no longer finite (overflowed parameters give inf or NaN), or it
            # grew a hundredfold over its start.
            first = np.maximum(history["cost"][0], 1.0)
            diverged = diverged | ~(np.asarray(epoch_cost) <= 100 * first)
            if np.all(diverged):
                break
    out = {k: np.asarray(v) for k, v in history.items()}
    for k in ("cost", "batch_cost", "dev_cost"):
        out[k] = np.where(np.isfinite(out[k]), out[k], np.nan)
    out["diverged"] = diverged
    return params, out


# ---------------------------------------------------------------- prediction


def predict_proba(X, params, hidden="relu"):
    """Test-mode output: ``sigmoid(Z[L])`` ``(1, m)`` or ``softmax(Z[L])`` ``(C, m)``."""
    X, _, L, kp = _check_inputs(X, params, hidden=hidden)
    return _predict_proba(X, params, L, hidden)


def _predict_proba(X, params, L, hidden):
    ZL, _ = _forward(X, params, L, hidden, (1.0,) * (L - 1), None, "test")
    return _layers.sigmoid(ZL) if ZL.shape[-2] == 1 else _layers.softmax(ZL)


def predict(X, params, hidden="relu"):
    """Predicted labels ``(1, m)``: ``1[p > 0.5]`` for a logistic output, ``argmax`` for softmax."""
    P = predict_proba(X, params, hidden)
    if P.shape[-2] == 1:
        return (P > 0.5).astype(float)
    return P.argmax(axis=-2)[..., None, :].astype(float)


def accuracy(X, Y, params, hidden="relu"):
    """Fraction of correct predictions. ``Y`` is ``(1, m)`` labels or one-hot ``(C, m)``."""
    X = check_X(X, n_x=params["W1"].shape[-1]) if isinstance(params, dict) and "W1" in params else X
    labels = predict(X, params, hidden)
    Y = as_float_array("Y", Y, ndim=2)
    if Y.shape[-1] != X.shape[1]:
        raise ValueError(f"Y must have one column per example ({X.shape[1]}); got {Y.shape}")
    truth = Y if Y.shape[0] == 1 else Y.argmax(axis=0)[None, :]
    return np.mean(labels == truth, axis=(-2, -1))
