"""An L-layer network whose parameters live in a plain dict ``{"W1": ..., "b1": ..., ...}``.

``layer_dims = [n[0], n[1], ..., n[L]]``; hidden layers use ``hidden`` (relu, tanh, sigmoid or
linear); the output layer is a logistic unit when ``n[L] == 1`` (``Y`` is ``(1, m)`` of 0/1) and a
softmax when ``n[L] >= 2`` (``Y`` is one-hot ``(C, m)``). ``forward`` returns the output *logits*
``Z[L]``: the losses take logits, which is what keeps them finite (see :mod:`helpers.layers`).

Options that later chapters switch on: the L2 or L1 penalty (``lambd``, ``penalty``), inverted
dropout (``keep_prob``, one value or one per hidden layer), batch normalization
(``init_params(..., batchnorm=True)``: ``gamma{l}``, ``beta{l}`` replace ``b{l}`` in hidden layers,
and ``running_mean{l}``, ``running_var{l}`` are kept as exponentially weighted averages by
:func:`update_running_stats`).

Looking inside a network
------------------------
One pass, used by :func:`forward`, :func:`cost_and_grads` and :func:`fit` alike::

    fwd = model.forward_pass(X, params, hidden="tanh")   # a Forward
    fwd.Z[1], fwd.A[1]          # layer 1's pre-activations Z[1] = W1 A[0] + b1 and activations A[1]
    fwd.bn[2]["mu"]             # batch norm layer 2's batch mean (also "var", "Z_norm")
    J, dZL = model.data_cost(fwd.ZL, Y)
    bwd = model.backward_pass(dZL, fwd, params, hidden="tanh")   # a Backward
    bwd.dZ[1], bwd.dA[1], bwd.grads["dW1"]

or in one call: ``J, fwd, bwd = model.layer_gradients(X, Y, params, hidden="tanh")``.
Per-layer quantities are dicts indexed by the layer ``l = 1..L`` as on the page (``A[0]`` is ``X``).

Every function also works on a *stack* of independent networks (each array with a leading axis
of size ``K``, see :func:`stack_params`); costs and accuracies are then arrays of shape ``(K,)``.
"""

from __future__ import annotations

import inspect
from typing import NamedTuple

import numpy as np

from . import layers as _layers
from . import optim as _optim
from .blas import single_thread
from .data import mini_batches
from .validate import (as_float_array, check_choice, check_labels, check_logits_and_labels, check_network_inputs,
                       check_number, check_params, describe, error)

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "PENALTIES",
    "Forward",
    "Backward",
    "init_params",
    "num_layers",
    "check_keep_prob",
    "forward_pass",
    "backward_pass",
    "layer_gradients",
    "forward",
    "data_cost",
    "penalty_term",
    "cost",
    "backward",
    "cost_and_grads",
    "update_running_stats",
    "fit",
    "predict_proba",
    "predict",
    "accuracy",
    "weight_norm",
    "stack_params",
    "unstack_params",
    "save_params",
    "load_params",
    "save_model",
    "load_model",
]

ACTIVATIONS = {
    "relu": (_layers.relu_forward, _layers.relu_backward),
    "tanh": (_layers.tanh_forward, _layers.tanh_backward),
    "sigmoid": (_layers.sigmoid_forward, _layers.sigmoid_backward),
    "linear": (_layers.linear_forward, _layers.linear_backward),
}
"""Hidden activation name -> ``(forward, backward)`` pair of :mod:`helpers.layers`."""

INITS = {
    "zeros": lambda n_prev, scale: 0.0,
    "random": lambda n_prev, scale: scale,
    "xavier": lambda n_prev, scale: scale * np.sqrt(1.0 / n_prev),
    "he": lambda n_prev, scale: scale * np.sqrt(2.0 / n_prev),
}
"""The course's one table of initializations: name -> ``std(n_prev, scale)``, the standard
deviation of ``W[l]``'s entries for a layer with ``n_prev = n[l-1]`` inputs (see :func:`init_params`)."""

PENALTIES = ("l2", "l1")


# ---------------------------------------------------------------- parameters


