"""Gradient checking: compare an analytic gradient with a numerical one.

``numerical_gradient`` perturbs one entry at a time with the two-sided difference
``(f(x + eps) - f(x - eps)) / (2 eps)`` (error O(eps^2)) or the one-sided
``(f(x + eps) - f(x)) / eps`` (error O(eps)). ``relative_difference`` is the course's
``||a - b|| / (||a|| + ||b||)``; ``max_relative_error`` the element-wise version the tests use.
"""

from __future__ import annotations

import numpy as np

from .validate import as_float_array, check_choice, check_number

__all__ = [
    "BANDS",
    "BUGS",
    "verdict",
    "GradientReport",
    "gradient_check",
    "network_cost_fn",
    "backward_with_bug",
    "epsilon_sweep",
    "loglog_slope",
    "check_numerical_gradient",
    "bug_hunt_problem",
    "bug_hunt_reports",
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


# ---------------------------------------------------------------- chapter 4: the full check and the bug hunt

#: The verdict bands of the relative difference (the course's rule of thumb for float64).
BANDS = ((1e-7, "good"), (1e-3, "look closer"), (np.inf, "likely a bug"))

#: Bugs :func:`backward_with_bug` can plant in backpropagation.
BUGS = ("none", "wrong factor", "missing 1/m", "wrong transpose", "forgotten L2 term")


def verdict(difference):
    """``"good"`` below 1e-7, ``"look closer"`` below 1e-3, ``"likely a bug"`` above."""
    check_number("difference", difference, low=0)
    return next(name for limit, name in BANDS if difference < limit)


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
        """The per-parameter table as fixed-width text."""
        lines = [f"{'parameter':<10} {'shape':<9} {'rel. difference':>15}  verdict"]
        for row in self.rows:
            mark = "  <- look here" if row["name"] == self.suspect else ""
            shape = "x".join(str(s) for s in row["shape"])
            lines.append(f"{row['name']:<10} {shape:<9} {row['difference']:>15.2e}  {row['verdict']}{mark}")
        lines.append(f"{'all':<10} {'':<9} {self.difference:>15.2e}  {self.verdict}")
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
    params : dict of float arrays; ``grads`` has ``"d" + name`` for each name checked.
    epsilon : the perturbation of each entry of theta.
    keys : the parameters to check, default every name with a gradient in ``grads``.

    Returns a :class:`GradientReport`. ``params`` is not modified.
    """
    keys = [k for k in params if "d" + k in grads] if keys is None else list(keys)
    missing = [k for k in keys if "d" + k not in grads]
    if missing:
        raise ValueError(f"grads has no gradient for {missing}; expected keys {['d' + k for k in keys]}")
    for k in keys:
        if np.shape(grads["d" + k]) != np.shape(params[k]):
            raise ValueError(f"grads['d{k}'] must have the shape of params['{k}'] {np.shape(params[k])}; "
                             f"got {np.shape(grads['d' + k])}")
    theta, spec, exact, f = _as_vector_problem(cost_fn, params, grads, keys)
    approx = numerical_gradient(f, theta, epsilon=epsilon)
    return GradientReport(keys, [shape for _, shape in spec], approx, exact)


def _as_vector_problem(cost_fn, params, grads, keys):
    """``theta`` (the ``keys`` of ``params`` as one vector), its spec, the analytic gradient as a
    vector, and ``f() = cost_fn(params with theta)``, which follows in-place changes of ``theta``."""
    theta, spec = dict_to_vector(params, keys)
    exact, _ = dict_to_vector({k: grads["d" + k] for k in keys})
    rest = {k: v for k, v in params.items() if k not in keys}
    views = vector_to_dict(theta, spec)  # views into theta: they follow its in-place perturbations

    def f():
        return cost_fn({**rest, **views})

    return theta, spec, exact, f


def network_cost_fn(X, Y, hidden="tanh", lambd=0.0, keep_prob=1.0, rng=None):
    """``params -> J``: the network cost of :mod:`helpers.model` (with the L2 term), for the check.

    With ``keep_prob < 1`` every call runs a forward pass in train mode with a *new* dropout mask
    drawn from ``rng``, as training does: J is then a random function of the parameters.
    ``X``, ``Y`` and the options are validated once here; each call then skips the checks (a
    gradient check calls this twice per parameter entry).
    """
    from . import model
    from .validate import check_labels, check_X

    X = check_X(X)
    Y = check_labels(Y, m=X.shape[1])
    check_choice("hidden", hidden, model.ACTIVATIONS)
    check_number("lambd", lambd, low=0)
    if np.any(np.asarray(keep_prob) < 1) and not isinstance(rng, np.random.Generator):
        raise ValueError("dropout (keep_prob < 1) needs rng=np.random.default_rng(seed)")

    def cost_fn(params):
        L = model.num_layers(params)
        kp = model._check_keep_prob(keep_prob, L)
        ZL, _ = model._forward(X, params, L, hidden, kp, rng, "train")
        return float(model._cost(ZL, Y, params, L, lambd, "l2"))

    return cost_fn


def backward_with_bug(X, Y, params, bug="none", layer=1, lambd=0.0):
    """Backpropagation of a tanh network (sigmoid or softmax output, L2 term) written out line by
    line, with one deliberate ``bug`` in layer ``layer``. ``bug="none"`` is the correct backward.

    The bugs (each at layer ``layer`` only):

    - ``"wrong factor"``: a wrong derivative factor: ``dZ = dA * (1 - A)`` instead of
      ``dA * (1 - A**2)`` for tanh; at the output, ``dZ = (A - Y) * A * (1 - A)`` instead of
      ``A - Y``. Corrupts ``dW``, ``db`` of this layer and of every layer below it.
    - ``"missing 1/m"``: ``db = sum(dZ)`` instead of ``sum(dZ) / m``. Touches ``db`` only.
    - ``"wrong transpose"``: ``dW = A_prev dZ^T / m`` instead of ``dZ A_prev^T / m``. Only a
      square ``W[layer]`` lets this run at all (so the shapes cannot reveal it). Touches ``dW`` only.
    - ``"forgotten L2 term"``: ``dW`` without ``+ lambd / m * W``. Touches ``dW`` only (when ``lambd > 0``).

    Returns ``grads`` with ``dW1, db1, ...``.
    """
    from . import layers, model
    from .validate import check_labels, check_X

    check_choice("bug", bug, BUGS)
    L = model._check_params(params)
    X = check_X(X, n_x=params["W1"].shape[1])
    Y = check_labels(Y, m=X.shape[1], n_classes=params[f"W{L}"].shape[0])
    check_number("layer", layer, low=1, high=L, integer=True)
    check_number("lambd", lambd, low=0)
    W_bug = params[f"W{layer}"]
    if bug == "wrong transpose" and W_bug.shape[0] != W_bug.shape[1]:
        raise ValueError(f"'wrong transpose' needs a square W{layer}; got shape {W_bug.shape} "
                         "(a non-square one fails with a shape error before any check)")
    m = X.shape[1]
    A = {0: X}
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A[l - 1] + params[f"b{l}"]
        A[l] = np.tanh(Z) if l < L else (layers.sigmoid(Z) if Z.shape[0] == 1 else layers.softmax(Z))
    here = lambda l, name: bug == name and layer == l  # noqa: E731
    grads = {}
    dZ = A[L] - Y
    if here(L, "wrong factor"):
        dZ = dZ * A[L] * (1 - A[L])
    for l in range(L, 0, -1):
        dW = dZ @ A[l - 1].T / m
        if here(l, "wrong transpose"):
            dW = A[l - 1] @ dZ.T / m
        if not here(l, "forgotten L2 term"):
            dW = dW + lambd / m * params[f"W{l}"]
        db = dZ.sum(axis=1, keepdims=True) / m
        if here(l, "missing 1/m"):
            db = dZ.sum(axis=1, keepdims=True)
        grads[f"dW{l}"], grads[f"db{l}"] = dW, db
        if l > 1:
            dA = params[f"W{l}"].T @ dZ
            dZ = dA * (1 - A[l - 1]) if here(l - 1, "wrong factor") else dA * (1 - A[l - 1] ** 2)
    return grads


def epsilon_sweep(cost_fn, params, grads, epsilons, methods=("two-sided", "one-sided")):
    """Relative difference between ``grads`` and the numerical gradient for every ``epsilon``.

    Returns ``{method: array of len(epsilons)}``.
    """
    epsilons = as_float_array("epsilons", epsilons, ndim=1)
    keys = [k for k in params if "d" + k in grads]
    theta, _, exact, f = _as_vector_problem(cost_fn, params, grads, keys)
    out = {}
    for method in methods:
        check_choice("method", method, ("two-sided", "one-sided"))
        out[method] = np.array([relative_difference(numerical_gradient(f, theta, float(eps), method), exact)
                                for eps in epsilons])
    return out


def loglog_slope(x, y, x_min=None, x_max=None):
    """Least-squares slope of ``log10(y)`` against ``log10(x)`` for ``x_min <= x <= x_max``."""
    x = as_float_array("x", x, ndim=1)
    y = as_float_array("y", y, ndim=1)
    if x.shape != y.shape or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError(f"x and y must be positive arrays of the same length; got shapes {x.shape}, {y.shape}")
    keep = np.ones(x.size, dtype=bool)
    if x_min is not None:
        keep &= x >= x_min
    if x_max is not None:
        keep &= x <= x_max
    if keep.sum() < 2:
        raise ValueError(f"need at least two points in [{x_min}, {x_max}]; got {int(keep.sum())}")
    return float(np.polyfit(np.log10(x[keep]), np.log10(y[keep]), 1)[0])


# ---------------------------------------------------------------- the exercise


def check_numerical_gradient(numerical_gradient_fn, seed=0):
    """Check a learner's ``numerical_gradient_fn(f, theta, epsilon) -> dtheta_approx``.

    ``f()`` takes no argument and reads ``theta`` (a 1-D float array the function perturbs in
    place, entry by entry). Returns ``"correct: ..."`` or raises ``AssertionError`` saying what is
    wrong: a one-sided difference, a missing or extra 2, an entry not restored, a wrong shape.
    """
    rng = np.random.default_rng(seed)
    theta = rng.uniform(-1, 1, 6)
    original = theta.copy()

    def f():
        return float(np.sum(np.sin(3 * theta) * theta**2) + theta[0] * theta[-1])

    epsilon = 1e-4
    got = np.asarray(numerical_gradient_fn(f, theta, epsilon), dtype=float)
    if not np.array_equal(theta, original):
        raise AssertionError("theta is not restored after the check: put every entry back to its value "
                             "(theta[i] = original) after perturbing it")
    if got.shape != theta.shape:
        raise AssertionError(f"the result must have the shape of theta {theta.shape}; got {got.shape}")
    expected = numerical_gradient(f, theta, epsilon)
    if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
        return "correct: (J(theta + eps) - J(theta - eps)) / (2 eps), entry by entry, theta restored"
    one_sided = numerical_gradient(f, theta, epsilon, method="one-sided")
    if np.allclose(got, one_sided, rtol=1e-6, atol=1e-9):
        raise AssertionError("this is the one-sided difference (J(theta + eps) - J(theta)) / eps, error O(eps); "
                             "use the two-sided (J(theta + eps) - J(theta - eps)) / (2 eps), error O(eps^2)")
    if np.allclose(got, 2 * expected, rtol=1e-6, atol=1e-9):
        raise AssertionError("twice the expected gradient: divide by 2 eps, not by eps")
    if np.allclose(got, expected / 2, rtol=1e-6, atol=1e-9):
        raise AssertionError("half the expected gradient: divide by 2 eps, (J+ - J-) / (2 eps)")
    wrong = np.flatnonzero(~np.isclose(got, expected, rtol=1e-6, atol=1e-9))
    if wrong.size and wrong[0] > 0:
        raise AssertionError(f"entries {wrong.tolist()} are wrong but the first ones are right: is each entry "
                             "restored before the next one is perturbed?")
    raise AssertionError(f"got {np.round(got, 4).tolist()}, expected {np.round(expected, 4).tolist()}")


def bug_hunt_problem(layer_dims=(4, 4, 4, 4), m=16, lambd=0.5, seed=0):
    """A tiny tanh network with a softmax output and every ``W[l]`` square, plus random data.

    Square weights let the "wrong transpose" bug run without a shape error in every layer: only a
    gradient check can find it. Returns ``(X, Y, params, lambd)``; the parameters are perturbed
    away from their initialization (biases non-zero) so that no gradient entry is trivially 0.
    """
    from . import data, model

    check_number("m", m, low=1, integer=True)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((layer_dims[0], m))
    C = layer_dims[-1]
    Y = data.one_hot(rng.integers(0, C, size=(1, m)), C) if C > 1 else (rng.random((1, m)) < 0.5).astype(float)
    params = model.init_params(list(layer_dims), init="xavier", seed=seed + 1)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    return X, Y, params, lambd


def bug_hunt_reports(problem=None, bugs=BUGS, epsilon=1e-7):
    """``{(bug, layer): GradientReport}`` for every bug of :func:`backward_with_bug` in every layer."""
    from . import model

    X, Y, params, lambd = bug_hunt_problem() if problem is None else problem
    cost_fn = network_cost_fn(X, Y, "tanh", lambd)
    reports = {}
    for bug in bugs:
        for layer in range(1, model.num_layers(params) + 1):
            if bug == "none" and layer > 1:  # no bug: the same check in every layer
                reports[(bug, layer)] = reports[(bug, 1)]
                continue
            grads = backward_with_bug(X, Y, params, bug, layer, lambd)
            reports[(bug, layer)] = gradient_check(cost_fn, params, grads, epsilon)
    return reports
