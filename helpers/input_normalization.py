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

The chapter's exercise checkers are :func:`check_standardize` and :func:`check_condition_number`; :func:`network_race` repeats the
comparison on a real network (:func:`load_breast_cancer`, 30 features on scales from 1e-3 to 1e3).

Every function accepts a stack of ``K`` weight vectors ``w`` of shape ``(K, 1, n_x)`` (and arrays
of ``K`` learning rates), so that many runs go in one vectorized call.
"""

from __future__ import annotations

import numpy as np

from . import blas, data, exercises, model, optim
from .validate import as_float_array, check_number, check_X, error

__all__ = [
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
    "check_condition_number",
    "load_breast_cancer",
    "network_race",
]


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
        raise error("mu, sigma, w_true", f"{mu.size}, {sigma.size} and {w_true.size} entries", "one entry per feature each")
    if np.any(sigma <= 0):
        raise error("sigma", sigma.ravel().tolist(), "positive numbers (standard deviations)")
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((mu.shape[0], m))
    y = w_true @ Z + noise * rng.standard_normal((1, m))
    return mu + sigma * Z, y - y.mean()


def _check_w(w, n_x):
    w = as_float_array("w", w, ndim=(2, 3))
    if w.shape[-2:] != (1, n_x):
        fix = "pass w.T" if w.shape[-2:] == (n_x, 1) else None
        raise error("w", f"shape {w.shape}", f"(1, n_x) = (1, {n_x}), or (K, 1, {n_x}) for a stack", fix)
    return w


def _check_data(X, y):
    X = check_X(X)
    y = as_float_array("y", y, ndim=2)
    if y.shape != (1, X.shape[1]):
        if y.shape[0] == 1 and X.shape[0] == y.shape[1] != X.shape[1]:
            # X's rows match y's examples: X came with one row per example, so X is the array to blame.
            raise error("X", f"shape {X.shape}", f"(n_x, m) with m = {y.shape[1]} columns, one per example as in y",
                        "pass X.T")
        fix = "pass y.T" if y.shape == (X.shape[1], 1) else None
        raise error("y", f"shape {y.shape}", f"(1, m) = (1, {X.shape[1]}), one column per example of X", fix)
    return X, y


def squared_cost(X, y, w, check=True):
    """``J = 1/(2m) ||w X - y||^2`` and ``dw = 1/m (w X - y) X^T``.

    Parameters
    ----------
    X : (n_x, m) features.  y : (1, m) target.  w : (1, n_x), or a stack (K, 1, n_x).
    check : validate the inputs (``False`` inside loops that already did).

    Returns
    -------
    J : float, or (K,) for a stack.  dw : same shape as ``w``.
    """
    if check:
        X, y = _check_data(X, y)
        w = _check_w(w, X.shape[0])
    m = X.shape[1]
    residual = w @ X - y
    J = np.sum(residual**2, axis=(-2, -1)) / (2 * m)
    dw = residual @ X.T / m
    return J, dw


def least_squares(X, y):
    """The minimum ``w* = y X^T (X X^T)^-1`` ``(1, n_x)`` and ``J* = J(w*)``."""
    X, y = _check_data(X, y)
    _check_enough_examples(X)
    try:
        w_star = np.linalg.solve(X @ X.T, X @ y.T).T
    except np.linalg.LinAlgError:
        raise error("X", "features whose X X^T is singular (one is constant zero or a multiple of another)",
                    "independent features, so that the minimum is unique", "remove the redundant feature") from None
    return w_star, float(squared_cost(X, y, w_star, check=False)[0])


def _check_enough_examples(X):
    X = check_X(X)
    if X.shape[1] < X.shape[0]:
        raise error("X", f"shape {X.shape}", "(n_x, m) with at least as many examples m as features n_x "
                    "(else H = X X^T / m is singular)", "pass X.T if the examples are rows")
    return X


def hessian(X):
    """``H = X X^T / m`` ``(n_x, n_x)``: the (constant) Hessian of the squared-error cost."""
    X = _check_enough_examples(X)
    return X @ X.T / X.shape[1]


def _eigenvalues(X):
    eigenvalues = np.linalg.eigvalsh(hessian(X))
    if not eigenvalues[-1] > 0:
        raise error("X", "all zeros (then H = 0 and the cost is flat)", "at least one non-zero feature")
    # A constant (or duplicated) feature makes H singular: its smallest eigenvalue is 0 up to round-off.
    return np.maximum(eigenvalues, 0.0)


def condition_number(X):
    """``kappa = lambda_max / lambda_min`` of ``H``: 1 for round contours, large for elongated ones."""
    eigenvalues = _eigenvalues(X)
    if eigenvalues[0] <= 1e-14 * eigenvalues[-1]:
        return float("inf")  # singular H: a flat direction, contours that never close
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
    if not np.isfinite(kappa):
        return float("inf")  # singular H: the flat direction never converges
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
        raise error("learning_rate", alphas[alphas <= 0][:3].tolist(), "positive numbers")
    check_number("num_iterations", num_iterations, low=1, integer=True)
    check_number("blowup", blowup, low=1)
    n_x = X.shape[0]
    w0 = np.zeros((1, n_x)) if w0 is None else _check_w(w0, n_x)
    K = alphas.size
    w = np.broadcast_to(w0, (K, 1, n_x)).copy()
    path = np.full((K, num_iterations + 1, n_x), np.nan)
    costs = np.full((K, num_iterations + 1), np.nan)
    J, dw = squared_cost(X, y, w, check=False)
    limit = blowup * (J + 1.0)
    path[:, 0], costs[:, 0] = w[:, 0], J
    # One learning rate per run: the K runs are one stack. The step is optim.gd's rule, called
    # directly (the rates were validated above; the dicts of optim.gd's update cost more than
    # the arithmetic of these two-weight steps).
    alpha = alphas[:, None, None]
    runs = np.arange(K)  # the runs still in the stack
    with blas.single_thread():
        for t in range(1, num_iterations + 1):
            w = optim.gd_step(w, dw, alpha)  # w := w - alpha dw
            J, dw = squared_cost(X, y, w, check=False)
            below = J < limit
            if not below.all():
                # A run over the limit leaves the stack: its path stays NaN from here on, nothing overflows.
                runs, w, dw, J, alpha, limit = runs[below], w[below], dw[below], J[below], alpha[below], limit[below]
                if runs.size == 0:
                    break
            at = slice(None) if runs.size == K else runs
            path[at, t], costs[at, t] = w[:, 0], J
    diverged = np.ones(K, dtype=bool)
    diverged[runs] = False
    return {"path": path, "cost": costs, "diverged": diverged}


def iterations_to_converge(X, y, learning_rate, tol=1e-6, max_iterations=5000, stop_at_first=False):
    """First iteration at which ``J - J* <= tol (J(0) - J*)``, per learning rate (from ``w = 0``).

    Returns a float (or an array like ``learning_rate``); ``inf`` for a run that diverged or did
    not get there within ``max_iterations``. With ``stop_at_first=True`` the search stops as soon as
    one run has converged (the others are then reported as ``inf``): enough to find the fastest.
    """
    X, y = _check_data(X, y)
    alphas = as_float_array("learning_rate", learning_rate, ndim=(0, 1)).reshape(-1)
    if np.any(alphas <= 0):
        raise error("learning_rate", alphas[alphas <= 0][:3].tolist(), "positive numbers")
    check_number("tol", tol, low=0, high=1, low_open=True, high_open=True)
    check_number("max_iterations", max_iterations, low=1, integer=True)
    _, J_star = least_squares(X, y)
    K = alphas.size
    w = np.zeros((K, 1, X.shape[0]))
    J, dw = squared_cost(X, y, w, check=False)
    target = J_star + tol * (J - J_star)
    too_high = 1e6 * (target + 1.0)  # a run whose cost grew a million-fold is diverging
    first = np.full(K, np.inf)
    alpha = alphas[:, None, None]  # optim.gd's rule, called directly as in gradient_descent
    runs = np.arange(K)  # the runs still in the stack
    with blas.single_thread():
        for t in range(1, max_iterations + 1):
            w = optim.gd_step(w, dw, alpha)
            J, dw = squared_cost(X, y, w, check=False)
            done = J <= target
            if done.any():
                first[runs[done]] = t
                if stop_at_first:
                    break
            # A run leaves the stack once it converged or diverges.
            going = ~done & (J < too_high)
            if not going.all():
                runs, w, dw, alpha, target, too_high = (runs[going], w[going], dw[going], alpha[going],
                                                        target[going], too_high[going])
                if runs.size == 0:
                    break
    return first if np.ndim(learning_rate) else float(first[0])


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
        raise error("X", f"{X.shape[0]} features", "2 features (cost_surface draws two weights)")
    w1 = as_float_array("w1", w1, ndim=1)
    w2 = as_float_array("w2", w2, ndim=1)
    g1, g2 = np.meshgrid(w1, w2)
    W = np.stack([g1.ravel(), g2.ravel()], axis=-1)[:, None, :]
    # In blocks of weights whose residuals (block, 1, m) fit in the cache (about 256 KB): the same
    # numbers as one call on the whole grid, about 5 times faster for a 150 x 150 grid.
    block = max(1, 32768 // X.shape[1])
    J = np.empty(W.shape[0])
    for start in range(0, W.shape[0], block):
        J[start:start + block] = squared_cost(X, y, W[start:start + block], check=False)[0]
    return J.reshape(g1.shape)


def standardize_train_test(X_train, X_test):
    """The reference: ``mu`` and ``sigma`` from the training set, applied to both sets.

    Returns ``(X_train_norm, X_test_norm)``.
    """
    mu, sigma = data.fit_standardizer(X_train)
    return data.standardize(X_train, mu, sigma), data.standardize(X_test, mu, sigma)


@exercises.checker("standardize with the training set's statistics")
def check_standardize(standardize_fn):
    """Check a learner's ``standardize_fn(X_train, X_test) -> (X_train_norm, X_test_norm)``.

    Names the usual mistakes: statistics over the wrong axis, the variance instead of the
    standard deviation, the test set standardized with its own statistics. Returns a
    :class:`helpers.exercises.Result`.
    """
    X, _ = make_unscaled_regression(m=60, seed=0)
    X_train, X_test = X[:, :40], X[:, 40:]
    out = exercises.call(standardize_fn, X_train, X_test)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise exercises.Mistake(f"return a pair (X_train_norm, X_test_norm); got {type(out).__name__}")
    got_train = exercises.expect_shape("X_train_norm", out[0], X_train.shape, "keep (n_x, m): one column per example")
    got_test = exercises.expect_shape("X_test_norm", out[1], X_test.shape, "keep (n_x, m): one column per example")
    ref_train, ref_test = standardize_train_test(X_train, X_test)

    def close(a, b):
        return np.allclose(a, b, atol=1e-8)

    by_rows = (X_train - X_train.mean(axis=0)) / X_train.std(axis=0)
    if close(got_train, by_rows):
        raise exercises.Mistake("you averaged over the features of each example (axis=0); mu and sigma are per "
                                "feature, over the examples: X.mean(axis=1, keepdims=True)")
    both = np.hstack([X_train, X_test])
    pooled_mu, pooled_sigma = both.mean(axis=1, keepdims=True), both.std(axis=1, keepdims=True)
    if close(got_train, (X_train - pooled_mu) / pooled_sigma):
        raise exercises.Mistake("mu and sigma come from the training and test sets together; take them from "
                                "X_train alone: the test set must not shape the transformation")
    if not close(got_train.mean(axis=1), 0.0):
        raise exercises.Mistake(f"the training features should have mean 0; got means "
                                f"{np.round(got_train.mean(axis=1), 3).tolist()}: subtract mu = X_train.mean(axis=1, keepdims=True)")
    if close(got_train, (X_train - X_train.mean(axis=1, keepdims=True)) / X_train.var(axis=1, keepdims=True)):
        raise exercises.Mistake("you divided by the variance sigma^2; divide by the standard deviation sigma")
    if not close(got_train.std(axis=1), 1.0):
        raise exercises.Mistake(f"the training features should have standard deviation 1; got "
                                f"{np.round(got_train.std(axis=1), 3).tolist()}: divide by sigma = X_train.std(axis=1, keepdims=True)")
    exercises.expect_close("X_train_norm", got_train, ref_train, hint="it should be (X_train - mu) / sigma")
    own = (X_test - X_test.mean(axis=1, keepdims=True)) / X_test.std(axis=1, keepdims=True)
    if close(got_test, own):
        raise exercises.Mistake("X_test was standardized with its own mean and std; use the training set's mu and "
                                "sigma for the test set too, so that both go through the same transformation")
    exercises.expect_close("X_test_norm", got_test, ref_test, hint="it should be (X_test - mu_train) / sigma_train")
    return "mu and sigma come from the training set and both sets are transformed with them"


# ---------------------------------------------------------------- a real network on real features


# The ten measurements of a nucleus, each given as its mean, its standard error and its worst value.
_MEASUREMENTS = ("radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
                 "concave points", "symmetry", "fractal dimension")


def load_breast_cancer():
    """The Wisconsin diagnostic breast-cancer data: ``X`` ``(30, 569)``, ``y`` ``(1, 569)`` of 0/1.

    30 measurements of cell nuclei in digitized images (radius, area, smoothness, ...; their
    scales range from about 1e-3 to about 1e3), label 1 for benign, 0 for malignant. By W. Wolberg,
    W. N. Street and O. Mangasarian (UCI Machine Learning Repository); the copy bundled with
    scikit-learn is read, nothing downloads. Returns ``(X, y, feature_names)``, the names in
    scikit-learn's order: ``"mean radius"`` ... ``"radius error"`` ... ``"worst radius"`` ...
    """
    # the file's first line is a header: 569, 30 and the two class names
    table = np.loadtxt(data.sklearn_data_file("breast_cancer.csv"), delimiter=",", skiprows=1)
    names = ([f"mean {m}" for m in _MEASUREMENTS] + [f"{m} error" for m in _MEASUREMENTS]
             + [f"worst {m}" for m in _MEASUREMENTS])
    return table[:, :-1].T.astype(np.float64), table[:, -1:].T.astype(np.float64), names


def network_race(X_train, y_train, learning_rates=(1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0, 3.0), hidden_units=16,
                 num_epochs=200, target_cost=0.15, seed=0):
    """Train the same small network on raw and on standardized features; epochs to a target cost.

    The network is ``[n_x, hidden_units, 1]`` (ReLU, logistic output, He init with ``seed``),
    trained by full-batch gradient descent (``optim.gd``) for ``num_epochs`` epochs, once per
    learning rate (all rates in one stack), on ``X_train`` as given and on ``X_train`` standardized
    with its own ``mu`` and ``sigma`` (:func:`helpers.data.fit_standardizer`). Each treatment is
    judged with its own best learning rate: a fair race.

    Returns
    -------
    dict with keys ``"raw"`` and ``"standardized"``, each a dict of ``cost`` ``(num_epochs, K)``
    (NaN after a divergence), ``epochs_to_target`` ``(K,)`` (the first epoch whose cost is below
    ``target_cost``, ``inf`` if never), ``diverged`` ``(K,)`` and ``best`` (the index of the
    learning rate that got there first, or that ended lowest if none did).
    """
    X_train = check_X(X_train)
    y_train = as_float_array("y_train", y_train, ndim=2)
    if y_train.shape != (1, X_train.shape[1]):
        raise error("y_train", f"shape {y_train.shape}", f"(1, m) = (1, {X_train.shape[1]}), one column per example of X_train")
    lrs = as_float_array("learning_rates", learning_rates, ndim=1)
    if lrs.size == 0 or np.any(lrs <= 0):
        raise error("learning_rates", lrs.tolist(), "a non-empty list of positive numbers")
    check_number("hidden_units", hidden_units, low=1, integer=True)
    check_number("num_epochs", num_epochs, low=1, integer=True)
    check_number("target_cost", target_cost, low=0, low_open=True)
    mu, sigma = data.fit_standardizer(X_train)
    treatments = {"raw": X_train, "standardized": data.standardize(X_train, mu, sigma)}

    def train(F):
        stack = model.stack_params([model.init_params([F.shape[0], hidden_units, 1], init="he", seed=seed)
                                    for _ in lrs])
        return model.fit(F, y_train, stack, optim.gd(lrs), num_epochs=num_epochs)[1]

    histories = {name: train(F) for name, F in treatments.items()}
    out = {}
    for name, history in histories.items():
        cost = np.full((num_epochs, lrs.size), np.nan)
        cost[: history["cost"].shape[0]] = history["cost"]
        below = np.nan_to_num(cost, nan=np.inf) < target_cost
        epochs = np.where(below.any(axis=0), below.argmax(axis=0) + 1.0, np.inf)
        final = np.where(np.isfinite(cost[-1]), cost[-1], np.inf)
        best = int(np.argmin(epochs)) if np.isfinite(epochs).any() else int(np.argmin(final))
        out[name] = {"cost": cost, "epochs_to_target": epochs, "diverged": np.asarray(history["diverged"]), "best": best}
    return out


@exercises.checker("the condition number of the Hessian")
def check_condition_number(condition_number_fn):
    """Check a learner's ``condition_number_fn(X) -> kappa`` (``lambda_max / lambda_min`` of ``H = X X^T / m``).

    Runs it on raw and on standardized features; names the usual mistakes: the ratio inverted,
    singular values of ``X`` (their ratio is ``sqrt(kappa)``), the ``(m, m)`` matrix ``X^T X``
    instead of the ``(n_x, n_x)`` Hessian. Returns a :class:`helpers.exercises.Result`.
    """
    X, _ = make_unscaled_regression(m=50, seed=2)
    mu, sigma = data.fit_standardizer(X)
    for name, F in (("raw features", X), ("standardized features", data.standardize(X, mu, sigma))):
        expected = condition_number(F)
        got = exercises.call(condition_number_fn, F)
        if isinstance(got, (tuple, list, dict, str)) or np.ndim(got) != 0:
            raise exercises.Mistake(f"return one number, kappa; got {type(got).__name__}"
                                    f"{' of shape ' + str(np.shape(got)) if isinstance(got, np.ndarray) else ''}")
        got = float(np.real(got))
        if np.isclose(got, expected, rtol=1e-6):
            continue
        if np.isclose(got, 1 / expected, rtol=1e-6):
            raise exercises.Mistake(f"on {name} you return 1/kappa; kappa = lambda_max / lambda_min >= 1")
        if np.isclose(got, np.sqrt(expected), rtol=1e-6):
            raise exercises.Mistake(f"on {name} you return sqrt(kappa): the singular values of X are the square roots "
                                    "of the eigenvalues of X X^T; take the eigenvalues of H = X X^T / m")
        if not np.isfinite(got) or got < 0 or got > 1e6 * expected:
            raise exercises.Mistake(f"on {name} you return {got:.3g}: was it X^T X? That is (m, m) with m - n_x zero "
                                    "eigenvalues; the Hessian H = X X^T / m is (n_x, n_x)")
        centred = F - F.mean(axis=1, keepdims=True)
        if np.isclose(got, condition_number(centred), rtol=1e-6):
            raise exercises.Mistake(f"on {name} you return kappa of the centred features (np.cov, or X minus its "
                                    "mean): the Hessian of this cost is H = X X^T / m of X as it is; its means "
                                    "couple the weights and are part of the problem")
        raise exercises.Mistake(f"on {name} kappa is {expected:.4g}; you return {got:.4g}")
    return "kappa = lambda_max / lambda_min of H = X X^T / m (the 1/m cancels in the ratio)"