def init_params(layer_dims, init="he", scale=1.0, seed=0, batchnorm=False):
    """Initial parameters for ``layer_dims = [n[0], ..., n[L]]``.

    ``W[l]`` ``(n[l], n[l-1])`` is drawn from a normal distribution with standard deviation
    ``INITS[init](n[l-1], scale)``:

    - ``"he"``: ``scale * sqrt(2 / n[l-1])`` (for ReLU), ``"xavier"``: ``scale * sqrt(1 / n[l-1])`` (tanh),
    - ``"random"``: ``scale`` (the "large random" init of the course with ``scale=10``),
    - ``"zeros"``: every weight is 0 (symmetry is never broken).

    ``b[l]`` ``(n[l], 1)`` starts at 0. With ``batchnorm=True`` hidden layers get ``gamma{l} = 1``,
    ``beta{l} = 0``, ``running_mean{l} = 0``, ``running_var{l} = 1`` (each ``(n[l], 1)``) and no
    ``b{l}`` (batch norm subtracts the mean, so a bias before it would do nothing).
    """
    try:
        dims = list(layer_dims) if not isinstance(layer_dims, (str, bytes, dict)) else None
    except TypeError:
        dims = None
    if dims is None or len(dims) < 2 or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) and n >= 1 for n in dims):
        raise error("layer_dims", describe(layer_dims) if dims is None else repr(layer_dims),
                    "a list of at least two positive integers [n0, ..., nL]", "[2, 4, 1]")
    check_choice("init", init, INITS)
    check_number("scale", scale, low=0)
    check_number("seed", seed, low=0, integer=True)
    if not isinstance(batchnorm, (bool, np.bool_)):
        raise error("batchnorm", describe(batchnorm), "True or False")
    rng = np.random.default_rng(seed)
    params = {}
    L = len(dims) - 1
    for l in range(1, L + 1):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * INITS[init](dims[l - 1], scale)
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
    if not isinstance(param_list, (list, tuple)) or not param_list:
        raise error("param_list", describe(param_list) if not isinstance(param_list, (list, tuple)) else "an empty list",
                    "a non-empty list of parameter dicts of the same shapes")
    keys = param_list[0].keys() if isinstance(param_list[0], dict) else None
    for k, p in enumerate(param_list):
        if not isinstance(p, dict) or p.keys() != keys:
            raise error(f"param_list[{k}]", describe(p) if not isinstance(p, dict) else f"keys {sorted(p)}",
                        f"a dict with the keys of param_list[0], {sorted(keys or [])}")
        for name in keys:
            if np.shape(p[name]) != np.shape(param_list[0][name]):
                raise error(f"param_list[{k}][{name!r}]", f"shape {np.shape(p[name])}",
                            f"{np.shape(param_list[0][name])} like param_list[0]")
    return {k: np.stack([p[k] for p in param_list]) for k in keys}


def unstack_params(params, k):
    """The ``k``-th network of a stack made by :func:`stack_params`."""
    return {name: value[k] for name, value in params.items()}


def weight_norm(params):
    """``sqrt(sum_l ||W[l]||_F^2)``: one number per network."""
    check_params(params)
    return np.sqrt(sum(np.sum(params[f"W{l}"] ** 2, axis=(-2, -1)) for l in range(1, num_layers(params) + 1)))


def save_params(path, params):
    """Write a parameter dict to a ``.npz`` file."""
    check_params(params)
    np.savez(path, **params)


def load_params(path):
    """Read a parameter dict written by :func:`save_params`."""
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def save_model(path, params, hidden="relu"):
    """Save the whole model to one ``.npz`` file: its weights *and* its architecture.

    Besides every array of ``params`` (as :func:`save_params`), the file holds ``layer_dims``
    ``[n[0], ..., n[L]]`` and the name of the ``hidden`` activation, so that :func:`load_model`
    rebuilds the network with nothing else.
    """
    L = check_params(params)
    check_choice("hidden", hidden, ACTIVATIONS)
    layer_dims = [params["W1"].shape[-1]] + [params[f"W{l}"].shape[-2] for l in range(1, L + 1)]
    np.savez(path, **params, layer_dims=np.array(layer_dims), hidden=np.array(hidden))


def load_model(path):
    """Read a model written by :func:`save_model`; returns ``(params, hidden, layer_dims)``."""
    with np.load(path) as data:
        if "layer_dims" not in data.files or "hidden" not in data.files:
            raise error("path", f"{str(path)!r}, a file of weights without layer_dims and hidden",
                        "a file written by model.save_model", "model.load_params for weights alone")
        params = {k: data[k] for k in data.files if k not in ("layer_dims", "hidden")}
        layer_dims, hidden = [int(n) for n in data["layer_dims"]], str(data["hidden"])
    L = check_params(params)
    if layer_dims != [params["W1"].shape[-1]] + [params[f"W{l}"].shape[-2] for l in range(1, L + 1)]:
        raise error("path", f"{str(path)!r} whose weights do not match its layer_dims {layer_dims}",
                    "a file written by model.save_model")
    return params, hidden, layer_dims


