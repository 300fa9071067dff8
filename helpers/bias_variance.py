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

from . import data, model, optim, plots
from .validate import as_float_array, check_number

__all__ = ["Diagnosis", "verdict", "check_verdict", "CASES", "bayes_error", "bayes_proba", "Grid", "train_grid",
           "capacity_curve", "learning_curve"]

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
    X = as_float_array("X", X, ndim=2)
    check_number("noise", noise, low=0, low_open=True)
    check_number("label_noise", label_noise, low=0, high=0.5)
    outer, inner = _arcs()

    def log_density(arc):
        d2 = ((X[:, None, :] - arc[:, :, None]) ** 2).sum(axis=0)  # (n_arc, m)
        a = -d2 / (2 * noise**2)
        top = a.max(axis=0)
        return top + np.log(np.exp(a - top).mean(axis=0))

    p1 = 1.0 / (1.0 + np.exp(np.clip(log_density(outer) - log_density(inner), -700, 700)))
    return ((1 - label_noise) * p1 + label_noise * (1 - p1)).reshape(1, -1)


def bayes_error(noise, label_noise=0.0, m=4000, seed=0):
    """The lowest error any classifier can reach on :func:`helpers.data.make_noisy` data,
    estimated on ``m`` fresh examples as ``mean(min(p, 1 - p))``."""
    X, _ = data.make_moons(m, noise, seed=seed + 12345)
    p = bayes_proba(X, noise, label_noise)
    return float(np.mean(np.minimum(p, 1 - p)))


@dataclass
class Grid:
    """Trained networks of :func:`train_grid`, indexed by ``(noise, m, hidden_units, lambd)``."""

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

    def __getitem__(self, key):
        return self.results[key]


def train_grid(hidden_units=(1, 4, 16, 64), lambdas=(0.0, 0.1, 0.5, 3.0), train_sizes=(30, 100, 300),
               noises=(0.1, 0.25, 0.4), label_noise=0.05, dev_size=400, num_epochs=150,
               learning_rate=0.08, grid_n=120, seed=0, progress=False):
    """Train a ``[2, h, 1]`` ReLU network with Adam for every combination of the arguments.

    The training sets of one noise level are nested (the first ``m`` examples of one pool), and
    all of them are judged on the same dev set of ``dev_size`` examples from the same distribution.
    The networks of one ``(noise, m, h)`` share their initialization and differ only in ``lambd``;
    they are trained together as one stack.
    """
    for name, values in (("hidden_units", hidden_units), ("train_sizes", train_sizes)):
        if not all(isinstance(v, (int, np.integer)) and v >= 1 for v in values):
            raise ValueError(f"{name} must be positive integers; got {values!r}")
    if any(l < 0 for l in lambdas):
        raise ValueError(f"lambdas must be >= 0; got {lambdas!r}")
    extent_points = np.array([[-1.7, 2.7], [-1.3, 1.8]])
    grid_points, extent = plots.decision_grid(extent_points, n=grid_n, pad=0.0)
    grid = Grid(tuple(hidden_units), tuple(lambdas), tuple(train_sizes), tuple(noises), label_noise, extent)
    lambd = np.array(lambdas, dtype=float)
    jobs = [(noise, m, h) for noise in noises for m in train_sizes for h in hidden_units]
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="training the grid", leave=False)
    for noise in noises:
        X_pool, Y_pool = data.make_noisy(max(train_sizes), noise, label_noise, seed=seed)
        X_dev, Y_dev = data.make_noisy(dev_size, noise, label_noise, seed=seed + 1000)
        grid.points[noise] = (X_pool, Y_pool, X_dev, Y_dev)
        grid.bayes[noise] = bayes_error(noise, label_noise)
        grid.bayes_proba[noise] = bayes_proba(grid_points, noise, label_noise)[0].astype(np.float32)
    for noise, m, h in jobs:
        X_pool, Y_pool, X_dev, Y_dev = grid.points[noise]
        X, Y = X_pool[:, :m], Y_pool[:, :m]
        init = model.init_params([2, h, 1], seed=seed + h)
        stack = model.stack_params([init] * len(lambdas))
        trained, _ = model.fit(X, Y, stack, optim.adam(learning_rate), num_epochs=num_epochs, lambd=lambd)
        train_error = 1 - model.accuracy(X, Y, trained)
        dev_error = 1 - model.accuracy(X_dev, Y_dev, trained)
        proba = model.predict_proba(grid_points, trained)[:, 0, :].astype(np.float32)
        norms = model.weight_norm(trained)
        for k, lam in enumerate(lambdas):
            grid.results[(noise, m, h, lam)] = {"train_error": float(train_error[k]), "dev_error": float(dev_error[k]),
                                                "proba": proba[k], "weight_norm": float(norms[k])}
    return grid


