"""Validation at the boundary of every public helper: the one place where inputs are checked.

Every check raises ``ValueError`` with one form of message::

    X: got shape (m, n_x) = (300, 2), expected (n_x, m) = (2, 300), e.g. pass X.T

that is, the argument's name, what it got, what was expected and, when there is an obvious
fix, the fix. :func:`error` builds such a message for checks written elsewhere.

The checks are cheap (a few microseconds on the arrays of a live experiment): they compare
shapes and scan values once, so they can sit at the entrance of functions that a slider calls.
"""

from __future__ import annotations

import numbers
import re

import numpy as np

__all__ = [
    "error",
    "describe",
    "as_float_array",
    "check_number",
    "check_choice",
    "check_bool",
    "check_rng",
    "check_X",
    "check_labels",
    "check_X_Y",
    "check_same_m",
    "check_logits_and_labels",
    "check_params",
    "check_grads",
    "check_network_inputs",
]


def error(name, got, expected, fix=None):
    """The ``ValueError`` of this package: ``"{name}: got {got}, expected {expected}[, e.g. {fix}]"``."""
    message = f"{name}: got {got}, expected {expected}"
    if fix:
        message += f", e.g. {fix}"
    return ValueError(message)


def describe(value):
    """A short description of ``value`` for a message: ``None``, ``'0.5' (a str)``, ``an array of shape (2, 3)``."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return f"{value!r} (a bool)"
    if isinstance(value, (str, bytes)):
        text = value if len(value) <= 20 else value[:17] + "..."
        return f"{text!r} (a {type(value).__name__})"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, numbers.Number):
        return repr(value)
    return f"a {type(value).__name__}"


def _is_numeric_string(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


# ---------------------------------------------------------------- numbers and choices


def check_number(name, value, low=None, high=None, low_open=False, high_open=False, integer=False):
    """A finite scalar in ``[low, high]`` (``(`` / ``)`` when the end is open); returns it.

    Rejects None, booleans and strings (also ``"0.5"``: a number in quotes is text), NaN and inf.
    A 0-d numpy array counts as its number.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    kind = numbers.Integral if integer else numbers.Real
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    lo = "-inf" if low is None else low
    hi = "inf" if high is None else high
    noun = "an integer" if integer else "a number"
    wanted = f"{noun} in {left}{lo}, {hi}{right}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        fix = None
        if isinstance(value, str) and _is_numeric_string(value):
            fix = f"{value.strip()} without quotes"
        elif integer and isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
            if float(value).is_integer():
                fix = f"{int(value)}"
        raise error(name, describe(value), wanted, fix)
    if not np.isfinite(value):
        raise error(name, repr(value), f"a finite {noun.split()[-1]} in {left}{lo}, {hi}{right}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        raise error(name, repr(value), wanted)
    return value


def check_choice(name, value, choices):
    """``value`` must be one of ``choices`` (a dict's keys, a tuple, ...); returns it."""
    try:
        ok = value in choices
    except TypeError:  # an unhashable value (a list) asked of a dict or set
        ok = False
    if not ok or isinstance(value, (bool, np.bool_)) and not any(c is value for c in choices):
        raise error(name, describe(value) if not isinstance(value, str) else repr(value),
                    f"one of {sorted(map(str, choices))}")
    return value


def check_bool(name, value):
    """``value`` must be True or False (not 0/1, not "yes"); returns it."""
    if not isinstance(value, (bool, np.bool_)):
        raise error(name, describe(value), "True or False")
    return bool(value)


def check_rng(rng, name="rng"):
    """``rng`` must be a ``numpy.random.Generator``; returns it."""
    if not isinstance(rng, np.random.Generator):
        raise error(name, describe(rng), "a numpy.random.Generator", "np.random.default_rng(0)")
    return rng


# ---------------------------------------------------------------- arrays


def as_float_array(name, value, ndim=None, allow_empty=False):
    """``value`` as a float64 array of finite numbers; checks its number of dimensions.

    Rejects None, strings (also arrays of numeric strings), objects that are not numbers, empty
    arrays (unless ``allow_empty``) and NaN/inf (the message counts them). Booleans inside an
    array are accepted as 0/1 (labels made by ``y == 3`` are booleans).
    """
    if type(value) is np.ndarray and value.dtype == np.float64 and ndim is None and value.size:
        # The fast path of a live experiment's loop: nothing to convert, one scan for NaN/inf.
        if not np.isfinite(value).all():
            bad = int(value.size - np.count_nonzero(np.isfinite(value)))
            raise error(name, f"{bad} NaN or inf value(s) in an array of shape {value.shape}", "finite numbers")
        return value
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise error(name, describe(value), "an array of numbers" if not isinstance(value, (bool, np.bool_)) else "a number")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as err:  # ragged nested lists
        raise error(name, f"a {type(value).__name__} that is not a rectangular array", "an array of numbers") from err
    if array.dtype.kind not in "biuf":
        if array.dtype.kind in "USc" or (array.dtype == object and any(isinstance(v, (str, bytes)) for v in array.flat)):
            what = "complex numbers" if array.dtype.kind == "c" else "strings"
            raise error(name, f"an array of {what}", "an array of real numbers")
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise error(name, f"an array of {type(array.flat[0]).__name__ if array.size else 'objects'}", "an array of numbers") from err
    elif array.dtype != np.float64:
        array = array.astype(np.float64)
    if ndim is not None:
        dims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in dims:
            expected = " or ".join(f"{d}-D" for d in dims) + " array"
            fix = None
            if array.ndim == 1 and 2 in dims:
                fix = f"{name}.reshape(1, -1) for one row"
            raise error(name, f"a {array.ndim}-D array of shape {array.shape}", f"a {expected}", fix)
    if array.size == 0 and not allow_empty:
        raise error(name, f"an empty array of shape {array.shape}", "at least one example (m >= 1)")
    if not np.isfinite(array).all():
        bad = int(array.size - np.count_nonzero(np.isfinite(array)))
        raise error(name, f"{bad} NaN or inf value(s) in an array of shape {array.shape}", "finite numbers")
    return array


def check_X(X, n_x=None, name="X", m=None):
    """``X`` must be ``(n_x, m)``: one column per example. Returns it as a float array."""
    X = as_float_array(name, X, ndim=2)
    rows, cols = X.shape
    if n_x is not None and rows != n_x:
        if cols == n_x and (m is None or rows == m):
            raise error(name, f"shape (m, n_x) = {X.shape}", f"(n_x, m) = ({n_x}, {rows})", f"pass {name}.T")
        raise error(name, f"shape {X.shape}", f"(n_x, m) = ({n_x}, m) with one column per example")
    if m is not None and cols != m:
        if rows == m and (n_x is None or cols == n_x):
            raise error(name, f"shape (m, n_x) = {X.shape}", f"(n_x, m) = ({cols}, {m})", f"pass {name}.T")
        raise error(name, f"{cols} column(s), shape {X.shape}", f"one column per example, m = {m}")
    return X


def _label_set_fix(values, all_values):
    s = set(all_values.tolist())
    if s <= {1.0, 2.0}:
        return "labels {1, 2}", "Y - 1"
    if s <= {-1.0, 1.0}:
        return "labels {-1, 1}", "(Y + 1) / 2"
    if np.all((values > 0) & (values < 1)):
        return f"probabilities such as {values[0]:g}", "(Y > 0.5).astype(float) if these are predicted probabilities"
    shown = ", ".join(f"{v:g}" for v in values[:5])
    return f"values such as {shown}", None


def check_labels(Y, m=None, name="Y", n_classes=None):
    """Labels: binary ``Y`` ``(1, m)`` of 0/1, or one-hot ``Y`` ``(C, m)`` with one 1 per column.

    ``n_classes`` is the number of output units: 1 (a logistic output: binary labels) or
    ``C >= 2`` (softmax: one-hot labels). Names the mistake: a transposed or 1-D ``Y``, labels
    in {1, 2} or {-1, 1}, probabilities, one-hot labels for a binary output (or the reverse).
    """
    arr = np.asarray(Y) if Y is not None and not isinstance(Y, (str, bytes)) else Y
    if m is not None and isinstance(arr, np.ndarray) and arr.ndim == 1 and arr.size == m:
        rows = n_classes or 1
        raise error(name, f"a 1-D array of shape {arr.shape}", f"({rows}, m) = ({rows}, {m})",
                    f"{name}.reshape(1, -1)" if rows == 1 else f"data.one_hot({name}, {rows})")
    Y = as_float_array(name, Y, ndim=2)
    rows, cols = Y.shape
    if m is not None and cols != m:
        if rows == m:
            expected_rows = n_classes if n_classes is not None else cols
            raise error(name, f"shape (m, {cols}) = {Y.shape}", f"({expected_rows}, m) = ({expected_rows}, {m})", f"pass {name}.T")
        raise error(name, f"{cols} column(s), shape {Y.shape}", f"one column per example, m = {m}")
    binary = Y.shape[0] == 1
    if n_classes is not None and rows != n_classes:
        if n_classes == 1:
            raise error(name, f"{rows} rows, shape {Y.shape}",
                        f"binary labels (1, m) of 0/1 for a network with one logistic output",
                        f"{name}.argmax(axis=0).reshape(1, -1) if {name} is one-hot")
        if binary:
            raise error(name, f"one row of labels, shape {Y.shape}",
                        f"one-hot labels ({n_classes}, m) for {n_classes} softmax outputs",
                        f"data.one_hot({name}, {n_classes})")
        raise error(name, f"{rows} rows, shape {Y.shape}", f"one row per output unit, ({n_classes}, m)")
    is_01 = (Y == 0) | (Y == 1)
    if not is_01.all():
        odd = np.unique(Y[~is_01])
        got, fix = _label_set_fix(odd, np.unique(Y))
        what = "labels 0 or 1" if binary else "one-hot columns of 0s and one 1"
        raise error(name, got, what, fix if binary else (f"data.one_hot(y, {rows}) from integer labels y"))
    if not binary:
        bad = np.flatnonzero(Y.sum(axis=0) != 1)
        if bad.size:
            raise error(name, f"{bad.size} column(s) without exactly one 1 (column {bad[0]} first)",
                        f"one-hot labels ({rows}, m) with one 1 per column")
    return Y


def check_same_m(X, Y, x_name="X", y_name="Y"):
    """``X`` and ``Y`` (both 2-D arrays) must have the same number of columns ``m``."""
    if X.shape[1] != Y.shape[1]:
        if Y.shape[0] == X.shape[1]:
            raise error(y_name, f"shape {Y.shape}", f"({Y.shape[1]}, m) = ({Y.shape[1]}, {X.shape[1]})", f"pass {y_name}.T")
        raise error(y_name, f"{Y.shape[1]} column(s)", f"one column per example of {x_name}, m = {X.shape[1]}")


def check_X_Y(X, Y, n_x=None, n_classes=None):
    """A data set: ``X`` ``(n_x, m)`` first, then labels ``Y`` with the same ``m``."""
    X_arr, Y_arr = np.asarray(X), np.asarray(Y)
    if (
        n_x is None
        and X_arr.ndim == 2
        and Y_arr.ndim == 2
        and X_arr.shape[1] != Y_arr.shape[1]
        and X_arr.shape[0] == Y_arr.shape[1]
    ):
        # X is (m, n_x) while Y is (., m): X is the one to blame.
        raise error("X", f"shape (m, n_x) = {X_arr.shape}", f"(n_x, m) = ({X_arr.shape[1]}, {X_arr.shape[0]})", "pass X.T")
    X = check_X(X, n_x)
    return X, check_labels(Y, m=X.shape[1], n_classes=n_classes)


def check_logits_and_labels(Z, Y, name="Z"):
    """Logits ``Z`` ``(C, m)`` (or a stack ``(K, C, m)``) and labels ``Y`` ``(C, m)`` (``C = 1``: binary).

    A transposed or flattened ``Z`` is blamed on ``Z``, a transposed ``Y`` on ``Y``.
    """
    Z = as_float_array(name, Z)
    Y_arr = np.asarray(Y) if Y is not None and not isinstance(Y, (str, bytes)) else None
    if Z.ndim == 1:
        rows = Y_arr.shape[0] if Y_arr is not None and Y_arr.ndim == 2 else 1
        raise error(name, f"a 1-D array of shape {Z.shape}", f"(C, m) = ({rows}, {Z.size // max(rows, 1)})",
                    f"{name}.reshape({rows}, -1)")
    if Z.ndim not in (2, 3):
        raise error(name, f"a {Z.ndim}-D array of shape {Z.shape}", "logits (C, m), or (K, C, m) for K networks")
    C, m = Z.shape[-2:]
    if Y_arr is not None and Y_arr.ndim == 2 and Y_arr.shape != (C, m) and Y_arr.shape == (m, C):
        # One of the two is transposed: labels have few rows (classes) and many columns.
        if Y_arr.shape[0] <= Y_arr.shape[1]:
            raise error(name, f"shape {Z.shape}", f"(C, m) = {Y_arr.shape} like Y", f"pass {name}.T")
        raise error("Y", f"shape {Y_arr.shape}", f"(C, m) = ({C}, {m}) like {name}", "pass Y.T")
    return Z, check_labels(Y, m=m, n_classes=C)


# ---------------------------------------------------------------- parameter dicts

_KEY = re.compile(r"^(W|b|gamma|beta|running_mean|running_var)([1-9][0-9]*)$")
_BN_KEYS = ("gamma", "beta", "running_mean", "running_var")


def check_params(params, name="params"):
    """A network's parameter dict holds exactly ``W1..WL`` with ``b1..bL``; returns ``L``.

    A hidden layer with batch norm has ``gamma{l}``, ``beta{l}``, ``running_mean{l}`` and
    ``running_var{l}`` instead of ``b{l}``. Shapes: ``W{l}`` ``(n[l], n[l-1])``, the others
    ``(n[l], 1)``; a leading axis of ``K`` stacked networks is allowed. Names the missing or extra
    key, and a transposed ``W{l}`` itself (not the layer after it).
    """
    if not isinstance(params, dict):
        raise error(name, describe(params), "a dict {'W1': ..., 'b1': ..., ...}", "model.init_params([2, 4, 1])")
    keys = [str(k) for k in params]
    W_layers = sorted(int(k[1:]) for k in keys if k[:1] == "W" and k[1:].isdigit() and k[1] != "0")
    if not W_layers:
        raise error(name, f"keys {sorted(keys)[:8]}", "W1..WL and b1..bL", "model.init_params([2, 4, 1])")
    L = W_layers[-1]
    missing_W = [f"W{l}" for l in range(1, L + 1) if l not in W_layers]
    if missing_W:
        raise error(name, f"W{L} but no {', '.join(missing_W)}", f"W1..W{L} numbered without gaps")
    expected = {f"W{l}" for l in range(1, L + 1)}
    for l in range(1, L + 1):
        if l < L and f"gamma{l}" in params:
            expected.update(f"{k}{l}" for k in _BN_KEYS)
        else:
            expected.add(f"b{l}")
    missing = sorted(expected - set(params), key=_key_order)
    if missing:
        bn = " (a batch-norm layer has gamma, beta, running_mean, running_var instead of b)" if any(
            str(k).startswith("gamma") for k in params) else ""
        raise error(name, f"no {missing[0]}", f"W1..W{L} with b1..b{L}{bn}", f"{missing[0]} from model.init_params")
    extra = sorted(set(params) - expected, key=lambda k: _key_order(str(k)))
    if extra:
        why = "" if not str(extra[0]).startswith("b") or f"gamma{str(extra[0])[1:]}" not in params else " (a batch-norm layer has beta, not b)"
        raise error(name, f"an extra key {extra[0]!r}{why}", f"exactly W1..W{L} with b1..b{L} for L = {L} layers")
    for key, value in params.items():
        if not isinstance(value, np.ndarray):
            raise error(f"{name}[{key!r}]", describe(value), "a numpy array")
        if value.dtype.kind not in "iuf" or not np.isfinite(value).all():
            as_float_array(f"{name}[{key!r}]", value)  # says what is wrong
    lead = params["W1"].shape[:-2]
    n_prev = None
    for l in range(1, L + 1):
        W = params[f"W{l}"]
        if W.ndim < 2 or W.shape[:-2] != lead:
            raise error(f"W{l}", f"shape {W.shape}", f"(n[{l}], n[{l - 1}]) like W1's leading axes {lead}")
        other = f"b{l}" if f"b{l}" in params else f"gamma{l}"
        n_l = params[other].shape[-2] if params[other].ndim >= 2 else None
        vec = params[other]
        if vec.ndim != W.ndim or vec.shape[-1] != 1 or vec.shape[:-2] != lead:
            if vec.ndim == W.ndim and vec.shape[-2] == 1 and vec.shape[-1] == W.shape[-2]:
                raise error(other, f"shape {vec.shape}", f"(n[{l}], 1) = ({W.shape[-2]}, 1)", f"pass {other}.T")
            raise error(other, f"shape {vec.shape}", f"(n[{l}], 1) = ({W.shape[-2]}, 1)", f"{other}.reshape(-1, 1)")
        if W.shape[-2] != n_l:
            if W.shape[-1] == n_l and (n_prev is None or W.shape[-2] == n_prev):
                raise error(f"W{l}", f"shape {W.shape}", f"(n[{l}], n[{l - 1}]) = ({n_l}, {W.shape[-2]})", f"pass W{l}.T")
            raise error(f"W{l}", f"{W.shape[-2]} rows, shape {W.shape}", f"n[{l}] = {n_l} rows like {other}")
        if n_prev is not None and W.shape[-1] != n_prev:
            raise error(f"W{l}", f"shape {W.shape}", f"(n[{l}], n[{l - 1}]) = ({n_l}, {n_prev}): n[{l - 1}] = {n_prev} is W{l - 1}'s rows")
        if other == f"gamma{l}":
            for k in _BN_KEYS[1:]:
                if params[f"{k}{l}"].shape != vec.shape:
                    raise error(f"{k}{l}", f"shape {params[f'{k}{l}'].shape}", f"{vec.shape} like gamma{l}")
        n_prev = n_l
    return L


def _key_order(key):
    match = _KEY.match(key)
    if not match:
        return (10**9, 0, key)
    order = ("W", "b", "gamma", "beta", "running_mean", "running_var").index(match.group(1))
    return (int(match.group(2)), order, key)


def check_grads(grads, params, name="grads"):
    """Gradients keyed ``dW1, db1, ...``: exactly one ``d{key}`` of the same shape per trainable
    parameter of ``params`` (``W``, ``b``, ``gamma``, ``beta``; not the running statistics)."""
    if not isinstance(grads, dict):
        raise error(name, describe(grads), "a dict {'dW1': ..., 'db1': ...}")
    trainable = [k for k in params if not str(k).startswith("running_")]
    expected = {f"d{k}" for k in trainable}
    missing = sorted(expected - set(grads))
    if missing:
        fix = f"name it {missing[0]!r}" if missing[0][1:] in grads else None
        raise error(name, f"no {missing[0]!r} (keys {sorted(map(str, grads))[:6]})", "one 'd' + key per parameter: dW1, db1, ...", fix)
    extra = sorted(set(grads) - expected, key=str)
    if extra:
        raise error(name, f"an extra key {extra[0]!r}", f"exactly the keys {sorted(expected)}")
    for k in trainable:
        g = as_float_array(f"{name}['d{k}']", grads[f"d{k}"])
        if g.shape != np.shape(params[k]):
            fix = f"pass d{k}.T" if g.shape == np.shape(params[k])[::-1] else None
            raise error(f"d{k}", f"shape {g.shape}", f"the shape of {k}, {np.shape(params[k])}", fix)
    return grads


def check_network_inputs(X, params, Y=None):
    """Check in order: ``params``, then ``X`` against ``W1``, then ``Y`` against the output layer.

    Returns ``(X, Y, L)`` with ``Y`` None when not given. The first array that does not fit is the
    one named: a transposed ``X`` is reported as ``X``'s mistake even when ``Y`` is wrong too.
    """
    L = check_params(params)
    X = check_X(X, n_x=params["W1"].shape[-1])
    if Y is not None:
        Y = check_labels(Y, m=X.shape[1], n_classes=params[f"W{L}"].shape[-2])
    return X, Y, L
