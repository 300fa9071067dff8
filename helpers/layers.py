"""Forward/backward pairs, one per layer kind, in the cs231n style.

A forward returns ``(out, cache)``; its backward takes ``(dout, cache)``. Nothing is kept on an
object, so a cell can run a layer, look at the cache and run the backward by hand.

Shapes follow the course: activations are ``(n[l], m)``, one column per example. Every layer
also accepts a leading axis of independent models (``W`` of shape ``(K, n[l], n[l-1])``), which
is how a live experiment trains a whole grid of small networks in one pass; the formulas are
the same, written with ``@`` and ``swapaxes(-1, -2)`` so that they hold for both.

The losses return ``dZ = dJ/dZ``, which already carries the cost's ``1/m``: the affine backward
then reads ``dW = dZ A_prev^T`` and ``db = sum(dZ)``.

Every function validates its inputs (:mod:`helpers.validate`): a transposed array, NaN or a
wrong ``keep_prob`` raises a ``ValueError`` naming the argument. Each also takes
``check=False``, which skips the validation: that is for a training loop that validated its
data and parameters once at its entrance (:mod:`helpers.model`), where the checks would cost a
quarter of a small network's step.
"""

from __future__ import annotations

import numpy as np

from .validate import as_float_array, check_choice, check_logits_and_labels, check_number, check_rng, error

__all__ = [
    "affine_forward",
    "affine_backward",
    "relu_forward",
    "relu_backward",
    "sigmoid",
    "sigmoid_forward",
    "sigmoid_backward",
    "tanh_forward",
    "tanh_backward",
    "linear_forward",
    "linear_backward",
    "binary_cross_entropy",
    "softmax",
    "softmax_cross_entropy",
    "dropout_forward",
    "dropout_backward",
    "batchnorm_forward",
    "batchnorm_backward",
]


def _T(A):
    return np.swapaxes(A, -1, -2)


def _array(name, value):
    # Layers accept a leading axis of K stacked models: 2-D or 3-D.
    array = as_float_array(name, value)
    if array.ndim not in (2, 3):
        fix = f"{name}.reshape(-1, 1) for one example" if array.ndim == 1 else None
        raise error(name, f"a {array.ndim}-D array of shape {array.shape}", "a 2-D array (n, m), or (K, n, m) for K models", fix)
    return array


def _check_dout(name, dout, shape):
    dout = as_float_array(name, dout)
    if dout.shape != shape:
        fix = f"pass {name}.T" if dout.shape == shape[:-2] + shape[-2:][::-1] else None
        raise error(name, f"shape {dout.shape}", f"the shape of the forward's output, {shape}", fix)
    return dout


def _check_cache(cache, kind, length):
    if not isinstance(cache, tuple) or len(cache) != length:
        raise error("cache", _describe_cache(cache), f"the cache returned by {kind}_forward")


def _describe_cache(cache):
    return f"a {type(cache).__name__}" + (f" of length {len(cache)}" if isinstance(cache, (tuple, list)) else "")


# ---------------------------------------------------------------- affine


def affine_forward(A_prev, W, b, check=True):
    """The linear part of a layer: ``Z = W A_prev + b``.

    Parameters
    ----------
    A_prev : ``(n[l-1], m)`` activations of the previous layer, one column per example
        (or ``(K, n[l-1], m)``; a 2-D ``A_prev`` is shared by a stack ``W`` of K models).
    W : ``(n[l], n[l-1])`` weights, or ``(K, n[l], n[l-1])``.
    b : ``(n[l], 1)`` bias (``(K, n[l], 1)``), broadcast over the ``m`` columns; None for no bias.

    Returns
    -------
    Z : ``(n[l], m)`` (``(K, n[l], m)``).
    cache : ``(A_prev, W)`` for :func:`affine_backward`.
    """
    if check:
        A_prev, W, b = _check_affine(A_prev, W, b)
    if W.ndim == 3 and A_prev.ndim == 2:
        # One A_prev shared by a stack of K networks: a single (K n[l], n[l-1]) @ (n[l-1], m)
        # product gives the same numbers several times faster than numpy's broadcast matmul.
        Z = (W.reshape(-1, W.shape[-1]) @ A_prev).reshape(W.shape[0], W.shape[1], A_prev.shape[1])
    else:
        Z = W @ A_prev
    if b is not None:
        Z = Z + b
    return Z, (A_prev, W)


