"""Forward/backward pairs, one per layer kind, in the cs231n style.

A forward returns ``(out, cache)``; its backward takes ``(dout, cache)``. Nothing is kept on an
object, so a cell can run a layer, look at the cache and run the backward by hand.

Shapes follow the course: activations are ``(n[l], m)``, one column per example. Every layer
also accepts a leading axis of independent models (``W`` of shape ``(K, n[l], n[l-1])``), which
is how a live experiment trains a whole grid of small networks in one pass; the formulas are
the same, written with ``@`` and ``swapaxes(-1, -2)`` so that they hold for both.

The losses return ``dZ = dJ/dZ``, which already carries the cost's ``1/m``: the affine backward
then reads ``dW = dZ A_prev^T`` and ``db = sum(dZ)``.
"""

from __future__ import annotations

import numpy as np

from .validate import as_float_array, check_labels, check_number

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


# ---------------------------------------------------------------- affine


def affine_forward(A_prev, W, b):
    """``Z = W A_prev + b``. ``A_prev`` ``(n[l-1], m)``, ``W`` ``(n[l], n[l-1])``, ``b`` ``(n[l], 1)`` or None."""
    if np.ndim(W) < 2 or np.ndim(A_prev) < 2 or np.shape(W)[-1] != np.shape(A_prev)[-2]:
        raise ValueError(
            f"W of shape (n[l], n[l-1]) needs A_prev of shape (n[l-1], m); got W {np.shape(W)} "
            f"and A_prev {np.shape(A_prev)}"
        )
    if b is not None and np.shape(b)[-2:] != (np.shape(W)[-2], 1):
        raise ValueError(f"b must have shape (n[l], 1) = ({np.shape(W)[-2]}, 1); got {np.shape(b)}")
    if np.ndim(W) == 3 and np.ndim(A_prev) == 2:
        # One A_prev shared by a stack of K networks: a single (K n[l], n[l-1]) @ (n[l-1], m)
        # product gives the same numbers several times faster than numpy's broadcast matmul.
        Z = (W.reshape(-1, W.shape[-1]) @ A_prev).reshape(W.shape[0], W.shape[1], A_prev.shape[1])
    else:
        Z = W @ A_prev
    if b is not None:
        Z = Z + b
    return Z, (A_prev, W)


def affine_backward(dZ, cache, need_dA_prev=True):
    """Returns ``(dA_prev, dW, db)``; ``dA_prev`` is None when ``need_dA_prev`` is False (first layer)."""
    A_prev, W = cache
    if np.ndim(dZ) == 3 and np.ndim(A_prev) == 2:
        # Shared A_prev (see affine_forward): one 2-D product instead of a broadcast matmul.
        dW = (dZ.reshape(-1, dZ.shape[-1]) @ A_prev.T).reshape(dZ.shape[0], dZ.shape[1], A_prev.shape[0])
    else:
        dW = dZ @ _T(A_prev)
    db = dZ.sum(axis=-1, keepdims=True)
    dA_prev = _T(W) @ dZ if need_dA_prev else None
    return dA_prev, dW, db


# ---------------------------------------------------------------- activations


def relu_forward(Z):
    """``A = max(0, Z)``."""
    return np.maximum(Z, 0.0), Z


def relu_backward(dA, cache):
    """``dZ = dA * 1[Z > 0]``."""
    return dA * (cache > 0)


def sigmoid(Z):
    """The logistic function ``1 / (1 + exp(-Z))``, finite and warning-free for any finite ``Z``.

    Computed as ``exp(-log(1 + exp(-Z)))`` with ``np.logaddexp``, which never overflows.
    """
    return np.exp(-np.logaddexp(0.0, -Z))


def sigmoid_forward(Z):
    A = sigmoid(Z)
    return A, A


def sigmoid_backward(dA, cache):
    """``dZ = dA * A (1 - A)``."""
    A = cache
    return dA * A * (1.0 - A)


def tanh_forward(Z):
    A = np.tanh(Z)
    return A, A


def tanh_backward(dA, cache):
    """``dZ = dA * (1 - A^2)``."""
    A = cache
    return dA * (1.0 - A * A)


def linear_forward(Z):
    return Z, None


def linear_backward(dA, cache):
    return dA


# ---------------------------------------------------------------- losses


def binary_cross_entropy(Z, Y):
    """Cross-entropy of ``sigmoid(Z)`` against ``Y`` in {0, 1}, computed from the logits ``Z``.

    ``J = 1/m sum(log(1 + exp(Z)) - Y Z)``, the same as ``-1/m sum(Y log A + (1-Y) log(1-A))``
    but finite for any finite ``Z`` (no ``log(0)``, no overflow at ``|Z| = 1000``).

    Returns ``(J, dZ)`` with ``dZ = (sigmoid(Z) - Y) / m``.
    """
    Z, Y = check_logits_and_labels(Z, Y)
    return _binary_cross_entropy(Z, Y)


def _binary_cross_entropy(Z, Y):
    # Unchecked; with a leading model axis J is (K,).
    m = Z.shape[-1]
    J = np.sum(np.logaddexp(0.0, Z) - Y * Z, axis=(-2, -1)) / m
    return J, (sigmoid(Z) - Y) / m