# ---------------------------------------------------------------- checks


def check_keep_prob(keep_prob, L):
    """``keep_prob`` as one value per hidden layer, a tuple of ``L - 1`` numbers in (0, 1].

    Accepts one number (every hidden layer) or a list/tuple of ``L - 1`` numbers; rejects
    strings, booleans and None.
    """
    if isinstance(keep_prob, (list, tuple, np.ndarray)) and np.ndim(keep_prob) == 1:
        values = tuple(keep_prob)
        if len(values) != L - 1:
            raise error("keep_prob", f"{len(values)} values {list(values)!r}",
                        f"one number or one per hidden layer ({L - 1})")
        for i, p in enumerate(values):
            check_number(f"keep_prob[{i}]", p.item() if isinstance(p, np.generic) else p, low=0, high=1, low_open=True)
        return tuple(float(p) for p in values)
    check_number("keep_prob", keep_prob, low=0, high=1, low_open=True)
    return (float(keep_prob),) * (L - 1)


def _check_lambd(lambd):
    if isinstance(lambd, (list, tuple, np.ndarray)) and np.ndim(lambd) > 0:
        lam = as_float_array("lambd", lambd)
        if np.any(lam < 0):
            raise error("lambd", f"{lam[lam < 0][0]!r} among its values", "values >= 0")
        return lambd
    return check_number("lambd", lambd, low=0)


def _check_inputs(X, params, Y=None, hidden="relu", keep_prob=1.0, lambd=0.0, penalty="l2", mode="train", needs_Y=False):
    X, Y, L = check_network_inputs(X, params, Y)  # params, then X against W1, then Y against the output
    if Y is None and needs_Y:
        raise error("Y", "None", f"labels (n[L], m) = ({params[f'W{L}'].shape[-2]}, {X.shape[1]})")
    check_choice("hidden", hidden, ACTIVATIONS)
    check_choice("penalty", penalty, PENALTIES)
    check_choice("mode", mode, ("train", "test"))
    _check_lambd(lambd)
    return X, Y, L, check_keep_prob(keep_prob, L)


def _check_dropout_rng(kp, rng, mode="train"):
    if mode == "train" and any(p < 1 for p in kp) and not isinstance(rng, np.random.Generator):
        raise error("rng", describe(rng), "a numpy.random.Generator for dropout (keep_prob < 1) in train mode",
                    "rng=np.random.default_rng(0)")


# ---------------------------------------------------------------- one pass through the network


class Forward:
    """What one forward pass computed, layer by layer (dicts indexed by ``l`` as on the page).

    Attributes
    ----------
    L : the number of layers.
    mode : ``"train"`` or ``"test"``.
    Z : ``l -> Z[l] = W[l] A[l-1] + b[l]`` ``(n[l], m)`` for ``l = 1..L`` (before batch norm);
        ``Z[L]`` (also :attr:`ZL`) are the output logits.
    Z_tilde : ``l -> gamma[l] Z_norm[l] + beta[l]`` for the batch-norm layers (what the
        activation receives there).
    A : ``l -> A[l]`` ``(n[l], m)`` for ``l = 0..L-1``: ``A[0] = X``, then each hidden layer's
        activations (after dropout in train mode).
    bn : ``l -> {"mu", "var", "Z_norm", "inv_std", "gamma"}`` for the batch-norm layers: the
        batch mean and variance ``(n[l], 1)`` in train mode (the running averages in test mode)
        and the normalized ``Z_norm[l]`` ``(n[l], m)``.
    D : ``l -> the boolean dropout mask`` ``(n[l], m)`` for the layers that dropped units.
    """

    __slots__ = ("L", "mode", "Z", "Z_tilde", "A", "bn", "D", "caches")

    def __init__(self, L, mode):
        self.L, self.mode = L, mode
        self.Z, self.Z_tilde, self.A, self.bn, self.D = {}, {}, {}, {}, {}
        self.caches = []  # per layer (affine, batch norm, activation, dropout), for backward_pass

    @property
    def ZL(self):
        """The output logits ``Z[L]`` ``(n[L], m)``."""
        return self.Z[self.L]

    def output(self):
        """``A[L]``: ``sigmoid(Z[L])`` ``(1, m)`` or ``softmax(Z[L])`` ``(C, m)``."""
        ZL = self.ZL
        return _layers.sigmoid(ZL) if ZL.shape[-2] == 1 else _layers.softmax(ZL)

    def __repr__(self):
        return f"Forward(L={self.L}, mode={self.mode!r}, Z[1..{self.L}], A[0..{self.L - 1}], bn layers {sorted(self.bn)})"


