"""Chapter 5: mini-batch gradient descent, from batch (size m) to stochastic (size 1).

Two settings:

- a straight line ``y = w x + b`` fitted by least squares (two parameters, so the path of
  ``(w, b)`` can be drawn on the cost contours). :func:`line_sgd` runs many learning rates at
  once and :func:`time_line_epoch` measures what one epoch costs on this machine;
- a real network on a large data set, trained by :func:`train_timed`, which records the full
  training cost against iterations and against wall-clock time (evaluation not counted), the
  evidence that mini-batches reach a given cost sooner than batch gradient descent.

:func:`train_epochs` trains with and without shuffling (the "why shuffle" experiment).
The exercises' checkers, :func:`check_random_mini_batches` and :func:`check_line_epoch`, grade a
learner's ``random_mini_batches`` and one epoch of the mini-batch loop (:func:`line_epoch`).
"""

from __future__ import annotations

import time

import numpy as np

from . import data, exercises, model, optim
from .blas import single_thread
from .validate import as_float_array, check_number, check_X, describe, error

__all__ = [
    "make_line_data",
    "line_cost",
    "line_optimum",
    "line_grads",
    "line_sgd",
    "time_line_epoch",
    "train_timed",
    "steps_to_cost",
    "examples_to_cost",
    "time_to_cost",
    "train_epochs",
    "line_epoch",
    "check_random_mini_batches",
    "check_line_epoch",
]


# ---------------------------------------------------------------- the straight line


def make_line_data(m=512, slope=1.5, intercept=-1.0, noise=0.5, x_mean=2.0, seed=0):
    """``m`` points near the line ``y = slope x + intercept``: ``X`` (1, m), ``Y`` (1, m).

    ``x`` is drawn around ``x_mean`` (not 0) on purpose: ``w`` and ``b`` are then correlated and
    the cost contours are long thin ellipses, where the differences between batch sizes show.
    """
    check_number("m", m, low=2, integer=True)
    check_number("noise", noise, low=0)
    rng = np.random.default_rng(seed)
    x = x_mean + rng.standard_normal(m)
    y = slope * x + intercept + noise * rng.standard_normal(m)
    return x.reshape(1, -1), y.reshape(1, -1)


def _check_line_data(X, Y):
    X = check_X(X, n_x=1)
    Y = as_float_array("Y", Y, ndim=2)
    if Y.shape != X.shape:
        raise error("Y", f"shape {Y.shape}", f"the shape of X, (1, m) = {X.shape}",
                    "Y.reshape(1, -1)" if Y.size == X.size else "one target per column of X")
    return X, Y


def line_cost(w, b, X, Y):
    """``J(w, b) = 1/(2m) sum_i (w x(i) + b - y(i))^2``; ``w`` and ``b`` broadcast (e.g. grids)."""
    X, Y = _check_line_data(X, Y)
    return _moment_cost(as_float_array("w", w), as_float_array("b", b), X, Y)


def _moment_cost(w, b, X, Y):
    # Expanded in the moments of the data so that a grid of (w, b) costs no (grid x m) array.
    # NaN in w or b (a stopped run's path) gives NaN there.
    xx, x, xy, y, yy = (np.mean(X * X), np.mean(X), np.mean(X * Y), np.mean(Y), np.mean(Y * Y))
    return 0.5 * (w * w * xx + 2 * w * b * x + b * b - 2 * w * xy - 2 * b * y + yy)


def line_optimum(X, Y):
    """The least-squares ``(w, b)`` and its cost ``J*``: the bottom of the contours."""
    X, Y = _check_line_data(X, Y)
    A = np.vstack([X[0], np.ones(X.shape[1])]).T
    (w, b), *_ = np.linalg.lstsq(A, Y[0], rcond=None)
    return float(w), float(b), float(line_cost(w, b, X, Y))


def line_grads(w, b, X, Y):
    """``{"dw": dJ/dw, "db": dJ/db}`` of :func:`line_cost` on the batch ``(X, Y)`` (scalars)."""
    X, Y = _check_line_data(X, Y)
    check_number("w", w)
    check_number("b", b)
    error = w * X + b - Y
    return {"dw": float(np.mean(error * X)), "db": float(np.mean(error))}