def softmax(Z):
    """Column-wise softmax ``t / sum(t)`` with ``t = exp(Z - max Z)``: finite for logits of +-1e3."""
    t = np.exp(Z - Z.max(axis=-2, keepdims=True))
    return t / t.sum(axis=-2, keepdims=True)


def softmax_cross_entropy(Z, Y):
    """Categorical cross-entropy of ``softmax(Z)`` against one-hot ``Y`` ``(C, m)``, from logits.

    ``J = -1/m sum(Y * log_softmax(Z))`` with ``log_softmax = Z - max - log(sum exp(Z - max))``.
    Returns ``(J, dZ)`` with ``dZ = (softmax(Z) - Y) / m``.
    """
    Z, Y = check_logits_and_labels(Z, Y)
    if Z.shape[0] < 2:
        raise ValueError(f"softmax needs C >= 2 rows of logits; got shape {Z.shape}")
    return _softmax_cross_entropy(Z, Y)


def _softmax_cross_entropy(Z, Y):
    m = Z.shape[-1]
    shifted = Z - Z.max(axis=-2, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=-2, keepdims=True))
    J = -np.sum(Y * (shifted - log_sum), axis=(-2, -1)) / m
    return J, (np.exp(shifted - log_sum) - Y) / m


# ---------------------------------------------------------------- dropout


def dropout_forward(A, keep_prob, rng):
    """Inverted dropout: ``D = rand(A.shape) < keep_prob``; ``A * D / keep_prob``.

    Dividing by ``keep_prob`` keeps ``E[A]`` unchanged, so nothing changes at test time (where
    this layer is simply not applied). ``rng`` is a ``numpy.random.Generator`` owned by the caller:
    every call draws a fresh mask. Returns ``(A_dropped, (D, keep_prob))``.
    """
    check_number("keep_prob", keep_prob, low=0, high=1, low_open=True)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); got {rng!r}")
    if keep_prob == 1:
        return A, (None, 1.0)
    D = rng.random(A.shape) < keep_prob
    return A * D / keep_prob, (D, keep_prob)


def dropout_backward(dA, cache):
    """The same mask and the same scaling as the forward: ``dA * D / keep_prob``."""
    D, keep_prob = cache
    return dA if D is None else dA * D / keep_prob


# ---------------------------------------------------------------- batch normalization


def batchnorm_forward(Z, gamma, beta, mode="train", running_mean=None, running_var=None, epsilon=1e-5):
    """Batch normalization of the pre-activations ``Z`` ``(n, m)``, feature by feature.

    ``mode="train"``: ``mu`` and ``sigma^2`` over the mini-batch (axis of examples);
    ``mode="test"``: the running averages ``running_mean`` and ``running_var`` instead.
    ``Z_norm = (Z - mu) / sqrt(sigma^2 + epsilon)``; ``out = gamma * Z_norm + beta``.

    Returns ``(out, cache)``; in train mode ``cache["mu"]`` and ``cache["var"]`` are the batch
    statistics from which the caller updates its running averages (see
    :func:`helpers.model.forward`).
    """
    if mode == "train":
        mu = Z.mean(axis=-1, keepdims=True)
        var = Z.var(axis=-1, keepdims=True)
    elif mode == "test":
        if running_mean is None or running_var is None:
            raise ValueError("batchnorm in test mode needs running_mean and running_var")
        mu, var = running_mean, running_var
    else:
        raise ValueError(f"mode must be 'train' or 'test'; got {mode!r}")
    inv_std = 1.0 / np.sqrt(var + epsilon)
    Z_norm = (Z - mu) * inv_std
    cache = {"Z_norm": Z_norm, "gamma": gamma, "inv_std": inv_std, "mu": mu, "var": var}
    return gamma * Z_norm + beta, cache


def batchnorm_backward(dout, cache):
    """Backward of train-mode batch norm. Returns ``(dZ, dgamma, dbeta)``.

    With ``g = dout * gamma``:
    ``dZ = inv_std / m * (m g - sum(g) - Z_norm * sum(g * Z_norm))`` (sums over the batch).
    """
    Z_norm, gamma, inv_std = cache["Z_norm"], cache["gamma"], cache["inv_std"]
    m = dout.shape[-1]
    dgamma = np.sum(dout * Z_norm, axis=-1, keepdims=True)
    dbeta = np.sum(dout, axis=-1, keepdims=True)
    g = dout * gamma
    dZ = inv_std / m * (m * g - g.sum(axis=-1, keepdims=True) - Z_norm * np.sum(g * Z_norm, axis=-1, keepdims=True))
    return dZ, dgamma, dbeta


def check_logits_and_labels(Z, Y):
    """Logits ``Z`` ``(C, m)`` and labels ``Y`` of the same shape (``C = 1``: binary)."""
    Z = as_float_array("Z", Z, ndim=2)
    Y = check_labels(Y, m=Z.shape[1], n_classes=Z.shape[0])
    return Z, Y
