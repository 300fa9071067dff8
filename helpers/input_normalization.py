"""Chapter 11: input normalization and the shape of the cost.

The model is the smallest one whose cost can be drawn: a linear unit with two weights,
``y_hat = w X`` with ``w`` of shape ``(1, 2)`` and the squared-error cost

    J(w) = 1/(2m) ||w X - y||^2,        dw = 1/m (w X - y) X^T.

To keep the picture exactly two-dimensional the model has no bias and the target ``y`` is centred
(its mean subtracted), so that with standardized inputs the best bias would be exactly 0.

``J`` is a quadratic with the constant Hessian ``H = X X^T / m``. Its contours are ellipses whose
axes have the length ratio ``sqrt(kappa)``, with ``kappa = lambda_max / lambda_min`` the condition
number of ``H``. Gradient descent is stable for ``alpha < 2 / lambda_max``; the best fixed
``alpha = 2 / (lambda_max + lambda_min)`` shrinks the error by ``(kappa - 1) / (kappa + 1)`` per
step. Standardizing the inputs (mean 0, variance 1, using the training set's ``mu`` and ``sigma``)
turns ``H`` into the correlation matrix of the features: ``kappa`` close to 1, round contours and
fast convergence.

Every function accepts a stack of ``K`` weight vectors ``w`` of shape ``(K, 1, n_x)`` (and arrays
of ``K`` learning rates), so that many runs go in one vectorized call.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import blas, data
from .validate import as_float_array, check_number, check_X

__all__ = [
    "Feedback",
    "make_unscaled_regression",
    "squared_cost",
    "least_squares",
    "hessian",
    "condition_number",
    "max_stable_learning_rate",
    "optimal_learning_rate",
    "predicted_iterations",
    "gradient_descent",
    "iterations_to_converge",
    "best_learning_rate",
    "cost_surface",
    "standardize_train_test",
    "check_standardize",
]


class Feedback(NamedTuple):
    """The verdict of a ``check_*`` function: ``ok`` and a message saying what is wrong."""

    ok: bool
    message: str

    def __str__(self):
        return self.message


def make_unscaled_regression(m=400, mu=(3.0, 25.0), sigma=(1.0, 6.0), w_true=(1.5, -1.0), noise=0.5, seed=0):
    """Two features on very different scales and a centred real-valued target.

    The features are ``x_j = mu_j + sigma_j z_j`` with ``z ~ N(0, 1)``; the target is
    ``y = w_true . z + noise * N(0, 1)``, centred. Think of ``x_1`` as a count of rooms and ``x_2`` as a
    floor area: two sensible measurements in units that differ by an order of magnitude.

    Returns
    -------
    X : (2, m) features, one column per example.
    y : (1, m) target with mean 0.
    """
    check_number("m", m, low=2, integer=True)
    check_number("noise", noise, low=0)
    mu = as_float_array("mu", mu, ndim=1).reshape(-1, 1)
    sigma = as_float_array("sigma", sigma, ndim=1).reshape(-1, 1)
    w_true = as_float_array("w_true", w_true, ndim=1).reshape(1, -1)
    if not (mu.shape[0] == sigma.shape[0] == w_true.shape[1]):
        raise ValueError(f"mu, sigma and w_true must have one entry per feature; got {mu.size}, {sigma.size}, {w_true.size}")
    if np.any(sigma <= 0):
        raise ValueError(f"sigma must be positive; got {sigma.ravel().tolist()}")
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((mu.shape[0], m))
    y = w_true @ Z + noise * rng.standard_normal((1, m))
    return mu + sigma * Z, y - y.mean()


def _check_w(w, n_x):
    w = as_float_array("w", w, ndim=(2, 3))
    if w.shape[-2:] != (1, n_x):
        raise ValueError(f"w must have shape (1, n_x) = (1, {n_x}) (or (K, 1, {n_x}) for a stack); got {w.shape}")
    return w


def _check_data(X, y):
    X = check_X(X)
    y = as_float_array("y", y, ndim=2)
    if y.shape != (1, X.shape[1]):
        raise ValueError(f"y must have shape (1, m) = (1, {X.shape[1]}); got {y.shape}")
    return X, y


def squared_cost(X, y, w):
    """``J = 1/(2m) ||w X - y||^2`` and ``dw = 1/m (w X - y) X^T``.

    Parameters
    ----------
    X : (n_x, m) features.  y : (1, m) target.  w : (1, n_x), or a stack (K, 1, n_x).

    Returns
    -------
    J : float, or (K,) for a stack.  dw : same shape as ``w``.
    """
    X, y = _check_data(X, y)
    w = _check_w(w, X.shape[0])
    return _squared_cost(X, y, w)


def _squared_cost(X, y, w):
    m = X.shape[1]
    residual = w @ X - y
    J = np.sum(residual**2, axis=(-2, -1)) / (2 * m)
    return J, residual @ X.T / m


def least_squares(X, y):
    """The minimum ``w* = y X^T (X X^T)^-1`` ``(1, n_x)`` and ``J* = J(w*)``."""
    X, y = _check_data(X, y)
    w_star = np.linalg.solve(X @ X.T, X @ y.T).T
    return w_star, float(_squared_cost(X, y, w_star)[0])


def hessian(X):
    """``H = X X^T / m`` ``(n_x, n_x)``: the (constant) Hessian of the squared-error cost."""
    X = check_X(X)
    return X @ X.T / X.shape[1]


def _eigenvalues(X):
    return np.linalg.eigvalsh(hessian(X))


def condition_number(X):
    """``kappa = lambda_max / lambda_min`` of ``H``: 1 for round contours, large for elongated ones."""
    eigenvalues = _eigenvalues(X)
    return float(eigenvalues[-1] / eigenvalues[0])


def max_stable_learning_rate(X):
    """``2 / lambda_max``: gradient descent diverges for any larger ``alpha``."""
    return float(2.0 / _eigenvalues(X)[-1])


def optimal_learning_rate(X):
    """``2 / (lambda_max + lambda_min)``: the fixed ``alpha`` with the fastest worst-case convergence."""
    eigenvalues = _eigenvalues(X)
    return float(2.0 / (eigenvalues[-1] + eigenvalues[0]))


def predicted_iterations(X, tol=1e-6):
    """Iterations the best fixed ``alpha`` needs to cut ``J - J*`` by ``tol`` (worst case over starts).

    The error in ``w`` shrinks by ``rho = (kappa - 1) / (kappa + 1)`` per step, so ``J - J*`` by
    ``rho^2``: ``t = log(tol) / (2 log(rho))``.
    """
    check_number("tol", tol, low=0, high=1, low_open=True, high_open=True)
    kappa = condition_number(X)
    if kappa < 1 + 1e-12:
        return 1.0
    rho = (kappa - 1) / (kappa + 1)
    return float(np.log(tol) / (2 * np.log(rho)))


def gradient_descent(X, y, learning_rate, num_iterations=100, w0=None, blowup=1e8):
    """Run ``w := w - alpha dw`` from ``w0`` for each learning rate and record the whole path.

    Parameters
    ----------
    X : (n_x, m).  y : (1, m).
    learning_rate : a positive number, or a 1-D array of ``K`` of them (one run each).
    num_iterations : number of updates.
    w0 : (1, n_x) start, zeros by default.
    blowup : a run whose ``J`` exceeds ``blowup * (J(w0) + 1)`` is declared diverged and frozen
        (its later entries are NaN), long before anything can overflow.

    Returns
    -------
    dict with ``path`` ``(K, num_iterations + 1, n_x)``, ``cost`` ``(K, num_iterations + 1)`` and
    ``diverged`` ``(K,)`` booleans (``K = 1`` for a single learning rate).
    """
    X, y = _check_data(X, y)
    alphas = as_float_array("learning_rate", learning_rate, ndim=(0, 1)).reshape(-1)
    if np.any(alphas <= 0):
        raise ValueError(f"learning_rate must be positive; got {alphas[alphas <= 0][:3].tolist()}")
    check_number("num_iterations", num_iterations, low=0, integer=True)
    check_number("blowup", blowup, low=1)
    n_x = X.shape[0]
    w0 = np.zeros((1, n_x)) if w0 is None else _check_w(w0, n_x)
    K = alphas.size
    w = np.broadcast_to(w0, (K, 1, n_x)).copy()
    path = np.empty((K, num_iterations + 1, n_x))
    costs = np.empty((K, num_iterations + 1))
    J, dw = _squared_cost(X, y, w)
    limit = blowup * (J + 1.0)
    alive = np.ones(K, dtype=bool)
    path[:, 0], costs[:, 0] = w[:, 0], J
    with blas.single_thread():
        _descend(X, y, alphas, w, dw, limit, alive, path, costs, num_iterations)
    # Everything from the first step over the limit on is NaN.
    over = ~np.isfinite(costs) | (costs >= limit[:, None])
    cut = np.maximum.accumulate(over, axis=1)
    costs[cut] = np.nan
    path[cut] = np.nan
    return {"path": path, "cost": costs, "diverged": cut[:, -1]}


def _descend(X, y, alphas, w, dw, limit, alive, path, costs, num_iterations):
    # Fills path[:, 1:] and costs[:, 1:] in place.
    for t in range(1, num_iterations + 1):
        w = w - alphas[:, None, None] * dw
        J, dw = _squared_cost(X, y, w)
        alive &= J < limit
        # A diverged run is reset to 0 (its path is cut afterwards), so that nothing can overflow.
        w = np.where(alive[:, None, None], w, 0.0)
        dw = np.where(alive[:, None, None], dw, 0.0)
        path[:, t], costs[:, t] = w[:, 0], J
        if not alive.any():
            path[:, t + 1 :], costs[:, t + 1 :] = 0.0, np.inf
            return


def iterations_to_converge(X, y, learning_rate, tol=1e-6, max_iterations=5000, stop_at_first=False):
    """First iteration at which ``J - J* <= tol (J(0) - J*)``, per learning rate (from ``w = 0``).

    Returns a float (or an array like ``learning_rate``); ``inf`` for a run that diverged or did
    not get there within ``max_iterations``. With ``stop_at_first=True`` the search stops as soon as
    one run has converged (the others are then reported as ``inf``): enough to find the fastest.
    """
    X, y = _check_data(X, y)
    alphas = as_float_array("learning_rate", learning_rate, ndim=(0, 1)).reshape(-1)
    if np.any(alphas <= 0):
        raise ValueError(f"learning_rate must be positive; got {alphas[alphas <= 0][:3].tolist()}")
    check_number("tol", tol, low=0, high=1, low_open=True, high_open=True)
    check_number("max_iterations", max_iterations, low=1, integer=True)
    _, J_star = least_squares(X, y)
    K = alphas.size
    w = np.zeros((K, 1, X.shape[0]))
    J, dw = _squared_cost(X, y, w)
    target = J_star + tol * (J - J_star)
    first = np.full(K, np.inf)
    running = np.ones(K, dtype=bool)
    with blas.single_thread():
        _race(X, y, alphas, w, dw, target, first, running, max_iterations, stop_at_first)
    return first if np.ndim(learning_rate) else float(first[0])


def _race(X, y, alphas, w, dw, target, first, running, max_iterations, stop_at_first):
    # Fills first (the iteration each run converged at) in place.
    for t in range(1, max_iterations + 1):
        w = w - alphas[:, None, None] * dw
        J, dw = _squared_cost(X, y, w)
        done = running & (J <= target)
        first[done] = t
        # Stop a run once it converged or its cost grew a million-fold (it is diverging).
        running &= ~done & (J < 1e6 * (target + 1.0))
        if not running.any() or (stop_at_first and done.any()):
            return
        w = np.where(running[:, None, None], w, 0.0)
        dw = np.where(running[:, None, None], dw, 0.0)


def best_learning_rate(X, y, learning_rates=None, tol=1e-6, max_iterations=5000):
    """Search ``learning_rates`` (default: 40 values from ``1e-4`` to ``3`` on a log scale) for the
    one that converges in the fewest iterations. Returns ``(alpha, iterations)``."""
    if learning_rates is None:
        learning_rates = np.logspace(-4, np.log10(3.0), 40)
    learning_rates = as_float_array("learning_rates", learning_rates, ndim=1)
    iterations = iterations_to_converge(X, y, learning_rates, tol, max_iterations, stop_at_first=True)
    best = int(np.argmin(iterations))
    return float(learning_rates[best]), float(iterations[best])


def cost_surface(X, y, w1, w2):
    """``J`` on the grid ``w1 x w2`` (1-D arrays) for contour plots: returns ``(len(w2), len(w1))``."""
    X, y = _check_data(X, y)
    if X.shape[0] != 2:
        raise ValueError(f"cost_surface draws two weights: X must have 2 features; got {X.shape[0]}")
    w1 = as_float_array("w1", w1, ndim=1)
    w2 = as_float_array("w2", w2, ndim=1)
    g1, g2 = np.meshgrid(w1, w2)
    W = np.stack([g1.ravel(), g2.ravel()], axis=-1)[:, None, :]
    return _squared_cost(X, y, W)[0].reshape(g1.shape)


def standardize_train_test(X_train, X_test):
    """The reference: ``mu`` and ``sigma`` from the training set, applied to both sets.

    Returns ``(X_train_norm, X_test_norm)``.
    """
    mu, sigma = data.fit_standardizer(X_train)
    return data.standardize(X_train, mu, sigma), data.standardize(X_test, mu, sigma)


def check_standardize(standardize_fn, seed=0):
    """Compare a learner's ``standardize_fn(X_train, X_test) -> (X_train_norm, X_test_norm)`` with
    the reference and say precisely what is wrong. Returns a :class:`Feedback`."""
    X, _ = make_unscaled_regression(m=60, seed=seed)
    X_train, X_test = X[:, :40], X[:, 40:]
    try:
        out = standardize_fn(X_train.copy(), X_test.copy())
    except Exception as error:  # the learner's code may raise anything; report it in words
        return Feedback(False, f"your function raised {type(error).__name__}: {error}")
    if not (isinstance(out, tuple) and len(out) == 2):
        return Feedback(False, f"return a pair (X_train_norm, X_test_norm); got {type(out).__name__}")
    got_train, got_test = (np.asarray(a, dtype=float) for a in out)
    if got_train.shape != X_train.shape or got_test.shape != X_test.shape:
        return Feedback(False, f"shapes must stay (n_x, m): expected {X_train.shape} and {X_test.shape}, "
                               f"got {got_train.shape} and {got_test.shape}")
    ref_train, ref_test = standardize_train_test(X_train, X_test)

    def close(a, b):
        return np.allclose(a, b, atol=1e-8)

    by_rows = (X_train - X_train.mean(axis=0)) / X_train.std(axis=0)
    if close(got_train, by_rows):
        return Feedback(False, "you averaged over the features of each example (axis=0); mu and sigma are per "
                               "feature, over the examples: X.mean(axis=1, keepdims=True)")
    if not close(got_train.mean(axis=1), 0.0):
        return Feedback(False, f"the training features should have mean 0; got means {np.round(got_train.mean(axis=1), 3).tolist()}: "
                               "subtract mu = X_train.mean(axis=1, keepdims=True)")
    if close(got_train, (X_train - X_train.mean(axis=1, keepdims=True)) / X_train.var(axis=1, keepdims=True)):
        return Feedback(False, "you divided by the variance sigma^2; divide by the standard deviation sigma")
    if not close(got_train.std(axis=1), 1.0):
        return Feedback(False, f"the training features should have standard deviation 1; got "
                               f"{np.round(got_train.std(axis=1), 3).tolist()}: divide by sigma = X_train.std(axis=1, keepdims=True)")
    if not close(got_train, ref_train):
        return Feedback(False, "the training set has mean 0 and std 1 but differs from (X - mu) / sigma")
    own = (X_test - X_test.mean(axis=1, keepdims=True)) / X_test.std(axis=1, keepdims=True)
    if close(got_test, own):
        return Feedback(False, "X_test was normalized with its own mean and std; use the training set's mu and sigma "
                               "for the test set too, so that both go through the same transformation")
    if not close(got_test, ref_test):
        return Feedback(False, "the training set is right but X_test is not (X_test - mu_train) / sigma_train")
    return Feedback(True, "correct: mu and sigma come from the training set and both sets are transformed with them")