class Backward(NamedTuple):
    """What one backward pass computed.

    Attributes
    ----------
    grads : ``dW{l}``, ``db{l}`` (or ``dgamma{l}``, ``dbeta{l}`` with batch norm), the shapes
        of the parameters.
    dZ : ``l -> dJ/dZ[l]`` ``(n[l], m)`` for ``l = 1..L`` (``Z[l]`` before batch norm).
    dA : ``l -> dJ/dA[l]`` ``(n[l], m)`` for ``l = 1..L-1`` (the activations after dropout).
    """

    grads: dict
    dZ: dict
    dA: dict


def forward_pass(X, params, hidden="relu", keep_prob=1.0, mode="train", rng=None):
    """Run the network on ``X`` ``(n[0], m)`` and keep every layer's ``Z`` and ``A``: a :class:`Forward`.

    ``mode="train"`` applies dropout (needs ``rng``, a ``numpy.random.Generator``, when any
    ``keep_prob < 1``) and batch statistics; ``mode="test"`` applies neither (batch norm uses the
    running averages).
    """
    X, _, L, kp = _check_inputs(X, params, hidden=hidden, keep_prob=keep_prob, mode=mode)
    _check_dropout_rng(kp, rng, mode)
    return _forward(X, params, L, hidden, kp, rng, mode)


def _forward(X, params, L, hidden, kp, rng, mode):
    # The inputs were checked once at the public entrance: the layers skip their own checks
    # (check=False), which would otherwise cost a quarter of a small network's training step.
    act_forward = ACTIVATIONS[hidden][0]
    fwd = Forward(L, mode)
    A = fwd.A[0] = X
    for l in range(1, L + 1):
        Z, affine_cache = _layers.affine_forward(A, params[f"W{l}"], params.get(f"b{l}"), check=False)
        fwd.Z[l] = Z
        if l == L:
            fwd.caches.append((affine_cache, None, None, None))
            return fwd
        bn_cache = None
        if f"gamma{l}" in params:
            Z, bn_cache = _layers.batchnorm_forward(
                Z, params[f"gamma{l}"], params[f"beta{l}"], mode,
                params[f"running_mean{l}"], params[f"running_var{l}"], check=False,
            )
            fwd.Z_tilde[l], fwd.bn[l] = Z, bn_cache
        A, act_cache = act_forward(Z, check=False)
        drop_cache = None
        if mode == "train" and kp[l - 1] < 1:
            A, drop_cache = _layers.dropout_forward(A, kp[l - 1], rng, check=False)
            fwd.D[l] = drop_cache[0]
        fwd.A[l] = A
        fwd.caches.append((affine_cache, bn_cache, act_cache, drop_cache))


def backward_pass(dZL, fwd, params, hidden="relu", lambd=0.0, penalty="l2"):
    """Backpropagation from ``dZL = dJ/dZ[L]`` (which carries the ``1/m``) through the layers of
    ``fwd`` (a train-mode :class:`Forward` of the same ``params``): a :class:`Backward`.

    The penalty adds ``lambd/m W[l]`` (L2) or ``lambd/m sign(W[l])`` (L1) to ``dW{l}``.
    """
    L = check_params(params)
    if not isinstance(fwd, Forward) or fwd.L != L:
        raise error("fwd", describe(fwd) if not isinstance(fwd, Forward) else f"a Forward of {fwd.L} layers",
                    f"the Forward of forward_pass for these {L}-layer params")
    if fwd.mode != "train":
        raise error("fwd", "a test-mode Forward", "a train-mode Forward (backward follows training's pass)")
    check_choice("hidden", hidden, ACTIVATIONS)
    check_choice("penalty", penalty, PENALTIES)
    _check_lambd(lambd)
    dZL = as_float_array("dZL", dZL)
    if dZL.shape != fwd.ZL.shape:
        raise error("dZL", f"shape {dZL.shape}", f"the shape of Z[L], {fwd.ZL.shape}",
                    "pass dZL.T" if dZL.shape[::-1] == fwd.ZL.shape else None)
    return _backward(dZL, fwd, params, L, hidden, lambd, penalty)


