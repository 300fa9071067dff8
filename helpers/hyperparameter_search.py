"""Chapter 13: hyperparameter search — grid versus random, log scales, coarse to fine, and a search
over a real network judged on a dev set and evaluated once on a test set.

A search space is a tuple of :class:`Hyperparameter`, each with a range and a *scale*:

- ``"linear"``: uniform in ``[low, high]``;
- ``"log"``: uniform in ``log10``, e.g. ``alpha`` in ``[1e-4, 1]`` gets as many trials in
  ``[1e-4, 1e-3]`` as in ``[0.1, 1]``;
- ``"one_minus_log"``: for an averaging weight ``beta`` in ``[0.9, 0.999]``, ``1 - beta`` is uniform in
  ``log10`` over ``[1e-3, 1e-1]`` (the averaging window ``1 / (1 - beta)`` is then spread evenly
  between 10 and 1000 steps).

A hyperparameter with ``integer=True`` (hidden units, number of layers) takes whole values only,
each of them sampled on its scale (see :func:`from_unit`).

Every strategy draws *unit* coordinates ``u`` in ``[0, 1]^d`` and maps them through the scales, so
the same seeded draws serve every scale.

Two objectives, both scored on a **dev set that no trial trains on**:

- :class:`AdamObjective`, cheap enough for thousands of trials: mini-batch Adam
  (:func:`helpers.optim.adam`, one ``(alpha, beta1, epsilon)`` per trial, all trials as one stack)
  on a two-weight linear model with standardized inputs, scored by ``log10`` of the dev cost it
  reaches relative to the untrained model's;
- :func:`network_search`: softmax networks on the 8x8 digits whose learning rate, ``beta1``, hidden
  units and number of layers are sampled, scored by dev accuracy; the chosen network is then
  evaluated once on the test split (:func:`digits_splits`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import blas, data, exercises, model, optim
from .validate import as_float_array, check_choice, check_number, check_rng, check_X_Y, error

__all__ = [
    "Hyperparameter",
    "SCALES",
    "check_hyperparameter",
    "check_space",
    "from_unit",
    "to_unit",
    "to_points",
    "round_sizes",
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
    "digits_splits",
    "network_space",
    "layer_dims_of",
    "train_network",
    "network_search",
    "babysit",
    "check_sample_log_uniform",
    "check_sample_beta",
]

SCALES = ("linear", "log", "one_minus_log")


class Hyperparameter(NamedTuple):
    """A named range ``[low, high]`` searched on ``scale`` (one of :data:`SCALES`); whole numbers
    only when ``integer`` is True (then ``low`` and ``high`` are integers too)."""

    name: str
    low: float
    high: float
    scale: str = "linear"
    integer: bool = False


def check_hyperparameter(hp):
    """``hp`` if it is a valid :class:`Hyperparameter` (known scale, ``low < high``, ``low > 0`` on a
    log scale, ``[low, high]`` inside ``[0, 1)`` for ``one_minus_log``, whole ends when integer);
    otherwise a ValueError saying what is off."""
    if not isinstance(hp, Hyperparameter):
        raise error("a search space entry", repr(hp), "a Hyperparameter(name, low, high, scale)",
                    'Hyperparameter("alpha", 1e-4, 1.0, "log")')
    check_choice("scale", hp.scale, SCALES)
    check_number(f"{hp.name} low", hp.low)
    check_number(f"{hp.name} high", hp.high)
    if not hp.low < hp.high:
        raise error(hp.name, f"the range [{hp.low}, {hp.high}]", "low below high", "Hyperparameter(name, low, high, scale)")
    if hp.scale == "log" and hp.low <= 0:
        raise error(hp.name, f"low = {hp.low} on a log scale", "low > 0 (a log scale cannot reach 0)", "1e-4")
    if hp.scale == "one_minus_log" and not (0 <= hp.low and hp.high < 1):
        raise error(hp.name, f"the range [{hp.low}, {hp.high}] on the one_minus_log scale", "a beta range inside [0, 1)",
                    "[0.9, 0.999]")
    if not isinstance(hp.integer, (bool, np.bool_)):
        raise error(f"{hp.name} integer", repr(hp.integer), "True or False")
    if hp.integer and (hp.scale == "one_minus_log" or hp.low != int(hp.low) or hp.high != int(hp.high)):
        raise error(f"{hp.name}", f"[{hp.low}, {hp.high}] on a {hp.scale} scale",
                    "whole-number ends on a linear or log scale for an integer hyperparameter")
    return hp


def check_space(space):
    """A search space as a tuple of checked :class:`Hyperparameter` (one alone is a space of one)."""
    if isinstance(space, Hyperparameter):
        space = (space,)
    space = tuple(space)
    if not space:
        raise ValueError("the search space needs at least one Hyperparameter")
    return tuple(check_hyperparameter(hp) for hp in space)


def from_unit(hp, u):
    """Map unit coordinates ``u`` in ``[0, 1]`` to values of ``hp`` on its scale.

    An integer hyperparameter is drawn on its scale over ``[low - 1/2, high + 1/2]`` and rounded
    to the nearest whole number, so every value from ``low`` to ``high`` is reachable and each gets
    the share of the scale that rounds to it (on a log scale, small values get more).
    """
    check_hyperparameter(hp)
    u = np.asarray(u, dtype=float)
    if hp.integer:
        lo, hi = hp.low - 0.5, hp.high + 0.5
        if hp.scale == "linear":
            values = lo + u * (hi - lo)
        else:
            values = 10 ** (np.log10(lo) + u * (np.log10(hi) - np.log10(lo)))
        return np.clip(np.round(values), hp.low, hp.high)
    if hp.scale == "linear":
        return hp.low + u * (hp.high - hp.low)
    if hp.scale == "log":
        return 10 ** (np.log10(hp.low) + u * (np.log10(hp.high) - np.log10(hp.low)))
    # one_minus_log: u = 0 is beta = low (short window), u = 1 is beta = high (long window)
    a, b = np.log10(1 - hp.low), np.log10(1 - hp.high)
    return 1 - 10 ** (a + u * (b - a))


def to_unit(hp, value):
    """Inverse of :func:`from_unit` (for an integer hyperparameter: the centre of the value's cell)."""
    check_hyperparameter(hp)
    value = np.asarray(value, dtype=float)
    if hp.integer:
        lo, hi = hp.low - 0.5, hp.high + 0.5
        if hp.scale == "linear":
            return (value - lo) / (hi - lo)
        return (np.log10(value) - np.log10(lo)) / (np.log10(hi) - np.log10(lo))
    if hp.scale == "linear":
        return (value - hp.low) / (hp.high - hp.low)
    if hp.scale == "log":
        return (np.log10(value) - np.log10(hp.low)) / (np.log10(hp.high) - np.log10(hp.low))
    a, b = np.log10(1 - hp.low), np.log10(1 - hp.high)
    return (np.log10(1 - value) - a) / (b - a)


def sample_uniform(low, high, size, rng):
    """``size`` values uniform in ``[low, high]``."""
    check_number("size", size, low=1, integer=True)
    return from_unit(Hyperparameter("value", low, high, "linear"), check_rng(rng).random(size))


def sample_log_uniform(low, high, size, rng):
    """``size`` values with ``log10`` uniform in ``[log10 low, log10 high]``: ``10 ** uniform(a, b)``."""
    check_number("size", size, low=1, integer=True)
    return from_unit(Hyperparameter("value", low, high, "log"), check_rng(rng).random(size))


def sample_beta(low, high, size, rng):
    """``size`` values of ``beta`` in ``[low, high]`` with ``1 - beta`` log-uniform:
    ``beta = 1 - 10 ** uniform(log10(1 - low), log10(1 - high))``."""
    check_number("size", size, low=1, integer=True)
    return from_unit(Hyperparameter("beta", low, high, "one_minus_log"), check_rng(rng).random(size))


def to_points(space, u):
    """Unit coordinates ``u`` ``(n, d)`` -> values ``(n, d)``, column ``j`` on ``space[j]``'s scale."""
    return np.stack([from_unit(hp, u[:, j]) for j, hp in enumerate(space)], axis=1)


def grid_search(space, n_trials):
    """The ``n_trials`` points of a full grid: ``k = n_trials ** (1/d)`` evenly spaced values (on
    each hyperparameter's scale, both ends included) per dimension.

    Returns ``(points (n_trials, d), u (n_trials, d))``: values and unit coordinates.
    """
    space = check_space(space)
    check_number("n_trials", n_trials, low=1, integer=True)
    d = len(space)
    k = int(round(n_trials ** (1 / d)))
    if k**d != n_trials:
        raise ValueError(f"a grid over {d} hyperparameter(s) needs n_trials = k**{d}; got {n_trials}")
    axis = np.linspace(0, 1, k) if k > 1 else np.array([0.5])
    u = np.stack([g.ravel() for g in np.meshgrid(*([axis] * d), indexing="ij")], axis=1)
    return to_points(space, u), u


def random_search(space, n_trials, rng):
    """``n_trials`` points drawn independently, uniform on each hyperparameter's scale.

    The first ``n`` trials of a larger search with the same seed are the search with ``n`` trials.
    Returns ``(points (n_trials, d), u (n_trials, d))``.
    """
    space = check_space(space)
    check_number("n_trials", n_trials, low=1, integer=True)
    u = check_rng(rng).random((n_trials, len(space)))
    return to_points(space, u), u


def round_sizes(n_trials, n_rounds):
    """``n_trials`` split over ``n_rounds`` as evenly as possible, earlier rounds taking the extra."""
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
        space = check_space(space)
        check_number("n_trials", n_trials, low=n_rounds, integer=True)
        jobs.append({"space": space, "sizes": round_sizes(n_trials, n_rounds), "rng": check_rng(rng),
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
            batch.append(to_points(job["space"], u))
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
        results.append({"points": to_points(job["space"], u), "u": u, "scores": np.concatenate(job["scores"]),
                        "round": np.concatenate(job["round"]), "boxes": np.array(job["boxes"])})
    return results


def best_so_far(scores):
    """The running minimum of ``scores``: the best trial after 1, 2, ... trials."""
    return np.minimum.accumulate(as_float_array("scores", scores, ndim=1))


W_MAX = 1e100
"""A trial whose weights leave ``|w| < W_MAX`` has diverged: it stops there, long before anything
could overflow, and scores ``inf``."""


class AdamObjective:
    """Score of one training run per trial, on a dev set: lower is better.

    The data: two standardized features ``x`` and ``y = w_true x + noise``, split 60/20/20 into
    train, dev and test (:func:`helpers.data.train_dev_test_split`), standardized with the training
    split's mean and deviation. Each trial trains ``y_hat = w x`` (two weights, squared error) on the
    *training* split from ``w = 0`` with mini-batch Adam (:func:`helpers.optim.adam`) for
    ``num_steps`` steps of ``mini_batch_size`` examples, and is scored on the *dev* split, which no
    trial trains on: ``log10((J_dev(w) - J_dev*) / (J_dev(0) - J_dev*))``, with ``J_dev`` averaged over
    the last quarter of the steps (a single last step would score the luck of the last mini-batch as
    much as the hyperparameters). ``J_dev*`` is the lowest dev cost any ``w`` could reach, a
    constant: subtracting it ranks the trials exactly as their dev cost does, and the log shows
    how far each is from that floor. No trial reaches it (they train on other data).

    All trials see the *same* sequence of mini-batches, so two trials differ only by their
    hyperparameters, and they train together as one stack: ``learning_rate``, ``beta1`` and
    ``epsilon`` are arrays of ``K`` values, one per trial, which :mod:`helpers.optim` broadcasts.
    Too small an ``alpha`` has not arrived after ``num_steps``; too large a one keeps jumping around
    the minimum by the mini-batch noise. A trial whose weights run beyond :data:`W_MAX` (an absurd
    ``alpha``) is stopped before anything overflows and scores ``inf``.

    Call it as ``objective(learning_rate, beta1=0.9, epsilon=1e-8)`` with arrays of ``K`` values (one
    trial each) and get ``(K,)`` scores; ``beta2`` is fixed at ``0.999``. Arrays of other shapes
    broadcast, and the scores take their shape: ``objective(alphas, epsilon=epsilons[:, None])``
    scores every pair, one row per epsilon, as one stack of trials.
    """

    def __init__(self, num_steps=200, mini_batch_size=16, beta2=0.999, m=500, noise=1.0, seed=0):
        check_number("num_steps", num_steps, low=1, integer=True)
        check_number("mini_batch_size", mini_batch_size, low=1, integer=True)
        check_number("beta2", beta2, low=0, high=1, high_open=True)
        check_number("m", m, low=10, integer=True)
        check_number("noise", noise, low=0, low_open=True)
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((2, m))
        y = np.array([[1.5, -1.0]]) @ X + noise * rng.standard_normal((1, m))
        (X_train, y_train), (X_dev, y_dev), (X_test, y_test) = data.train_dev_test_split(X, y, (0.6, 0.2, 0.2), seed=seed)
        mu, sigma = data.fit_standardizer(X_train)
        self.X, self.y = data.standardize(X_train, mu, sigma), y_train
        self.X_dev, self.y_dev = data.standardize(X_dev, mu, sigma), y_dev
        self.X_test, self.y_test = data.standardize(X_test, mu, sigma), y_test
        # J_dev(w) = 1/2 w H w^T - w g + c exactly (a quadratic), so the tail costs no pass over X_dev.
        m_dev = self.X_dev.shape[1]
        self.H_dev = self.X_dev @ self.X_dev.T / m_dev
        self.g_dev = (self.X_dev @ self.y_dev.T / m_dev).ravel()
        self.c_dev = float(np.sum(self.y_dev**2) / (2 * m_dev))
        self.J0_dev = self.c_dev
        # The lowest dev cost any w could reach (a constant: it shifts every trial's cost alike)
        w_best = np.linalg.solve(self.H_dev, self.g_dev)[None, :]
        self.J_dev_star = float(self.dev_cost(w_best)[0])
        self.num_steps, self.mini_batch_size, self.beta2 = num_steps, mini_batch_size, beta2
        self.tail_steps = max(1, num_steps // 4)
        self.batches = np.random.default_rng(seed + 1).integers(0, self.X.shape[1], size=(num_steps, mini_batch_size))
        self.X_batches = np.moveaxis(self.X[:, self.batches], 0, 1)  # (num_steps, 2, mini_batch_size)
        self.y_batches = np.moveaxis(self.y[:, self.batches], 0, 1)
        self.H_batches = self.X_batches @ np.swapaxes(self.X_batches, 1, 2) / mini_batch_size  # (num_steps, 2, 2)
        self.g_batches = (self.y_batches @ np.swapaxes(self.X_batches, 1, 2) / mini_batch_size)[:, 0]  # (num_steps, 2)

    def dev_cost(self, w):
        """``J_dev(w) = 1/(2 m_dev) ||w X_dev - y_dev||^2`` for ``w`` ``(K, 2)``: ``(K,)`` costs."""
        w = as_float_array("w", w, ndim=2)
        return 0.5 * np.sum((w @ self.H_dev) * w, axis=1) - w @ self.g_dev + self.c_dev

    def __call__(self, learning_rate, beta1=0.9, epsilon=1e-8):
        values = [as_float_array(name, value) for name, value in
                  (("learning_rate", learning_rate), ("beta1", beta1), ("epsilon", epsilon))]
        try:
            shape = np.broadcast_shapes(*(v.shape for v in values))
        except ValueError:
            raise error("learning_rate, beta1, epsilon", f"shapes {[v.shape for v in values]}",
                        "the same length, single numbers, or shapes that broadcast",
                        "objective(alphas, epsilon=epsilons[:, None]) for every pair") from None
        K = int(np.prod(shape))
        alpha, beta1, epsilon = (np.broadcast_to(v, shape).reshape(K).copy() for v in values)
        # helpers.optim checks every element (alpha > 0, beta1 in [0, 1), epsilon > 0) and names the first bad one
        adam = optim.adam(learning_rate=alpha, beta1=beta1, beta2=self.beta2, epsilon=epsilon)
        with blas.single_thread():  # tiny products: one BLAS thread is faster on a busy machine
            return self.train(adam, K).reshape(shape)

    def train(self, optimizer, K):
        """Train ``K`` trials with ``optimizer`` (from :mod:`helpers.optim`, its hyperparameters
        arrays of ``K``) on the fixed mini-batches and return their ``(K,)`` dev scores."""
        params = {"w": np.zeros((K, 2))}
        state = optimizer.init(params)
        diverged = np.zeros(K, dtype=bool)
        tail = np.zeros(K)
        first_tail = self.num_steps - self.tail_steps
        for t in range(self.num_steps):
            w = params["w"]
            # the mini-batch gradient (w X_t - y_t) X_t^T / B, as w (X_t X_t^T / B) - y_t X_t^T / B: two
            # numbers per trial, whatever the batch size (the 2x2 and 1x2 products are made once, in __init__)
            dw = w @ self.H_batches[t] - self.g_batches[t]
            params, state = optimizer.update(params, {"dw": dw}, state)
            if not np.abs(params["w"]).max() < W_MAX:  # some trials ran away: stop them where they are
                diverged |= ~(np.abs(params["w"]).max(axis=1) < W_MAX)
                params = {"w": np.where(diverged[:, None], w, params["w"])}
            if t >= first_tail:  # dev_cost without its input check: this loop runs thousands of times
                w = params["w"]
                tail += 0.5 * np.sum((w @ self.H_dev) * w, axis=1) - w @ self.g_dev + self.c_dev
        gap = (tail / self.tail_steps - self.J_dev_star) / (self.J0_dev - self.J_dev_star)
        scores = np.log10(np.maximum(gap, 1e-300))
        return np.where(diverged, np.inf, scores)

    def on(self, space):
        """``score(points)`` for points ``(n, d)`` of ``space``, whose hyperparameters are named from
        ``"alpha"``, ``"beta1"`` and ``"epsilon"`` (the others keep their defaults): ``(n,)`` scores.
        A stack of searches ``(s, n, d)`` trains as one stack and gets ``(s, n)`` scores."""
        space = check_space(space)
        names = [hp.name for hp in space]
        unknown = set(names) - {"alpha", "beta1", "epsilon"}
        if unknown:
            raise error("space", f"hyperparameters {sorted(unknown)}", "names among alpha, beta1 and epsilon")

        def score(points):
            points = as_float_array("points", points)
            if points.ndim < 2 or points.shape[-1] != len(names):
                raise error("points", f"shape {points.shape}", f"(n, {len(names)}): one column per hyperparameter {names}")
            values = dict(zip(names, np.moveaxis(points, -1, 0)))
            return self(values.get("alpha", 0.01), values.get("beta1", 0.9), values.get("epsilon", 1e-8))

        return score


# ---------------------------------------------------------------- exercises


def _expect_rng_used(sample_fn, low, high, size, seed, first):
    """The samples come from the generator given: the same seed gives the same values, and a second
    draw from the same generator gives new ones."""
    rng = np.random.default_rng(seed)
    again = exercises.expect_array("the samples", exercises.call(sample_fn, low, high, size, rng))
    if not np.array_equal(first, again):
        raise exercises.Mistake("two calls with the same seed gave different values: draw from the rng you are given")
    follow = exercises.expect_array("the samples", exercises.call(sample_fn, low, high, size, rng))
    if np.array_equal(follow, again):
        raise exercises.Mistake("two calls with the same generator gave the same values: draw from the rng you are "
                                "given, not from a generator of your own")


@exercises.checker("sampling on a log scale")
def check_sample_log_uniform(sample_fn, seed=0):
    """Check a learner's ``sample_fn(low, high, size, rng)`` against log-uniform sampling on
    ``[1e-4, 1]``: shape, seeding, range, a quarter of the samples per decade. Returns a
    :class:`helpers.exercises.Result`."""
    low, high, size = 1e-4, 1.0, 4000
    first = exercises.expect_shape("the samples", exercises.call(sample_fn, low, high, size, np.random.default_rng(seed)),
                                   (size,))
    _expect_rng_used(sample_fn, low, high, size, seed, first)
    if np.all(np.isfinite(first)) and first.max() < 0:
        raise exercises.Mistake(f"the samples are negative, [{first.min():.3g}, {first.max():.3g}]: that is the exponent r; "
                                "return 10**r")
    if not np.all(np.isfinite(first)) or first.min() < low or first.max() > high:
        raise exercises.Mistake(f"values must lie in [{low:g}, {high:g}]; got [{np.nanmin(first):.3g}, {np.nanmax(first):.3g}]"
                                " (mixing log10 and the natural log / exp does that)")
    decades = np.histogram(np.log10(first), bins=np.arange(-4, 0.5))[0] / size
    if decades[0] == 0 and first.min() > 10 * low:
        raise exercises.Mistake(f"no sample below {first.min():.3g}: the values span [{first.min():.3g}, {first.max():.3g}] "
                                f"instead of [{low:g}, {high:g}]. r is a base-10 exponent: return 10**r (np.exp(r) is base e)")
    if decades[0] < 0.15:
        raise exercises.Mistake(f"only {100 * decades[0]:.1f}% of the samples fall in [1e-4, 1e-3] and "
                                f"{100 * decades[-1]:.1f}% in [0.1, 1]: this is uniform on a linear scale. "
                                "Draw r uniform in [log10(low), log10(high)] and return 10**r")
    if np.abs(decades - 0.25).max() > 0.05:
        raise exercises.Mistake(f"each of the 4 decades should get about 25% of the samples; got "
                                f"{np.round(100 * decades).astype(int).tolist()}%")
    other = exercises.expect_shape("the samples", exercises.call(sample_fn, 1e-6, 1e-2, size, np.random.default_rng(seed)),
                                   (size,))
    if not (np.all(np.isfinite(other)) and other.min() >= 1e-6 and other.max() <= 1e-2):
        raise exercises.Mistake(f"with low=1e-6, high=1e-2 the values span [{np.nanmin(other):.3g}, {np.nanmax(other):.3g}]: "
                                "compute the exponents' range from low and high, not fixed numbers")
    return "each decade of [1e-4, 1] gets about a quarter of the samples, other ranges too"


@exercises.checker("sampling beta through 1 - beta on a log scale")
def check_sample_beta(sample_fn, seed=0):
    """Check a learner's ``sample_fn(low, high, size, rng)`` for ``beta`` in ``[0.9, 0.999]`` with
    ``1 - beta`` log-uniform: half of the samples must give a window ``1/(1 - beta)`` above 100
    steps, and ``1 - beta`` must spread evenly over its two decades. Returns a
    :class:`helpers.exercises.Result`."""
    low, high, size = 0.9, 0.999, 4000
    first = exercises.expect_shape("the samples", exercises.call(sample_fn, low, high, size, np.random.default_rng(seed)),
                                   (size,))
    _expect_rng_used(sample_fn, low, high, size, seed, first)
    if not np.all(np.isfinite(first)):
        raise exercises.Mistake("the samples hold NaN or inf")
    if np.all((first >= 1 - high - 1e-12) & (first <= 1 - low + 1e-12)):
        raise exercises.Mistake(f"the samples lie in [{1 - high:.3g}, {1 - low:.3g}]: that is 1 - beta; return beta = 1 - 10**r")
    if first.min() < low or first.max() > high:
        raise exercises.Mistake(f"values must lie in [{low:g}, {high:g}]; got [{first.min():.4g}, {first.max():.4g}]")
    long_window = np.mean(first > 0.99)
    if long_window < 0.35:
        raise exercises.Mistake(f"only {100 * long_window:.0f}% of the samples have beta > 0.99 (a window over 100 steps); "
                                "sampling beta uniformly gives about 9%. Draw r uniform in [log10(1 - high), "
                                "log10(1 - low)] = [-3, -1] and return 1 - 10**r")
    decades = np.histogram(np.log10(1 - first), bins=[-3, -2, -1])[0] / size
    if np.abs(decades - 0.5).max() > 0.05:
        raise exercises.Mistake(f"1 - beta should put half of the samples in each decade, [1e-3, 1e-2] and [1e-2, 1e-1]; "
                                f"got {np.round(100 * decades).astype(int).tolist()}%")
    other = exercises.expect_shape("the samples", exercises.call(sample_fn, 0.5, 0.99, size, np.random.default_rng(seed)),
                                   (size,))
    if not (np.all(np.isfinite(other)) and other.min() >= 0.5 and other.max() <= 0.99):
        raise exercises.Mistake(f"with low=0.5, high=0.99 the values span [{np.nanmin(other):.4g}, {np.nanmax(other):.4g}]: "
                                "compute the exponents' range from low and high, not fixed numbers")
    return "1 - beta is log-uniform: half of the trials average over more than 100 steps, other ranges too"


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
    space = check_space(space)
    if len(space) != 2:
        raise ValueError(f"landscape draws two hyperparameters; got {len(space)}")
    u0, u1 = np.linspace(0, 1, n[0]), np.linspace(0, 1, n[1])
    g0, g1 = np.meshgrid(u0, u1)
    u = np.stack([g0.ravel(), g1.ravel()], axis=1)
    scores = np.asarray(objective.on(space)(to_points(space, u))).reshape(g0.shape)
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


# ---------------------------------------------------------------- a search over a real network


def digits_splits(seed=0):
    """The 8x8 digits split 60/20/20 into train, dev and test, pixels standardized with the training
    split's statistics (constant pixels keep a deviation of 1). Returns
    ``{"train": (X, Y), "dev": (X, Y), "test": (X, Y)}`` with ``X`` ``(64, m)`` and one-hot ``Y`` ``(10, m)``."""
    X, y = data.load_digits()
    (X_train, y_train), (X_dev, y_dev), (X_test, y_test) = data.train_dev_test_split(X, y, (0.6, 0.2, 0.2), seed=seed)
    mu, sigma = data.fit_standardizer(X_train)
    return {name: (data.standardize(X_part, mu, sigma), data.one_hot(y_part, 10))
            for name, (X_part, y_part) in (("train", (X_train, y_train)), ("dev", (X_dev, y_dev)), ("test", (X_test, y_test)))}


def _check_splits(splits, parts=("train", "dev")):
    if not isinstance(splits, dict) or any(part not in splits for part in parts):
        raise error("splits", repr(sorted(splits)) if isinstance(splits, dict) else type(splits).__name__,
                    f"a dict with {', '.join(parts)}: (X, Y) pairs", "digits_splits()")
    for part in parts:
        if not isinstance(splits[part], (tuple, list)) or len(splits[part]) != 2:
            raise error(f"splits[{part!r}]", type(splits[part]).__name__, "an (X, Y) pair")
        check_X_Y(*splits[part])
    return splits


def network_space():
    """The search space of :func:`network_search`: the learning rate on a log scale, Adam's
    ``beta1`` through ``1 - beta1`` on a log scale, and two integers, the hidden units per layer
    (log scale) and the number of hidden layers."""
    return (Hyperparameter("alpha", 1e-4, 1e-1, "log"),
            Hyperparameter("beta1", 0.5, 0.99, "one_minus_log"),
            Hyperparameter("hidden_units", 4, 128, "log", integer=True),
            Hyperparameter("hidden_layers", 1, 3, "linear", integer=True))


def layer_dims_of(point, n_x=64, n_y=10):
    """``[n_x, units x layers, n_y]`` for a point ``(alpha, beta1, hidden_units, hidden_layers)``."""
    point = as_float_array("point", point, ndim=1)
    if point.shape != (4,):
        raise error("point", f"shape {point.shape}", "(4,): alpha, beta1, hidden_units, hidden_layers")
    units, layers_ = int(point[2]), int(point[3])
    if units != point[2] or layers_ != point[3] or units < 1 or layers_ < 1:
        raise error("point", f"hidden_units {point[2]:g} and hidden_layers {point[3]:g}", "positive whole numbers")
    return [n_x] + [units] * layers_ + [n_y]


def train_network(point, splits, num_epochs=8, mini_batch_size=64, seed=0):
    """Train the softmax network of one point of :func:`network_space` on ``splits["train"]``
    (mini-batch Adam, ``alpha`` and ``beta1`` from the point, He initialization, ReLU).

    Returns ``(params, history)`` of :func:`helpers.model.fit` (a run that diverges is flagged in
    ``history["diverged"]`` before its weights overflow matter).
    """
    X, Y = _check_splits(splits, ("train",))["train"]
    dims = layer_dims_of(point, X.shape[0], Y.shape[0])
    params = model.init_params(dims, init="he", seed=seed)
    adam = optim.adam(learning_rate=float(point[0]), beta1=float(point[1]))
    return model.fit(X, Y, params, adam, num_epochs=num_epochs, mini_batch_size=mini_batch_size, seed=seed)


def _accuracy(X, Y, params, history):
    if bool(np.any(history["diverged"])) or not all(np.all(np.isfinite(v)) for v in params.values()):
        return 0.0  # a diverged network is as good as guessing nothing right
    return float(model.accuracy(X, Y, params))


def network_search(space, points, splits, num_epochs=8, mini_batch_size=64, seed=0):
    """Train one network per row of ``points`` (values of ``space``, e.g. from :func:`random_search`)
    and score it on the dev split.

    Returns a dict with ``points``, ``dev_accuracy`` and ``train_accuracy`` ``(n,)``, ``params`` (the
    trained networks), ``best`` (index of the highest dev accuracy) and ``epochs`` (the compute:
    ``n * num_epochs`` epochs of training). The test split is not touched: evaluate the chosen
    network on it once, afterwards.
    """
    space = check_space(space)
    if [hp.name for hp in space] != [hp.name for hp in network_space()]:
        raise error("space", str([hp.name for hp in space]), str([hp.name for hp in network_space()]), "network_space()")
    _check_splits(splits)
    points = as_float_array("points", points, ndim=2)
    if points.shape[1] != 4 or points.shape[0] == 0:
        raise error("points", f"shape {points.shape}", "(n, 4) with n >= 1: one row per trial")
    trained, dev, train = [], [], []
    with blas.single_thread():  # small products (the scoring too): one BLAS thread halves the time on a busy machine
        for point in points:
            params, history = train_network(point, splits, num_epochs, mini_batch_size, seed)
            trained.append(params)
            dev.append(_accuracy(*splits["dev"], params, history))
            train.append(_accuracy(*splits["train"], params, history))
    dev = np.array(dev)
    return {"points": points, "dev_accuracy": dev, "train_accuracy": np.array(train), "params": trained,
            "best": int(np.argmax(dev)), "epochs": len(points) * num_epochs}


def babysit(point, splits, num_blocks=8, epochs_per_block=2, shrink=0.3, mini_batch_size=64, seed=0):
    """"Panda" tuning: one network, watched block by block and adjusted.

    Trains the network of ``point`` for ``epochs_per_block`` epochs at a time (each block restarts
    Adam's averages from the current weights). After each block it looks at the dev accuracy: when
    it went down, it goes back to the weights before the block and multiplies the learning rate by
    ``shrink``; otherwise it keeps the block. Returns a dict with ``dev_accuracy`` and
    ``learning_rate`` ``(num_blocks + 1,)`` (after each block, the start included), ``kept`` (which
    blocks were kept), ``params`` (the final network) and ``epochs`` (the compute, ``num_blocks *
    epochs_per_block``).
    """
    check_number("num_blocks", num_blocks, low=1, integer=True)
    check_number("epochs_per_block", epochs_per_block, low=1, integer=True)
    check_number("shrink", shrink, low=0, high=1, low_open=True, high_open=True)
    X, Y = _check_splits(splits)["train"]
    params = model.init_params(layer_dims_of(point, X.shape[0], Y.shape[0]), init="he", seed=seed)
    alpha, beta1 = float(point[0]), float(point[1])
    with blas.single_thread():  # small products: one BLAS thread is faster on a busy machine
        dev = [float(model.accuracy(*splits["dev"], params))]
        rates, kept = [alpha], []
        for block in range(num_blocks):
            trial, history = model.fit(X, Y, params, optim.adam(learning_rate=alpha, beta1=beta1),
                                       num_epochs=epochs_per_block, mini_batch_size=mini_batch_size, seed=seed + block)
            accuracy = _accuracy(*splits["dev"], trial, history)
            if accuracy >= dev[-1]:
                params, keep = trial, True
            else:
                alpha, keep, accuracy = alpha * shrink, False, dev[-1]
            kept.append(keep)
            dev.append(accuracy)
            rates.append(alpha)
    return {"dev_accuracy": np.array(dev), "learning_rate": np.array(rates), "kept": np.array(kept),
            "params": params, "epochs": num_blocks * epochs_per_block}