def _check_affine(A_prev, W, b):
    A_prev = _array("A_prev", A_prev)
    W = _array("W", W)
    if W.shape[-1] != A_prev.shape[-2]:
        if W.shape[-2] == A_prev.shape[-2]:
            raise error("W", f"shape {W.shape}", f"(n[l], n[l-1]) with n[l-1] = {A_prev.shape[-2]} rows of A_prev", "pass W.T")
        fix = "pass A_prev.T" if A_prev.shape[-1] == W.shape[-1] else None
        raise error("A_prev", f"shape {A_prev.shape}", f"(n[l-1], m) = ({W.shape[-1]}, m) to match W {W.shape}", fix)
    if b is not None:
        b = as_float_array("b", b)
        if b.shape[-2:] != (W.shape[-2], 1) or b.ndim > W.ndim:
            fix = "pass b.T" if b.shape[-2:] == (1, W.shape[-2]) else "b.reshape(-1, 1)"
            raise error("b", f"shape {b.shape}", f"(n[l], 1) = ({W.shape[-2]}, 1)", fix)
    return A_prev, W, b


def affine_backward(dZ, cache, need_dA_prev=True, check=True):
    """Gradients of the linear part from ``dZ = dJ/dZ``.

    Parameters
    ----------
    dZ : ``(n[l], m)`` (or ``(K, n[l], m)``), carrying the cost's ``1/m``.
    cache : ``(A_prev, W)`` from :func:`affine_forward`.
    need_dA_prev : False for the first layer, whose input needs no gradient.

    Returns
    -------
    dA_prev : ``(n[l-1], m)`` ``= W^T dZ``, or None when ``need_dA_prev`` is False.
    dW : ``(n[l], n[l-1])`` ``= dZ A_prev^T``.
    db : ``(n[l], 1)`` ``= sum of dZ over the examples``.
    """
    if check:
        _check_cache(cache, "affine", 2)
    A_prev, W = cache
    m = A_prev.shape[-1]
    if check:
        dZ = _check_dout("dZ", dZ, W.shape[:-1] + (m,) if W.ndim >= A_prev.ndim else A_prev.shape[:-2] + (W.shape[-2], m))
    if dZ.ndim == 3 and A_prev.ndim == 2:
        # Shared A_prev (see affine_forward): one 2-D product instead of a broadcast matmul.
        dW = (dZ.reshape(-1, dZ.shape[-1]) @ A_prev.T).reshape(dZ.shape[0], dZ.shape[1], A_prev.shape[0])
    else:
        dW = dZ @ _T(A_prev)
    db = dZ.sum(axis=-1, keepdims=True)
    dA_prev = _T(W) @ dZ if need_dA_prev else None
    return dA_prev, dW, db


# ---------------------------------------------------------------- activations
#
# Each forward takes ``Z`` of any shape (``(n[l], m)`` in a network) and returns ``(A, cache)``
# with ``A`` of the same shape; each backward takes ``dA`` of that shape and the cache and
# returns ``dZ`` of that shape. ``check=False`` skips the validation (see the module docstring).


def relu_forward(Z, check=True):
    """``A = max(0, Z)``. ``Z`` ``(n[l], m)`` -> ``A`` ``(n[l], m)``; the cache is ``Z``."""
    Z = as_float_array("Z", Z) if check else Z
    return np.maximum(Z, 0.0), Z


def relu_backward(dA, cache, check=True):
    """``dZ = dA * 1[Z > 0]``. ``dA`` ``(n[l], m)`` and the cache ``Z`` -> ``dZ`` ``(n[l], m)``."""
    return (_check_dout("dA", dA, np.shape(cache)) if check else dA) * (cache > 0)