def _errors_over_seeds(X, Y, X_dev, Y_dev, layer_dims, seeds, lambd, num_epochs, learning_rate):
    stack = model.stack_params([model.init_params(layer_dims, seed=s) for s in seeds])
    trained, _ = model.fit(X, Y, stack, optim.adam(learning_rate), num_epochs=num_epochs, lambd=lambd)
    return float(np.mean(1 - model.accuracy(X, Y, trained))), float(np.mean(1 - model.accuracy(X_dev, Y_dev, trained)))


def capacity_curve(hidden_units=(1, 2, 4, 8, 16, 32, 64), m=100, noise=0.25, label_noise=0.05, lambd=0.0,
                   seeds=(0, 1, 2), dev_size=400, num_epochs=250, learning_rate=0.05):
    """Train and dev error of ``[2, h, 1]`` networks against ``h`` (mean over initializations ``seeds``).

    Returns ``(hidden_units, train_errors, dev_errors)`` as arrays.
    """
    X, Y = data.make_noisy(m, noise, label_noise, seed=0)
    X_dev, Y_dev = data.make_noisy(dev_size, noise, label_noise, seed=1000)
    errors = [_errors_over_seeds(X, Y, X_dev, Y_dev, [2, h, 1], seeds, lambd, num_epochs, learning_rate)
              for h in hidden_units]
    train, dev = np.array(errors).T
    return np.array(hidden_units), train, dev


def learning_curve(train_sizes=(20, 40, 80, 160, 320, 640), hidden_units=16, noise=0.25, label_noise=0.05,
                   lambd=0.0, seeds=(0, 1, 2), dev_size=400, num_epochs=250, learning_rate=0.05):
    """Train and dev error of one ``[2, h, 1]`` network against the training-set size ``m``.

    The training sets are nested (the first ``m`` of one pool). Returns ``(sizes, train, dev)``.
    """
    X_pool, Y_pool = data.make_noisy(max(train_sizes), noise, label_noise, seed=0)
    X_dev, Y_dev = data.make_noisy(dev_size, noise, label_noise, seed=1000)
    errors = [_errors_over_seeds(X_pool[:, :m], Y_pool[:, :m], X_dev, Y_dev, [2, hidden_units, 1], seeds, lambd,
                                 num_epochs, learning_rate) for m in train_sizes]
    train, dev = np.array(errors).T
    return np.array(train_sizes), train, dev


CASES = [
    # (bayes, train, dev, verdict): the five cases of the chapter
    (0.00, 0.01, 0.11, "high variance"),
    (0.00, 0.15, 0.16, "high bias"),
    (0.00, 0.15, 0.30, "high bias and high variance"),
    (0.00, 0.005, 0.01, "low bias, low variance"),
    (0.15, 0.15, 0.16, "low bias, low variance"),
]


def check_verdict(attempt):
    """Compare a learner's ``attempt(bayes, train, dev) -> str`` with :func:`verdict` on the five
    cases of the chapter and a few more. Returns ``"all N cases agree"`` or says exactly which case
    differs, what was expected and why."""
    cases = CASES + [(0.05, 0.06, 0.30, "high variance"), (0.02, 0.20, 0.21, "high bias"), (0.10, 0.30, 0.45, "high bias and high variance")]
    for bayes, train, dev, expected in cases:
        got = attempt(bayes, train, dev)
        if got != expected:
            d = verdict(bayes, train, dev)
            return (f"bayes={bayes:.1%}, train={train:.1%}, dev={dev:.1%}: expected {expected!r}, got {got!r}. "
                    f"Avoidable bias = train - bayes = {d.avoidable_bias:.1%}, variance = dev - train = "
                    f"{d.variance:.1%}; each is high above {0.02:.0%}.")
    return f"all {len(cases)} cases agree"
