"""Validation at the boundary of every public helper.

Each check raises ``ValueError`` with a message that names the argument, what it got and
what was expected, so a learner who passes ``X`` as ``(m, n_x)`` is told so in words.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(name, value, ndim=None):
    """Return ``value`` as a float64 array, checking its number of dimensions and NaNs."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of numbers; got {type(value).__name__}") from error
    if ndim is not None and array.ndim not in np.atleast_1d(ndim):
        expected = " or ".join(f"{d}-D" for d in np.atleast_1d(ndim))
        raise ValueError(f"{name} must be a {expected} array; got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} must hold finite numbers; got {bad} NaN or inf value(s)")
    return array


def check_X(X, n_x=None, name="X"):
    """``X`` must be ``(n_x, m)``: one column per example."""
    X = as_float_array(name, X, ndim=2)
    if n_x is not None and X.shape[0] != n_x:
        hint = ""
        if X.shape[1] == n_x:
            hint = f"; it looks like (m, n_x): pass {name}.T so that examples are columns"
        raise ValueError(
            f"{name} must have shape (n_x, m) = ({n_x}, m) with one column per example; "
            f"got {X.shape}{hint}"
        )
    return X


def check_labels(Y, m=None, name="Y", n_classes=None):
    """Binary ``Y`` is ``(1, m)`` of 0/1; one-hot ``Y`` is ``(C, m)`` with one 1 per column."""
    Y = as_float_array(name, Y, ndim=2)
    if m is not None and Y.shape[1] != m:
        hint = ""
        if Y.shape[0] == m:
            hint = f"; it looks like (m, 1): pass {name}.T or {name}.reshape(1, -1)"
        raise ValueError(f"{name} must have one column per example, shape (., {m}); got {Y.shape}{hint}")
    if n_classes is not None and Y.shape[0] != n_classes:
        raise ValueError(
            f"{name} must have {n_classes} row(s) to match the output layer; got shape {Y.shape}"
        )
    if not np.all((Y == 0) | (Y == 1)):
        odd = np.unique(Y[(Y != 0) & (Y != 1)])[:5]
        raise ValueError(f"labels in {name} must be 0 or 1; got values such as {odd.tolist()}")
    if Y.shape[0] > 1 and not np.all(Y.sum(axis=0) == 1):
        raise ValueError(f"one-hot {name} of shape {Y.shape} must have exactly one 1 in every column")
    return Y


def check_X_Y(X, Y, n_x=None):
    """Check a data set: ``X`` ``(n_x, m)`` and labels ``Y`` with the same ``m``."""
    X_arr = np.asarray(X)
    Y_arr = np.asarray(Y)
    if (
        X_arr.ndim == 2
        and Y_arr.ndim == 2
        and X_arr.shape[1] != Y_arr.shape[1]
        and X_arr.shape[0] == Y_arr.shape[1]
    ):
        raise ValueError(
            f"X has shape {X_arr.shape} but Y has {Y_arr.shape[1]} columns: X must be (n_x, m) "
            "with one column per example; pass X.T"
        )
    X = check_X(X, n_x)
    Y = check_labels(Y, m=X.shape[1])
    return X, Y


def check_number(name, value, low=None, high=None, low_open=False, high_open=False, integer=False):
    """A finite scalar in ``[low, high]`` (``(`` / ``)`` when the end is open)."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError(f"{name} must be {'an integer' if integer else 'a number'}; got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}; got {value!r}")
    return value


def check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}; got {value!r}")
    return value
