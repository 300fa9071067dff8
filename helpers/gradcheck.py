"""Gradient checking: compare an analytic gradient with a numerical one.

``numerical_gradient`` perturbs one entry at a time with the two-sided difference
``(f(x + eps) - f(x - eps)) / (2 eps)`` (error O(eps^2)) or the one-sided
``(f(x + eps) - f(x)) / eps`` (error O(eps)). ``relative_difference`` is the course's
``||a - b|| / (||a|| + ||b||)``; ``max_relative_error`` the element-wise version the tests use.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_choice, check_number

__all__ = [
    "numerical_gradient",
    "relative_difference",
    "max_relative_error",
    "dict_to_vector",
    "vector_to_dict",
]


def numerical_gradient(f, x, epsilon=1e-6, method="two-sided"):
    """Numerical gradient of the scalar function ``f`` at the array ``x`` (same shape as ``x``).

    ``x`` is perturbed in place and restored, so ``f`` may close over it.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError(f"x must be a float64 numpy array; got {type(x).__name__} {getattr(x, 'dtype', '')}")
    check_number("epsilon", epsilon, low=0, low_open=True)
    check_choice("method", method, ("two-sided", "one-sided"))
    grad = np.zeros_like(x)
    base = None if method == "two-sided" else float(f())
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + epsilon
        plus = float(f())
        if method == "two-sided":
            x[index] = original - epsilon
            minus = float(f())
            grad[index] = (plus - minus) / (2 * epsilon)
        else:
            grad[index] = (plus - base) / epsilon
        x[index] = original
    return grad


def relative_difference(approx, exact):
    """``||approx - exact|| / (||approx|| + ||exact||)`` (0 when both are zero)."""
    approx = as_float_array("approx", approx)
    exact = as_float_array("exact", exact)
    if approx.shape != exact.shape:
        raise ValueError(f"approx and exact must have the same shape; got {approx.shape} and {exact.shape}")
    denominator = np.linalg.norm(approx) + np.linalg.norm(exact)
    return 0.0 if denominator == 0 else float(np.linalg.norm(approx - exact) / denominator)


def max_relative_error(approx, exact, floor=1e-3):
    """Element-wise relative error ``max |a - b| / max(|a| + |b|, d)``: no entry hides behind a big one.

    The denominator is clamped at ``d = floor * max(|a| + |b|)`` (plus 1e-12): an entry a
    thousandth the size of the largest one is judged on that scale, not on its own, since a
    numerical derivative's rounding error (~1e-11 in float64) is absolute, not relative.
    """
    approx = as_float_array("approx", approx)
    exact = as_float_array("exact", exact)
    if approx.shape != exact.shape:
        raise ValueError(f"approx and exact must have the same shape; got {approx.shape} and {exact.shape}")
    check_number("floor", floor, low=0, high=1)
    size = np.abs(approx) + np.abs(exact)
    denominator = np.maximum(size, floor * size.max(initial=0.0) + 1e-12)
    return float(np.max(np.abs(approx - exact) / denominator, initial=0.0))


def dict_to_vector(params, keys=None):
    """Flatten the arrays of ``params`` (in ``keys`` order) into one vector ``theta``.

    Returns ``(theta, spec)``; ``spec`` lists ``(key, shape)`` for :func:`vector_to_dict`.
    """
    keys = list(params) if keys is None else list(keys)
    spec = [(k, np.shape(params[k])) for k in keys]
    theta = np.concatenate([np.ravel(params[k]).astype(np.float64) for k in keys]) if keys else np.zeros(0)
    return theta, spec


def vector_to_dict(theta, spec):
    """Inverse of :func:`dict_to_vector`."""
    theta = as_float_array("theta", theta, ndim=1)
    total = sum(int(np.prod(shape)) for _, shape in spec)
    if theta.size != total:
        raise ValueError(f"theta must have {total} entries for this spec; got {theta.size}")
    out, start = {}, 0
    for key, shape in spec:
        size = int(np.prod(shape))
        out[key] = theta[start : start + size].reshape(shape)
        start += size
    return out
