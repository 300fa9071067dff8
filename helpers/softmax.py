"""Chapter 10: softmax regression and a softmax network on real MNIST digits.

The stable softmax and the categorical cross-entropy from logits live in :mod:`helpers.layers`
(``softmax``, ``softmax_cross_entropy`` with ``dZ = (A - Y) / m``); :mod:`helpers.model` uses a
softmax output whenever ``n[L] >= 2``. This module adds what the chapter shows around them:

- :func:`softmax` with a temperature ``T`` (``softmax(Z / T)``) and :func:`hardmax`;
- :func:`train_blob_regressions`: softmax regression (no hidden layer) on 2-D blobs for several
  numbers of classes, with its logits on a grid, and :func:`region_image` to shade the decision
  regions at any temperature;
- :func:`train_mnist`: the source notes' network ``784-128-10`` on real MNIST digits (Adam,
  mini-batches of 64, 5 epochs, a validation split and a separate test split), :func:`confusion_matrix`
  and two drawing functions (saving the whole model is :func:`helpers.model.save_model`);
- :func:`check_softmax`, :func:`check_softmax_cross_entropy_backward`: the checkers of the
  chapter's exercises (with the reference :func:`softmax_cross_entropy_backward`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from matplotlib.colors import to_rgb

from . import data, exercises, layers, model, optim, plots
from .validate import as_float_array, check_choice, check_labels, check_number, error
from .blas import single_thread

__all__ = [
    "softmax",
    "hardmax",
    "confusion_matrix",
    "BlobRegressions",
    "train_blob_regressions",
    "region_image",
    "MnistResult",
    "train_mnist",
    "draw_confusion_matrix",
    "draw_digit_examples",
    "check_softmax",
    "softmax_cross_entropy_backward",
    "check_softmax_cross_entropy_backward",
]


def softmax(Z, temperature=1.0):
    """``softmax(Z / T)`` column by column for logits ``Z`` ``(C, m)``.

    ``T = 1`` is the plain softmax; ``T -> 0`` tends to :func:`hardmax` (all the mass on the
    largest logit), ``T -> inf`` to the uniform ``1/C``. The order of the probabilities, hence the
    predicted class, never depends on ``T``. Computed as ``t = exp(Z/T - max(Z/T))``, ``t / sum t``
    (:func:`helpers.layers.softmax`): finite for any finite logits, however large.
    """
    Z = as_float_array("Z", Z, ndim=2)
    if Z.shape[0] < 2:
        raise error("Z", f"shape {Z.shape}", "(C, m) logits with C >= 2 rows, one per class",
                    "pass Z.T" if Z.shape[1] >= 2 else None)
    check_number("temperature", temperature, low=0, low_open=True)
    return layers.softmax(Z / temperature)


def hardmax(Z):
    """One-hot ``(C, m)`` with a 1 at the largest logit of each column (the first one on a tie)."""
    Z = as_float_array("Z", Z, ndim=2)
    if Z.shape[0] < 2:
        raise error("Z", f"shape {Z.shape}", "(C, m) logits with C >= 2 rows, one per class",
                    "pass Z.T" if Z.shape[1] >= 2 else None)
    out = np.zeros_like(Z)
    out[Z.argmax(axis=0), np.arange(Z.shape[1])] = 1.0
    return out


def confusion_matrix(y_true, y_pred, n_classes):
    """``counts[i, j]``: how many examples of true class ``i`` were predicted as class ``j``.

    ``y_true`` and ``y_pred`` hold integer labels in ``0..n_classes-1``, shape ``(1, m)`` or ``(m,)``.
    """
    check_number("n_classes", n_classes, low=2, integer=True)
    t = as_float_array("y_true", y_true, ndim=(1, 2)).reshape(-1)
    p = as_float_array("y_pred", y_pred, ndim=(1, 2)).reshape(-1)
    if t.size != p.size:
        raise error("y_pred", f"{p.size} labels", f"as many as y_true ({t.size})")
    for name, y in (("y_true", t), ("y_pred", p)):
        if np.any(y != np.round(y)) or np.any(y < 0) or np.any(y >= n_classes):
            raise error(name, f"values in [{y.min()}, {y.max()}]", f"integer labels in 0..{n_classes - 1}")
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (t.astype(int), p.astype(int)), 1)
    return counts


# ---------------------------------------------------------------- softmax regression on blobs


@dataclass
class BlobRegressions:
    """Results of :func:`train_blob_regressions`, one entry per number of classes ``C``.

    ``X[C]`` ``(2, m)`` and ``y[C]`` ``(1, m)`` the blobs, ``params[C]`` the trained ``W1`` ``(C, 2)``
    and ``b1`` ``(C, 1)``, ``grid_logits[C]`` ``(C, grid_n * grid_n)`` the logits on the grid of
    ``extent``, ``train_accuracy[C]``.
    """

    class_counts: tuple
    extent: tuple
    grid_n: int
    X: dict = field(default_factory=dict)
    y: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    grid_logits: dict = field(default_factory=dict)
    train_accuracy: dict = field(default_factory=dict)


def train_blob_regressions(class_counts=(2, 3, 4, 5, 6), m=200, cluster_std=1.0, num_epochs=200,
                           learning_rate=0.1, grid_n=100, seed=0):
    """Softmax regression (``layer_dims = [2, C]``, no hidden layer) on 2-D blobs, for each ``C``.

    Full-batch Adam from ``W = 0``; the blobs of ``C`` classes come from
    :func:`helpers.data.make_blobs` with ``centers=C`` (standardized). The logits on a common
    ``grid_n x grid_n`` grid are kept so that any temperature can be applied afterwards.
    """
    if not all(isinstance(c, (int, np.integer)) and 2 <= c <= len(plots.CLASS_COLORS) for c in class_counts):
        raise error("class_counts", repr(class_counts), f"integers in [2, {len(plots.CLASS_COLORS)}]", "(2, 3, 5)")
    check_number("grid_n", grid_n, low=2, integer=True)
    grid, extent = plots.decision_grid(np.array([[-2.6, 2.6], [-2.6, 2.6]]), n=grid_n, pad=0.0)
    result = BlobRegressions(tuple(class_counts), extent, grid_n)
    with single_thread():
        for C in class_counts:
            X, y = data.make_blobs(m, centers=C, cluster_std=cluster_std, seed=seed + C)
            Y = data.one_hot(y, C)
            params, _ = model.fit(X, Y, model.init_params([2, C], init="zeros"), optim.adam(learning_rate),
                                  num_epochs=num_epochs)
            ZL, _ = model.forward(grid, params, mode="test")
            result.X[C], result.y[C], result.params[C] = X, y, params
            result.grid_logits[C] = ZL
            result.train_accuracy[C] = float(model.accuracy(X, Y, params))
    return result


def region_image(grid_logits, temperature=1.0, colors=None, lighten=0.0):
    """Decision regions as an RGB image ``(n, n, 3)``: each pixel mixes the class colours by ``softmax(Z / T)``.

    A pixel where one class has probability ~1 shows that class's colour; one where the classes
    share the mass shows a blend (grey-brown when they are near uniform). ``grid_logits`` is
    ``(C, n * n)`` on the grid of :func:`helpers.plots.decision_grid`. ``lighten`` in [0, 1) mixes
    that much white into every pixel (so that points drawn in the class colours stand out).
    """
    check_number("lighten", lighten, low=0, high=1, high_open=True)
    P = softmax(grid_logits, temperature)
    C = P.shape[0]
    palette = np.array([to_rgb(c) for c in (colors or plots.CLASS_COLORS)[:C]])  # (C, 3)
    if palette.shape[0] < C:
        raise error("colors", f"{palette.shape[0]} colours", f"one per class ({C})")
    n = int(round(np.sqrt(P.shape[1])))
    if n * n != P.shape[1]:
        raise error("grid_logits", f"{P.shape[1]} points, not a square number",
                    "(C, n * n) on a square grid", "the grid of helpers.plots.decision_grid")
    rgb = (1 - lighten) * (P.T @ palette) + lighten
    return np.clip(rgb, 0.0, 1.0).reshape(n, n, 3)


# ---------------------------------------------------------------- the MNIST network


@dataclass
class MnistResult:
    """What :func:`train_mnist` returns: the trained network, its history and the three splits.

    The test split is returned untouched: :func:`train_mnist` never evaluates it, so that the
    chapter can evaluate it once, at the very end, apart from the validation it watched.
    """

    params: dict
    hidden: str
    history: dict
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    train_accuracy: float
    val_accuracy: float
    seconds: float

    def predict(self, X):
        """Predicted digits ``(1, m)`` for images ``X`` ``(784, m)``."""
        return model.predict(X, self.params, self.hidden)


def train_mnist(hidden_units=128, learning_rate=0.003, beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=5,
                mini_batch_size=64, fractions=(0.7, 0.1, 0.2), seed=0, progress=False):
    """Train ``[784, hidden_units, 10]`` (one ReLU hidden layer, softmax output) on real MNIST digits.

    The 5,000 images of :func:`helpers.data.load_mnist` are shuffled with ``seed`` and cut into
    training, validation and test parts of ``fractions``. Adam with the given hyperparameters,
    mini-batches of ``mini_batch_size``, He initialization; the validation cost is recorded every
    epoch (``history["dev_cost"]``). The test part is only returned, never used here.
    """
    check_number("hidden_units", hidden_units, low=1, integer=True)
    if len(fractions) != 3:
        raise error("fractions", repr(fractions), "three numbers (train, validation, test)", "(0.8, 0.1, 0.1)")
    X, y = data.load_mnist()
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = data.train_dev_test_split(X, y, fractions, seed=seed)
    params = model.init_params([X.shape[0], hidden_units, 10], init="he", seed=seed)
    Y_train, Y_val = data.one_hot(y_train, 10), data.one_hot(y_val, 10)
    start = time.perf_counter()
    params, history = model.fit(X_train, Y_train, params, optim.adam(learning_rate, beta1, beta2, epsilon),
                                num_epochs=num_epochs, mini_batch_size=mini_batch_size, seed=seed,
                                X_dev=X_val, Y_dev=Y_val, progress=progress)
    seconds = time.perf_counter() - start
    return MnistResult(params, "relu", history, X_train, y_train, X_val, y_val, X_test, y_test,
                       float(model.accuracy(X_train, Y_train, params)), float(model.accuracy(X_val, Y_val, params)),
                       seconds)


def draw_confusion_matrix(ax, counts, title="confusion matrix"):
    """Counts as an image with the number in each cell; returns the AxesImage."""
    counts = np.asarray(counts)
    C = counts.shape[0]
    image = ax.imshow(counts, cmap="Blues")
    top = counts.max()
    for i in range(C):
        for j in range(C):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=10,
                        color="white" if counts[i, j] > top / 2 else "black")
    ax.set_xticks(range(C))
    ax.set_yticks(range(C))
    plots.style_axes(ax, title, "predicted digit", "true digit")
    return image


def draw_digit_examples(axes, X, y_true, y_pred):
    """One square image (8x8 or 28x28 pixels) per axis with its true and predicted digit (red title when they differ)."""
    X = as_float_array("X", X, ndim=2)
    side = int(round(np.sqrt(X.shape[0])))
    if side * side != X.shape[0]:
        raise error("X", f"{X.shape[0]} rows", "square images, one per column (64 or 784 pixels)",
                    "pass X.T" if X.shape[1] in (64, 784) else None)
    for ax, x, t, p in zip(np.ravel(axes), X.T, np.ravel(y_true), np.ravel(y_pred)):
        ax.imshow(x.reshape(side, side), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"true {int(t)}, pred {int(p)}", fontsize=10, color="black" if t == p else plots.COLORS["alert"])
        ax.set_xticks([])
        ax.set_yticks([])
    return axes


# ---------------------------------------------------------------- exercise checkers


@exercises.checker("a stable softmax")
def check_softmax(fn):
    """Check a learner's ``fn(Z) -> A``: the column-wise softmax of logits ``Z`` ``(C, m)``.

    Names the usual mistakes: overflow for logits of +-1000 (the max was not subtracted), the
    normalization along the wrong axis, the max of the whole array subtracted instead of each
    column's own, a wrong shape. Returns a :class:`helpers.exercises.Result`.
    """
    small = np.array([[1.0, 2.0, -1.0, 0.5], [0.0, 2.0, 3.0, -0.5], [-2.0, 1.0, 0.0, 0.0]])
    big = np.array([[1000.0, -1000.0, 5.0], [999.0, -1001.0, 4.0], [0.0, -1002.0, 3.0]])
    with np.errstate(all="ignore"):  # the overflow of a naive softmax is reported in words below
        got_small = exercises.expect_shape("softmax(Z)", exercises.call(fn, small), small.shape,
                                           "it is transposed: one column per example")
        got_big = exercises.expect_array("softmax(Z)", exercises.call(fn, big))
    if not np.allclose(got_small, layers.softmax(small)):
        rows = np.exp(small) / np.exp(small).sum(axis=1, keepdims=True)
        if np.allclose(got_small, rows):
            raise exercises.Mistake("you normalize along axis 1 (each row sums to 1); each column is one example: "
                                    "sum over the classes, axis=0, keepdims=True")
        t_rows = np.exp(small - small.max(axis=1, keepdims=True))
        if np.allclose(got_small, t_rows / t_rows.sum(axis=0, keepdims=True)):
            raise exercises.Mistake("you subtract each row's max (axis=1); the shift that cancels is the same number "
                                    "for all the classes of one example: each column's max, Z.max(axis=0, keepdims=True)")
        if np.allclose(got_small, np.log(layers.softmax(small))):
            raise exercises.Mistake("this is the log of the softmax (log-probabilities); return the probabilities "
                                    "t / sum(t) with t = exp(z - max z)")
        if np.allclose(got_small.sum(axis=0), 1.0):
            raise exercises.Mistake("the columns sum to 1 but the values differ from exp(z) / sum(exp(z))")
        raise exercises.Mistake(f"the columns of your output sum to {np.round(got_small.sum(axis=0), 3).tolist()}, "
                                "not 1: divide t = exp(z) by its column sum")
    if got_big.shape != big.shape:
        raise exercises.Mistake(f"softmax(Z) has shape {got_big.shape} for Z of shape {big.shape}; it must keep Z's shape")
    if not np.all(np.isfinite(got_big)):
        bad_columns = sorted(set(np.where(~np.isfinite(got_big))[1].tolist()))
        if 1 in bad_columns and 0 not in bad_columns:
            raise exercises.Mistake("column 1 (logits near -1000) gives NaN: subtract each column's own max "
                                    "(Z.max(axis=0, keepdims=True)), not the max of the whole array")
        raise exercises.Mistake(f"NaN/inf in column(s) {bad_columns} for logits of +-1000: exp(1000) is beyond the "
                                "largest float64 (inf); compute t = exp(z - max(z)) instead: the same result, and "
                                "every exponent is <= 0")
    if not np.allclose(got_big, layers.softmax(big)):
        raise exercises.Mistake("correct for small logits but not for logits of +-1000: subtract each column's max")
    return "stable (exp(z - max z)), one distribution per column"


def softmax_cross_entropy_backward(A, Y):
    """The reference of chapter 10's exercise: ``dZ = (A - Y) / m`` for ``A = softmax(Z)`` and one-hot ``Y``.

    ``A`` and ``Y`` are ``(C, m)``. The ``1/m`` of the cost sits in ``dZ``, as in
    :func:`helpers.layers.softmax_cross_entropy` (the course's convention).
    """
    A = as_float_array("A", A, ndim=2)
    Y = as_float_array("Y", Y, ndim=2)
    if A.shape != Y.shape:
        fix = "pass A.T" if A.shape[::-1] == Y.shape else None
        raise error("A", f"shape {A.shape}", f"Y's shape {Y.shape}: (C, m), one column per example", fix)
    check_labels(Y, m=A.shape[1], n_classes=A.shape[0])
    return (A - Y) / A.shape[1]


@exercises.checker("softmax cross-entropy backward")
def check_softmax_cross_entropy_backward(fn):
    """Check a learner's ``fn(A, Y) -> dZ``, the gradient of the mean cross-entropy w.r.t. the logits.

    Names the usual mistakes: the ``1/m`` left out (or divided by ``C``), the sign flipped
    (``Y - A``), the sigmoid's ``A (1 - A)`` factor carried over from logistic regression, a
    transposed result. Returns a :class:`helpers.exercises.Result`.
    """
    rng = np.random.default_rng(3)
    C, m = 4, 6  # C != m, so that dividing by the wrong one shows
    Z = rng.standard_normal((C, m)) * 2
    Y = data.one_hot(rng.integers(0, C, (1, m)), C)
    A = layers.softmax(Z)
    expected = layers.softmax_cross_entropy(Z, Y)[1]
    got = exercises.expect_shape("dZ", exercises.call(fn, A, Y), (C, m), "it is transposed: dZ has the shape of Z, (C, m)")
    if np.allclose(got, expected):
        return "dZ = (A - Y) / m, the 1/m of the mean cost included"
    diagnoses = [
        (A - Y, "dZ is m times too large: the cost is a mean over the m examples, so dZ = (A - Y) / m"),
        ((A - Y) / C, "you divided by C (the number of classes); the cost averages over the m examples: divide by m"),
        ((Y - A) / m, "the sign is flipped: dJ/dZ = (A - Y) / m, not (Y - A) / m"),
        ((A - Y) * A * (1 - A) / m, "drop the A (1 - A) factor: for softmax with cross-entropy it cancels, "
                                    "dZ = (A - Y) / m"),
        (-Y / A / m, "this is dJ/dA; chain it through the softmax: dZ = (A - Y) / m"),
    ]
    for wrong, message in diagnoses:
        if np.allclose(got, wrong):
            raise exercises.Mistake(message)
    exercises.expect_close("dZ", got, expected)
    return "dZ = (A - Y) / m"
