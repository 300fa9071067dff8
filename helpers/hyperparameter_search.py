"""Chapter 13: hyperparameter search — grid versus random, log scales, coarse to fine.

A search space is a tuple of :class:`Hyperparameter`, each with a range and a *scale*:

- ``"linear"``: uniform in ``[low, high]``;
- ``"log"``: uniform in ``log10``, e.g. ``alpha`` in ``[1e-4, 1]`` gets as many trials in
  ``[1e-4, 1e-3]`` as in ``[0.1, 1]``;
- ``"one_minus_log"``: for an averaging weight ``beta`` in ``[0.9, 0.999]``, ``1 - beta`` is uniform in
  ``log10`` over ``[1e-3, 1e-1]`` (the averaging window ``1 / (1 - beta)`` is then spread evenly
  between 10 and 1000 steps).

Every strategy draws *unit* coordinates ``u`` in ``[0, 1]^d`` and maps them through the scales, so
the same seeded draws serve every scale.

The objective of the chapter, :class:`AdamObjective`, is a real but cheap training run: mini-batch
Adam on the two-weight linear model of chapter 11 (standardized inputs, squared error), scored by
``log10`` of the cost gap that remains after a fixed number of steps. One trial costs microseconds
because the model is tiny, so thousands can be precomputed; a deep network's dev error responds to
``alpha`` and ``epsilon`` in the same qualitative way, only each trial costs minutes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import blas, data, normalization
from .validate import as_float_array, check_choice, check_number
from .normalization import Feedback

__all__ = [
    "Hyperparameter",
    "SCALES",
    "from_unit",
    "to_unit",
    "sample_uniform",
    "sample_log_uniform",
    "sample_beta",
    "grid_search",
    "random_search",
    "coarse_to_fine",
    "coarse_to_fine_batch",
    "best_so_far",
    "AdamObjective",
    "alpha_epsilon_space",
    "alpha_beta_space",
    "landscape",
    "STRATEGIES",
    "precompute_searches",
    "check_sample_log_uniform",
]

SCALES = ("linear", "log", "one_minus_log")


class Hyperparameter(NamedTuple):
    """A named range ``[low, high]`` searched on ``scale`` (one of :data:`SCALES`)."""

    name: str
    low: float
    high: float
    scale: str = "linear"


def _check_hyperparameter(hp):
    if not isinstance(hp, Hyperparameter):
        raise ValueError(f"a search space is a tuple of Hyperparameter(name, low, high, scale); got {hp!r}")
    check_choice("scale", hp.scale, SCALES)
    check_number(f"{hp.name} low", hp.low)
    check_number(f"{hp.name} high", hp.high)
    if not hp.low < hp.high:
        raise ValueError(f"{hp.name}: low must be below high; got [{hp.low}, {hp.high}]")
    if hp.scale == "log" and hp.low <= 0:
        raise ValueError(f"{hp.name}: a log scale needs low > 0; got {hp.low}")
    if hp.scale == "one_minus_log" and not (0 <= hp.low and hp.high < 1):
        raise ValueError(f"{hp.name}: the one_minus_log scale is for beta in [0, 1); got [{hp.low}, {hp.high}]")
    return hp


def _check_space(space):
    if isinstance(space, Hyperparameter):
        space = (space,)
    space = tuple(space)
    if not space:
        raise ValueError("the search space needs at least one Hyperparameter")
    return tuple(_check_hyperparameter(hp) for hp in space)


def from_unit(hp, u):
    """Map unit coordinates ``u`` in ``[0, 1]`` to values of ``hp`` on its scale."""
    _check_hyperparameter(hp)
    u = np.asarray(u, dtype=float)
    if hp.scale == "linear":
        return hp.low + u * (hp.high - hp.low)
    if hp.scale == "log":
        return 10 ** (np.log10(hp.low) + u * (np.log10(hp.high) - np.log10(hp.low)))
    # one_minus_log: u = 0 is beta = low (short window), u = 1 is beta = high (long window)
    a, b = np.log10(1 - hp.low), np.log10(1 - hp.high)
    return 1 - 10 ** (a + u * (b - a))


def to_unit(hp, value):
    """Inverse of :func:`from_unit`."""
    _check_hyperparameter(hp)
    value = np.asarray(value, dtype=float)
    if hp.scale == "linear":
        return (value - hp.low) / (hp.high - hp.low)
    if hp.scale == "log":
        return (np.log10(value) - np.log10(hp.low)) / (np.log10(hp.high) - np.log10(hp.low))
    a, b = np.log10(1 - hp.low), np.log10(1 - hp.high)
    return (np.log10(1 - value) - a) / (b - a)


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); got {rng!r}")
    return rng


def sample_uniform(low, high, size, rng):
    """``size`` values uniform in ``[low, high]``."""
    return from_unit(Hyperparameter("value", low, high, "linear"), _check_rng(rng).random(size))


def sample_log_uniform(low, high, size, rng):
    """``size`` values with ``log10`` uniform in ``[log10 low, log10 high]``: ``10 ** uniform(a, b)``."""
    return from_unit(Hyperparameter("value", low, high, "log"), _check_rng(rng).random(size))


def sample_beta(low, high, size, rng):
    """``size`` values of ``beta`` in ``[low, high]`` with ``1 - beta`` log-uniform:
    ``beta = 1 - 10 ** uniform(log10(1 - low), log10(1 - high))``."""
    return from_unit(Hyperparameter("beta", low, high, "one_minus_log"), _check_rng(rng).random(size))


def _points(space, u):
    return np.stack([from_unit(hp, u[:, j]) for j, hp in enumerate(space)], axis=1)


def grid_search(space, n_trials):
    """The ``n_trials`` points of a full grid: ``k = n_trials ** (1/d)`` evenly spaced values (on
    each hyperparameter's scale, both ends included) per dimension.

    Returns ``(points (n_trials, d), u (n_trials, d))``: values and unit coordinates.
    """
    space = _check_space(space)
    check_number("n_trials", n_trials, low=1, integer=True)
    d = len(space)
    k = int(round(n_trials ** (1 / d)))
    if k**d != n_trials:
        raise ValueError(f"a grid over {d} hyperparameter(s) needs n_trials = k**{d}; got {n_trials}")
    axis = np.linspace(0, 1, k) if k > 1 else np.array([0.5])
    u = np.stack([g.ravel() for g in np.meshgrid(*([axis] * d), indexing="ij")], axis=1)
    return _points(space, u), u


def random_search(space, n_trials, rng):
    """``n_trials`` points drawn independently, uniform on each hyperparameter's scale.

    The first ``n`` trials of a larger search with the same seed are the search with ``n`` trials.
    Returns ``(points (n_trials, d), u (n_trials, d))``.
    """
    space = _check_space(space)
    check_number("n_trials", n_trials, low=1, integer=True)
    u = _check_rng(rng).random((n_trials, len(space)))
    return _points(space, u), u


def _round_sizes(n_trials, n_rounds):
    base, extra = divmod(n_trials, n_rounds)
    return [base + (r < extra) for r in range(n_rounds)]


def coarse_to_fine(objective, space, n_trials, rng, n_rounds=3, shrink=0.3):
    """Random search in rounds, each in a smaller box around the best trial so far.

    Round 1 samples the whole space; round ``r`` samples a box whose sides are ``shrink ** (r - 1)``
    of the space's (in unit coordinates, so on each hyperparameter's own scale), centred on the best
    trial so far and moved inside the space where it would stick out.

    Parameters
    ----------
    objective : callable ``objective(points (n, d)) -> (n,)`` scores, lower is better.
    space : tuple of :class:`Hyperparameter`.
    n_trials : total budget, split as evenly as possible over ``n_rounds``.
    rng : a ``numpy.random.Generator``.

    Returns
    -------
    dict with ``points`` ``(n_trials, d)``, ``u`` (unit coordinates), ``scores`` ``(n_trials,)``,
    ``round`` ``(n_trials,)`` (0-based) and ``boxes`` ``(n_rounds, d, 2)`` (unit coordinates).
    """
    return coarse_to_fine_batch(objective, [(space, n_trials, rng)], n_rounds, shrink)[0]


def coarse_to_fine_batch(objective, searches, n_rounds=3, shrink=0.3):
    """Several independent :func:`coarse_to_fine` searches run side by side.

    ``searches`` is a list of ``(space, n_trials, rng)``; the spaces must name the same
    hyperparameters in the same order (their ranges and scales may differ). Each round sends the
    trials of every search to ``objective`` in one call, which is what makes many small searches
    cheap when the objective is vectorized. Returns one result dict per search.
    """
    check_number("n_rounds", n_rounds, low=1, integer=True)
    check_number("shrink", shrink, low=0, high=1, low_open=True, high_open=True)
    jobs = []
    for space, n_trials, rng in searches:
        space = _check_space(space)
        check_number("n_trials", n_trials, low=n_rounds, integer=True)
        jobs.append({"space": space, "sizes": _round_sizes(n_trials, n_rounds), "rng": _check_rng(rng),
                     "u": [], "scores": [], "round": [], "boxes": []})
    for r in range(n_rounds):
        batch = []
        for job in jobs:
            d = len(job["space"])
            lo, hi = np.zeros(d), np.ones(d)
            if r > 0:
                all_u, all_scores = np.concatenate(job["u"]), np.concatenate(job["scores"])
                side = shrink**r
                lo = np.clip(all_u[np.argmin(all_scores)] - side / 2, 0, 1 - side)
                hi = lo + side
            job["boxes"].append(np.stack([lo, hi], axis=1))
            u = lo + job["rng"].random((job["sizes"][r], d)) * (hi - lo)
            job["u"].append(u)
            job["round"].append(np.full(u.shape[0], r))
            batch.append(_points(job["space"], u))
        values = np.asarray(objective(np.concatenate(batch)), dtype=float).reshape(-1)
        total = sum(len(b) for b in batch)
        if values.shape != (total,):
            raise ValueError(f"objective must return one score per trial ({total}); got shape {values.shape}")
        start = 0
        for job, points in zip(jobs, batch):
            job["scores"].append(values[start : start + len(points)])
            start += len(points)
    results = []
    for job in jobs:
        u = np.concatenate(job["u"])
        results.append({"points": _points(job["space"], u), "u": u, "scores": np.concatenate(job["scores"]),
                        "round": np.concatenate(job["round"]), "boxes": np.array(job["boxes"])})
    return results


def best_so_far(scores):
    """The running minimum of ``scores``: the best trial after 1, 2, ... trials."""
    return np.minimum.accumulate(as_float_array("scores", scores, ndim=1))


class AdamObjective:
    """Score of one training run per trial: lower is better.

    Each trial trains ``y_hat = w X`` (two weights, squared error, standardized inputs; see
    :mod:`helpers.normalization`) from ``w = 0`` with mini-batch Adam for ``num_steps`` steps of
    ``mini_batch_size`` examples, and returns ``log10((J - J*) / (J(0) - J*))`` on the training set,
    with ``J`` averaged over the last quarter of the steps.
    All trials see the *same* sequence of mini-batches, so two trials differ only by their
    hyperparameters. Too small an ``alpha`` has not arrived after ``num_steps``; too large a one
    keeps jumping around the minimum by the mini-batch noise.

    Call it as ``objective(learning_rate, beta1=0.9, epsilon=1e-8)`` with arrays of ``K`` values (one
    trial each) and get ``(K,)`` scores; ``beta2`` is fixed at ``0.999``.
    """

    def __init__(self, num_steps=200, mini_batch_size=16, beta2=0.999, m=400, noise=1.0, seed=0):
        check_number("num_steps", num_steps, low=1, integer=True)
        check_number("mini_batch_size", mini_batch_size, low=1, integer=True)
        check_number("beta2", beta2, low=0, high=1, high_open=True)
        X, y = normalization.make_unscaled_regression(m=m, noise=noise, seed=seed)
        (X_train, y_train), _ = data.train_dev_test_split(X, y, (0.75, 0.25), seed=seed)
        mu, sigma = data.fit_standardizer(X_train)
        self.X, self.y = data.standardize(X_train, mu, sigma), y_train
        self.w_star, self.J_star = normalization.least_squares(self.X, self.y)
        self.J0 = float(normalization.squared_cost(self.X, self.y, np.zeros((1, 2)))[0])
        self.num_steps, self.mini_batch_size, self.beta2 = num_steps, mini_batch_size, beta2
        self.tail_steps = max(1, num_steps // 4)
        rng = np.random.default_rng(seed + 1)
        self.batches = rng.integers(0, self.X.shape[1], size=(num_steps, mini_batch_size))
        self._X_batches = np.moveaxis(self.X[:, self.batches], 0, 1)  # (num_steps, 2, mini_batch_size)
        self._y_batches = np.moveaxis(self.y[:, self.batches], 0, 1)
        self.H = normalization.hessian(self.X)

    def __call__(self, learning_rate, beta1=0.9, epsilon=1e-8):
        sizes = [np.size(a) for a in (learning_rate, beta1, epsilon)]
        K = max(sizes)
        if any(n not in (1, K) for n in sizes):
            raise ValueError(f"learning_rate, beta1 and epsilon must have the same length (or be single numbers); got {sizes}")
        alpha = np.broadcast_to(as_float_array("learning_rate", learning_rate, ndim=(0, 1)).reshape(-1), (K,))
        beta1 = np.broadcast_to(as_float_array("beta1", beta1, ndim=(0, 1)).reshape(-1), (K,))
        epsilon = np.broadcast_to(as_float_array("epsilon", epsilon, ndim=(0, 1)).reshape(-1), (K,))
        if np.any(alpha <= 0):
            raise ValueError(f"learning_rate must be positive; got {alpha[alpha <= 0][:3].tolist()}")
        if np.any((beta1 < 0) | (beta1 >= 1)):
            raise ValueError(f"beta1 must be in [0, 1); got {beta1[(beta1 < 0) | (beta1 >= 1)][:3].tolist()}")
        if np.any(epsilon <= 0):
            raise ValueError(f"epsilon must be positive; got {epsilon[epsilon <= 0][:3].tolist()}")
        with blas.single_thread():  # tiny products: one BLAS thread is faster on a busy machine
            return self._run(alpha[:, None], beta1[:, None], epsilon[:, None])

    def on(self, space):
        """``score(points)`` for points of ``space``, whose hyperparameters are named from
        ``"alpha"``, ``"beta1"`` and ``"epsilon"`` (the others keep their defaults)."""
        space = _check_space(space)
        names = [hp.name for hp in space]
        unknown = set(names) - {"alpha", "beta1", "epsilon"}
        if unknown:
            raise ValueError(f"AdamObjective knows alpha, beta1 and epsilon; got {sorted(unknown)}")

        def score(points):
            points = as_float_array("points", points, ndim=2)
            if points.shape[1] != len(names):
                raise ValueError(f"points must have one column per hyperparameter {names}; got shape {points.shape}")
            values = dict(zip(names, points.T))
            return self(values.get("alpha", 0.01), values.get("beta1", 0.9), values.get("epsilon", 1e-8))

        return score

    def _run(self, alpha, beta1, epsilon):
        w = np.zeros((alpha.shape[0], 2))
        v = np.zeros_like(w)
        s = np.zeros_like(w)
        beta2 = self.beta2
        tail_gap = np.zeros(alpha.shape[0])
        first_tail = self.num_steps - self.tail_steps
        for t in range(1, self.num_steps + 1):
            X_t, y_t = self._X_batches[t - 1], self._y_batches[t - 1]
            dw = (w @ X_t - y_t) @ X_t.T / self.mini_batch_size
            # Adam as in helpers.optim.adam, with one (alpha, beta1, epsilon) per trial
            v = beta1 * v + (1 - beta1) * dw
            s = beta2 * s + (1 - beta2) * dw * dw
            v_corrected = v / (1 - beta1**t)
            s_corrected = s / (1 - beta2**t)
            w = w - alpha * v_corrected / (np.sqrt(s_corrected) + epsilon)
            if t > first_tail:
                # J(w) - J* = 1/2 (w - w*) H (w - w*)^T exactly, for a quadratic cost
                d = w - self.w_star
                tail_gap += 0.5 * np.sum((d @ self.H) * d, axis=1)
        # The cost averaged over the last steps: a single final step would score the luck of the
        # last mini-batch as much as the hyperparameters.
        gap = np.maximum(tail_gap / self.tail_steps / (self.J0 - self.J_star), 1e-300)
        return np.log10(gap)


def check_sample_log_uniform(sample_fn, seed=0):
    """Check a learner's ``sample_fn(low, high, size, rng)`` against log-uniform sampling and say
    what is wrong. Returns a :class:`helpers.normalization.Feedback`."""
    low, high, size = 1e-4, 1.0, 4000
    try:
        first = np.asarray(sample_fn(low, high, size, np.random.default_rng(seed)), dtype=float)
        again = np.asarray(sample_fn(low, high, size, np.random.default_rng(seed)), dtype=float)
    except Exception as error:  # the learner's code may raise anything; report it in words
        return Feedback(False, f"your function raised {type(error).__name__}: {error}")
    if first.shape != (size,):
        return Feedback(False, f"return an array of shape (size,) = ({size},); got {first.shape}")
    if not np.array_equal(first, again):
        return Feedback(False, "two calls with the same seed gave different values: draw from the rng you are given")
    if not np.all(np.isfinite(first)) or first.min() < low or first.max() > high:
        return Feedback(False, f"values must lie in [{low:g}, {high:g}]; got [{np.nanmin(first):.3g}, {np.nanmax(first):.3g}]"
                               " (mixing log10 and the natural log / exp does that)")
    decades = np.histogram(np.log10(first), bins=np.arange(-4, 0.5))[0] / size
    if decades[0] < 0.15:
        return Feedback(False, f"only {100 * decades[0]:.1f}% of the samples fall in [1e-4, 1e-3] and "
                               f"{100 * decades[-1]:.1f}% in [0.1, 1]: this is uniform on a linear scale. "
                               "Draw r uniform in [log10(low), log10(high)] and return 10**r")
    if np.abs(decades - 0.25).max() > 0.05:
        return Feedback(False, f"each of the 4 decades should get about 25% of the samples; got "
                               f"{np.round(100 * decades, 1).tolist()}%")
    return Feedback(True, f"correct: each decade of [1e-4, 1] gets about a quarter of the samples "
                          f"({np.round(100 * decades, 1).tolist()}%)")


# ---------------------------------------------------------------- the chapter's two search spaces


def alpha_epsilon_space(alpha_scale="log"):
    """``alpha`` in ``[1e-4, 1]`` (matters) and Adam's ``epsilon`` in ``[1e-10, 1e-6]`` (does not)."""
    return (Hyperparameter("alpha", 1e-4, 1.0, alpha_scale), Hyperparameter("epsilon", 1e-10, 1e-6, "log"))


