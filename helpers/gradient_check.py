"""Chapter 4: gradient checking a network's backpropagation, and hunting the bugs it finds.

The check itself (numerical gradient, relative difference, the per-parameter report) is core,
in :mod:`helpers.gradcheck`. This module holds what the chapter does with it:

- :func:`network_cost_fn`: ``params -> J`` for a network of :mod:`helpers.model`;
- :func:`backward_with_bug`: backpropagation written out line by line, with one planted bug;
- :func:`bug_hunt_problem` / :func:`bug_hunt_reports`: every bug in every layer, checked;
- :func:`epsilon_sweep` / :func:`loglog_slope`: how small epsilon should be;
- :func:`clipping_demo`: gradient clipping by the global norm (:func:`helpers.optim.clip_by_norm`);
- the exercises' checkers: :func:`check_numerical_gradient`, :func:`check_relative_difference`,
  :func:`check_fixed_backward`.

**Where 1/m sits (the course's convention).** The cost J is the *mean* of the losses over the m
examples, so the 1/m is in J, and the output layer's gradient carries it:
``dZ[L] = (A[L] - Y) / m``. The layers below then have no 1/m of their own:
``dW[l] = dZ[l] A[l-1]^T``, ``db[l] = sum(dZ[l])``; only the L2 term adds ``lambd / m * W[l]``.
This is what :func:`helpers.model.backward` and :mod:`helpers.layers` do. (The syllabus's notes
write ``dZ[L] = A[L] - Y`` and ``dW = (1/m) dZ A^T``: the same numbers, with the 1/m moved.)
"""

from __future__ import annotations

import numpy as np

from . import data, exercises, layers, model, optim
from .gradcheck import (
    gradient_check,
    max_relative_error,
    numerical_gradient,
    relative_difference,
    vector_problem,
)
from .validate import as_float_array, check_choice, check_labels, check_number, check_params, check_X, check_X_Y, error

__all__ = [
    "BUGS",
    "network_cost_fn",
    "backward_with_bug",
    "buggy_backward",
    "bug_hunt_problem",
    "bug_hunt_reports",
    "epsilon_sweep",
    "loglog_slope",
    "clipping_demo",
    "check_numerical_gradient",
    "check_relative_difference",
    "check_fixed_backward",
]

#: Bugs :func:`backward_with_bug` can plant in backpropagation.
BUGS = ("none", "wrong factor", "extra 1/m", "wrong transpose", "forgotten L2 term")


def _check_network(params):
    """``L`` for a dict with exactly ``W1, b1, ..., WL, bL`` of chained 2-D shapes (no stack, no batch norm)."""
    L = check_params(params)
    extra = [k for k in params if not (k[:1] in "Wb" and k[1:].isdigit())]
    if extra or any(np.ndim(params[f"W{l}"]) != 2 for l in range(1, L + 1)):
        raise ValueError(f"params must hold one network's W1, b1, ..., W{L}, b{L} (2-D arrays, no batch norm); "
                         f"got keys {', '.join(params)} with W1 of shape {np.shape(params['W1'])}")
    return L


def network_cost_fn(X, Y, hidden="tanh", lambd=0.0, keep_prob=1.0, rng=None):
    """``params -> J``: the network cost of :mod:`helpers.model` (with the L2 term), for the check.

    ``X`` ``(n_x, m)``, ``Y`` ``(n[L], m)`` are validated here (a transposed ``X`` is named as such);
    each call then runs :func:`helpers.model.forward` (train mode) and :func:`helpers.model.cost`
    (``check=False``: ``Y`` is validated once, not at every call).
    With ``keep_prob < 1`` every call draws a *new* dropout mask from ``rng``, as training does:
    J is then a random function of the parameters.
    """
    X, Y = check_X_Y(X, Y)
    check_choice("hidden", hidden, model.ACTIVATIONS)
    check_number("lambd", lambd, low=0)
    if np.any(np.asarray(keep_prob, dtype=float) < 1) and not isinstance(rng, np.random.Generator):
        raise ValueError("dropout (keep_prob < 1) needs rng=np.random.default_rng(seed)")

    def cost_fn(params):
        ZL, _ = model.forward(X, params, hidden=hidden, keep_prob=keep_prob, rng=rng, mode="train")
        if ZL.shape != Y.shape:
            raise error("params", f"an output layer of {ZL.shape[0]} unit(s)", f"{Y.shape[0]}, one per row of Y")
        # Y was validated once above: a gradient check calls this twice per parameter entry, and
        # validating again at each call cost twice as much as the chapter's forward passes.
        return float(model.cost(ZL, Y, params, lambd=lambd, check=False))

    return cost_fn