def _backward(dZL, fwd, params, L, hidden, lambd, penalty):
    act_backward = ACTIVATIONS[hidden][1]
    m = dZL.shape[-1]
    use_penalty = isinstance(lambd, np.ndarray) or lambd != 0
    lam = np.asarray(lambd, dtype=float)[..., None, None] if use_penalty else 0.0
    use_penalty = use_penalty and bool(lam.any())
    lam_m = lam / m if use_penalty else 0.0  # lambd/m, once for every layer
    grads, dZs, dAs = {}, {}, {}
    dZ, dA = dZL, None  # dA: gradient of A[l], set by the layer above
    for l in range(L, 0, -1):
        affine_cache, bn_cache, act_cache, drop_cache = fwd.caches[l - 1]
        if l < L:
            dAs[l] = dA
            dA = _layers.dropout_backward(dA, drop_cache, check=False) if drop_cache is not None else dA
            dZ = act_backward(dA, act_cache, check=False)
            if bn_cache is not None:
                dZ, grads[f"dgamma{l}"], grads[f"dbeta{l}"] = _layers.batchnorm_backward(dZ, bn_cache, check=False)
        dZs[l] = dZ
        dA, dW, db = _layers.affine_backward(dZ, affine_cache, need_dA_prev=l > 1, check=False)
        if use_penalty:
            W = params[f"W{l}"]
            dW = dW + lam_m * (W if penalty == "l2" else np.sign(W))
        grads[f"dW{l}"] = dW
        if f"b{l}" in params:
            grads[f"db{l}"] = db
    return Backward(grads, dZs, dAs)


def layer_gradients(X, Y, params, hidden="relu", lambd=0.0, penalty="l2", keep_prob=1.0, rng=None):
    """Forward, cost and backward in one call (train mode): ``(J, fwd, bwd)``, with ``fwd`` a
    :class:`Forward` (every layer's ``Z``, ``A``, batch statistics) and ``bwd`` a :class:`Backward`
    (every layer's ``dZ``, ``dA`` and the ``grads``). :func:`cost_and_grads` returns ``(J, bwd.grads)``."""
    X, Y, L, kp = _check_inputs(X, params, Y, hidden, keep_prob, lambd, penalty, needs_Y=True)
    _check_dropout_rng(kp, rng)
    return _pass(X, Y, params, L, hidden, lambd, penalty, kp, rng)


def _pass(X, Y, params, L, hidden, lambd, penalty, kp, rng):
    """The one training pass (inputs already checked): ``(J, Forward, Backward)``."""
    fwd = _forward(X, params, L, hidden, kp, rng, "train")
    J, dZL = _data_cost(fwd.ZL, Y)
    J = J + penalty_term(params, lambd, X.shape[-1], penalty)
    return J, fwd, _backward(dZL, fwd, params, L, hidden, lambd, penalty)


def forward(X, params, hidden="relu", keep_prob=1.0, rng=None, mode="train"):
    """Forward pass. Returns ``(ZL, fwd)``: the output logits ``Z[L]`` and the :class:`Forward`
    (every layer's ``Z`` and ``A``) that :func:`backward` needs. See :func:`forward_pass`."""
    fwd = forward_pass(X, params, hidden=hidden, keep_prob=keep_prob, mode=mode, rng=rng)
    return fwd.ZL, fwd


# ---------------------------------------------------------------- cost


def data_cost(ZL, Y):
    """The cross-entropy of logits ``ZL`` ``(n[L], m)`` against ``Y`` and its gradient ``dZL``:
    ``(J, dZL)``, logistic when ``n[L] == 1`` and softmax otherwise (:mod:`helpers.layers`)."""
    ZL, Y = check_logits_and_labels(ZL, Y, name="ZL")
    return _data_cost(ZL, Y)


def _data_cost(ZL, Y):
    if ZL.shape[-2] == 1:
        return _layers.binary_cross_entropy(ZL, Y, check=False)
    return _layers.softmax_cross_entropy(ZL, Y, check=False)