def alpha_beta_space(alpha_scale="log", beta_scale="one_minus_log"):
    """``alpha`` in ``[1e-4, 1]`` and ``beta1`` in ``[0.9, 0.999]`` (``1 - beta1`` in ``[1e-3, 1e-1]``)."""
    return (Hyperparameter("alpha", 1e-4, 1.0, alpha_scale), Hyperparameter("beta1", 0.9, 0.999, beta_scale))


def landscape(objective, space, n=(48, 24)):
    """Scores on an ``n[0] x n[1]`` grid over a two-dimensional ``space`` (evenly spaced on each scale).

    Returns ``(values_0 (n0,), values_1 (n1,), scores (n1, n0))`` for ``pcolormesh``-style plots.
    """
    space = _check_space(space)
    if len(space) != 2:
        raise ValueError(f"landscape draws two hyperparameters; got {len(space)}")
    u0, u1 = np.linspace(0, 1, n[0]), np.linspace(0, 1, n[1])
    g0, g1 = np.meshgrid(u0, u1)
    u = np.stack([g0.ravel(), g1.ravel()], axis=1)
    scores = np.asarray(objective.on(space)(_points(space, u))).reshape(g0.shape)
    return from_unit(space[0], u0), from_unit(space[1], u1), scores


STRATEGIES = ("grid", "random", "coarse to fine")