def _once_per_point(cost_fn):
    """``cost_fn`` evaluated once per distinct ``params`` (the same numbers: a deterministic cost,
    as in any gradient check, no dropout); later calls at the same point return the stored ``J``."""
    seen = {}

    def cached(params):
        key = tuple((name, np.shape(value), np.asarray(value).tobytes()) for name, value in params.items())
        if key not in seen:
            seen[key] = cost_fn(params)
        return seen[key]

    return cached


def backward_with_bug(X, Y, params, bug="none", layer=1, lambd=0.0):
    """Backpropagation of a tanh network (sigmoid or softmax output, L2 term) written out line by
    line, with one deliberate ``bug`` in layer ``layer``. ``bug="none"`` is the correct backward.

    The 1/m sits in ``dZ[L] = (A[L] - Y) / m`` (the course's convention, see the module docstring).
    The bugs (each at layer ``layer`` only):

    - ``"wrong factor"``: a wrong derivative factor: ``dZ = dA * (1 - A)`` instead of
      ``dA * (1 - A**2)`` for tanh; at the output, ``dZ = (A - Y) * A * (1 - A) / m`` instead of
      ``(A - Y) / m``. Corrupts ``dW``, ``db`` of this layer and of every layer below it.
    - ``"extra 1/m"``: ``db = sum(dZ) / m``, the notes' formula applied to a ``dZ`` that already
      carries the 1/m (mixing two conventions). Touches ``db`` only.
    - ``"wrong transpose"``: ``dW = A_prev dZ^T`` instead of ``dZ A_prev^T``. Only a square
      ``W[layer]`` lets this run at all (so the shapes cannot reveal it). Touches ``dW`` only.
    - ``"forgotten L2 term"``: ``dW`` without ``+ lambd / m * W``. Touches ``dW`` only (when ``lambd > 0``).

    Returns ``grads`` with ``dW1, db1, ...``.
    """
    check_choice("bug", bug, BUGS)
    L = _check_network(params)
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
    dZ = (A[L] - Y) / m
    if here(L, "wrong factor"):
        dZ = dZ * A[L] * (1 - A[L])
    for l in range(L, 0, -1):
        dW = dZ @ A[l - 1].T
        if here(l, "wrong transpose"):
            dW = A[l - 1] @ dZ.T
        if not here(l, "forgotten L2 term"):
            dW = dW + lambd / m * params[f"W{l}"]
        db = dZ.sum(axis=1, keepdims=True)
        if here(l, "extra 1/m"):
            db = dZ.sum(axis=1, keepdims=True) / m
        grads[f"dW{l}"], grads[f"db{l}"] = dW, db
        if l > 1:
            dA = params[f"W{l}"].T @ dZ
            dZ = dA * (1 - A[l - 1]) if here(l - 1, "wrong factor") else dA * (1 - A[l - 1] ** 2)
    return grads


def buggy_backward(X, Y, params, lambd):
    """The backward pass of the "find the bug" exercise: a 3-layer tanh/softmax network, written
    out as a learner would, with one bug in it (the exercise is to find it with the check)."""
    m = X.shape[1]
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    A1 = np.tanh(W1 @ X + b1)
    A2 = np.tanh(W2 @ A1 + b2)
    A3 = layers.softmax(W3 @ A2 + b3)
    dZ3 = (A3 - Y) / m
    dW3 = dZ3 @ A2.T + lambd / m * W3
    db3 = np.sum(dZ3, axis=1, keepdims=True)
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (1 - np.tanh(A2) ** 2)
    dW2 = dZ2 @ A1.T + lambd / m * W2
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T + lambd / m * W1
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dW3": dW3, "db3": db3}