def _batch_moments(X, Y, mini_batch_size, rng):
    """The batch means of x^2, x, xy, y for every mini-batch of one epoch: array (4, n_batches)."""
    order = rng.permutation(X.shape[1])
    x, y = X[0, order], Y[0, order]
    starts = np.arange(0, x.size, mini_batch_size)
    counts = np.diff(np.append(starts, x.size))
    sums = np.add.reduceat(np.stack([x * x, x, x * y, y]), starts, axis=1)
    return sums / counts


def line_sgd(X, Y, mini_batch_size, learning_rates, num_epochs=20, start=(-1.0, 4.0), seed=0,
             divergence_limit=1e3):
    """Mini-batch gradient descent on :func:`line_cost` for several learning rates at once.

    Every learning rate sees the same mini-batches (shuffled each epoch by a generator seeded
    with ``seed``), so the runs differ by alpha alone. A batch's gradient only needs its means of
    ``x^2, x, xy, y``, computed for a whole epoch in one vectorized call; each update is
    :func:`helpers.optim.gd_step`, the rule of ``optim.gd``, on ``w`` and ``b`` as plain numbers
    (for two parameters, thousands of steps, a loop over numbers is several times faster than one
    through the optimizer's dicts of arrays; the learning rates are validated once, above).

    Parameters
    ----------
    X, Y : arrays (1, m). mini_batch_size : int in [1, m] (m is batch gradient descent).
    learning_rates : array (K,) of positive alphas. num_epochs : int. start : ``(w, b)``.
    divergence_limit : a run whose ``|w|`` or ``|b|`` exceeds it is stopped and marked diverged.

    Returns
    -------
    dict with ``path`` (K, S + 1, 2) the ``(w, b)`` after each of the S updates (NaN after a
    divergence), ``cost`` (K, S + 1) the full training cost there, ``steps_per_epoch`` and
    ``diverged`` (K,) bool.
    """
    X, Y = _check_line_data(X, Y)
    m = X.shape[1]
    check_number("mini_batch_size", mini_batch_size, low=1, high=m, integer=True)
    alphas = as_float_array("learning_rates", learning_rates, ndim=1)
    if np.any(alphas <= 0):
        raise error("learning_rates", alphas.tolist(), "positive numbers", "[0.01, 0.1]")
    check_number("num_epochs", num_epochs, low=1, integer=True)
    check_number("divergence_limit", divergence_limit, low=0, low_open=True)
    rng = np.random.default_rng(seed)
    moments = np.concatenate([_batch_moments(X, Y, mini_batch_size, rng) for _ in range(num_epochs)], axis=1)
    steps = moments.shape[1]
    K = alphas.size
    path = np.full((K, steps + 1, 2), np.nan)
    diverged = np.zeros(K, dtype=bool)
    rows = moments.T.tolist()
    for k, alpha in enumerate(alphas.tolist()):
        w, b = float(start[0]), float(start[1])
        points = [(w, b)]
        for xx, x, xy, y in rows:
            # the mini-batch's gradient from its means: dw = mean((w x + b - y) x), db = mean(w x + b - y)
            w, b = optim.gd_step(w, w * xx + b * x - xy, alpha), optim.gd_step(b, w * x + b - y, alpha)
            if not (abs(w) < divergence_limit and abs(b) < divergence_limit):   # also catches inf and NaN
                diverged[k] = True   # stopped here: nothing grows on to overflow; the rest of the path stays NaN
                break
            points.append((w, b))
        path[k, : len(points)] = points
    cost = _moment_cost(path[..., 0], path[..., 1], X, Y)   # NaN after a divergence
    return {"path": path, "cost": cost, "steps_per_epoch": steps // num_epochs, "diverged": diverged}


def time_line_epoch(X, Y, mini_batch_size, learning_rate=0.01, repeats=3, seed=0):
    """Median CPU seconds of one epoch of mini-batch gradient descent on the line (:func:`line_epoch`).

    CPU time of this process (``time.process_time``), not wall-clock time: other programs
    competing for the cores do not inflate it. Each update computes its mini-batch's gradient and
    takes one ``optim.gd`` step, so the time shows what a batch size costs: many small steps,
    each paying Python's per-call overhead, versus one large vectorized one.
    """
    X, Y = _check_line_data(X, Y)
    check_number("mini_batch_size", mini_batch_size, low=1, high=X.shape[1], integer=True)
    check_number("repeats", repeats, low=1, integer=True)
    times = []
    for r in range(repeats):
        begin = time.process_time()
        line_epoch(0.0, 0.0, X, Y, mini_batch_size, learning_rate, seed=seed + r)
        times.append(time.process_time() - begin)
    return float(np.median(times))


# ---------------------------------------------------------------- a real network against the clock


def _full_cost(X, Y, params, hidden):
    ZL, _ = model.forward(X, params, hidden=hidden, mode="test")
    return float(model.cost(ZL, Y, params))


def train_timed(X, Y, params, mini_batch_size, learning_rate, num_steps, eval_every=1, hidden="relu", seed=0):
    """Gradient descent with mini-batches of ``mini_batch_size``, timed.

    Epoch ``e`` uses ``data.random_mini_batches(X, Y, mini_batch_size, seed + e)``; each update is
    ``model.cost_and_grads`` on one mini-batch, then ``optim.gd(learning_rate)``. Every
    ``eval_every`` updates the full training cost is computed *outside* the timer. Times are the
    CPU time of this process (``time.process_time``), so that other programs keeping the cores
    busy do not slow one method down and not the other. When the
    mini-batch is the whole set (batch gradient descent) the cost of every update *is* the full
    cost before it, so it is recorded after every update at no extra cost, whatever ``eval_every``.

    Returns
    -------
    dict of arrays: ``step`` (updates done), ``seconds`` (CPU training time until then), ``cost``
    (full training cost then, the first entry at step 0), ``batch_cost`` (the cost of each
    mini-batch when it was used) and ``step_seconds`` (the time of each update), both of length
    ``num_steps``. Also ``examples``: the examples whose gradients were computed until each
    recorded step (a count of work that no machine changes). On a shared machine prefer
    ``median(step_seconds)`` to the raw sum.
    BLAS runs on one thread, as in :func:`helpers.model.fit`.
    """
    X = check_X(X)
    check_number("mini_batch_size", mini_batch_size, low=1, integer=True)
    check_number("num_steps", num_steps, low=1, integer=True)
    check_number("eval_every", eval_every, low=1, integer=True)
    with single_thread():
        record = _train_timed(X, Y, params, mini_batch_size, learning_rate, num_steps, eval_every, hidden, seed)
    out = {k: np.asarray(v) for k, v in record.items()}
    if mini_batch_size >= X.shape[1]:
        out["step"] = np.arange(num_steps + 1)
        out["examples"] = out["step"] * X.shape[1]
        out["seconds"] = np.concatenate([[0.0], np.cumsum(out["step_seconds"])])
        out["cost"] = np.append(out["batch_cost"], out["cost"][-1])
    return out


def _train_timed(X, Y, params, mini_batch_size, learning_rate, num_steps, eval_every, hidden, seed):
    opt = optim.gd(learning_rate)
    state = opt.init(params)
    record = {"step": [0], "seconds": [0.0], "examples": [0], "cost": [_full_cost(X, Y, params, hidden)],
              "batch_cost": [], "step_seconds": []}
    elapsed, step, epoch, examples = 0.0, 0, 0, 0
    while step < num_steps:
        batches = data.random_mini_batches(X, Y, mini_batch_size, seed=seed + epoch)
        epoch += 1
        for X_t, Y_t in batches:
            begin = time.process_time()
            J, grads = model.cost_and_grads(X_t, Y_t, params, hidden=hidden)
            params, state = opt.update(params, grads, state)
            record["step_seconds"].append(time.process_time() - begin)
            elapsed += record["step_seconds"][-1]
            step += 1
            examples += X_t.shape[1]
            record["batch_cost"].append(float(J))
            if step % eval_every == 0 or step == num_steps:
                record["step"].append(step)
                record["examples"].append(examples)
                record["seconds"].append(elapsed)
                record["cost"].append(_full_cost(X, Y, params, hidden))
            if step == num_steps:
                break
    return record


def train_epochs(X, Y, params, mini_batch_size, learning_rate, num_epochs, shuffle=True, hidden="relu", seed=0):
    """Mini-batch gradient descent, shuffled every epoch or not: the "why shuffle" experiment.

    With ``shuffle=True`` epoch ``e`` uses ``data.random_mini_batches(X, Y, mini_batch_size,
    seed + e)``; with ``shuffle=False`` every epoch takes the columns in their stored order
    (a data set sorted by class then gives mini-batches of one class each). Each update is
    ``model.cost_and_grads`` on the mini-batch, then ``optim.gd(learning_rate)``.

    Returns
    -------
    dict: ``params`` (trained), ``cost`` (num_epochs + 1,) the full training cost before training
    and after each epoch, ``batch_cost`` the cost of every mini-batch when it was used, and
    ``accuracy`` (num_epochs + 1,) the training accuracy at the same points.
    """
    X = check_X(X)
    check_number("mini_batch_size", mini_batch_size, low=1, integer=True)
    check_number("num_epochs", num_epochs, low=1, integer=True)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise error("shuffle", describe(shuffle), "True or False")
    opt = optim.gd(learning_rate)
    state = opt.init(params)
    m = X.shape[1]
    cost, accuracy, batch_cost = [_full_cost(X, Y, params, hidden)], [model.accuracy(X, Y, params, hidden=hidden)], []
    with single_thread():
        for epoch in range(num_epochs):
            if shuffle:
                batches = data.random_mini_batches(X, Y, mini_batch_size, seed=seed + epoch)
            else:
                batches = [(X[:, k : k + mini_batch_size], Y[:, k : k + mini_batch_size])
                           for k in range(0, m, mini_batch_size)]
            for X_t, Y_t in batches:
                J, grads = model.cost_and_grads(X_t, Y_t, params, hidden=hidden)
                params, state = opt.update(params, grads, state)
                batch_cost.append(float(J))
            cost.append(_full_cost(X, Y, params, hidden))
            accuracy.append(float(model.accuracy(X, Y, params, hidden=hidden)))
    return {"params": params, "cost": np.array(cost), "batch_cost": np.array(batch_cost),
            "accuracy": np.array(accuracy, dtype=float)}


def steps_to_cost(record, target_cost):
    """Updates until the recorded full cost first reached ``target_cost`` (``None`` if it never did).

    Exact to the evaluation interval of :func:`train_timed` (``eval_every``).
    """
    check_number("target_cost", target_cost, low=0)
    reached = np.flatnonzero(record["cost"] <= target_cost)
    return int(record["step"][reached[0]]) if reached.size else None


def examples_to_cost(record, target_cost):
    """Examples processed (gradients computed) until the recorded full cost first reached ``target_cost``.

    ``None`` if it never did. A count of work, the same on every machine.
    """
    check_number("target_cost", target_cost, low=0)
    reached = np.flatnonzero(record["cost"] <= target_cost)
    return int(record["examples"][reached[0]]) if reached.size else None


def time_to_cost(record, target_cost):
    """Training seconds until the recorded full cost first reached ``target_cost`` (``inf`` if never)."""
    check_number("target_cost", target_cost, low=0)
    reached = np.flatnonzero(record["cost"] <= target_cost)
    return float(record["seconds"][reached[0]]) if reached.size else float("inf")


# ---------------------------------------------------------------- exercises


@exercises.checker("random_mini_batches")
def check_random_mini_batches(fn, m=148, mini_batch_size=32, seed=3):
    """Check a learner's ``fn(X, Y, mini_batch_size, seed) -> [(X_t, Y_t), ...]``.

    ``X`` row 0 holds each example's index, so the check can tell which examples went where. Fails
    with the first problem found: not a list of pairs, wrong shapes, examples lost or repeated,
    ``X`` and ``Y`` shuffled differently, the last partial batch dropped or the wrong size, no
    shuffling, or a result that changes for the same seed.
    """
    check_number("m", m, low=2, integer=True)
    check_number("mini_batch_size", mini_batch_size, low=1, high=m - 1, integer=True)
    index = np.arange(m, dtype=float)
    X = np.vstack([index, -index])
    Y_code = index.reshape(1, -1)   # a target that names each example, to test the pairing
    X_given, Y_given = X.copy(), Y_code.copy()
    batches = exercises.call_in_place(fn, X_given, Y_given, mini_batch_size, seed)
    if not (np.array_equal(X_given, X) and np.array_equal(Y_given, Y_code)):
        raise exercises.Mistake("your function reordered the caller's X or Y in place (X[:] = ..., rng.shuffle(X)): "
                                "leave them as they are and shuffle copies, X_shuffled = X[:, permutation]")
    again = exercises.call(fn, X, Y_code, mini_batch_size, seed)
    if not isinstance(batches, (list, tuple)) or not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in batches):
        raise exercises.Mistake(f"return a list of (X_t, Y_t) pairs, one per mini-batch; got {type(batches).__name__}")
    for t, (X_t, Y_t) in enumerate(batches):
        X_t, Y_t = np.asarray(X_t), np.asarray(Y_t)
        if X_t.ndim != 2 or X_t.shape[0] != 2 or Y_t.ndim != 2 or Y_t.shape[0] != 1:
            raise exercises.Mistake(
                f"mini-batch {t} has X_t {X_t.shape} and Y_t {Y_t.shape}: keep the course's layout, X_t (n_x, size) "
                "and Y_t (1, size), one column per example (slice columns, X[:, a:b])")
        if X_t.shape[1] != Y_t.shape[1]:
            raise exercises.Mistake(f"mini-batch {t} has {X_t.shape[1]} columns in X_t but {Y_t.shape[1]} in Y_t")
        if not np.array_equal(X_t[0], Y_t[0]):
            raise exercises.Mistake(
                f"in mini-batch {t} the columns of X_t and Y_t do not belong together: shuffle both with the "
                "same permutation (X[:, permutation], Y[:, permutation])")
    seen = np.concatenate([np.asarray(X_t)[0] for X_t, _ in batches])
    sizes = [np.asarray(X_t).shape[1] for X_t, _ in batches]
    full, rest = divmod(m, mini_batch_size)
    expected_sizes = [mini_batch_size] * full + ([rest] if rest else [])
    if seen.size < m and sizes == [mini_batch_size] * full:
        raise exercises.Mistake(f"{m - seen.size} examples are missing: with m = {m} and size {mini_batch_size} "
                                f"the last, partial mini-batch of {rest} examples must be kept")
    if np.unique(seen).size != seen.size:
        raise exercises.Mistake("some examples appear in more than one mini-batch: cut one permutation into "
                                "consecutive slices")
    if seen.size != m:
        raise exercises.Mistake(f"{m - seen.size} examples are missing: every example must be in exactly one mini-batch")
    if sizes != expected_sizes:
        raise exercises.Mistake(f"mini-batch sizes are {sizes}; expected {expected_sizes} "
                                "(full batches first, the remainder last)")
    if np.array_equal(seen, index):
        raise exercises.Mistake("the examples are in their original order: shuffle the columns with "
                                "np.random.default_rng(seed).permutation(m)")
    if len(again) != len(batches) or not all(
        np.array_equal(np.asarray(a[0]), np.asarray(b[0])) for a, b in zip(again, batches)
    ):
        raise exercises.Mistake("two calls with the same seed gave different mini-batches: draw the permutation "
                                "from np.random.default_rng(seed)")
    return (f"{len(sizes)} mini-batches of sizes {sizes[0]} ... {sizes[-1]}, every example exactly once, "
            "X and Y shuffled together, reproducible by seed")