def precompute_searches(objective, space_fn, n_options=(9, 16, 25, 36, 49), alpha_scales=("log", "linear"),
                        seeds=(0, 1, 2, 3), n_rounds=3, shrink=0.3):
    """Every search a live view can show, evaluated in a few vectorized calls.

    ``space_fn(alpha_scale)`` builds the space. Returns a dict keyed by
    ``(strategy, n_trials, alpha_scale, seed)`` of dicts with ``points``, ``scores``, ``round`` and
    ``boxes`` (``None`` except for coarse to fine). Random searches of one seed are nested: the first
    ``n`` trials of the largest.
    """
    results = {}
    pending = []
    for scale in alpha_scales:
        space = space_fn(scale)
        for n in n_options:
            points, _ = grid_search(space, n)
            pending.append((("grid", n, scale), points))
        for seed in seeds:
            points, _ = random_search(space, max(n_options), np.random.default_rng(seed))
            pending.append((("random", None, scale, seed), points))
    score = objective.on(space_fn(alpha_scales[0]))
    values = score(np.concatenate([p for _, p in pending]))
    start = 0
    for key, points in pending:
        chunk = values[start : start + len(points)]
        start += len(points)
        if key[0] == "grid":
            for seed in seeds:
                results[key + (seed,)] = {"points": points, "scores": chunk, "round": np.zeros(len(points), int), "boxes": None}
        else:
            _, _, scale, seed = key
            for n in n_options:
                results[("random", n, scale, seed)] = {"points": points[:n], "scores": chunk[:n],
                                                       "round": np.zeros(n, int), "boxes": None}
    keys = [(n, scale, seed) for scale in alpha_scales for n in n_options for seed in seeds]
    searches = [(space_fn(scale), n, np.random.default_rng(1000 + seed)) for n, scale, seed in keys]
    for (n, scale, seed), result in zip(keys, coarse_to_fine_batch(score, searches, n_rounds, shrink)):
        results[("coarse to fine", n, scale, seed)] = result
    return results