def sigmoid(Z, check=True):
    """The logistic function ``1 / (1 + exp(-Z))``, elementwise, finite and warning-free for any finite ``Z``.

    Computed as ``exp(-log(1 + exp(-Z)))`` with ``np.logaddexp``, which never overflows.
    ``Z`` is any array (or number); the result has its shape.
    """
    return np.exp(-np.logaddexp(0.0, -(as_float_array("Z", Z) if check else Z)))


def sigmoid_forward(Z, check=True):
    """``A = sigmoid(Z)``. ``Z`` ``(n[l], m)`` -> ``A`` ``(n[l], m)``; the cache is ``A``."""
    A = sigmoid(Z, check)
    return A, A


def sigmoid_backward(dA, cache, check=True):
    """``dZ = dA * A (1 - A)``. ``dA`` ``(n[l], m)`` and the cache ``A`` -> ``dZ`` ``(n[l], m)``."""
    A = cache
    return (_check_dout("dA", dA, np.shape(A)) if check else dA) * A * (1.0 - A)


def tanh_forward(Z, check=True):
    """``A = tanh(Z)``. ``Z`` ``(n[l], m)`` -> ``A`` ``(n[l], m)``; the cache is ``A``."""
    A = np.tanh(as_float_array("Z", Z) if check else Z)
    return A, A


def tanh_backward(dA, cache, check=True):
    """``dZ = dA * (1 - A^2)``. ``dA`` ``(n[l], m)`` and the cache ``A`` -> ``dZ`` ``(n[l], m)``."""
    A = cache
    return (_check_dout("dA", dA, np.shape(A)) if check else dA) * (1.0 - A * A)


def linear_forward(Z, check=True):
    """The identity: ``A = Z`` ``(n[l], m)``; the cache is ``Z``'s shape."""
    Z = as_float_array("Z", Z) if check else Z
    return Z, Z.shape


def linear_backward(dA, cache, check=True):
    """``dZ = dA`` ``(n[l], m)``."""
    if not check:
        return dA
    return _check_dout("dA", dA, cache if isinstance(cache, tuple) else np.shape(dA))


# ---------------------------------------------------------------- losses


def binary_cross_entropy(Z, Y, check=True):
    """Cross-entropy of ``sigmoid(Z)`` against ``Y`` in {0, 1}, computed from the logits ``Z``.

    ``J = 1/m sum(log(1 + exp(Z)) - Y Z)``, the same as ``-1/m sum(Y log A + (1-Y) log(1-A))``
    but finite for any finite ``Z`` (no ``log(0)``, no overflow at ``|Z| = 1000``).

    Parameters
    ----------
    Z : ``(1, m)`` logits of the output unit (or ``(K, 1, m)`` for K models).
    Y : ``(1, m)`` labels 0/1.
    check : True validates ``Z`` and ``Y`` (shapes, labels, NaN); False skips it, for a training
        loop that checked its data once before its first step (:func:`helpers.model.fit`).
        The unchecked call also accepts ``Z`` ``(K, 1, m)`` with ``Y`` ``(1, m)`` or ``(K, 1, m)``.

    Returns
    -------
    J : the cost, a float (``(K,)`` for K models).
    dZ : ``(1, m)`` ``= (sigmoid(Z) - Y) / m``.
    """
    if check:
        Z, Y = check_logits_and_labels(Z, Y)
        if Z.shape[-2] != 1:
            raise error("Z", f"{Z.shape[-2]} rows, shape {Z.shape}", "(1, m) logits of one logistic output", "softmax_cross_entropy for C classes")
    m = Z.shape[-1]
    J = np.sum(np.logaddexp(0.0, Z) - Y * Z, axis=(-2, -1)) / m
    return J, (sigmoid(Z, check=False) - Y) / m


