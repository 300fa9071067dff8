"""Chapter 3: inverted dropout.

The layer itself is :func:`helpers.layers.dropout_forward` / :func:`~helpers.layers.dropout_backward`
and :func:`helpers.model.fit` applies it with ``keep_prob`` (one value or one per hidden layer).
This module holds what the chapter shows about it:

- :func:`expected_activation`: the average of many dropped copies of ``A`` is ``A`` again
  (inverted dropout) or ``keep_prob * A`` (without the division);
- :func:`thinned_masks` and :func:`network_layout`: which units one draw of the masks keeps, and
  where to draw them;
- :func:`cost_noise`: how much the training cost jumps from one epoch to the next (in units of J,
  or relative to its level);
- :func:`cost_spread`: the cost of *one* set of parameters under many dropout masks;
- :func:`train_keep_prob_grid`: every network the live experiment shows;
- :func:`check_dropout_forward` and :func:`check_dropout_backward`: the checkers of the chapter's
  exercises; the first also catches the mask that never changes between iterations (a generator
  re-created with a fixed seed inside the function, or a global seed re-set on every call).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import exercises, layers, model, optim, plots, regularization
from .blas import single_thread
from .validate import as_float_array, check_number

__all__ = [
    "expected_activation",
    "thinned_masks",
    "network_layout",
    "cost_noise",
    "cost_spread",
    "KeepProbGrid",
    "train_keep_prob_grid",
    "check_dropout_forward",
    "check_dropout_backward",
]


def expected_activation(A, keep_prob, n_draws=2000, seed=0, inverted=True):
    """Average ``n_draws`` dropped copies of ``A`` (each with a fresh mask).

    Returns a dict with ``mean`` (the average, shape of ``A``), ``relative_error`` (of the average
    over all entries against ``mean(A)``), ``max_z`` (the largest deviation of an entry, in
    standard errors ``|A| sqrt((1 - p) / (p n_draws))``; about 4 at most for ``n_draws`` draws of
    a correct layer) and ``standard_error`` (relative, for one entry).
    ``inverted=False`` drops without dividing by ``keep_prob``, for comparison.
    """
    A = as_float_array("A", A, ndim=2)
    check_number("keep_prob", keep_prob, low=0, high=1, low_open=True)
    check_number("n_draws", n_draws, low=1, integer=True)
    check_number("seed", seed, low=0, integer=True)
    rng = np.random.default_rng(seed)
    total = np.zeros_like(A)
    for _ in range(n_draws):
        dropped, _ = layers.dropout_forward(A, keep_prob, rng)
        total += dropped if inverted else dropped * keep_prob
    mean = total / n_draws
    rel_se = np.sqrt((1 - keep_prob) / (keep_prob * n_draws))
    if A.size == 0 or A.mean() == 0:
        raise ValueError(f"A must have a non-zero mean (the error is relative to it); got mean {A.mean() if A.size else 'of nothing'}"
                         ", e.g. pass activations of a ReLU or sigmoid layer")
    nonzero = np.abs(A) > 0
    z = np.abs(mean - A)[nonzero] / (np.abs(A)[nonzero] * rel_se) if rel_se > 0 else np.zeros(1)
    return {"mean": mean, "relative_error": float(abs(mean.mean() - A.mean()) / abs(A.mean())),
            "max_z": float(z.max(initial=0.0)), "standard_error": float(rel_se)}


def thinned_masks(layer_dims, keep_prob, rng):
    """One draw of the units kept by dropout: a boolean vector per layer ``0..L``.

    The input layer and the output layer are always kept (``keep_prob`` has one entry per hidden
    layer, as in :func:`helpers.model.fit`). ``rng`` is a ``numpy.random.Generator``.
    """
    dims = [int(d) for d in layer_dims]
    kp = model.check_keep_prob(keep_prob, len(dims) - 1)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator; got {rng!r}")
    masks = [np.ones(dims[0], dtype=bool)]
    for n, p in zip(dims[1:-1], kp):
        masks.append(rng.random(n) < p)
    masks.append(np.ones(dims[-1], dtype=bool))
    return masks


def network_layout(layer_dims, width=1.0, height=1.0):
    """Node positions ``[(x, y) arrays per layer]`` and the edge list ``[(l, i, j), ...]``
    (unit ``i`` of layer ``l`` to unit ``j`` of layer ``l + 1``) and segments for drawing."""
    if (not isinstance(layer_dims, (list, tuple, np.ndarray)) or np.ndim(layer_dims) != 1 or len(layer_dims) < 2
            or any(isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < 1 for d in layer_dims)):
        raise ValueError(f"layer_dims must be a list of at least two positive integers, e.g. [2, 50, 50, 1]; got {layer_dims!r:.60}")
    check_number("width", width, low=0, low_open=True)
    check_number("height", height, low=0, low_open=True)
    dims = [int(d) for d in layer_dims]
    xs = np.linspace(0, width, len(dims))
    positions = []
    for x, n in zip(xs, dims):
        ys = np.linspace(0, height, n + 2)[1:-1] if n > 1 else np.array([height / 2])
        positions.append(np.column_stack([np.full(n, x), ys]))
    edges, segments = [], []
    for l in range(len(dims) - 1):
        for i in range(dims[l]):
            for j in range(dims[l + 1]):
                edges.append((l, i, j))
                segments.append([positions[l][i], positions[l + 1][j]])
    return positions, np.array(edges), np.array(segments)


def cost_noise(cost_history, start=0.5, relative=False):
    """How much the training cost jumps from one epoch to the next: the mean of ``|J[t] - J[t-1]|``
    over the epochs after the first ``start`` fraction, in units of J, or (``relative=True``) the
    mean of ``|J[t] - J[t-1]| / J[t-1]``.

    Compare curves at different levels with ``relative=True``: a cost of 0.5 that jumps by 0.05
    and a cost of 0.03 that jumps by 0.003 jitter alike (10 %), though the first jumps 17 times
    more in units of J. With dropout each epoch evaluates a different thinned network; without
    it, Adam at a constant learning rate still oscillates a little near the minimum.
    """
    cost_history = as_float_array("cost_history", cost_history, ndim=1)
    check_number("start", start, low=0, high=1, high_open=True)
    tail = cost_history[int(start * cost_history.size):]
    if tail.size < 2:
        raise ValueError(f"cost_history needs at least 2 epochs after start; got {tail.size}")
    jumps = np.abs(np.diff(tail))
    if relative:
        if np.any(tail[:-1] <= 0):
            raise ValueError("relative=True needs a positive cost history (a cross-entropy is > 0)")
        jumps = jumps / tail[:-1]
    return float(np.mean(jumps))


def cost_spread(X, Y, params, keep_prob, n_draws=50, seed=0, hidden="tanh"):
    """The training cost J of the *same* ``params`` under ``n_draws`` dropout masks (train mode).

    Without dropout every draw gives the same J; with it J is a random variable. Returns the
    ``(n_draws,)`` array of costs. Uses :func:`helpers.model.forward` and :func:`helpers.model.cost`.
    """
    check_number("n_draws", n_draws, low=2, integer=True)
    check_number("seed", seed, low=0, integer=True)
    rng = np.random.default_rng(seed)
    costs = []
    for _ in range(n_draws):
        ZL, _ = model.forward(X, params, hidden=hidden, keep_prob=keep_prob, rng=rng, mode="train")
        costs.append(float(model.cost(ZL, Y, params)))
    return np.array(costs)


@dataclass
class KeepProbGrid:
    """Networks of :func:`train_keep_prob_grid`, indexed by ``(keep_prob_1, keep_prob_2)``.

    Each result holds ``train_accuracy``, ``dev_accuracy``, ``cost`` (per epoch, noisy with
    dropout), ``proba`` (the boundary on the grid, test mode), ``weight_norm`` (``||W||`` over all
    layers) and ``layer_norms`` (``||W[l]||_F`` per layer). ``params`` maps each pair to the trained
    network.
    """

    keep_probs: tuple
    layer_dims: tuple
    hidden: str
    extent: tuple
    points: tuple
    results: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.results[key]


def train_keep_prob_grid(keep_probs=(0.5, 0.75, 1.0), layer_dims=(2, 50, 50, 1), hidden="tanh", num_epochs=300,
                         learning_rate=0.03, data_kwargs=None, grid_n=64, seed=0, progress=False):
    """Train one ``[2, 50, 50, 1]`` network per pair of hidden-layer keep probabilities.

    Same data and same initialization as :func:`helpers.regularization.train_lambda_grid`
    (so ``keep_prob = (1, 1)`` is its ``lambd = 0`` network); Adam, batch gradient descent, and a
    dropout generator seeded with ``seed + 2``. BLAS runs on one thread (the predictions on the
    boundary grid too, see :mod:`helpers.blas`).
    """
    with single_thread():
        return _train_keep_prob_grid(keep_probs, layer_dims, hidden, num_epochs, learning_rate, data_kwargs, grid_n,
                                     seed, progress)


def _train_keep_prob_grid(keep_probs, layer_dims, hidden, num_epochs, learning_rate, data_kwargs, grid_n, seed,
                          progress):
    keep_probs = tuple(float(p) for p in keep_probs)
    for p in keep_probs:
        check_number("keep_prob", p, low=0, high=1, low_open=True)
    if len(layer_dims) != 4:
        raise ValueError(f"layer_dims must have two hidden layers, [n_x, n1, n2, 1]; got {layer_dims!r}")
    X, Y, X_dev, Y_dev = regularization.overfitting_data(**(data_kwargs or {}), seed=seed)
    grid_points, extent = plots.decision_grid(np.array([[-1.7, 2.7], [-1.3, 1.8]]), n=grid_n, pad=0.0)
    grid = KeepProbGrid(keep_probs, tuple(layer_dims), hidden, extent, (X, Y, X_dev, Y_dev))
    init = model.init_params(list(layer_dims), init="xavier", seed=seed + 1)
    pairs = [(p1, p2) for p1 in keep_probs for p2 in keep_probs]
    if progress:
        from tqdm.auto import tqdm

        pairs = tqdm(pairs, desc="training one network per (keep_prob1, keep_prob2)", leave=False)
    for p1, p2 in pairs:
        trained, history = model.fit(X, Y, init, optim.adam(learning_rate), num_epochs=num_epochs, hidden=hidden,
                                     keep_prob=(p1, p2), seed=seed + 2)
        grid.results[(p1, p2)] = {
            "train_accuracy": float(model.accuracy(X, Y, trained, hidden)),
            "dev_accuracy": float(model.accuracy(X_dev, Y_dev, trained, hidden)),
            "cost": history["cost"],
            "proba": model.predict_proba(grid_points, trained, hidden)[0].astype(np.float32),
            "weight_norm": float(model.weight_norm(trained)),
            "layer_norms": [float(np.linalg.norm(trained[f"W{l}"])) for l in range(1, len(layer_dims))],
        }
        grid.params[(p1, p2)] = trained
    return grid


# ---------------------------------------------------------------- the exercise


@exercises.checker("dropout forward")
def check_dropout_forward(dropout_forward_fn, seed=0):
    """Check a learner's ``dropout_forward_fn(A, keep_prob, rng) -> (A_dropped, D)``.

    Names the problem: a wrong shape, a mask kept with probability ``1 - keep_prob``, no division by
    ``keep_prob``, the same mask on every call (a generator or seed fixed inside the function), a
    mask that ignores ``rng``, or a returned ``D`` that is not the mask that was applied.
    """
    A = np.abs(np.random.default_rng(seed).standard_normal((40, 250))) + 0.5
    keep_prob = 0.8

    def run(rng):
        out = exercises.call(dropout_forward_fn, A, keep_prob, rng)
        if not isinstance(out, tuple) or len(out) != 2:
            raise exercises.Mistake(f"return the pair (A_dropped, D), D the mask the backward reuses; got "
                                    f"{type(out).__name__}{f' of length {len(out)}' if isinstance(out, tuple) else ''}")
        dropped = exercises.expect_shape("A_dropped", out[0], A.shape)
        D = exercises.expect_shape("the mask D", out[1], A.shape)
        return dropped, D

    rng = np.random.default_rng(seed + 1)
    first, D = run(rng)
    second, _ = run(rng)
    kept = first != 0
    kept_fraction = kept.mean()
    if abs(kept_fraction - (1 - keep_prob)) < 0.03 and abs(kept_fraction - keep_prob) > 0.1:
        raise exercises.Mistake(f"{100 * kept_fraction:.0f}% of the units are kept with keep_prob={keep_prob}: the mask "
                                "must be rand(shape) < keep_prob (you kept the units with rand >= keep_prob)")
    if abs(kept_fraction - keep_prob) > 0.03:
        raise exercises.Mistake(f"{100 * kept_fraction:.1f}% of the units are kept with keep_prob={keep_prob}; expected "
                                f"about {100 * keep_prob:.0f}%: draw the mask as rng.random(A.shape) < keep_prob")
    ratio = first[kept] / A[kept]
    if np.allclose(ratio, 1.0):
        raise exercises.Mistake("the kept units are not scaled: inverted dropout divides by keep_prob "
                                f"(A * D / keep_prob), otherwise E[A] shrinks to {keep_prob} A")
    if np.allclose(ratio, keep_prob):
        raise exercises.Mistake("the kept units are multiplied by keep_prob: divide instead (A * D / keep_prob)")
    if not np.allclose(ratio, 1 / keep_prob):
        raise exercises.Mistake(f"the kept units are scaled by {np.median(ratio):.3f}; expected 1/keep_prob = "
                                f"{1 / keep_prob:.3f}")
    if not np.array_equal(D != 0, kept):
        raise exercises.Mistake("the returned D is not the mask that was applied (D must be 0 exactly where "
                                "A_dropped is 0): return the D you multiplied A by, for the backward to reuse")
    if np.array_equal(first != 0, second != 0):
        raise exercises.Mistake("two calls gave the same mask: every forward pass must draw a new one. Use the rng "
                                "passed in (rng.random(A.shape)); do not create a generator or set a seed inside "
                                "the function, or every iteration trains the same thinned network")
    replay, _ = run(np.random.default_rng(seed + 1))
    if not np.array_equal(replay, first):
        raise exercises.Mistake("the same rng state gave a different mask: draw from the rng passed in "
                                "(rng.random(A.shape)), not from np.random or a generator of your own")
    # a second keep_prob: P(N(0, 1) < 0.8) = 0.79, so a normal draw passes at 0.8 by chance, not at 0.5
    half = exercises.call(dropout_forward_fn, A, 0.5, np.random.default_rng(seed + 2))
    half_kept = float(np.mean(np.asarray(half[0]) != 0))
    if abs(half_kept - 0.5) > 0.03:
        raise exercises.Mistake(f"with keep_prob=0.5, {100 * half_kept:.0f}% of the units are kept (expected about "
                                "50%): the draw must be uniform on [0, 1), rng.random(A.shape) < keep_prob "
                                "(rng.standard_normal or rng.normal keep another share)")
    return (f"{100 * kept_fraction:.1f}% of units kept (keep_prob={keep_prob}), kept units scaled by 1/keep_prob, "
            "a new mask on every call, reproducible from the rng")


@exercises.checker("dropout backward")
def check_dropout_backward(dropout_backward_fn, seed=0):
    """Check a learner's ``dropout_backward_fn(dA, D, keep_prob) -> dA_before_dropout``:
    the forward's mask and scaling again, ``dA * D / keep_prob``."""
    rng = np.random.default_rng(seed)
    keep_prob = 0.7
    dA = rng.standard_normal((30, 40))
    D = rng.random(dA.shape) < keep_prob
    got = exercises.expect_shape("the gradient", exercises.call(dropout_backward_fn, dA, D, keep_prob), dA.shape)
    expected = dA * D / keep_prob
    if np.allclose(got, expected, rtol=1e-10, atol=1e-12):
        return "dA * D / keep_prob: the forward's mask and scaling, so dropped units get no gradient"
    diagnoses = [
        (dA, "the gradient is unchanged: a dropped unit did not affect J, so its gradient is 0 (multiply by D), "
             "and a kept one was scaled by 1/keep_prob"),
        (dA * D, "the mask is applied but not the scaling: the forward divided by keep_prob, so the backward does too"),
        (dA * D * keep_prob, "multiplied by keep_prob: the forward divided by it, so the backward divides too"),
        (dA / keep_prob, "scaled but not masked: multiply by the forward's mask D (dropped units get no gradient)"),
    ]
    for value, message in diagnoses:
        if np.allclose(got, value, rtol=1e-10, atol=1e-12):
            raise exercises.Mistake(message)
    if not np.array_equal(got != 0, D):
        raise exercises.Mistake("the zeros of the gradient are not where D is 0: reuse the forward's mask D, "
                                "never draw a new one in the backward")
    exercises.expect_close("the gradient", got, expected, rtol=1e-10, atol=1e-12, hint="expected dA * D / keep_prob")