def penalty_term(params, lambd, m, penalty="l2"):
    """The regularization part of the cost, summed over the weight matrices ``W[1..L]``
    (not the biases)::

        l2:  lambd / (2 m) * sum_l ||W[l]||_F^2        (the squared Frobenius norm)
        l1:  lambd / m     * sum_l sum |W[l]|

    ``lambd`` is a number, or an array ``(K,)`` for a stack of ``K`` networks (one cost each);
    ``m`` is the number of examples of the batch the data cost averages over.
    """
    if not isinstance(lambd, np.ndarray) and lambd == 0:  # the common case, without numpy's any()
        return 0.0
    lam = np.asarray(lambd, dtype=float)
    if not lam.any():
        return 0.0
    total = 0
    for l in range(1, num_layers(params) + 1):
        W = params[f"W{l}"]
        # np.add.reduce is np.sum without its Python wrapper: the same sums, called once per step.
        total = total + np.add.reduce(W**2 if penalty == "l2" else np.abs(W), axis=(-2, -1))
    return lam * total / (2 * m) if penalty == "l2" else lam * total / m


def cost(ZL, Y, params, lambd=0.0, penalty="l2", check=True):
    """``J = cross-entropy(ZL, Y) + lambd/(2m) sum_l ||W[l]||_F^2`` (``penalty="l2"``)
    or ``+ lambd/m sum_l |W[l]|_1`` (``penalty="l1"``). ``ZL`` are logits from :func:`forward`.

    ``check=False`` skips the validation of every argument, for a caller that checked them once
    and evaluates the cost thousands of times (a gradient check), as the layers' ``check=False``.
    """
    if not check:
        return _data_cost(ZL, Y)[0] + penalty_term(params, lambd, ZL.shape[-1], penalty)
    L = check_params(params)
    ZL, Y = check_logits_and_labels(ZL, Y, name="ZL")
    if ZL.shape[-2] != params[f"W{L}"].shape[-2]:
        raise error("ZL", f"{ZL.shape[-2]} rows, shape {ZL.shape}", f"n[L] = {params[f'W{L}'].shape[-2]} rows like W{L}")
    check_choice("penalty", penalty, PENALTIES)
    _check_lambd(lambd)
    return _data_cost(ZL, Y)[0] + penalty_term(params, lambd, ZL.shape[-1], penalty)


def backward(dZL, cache, params, hidden="relu", lambd=0.0, penalty="l2"):
    """Backpropagation from ``dZL = dJ/dZ[L]`` (which carries the ``1/m``); ``cache`` is the
    :class:`Forward` returned by :func:`forward`.

    Returns ``grads`` with ``dW{l}``, ``db{l}`` (or ``dgamma{l}``, ``dbeta{l}`` with batch norm).
    The penalty adds ``lambd/m W[l]`` (L2) or ``lambd/m sign(W[l])`` (L1) to ``dW{l}``.
    :func:`backward_pass` also gives every layer's ``dZ`` and ``dA``.
    """
    return backward_pass(dZL, cache, params, hidden=hidden, lambd=lambd, penalty=penalty).grads


def cost_and_grads(X, Y, params, hidden="relu", lambd=0.0, penalty="l2", keep_prob=1.0, rng=None):
    """Forward, cost and backward in one call (train mode). Returns ``(J, grads)``."""
    J, _, bwd = layer_gradients(X, Y, params, hidden, lambd, penalty, keep_prob, rng)
    return J, bwd.grads


def update_running_stats(params, fwd, momentum=0.9):
    """Batch norm's test-time statistics after one train-mode pass ``fwd``: new params with

        running_mean[l] = momentum * running_mean[l] + (1 - momentum) * mu[l]
        running_var[l]  = momentum * running_var[l]  + (1 - momentum) * var[l]

    for every batch-norm layer ``l`` (``mu``, ``var``: that batch's statistics, ``fwd.bn[l]``);
    the exponentially weighted average of chapter 6. Other entries are carried over unchanged.
    """
    if not isinstance(fwd, Forward) or fwd.mode != "train":
        raise error("fwd", describe(fwd) if not isinstance(fwd, Forward) else "a test-mode Forward",
                    "the train-mode Forward of the batch (forward_pass(..., mode='train'))")
    check_number("momentum", momentum, low=0, high=1, high_open=True)
    missing = [l for l in fwd.bn if f"running_mean{l}" not in params]
    if missing:
        raise error("params", f"no running_mean{missing[0]}", "the params the pass ran with")
    return _update_running_stats(params, fwd, momentum)