def bug_hunt_problem(layer_dims=(4, 4, 4, 4), m=16, lambd=0.5, seed=0):
    """A tiny tanh network with a softmax output and every ``W[l]`` square, plus random data.

    Square weights let the "wrong transpose" bug run without a shape error in every layer: only a
    gradient check can find it. Returns ``(X, Y, params, lambd)``; the parameters are perturbed
    away from their initialization (biases non-zero) so that no gradient entry is trivially 0.
    """
    check_number("m", m, low=1, integer=True)
    check_number("lambd", lambd, low=0)
    check_number("seed", seed, low=0, integer=True)
    dims = list(layer_dims)
    if len(dims) < 2 or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1 for d in dims):
        raise ValueError(f"layer_dims must be at least two positive integers, e.g. (4, 4, 4, 4); got {layer_dims!r}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))
    C = dims[-1]
    Y = data.one_hot(rng.integers(0, C, size=(1, m)), C) if C > 1 else (rng.random((1, m)) < 0.5).astype(float)
    params = model.init_params(dims, init="xavier", seed=seed + 1)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    return X, Y, params, lambd


def bug_hunt_reports(problem=None, bugs=BUGS, epsilon=1e-7):
    """``{(bug, layer): GradientReport}`` for every bug of :func:`backward_with_bug` in every layer."""
    X, Y, params, lambd = bug_hunt_problem() if problem is None else problem
    for bug in bugs:
        check_choice("bug", bug, BUGS)
    # Every check perturbs the same params: the numerical gradient is the same for every bug (only
    # the backprop gradients differ), so its 2n cost evaluations are made once, not once per bug.
    cost_fn = _once_per_point(network_cost_fn(X, Y, "tanh", lambd))
    reports = {}
    for bug in bugs:
        for layer in range(1, _check_network(params) + 1):
            if bug == "none" and layer > 1:  # no bug: the same check in every layer
                reports[(bug, layer)] = reports[(bug, 1)]
                continue
            grads = backward_with_bug(X, Y, params, bug, layer, lambd)
            reports[(bug, layer)] = gradient_check(cost_fn, params, grads, epsilon)
    return reports


def epsilon_sweep(cost_fn, params, grads, epsilons, methods=("two-sided", "one-sided")):
    """Relative difference between ``grads`` and the numerical gradient for every ``epsilon``.

    Unlike :func:`helpers.gradcheck.gradient_check`, any epsilon > 0 is allowed: the sweep exists to
    show where the numerical gradient stops being accurate. ``cost_fn`` must be deterministic (no
    dropout): a point both methods need is evaluated once. Returns ``{method: array of len(epsilons)}``.
    """
    epsilons = as_float_array("epsilons", epsilons, ndim=1)
    if epsilons.size == 0 or np.any(epsilons <= 0):
        raise ValueError(f"epsilons must be a non-empty list of positive numbers; got {epsilons.tolist()!r:.80}")
    if not isinstance(grads, dict) or not isinstance(params, dict):
        raise ValueError("params and grads must be dicts {'W1': ...} and {'dW1': ...}")
    keys = [k for k in params if "d" + k in grads]
    if not keys:
        raise ValueError(f"grads holds no gradient of params; expected keys such as {', '.join('d' + k for k in params)}")
    for method in methods:
        check_choice("method", method, ("two-sided", "one-sided"))
    out = {method: np.empty(epsilons.size) for method in methods}
    for j, eps in enumerate(epsilons):
        # The one-sided difference needs J(theta + eps e_i), which the two-sided one has just
        # computed at the same point: each point is evaluated once per epsilon (a third fewer
        # evaluations; cost_fn is deterministic, as in any gradient check: no dropout).
        theta, _, exact, f = vector_problem(_once_per_point(cost_fn), params, grads, keys)
        for method in methods:
            out[method][j] = relative_difference(numerical_gradient(f, theta, float(eps), method), exact)
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


# ---------------------------------------------------------------- gradient clipping


def clipping_demo(max_norm=1.0, learning_rate=3.0, num_steps=60, depth=6, seed=0, runs=("plain", "clipped")):
    """Train a deep tanh network with plain gradient descent, with and without clipping the
    gradients' global norm to ``max_norm``.

    The network ``[4, 16 x depth, 4]`` (softmax output, 64 random examples) starts with weights
    twice their Xavier scale: its first gradients are large and ``learning_rate`` is too large for
    them. Clipping rescales the whole gradient, ``g := g * max_norm / ||g||`` when ``||g|| > max_norm``,
    so no step is longer than ``learning_rate * max_norm``; the direction is kept.
    Returns ``{"plain": (norms, costs), "clipped": (norms, costs)}``: for every step, the global
    gradient norm (before clipping) and the cost. ``runs`` names the runs to train, e.g.
    ``("clipped",)`` when the plain one is not needed (each run is one training).
    """
    if not isinstance(runs, (tuple, list)) or not runs or any(r not in ("plain", "clipped") for r in runs):
        raise error("runs", repr(runs), 'a non-empty tuple of "plain" and/or "clipped"', '("clipped",)')
    check_number("max_norm", max_norm, low=0, low_open=True)
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    check_number("num_steps", num_steps, low=1, integer=True)
    check_number("depth", depth, low=1, high=20, integer=True)
    X, Y, params, _ = bug_hunt_problem(layer_dims=(4,) + (16,) * depth + (4,), m=64, lambd=0.0, seed=seed)
    start = {k: 2.0 * v if k.startswith("W") else v for k, v in params.items()}
    out = {}
    for name, clip in (("plain", None), ("clipped", max_norm)):
        if name not in runs:
            continue
        p, norms, costs = start, [], []
        rule = optim.gd(learning_rate)
        state = rule.init(p)
        for _ in range(num_steps):
            J, grads = model.cost_and_grads(X, Y, p, hidden="tanh")
            norms.append(optim.global_norm(grads))
            costs.append(float(J))
            if clip is not None:
                grads = optim.clip_by_norm(grads, clip)
            p, state = rule.update(p, grads, state)
        out[name] = (np.array(norms), np.array(costs))
    return out


# ---------------------------------------------------------------- the exercises


def _test_function():
    rng = np.random.default_rng(0)
    theta = rng.uniform(-1, 1, 6)

    def f():
        return float(np.sum(np.sin(3 * theta) * theta ** 2) + theta[0] * theta[-1])

    return theta, f


@exercises.checker("the two-sided numerical gradient")
def check_numerical_gradient(numerical_gradient_fn):
    """Check a learner's ``numerical_gradient_fn(f, theta, epsilon) -> dtheta_approx``.

    ``f()`` takes no argument and reads ``theta`` (a 1-D float array the function perturbs in
    place, entry by entry). Names the mistake: a one-sided difference, a missing or extra 2, an
    entry not restored, a wrong shape.
    """
    theta, f = _test_function()
    original = theta.copy()
    epsilon = 1e-4
    got = exercises.call_in_place(numerical_gradient_fn, f, theta, epsilon)
    if not np.array_equal(theta, original):
        raise exercises.Mistake("theta is not restored after the check: put every entry back to its value "
                                "(theta[i] = original) after perturbing it")
    got = exercises.expect_shape("the gradient", got, theta.shape)
    expected = numerical_gradient(f, theta, epsilon)
    close = lambda a, b: np.allclose(a, b, rtol=1e-6, atol=1e-9)  # noqa: E731
    if close(got, expected):
        return "(J(theta + eps) - J(theta - eps)) / (2 eps), entry by entry, theta restored"
    if np.allclose(got, 0):
        raise exercises.Mistake("every entry is 0: is theta really perturbed in place (theta[i] = ...), and does "
                                "the difference use f() called after each change?")
    if close(got, numerical_gradient(f, theta, epsilon, method="one-sided")):
        raise exercises.Mistake("this is the one-sided difference (J(theta + eps) - J(theta)) / eps, error O(eps); "
                                "use the two-sided (J(theta + eps) - J(theta - eps)) / (2 eps), error O(eps^2)")
    if close(got, 2 * expected):
        raise exercises.Mistake("twice the expected gradient: divide by 2 eps, not by eps")
    if close(got, expected / 2):
        raise exercises.Mistake("half the expected gradient: divide by 2 eps, (J+ - J-) / (2 eps)")
    if close(got, -expected):
        raise exercises.Mistake("the sign is flipped: J(theta + eps) - J(theta - eps), in that order")
    wrong = np.flatnonzero(~np.isclose(got, expected, rtol=1e-6, atol=1e-9))
    if wrong.size and wrong[0] > 0:
        raise exercises.Mistake(f"entries {wrong.tolist()} are wrong but the first ones are right: is each entry "
                                "restored before the next one is perturbed?")
    raise exercises.Mistake(f"got {np.round(got, 4).tolist()}, expected {np.round(expected, 4).tolist()}")


@exercises.checker("the relative difference")
def check_relative_difference(relative_difference_fn):
    """Check a learner's ``relative_difference_fn(approx, exact) -> float``:
    ``||approx - exact||_2 / (||approx||_2 + ||exact||_2)``."""
    rng = np.random.default_rng(1)
    exact = rng.standard_normal(12)
    approx = exact + 0.3 * rng.standard_normal(12)
    cases = [(approx, exact), (5 * approx, 5 * exact), (exact, exact)]
    for a, b in cases:
        got = exercises.expect_array("the relative difference", exercises.call(relative_difference_fn, a, b))
        if got.shape != ():
            raise exercises.Mistake(f"return one number (a float); got an array of shape {got.shape}: "
                                    "np.linalg.norm of the whole vector, not entry by entry")
        expected = relative_difference(a, b)
        if np.isclose(got, expected, rtol=1e-9, atol=1e-15):
            continue
        diff = np.linalg.norm(a - b)
        diagnoses = [
            (diff, "this is ||approx - exact|| alone: divide by ||approx|| + ||exact|| so the size of the "
                   "gradient does not matter"),
            (diff / np.linalg.norm(a + b), "the denominator is ||approx + exact||; expected ||approx|| + ||exact||"),
            (diff / np.linalg.norm(b), "the denominator is ||exact|| alone; expected ||approx|| + ||exact||"),
            (np.sum((a - b) ** 2) / (np.sum(a ** 2) + np.sum(b ** 2)),
             "squared norms: use the norms themselves (np.linalg.norm), not their squares"),
            (np.max(np.abs(a - b)) / (np.max(np.abs(a)) + np.max(np.abs(b))),
             "the largest entries (max norm); the course's difference uses the Euclidean norm np.linalg.norm"),
            (np.sum(np.abs(a - b)) / (np.sum(np.abs(a)) + np.sum(np.abs(b))),
             "sums of absolute values (the 1-norm); the course's difference uses the Euclidean norm"),
        ]
        for value, message in diagnoses:
            if np.isclose(got, value, rtol=1e-9):
                raise exercises.Mistake(message)
        raise exercises.Mistake(f"got {float(got):.6g}, expected ||approx - exact|| / (||approx|| + ||exact||) "
                                f"= {expected:.6g}")
    return "||approx - exact|| / (||approx|| + ||exact||), independent of the gradient's scale"


@exercises.checker("find and fix the bug")
def check_fixed_backward(backward_fn):
    """Check a learner's ``backward_fn(X, Y, params, lambd) -> grads``, the fixed version of
    :func:`buggy_backward`, against :func:`helpers.model.cost_and_grads`, gradient by gradient."""
    X, Y, params, lambd = bug_hunt_problem()
    grads = exercises.call(backward_fn, X, Y, params, lambd)
    names = ["dW1", "db1", "dW2", "db2", "dW3", "db3"]
    exercises.expect_keys("grads", grads, names)
    _, reference = model.cost_and_grads(X, Y, params, hidden="tanh", lambd=lambd)
    buggy = buggy_backward(X, Y, params, lambd)
    wrong = []
    for name in names:
        got = exercises.expect_shape(name, grads[name], params[name[1:]].shape,
                                     transposed_hint=f"{name} must have the shape of {name[1:]}")
        if max_relative_error(got, reference[name]) > 1e-9:
            wrong.append(name)
    if not wrong:
        return "every gradient matches backprop: the derivative of tanh is 1 - A**2, with A = tanh(Z) already"
    top = max(wrong, key=lambda n: (int(n[-1]), n[1] == "b"))
    if all(max_relative_error(grads[n], buggy[n]) < 1e-9 for n in names):
        raise exercises.Mistake("these are still the gradients of buggy_backward: run the gradient check on it, "
                                "look at the failing parameter closest to the output, and fix that layer's lines")
    layer = int(top[-1])
    partner = ("db" if top[1] == "W" else "dW") + str(layer)
    if partner not in wrong:  # dZ of this layer is right, so the mistake sits in this gradient's own line
        W = params[f"W{layer}"]
        l2 = lambd / X.shape[1] * W
        if top[1] == "W" and min(max_relative_error(grads[top], reference[top].T),
                                 max_relative_error(grads[top] - l2, (reference[top] - l2).T)) < 1e-9:
            what = f"it is transposed (dZ{layer} @ A{layer - 1}.T, not A{layer - 1} @ dZ{layer}.T)"
        elif top[1] == "W" and max_relative_error(grads[top] + l2, reference[top]) < 1e-9:
            what = f"the L2 term + lambd / m * W{layer} is missing"
        else:
            what = ("expected " + (f"dZ{layer} @ A{layer - 1}.T + lambd / m * W{layer}" if top[1] == "W"
                                   else f"np.sum(dZ{layer}, axis=1, keepdims=True)")).replace("A0", "X")
        was_right = max_relative_error(buggy[top], reference[top]) < 1e-9
        note = "; buggy_backward had this line right: the bug was elsewhere, undo that change" if was_right else ""
        raise exercises.Mistake(f"{top} is wrong but {partner} is right, so dZ{layer} is right now: the mistake is in "
                                f"{top}'s own line: {what.replace('A0', 'X')}{note}")
    if top in ("dW2", "db2"):
        raise exercises.Mistake(f"{top} is still wrong (and so every gradient below it): look at how dZ2 is computed "
                                "from dA2 (what is the derivative of tanh, written with A2?)")
    raise exercises.Mistake(f"{top} is wrong, though buggy_backward had it right: the bug was elsewhere; undo that "
                            "change and let the gradient check point at the layer to fix")