def softmax(Z, check=True):
    """Column-wise softmax ``t / sum(t)`` with ``t = exp(Z - max Z)``: finite for logits of +-1e3.

    ``Z`` ``(C, m)`` logits, one column per example (or ``(K, C, m)``) -> probabilities of the
    same shape, each column summing to 1. A list of lists is accepted; a 1-D vector is not (is
    it one example or C of them?): pass ``Z.reshape(-1, 1)`` for one example.
    """
    if check:
        Z = as_float_array("Z", Z)
        if Z.ndim < 2:
            raise error("Z", f"a {Z.ndim}-D array of shape {Z.shape}", "logits (C, m), one column per example",
                        "Z.reshape(-1, 1) for one example")
    t = np.exp(Z - Z.max(axis=-2, keepdims=True))
    return t / t.sum(axis=-2, keepdims=True)


def softmax_cross_entropy(Z, Y, check=True):
    """Categorical cross-entropy of ``softmax(Z)`` against one-hot ``Y``, from logits.

    ``J = -1/m sum(Y * log_softmax(Z))`` with ``log_softmax = Z - max - log(sum exp(Z - max))``.

    Parameters
    ----------
    Z : ``(C, m)`` logits, ``C >= 2`` (or ``(K, C, m)`` for K models).
    Y : ``(C, m)`` one-hot labels.
    check : as in :func:`binary_cross_entropy`.

    Returns
    -------
    J : the cost, a float (``(K,)`` for K models).
    dZ : ``(C, m)`` ``= (softmax(Z) - Y) / m``.
    """
    if check:
        Z, Y = check_logits_and_labels(Z, Y)
        if Z.shape[-2] < 2:
            raise error("Z", f"one row, shape {Z.shape}", "(C, m) logits with C >= 2 classes", "binary_cross_entropy for one logistic output")
    m = Z.shape[-1]
    shifted = Z - Z.max(axis=-2, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=-2, keepdims=True))
    J = -np.sum(Y * (shifted - log_sum), axis=(-2, -1)) / m
    return J, (np.exp(shifted - log_sum) - Y) / m


# ---------------------------------------------------------------- dropout


def dropout_forward(A, keep_prob, rng, check=True):
    """Inverted dropout: ``D = rand(A.shape) < keep_prob``; ``A * D / keep_prob``.

    Dividing by ``keep_prob`` keeps ``E[A]`` unchanged, so nothing changes at test time (where
    this layer is simply not applied). ``rng`` is a ``numpy.random.Generator`` owned by the caller:
    every call draws a fresh mask.

    Parameters
    ----------
    A : ``(n[l], m)`` activations (any shape).
    keep_prob : probability of keeping a unit, in (0, 1].
    rng : ``numpy.random.Generator``.

    Returns
    -------
    A_dropped : ``(n[l], m)``.
    cache : ``(D, keep_prob)`` with the boolean mask ``D`` ``(n[l], m)`` (None when ``keep_prob = 1``).
    """
    if check:
        A = as_float_array("A", A)
        check_number("keep_prob", keep_prob, low=0, high=1, low_open=True)
        check_rng(rng)
    if keep_prob == 1:
        return A, (None, 1.0)
    D = rng.random(A.shape) < keep_prob
    return A * D / keep_prob, (D, keep_prob)


def dropout_backward(dA, cache, check=True):
    """The same mask and the same scaling as the forward: ``dA * D / keep_prob``.

    ``dA`` ``(n[l], m)`` and the cache of :func:`dropout_forward` -> ``dA_before_dropout`` ``(n[l], m)``.
    """
    if check:
        _check_cache(cache, "dropout", 2)
    D, keep_prob = cache
    if D is None:
        return as_float_array("dA", dA) if check else dA
    return (_check_dout("dA", dA, D.shape) if check else dA) * D / keep_prob


# ---------------------------------------------------------------- batch normalization