def _update_running_stats(params, fwd, momentum):
    new = dict(params)
    for l, stats in fwd.bn.items():
        new[f"running_mean{l}"] = momentum * params[f"running_mean{l}"] + (1 - momentum) * stats["mu"]
        new[f"running_var{l}"] = momentum * params[f"running_var{l}"] + (1 - momentum) * stats["var"]
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
    X_dev, Y_dev : if given (both), the dev cost (test mode, no penalty) is recorded every epoch.
    progress : show a ``tqdm.auto`` progress bar over epochs.

    Returns
    -------
    params : the trained parameters.
    history : dict of arrays: ``cost`` (training cost of each epoch, the mean over its
        mini-batches), ``batch_cost`` (every mini-batch), ``dev_cost`` (if dev data was given), and
        ``diverged`` (True once the cost stopped being finite or exceeded 100 times its first
        value, or 100 if that is larger; training stops when every network diverged).
    """
    X, Y, L, kp = _check_inputs(X, params, Y, hidden, keep_prob, lambd, penalty, needs_Y=True)
    optimizer = _check_fit_options(optimizer, num_epochs, mini_batch_size, bn_momentum, seed, progress)
    X_dev, Y_dev = _check_dev(X_dev, Y_dev, params, hidden)

    rng = np.random.default_rng(seed)
    state = optimizer.init(params)
    update = _update_function(optimizer)
    record = _Record(X.shape[1], params["W1"].shape[:-2])
    has_bn = any(f"gamma{l}" in params for l in range(1, L))
    # Overflow in a diverging run is expected and reported through history["diverged"].
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), single_thread():
        for _ in _epochs(num_epochs, progress):
            for X_t, Y_t in _batches(X, Y, mini_batch_size, rng):
                J, fwd, bwd = _pass(X_t, Y_t, params, L, hidden, lambd, penalty, kp, rng)
                params, state = update(params, bwd.grads, state)
                if has_bn:
                    params = _update_running_stats(params, fwd, bn_momentum)
                record.batch(J, X_t.shape[1])
            dev_cost = None if X_dev is None else _data_cost(_forward(X_dev, params, L, hidden, kp, None, "test").ZL, Y_dev)[0]
            if record.epoch(dev_cost):
                break
    return params, record.history()


def _check_fit_options(optimizer, num_epochs, mini_batch_size, bn_momentum, seed, progress):
    optimizer = _optim.gd(0.1) if optimizer is None else optimizer
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "update")):
        raise error("optimizer", describe(optimizer), "an optimizer from helpers.optim (with init and update)",
                    "optim.adam(0.01)")
    check_number("num_epochs", num_epochs, low=1, integer=True)
    check_number("bn_momentum", bn_momentum, low=0, high=1, high_open=True)
    check_number("seed", seed, low=0, integer=True)
    if mini_batch_size is not None:
        check_number("mini_batch_size", mini_batch_size, low=1, integer=True)
    if not isinstance(progress, (bool, np.bool_)):
        raise error("progress", describe(progress), "True or False")
    return optimizer


def _update_function(optimizer):
    """``optimizer.update``, checking the gradients at the first update only when it can skip
    the check (``check=False``, the optimizers of :mod:`helpers.optim`): fit's gradients come
    from its own backward pass of these params, so one check covers every later step."""
    try:
        can_skip = isinstance(optimizer, _optim.Optimizer) and "check" in inspect.signature(optimizer.update).parameters
    except (TypeError, ValueError):  # no signature to read: call it as it is
        can_skip = False
    if not can_skip:
        return optimizer.update
    checked = False

    def update(params, grads, state):
        nonlocal checked
        if checked:
            return optimizer.update(params, grads, state, check=False)
        checked = True
        return optimizer.update(params, grads, state)

    return update


def _check_dev(X_dev, Y_dev, params, hidden):
    if X_dev is None and Y_dev is None:
        return None, None
    if X_dev is None or Y_dev is None:
        given, missing = ("X_dev", "Y_dev") if Y_dev is None else ("Y_dev", "X_dev")
        raise error(missing, "None", f"the dev set's other half, given with {given}", f"fit(..., X_dev=X_dev, Y_dev=Y_dev)")
    X_dev, Y_dev, _ = check_network_inputs(X_dev, params, Y_dev)
    return X_dev, Y_dev


def _epochs(num_epochs, progress):
    if not progress:
        return range(num_epochs)
    from tqdm.auto import tqdm

    return tqdm(range(num_epochs), desc="epochs", leave=False)


def _batches(X, Y, mini_batch_size, rng):
    """The epoch's batches: the whole set for batch gradient descent, else shuffled mini-batches."""
    if mini_batch_size is None or mini_batch_size >= X.shape[1]:
        return [(X, Y)]
    return mini_batches(X, Y, mini_batch_size, rng)


