"""Gradient checking: compare an analytic gradient with a numerical one.

``numerical_gradient`` perturbs one entry at a time with the two-sided difference
``(f(x + eps) - f(x - eps)) / (2 eps)`` (error O(eps^2)) or the one-sided
``(f(x + eps) - f(x)) / eps`` (error O(eps)). ``relative_difference`` is the course's
``||a - b|| / (||a|| + ||b||)``; ``max_relative_error`` the element-wise version the tests use.
:func:`gradient_check` puts them together for a parameter dict and reports parameter by parameter.

Chapter 4's material about the check (the planted bugs, the epsilon sweep, the exercises) is in
:mod:`helpers.gradient_check`.
"""

from __future__ import annotations

import numpy as np

from .validate import as_float_array, check_choice, check_number, describe, error

__all__ = [
    "BANDS",
    "EPSILON_RANGE",
    "verdict",
    "magnitude",
    "GradientReport",
    "gradient_check",
    "vector_problem",
    "numerical_gradient",
    "relative_difference",
    "max_relative_error",
    "dict_to_vector",
    "vector_to_dict",
]

#: The verdict bands of the relative difference (the course's rule of thumb for float64, eps ~ 1e-7).
BANDS = ((1e-7, "good"), (1e-3, "look closer"), (np.inf, "likely a bug"))

#: The epsilons :func:`gradient_check` accepts. Its verdict bands assume eps near 1e-7: below
#: 1e-10 the rounding error of J (about 1e-16 / eps) alone gives a correct gradient a difference
#: above 1e-6, and above 1e-3 the truncation error (about eps^2) does; either would make the
#: verdict about epsilon, not about the gradient. (:func:`numerical_gradient` takes any eps > 0.)
EPSILON_RANGE = (1e-10, 1e-3)


