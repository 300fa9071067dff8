"""Chapter 2: regularization (L2, L1, early stopping, data augmentation).

The penalties themselves live in :mod:`helpers.model` (``lambd``, ``penalty="l2"`` / ``"l1"``);
this module holds what the chapter shows *about* them:

- :func:`overfitting_data`, the small noisy problem of chapters 2 and 3;
- :func:`weight_decay_step` and :func:`weight_decay_identity`: one gradient step with the L2 term
  is the same as shrinking ``W`` by ``(1 - alpha lambd / m)`` and taking the data-only step;
- :func:`hidden_preactivations` and :func:`near_linear_fraction`: why small weights simplify a
  tanh network (its ``Z`` stays where ``tanh(z) ~ z``);
- :func:`early_stopping_point` on a dev-cost history;
- :func:`shift_images`, :func:`flip_images`, :func:`rotate_images`, :func:`crop_images`,
  :func:`augment` for 8x8 digits;
- :func:`train_lambda_grid`, every network the live experiment shows, trained as stacks;
- :func:`check_l2_cost_term` and :func:`check_l2_backward`, the checkers of the chapter's exercises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import data, exercises, model, optim, plots
from .blas import single_thread
from .validate import as_float_array, check_choice, check_grads, check_number, check_params, check_X

__all__ = [
    "NEAR_LINEAR_Z",
    "overfitting_data",
    "l2_penalty",
    "l2_backward",
    "weight_decay_step",
    "weight_decay_identity",
    "hidden_preactivations",
    "near_linear_fraction",
    "sparsity",
    "EarlyStop",
    "early_stopping_point",
    "shift_images",
    "flip_images",
    "rotate_images",
    "crop_images",
    "augment",
    "jitter_images",
    "tilt_images",
    "LambdaGrid",
    "train_lambda_grid",
    "check_l2_cost_term",
    "check_l2_backward",
]

#: ``|z| < 0.5`` is where ``tanh(z)`` stays within 8 % of ``z`` (``tanh(0.5) = 0.462``).
NEAR_LINEAR_Z = 0.5


def overfitting_data(m=50, noise=0.3, label_noise=0.1, dev_size=400, seed=0):
    """A small noisy two-moons training set and a large dev set from the same distribution.

    Few points, Gaussian noise ``noise`` and a fraction ``label_noise`` of flipped labels: a
    ``[2, 50, 50, 1]`` network can memorize the training set and does badly on the dev set.
    Returns ``(X, Y, X_dev, Y_dev)`` with ``X`` ``(2, m)``, ``Y`` ``(1, m)``.
    """
    check_number("m", m, low=2, integer=True)
    check_number("dev_size", dev_size, low=1, integer=True)
    X, Y = data.make_noisy(m, noise, label_noise, seed=seed)
    X_dev, Y_dev = data.make_noisy(dev_size, noise, label_noise, seed=seed + 1000)
    return X, Y, X_dev, Y_dev


def _weights(params):
    """``L`` for a parameter dict holding exactly ``W1..WL`` with ``b1..bL`` (a stack of networks too);
    see :func:`helpers.validate.check_params`."""
    return check_params(params)


def l2_penalty(params, lambd, m):
    """Reference value of the L2 term ``lambd / (2 m) * sum_l ||W[l]||_F^2`` (biases excluded)."""
    check_number("lambd", lambd, low=0)
    check_number("m", m, low=1, integer=True)
    L = _weights(params)
    return float(lambd / (2 * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1)))


def l2_backward(grads, params, lambd, m):
    """Reference backward of the L2 term: ``dW[l] + lambd / m * W[l]`` for every layer; ``db`` unchanged.

    ``grads`` are the gradients of the cross-entropy alone (``dW1, db1, ...``). Returns new grads.
    """
    check_number("lambd", lambd, low=0)
    check_number("m", m, low=1, integer=True)
    L = _weights(params)
    check_grads(grads, params)
    new = dict(grads)
    for l in range(1, L + 1):
        new[f"dW{l}"] = grads[f"dW{l}"] + lambd / m * params[f"W{l}"]
    return new


# ---------------------------------------------------------------- weight decay


def weight_decay_step(params, grads_data, learning_rate, lambd, m):
    """The L2 step written as decay: ``W := (1 - alpha lambd / m) W - alpha dW_data``, ``b := b - alpha db``.

    ``grads_data`` are the gradients of the cross-entropy alone (no penalty). Returns new params.
    """
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    check_number("lambd", lambd, low=0)
    check_number("m", m, low=1, integer=True)
    _weights(params)
    if not isinstance(grads_data, dict) or not any("d" + name in grads_data for name in params):
        raise ValueError(f"grads_data must hold the gradients dW1, db1, ... of params; got "
                         f"{list(grads_data) if isinstance(grads_data, dict) else type(grads_data).__name__}")
    decay = 1 - learning_rate * lambd / m
    new = {}
    for name, value in params.items():
        step = learning_rate * grads_data["d" + name] if "d" + name in grads_data else 0.0
        new[name] = (decay * value if name.startswith("W") else value) - step
    return new


def weight_decay_identity(X, Y, params, lambd, learning_rate, hidden="relu"):
    """Take one gradient step both ways and compare.

    Returns a dict: ``gd`` (params after ``W - alpha (dW_data + lambd/m W)``, from
    :func:`helpers.model.cost_and_grads` with ``lambd``), ``decay`` (params from
    :func:`weight_decay_step`), ``decay_factor`` ``1 - alpha lambd / m`` and ``max_difference``,
    the largest absolute difference between the two over all parameters.
    """
    X = check_X(X, n_x=params["W1"].shape[-1] if isinstance(params, dict) and "W1" in params else None)
    m = X.shape[1]
    _, grads_l2 = model.cost_and_grads(X, Y, params, hidden=hidden, lambd=lambd)
    _, grads_data = model.cost_and_grads(X, Y, params, hidden=hidden)
    opt = optim.gd(learning_rate)
    after_gd, _ = opt.update(params, grads_l2, opt.init(params))
    after_decay = weight_decay_step(params, grads_data, learning_rate, lambd, m)
    difference = max(float(np.max(np.abs(after_gd[k] - after_decay[k]))) for k in params)
    return {"gd": after_gd, "decay": after_decay, "decay_factor": 1 - learning_rate * lambd / m,
            "max_difference": difference}


# ---------------------------------------------------------------- why it works


def hidden_preactivations(X, params, hidden="tanh"):
    """``[Z[1], ..., Z[L-1]]``, the hidden layers' pre-activations in test mode (no dropout).

    Read from :func:`helpers.model.forward_pass` (the network's one forward pass). Works on
    stacked parameters too (each ``Z`` then has a leading axis ``K``).
    """
    L = _weights(params)
    missing = [f"b{l}" for l in range(1, L) if f"b{l}" not in params]
    if missing:
        raise ValueError(f"params has no {', '.join(missing)}; expected W1, b1, ..., WL, bL (see model.init_params)")
    X = check_X(X, n_x=params["W1"].shape[-1])
    check_choice("hidden", hidden, model.ACTIVATIONS)
    fwd = model.forward_pass(X, params, hidden=hidden, mode="test")
    return [fwd.Z[l] for l in range(1, L)]


def near_linear_fraction(Zs, z_max=NEAR_LINEAR_Z):
    """Fraction of pre-activations with ``|z| < z_max`` (per network for a stack).

    ``Zs`` is one array or a list of arrays (as returned by :func:`hidden_preactivations`); for
    a stack, every array has the leading axis ``K`` and the result has shape ``(K,)``.
    """
    check_number("z_max", z_max, low=0, low_open=True)
    if not isinstance(Zs, (np.ndarray, list, tuple)):
        raise ValueError(f"Zs must be an array or a list of arrays (as hidden_preactivations returns); got {type(Zs).__name__}")
    Zs = [Zs] if isinstance(Zs, np.ndarray) else list(Zs)
    if not Zs or any(not isinstance(Z, np.ndarray) or Z.ndim not in (2, 3) or Z.size == 0 for Z in Zs):
        raise ValueError("Zs must be a non-empty list of (n, m) arrays (or (K, n, m) for a stack), "
                         "as hidden_preactivations returns")
    stacked = Zs[0].ndim == 3
    inside = sum(np.sum(np.abs(Z) < z_max, axis=(-2, -1)) for Z in Zs)
    total = sum(Z.shape[-2] * Z.shape[-1] for Z in Zs)
    return inside / total if stacked else float(inside / total)


def sparsity(params, threshold=1e-2):
    """Fraction of the weights (all ``W[l]``) with ``|w| < threshold``; per network for a stack."""
    check_number("threshold", threshold, low=0, low_open=True)
    L = _weights(params)
    small = sum(np.sum(np.abs(params[f"W{l}"]) < threshold, axis=(-2, -1)) for l in range(1, L + 1))
    total = sum(params[f"W{l}"].shape[-2] * params[f"W{l}"].shape[-1] for l in range(1, L + 1))
    return small / total


# ---------------------------------------------------------------- early stopping


@dataclass(frozen=True)
class EarlyStop:
    """``best_epoch``: number of epochs after which the dev cost was lowest (train that many
    epochs to get the kept parameters); ``stop_epoch``: when training stops (``patience`` epochs
    without improvement, or the end of the history); ``best_dev_cost``."""

    best_epoch: int
    stop_epoch: int
    best_dev_cost: float


def early_stopping_point(dev_cost, patience=None, min_delta=0.0):
    """Where early stopping stops on a dev-cost history (one value per epoch, epoch 1 first).

    Parameters
    ----------
    dev_cost : 1-D array, the dev cost after epochs ``1, 2, ...``.
    patience : stop after this many epochs without an improvement of at least ``min_delta``;
        ``None`` looks at the whole history (the best epoch in hindsight).
    min_delta : smallest decrease that counts as an improvement (>= 0).
    """
    dev_cost = as_float_array("dev_cost", dev_cost, ndim=1)
    if dev_cost.size == 0:
        raise ValueError("dev_cost must hold at least one value; got an empty history")
    check_number("min_delta", min_delta, low=0)
    if patience is not None:
        check_number("patience", patience, low=1, integer=True)
    best, best_index, waited = np.inf, 0, 0
    for index, value in enumerate(dev_cost):
        if value < best - min_delta:
            best, best_index, waited = value, index, 0
        else:
            waited += 1
            if patience is not None and waited >= patience:
                return EarlyStop(best_index + 1, index + 1, float(best))
    return EarlyStop(best_index + 1, dev_cost.size, float(best))


# ---------------------------------------------------------------- data augmentation


def _images(X, side):
    X = check_X(X, n_x=side * side)
    return X.T.reshape(-1, side, side)


def shift_images(X, dx, dy, side=8):
    """Shift every image (a column of ``X`` ``(side*side, m)``) by ``dx`` pixels right and ``dy`` down.

    Pixels shifted in are 0 (the digits' background). Returns an array of the shape of ``X``.
    """
    check_number("dx", dx, low=-(side - 1), high=side - 1, integer=True)
    check_number("dy", dy, low=-(side - 1), high=side - 1, integer=True)
    images = _images(X, side)
    out = np.zeros_like(images)
    rows_to, rows_from = slice(max(dy, 0), side + min(dy, 0)), slice(max(-dy, 0), side + min(-dy, 0))
    cols_to, cols_from = slice(max(dx, 0), side + min(dx, 0)), slice(max(-dx, 0), side + min(-dx, 0))
    out[:, rows_to, cols_to] = images[:, rows_from, cols_from]
    return out.reshape(-1, side * side).T


def flip_images(X, side=8):
    """Mirror every image left-right. Label-preserving for a 0 or an 8, not for a 2, 3, 4, 7 or 9."""
    return _images(X, side)[:, :, ::-1].reshape(-1, side * side).T


def _resample(images, source_of):
    """Bilinear resampling: ``out[r, c] = images[source_of(r, c)]``, 0 outside the image.

    ``source_of(rows, cols)`` gets ``(side, side)`` pixel coordinates and returns the source
    coordinates, ``(side, side)`` (one map for every image) or ``(n, side, side)`` (one per image).
    """
    n, side, _ = images.shape
    rows, cols = np.meshgrid(np.arange(side, dtype=float), np.arange(side, dtype=float), indexing="ij")
    src_r, src_c = source_of(rows, cols)
    r0, c0 = np.floor(src_r).astype(int), np.floor(src_c).astype(int)
    which = np.arange(n)[:, None, None] if np.ndim(src_r) == 3 else slice(None)
    out = np.zeros_like(images)
    for dr in (0, 1):
        for dc in (0, 1):
            r, c = r0 + dr, c0 + dc
            weight = (1 - np.abs(src_r - r)) * (1 - np.abs(src_c - c))
            inside = (r >= 0) & (r < side) & (c >= 0) & (c < side)
            out += np.where(inside, weight, 0.0) * images[which, np.clip(r, 0, side - 1), np.clip(c, 0, side - 1)]
    return out


def _rotation_source(angles_degrees, side):
    """``source_of`` for :func:`_resample`: the inverse rotation of each output pixel about the
    centre (counter-clockwise angles; a number, or one angle per image)."""
    centre = (side - 1) / 2
    angle = np.deg2rad(angles_degrees)
    cos, sin = np.cos(angle), np.sin(angle)
    if np.ndim(angle):
        cos, sin = cos[:, None, None], sin[:, None, None]

    def source_of(r, c):
        y, x = centre - r, c - centre
        return centre - (-sin * x + cos * y), centre + (cos * x + sin * y)

    return source_of


def rotate_images(X, degrees, side=8):
    """Rotate every image by ``degrees`` (counter-clockwise) about its centre, bilinear, 0 outside.

    A digit turned by 10-15 degrees is still the same digit (handwriting slants that much); by 180
    degrees a 6 becomes a 9. Returns an array of the shape of ``X``.
    """
    check_number("degrees", degrees, low=-180, high=180)
    images = _images(X, side)
    return _resample(images, _rotation_source(degrees, side)).reshape(-1, side * side).T


def crop_images(X, top, left, size, side=8):
    """Crop the ``size x size`` window at ``(top, left)`` of every image and scale it back to
    ``side x side`` (bilinear): a zoom on part of the digit, as a tighter camera frame would give.

    Returns an array of the shape of ``X``.
    """
    check_number("size", size, low=2, high=side, integer=True)
    check_number("top", top, low=0, high=side - size, integer=True)
    check_number("left", left, low=0, high=side - size, integer=True)
    images = _images(X, side)
    scale = (size - 1) / (side - 1)
    return _resample(images, lambda r, c: (top + scale * r, left + scale * c)).reshape(-1, side * side).T


def augment(X, y, shifts=((1, 0), (-1, 0), (0, 1), (0, -1)), flip=False, side=8, rotations=(), crops=()):
    """The training set plus one shifted copy per ``(dx, dy)`` in ``shifts``, one rotated copy per
    angle in ``rotations`` (degrees), one cropped-and-rescaled copy per ``(top, left, size)`` in
    ``crops``, and a mirrored copy of every image if ``flip``. ``y`` ``(1, m)`` integer labels or
    ``(C, m)`` one-hot.

    Returns ``(X_augmented, y_augmented)`` with ``m * (1 + len(shifts) + len(rotations) + len(crops) + flip)`` columns.
    """
    X = check_X(X, n_x=side * side)
    y = as_float_array("y", y, ndim=2)
    if y.shape[1] != X.shape[1]:
        raise ValueError(f"y must have one column per image ({X.shape[1]}); got {y.shape}")
    copies = [X] + [shift_images(X, dx, dy, side) for dx, dy in shifts]
    copies += [rotate_images(X, degrees, side) for degrees in rotations]
    copies += [crop_images(X, top, left, size, side) for top, left, size in crops]
    if flip:
        copies.append(flip_images(X, side))
    return np.hstack(copies), np.hstack([y] * len(copies))


def jitter_images(X, max_shift=1, seed=0, side=8):
    """Each image shifted by its own random ``(dx, dy)`` in ``[-max_shift, max_shift]^2``: digits
    written a little off-centre, as a scanner or a camera would deliver them."""
    check_number("max_shift", max_shift, low=0, high=side - 1, integer=True)
    X = check_X(X, n_x=side * side)
    rng = np.random.default_rng(seed)
    offsets = rng.integers(-max_shift, max_shift + 1, size=(X.shape[1], 2))
    out = np.empty_like(X)
    for dx in range(-max_shift, max_shift + 1):
        for dy in range(-max_shift, max_shift + 1):
            chosen = (offsets[:, 0] == dx) & (offsets[:, 1] == dy)
            if chosen.any():
                out[:, chosen] = shift_images(X[:, chosen], int(dx), int(dy), side)
    return out


def tilt_images(X, max_degrees=20.0, seed=0, side=8):
    """Each image rotated by its own random angle, uniform in ``[-max_degrees, max_degrees]``:
    digits written at a slant, as different hands write them."""
    check_number("max_degrees", max_degrees, low=0, high=180)
    X = check_X(X, n_x=side * side)
    angles = np.random.default_rng(seed).uniform(-max_degrees, max_degrees, X.shape[1])
    # every image at once, each with its own inverse rotation
    return _resample(_images(X, side), _rotation_source(angles, side)).reshape(-1, side * side).T


# ---------------------------------------------------------------- the live experiment's grid


@dataclass
class LambdaGrid:
    """Networks of :func:`train_lambda_grid`, indexed by ``(penalty, lambd)``.

    Each result holds ``train_accuracy``, ``dev_accuracy``, ``weight_norm``, ``sparsity``,
    ``near_linear`` (fraction of hidden ``|z| < NEAR_LINEAR_Z`` on the dev set), ``proba`` (the
    boundary on the grid), ``w_counts`` and ``z_counts`` (histograms over ``w_bins``, ``z_bins``).
    """

    lambdas: tuple
    penalties: tuple
    hidden: str
    extent: tuple
    points: tuple  # (X, Y, X_dev, Y_dev)
    w_bins: np.ndarray
    z_bins: np.ndarray
    results: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)  # penalty -> stacked params (one network per lambd)

    def __getitem__(self, key):
        return self.results[key]

    def curve(self, quantity, penalty="l2"):
        """``(lambdas, values)`` of one quantity along the lambda axis."""
        return np.array(self.lambdas), np.array([self.results[(penalty, lam)][quantity] for lam in self.lambdas])


def train_lambda_grid(lambdas=(0.0, 0.1, 0.3, 1.0, 3.0, 10.0), penalties=("l2", "l1"),
                      layer_dims=(2, 50, 50, 1), hidden="tanh", num_epochs=300, learning_rate=0.03,
                      data_kwargs=None, grid_n=64, seed=0, progress=False):
    """Train one network per ``(penalty, lambd)`` on :func:`overfitting_data` with Adam.

    All networks start from the same Xavier initialization (seed ``seed + 1``); the networks of one
    penalty are one stack, trained in a single :func:`helpers.model.fit` call (with one BLAS thread,
    see :mod:`helpers.blas`).
    """
    with single_thread():
        return _train_lambda_grid(lambdas, penalties, layer_dims, hidden, num_epochs, learning_rate, data_kwargs,
                                  grid_n, seed, progress)


def _train_lambda_grid(lambdas, penalties, layer_dims, hidden, num_epochs, learning_rate, data_kwargs, grid_n, seed,
                       progress):
    lambdas = tuple(float(l) for l in lambdas)
    if any(l < 0 for l in lambdas):
        raise ValueError(f"lambdas must be >= 0; got {lambdas!r}")
    for p in penalties:
        check_choice("penalty", p, model.PENALTIES)
    X, Y, X_dev, Y_dev = overfitting_data(**(data_kwargs or {}), seed=seed)
    grid_points, extent = plots.decision_grid(np.array([[-1.7, 2.7], [-1.3, 1.8]]), n=grid_n, pad=0.0)
    grid = LambdaGrid(lambdas, tuple(penalties), hidden, extent, (X, Y, X_dev, Y_dev),
                      w_bins=np.linspace(-3, 3, 41), z_bins=np.linspace(-6, 6, 41))
    init = model.init_params(list(layer_dims), init="xavier", seed=seed + 1)
    stack = model.stack_params([init] * len(lambdas))
    jobs = penalties
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(penalties, desc="training one stack per penalty", leave=False)
    for penalty in jobs:
        trained, _ = model.fit(X, Y, stack, optim.adam(learning_rate), num_epochs=num_epochs, hidden=hidden,
                               lambd=np.array(lambdas), penalty=penalty)
        grid.params[penalty] = trained
        train_acc = model.accuracy(X, Y, trained, hidden)
        dev_acc = model.accuracy(X_dev, Y_dev, trained, hidden)
        norms = model.weight_norm(trained)
        sparse = sparsity(trained)
        Zs = hidden_preactivations(X_dev, trained, hidden)
        linear = near_linear_fraction(Zs)
        proba = model.predict_proba(grid_points, trained, hidden)[:, 0, :].astype(np.float32)
        L = model.num_layers(trained)
        for k, lam in enumerate(lambdas):
            weights = np.concatenate([trained[f"W{l}"][k].ravel() for l in range(1, L + 1)])
            z_values = np.concatenate([Z[k].ravel() for Z in Zs])
            grid.results[(penalty, lam)] = {
                "train_accuracy": float(train_acc[k]), "dev_accuracy": float(dev_acc[k]),
                "weight_norm": float(norms[k]), "sparsity": float(sparse[k]), "near_linear": float(linear[k]),
                "proba": proba[k],
                "w_counts": np.histogram(np.clip(weights, grid.w_bins[0], grid.w_bins[-1]), grid.w_bins)[0],
                "z_counts": np.histogram(np.clip(z_values, grid.z_bins[0], grid.z_bins[-1]), grid.z_bins)[0],
            }
    return grid


# ---------------------------------------------------------------- the exercise


def _exercise_network(seed=0):
    rng = np.random.default_rng(seed)
    params = model.init_params([3, 4, 2, 1], init="random", scale=1.0, seed=seed)
    return {k: v + rng.standard_normal(v.shape) for k, v in params.items()}  # non-zero biases


@exercises.checker("the L2 cost term")
def check_l2_cost_term(l2_cost_term_fn):
    """Check a learner's ``l2_cost_term_fn(params, lambd, m) -> float`` against :func:`l2_penalty`.

    Names the mistake: a missing 1/2, 1/m or lambda, the biases included, absolute values instead
    of squares, the square of the sum, a norm instead of its square, only W1 counted.
    """
    params = _exercise_network()
    lambd, m = 0.7, 5
    got = exercises.expect_array("the L2 term", exercises.call(l2_cost_term_fn, params, lambd, m))
    if got.shape != ():
        raise exercises.Mistake(f"return one number (the sum over every layer and entry); got an array of shape {got.shape}")
    got = float(got)
    expected = l2_penalty(params, lambd, m)
    if np.isclose(got, expected, rtol=1e-10):
        return f"lambd / (2m) * sum_l ||W[l]||_F^2 (biases excluded) = {expected:.6f} here"
    squares = sum(np.sum(params[f"W{l}"] ** 2) for l in (1, 2, 3))
    with_b = squares + sum(np.sum(params[f"b{l}"] ** 2) for l in (1, 2, 3))
    diagnoses = [
        (lambd / m * squares, "twice the expected value: the L2 term is lambd/(2m) * sum ||W||^2 (the 1/2 is missing)"),
        (lambd / 2 * squares, "m times too large: divide by m (the number of examples), lambd/(2m)"),
        (lambd / 2 * m * squares, "m^2 times too large: lambd / 2 * m multiplies by m (Python reads it as "
                                  "(lambd / 2) * m); write lambd / (2 * m)"),
        (squares / (2 * m), "lambd is missing: the term is lambd/(2m) * sum ||W||^2"),
        (lambd / (2 * m) * with_b, "the biases are included: only the weights W[l] are penalized"),
        (lambd / (2 * m) * np.sum(params["W1"] ** 2), "only W1 is counted: sum ||W[l]||^2 over every layer l"),
        (lambd / (2 * m) * sum(np.sum(np.abs(params[f"W{l}"])) for l in (1, 2, 3)),
         "absolute values: that is the L1 norm; L2 sums the squares of the weights"),
        (lambd / (2 * m) * sum(np.sum(params[f"W{l}"]) ** 2 for l in (1, 2, 3)),
         "the square of the sum: ||W||_F^2 is the sum of the squared entries"),
        (lambd / (2 * m) * sum(np.sqrt(np.sum(params[f"W{l}"] ** 2)) for l in (1, 2, 3)),
         "norms, not their squares: ||W||_F^2 is the sum of the squared entries"),
    ]
    for value, message in diagnoses:
        if np.isclose(got, value, rtol=1e-10):
            raise exercises.Mistake(f"got {got:.6f}, expected {expected:.6f}: {message}")
    raise exercises.Mistake(f"got {got:.6f}, expected lambd/(2m) * sum_l ||W[l]||_F^2 = {expected:.6f} "
                            f"(for lambd={lambd}, m={m} and a 3-layer network)")


@exercises.checker("the L2 term's backward")
def check_l2_backward(l2_backward_fn):
    """Check a learner's ``l2_backward_fn(grads, params, lambd, m) -> grads`` against :func:`l2_backward`.

    Names the mistake: the 1/2 of the cost kept (lambd/(2m)), a missing 1/m or lambda, a 2 from
    differentiating the square without the cost's 1/2, the biases decayed, L1's sign(W), a layer skipped.
    """
    params = _exercise_network(seed=1)
    rng = np.random.default_rng(2)
    grads = {"d" + k: rng.standard_normal(v.shape) for k, v in params.items()}
    lambd, m = 0.7, 5
    given = {k: v.copy() for k, v in grads.items()}
    arrays = dict(given)
    got = exercises.call_in_place(l2_backward_fn, given, params, lambd, m)
    changed = [k for k in grads if given.get(k) is not arrays[k] or not np.array_equal(arrays[k], grads[k])]
    if changed or set(given) != set(grads):
        raise exercises.Mistake(f"the grads you were given changed ({', '.join(changed) or 'its keys'}): return a new "
                                "dict (new = dict(grads), then new[name] = grads[name] + ...), and leave the caller's "
                                "gradients as they were; += on them adds the term again at every call")
    exercises.expect_keys("the returned grads", got, list(grads))
    expected = l2_backward(grads, params, lambd, m)
    for name in grads:
        exercises.expect_shape(name, got[name], grads[name].shape, transposed_hint=f"{name} has the shape of {name[1:]}")
    for l in (1, 2, 3):
        if not np.allclose(got[f"db{l}"], grads[f"db{l}"], rtol=1e-10, atol=1e-12):
            raise exercises.Mistake(f"db{l} changed: the L2 term penalizes the weights only, so db stays the "
                                    "cross-entropy's gradient")
    for l in (1, 2, 3):
        name, W, dW = f"dW{l}", params[f"W{l}"], grads[f"dW{l}"]
        if np.allclose(got[name], expected[name], rtol=1e-10, atol=1e-12):
            continue
        diagnoses = [
            (dW, f"{name} is unchanged: add lambd / m * W{l}"),
            (dW + lambd / (2 * m) * W, f"{name} adds lambd/(2m) W{l}: the 1/2 of the cost cancels against the 2 "
                                       "of d(w^2)/dw, so the gradient is lambd/m W"),
            (dW + 2 * lambd / m * W, f"{name} adds 2 lambd/m W{l}: the cost's 1/2 cancels the 2 of d(w^2)/dw"),
            (dW + lambd * W, f"{name} adds lambd W{l}: the 1/m is missing (lambd / m * W)"),
            (dW + W / m, f"{name} adds W{l} / m: lambd is missing (lambd / m * W)"),
            (dW + lambd / m * np.sign(W), f"{name} adds lambd/m sign(W{l}): that is L1's gradient; L2's is lambd/m W"),
            (lambd / m * W, f"{name} is only the L2 part: add it to the cross-entropy's dW{l}, do not replace it"),
        ]
        for value, message in diagnoses:
            if np.allclose(got[name], value, rtol=1e-10, atol=1e-12):
                raise exercises.Mistake(message)
        exercises.expect_close(name, got[name], expected[name], rtol=1e-10, atol=1e-12, hint=f"expected dW{l} + lambd/m W{l}")
    return "dW[l] + lambd/m W[l] in every layer, db unchanged"