class _Record:
    """fit's history: each batch's cost, each epoch's mean cost and dev cost, and divergence."""

    def __init__(self, m, lead):
        self.m = m
        self.costs = {"cost": [], "batch_cost": [], "dev_cost": []}
        self.epoch_cost = 0.0
        self.diverged = np.zeros(lead, dtype=bool)
        self.limit = None  # 100 times the first epoch's cost (or 100), set when that epoch closes

    def batch(self, J, m_batch):
        self.costs["batch_cost"].append(J)
        self.epoch_cost = self.epoch_cost + J * m_batch / self.m

    def epoch(self, dev_cost):
        """Close the epoch; True when every network has diverged (training can stop)."""
        self.costs["cost"].append(self.epoch_cost)
        if dev_cost is not None:
            self.costs["dev_cost"].append(dev_cost)
        # Diverged: the cost is no longer finite (overflowed parameters give inf or NaN), or it
        # grew a hundredfold over its start.
        if self.limit is None:
            self.limit = 100 * np.maximum(self.costs["cost"][0], 1.0)
        self.diverged = self.diverged | ~(np.asarray(self.epoch_cost) <= self.limit)
        self.epoch_cost = 0.0
        return bool(np.all(self.diverged))

    def history(self):
        out = {k: np.asarray(v) for k, v in self.costs.items()}
        for k in ("cost", "batch_cost", "dev_cost"):
            out[k] = np.where(np.isfinite(out[k]), out[k], np.nan)
        out["diverged"] = self.diverged
        return out


# ---------------------------------------------------------------- prediction


def predict_proba(X, params, hidden="relu"):
    """Test-mode output: ``sigmoid(Z[L])`` ``(1, m)`` or ``softmax(Z[L])`` ``(C, m)``."""
    X, _, L, kp = _check_inputs(X, params, hidden=hidden)
    return _forward(X, params, L, hidden, kp, None, "test").output()


def predict(X, params, hidden="relu"):
    """Predicted labels ``(1, m)``: ``1[p > 0.5]`` for a logistic output, ``argmax`` for softmax."""
    P = predict_proba(X, params, hidden)
    if P.shape[-2] == 1:
        return (P > 0.5).astype(float)
    return P.argmax(axis=-2)[..., None, :].astype(float)


def accuracy(X, Y, params, hidden="relu"):
    """Fraction of correct predictions (one per network of a stack).

    ``Y`` is ``(1, m)`` labels 0/1 for a logistic output; for a softmax output of ``C`` units,
    one-hot ``(C, m)`` or ``(1, m)`` integer classes ``0..C-1``. Labels in {1, 2} or {-1, 1},
    probabilities, or one-hot labels for a logistic output are errors that say so.
    """
    X, _, L = check_network_inputs(X, params)
    C = params[f"W{L}"].shape[-2]
    Y_arr = np.asarray(Y) if Y is not None and not isinstance(Y, (str, bytes)) else Y
    if C > 1 and isinstance(Y_arr, np.ndarray) and Y_arr.ndim == 2 and Y_arr.shape[0] == 1:
        truth = as_float_array("Y", Y_arr)
        if truth.shape[1] != X.shape[1]:
            raise error("Y", f"{truth.shape[1]} column(s), shape {truth.shape}", f"one column per example, m = {X.shape[1]}")
        bad = (truth != np.round(truth)) | (truth < 0) | (truth > C - 1)
        if bad.any():
            raise error("Y", f"class labels such as {truth[bad][0]:g}", f"integer classes 0..{C - 1} (or one-hot ({C}, m))")
    else:
        truth = check_labels(Y, m=X.shape[1], n_classes=C)
        if C > 1:
            truth = truth.argmax(axis=0)[None, :]
    labels = predict(X, params, hidden)
    return np.mean(labels == truth, axis=(-2, -1))