def line_epoch(w, b, X, Y, mini_batch_size, learning_rate, seed=0):
    """One epoch of mini-batch gradient descent on the line, the chapter's loop: returns ``(w, b)``.

    For each ``(X_t, Y_t)`` of ``data.random_mini_batches(X, Y, mini_batch_size, seed)``: the
    gradient of that mini-batch's cost (:func:`line_grads`), then one ``optim.gd`` step.
    """
    X, Y = _check_line_data(X, Y)
    opt = optim.gd(learning_rate)
    params, state = {"w": np.float64(w), "b": np.float64(b)}, None
    state = opt.init(params)
    for X_t, Y_t in data.random_mini_batches(X, Y, mini_batch_size, seed):
        params, state = opt.update(params, line_grads(params["w"], params["b"], X_t, Y_t), state)
    return float(params["w"]), float(params["b"])


@exercises.checker("one epoch of mini-batch gradient descent")
def check_line_epoch(fn):
    """Check a learner's ``fn(w, b, X, Y, mini_batch_size, learning_rate, seed) -> (w, b)``.

    Runs it on a 50-point line with mini-batches of 8 (the last one holds 2) and names the usual
    mistakes: the gradient of the whole set at every update, summed instead of averaged
    gradients, one update per epoch, the last partial mini-batch skipped, another shuffle.
    """
    X, Y = make_line_data(50, seed=1)
    size, alpha, seed, start = 8, 0.05, 4, (0.5, -0.5)
    got = exercises.call(fn, start[0], start[1], X, Y, size, alpha, seed)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise exercises.Mistake(f"return the pair (w, b) after the epoch; got {type(got).__name__}")
    try:
        got = np.array([float(got[0]), float(got[1])])
    except (TypeError, ValueError):
        raise exercises.Mistake("w and b must be numbers (floats)") from None
    expected = np.array(line_epoch(*start, X, Y, size, alpha, seed))
    if np.allclose(got, expected, rtol=1e-9, atol=1e-12):
        return f"(w, b) after one epoch of 7 updates match the reference, ({expected[0]:.4f}, {expected[1]:.4f})"
    batches = data.random_mini_batches(X, Y, size, seed)
    variants = {}
    w, b = start
    for _ in batches:
        g = line_grads(w, b, X, Y)
        w, b = w - alpha * g["dw"], b - alpha * g["db"]
    variants["every update uses the gradient of the whole training set: use the gradient of its mini-batch "
             "(X_t, Y_t) only"] = (w, b)
    w, b = start
    for X_t, Y_t in batches:
        g = line_grads(w, b, X_t, Y_t)
        n = X_t.shape[1]
        w, b = w - alpha * n * g["dw"], b - alpha * n * g["db"]
    variants["the gradients are summed over the mini-batch: average them (np.mean, or divide by the "
             "mini-batch's size)"] = (w, b)
    w, b = start
    for X_t, Y_t in batches[:-1]:
        g = line_grads(w, b, X_t, Y_t)
        w, b = w - alpha * g["dw"], b - alpha * g["db"]
    variants["the last, partial mini-batch (2 examples) gets no update: loop over every mini-batch"] = (w, b)
    w, b = start
    for X_t, Y_t in batches:
        w = w - alpha * line_grads(w, b, X_t, Y_t)["dw"]
        b = b - alpha * line_grads(w, b, X_t, Y_t)["db"]
    variants["b's step used the error of the already updated w: compute the error once per mini-batch, then "
             "update w and b together (w, b = w - alpha dw, b - alpha db)"] = (w, b)
    w, b = start
    for X_t, Y_t in batches:
        g = line_grads(w, b, X_t, Y_t)
        w, b = w - alpha * g["dw"] / 2, b - alpha * g["db"] / 2
    variants["the steps are half as large: the 1/2 of J = 1/(2b) sum (...)^2 cancels with the 2 of the square's "
             "derivative, so dw = 1/b sum (w x + b - y) x, with no 1/2 left"] = (w, b)
    g = line_grads(*start, X, Y)
    variants["only one update for the whole epoch: take one step per mini-batch"] = (
        start[0] - alpha * g["dw"], start[1] - alpha * g["db"])
    for mistake, value in variants.items():
        if np.allclose(got, value, rtol=1e-9, atol=1e-12):
            raise exercises.Mistake(mistake)
    for other_seed in range(10):
        if other_seed != seed and np.allclose(got, line_epoch(*start, X, Y, size, alpha, other_seed), rtol=1e-9):
            raise exercises.Mistake(f"the mini-batches are not those of seed {seed}: use "
                                    "data.random_mini_batches(X, Y, mini_batch_size, seed)")
    raise exercises.Mistake(f"(w, b) after the epoch is ({got[0]:.6g}, {got[1]:.6g}), expected "
                            f"({expected[0]:.6g}, {expected[1]:.6g})")
