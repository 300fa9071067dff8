"""Chapter 3: inverted dropout.

The layer itself is :func:`helpers.layers.dropout_forward` / :func:`~helpers.layers.dropout_backward`
and :func:`helpers.model.fit` applies it with ``keep_prob`` (one value or one per hidden layer).
This module holds what the chapter shows about it:

- :func:`expected_activation`: the average of many dropped copies of ``A`` is ``A`` again
  (inverted dropout) or ``keep_prob * A`` (without the division);
- :func:`thinned_masks` and :func:`network_layout`: which units one draw of the masks keeps, and
  where to draw them;
- :func:`cost_noise`: how much the training cost jumps from one epoch to the next;
- :func:`train_keep_prob_grid`: every network the live experiment shows;
- :func:`check_dropout_forward`: the checker of the chapter's exercise, which also catches the
  mask that never changes between iterations (a generator re-created with a fixed seed inside
  the function, or a global seed re-set on every call).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import layers, model, optim, plots, regularization
from .blas import single_thread
from .validate import as_float_array, check_number

__all__ = [
    "expected_activation",
    "thinned_masks",
    "network_layout",
    "cost_noise",
    "KeepProbGrid",
    "train_keep_prob_grid",
    "check_dropout_forward",
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
    rng = np.random.default_rng(seed)
    total = np.zeros_like(A)
    for _ in range(n_draws):
        dropped, _ = layers.dropout_forward(A, keep_prob, rng)
        total += dropped if inverted else dropped * keep_prob
    mean = total / n_draws
    rel_se = np.sqrt((1 - keep_prob) / (keep_prob * n_draws))
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
    kp = model._check_keep_prob(keep_prob, len(dims) - 1)
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


def cost_noise(cost_history, start=0.5):
    """How much the training cost jumps from one epoch to the next: the mean of ``|J[t] - J[t-1]|``
    over the epochs after the first ``start`` fraction (in units of J).

    Gradient descent on a fixed cost changes it smoothly and little late in training; with
    dropout each epoch evaluates a different thinned network, so J jumps up and down.
    """
    cost_history = as_float_array("cost_history", cost_history, ndim=1)
    check_number("start", start, low=0, high=1, high_open=True)
    tail = cost_history[int(start * cost_history.size):]
    if tail.size < 2:
        raise ValueError(f"cost_history needs at least 2 epochs after start; got {tail.size}")
    return float(np.mean(np.abs(np.diff(tail))))


@dataclass
class KeepProbGrid:
    """Networks of :func:`train_keep_prob_grid`, indexed by ``(keep_prob_1, keep_prob_2)``.

    Each result holds ``train_accuracy``, ``dev_accuracy``, ``cost`` (per epoch, noisy with
    dropout) and ``proba`` (the boundary on the grid, test mode).
    """

    keep_probs: tuple
    layer_dims: tuple
    hidden: str
    extent: tuple
    points: tuple
    results: dict = field(default_factory=dict)

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
        }
    return grid


# ---------------------------------------------------------------- the exercise


def check_dropout_forward(dropout_forward_fn, seed=0):
    """Check a learner's ``dropout_forward_fn(A, keep_prob, rng) -> A_dropped`` (or ``(A_dropped, cache)``).

    Returns ``"correct: ..."`` or raises ``AssertionError`` naming the problem: a wrong shape,
    a mask kept with probability ``1 - keep_prob``, no division by ``keep_prob``, the same mask on
    every call (a generator or seed fixed inside the function), or a mask that ignores ``rng``.
    """
    A = np.abs(np.random.default_rng(seed).standard_normal((40, 250))) + 0.5
    keep_prob = 0.8

    def call(rng):
        out = dropout_forward_fn(A.copy(), keep_prob, rng)
        out = out[0] if isinstance(out, tuple) else out
        out = np.asarray(out, dtype=float)
        if out.shape != A.shape:
            raise AssertionError(f"the output must have the shape of A {A.shape}; got {out.shape}")
        return out

    rng = np.random.default_rng(seed + 1)
    first, second = call(rng), call(rng)
    kept = first != 0
    kept_fraction = kept.mean()
    if abs(kept_fraction - (1 - keep_prob)) < 0.03 and abs(kept_fraction - keep_prob) > 0.1:
        raise AssertionError(f"{100 * kept_fraction:.0f}% of the units are kept with keep_prob={keep_prob}: the mask "
                             "must be rand(shape) < keep_prob (you kept the units with rand >= keep_prob)")
    if abs(kept_fraction - keep_prob) > 0.03:
        raise AssertionError(f"{100 * kept_fraction:.1f}% of the units are kept with keep_prob={keep_prob}; expected "
                             f"about {100 * keep_prob:.0f}%: draw the mask as rng.random(A.shape) < keep_prob")
    ratio = first[kept] / A[kept]
    if np.allclose(ratio, 1.0):
        raise AssertionError("the kept units are not scaled: inverted dropout divides by keep_prob "
                             f"(A * D / keep_prob), otherwise E[A] shrinks to {keep_prob} A")
    if np.allclose(ratio, keep_prob):
        raise AssertionError("the kept units are multiplied by keep_prob: divide instead (A * D / keep_prob)")
    if not np.allclose(ratio, 1 / keep_prob):
        raise AssertionError(f"the kept units are scaled by {np.median(ratio):.3f}; expected 1/keep_prob = "
                             f"{1 / keep_prob:.3f}")
    if np.array_equal(first != 0, second != 0):
        raise AssertionError("two calls gave the same mask: every forward pass must draw a new one. Use the rng "
                             "passed in (rng.random(A.shape)); do not create a generator or set a seed inside "
                             "the function, or every iteration trains the same thinned network")
    replay = call(np.random.default_rng(seed + 1))
    if not np.array_equal(replay, first):
        raise AssertionError("the same rng state gave a different mask: draw from the rng passed in "
                             "(rng.random(A.shape)), not from np.random or a generator of your own")
    return (f"correct: {100 * kept_fraction:.1f}% of units kept (keep_prob={keep_prob}), kept units scaled by "
            f"1/keep_prob, a new mask on every call, reproducible from the rng")