def numerical_gradient(f, x, epsilon=1e-6, method="two-sided"):
    """Numerical gradient of the scalar function ``f`` at the array ``x`` (same shape as ``x``).

    ``x`` is perturbed in place and restored (also when ``f`` raises), so ``f`` may close over it.
    ``epsilon`` must change every entry of ``x`` (``x + epsilon != x`` in float64), or the
    difference would be 0 however steep ``f`` is.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError(f"x must be a float64 numpy array; got {type(x).__name__} {getattr(x, 'dtype', '')}")
    check_number("epsilon", epsilon, low=0, low_open=True)
    check_choice("method", method, ("two-sided", "one-sided"))
    if not callable(f):
        raise ValueError(f"f must be a function of no argument that reads x; got {type(f).__name__}")
    if x.size and np.any(x + epsilon == x):
        raise ValueError(f"epsilon={epsilon!r} is below the float64 spacing of x (x + epsilon == x for some "
                         f"entries, largest |x| = {np.max(np.abs(x)):.3g}); expected an epsilon such as 1e-7")
    grad = np.zeros_like(x)
    base = None if method == "two-sided" else float(f())
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + epsilon
            plus = float(f())
            if method == "two-sided":
                x[index] = original - epsilon
                minus = float(f())
                grad[index] = (plus - minus) / (2 * epsilon)
            else:
                grad[index] = (plus - base) / epsilon
        finally:
            x[index] = original
    return grad


def relative_difference(approx, exact):
    """``||approx - exact|| / (||approx|| + ||exact||)`` (0 when both are zero)."""
    approx = as_float_array("approx", approx)
    exact = as_float_array("exact", exact)
    if approx.shape != exact.shape:
        raise error("approx", f"shape {approx.shape}", f"the shape of exact, {exact.shape}")
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
        raise error("approx", f"shape {approx.shape}", f"the shape of exact, {exact.shape}")
    check_number("floor", floor, low=0, high=1)
    size = np.abs(approx) + np.abs(exact)
    denominator = np.maximum(size, floor * size.max(initial=0.0) + 1e-12)
    return float(np.max(np.abs(approx - exact) / denominator, initial=0.0))


def dict_to_vector(params, keys=None):
    """Flatten the arrays of ``params`` (in ``keys`` order) into one vector ``theta``.

    Returns ``(theta, spec)``; ``spec`` lists ``(key, shape)`` for :func:`vector_to_dict`.
    """
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict of arrays such as {{'W1': ..., 'b1': ...}}; got {type(params).__name__}")
    keys = list(params) if keys is None else list(keys)
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"params has no {', '.join(map(str, missing))}; got keys {', '.join(map(str, params))}")
    spec = [(k, np.shape(params[k])) for k in keys]
    theta = (np.concatenate([as_float_array(str(k), params[k]).ravel() for k in keys]) if keys
             else np.zeros(0))
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


# ---------------------------------------------------------------- the full check and its report


def verdict(difference):
    """``"good"`` below 1e-7, ``"look closer"`` below 1e-3, ``"likely a bug"`` above."""
    check_number("difference", difference, low=0)
    return next(name for limit, name in BANDS if difference < limit)


def magnitude(difference):
    """A relative difference as text that means the same on every machine.

    Below 1e-7 (the "good" band) the difference is rounding error: its digits change with the
    CPU's SIMD paths and the BLAS kernel, so only ``"< 1e-7"`` is shown. From 1e-7 up the
    difference is printed with one significant digit (``"5e-07"``, ``"0.2"``).
    """
    check_number("difference", difference, low=0)
    if difference < BANDS[0][0]:
        return "< 1e-7"
    return f"{difference:.0e}" if difference < 1e-2 else f"{difference:.1g}"


class GradientReport:
    """The result of :func:`gradient_check`: the overall relative difference and one row per parameter.

    Attributes
    ----------
    difference : ``||dtheta_approx - dtheta|| / (||dtheta_approx|| + ||dtheta||)`` over all parameters.
    verdict : its band (:func:`verdict`).
    rows : list of dicts ``name, shape, difference, verdict`` in parameter order.
    suspect : the failing parameter closest to the output (highest layer; the worse one of its
        layer), or None if all pass; ``suspect_layer`` its layer number.
        Backpropagation runs from the output down, so a bug corrupts the gradient where it sits
        and every layer below it: the highest failing layer is where to look first.
    approx, exact : the two gradient vectors.
    """

    def __init__(self, names, shapes, approx, exact):
        self.approx, self.exact = approx, exact
        self.difference = relative_difference(approx, exact)
        self.verdict = verdict(self.difference)
        self.rows, start = [], 0
        for name, shape in zip(names, shapes):
            size = int(np.prod(shape))
            diff = relative_difference(approx[start:start + size], exact[start:start + size])
            self.rows.append({"name": name, "shape": tuple(shape), "difference": diff, "verdict": verdict(diff)})
            start += size
        failing = [row for row in self.rows if row["verdict"] != "good"]
        worst = max(failing, key=lambda row: (_layer_of(row["name"]), row["difference"])) if failing else None
        self.suspect = worst["name"] if worst else None
        self.suspect_layer = _layer_of(worst["name"]) if worst else None

    @property
    def passed(self):
        return self.verdict == "good"

    def difference_of(self, name):
        return next(row["difference"] for row in self.rows if row["name"] == name)

    def failing(self):
        """Names of the parameters whose own relative difference is not "good"."""
        return [row["name"] for row in self.rows if row["verdict"] != "good"]

    def table(self):
        """The per-parameter table as fixed-width text (differences shown by :func:`magnitude`)."""
        lines = [f"{'parameter':<10} {'shape':<9} {'rel. difference':>15}  verdict"]
        for row in self.rows:
            mark = "  <- look here" if row["name"] == self.suspect else ""
            shape = "x".join(str(s) for s in row["shape"])
            lines.append(f"{row['name']:<10} {shape:<9} {magnitude(row['difference']):>15}  {row['verdict']}{mark}")
        lines.append(f"{'all':<10} {'':<9} {magnitude(self.difference):>15}  {self.verdict}")
        return "\n".join(lines)

    def __repr__(self):
        return self.table()


def _layer_of(name):
    digits = "".join(ch for ch in name if ch.isdigit())
    return int(digits) if digits else 0


def gradient_check(cost_fn, params, grads, epsilon=1e-7, keys=None):
    """Compare ``grads`` with the two-sided numerical gradient of ``cost_fn`` at ``params``.

    Parameters
    ----------
    cost_fn : ``cost_fn(params) -> float``, the cost J for a parameter dict (it must include the L2
        term if ``grads`` does, and must not use dropout: with a new mask per call J is random).
    params : dict of float arrays; ``grads`` has ``"d" + name`` for each name checked
        (``dW1``, ``db1``, ...). Every key of ``grads`` must name a parameter.
    epsilon : the perturbation of each entry of theta, in :data:`EPSILON_RANGE` (``[1e-10, 1e-3]``):
        the verdict bands are meant for eps near 1e-7, and outside that range the error of the
        numerical gradient itself would decide the verdict (a ValueError says so).
    keys : the parameters to check, default every name with a gradient in ``grads``.

    Returns a :class:`GradientReport`. ``params`` is not modified.
    """
    if not callable(cost_fn):
        raise error("cost_fn", describe(cost_fn), "a function params -> J", "gradient_check.network_cost_fn(X, Y)")
    if not isinstance(params, dict) or not params:
        raise error("params", describe(params) if not isinstance(params, dict) else "an empty dict",
                    "a non-empty dict of arrays {'W1': ..., 'b1': ...}")
    if not isinstance(grads, dict):
        raise error("grads", describe(grads), "a dict {'dW1': ..., 'db1': ...}")
    check_number("epsilon", epsilon, low=0, low_open=True)
    low, high = EPSILON_RANGE
    if not low <= epsilon <= high:
        raise error("epsilon", repr(epsilon), f"a value in [{low:g}, {high:g}], where the verdict bands mean something "
                    "(below, rounding error dominates; above, truncation error)", "1e-7 (numerical_gradient takes any epsilon)")
    unknown = [k for k in grads if not (isinstance(k, str) and k.startswith("d") and k[1:] in params)]
    if unknown:
        fix = f"name it 'd{unknown[0]}' (a d in front of the parameter's name)" if unknown[0] in params else None
        raise error("grads", f"the key {unknown[0]!r}, which names no parameter",
                    f"keys among {', '.join('d' + k for k in params)}", fix)
    keys = [k for k in params if "d" + k in grads] if keys is None else list(keys)
    if not keys:
        raise error("grads", "no gradient to check (an empty dict)", f"keys such as {', '.join('d' + k for k in params)}")
    for k in keys:
        if k not in params:
            raise error("keys", f"{k!r}, which is not in params", f"names among {', '.join(params)}")
        if "d" + k not in grads:
            raise error("grads", f"no gradient for {k!r}", f"the keys {', '.join('d' + k for k in keys)}")
        if np.shape(grads["d" + k]) != np.shape(params[k]):
            fix = f"pass d{k}.T" if np.shape(grads["d" + k]) == np.shape(params[k])[::-1] else None
            raise error(f"grads['d{k}']", f"shape {np.shape(grads['d' + k])}", f"the shape of params['{k}'], {np.shape(params[k])}", fix)
    theta, spec, exact, f = vector_problem(cost_fn, params, grads, keys)
    approx = numerical_gradient(f, theta, epsilon=epsilon)
    return GradientReport(keys, [shape for _, shape in spec], approx, exact)


def vector_problem(cost_fn, params, grads, keys):
    """The check as a problem in one vector: ``(theta, spec, dtheta, f)``.

    ``theta`` holds the ``keys`` of ``params`` (in that order), ``dtheta`` the matching gradients of
    ``grads`` and ``f()`` is ``cost_fn`` of the params with ``theta`` in place: it follows in-place
    changes of ``theta``, as :func:`numerical_gradient` needs.
    """
    theta, spec = dict_to_vector(params, keys)
    exact, _ = dict_to_vector({k: grads["d" + k] for k in keys})
    rest = {k: v for k, v in params.items() if k not in keys}
    views = vector_to_dict(theta, spec)  # views into theta: they follow its in-place perturbations

    def f():
        return cost_fn({**rest, **views})

    return theta, spec, exact, f
