"""Chapter 1: diagnosing bias and variance from train and dev error.

``verdict`` turns (Bayes error, train error, dev error) into a diagnosis and the basic recipe's
next step; ``bayes_error`` computes the optimal error of the noisy two-moons problem exactly (up
to Monte Carlo error), so the live experiment can judge avoidable bias honestly; ``train_grid``
trains every network the live experiment and the two curves of the chapter need, stacked so that
networks of one size are trained together in one pass (see :mod:`helpers.model`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import data, exercises, model, optim, plots
from .exercises import Mistake
from .validate import as_float_array, check_number, check_X

__all__ = ["Diagnosis", "verdict", "CASES", "bayes_error", "bayes_error_from_proba", "bayes_proba", "Grid",
           "train_grid", "capacity_curve", "learning_curve", "selection_bias", "check_train_dev_test_split", "check_verdict",
           "check_bayes_error_from_proba"]

RECIPE = {
    "high bias": "bigger network, train longer (or another architecture)",
    "high variance": "more data, regularization (or another architecture)",
    "high bias and high variance": "fix the bias first (bigger network), then the variance (more data, regularization)",
    "low bias, low variance": "done: the model is as good as the data allows",
}


@dataclass(frozen=True)
class Diagnosis:
    """Avoidable bias (train - Bayes), variance (dev - train), the verdict and the next step."""

    avoidable_bias: float
    variance: float
    verdict: str
    advice: str

    def __str__(self):
        return (f"{self.verdict} (avoidable bias {100 * self.avoidable_bias:.1f} pts, "
                f"variance {100 * self.variance:.1f} pts): {self.advice}")


def verdict(bayes, train, dev, tolerance=0.02):
    """Diagnose from error rates in [0, 1].

    Avoidable bias is ``train - bayes``, variance is ``dev - train``; each counts as *high* when it
    exceeds ``tolerance`` (2 percentage points by default). A train error *below* the Bayes error
    (negative avoidable bias) is possible on a small training set: the network memorized its noise.

    >>> verdict(0.0, 0.01, 0.11).verdict
    'high variance'
    """
    for name, value in (("bayes", bayes), ("train", train), ("dev", dev)):
        check_number(name, value, low=0, high=1)
    check_number("tolerance", tolerance, low=0, high=1)
    bias, variance = train - bayes, dev - train
    high_bias, high_variance = bias > tolerance, variance > tolerance
    name = {(True, True): "high bias and high variance", (True, False): "high bias",
            (False, True): "high variance", (False, False): "low bias, low variance"}[(high_bias, high_variance)]
    return Diagnosis(bias, variance, name, RECIPE[name])


def _arcs(n=120):
    t = np.linspace(0, np.pi, n)
    outer = np.vstack([np.cos(t), np.sin(t)])
    inner = np.vstack([1 - np.cos(t), 1 - np.sin(t) - 0.5])
    return outer, inner


def bayes_proba(X, noise, label_noise=0.0):
    """``P(y = 1 | x)`` for :func:`helpers.data.make_noisy` (two moons, Gaussian noise, flipped labels).

    Each class is a uniform mixture of Gaussians of std ``noise`` centred on its arc, so the
    posterior is a ratio of two such mixtures; flipping a fraction ``f`` of labels turns ``p`` into
    ``(1 - f) p + f (1 - p)``.
    """
    X = check_X(X, n_x=2)
    check_number("noise", noise, low=0, low_open=True)
    check_number("label_noise", label_noise, low=0, high=0.5)
    outer, inner = _arcs()

    def log_density(arc):
        # Squared distances (n_arc, m) as |a|^2 + |x|^2 - 2 a.x: one small product instead of an
        # (2, n_arc, m) difference array; clipped at 0 where rounding makes a tiny distance negative.
        d2 = np.maximum((arc**2).sum(axis=0)[:, None] + (X**2).sum(axis=0)[None, :] - 2 * (arc.T @ X), 0.0)
        a = -d2 / (2 * noise**2)
        top = a.max(axis=0)
        return top + np.log(np.exp(a - top).mean(axis=0))

    p1 = 1.0 / (1.0 + np.exp(np.clip(log_density(outer) - log_density(inner), -700, 700)))
    return ((1 - label_noise) * p1 + label_noise * (1 - p1)).reshape(1, -1)


def bayes_error_from_proba(p):
    """The Bayes error from the true posterior ``p = P(y=1 | x)`` at examples ``x`` drawn from the data.

    The best possible classifier predicts 1 where ``p > 0.5``; at ``x`` it is wrong with probability
    ``min(p, 1 - p)``. Its error is the mean of that over the examples.
    """
    p = as_float_array("p", p)
    if p.size == 0 or np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"p must be a non-empty array of probabilities in [0, 1]; got {p.size} value(s)"
                         + (f" in [{p.min():.3g}, {p.max():.3g}]" if p.size else ""))
    return float(np.mean(np.minimum(p, 1 - p)))


def bayes_error(noise, label_noise=0.0, m=4000, seed=0):
    """The lowest error any classifier can reach on :func:`helpers.data.make_noisy` data,
    estimated on ``m`` fresh examples by :func:`bayes_error_from_proba`."""
    check_number("m", m, low=1, integer=True)
    X, _ = data.make_moons(m, noise, seed=seed + 12345)
    return bayes_error_from_proba(bayes_proba(X, noise, label_noise))


@dataclass
class Grid:
    """Trained networks of :func:`train_grid`, indexed by ``(noise, m, hidden_units, lambd)``.

    A lazy grid (``train_grid(lazy=True)``) trains the networks of one ``(noise, m, hidden_units)``
    the first time one of them is asked for, and keeps them; ``results`` holds those trained so far.
    """

    hidden_units: tuple
    lambdas: tuple
    train_sizes: tuple
    noises: tuple
    label_noise: float
    extent: tuple
    points: dict = field(default_factory=dict)  # noise -> (X_pool, Y_pool, X_dev, Y_dev)
    results: dict = field(default_factory=dict)  # key -> dict(train_error, dev_error, proba, weight_norm)
    bayes: dict = field(default_factory=dict)  # noise -> Bayes error
    bayes_proba: dict = field(default_factory=dict)  # noise -> Bayes-optimal P(y=1) on the plot grid
    training: dict = field(default_factory=dict, repr=False)  # how to train a missing stack: train_grid's settings

    def __getitem__(self, key):
        if key not in self.results:
            try:
                noise, m, h, lambd = key
                known = noise in self.noises and m in self.train_sizes and h in self.hidden_units and lambd in self.lambdas
            except (TypeError, ValueError):
                known = False
            if not known:
                raise ValueError(f"no network trained for {key!r}; keys are (noise, m, hidden_units, lambd) with values "
                                 f"from {self._axes()}")
            self.train_stack(noise, m, h)
        return self.results[key]

    def train_stack(self, noise, m, h):
        """Train the networks of ``(noise, m, h)``, one per ``lambd``, as one stack (see :func:`train_grid`)."""
        try:
            known = noise in self.noises and m in self.train_sizes and h in self.hidden_units
        except (TypeError, ValueError):
            known = False
        if not known:
            raise ValueError(f"(noise, m, h): got {(noise, m, h)!r}, expected values from {self._axes()}")
        t = self.training
        X_pool, Y_pool, X_dev, Y_dev = self.points[noise]
        X, Y = X_pool[:, :m], Y_pool[:, :m]
        init = model.init_params([2, h, 1], seed=t["seed"] + h)
        stack = model.stack_params([init] * len(self.lambdas))
        trained, _ = model.fit(X, Y, stack, optim.adam(t["learning_rate"]), num_epochs=t["num_epochs"],
                               lambd=np.array(self.lambdas, dtype=float))
        train_error = 1 - model.accuracy(X, Y, trained)
        dev_error = 1 - model.accuracy(X_dev, Y_dev, trained)
        proba = model.predict_proba(t["grid_points"], trained)[:, 0, :].astype(np.float32)
        norms = model.weight_norm(trained)
        for k, lam in enumerate(self.lambdas):
            self.results[(noise, m, h, lam)] = {"train_error": float(train_error[k]), "dev_error": float(dev_error[k]),
                                                "proba": proba[k], "weight_norm": float(norms[k])}

    def _axes(self):
        return (f"noises {self.noises}, train_sizes {self.train_sizes}, hidden_units {self.hidden_units}, "
                f"lambdas {self.lambdas}")


def train_grid(hidden_units=(1, 4, 16, 64), lambdas=(0.0, 0.1, 0.5, 3.0), train_sizes=(30, 100, 300),
               noises=(0.1, 0.25, 0.4), label_noise=0.05, dev_size=2000, num_epochs=150,
               learning_rate=0.08, grid_n=80, seed=0, progress=False, lazy=False):
    """Train a ``[2, h, 1]`` ReLU network with Adam for every combination of the arguments.

    The training sets of one noise level are nested (the first ``m`` examples of one pool), and
    all of them are judged on the same dev set of ``dev_size`` examples from the same distribution
    (2,000 by default: a dev error is then known to about 1 percentage point).
    The networks of one ``(noise, m, h)`` share their initialization and differ only in ``lambd``;
    they are trained together as one stack. With ``lazy=True`` a stack is trained only when one of its
    networks is first asked for (``grid[key]``): the same networks, trained on demand.
    """
    for name, values in (("hidden_units", hidden_units), ("train_sizes", train_sizes)):
        if not all(isinstance(v, (int, np.integer)) and v >= 1 for v in values):
            raise ValueError(f"{name} must be positive integers; got {values!r}")
    if any(l < 0 for l in lambdas):
        raise ValueError(f"lambdas must be >= 0; got {lambdas!r}")
    extent_points = np.array([[-1.7, 2.7], [-1.3, 1.8]])
    grid_points, extent = plots.decision_grid(extent_points, n=grid_n, pad=0.0)
    check_number("num_epochs", num_epochs, low=1, integer=True)
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    grid = Grid(tuple(hidden_units), tuple(lambdas), tuple(train_sizes), tuple(noises), label_noise, extent,
                training={"seed": seed, "learning_rate": learning_rate, "num_epochs": num_epochs,
                          "grid_points": grid_points})
    jobs = [(noise, m, h) for noise in noises for m in train_sizes for h in hidden_units]
    if progress and not lazy:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="training the grid", leave=False)
    for noise in noises:
        X_pool, Y_pool = data.make_noisy(max(train_sizes), noise, label_noise, seed=seed)
        X_dev, Y_dev = data.make_noisy(dev_size, noise, label_noise, seed=seed + 1000)
        grid.points[noise] = (X_pool, Y_pool, X_dev, Y_dev)
        grid.bayes[noise] = bayes_error(noise, label_noise)
        grid.bayes_proba[noise] = bayes_proba(grid_points, noise, label_noise)[0].astype(np.float32)
    if not lazy:
        for noise, m, h in jobs:
            grid.train_stack(noise, m, h)
    return grid


def _errors_per_seed(X, Y, X_dev, Y_dev, layer_dims, seeds, lambd, num_epochs, learning_rate):
    # One stack of networks, one initialization each: (train errors, dev errors), each of shape (S,).
    stack = model.stack_params([model.init_params(layer_dims, seed=s) for s in seeds])
    trained, _ = model.fit(X, Y, stack, optim.adam(learning_rate), num_epochs=num_epochs, lambd=lambd)
    return 1 - model.accuracy(X, Y, trained), 1 - model.accuracy(X_dev, Y_dev, trained)


def _check_curve_args(name, values, seeds, dev_size, num_epochs, learning_rate, lambd, noise, label_noise):
    if not values or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in values):
        raise ValueError(f"{name} must be a non-empty sequence of positive integers; got {values!r}")
    seeds = list(seeds)
    if not seeds or not all(isinstance(s, (int, np.integer)) and s >= 0 for s in seeds):
        raise ValueError(f"seeds must be a non-empty sequence of integers >= 0; got {seeds!r}")
    check_number("dev_size", dev_size, low=1, integer=True)
    check_number("num_epochs", num_epochs, low=1, integer=True)
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    check_number("lambd", lambd, low=0)
    check_number("noise", noise, low=0, low_open=True)
    check_number("label_noise", label_noise, low=0, high=0.5)
    return seeds


def capacity_curve(hidden_units=(1, 2, 4, 8, 16, 32, 64), m=100, noise=0.25, label_noise=0.05, lambd=0.0,
                   seeds=range(6), dev_size=5000, num_epochs=500, learning_rate=0.05, data_seed=0):
    """Train and dev error of ``[2, h, 1]`` networks against ``h``, one training set, several initializations.

    The training set (``m`` examples, drawn with ``data_seed``) is the same for every network; each
    ``h`` is trained from every initialization in ``seeds``; dev errors are measured on ``dev_size``
    fresh examples of the same distribution.

    Returns ``(hidden_units, train_errors, dev_errors)``: ``hidden_units`` of shape ``(H,)``, the errors
    of shape ``(S, H)``, one row per initialization (average over axis 0 for the curve; the spread
    over the rows is the uncertainty that comes from the initialization).
    """
    seeds = _check_curve_args("hidden_units", hidden_units, seeds, dev_size, num_epochs, learning_rate, lambd, noise,
                              label_noise)
    check_number("m", m, low=2, integer=True)
    X, Y = data.make_noisy(m, noise, label_noise, seed=data_seed)
    X_dev, Y_dev = data.make_noisy(dev_size, noise, label_noise, seed=data_seed + 1000)
    errors = [_errors_per_seed(X, Y, X_dev, Y_dev, [2, h, 1], seeds, lambd, num_epochs, learning_rate)
              for h in hidden_units]
    train, dev = (np.stack(e, axis=1) for e in zip(*errors))
    return np.array(hidden_units), train, dev


def learning_curve(train_sizes=(20, 40, 80, 160, 320, 640), hidden_units=16, noise=0.25, label_noise=0.05,
                   lambd=0.0, seeds=range(3), dev_size=5000, num_epochs=150, learning_rate=0.05, data_seed=0):
    """Train and dev error of one ``[2, h, 1]`` network against the training-set size ``m``.

    The training sets are nested (the first ``m`` of one pool). Returns ``(sizes, train, dev)``, the
    errors of shape ``(S, len(train_sizes))``, one row per initialization in ``seeds``.
    """
    seeds = _check_curve_args("train_sizes", train_sizes, seeds, dev_size, num_epochs, learning_rate, lambd, noise,
                              label_noise)
    check_number("hidden_units", hidden_units, low=1, integer=True)
    X_pool, Y_pool = data.make_noisy(max(train_sizes), noise, label_noise, seed=data_seed)
    X_dev, Y_dev = data.make_noisy(dev_size, noise, label_noise, seed=data_seed + 1000)
    errors = [_errors_per_seed(X_pool[:, :m], Y_pool[:, :m], X_dev, Y_dev, [2, hidden_units, 1], seeds, lambd,
                               num_epochs, learning_rate) for m in train_sizes]
    train, dev = (np.stack(e, axis=1) for e in zip(*errors))
    return np.array(train_sizes), train, dev


def selection_bias(hidden_units=(2, 4, 8, 16, 32, 64), seeds=range(3), m=100, noise=0.25, label_noise=0.05,
                   dev_size=200, test_size=10_000, n_splits=200, num_epochs=150, learning_rate=0.05, data_seed=0,
                   split_seed=0):
    """Pick the best of several networks on a dev set, then measure the winner on a test set.

    ``[2, h, 1]`` networks, one per ``h`` in ``hidden_units`` and initialization in ``seeds``, are
    trained on one training set of ``m`` examples. A pool of ``dev_size + test_size`` fresh examples
    is then split ``n_splits`` times at random into a dev set and a test set; each time the network
    with the lowest dev error is chosen, and its dev error and its test error are recorded.

    Returns a dict of arrays: ``dev_error`` and ``test_error`` (the winner's, one per split) and
    ``pool_error`` (every network's error on the whole pool, the best estimate of its true error).
    """
    seeds = _check_curve_args("hidden_units", hidden_units, seeds, dev_size, num_epochs, learning_rate, 0.0, noise,
                              label_noise)
    check_number("m", m, low=2, integer=True)
    check_number("test_size", test_size, low=1, integer=True)
    check_number("n_splits", n_splits, low=1, integer=True)
    check_number("split_seed", split_seed, low=0, integer=True)
    X, Y = data.make_noisy(m, noise, label_noise, seed=data_seed)
    X_pool, Y_pool = data.make_noisy(dev_size + test_size, noise, label_noise, seed=data_seed + 2000)
    wrong = []  # (networks, pool): True where a network misclassifies a pool example
    for h in hidden_units:
        stack = model.stack_params([model.init_params([2, h, 1], seed=s) for s in seeds])
        trained, _ = model.fit(X, Y, stack, optim.adam(learning_rate), num_epochs=num_epochs)
        wrong.append(model.predict(X_pool, trained)[:, 0, :] != Y_pool)
    wrong = np.concatenate(wrong)
    rng = np.random.default_rng(split_seed)
    dev_error, test_error = np.empty(n_splits), np.empty(n_splits)
    for i in range(n_splits):
        order = rng.permutation(wrong.shape[1])
        dev, test = order[:dev_size], order[dev_size:]
        errors = wrong[:, dev].mean(axis=1)
        winner = int(np.argmin(errors))
        dev_error[i], test_error[i] = errors[winner], wrong[winner, test].mean()
    return {"dev_error": dev_error, "test_error": test_error, "pool_error": wrong.mean(axis=1)}


CASES = [
    # (bayes, train, dev, verdict): the five cases of the chapter
    (0.00, 0.01, 0.11, "high variance"),
    (0.00, 0.15, 0.16, "high bias"),
    (0.00, 0.15, 0.30, "high bias and high variance"),
    (0.00, 0.005, 0.01, "low bias, low variance"),
    (0.15, 0.15, 0.16, "low bias, low variance"),
]


# ---------------------------------------------------------------- exercises


@exercises.checker("train_dev_test_split")
def check_train_dev_test_split(attempt):
    """Compare ``attempt(X, Y, fractions, seed)`` with :func:`helpers.data.train_dev_test_split`."""
    m = 47  # fractions of 47 are not whole numbers: the sizes must come from data.split_sizes
    X = np.vstack([np.arange(m, dtype=float), np.arange(m, dtype=float) * 10])  # column i holds (i, 10 i)
    Y = (np.arange(m) % 3 == 0).astype(float).reshape(1, -1)
    for fractions, seed in (((0.6, 0.2, 0.2), 0), ((0.7, 0.3), 5)):
        got = exercises.call(attempt, X, Y, fractions, seed)
        expected = data.train_dev_test_split(X, Y, fractions, seed)
        names = ["train", "dev", "test"][: len(expected)]
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            raise Mistake(f"return one (X_part, Y_part) pair per fraction: {len(expected)} for {fractions}; got "
                          f"{len(got) if isinstance(got, (list, tuple)) else type(got).__name__}")
        for name, part, (X_part, Y_part) in zip(names, got, expected):
            if not isinstance(part, (list, tuple)) or len(part) != 2:
                raise Mistake(f"the {name} part must be a pair (X_{name}, Y_{name})")
            X_got = exercises.expect_array(f"X_{name}", part[0])
            Y_got = exercises.expect_array(f"Y_{name}", part[1])
            if X_got.ndim != 2 or X_got.shape[0] != 2:
                raise Mistake(f"X_{name} has shape {X_got.shape}: the examples are the columns of X, (n_x, m); "
                              f"cut columns, X[:, idx]")
            if X_got.shape != X_part.shape:
                raise Mistake(f"X_{name} has {X_got.shape[1]} examples, expected {X_part.shape[1]} for fractions "
                              f"{fractions} of m = {m} (data.split_sizes gives the sizes)")
            if Y_got.shape != Y_part.shape:
                raise Mistake(f"Y_{name} has shape {Y_got.shape}, expected {Y_part.shape}")
            if not np.array_equal(Y_got, Y[:, X_got[0].astype(int)]):
                raise Mistake(f"the labels of the {name} part do not belong to its examples: shuffle X and Y with "
                              f"the same permutation of the columns")
            if not np.array_equal(X_got, X_part):
                if np.all(np.diff(X_got[0]) > 0):
                    raise Mistake(f"the {name} part keeps the original order of the examples: shuffle the columns "
                                  f"first (np.random.default_rng(seed).permutation(m))")
                raise Mistake(f"the {name} part holds other examples than the reference's: take order = "
                              f"np.random.default_rng(seed).permutation(m), then cut order into consecutive parts "
                              f"of sizes data.split_sizes(m, fractions), train first")
    return "one permutation of the columns for X and Y, cut into parts of data.split_sizes"


@exercises.checker("verdict")
def check_verdict(attempt):
    """Compare ``attempt(bayes, train, dev) -> str`` with :func:`verdict` on the chapter's five cases and more."""
    # The last case sits exactly on the tolerance (0.02 and 0.04 - 0.02 are exact in binary): not high.
    cases = CASES + [(0.05, 0.06, 0.30, "high variance"), (0.02, 0.20, 0.21, "high bias"),
                     (0.10, 0.30, 0.45, "high bias and high variance"), (0.0, 0.02, 0.04, "low bias, low variance")]
    for bayes, train, dev, expected in cases:
        got = exercises.call(attempt, bayes, train, dev)
        if isinstance(got, Diagnosis):
            raise Mistake(f"return the verdict's string, e.g. {got.verdict!r}, not a Diagnosis (its .verdict)")
        if got != expected:
            d = verdict(bayes, train, dev)
            why = "each is high above 2%"
            if d.avoidable_bias == 0.02 or d.variance == 0.02:
                why = "each is high only strictly above 2% (train - bayes > 0.02): exactly 2% is not high"
            elif got == "low bias, low variance" and max(d.avoidable_bias, d.variance) > 0.02:
                why += "; the error rates are fractions in [0, 1], so 2 percentage points is 0.02, not 2"
            raise Mistake(f"bayes={bayes:.1%}, train={train:.1%}, dev={dev:.1%}: expected {expected!r}, got {got!r}. "
                          f"Avoidable bias = train - bayes = {d.avoidable_bias:.1%}, variance = dev - train = "
                          f"{d.variance:.1%}; {why}.")
    return f"all {len(cases)} cases agree"


@exercises.checker("bayes_error_from_proba")
def check_bayes_error_from_proba(attempt):
    """Compare ``attempt(p)`` with :func:`bayes_error_from_proba` on posteriors that tell mistakes apart."""
    rng = np.random.default_rng(0)
    for p in (np.array([[0.1, 0.2, 0.7, 0.95, 0.5, 0.6]]), rng.uniform(0, 1, (1, 40))):
        got = exercises.call(attempt, p.copy())
        expected = bayes_error_from_proba(p)
        if np.ndim(got) != 0 and np.size(got) != 1:
            raise Mistake(f"return one number (the mean over the examples); got an array of shape {np.shape(got)}")
        got = float(exercises.expect_array("the Bayes error", got).reshape(()))
        if np.isclose(got, expected):
            continue
        if np.isclose(got, 1 - expected):
            raise Mistake("this is the Bayes classifier's accuracy, mean(max(p, 1 - p)); its error is "
                          "mean(min(p, 1 - p))")
        if np.isclose(got, np.mean(p < 0.5)) or np.isclose(got, np.mean(p > 0.5)):
            raise Mistake("this counts the examples on one side of 0.5; at each x the best classifier is still "
                          "wrong with probability min(p, 1 - p): average that")
        if np.isclose(got, np.sum(np.minimum(p, 1 - p))):
            raise Mistake("this is the sum over the examples: divide by m (take the mean)")
        raise Mistake(f"got {got:.4g}, expected {expected:.4g} = mean(min(p, 1 - p))")
    return "the mean over the examples of min(p, 1 - p)"