def batchnorm_forward(Z, gamma, beta, mode="train", running_mean=None, running_var=None, epsilon=1e-5, check=True):
    """Batch normalization of the pre-activations, feature by feature (one row = one feature).

    ``mode="train"``: ``mu`` and ``sigma^2`` over the mini-batch (axis of examples);
    ``mode="test"``: the running averages ``running_mean`` and ``running_var`` instead.
    ``Z_norm = (Z - mu) / sqrt(sigma^2 + epsilon)``; ``out = gamma * Z_norm + beta``.

    Parameters
    ----------
    Z : ``(n[l], m)`` pre-activations (or ``(K, n[l], m)``).
    gamma, beta : ``(n[l], 1)`` scale and shift.
    mode : ``"train"`` or ``"test"``.
    running_mean, running_var : ``(n[l], 1)``, needed in test mode.
    epsilon : > 0, keeps the division finite for a feature that is constant over the batch.

    Returns
    -------
    out : ``(n[l], m)``.
    cache : dict with ``Z_norm`` ``(n[l], m)``, ``gamma``, ``inv_std``, ``mu``, ``var`` (``(n[l], 1)``
        each); in train mode ``mu`` and ``var`` are the batch statistics from which the caller
        updates its running averages (see :func:`helpers.model.forward`).
    """
    if check:
        Z, gamma, beta, running_mean, running_var = _check_batchnorm(Z, gamma, beta, mode, running_mean, running_var, epsilon)
    if mode == "train":
        mu = Z.mean(axis=-1, keepdims=True)
        var = Z.var(axis=-1, keepdims=True)
    else:
        mu, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + epsilon)
    Z_norm = (Z - mu) * inv_std
    cache = {"Z_norm": Z_norm, "gamma": gamma, "inv_std": inv_std, "mu": mu, "var": var}
    return gamma * Z_norm + beta, cache


def _check_batchnorm(Z, gamma, beta, mode, running_mean, running_var, epsilon):
    check_choice("mode", mode, ("train", "test"))
    check_number("epsilon", epsilon, low=0, low_open=True)
    Z = _array("Z", Z)
    n = Z.shape[-2]
    gamma = _feature_vector("gamma", gamma, n)
    beta = _feature_vector("beta", beta, n)
    if mode == "test":
        if running_mean is None or running_var is None:
            missing = "running_mean" if running_mean is None else "running_var"
            raise error(missing, "None", f"({n}, 1) running statistics in test mode", "params['running_mean1'] from training")
        running_mean = _feature_vector("running_mean", running_mean, n)
        running_var = _feature_vector("running_var", running_var, n)
        if np.any(running_var < 0):
            raise error("running_var", f"{int(np.sum(running_var < 0))} negative variance(s)", "variances >= 0")
    return Z, gamma, beta, running_mean, running_var


def _feature_vector(name, value, n):
    value = as_float_array(name, value)
    if value.ndim < 2 or value.shape[-2:] != (n, 1):
        fix = f"pass {name}.T" if value.shape[-2:] == (1, n) else f"{name}.reshape(-1, 1)"
        raise error(name, f"shape {value.shape}", f"(n[l], 1) = ({n}, 1), one per feature of Z", fix)
    return value


def batchnorm_backward(dout, cache, check=True):
    """Backward of train-mode batch norm.

    With ``g = dout * gamma``:
    ``dZ = inv_std / m * (m g - sum(g) - Z_norm * sum(g * Z_norm))`` (sums over the batch).

    Parameters
    ----------
    dout : ``(n[l], m)`` gradient of the output.
    cache : the dict from :func:`batchnorm_forward` in train mode.

    Returns
    -------
    dZ : ``(n[l], m)``; dgamma, dbeta : ``(n[l], 1)``.
    """
    if check and (not isinstance(cache, dict) or not {"Z_norm", "gamma", "inv_std"} <= set(cache)):
        raise error("cache", _describe_cache(cache), "the dict returned by batchnorm_forward")
    Z_norm, gamma, inv_std = cache["Z_norm"], cache["gamma"], cache["inv_std"]
    if check:
        dout = _check_dout("dout", dout, Z_norm.shape)
    m = dout.shape[-1]
    dgamma = np.sum(dout * Z_norm, axis=-1, keepdims=True)
    dbeta = np.sum(dout, axis=-1, keepdims=True)
    g = dout * gamma
    dZ = inv_std / m * (m * g - g.sum(axis=-1, keepdims=True) - Z_norm * np.sum(g * Z_norm, axis=-1, keepdims=True))
    return dZ, dgamma, dbeta
