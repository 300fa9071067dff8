"""Property-based tests: every mistake a learner makes with the public API is a clear ValueError.

Hypothesis draws a valid call of a public function (shapes, values, seeds), then the test makes
every mistake of one class with it (tests/strategies.py lists the classes: transposed arrays,
wrong label sets, missing or extra parameter keys, empty data, NaN/inf, bool/str/None/numeric
strings for numbers, out-of-range hyperparameters, wrong types). Each mistake must end in a
ValueError raised from a helpers module: not a numpy error, not a warning (the suite turns
warnings into errors), not a returned result. Valid but extreme inputs (|z| = 1000, gradients of
1e300, batches of one) must give finite results with no warning.

Every test is derandomized (same inputs on every run). The counts of inputs tried per class are
printed at the end of the module.
"""

from __future__ import annotations

import importlib
import traceback
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from helpers import data, gradcheck, layers, model, optim, schedules, surfaces, validate
from strategies import (
    EMPTY,
    HELPERS,
    LABELS,
    MISTAKES,
    NONFINITE,
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    PARAMS,
    TRANSPOSED,
    TRIED,
    VALID_TRIED,
    WRONG_TYPE,
    Arr,
    Choice,
    Flag,
    Grads,
    Labels,
    Num,
    Params,
    Rng,
    Target,
    binary_labels,
    distinct_dims,
    expect_value_error,
    finite_everywhere,
    floats,
    one_form,
    one_hot_labels,
)

# No shrinking: the inputs are small already, and a derandomized run reports the same case every time.
SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None,
                phases=(Phase.explicit, Phase.generate), report_multiple_bugs=False)
SHORT = {TRANSPOSED: "transposed", LABELS: "labels", PARAMS: "params", EMPTY: "empty", NONFINITE: "nonfinite",
         NOT_A_NUMBER: "not-a-number", OUT_OF_RANGE: "out-of-range", WRONG_TYPE: "wrong-type"}
MESSAGES = {}  # target name -> messages not in the one form (reported, asserted for core modules)


def chapter(*names):
    """A chapter module under its new name or its old one (renames are in progress)."""
    for name in names:
        try:
            return importlib.import_module(f"helpers.{name}")
        except ModuleNotFoundError:
            continue
    return None


# ---------------------------------------------------------------- recipes for valid calls


def _net(draw, n_x, m, C=1, depth=None):
    depth = draw(st.integers(1, 2)) if depth is None else depth
    hidden = distinct_dims(draw, depth, 2, 6)
    dims = [n_x, *hidden, C]
    return model.init_params(dims, seed=draw(st.integers(0, 100)))


def _xy(draw, C=1):
    n_x, m = distinct_dims(draw, 2, 2, 9)
    X = floats(draw, (n_x, m))
    Y = binary_labels(draw, m) if C == 1 else one_hot_labels(draw, C, m)
    return X, Y


def b_network(draw, C=1):
    X, Y = _xy(draw, C)
    params = _net(draw, X.shape[0], X.shape[1], C)
    # A layer as wide as m or n_x would make a transposed X look right to W1: keep them apart.
    assume(all(params[k].shape[0] not in X.shape for k in params if k.startswith("W") and k != f"W{model.num_layers(params)}"))
    return X, Y, params


def b_fit(draw):
    X, Y, params = b_network(draw)
    return dict(X=X, Y=Y, params=params, num_epochs=2, mini_batch_size=draw(st.integers(1, 4)),
                lambd=0.1, keep_prob=0.8, bn_momentum=0.9, seed=0, hidden="tanh", penalty="l2")


def b_cost_and_grads(draw):
    X, Y, params = b_network(draw, C=draw(st.sampled_from([1, 3])))
    return dict(X=X, Y=Y, params=params, hidden="relu", lambd=0.5, penalty="l1")


def b_forward(draw):
    X, _, params = b_network(draw)
    return dict(X=X, params=params, hidden="tanh", keep_prob=0.5, rng=np.random.default_rng(0), mode="train")


def b_cost(draw):
    X, Y, params = b_network(draw)
    ZL, _ = model.forward(X, params)
    return dict(ZL=ZL, Y=Y, params=params, lambd=0.1, penalty="l2")


def b_predict(draw):
    X, _, params = b_network(draw)
    return dict(X=X, params=params, hidden="relu")


def b_accuracy(draw):
    X, Y, params = b_network(draw, C=draw(st.sampled_from([1, 4])))
    return dict(X=X, Y=Y, params=params, hidden="relu")


def b_init_params(draw):
    return dict(layer_dims=[3, 4, 1], init=draw(st.sampled_from(["he", "xavier"])), scale=1.0,
                seed=draw(st.integers(0, 10)), batchnorm=draw(st.booleans()))


def b_params_only(draw):
    X, _, params = b_network(draw)
    return dict(params=params)


def b_X(draw, name="X"):
    n_x, m = distinct_dims(draw, 2, 2, 9)
    return {name: floats(draw, (n_x, m))}


def b_xy_split(draw):
    X, Y = _xy(draw)
    return dict(X=X, Y=Y, fractions=(0.5, 0.5), seed=draw(st.integers(0, 9)))


def b_mini_batches(draw):
    X, Y = _xy(draw)
    return dict(X=X, Y=Y, mini_batch_size=draw(st.integers(1, 4)), seed=draw(st.integers(0, 9)))


def b_mini_batches_rng(draw):
    X, Y = _xy(draw)
    return dict(X=X, Y=Y, mini_batch_size=draw(st.integers(1, 4)), rng=np.random.default_rng(0))


def b_standardize(draw):
    n_x, m = distinct_dims(draw, 2, 2, 9)
    X = floats(draw, (n_x, m))
    mu, sigma = data.fit_standardizer(X)
    return dict(X=X, mu=mu, sigma=sigma)


def b_affine(draw):
    n_prev, n, m = distinct_dims(draw, 3, 1, 7)
    return dict(A_prev=floats(draw, (n_prev, m)), W=floats(draw, (n, n_prev)), b=floats(draw, (n, 1)))


def b_affine_backward(draw):
    kw = b_affine(draw)
    Z, cache = layers.affine_forward(**kw)
    return dict(dZ=floats(draw, Z.shape), cache=cache, need_dA_prev=True)


def b_Z(draw, rows=None):
    n, m = distinct_dims(draw, 2, 1, 7) if rows is None else (rows, draw(st.integers(2, 7)))
    return dict(Z=floats(draw, (n, m)))


def b_Z2(draw):
    C, m = distinct_dims(draw, 2, 2, 7)
    return dict(Z=floats(draw, (C, m)))


def b_activation_backward(forward):
    def build(draw):
        Z = b_Z(draw)["Z"]
        A, cache = forward(Z)
        return dict(dA=floats(draw, A.shape), cache=cache)
    return build


def b_bce(draw):
    m = draw(st.integers(2, 9))
    return dict(Z=floats(draw, (1, m)), Y=binary_labels(draw, m))


def b_sce(draw):
    C, m = distinct_dims(draw, 2, 2, 7)
    return dict(Z=floats(draw, (C, m)), Y=one_hot_labels(draw, C, m))


def b_dropout(draw):
    return dict(A=b_Z(draw)["Z"], keep_prob=draw(st.sampled_from([0.5, 0.8, 1.0])), rng=np.random.default_rng(0))


def b_dropout_backward(draw):
    kw = b_dropout(draw)
    kw["keep_prob"] = 0.5
    A, cache = layers.dropout_forward(**kw)
    return dict(dA=floats(draw, A.shape), cache=cache)


def b_batchnorm(draw):
    n, m = distinct_dims(draw, 2, 2, 7)
    return dict(Z=floats(draw, (n, m)), gamma=np.ones((n, 1)), beta=np.zeros((n, 1)), mode="train", epsilon=1e-5)


def b_batchnorm_backward(draw):
    kw = b_batchnorm(draw)
    out, cache = layers.batchnorm_forward(**kw)
    return dict(dout=floats(draw, out.shape), cache=cache)


def b_grads(draw, complete=True):
    X, Y, params = b_network(draw)
    _, grads = model.cost_and_grads(X, Y, params)
    return X, Y, params, grads


def b_optimizer(name):
    def build(draw):
        _, _, params, grads = b_grads(draw)
        return dict(name=name, params=params, grads=grads)
    return build


def optimizer_step(name, params, grads):
    """One step of ``optim.make(name)`` (the init/update pair a training loop calls)."""
    opt = optim.make(name, 0.01)
    return opt.update(params, grads, opt.init(params))


def b_gradient_check(draw):
    X, Y, params, grads = b_grads(draw)
    return dict(cost_fn=lambda p: model.cost_and_grads(X, Y, p)[0], params=params, grads=grads, epsilon=1e-7)


def b_numerical_gradient(draw):
    x = floats(draw, (3, 2))
    return dict(f=lambda: float(np.sum(x ** 2)), x=x, epsilon=1e-6, method="two-sided")


def b_two_arrays(draw, a="approx", b="exact"):
    shape = tuple(distinct_dims(draw, 2, 1, 6))
    return {a: floats(draw, shape), b: floats(draw, shape)}


def b_replay(draw):
    return dict(surface=surfaces.get("quadratic"), optimizer=optim.gd(0.1),
                start=np.array([draw(st.floats(-1, 1)), 0.5]), num_steps=draw(st.integers(1, 5)))


def target(name, fn, build, kinds, data=(), xfail=None):
    return Target(name, fn, build, kinds, data, xfail or {})


def seeded(**spec):
    """A recipe that always gives the same arguments."""
    return lambda draw: dict(spec)


# ---------------------------------------------------------------- core targets

INT0 = Num(0, integer=True)
POS = Num(0, low_open=True)
NONNEG = Num(0)
PROB_OPEN_LOW = Num(0, 1, low_open=True)
BETA = Num(0, 1, high_open=True)
KEEP_PROB = Num(0, 1, low_open=True, arrays_ok=True)  # one value or one per hidden layer
LAMBD = Num(0, arrays_ok=True)  # one value, or one per network of a stack
EPOCH = Num(0, arrays_ok=True)  # schedules take one epoch or an array of them

CORE = [
    target("data.make_moons", data.make_moons, seeded(m=30, noise=0.2, seed=0),
           {"m": Num(2, integer=True), "noise": NONNEG, "seed": INT0}),
    target("data.make_circles", data.make_circles, seeded(m=30, noise=0.1, factor=0.5, seed=0),
           {"m": Num(2, integer=True), "noise": NONNEG, "factor": Num(0, 1, True, True), "seed": INT0}),
    target("data.make_blobs", data.make_blobs, seeded(m=30, centers=3, cluster_std=1.0, seed=0),
           {"m": Num(2, integer=True), "centers": Num(1, integer=True), "cluster_std": POS, "seed": INT0}),
    target("data.make_noisy", data.make_noisy, seeded(m=30, noise=0.3, label_noise=0.1, seed=0),
           {"m": Num(2, integer=True), "noise": NONNEG, "label_noise": Num(0, 0.5), "seed": INT0}),
    target("data.load_mnist", data.load_mnist, seeded(flatten=True, scale=True, one_hot=False),
           {"flatten": Flag(), "scale": Flag(), "one_hot": Flag()}),
    target("data.one_hot", data.one_hot, lambda draw: dict(y=np.array([[0, 2, 1, 2]]), n_classes=3),
           {"y": Arr(transposable=False, flat=False), "n_classes": Num(2, integer=True)}, data=("y",)),
    target("data.split_sizes", data.split_sizes, seeded(m=10, fractions=(0.6, 0.2, 0.2)), {"m": Num(1, integer=True)}),
    target("data.train_dev_test_split", data.train_dev_test_split, b_xy_split,
           {"X": Arr(), "Y": Arr(), "seed": INT0}, data=("X", "Y")),
    target("data.random_mini_batches", data.random_mini_batches, b_mini_batches,
           {"X": Arr(), "Y": Arr(), "mini_batch_size": Num(1, integer=True), "seed": INT0}, data=("X", "Y")),
    target("data.mini_batches", data.mini_batches, b_mini_batches_rng,
           {"mini_batch_size": Num(1, integer=True), "rng": Rng()}),
    target("data.fit_standardizer", data.fit_standardizer, lambda draw: {"X_train": b_X(draw)["X"]},
           {"X_train": Arr(transposable=False)}, data=("X_train",)),
    target("data.standardize", data.standardize, b_standardize,
           {"X": Arr(), "mu": Arr(transposable=True), "sigma": Arr()}, data=("X",)),
    target("layers.affine_forward", layers.affine_forward, b_affine,
           {"A_prev": Arr(), "W": Arr(), "b": Arr(none_ok=True)}, data=("A_prev",)),
    target("layers.affine_backward", layers.affine_backward, b_affine_backward, {"dZ": Arr()}),
    target("layers.relu_forward", layers.relu_forward, b_Z, {"Z": Arr(transposable=False, flat=False)}, data=("Z",)),
    target("layers.relu_backward", layers.relu_backward, b_activation_backward(layers.relu_forward), {"dA": Arr()}),
    target("layers.sigmoid", layers.sigmoid, b_Z, {"Z": Arr(transposable=False, flat=False)}, data=("Z",)),
    target("layers.sigmoid_backward", layers.sigmoid_backward, b_activation_backward(layers.sigmoid_forward), {"dA": Arr()}),
    target("layers.tanh_forward", layers.tanh_forward, b_Z, {"Z": Arr(transposable=False, flat=False)}, data=("Z",)),
    target("layers.tanh_backward", layers.tanh_backward, b_activation_backward(layers.tanh_forward), {"dA": Arr()}),
    target("layers.softmax", layers.softmax, b_Z, {"Z": Arr(transposable=False)}, data=("Z",)),
    target("layers.binary_cross_entropy", layers.binary_cross_entropy, b_bce, {"Z": Arr(), "Y": Labels()}, data=("Z", "Y")),
    target("layers.softmax_cross_entropy", layers.softmax_cross_entropy, b_sce,
           {"Z": Arr(), "Y": Labels(one_hot=True)}, data=("Z", "Y")),
    target("layers.dropout_forward", layers.dropout_forward, b_dropout,
           {"A": Arr(transposable=False, flat=False), "keep_prob": PROB_OPEN_LOW, "rng": Rng()}, data=("A",)),
    target("layers.dropout_backward", layers.dropout_backward, b_dropout_backward, {"dA": Arr()}),
    target("layers.batchnorm_forward", layers.batchnorm_forward, b_batchnorm,
           {"Z": Arr(transposable=False, flat=True), "gamma": Arr(), "beta": Arr(), "mode": Choice(), "epsilon": POS}, data=("Z",)),
    target("layers.batchnorm_backward", layers.batchnorm_backward, b_batchnorm_backward, {"dout": Arr()}),
    target("model.init_params", model.init_params, b_init_params,
           {"init": Choice(), "scale": NONNEG, "seed": INT0, "batchnorm": Flag()}),
    target("model.forward", model.forward, b_forward,
           {"X": Arr(), "params": Params(), "hidden": Choice(), "keep_prob": KEEP_PROB, "rng": Rng(), "mode": Choice()},
           data=("X",)),
    target("model.cost", model.cost, b_cost,
           {"ZL": Arr(), "Y": Labels(), "params": Params(), "lambd": LAMBD, "penalty": Choice()}, data=("ZL", "Y")),
    target("model.cost_and_grads", model.cost_and_grads, b_cost_and_grads,
           {"X": Arr(), "Y": Labels(), "params": Params(), "hidden": Choice(), "lambd": LAMBD, "penalty": Choice()},
           data=("X", "Y")),
    target("model.fit", model.fit, b_fit,
           {"X": Arr(), "Y": Labels(), "params": Params(), "num_epochs": Num(1, integer=True),
            "mini_batch_size": Num(1, integer=True, none_ok=True), "lambd": LAMBD, "keep_prob": KEEP_PROB,
            "bn_momentum": BETA, "seed": INT0, "hidden": Choice(), "penalty": Choice()}, data=("X", "Y")),
    target("model.predict", model.predict, b_predict, {"X": Arr(), "params": Params(), "hidden": Choice()}, data=("X",)),
    target("model.predict_proba", model.predict_proba, b_predict, {"X": Arr(), "params": Params(), "hidden": Choice()}, data=("X",)),
    target("model.accuracy", model.accuracy, b_accuracy,
           {"X": Arr(), "Y": Labels(integer_labels_ok=True), "params": Params(), "hidden": Choice()}, data=("X", "Y")),
    target("model.weight_norm", model.weight_norm, b_params_only, {"params": Params()}),
    target("model.stack_params", model.stack_params, lambda draw: dict(param_list=[model.init_params([2, 3, 1], seed=s) for s in range(2)]),
           {}, data=("param_list",)),
    target("optim.gd", optim.gd, seeded(learning_rate=0.1), {"learning_rate": Num(0, low_open=True, arrays_ok=True)}),
    target("optim.momentum", optim.momentum, seeded(learning_rate=0.1, beta=0.9),
           {"learning_rate": Num(0, low_open=True, arrays_ok=True), "beta": Num(0, 1, high_open=True, arrays_ok=True)}),
    target("optim.nesterov", optim.nesterov, seeded(learning_rate=0.1, beta=0.9),
           {"learning_rate": Num(0, low_open=True, arrays_ok=True), "beta": Num(0, 1, high_open=True, arrays_ok=True)}),
    target("optim.adagrad", optim.adagrad, seeded(learning_rate=0.1, epsilon=1e-8),
           {"learning_rate": Num(0, low_open=True, arrays_ok=True), "epsilon": Num(0, low_open=True, arrays_ok=True)}),
    target("optim.rmsprop", optim.rmsprop, seeded(learning_rate=0.1, beta=0.9, epsilon=1e-8),
           {"learning_rate": Num(0, low_open=True, arrays_ok=True), "beta": Num(0, 1, high_open=True, arrays_ok=True),
            "epsilon": Num(0, low_open=True, arrays_ok=True)}),
    target("optim.adam", optim.adam, seeded(learning_rate=0.1, beta1=0.9, beta2=0.999, epsilon=1e-8),
           {"learning_rate": Num(0, low_open=True, arrays_ok=True), "beta1": Num(0, 1, high_open=True, arrays_ok=True),
            "beta2": Num(0, 1, high_open=True, arrays_ok=True), "epsilon": Num(0, low_open=True, arrays_ok=True)}),
    target("optim.adamw", optim.adamw, seeded(learning_rate=0.1, weight_decay=0.01),
           {"learning_rate": Num(0, low_open=True, arrays_ok=True), "weight_decay": Num(0, arrays_ok=True)}),
    target("optim.make", optim.make, seeded(name="adam", learning_rate=0.1), {"name": Choice(), "learning_rate": Num(0, low_open=True, arrays_ok=True)}),
    *[target(f"optim.{name}(...).update", optimizer_step, b_optimizer(name), {"params": Params(finite=False, reads="given"), "grads": Grads(complete=False)})
      for name in ("gd", "momentum", "adam")],
    target("optim.clip_by_norm", optim.clip_by_norm, lambda draw: dict(grads=b_grads(draw)[3], max_norm=1.0),
           {"max_norm": POS}),
    target("gradcheck.gradient_check", gradcheck.gradient_check, b_gradient_check,
           {"params": Params(finite=False, reads="given"), "grads": Grads(complete=False), "epsilon": Num(1e-10, 1e-3)}),
    target("gradcheck.numerical_gradient", gradcheck.numerical_gradient, b_numerical_gradient,
           {"epsilon": POS, "method": Choice()}),
    target("gradcheck.relative_difference", gradcheck.relative_difference, b_two_arrays,
           {"approx": Arr(), "exact": Arr()}, data=("approx", "exact")),
    target("gradcheck.max_relative_error", gradcheck.max_relative_error, b_two_arrays,
           {"approx": Arr(), "exact": Arr()}, data=("approx", "exact")),
    target("gradcheck.verdict", gradcheck.verdict, seeded(difference=1e-8), {"difference": NONNEG}),
    target("validate.check_params", validate.check_params, b_params_only, {"params": Params()}),
    target("validate.check_X_Y", validate.check_X_Y, lambda draw: dict(zip("XY", _xy(draw)), n_classes=1), {"X": Arr(), "Y": Labels()}, data=("X", "Y")),
    target("validate.check_number", validate.check_number, seeded(name="beta", value=0.5, low=0, high=1),
           {"value": Num(0, 1)}),
    target("schedules.constant", schedules.constant, seeded(epoch=3, alpha0=0.1), {"epoch": EPOCH, "alpha0": POS}),
    target("schedules.inverse_time", schedules.inverse_time, seeded(epoch=3, alpha0=0.1, decay_rate=1.0),
           {"epoch": EPOCH, "alpha0": POS, "decay_rate": NONNEG}),
    target("schedules.exponential", schedules.exponential, seeded(epoch=3, alpha0=0.1, base=0.95),
           {"epoch": EPOCH, "alpha0": POS, "base": PROB_OPEN_LOW}),
    target("schedules.staircase", schedules.staircase, seeded(epoch=3, alpha0=0.1, drop=0.5, epochs_per_drop=10),
           {"epoch": EPOCH, "alpha0": POS, "drop": PROB_OPEN_LOW, "epochs_per_drop": POS}),
    target("schedules.cosine", schedules.cosine, seeded(t=3, alpha0=0.1, total_steps=100, alpha_min=0.0),
           {"t": EPOCH, "alpha0": POS, "total_steps": POS, "alpha_min": Num(0, 0.1)}),
    target("schedules.warmup_cosine", schedules.warmup_cosine, seeded(t=3, alpha0=0.1, warmup_steps=10, total_steps=100),
           {"t": EPOCH, "alpha0": POS, "warmup_steps": Num(0, 100, high_open=True), "total_steps": POS}),
    target("schedules.alpha_per_step", schedules.alpha_per_step, seeded(name="constant", num_epochs=3, steps_per_epoch=2, warmup_epochs=1),
           {"name": Choice(), "num_epochs": Num(1, integer=True), "steps_per_epoch": Num(1, integer=True)}),
    target("surfaces.get", surfaces.get, seeded(name="rosenbrock"), {"name": Choice()}),
    target("surfaces.replay", surfaces.replay, b_replay, {"start": Arr(transposable=False, flat=False), "num_steps": Num(1, integer=True)}),
]


def _chapter_targets():
    out = []
    bv = chapter("bias_variance")
    if bv:
        out.append(target("bias_variance.verdict", getattr(bv, "verdict", None), seeded(bayes=0.05, train=0.1, dev=0.2),
                          {"bayes": Num(0, 1), "train": Num(0, 1), "dev": Num(0, 1)}))
        out.append(target("bias_variance.bayes_error_from_proba", getattr(bv, "bayes_error_from_proba", None),
                          seeded(p=np.array([0.1, 0.7, 0.4])), {"p": Arr(transposable=False, flat=False)}, data=("p",)))
    reg = chapter("regularization")
    if reg:
        out.append(target("regularization.l2_penalty", reg.l2_penalty, lambda draw: dict(params=b_params_only(draw)["params"], lambd=0.1, m=10),
                          {"params": Params(reads="W"), "lambd": NONNEG, "m": Num(1, integer=True)}))
        out.append(target("regularization.sparsity", getattr(reg, "sparsity", None), lambda draw: dict(params=b_params_only(draw)["params"], threshold=0.01),
                          {"params": Params(reads="W"), "threshold": NONNEG}))
        out.append(target("regularization.early_stopping_point", getattr(reg, "early_stopping_point", None),
                          seeded(dev_cost=np.array([1.0, 0.5, 0.4, 0.6]), patience=2, min_delta=0.0),
                          {"dev_cost": Arr(transposable=False, flat=False), "patience": Num(1, integer=True, none_ok=True), "min_delta": NONNEG},
                          data=("dev_cost",)))
        out.append(target("regularization.shift_images", getattr(reg, "shift_images", None), seeded(X=np.ones((64, 3)), dx=1, dy=0),
                          {"X": Arr(), "dx": Num(integer=True), "dy": Num(integer=True)}, data=("X",)))
    dr = chapter("dropout")
    if dr:
        out.append(target("dropout.expected_activation", getattr(dr, "expected_activation", None),
                          seeded(A=np.ones((3, 4)), keep_prob=0.5, n_draws=20, seed=0),
                          {"A": Arr(transposable=False, flat=False), "keep_prob": PROB_OPEN_LOW, "n_draws": Num(1, integer=True), "seed": INT0},
                          data=("A",)))
        out.append(target("dropout.cost_noise", getattr(dr, "cost_noise", None), seeded(cost_history=np.linspace(1, 0.1, 20), start=0.5),
                          {"cost_history": Arr(transposable=False, flat=False), "start": Num(0, 1, high_open=True)}, data=("cost_history",)))
    norm = chapter("input_normalization", "normalization")
    if norm:
        def b_reg(draw):
            n, m = 2, draw(st.integers(5, 9))
            X = floats(draw, (n, m))
            return dict(X=X, y=floats(draw, (1, m)), w=floats(draw, (1, n)))
        out.append(target(f"{norm.__name__[8:]}.squared_cost", getattr(norm, "squared_cost", None), b_reg,
                          {"X": Arr(), "y": Arr(), "w": Arr()}, data=("X", "y")))
        out.append(target(f"{norm.__name__[8:]}.condition_number", getattr(norm, "condition_number", None), lambda draw: {"X": b_reg(draw)["X"]},
                          {"X": Arr(transposable=True)}, data=("X",)))
        out.append(target(f"{norm.__name__[8:]}.gradient_descent", getattr(norm, "gradient_descent", None),
                          lambda draw: {**{k: v for k, v in b_reg(draw).items() if k != "w"}, "learning_rate": 0.01, "num_iterations": 3},
                          {"X": Arr(), "y": Arr(), "learning_rate": Num(0, low_open=True, arrays_ok=True), "num_iterations": Num(0, integer=True)},
                          data=("X", "y")))
    gc = chapter("gradient_check")
    if gc:
        out.append(target("gradient_check.network_cost_fn", getattr(gc, "network_cost_fn", None),
                          lambda draw: dict(zip("XY", _xy(draw)), hidden="tanh", lambd=0.1),
                          {"X": Arr(), "Y": Labels(outputs_known=False), "hidden": Choice(), "lambd": NONNEG}, data=("X", "Y")))
        out.append(target("gradient_check.global_norm", getattr(gc, "global_norm", None), lambda draw: dict(grads=b_grads(draw)[3]), {}))
    mb = chapter("mini_batch")
    if mb:
        def b_line(draw):
            m = draw(st.integers(3, 9))
            return dict(w=0.5, b=0.1, X=floats(draw, (1, m)), Y=floats(draw, (1, m)))
        out.append(target("mini_batch.line_cost", getattr(mb, "line_cost", None), b_line,
                          # w and b are arrays on purpose: line_cost evaluates a grid of (w, b) at once.
                          {"w": Arr(), "b": Arr(), "X": Arr(), "Y": Arr()}, data=("X", "Y")))
        out.append(target("mini_batch.line_epoch", getattr(mb, "line_epoch", None),
                          lambda draw: {**b_line(draw), "mini_batch_size": 2, "learning_rate": 0.01, "seed": 0},
                          {"X": Arr(), "Y": Arr(), "mini_batch_size": Num(1, integer=True), "learning_rate": POS, "seed": INT0},
                          data=("X", "Y")))
    ew = chapter("ewa")
    if ew:
        out.append(target("ewa.ewa", getattr(ew, "ewa", None), seeded(theta=np.linspace(0, 1, 10), beta=0.9, bias_correction=False),
                          {"theta": Arr(transposable=False, flat=False), "beta": BETA, "bias_correction": Flag()}, data=("theta",)))
        out.append(target("ewa.ewa_weights", getattr(ew, "ewa_weights", None), seeded(beta=0.9, n=5), {"beta": BETA, "n": Num(1, integer=True)}))
        out.append(target("ewa.effective_window", getattr(ew, "effective_window", None), seeded(beta=0.9), {"beta": BETA}))
        out.append(target("ewa.trailing_average", getattr(ew, "trailing_average", None), seeded(theta=np.linspace(0, 1, 10), window=3),
                          {"theta": Arr(transposable=False, flat=False), "window": Num(1, integer=True)}, data=("theta",)))
    bn = chapter("batchnorm")
    if bn:
        out.append(target("batchnorm.identity_gamma_beta", getattr(bn, "identity_gamma_beta", None), lambda draw: dict(**b_Z(draw), epsilon=1e-5),
                          {"Z": Arr(transposable=False), "epsilon": POS}, data=("Z",)))
    sm = chapter("softmax")
    if sm:
        out.append(target("softmax.softmax", getattr(sm, "softmax", None), lambda draw: dict(**b_Z2(draw), temperature=1.0),
                          {"Z": Arr(transposable=False), "temperature": POS}, data=("Z",)))
        out.append(target("softmax.hardmax", getattr(sm, "hardmax", None), b_Z2, {"Z": Arr(transposable=False)}, data=("Z",)))
        out.append(target("softmax.confusion_matrix", getattr(sm, "confusion_matrix", None),
                          seeded(y_true=np.array([0, 1, 2, 1]), y_pred=np.array([0, 2, 2, 1]), n_classes=3),
                          {"y_true": Arr(transposable=False, flat=False), "y_pred": Arr(transposable=False, flat=False),
                           "n_classes": Num(1, integer=True)}, data=("y_true", "y_pred")))
    ini = chapter("initialization")
    if ini:
        out.append(target("initialization.forward_backward", getattr(ini, "forward_backward", None),
                          lambda draw: dict(zip(("X", "Y", "params"), b_network(draw)), hidden="relu"),
                          {"X": Arr(), "Y": Labels(), "params": Params(), "hidden": Choice()}, data=("X", "Y")))
        out.append(target("initialization.deep_linear_output", getattr(ini, "deep_linear_output", None),
                          seeded(a=1.1, L=3, x=np.ones((2, 3))), {"a": Num(), "L": Num(1, integer=True)}))
    hp = chapter("hyperparameter_search", "hyperparameters")
    if hp:
        out.append(target(f"{hp.__name__[8:]}.sample_log_uniform", getattr(hp, "sample_log_uniform", None),
                          lambda draw: dict(low=1e-4, high=1e-1, size=5, rng=np.random.default_rng(0)),
                          {"low": POS, "high": POS, "size": Num(1, integer=True), "rng": Rng()}))
        out.append(target(f"{hp.__name__[8:]}.best_so_far", getattr(hp, "best_so_far", None), seeded(scores=np.array([3.0, 1.0, 2.0])),
                          {"scores": Arr(transposable=False, flat=False)}, data=("scores",)))
    nfs = chapter("network_from_scratch")
    if nfs:
        def b_nfs(draw):
            X, Y, params = b_network(draw)
            return dict(X=X, params=params)
        out.append(target("network_from_scratch.model_forward", getattr(nfs, "model_forward", None), b_nfs,
                          {"X": Arr(), "params": Params()}, data=("X",)))
        out.append(target("network_from_scratch.compute_cost", getattr(nfs, "compute_cost", None),
                          lambda draw: (lambda m: dict(AL=np.full((1, m), 0.3), Y=binary_labels(draw, m)))(draw(st.integers(2, 9))),
                          {"AL": Arr(), "Y": Labels()}, data=("AL", "Y")))
    out += _more_chapter_targets()
    return [t for t in out if t.fn is not None]  # a function renamed or moved by its owner is skipped


def _more_chapter_targets():
    out = []
    norm = chapter("input_normalization", "normalization")
    if norm:
        name = norm.__name__[8:]
        def b_xy(draw):
            m = draw(st.integers(5, 9))
            return dict(X=floats(draw, (2, m)), y=floats(draw, (1, m)))
        out.append(target(f"{name}.least_squares", getattr(norm, "least_squares", None), b_xy, {"X": Arr(), "y": Arr()}, data=("X", "y")))
        out.append(target(f"{name}.max_stable_learning_rate", getattr(norm, "max_stable_learning_rate", None),
                          lambda draw: {"X": b_xy(draw)["X"]}, {"X": Arr(transposable=False)}, data=("X",)))
        out.append(target(f"{name}.standardize_train_test", getattr(norm, "standardize_train_test", None),
                          lambda draw: dict(X_train=floats(draw, (2, 6)), X_test=floats(draw, (2, 3))),
                          {"X_train": Arr(transposable=False), "X_test": Arr()}, data=("X_train",)))
    lr = chapter("lr_decay")
    if lr:
        out.append(target("lr_decay.noisy_quadratic_sgd", getattr(lr, "noisy_quadratic_sgd", None),
                          seeded(alphas=np.array([0.1, 0.05, 0.02]), noise_std=1.0, seed=0),
                          {"alphas": Arr(transposable=False, flat=False), "noise_std": NONNEG, "seed": INT0}, data=("alphas",)))
    opt = chapter("optimizers")
    if opt:
        out.append(target("optimizers.adam_efficient_learning_rate", getattr(opt, "adam_efficient_learning_rate", None),
                          seeded(learning_rate=0.01, beta1=0.9, beta2=0.999, t=3),
                          {"learning_rate": POS, "beta1": BETA, "beta2": BETA, "t": Num(1, integer=True, arrays_ok=True)}))
    ew = chapter("ewa")
    if ew:
        out.append(target("ewa.bias_correct", getattr(ew, "bias_correct", None), seeded(v=np.linspace(0.1, 1, 8), beta=0.9),
                          {"v": Arr(transposable=False, flat=False), "beta": BETA}, data=("v",)))
        out.append(target("ewa.mean_lag", getattr(ew, "mean_lag", None), seeded(beta=0.9), {"beta": BETA}))
        out.append(target("ewa.roughness", getattr(ew, "roughness", None), seeded(v=np.linspace(0.1, 1, 8)),
                          {"v": Arr(transposable=False, flat=False)}, data=("v",)))
    bn = chapter("batchnorm")
    if bn:
        out.append(target("batchnorm.training_status", getattr(bn, "training_status", None),
                          seeded(costs=np.array([2.3, 1.0, 0.5]), chance_cost=2.3),
                          # NaN in costs is how a diverged run is reported: not a mistake here.
                          {"costs": Arr(transposable=False, flat=False, finite=False), "chance_cost": Num()}, data=("costs",)))
    ini = chapter("initialization")
    if ini:
        out.append(target("initialization.saturated_fraction", getattr(ini, "saturated_fraction", None),
                          lambda draw: dict(A=np.tanh(floats(draw, (3, 5))), hidden="tanh"),
                          {"A": Arr(transposable=False, flat=False), "hidden": Choice()}, data=("A",)))
        out.append(target("initialization.constant_params", getattr(ini, "constant_params", None),
                          seeded(layer_dims=[2, 3, 1], value=0.5), {"value": Num()}))
    hp = chapter("hyperparameter_search", "hyperparameters")
    if hp:
        name = hp.__name__[8:]
        out.append(target(f"{name}.sample_uniform", getattr(hp, "sample_uniform", None),
                          lambda draw: dict(low=0.0, high=1.0, size=5, rng=np.random.default_rng(0)),
                          {"low": Num(), "high": Num(), "rng": Rng()}))
        out.append(target(f"{name}.sample_beta", getattr(hp, "sample_beta", None),
                          lambda draw: dict(low=0.9, high=0.999, size=5, rng=np.random.default_rng(0)),
                          {"low": BETA, "high": BETA, "rng": Rng()}))
    nfs = chapter("network_from_scratch")
    if nfs:
        def b_update(draw):
            X, Y, params = b_network(draw)
            _, grads = model.cost_and_grads(X, Y, params)
            return dict(params=params, grads=grads, learning_rate=0.1)
        out.append(target("network_from_scratch.update_parameters", getattr(nfs, "update_parameters", None), b_update,
                          {"params": Params(), "grads": Grads(), "learning_rate": POS}))
        out.append(target("network_from_scratch.predict", getattr(nfs, "predict", None),
                          lambda draw: dict(zip(("X", "params"), (lambda n: (n[0], n[2]))(b_network(draw)))),
                          {"X": Arr(), "params": Params()}, data=("X",)))
        out.append(target("network_from_scratch.linear_activation_forward", getattr(nfs, "linear_activation_forward", None),
                          lambda draw: {**b_affine(draw), "activation": "relu"},
                          {"A_prev": Arr(), "W": Arr(), "b": Arr(), "activation": Choice()}, data=("A_prev",)))
    reg = chapter("regularization")
    if reg:
        def b_l2b(draw):
            X, Y, params = b_network(draw)
            _, grads = model.cost_and_grads(X, Y, params)
            return dict(grads=grads, params=params, lambd=0.1, m=X.shape[1])
        out.append(target("regularization.l2_backward", getattr(reg, "l2_backward", None), b_l2b,
                          {"grads": Grads(), "params": Params(reads="W"), "lambd": NONNEG, "m": Num(1, integer=True)}))
        out.append(target("regularization.flip_images", getattr(reg, "flip_images", None), seeded(X=np.ones((64, 3))),
                          {"X": Arr()}, data=("X",)))
    sm = chapter("softmax")
    if sm:
        def b_sm(draw):
            C, m = distinct_dims(draw, 2, 2, 7)
            return dict(A=layers.softmax(floats(draw, (C, m))), Y=one_hot_labels(draw, C, m))
        out.append(target("softmax.softmax_cross_entropy_backward", getattr(sm, "softmax_cross_entropy_backward", None), b_sm,
                          {"A": Arr(), "Y": Labels(one_hot=True)}, data=("A", "Y")))
    bv = chapter("bias_variance")
    if bv:
        out.append(target("bias_variance.bayes_proba", getattr(bv, "bayes_proba", None),
                          lambda draw: dict(X=floats(draw, (2, 5)), noise=0.2, label_noise=0.05),
                          {"X": Arr(), "noise": POS, "label_noise": Num(0, 0.5)}, data=("X",)))
    mb = chapter("mini_batch")
    if mb:
        def b_line(draw):
            m = draw(st.integers(3, 9))
            return dict(w=0.5, b=0.1, X=floats(draw, (1, m)), Y=floats(draw, (1, m)))
        out.append(target("mini_batch.line_grads", getattr(mb, "line_grads", None), b_line,
                          {"X": Arr(), "Y": Arr()}, data=("X", "Y")))
    out.append(target("surfaces.steps_to_reach", surfaces.steps_to_reach,
                      lambda draw: dict(surface=surfaces.get("quadratic"),
                                        trajectory=surfaces.replay(surfaces.get("quadratic"), optim.gd(0.1), (1.0, 1.0), 20), tol=0.01),
                      {"tol": POS}))
    return out


TARGETS = CORE + _chapter_targets()

# Bugs found in modules other owners hold (the lead routes them): target -> {class: reason}.
# The xfails are strict: the owner who fixes one removes its entry here in the same commit.
# VALID marks the test that the valid recipe runs.
VALID = "valid"
MODEL, OPTIM = "model owner (CORE-A)", "optim owner (CORE-A)"
KNOWN = {
}


def _cases():
    cases = []
    for t in TARGETS:
        for cls in t.classes():
            marks = []
            reason = KNOWN.get(t.name, {}).get(cls)
            if reason:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            cases.append(pytest.param(t, cls, id=f"{t.name}-{SHORT[cls]}", marks=marks))
    return cases


CASES = _cases()


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    """Print, after the module, how many inputs each class of mistakes tried in this run."""
    yield
    lines = summary_lines()
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + "\n".join(lines))


def summary_lines():
    total = sum(TRIED.values())
    lines = [f"property tests: {len(TARGETS)} public functions, {len(CASES)} (function, mistake class) cases, "
             f"{len([c for c in MISTAKES if TRIED[c]])} classes of mistakes, {total} bad inputs tried, "
             f"{sum(VALID_TRIED.values())} valid (incl. extreme) inputs tried"]
    lines += [f"  {TRIED[cls]:6d}  {cls}" for cls in MISTAKES]
    odd = {k: v for k, v in MESSAGES.items() if v}
    if odd:
        lines.append(f"  messages not yet in the one form 'NAME: got ..., expected ...': {len(odd)} functions")
        lines += [f"    {name}: {sorted(messages)[0][:110]}" for name, messages in sorted(odd.items())]
    return lines


# ---------------------------------------------------------------- the properties

OWN = ("data.", "layers.", "validate.")  # modules whose messages must already be in the one form


def _valid_params():
    return [pytest.param(t, id=t.name, marks=[pytest.mark.xfail(strict=True, reason=KNOWN[t.name][VALID])]
                         if VALID in KNOWN.get(t.name, {}) else []) for t in TARGETS]


@pytest.mark.parametrize("tgt", _valid_params())
@settings(max_examples=3, **SETTINGS)
@given(st.data())
def test_the_valid_recipe_is_valid(tgt, data):
    """Each recipe is a correct call (so a mistake test that passes proves something)."""
    kwargs = tgt.build(data.draw)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tgt.fn(**kwargs)
    VALID_TRIED["recipes"] += 1


@pytest.mark.parametrize("tgt, mistake", CASES)
@settings(max_examples=4, **SETTINGS)
@given(st.data())
def test_every_mistake_is_a_value_error_from_helpers(tgt, mistake, data):
    kwargs = tgt.build(data.draw)
    mistakes = tgt.mistakes(kwargs, mistake)
    assume(mistakes)
    for label, bad in mistakes:
        TRIED[mistake] += 1
        message = expect_value_error(tgt, bad, label)
        if not one_form(message):
            MESSAGES.setdefault(tgt.name, set()).add(message)
            assert not tgt.name.startswith(OWN), f"{tgt.name} with {label}: message not in the one form: {message}"


# ---------------------------------------------------------------- valid but extreme inputs


def _silent(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


@settings(max_examples=25, **SETTINGS)
@given(st.lists(st.floats(-1000, 1000), min_size=2, max_size=8), st.integers(0, 2**16))
def test_extreme_logits_give_finite_costs_and_gradients(z, seed):
    Z = np.array(z).reshape(1, -1)
    m = Z.shape[1]
    Y = (np.random.default_rng(seed).random((1, m)) < 0.5).astype(float)
    J, dZ = _silent(layers.binary_cross_entropy, Z, Y)
    assert np.isfinite(J) and np.all(np.isfinite(dZ))
    assert np.all(np.isfinite(_silent(layers.sigmoid, Z)))
    Zc = np.vstack([Z, -Z, np.zeros_like(Z)])
    P = _silent(layers.softmax, Zc)
    np.testing.assert_allclose(P.sum(axis=0), 1.0)
    J, dZ = _silent(layers.softmax_cross_entropy, Zc, np.eye(3)[:, np.arange(m) % 3])
    assert np.isfinite(J) and np.all(np.isfinite(dZ))
    VALID_TRIED["extreme logits"] += 1


@settings(max_examples=10, **SETTINGS)
@given(st.data())
def test_a_batch_of_one_example_trains(data):
    X, Y, params = b_network(data.draw)
    X1, Y1 = X[:, :1], Y[:, :1]
    J, grads = _silent(model.cost_and_grads, X1, Y1, params, lambd=0.1)
    assert finite_everywhere((J, grads))
    new, history = _silent(model.fit, X, Y, params, optimizer=optim.adam(0.01), num_epochs=2, mini_batch_size=1)
    assert finite_everywhere(history["cost"]) and finite_everywhere(new)
    out, _ = _silent(layers.batchnorm_forward, X1, np.ones((X1.shape[0], 1)), np.zeros((X1.shape[0], 1)))
    assert np.all(np.isfinite(out))
    batches = _silent(data_module().random_mini_batches, X, Y, 1, seed=0)
    assert len(batches) == X.shape[1]
    VALID_TRIED["batches of one"] += 1


def data_module():
    return data


@pytest.mark.parametrize("name", ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
@settings(max_examples=6, **SETTINGS)
@given(exponent=st.integers(100, 300), sign=st.sampled_from([-1.0, 1.0]))
def test_huge_gradients_leave_finite_state_and_moving_parameters(name, exponent, sign):
    """A gradient of 1e100..1e300 gives finite parameters and state; Adam's parameter still moves on
    later steps. The others are only asked for finiteness: GD and momentum step by lr * g to about
    1e97, where a step of lr is below float64's resolution; AdaGrad and RMSProp divide by
    sqrt(s) = 1e100 or more, a step of 1e-100 by the rule itself (RMSProp recovers as s decays)."""
    params = {"W1": np.array([[0.5, -0.5]]), "b1": np.zeros((1, 1))}
    opt = optim.make(name, 1e-3)
    state = opt.init(params)
    huge = {"dW1": np.array([[sign * 10.0 ** exponent, 1.0]]), "db1": np.ones((1, 1))}
    params, state = _silent(opt.update, params, huge, state)
    assert finite_everywhere(params) and finite_everywhere(state), f"{name}: state overflowed"
    before = params["W1"].copy()
    for _ in range(3):
        params, state = _silent(opt.update, params, {"dW1": np.ones((1, 2)), "db1": np.ones((1, 1))}, state)
    assert finite_everywhere(params) and finite_everywhere(state)
    if name in ("adam", "adamw"):  # scale-free steps: the parameter is still near 0.5 and moves by ~lr
        assert np.all(params["W1"] != before), f"{name}: a parameter froze after a gradient of 1e{exponent}"
    VALID_TRIED["huge gradients"] += 1


@settings(max_examples=10, **SETTINGS)
@given(st.floats(1.0, 1e6), st.sampled_from(["rosenbrock", "quadratic", "saddle", "plateau"]))
def test_huge_learning_rates_are_caught_before_overflow(learning_rate, name):
    trajectory = _silent(surfaces.replay, surfaces.get(name), optim.gd(learning_rate), (1.5, 1.5), 60)
    assert np.all(np.isfinite(trajectory.points)), "the trajectory holds inf/NaN instead of stopping at divergence"
    VALID_TRIED["huge learning rates"] += 1


@settings(max_examples=10, **SETTINGS)
@given(st.integers(0, 10**6))
def test_schedules_stay_finite_far_out(epoch):
    for fn in (schedules.constant, schedules.inverse_time, schedules.exponential, schedules.inverse_sqrt_epoch,
               schedules.staircase, schedules.scheduled):
        assert np.isfinite(_silent(fn, epoch, 0.1))
    assert np.isfinite(_silent(schedules.cosine, epoch, 0.1, total_steps=10**6 + 1))
    VALID_TRIED["far-out schedules"] += 1


@pytest.mark.parametrize("name", ["constant", "1/(1 + decay_rate epoch)"])
def test_a_schedule_without_warm_up_ignores_warmup_epochs(name):
    alphas = _silent(schedules.alpha_per_step, name, num_epochs=3, steps_per_epoch=2)
    assert finite_everywhere(alphas)


def test_numerical_gradient_restores_x_when_the_cost_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def cost():
        calls.append(x.copy())
        if len(calls) == 3:
            raise RuntimeError("the learner's cost failed")
        return float(np.sum(x ** 2))

    with pytest.raises(RuntimeError):
        gradcheck.numerical_gradient(cost, x, epsilon=1e-6)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_every_class_of_mistake_is_exercised():
    """The case list covers every class (the counts themselves are printed at the end)."""
    covered = {c for _, c in (p.values for p in CASES)}
    assert covered == set(MISTAKES)


# ---------------------------------------------------------------- the examples of issue 12, one by one


def _moons_net():
    X, Y = data.make_moons(40, seed=0)
    return X, Y, model.init_params([2, 5, 1], seed=0)


def _issue_cases():
    X, Y, params = _moons_net()
    reg, gc, norm = chapter("regularization"), chapter("gradient_check"), chapter("input_normalization", "normalization")
    _, grads = model.cost_and_grads(X, Y, params)
    cases = [
        ("gradcheck given W1-keyed gradients", lambda: gradcheck.gradient_check(
            lambda p: model.cost_and_grads(X, Y, p)[0], params, {k[1:]: v for k, v in grads.items()}), r"grads"),
        ("gradcheck given {}", lambda: gradcheck.gradient_check(lambda p: model.cost_and_grads(X, Y, p)[0], params, {}), r"grads"),
        ("gradcheck epsilon=1e-20", lambda: gradcheck.gradient_check(
            lambda p: model.cost_and_grads(X, Y, p)[0], params, grads, epsilon=1e-20), r"epsilon"),
        ("accuracy with labels {1, 2}", lambda: model.accuracy(X, Y + 1, params), r"^Y: got labels \{1, 2\}"),
        ("accuracy with labels {-1, 1}", lambda: model.accuracy(X, 2 * Y - 1, params), r"^Y: got labels \{-1, 1\}"),
        ("accuracy with one-hot Y for a binary network", lambda: model.accuracy(X, np.vstack([1 - Y, Y]), params), r"^Y: got 2 rows"),
        ("accuracy with probabilities", lambda: model.accuracy(X, np.full_like(Y, 0.3), params), r"^Y: got probabilities"),
        ("params without b2", lambda: model.fit(X, Y, {k: v for k, v in params.items() if k != "b2"}, num_epochs=1), r"^params: got no b2"),
        ("params {W1, b1, W3, b3}", lambda: model.fit(X, Y, {"W1": params["W1"], "b1": params["b1"], "W3": params["W2"], "b3": params["b2"]},
                                                       num_epochs=1), r"^params: got W3 but no W2"),
        ("fit on m = 0", lambda: model.fit(X[:, :0], Y[:, :0], params, num_epochs=1), r"^X: got an empty array"),
        ("keep_prob='0.5'", lambda: model.fit(X, Y, params, keep_prob="0.5", num_epochs=1), r"^keep_prob: got '0.5' \(a str\)"),
        ("lambd='0.1'", lambda: model.fit(X, Y, params, lambd="0.1", num_epochs=1), r"^lambd: got '0.1' \(a str\)"),
        ("keep_prob=None", lambda: model.fit(X, Y, params, keep_prob=None, num_epochs=1), r"^keep_prob: got None"),
        ("NaN in X", lambda: model.predict(np.where(X > 1, np.nan, X), params), r"^X: got \d+ NaN or inf"),
        ("m = 0 in the cross-entropy", lambda: layers.binary_cross_entropy(np.zeros((1, 0)), np.zeros((1, 0))), r"^Z: got an empty array"),
        ("m = 0 in cost_and_grads", lambda: model.cost_and_grads(X[:, :0], Y[:, :0], params), r"^X: got an empty array"),
        ("batchnorm epsilon = 0", lambda: layers.batchnorm_forward(X, np.ones((2, 1)), np.zeros((2, 1)), epsilon=0), r"^epsilon: got 0"),
        ("softmax on a flat list", lambda: layers.softmax([1.0, 2.0, 3.0]), r"^Z: got a 1-D array"),
        ("cost on ZL.ravel()", lambda: model.cost(model.forward(X, params)[0].ravel(), Y, params), r"ZL"),
        ("stack_params([])", lambda: model.stack_params([]), r"param"),
        ("fit with X_dev but no Y_dev", lambda: model.fit(X, Y, params, X_dev=X, num_epochs=1), r"Y_dev"),
        ("transposed Z blames Z", lambda: layers.binary_cross_entropy(model.forward(X, params)[0].T, Y), r"^Z: .*pass Z\.T"),
        ("transposed W1 blames W1", lambda: model.forward(X, {**params, "W1": params["W1"].T}), r"^W1: .*pass W1\.T"),
    ]
    if reg is not None and hasattr(reg, "sparsity"):
        cases.append(("regularization.sparsity({})", lambda: reg.sparsity({}), r"params"))
    if gc is not None and hasattr(gc, "network_cost_fn"):
        cases.append(("network_cost_fn with a transposed X blames X", lambda: gc.network_cost_fn(X.T, Y), r"^X: "))
    if norm is not None and hasattr(norm, "squared_cost"):
        Xr, yr = np.ones((2, 7)), np.ones((1, 7))
        cases.append(("squared_cost with a transposed X blames X", lambda: norm.squared_cost(Xr.T, yr, np.zeros((1, 2))), r"^X"))
    return cases


ISSUE_XFAIL = {}


@pytest.mark.parametrize("call, message", [
    pytest.param(call, message, id=name,
                 marks=[pytest.mark.xfail(strict=True, reason=ISSUE_XFAIL[name])] if name in ISSUE_XFAIL else [])
    for name, call, message in _issue_cases()])
def test_the_mistakes_listed_in_issue_12(call, message):
    import re
    from strategies import Target
    text = expect_value_error(Target("issue 12", call, None, {}), {}, message)
    assert re.search(message, text), f"the message does not name it ({message!r}): {text}"


def test_the_readme_shows_real_messages():
    """The section "When something is wrong" of README.md quotes these messages: they must stay true."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    X, Y = data.make_moons(300, seed=0)
    params = model.init_params([2, 8, 1], seed=0)
    calls = [
        lambda: model.fit(X.T, Y, params),
        lambda: model.fit(X, Y + 1, params),
        lambda: model.fit(X, Y, params, keep_prob="0.8"),
        lambda: model.fit(X, Y, {**params, "W1": params["W1"].T}),
        lambda: model.fit(X, Y, {k: v for k, v in params.items() if k != "b2"}),
        lambda: layers.binary_cross_entropy(model.forward(X, params)[0].T, Y),
    ]
    for call in calls:
        with pytest.raises(ValueError) as caught:
            call()
        assert f"ValueError: {caught.value}" in readme, f"README.md does not quote: {caught.value}"


# ---------------------------------------------------------------- huge learning rates: divergence caught before overflow


def _huge_lr_runs():
    X, Y = data.make_moons(60, seed=0)
    params = model.init_params([2, 6, 1], seed=0)
    runs = [
        ("model.fit with GD", lambda lr: model.fit(X, Y, params, optimizer=optim.gd(lr), num_epochs=15)),
        ("model.fit with Adam", lambda lr: model.fit(X, Y, params, optimizer=optim.adam(lr), num_epochs=15, mini_batch_size=16)),
    ]
    norm = chapter("input_normalization", "normalization")
    if norm is not None and hasattr(norm, "gradient_descent"):
        Xn, yn = np.vstack([np.linspace(0, 30, 20), np.linspace(-1, 1, 20)]), np.linspace(0, 1, 20).reshape(1, -1)
        runs.append(("input_normalization.gradient_descent", lambda lr: norm.gradient_descent(Xn, yn, lr, num_iterations=50)))
    mb = chapter("mini_batch")
    if mb is not None and hasattr(mb, "line_sgd"):
        Xl, Yl = np.linspace(-2, 2, 32).reshape(1, -1), np.linspace(-1, 3, 32).reshape(1, -1)
        runs.append(("mini_batch.line_sgd", lambda lr: mb.line_sgd(Xl, Yl, 8, np.array([lr, 0.01]), num_epochs=5)))
    lr_mod = chapter("lr_decay")
    if lr_mod is not None and hasattr(lr_mod, "noisy_quadratic_sgd"):
        runs.append(("lr_decay.noisy_quadratic_sgd", lambda lr: lr_mod.noisy_quadratic_sgd(np.full(50, lr))))
    hp = chapter("hyperparameter_search", "hyperparameters")
    if hp is not None and hasattr(hp, "AdamObjective"):
        objective = hp.AdamObjective(num_steps=40, m=100)
        runs.append(("hyperparameter_search.AdamObjective", lambda lr: objective(np.array([lr, 1e-3]))))
    ini = chapter("initialization")
    if ini is not None and hasattr(ini, "compare_inits"):
        Xd, Yd = data.make_moons(40, seed=1)
        runs.append(("initialization.compare_inits", lambda lr: ini.compare_inits(X, Y, Xd, Yd, learning_rate=lr, num_epochs=15)))
    return runs


@pytest.mark.parametrize("run", [pytest.param(run, id=name) for name, run in _huge_lr_runs()])
@settings(max_examples=4, **SETTINGS)
@given(learning_rate=st.sampled_from([10.0, 1e3, 1e6, 1e12]))
def test_huge_learning_rates_end_without_overflow_warnings(run, learning_rate):
    """Divergence is caught (and reported) before anything overflows: no warning on the way."""
    _silent(run, learning_rate)
    VALID_TRIED["huge learning rates"] += 1


def _silent_or_refused(fn, *args, **kwargs):
    """The result of a call that must not warn; a ValueError raised by helpers (a clear refusal) is
    returned instead of the result."""
    try:
        return _silent(fn, *args, **kwargs)
    except ValueError as error:
        last = traceback.extract_tb(error.__traceback__)[-1].filename
        assert last.startswith(HELPERS), f"a ValueError from {last}: {error}"
        return error


def test_extreme_but_valid_chapter_inputs_are_silent():
    """Issue 12's warnings: expected_activation on zeros, condition_number with a constant feature."""
    dr = chapter("dropout")
    if dr is not None and hasattr(dr, "expected_activation"):
        out = _silent_or_refused(dr.expected_activation, np.zeros((3, 4)), 0.5, n_draws=20)
        assert isinstance(out, ValueError) or finite_everywhere(out)
    norm = chapter("input_normalization", "normalization")
    if norm is not None and hasattr(norm, "condition_number"):
        X = np.vstack([np.linspace(0, 1, 10), np.full(10, 3.0)])  # a constant feature
        kappa = _silent_or_refused(norm.condition_number, X)
        assert isinstance(kappa, ValueError) or kappa >= 1  # inf is an honest answer for a singular Hessian
    VALID_TRIED["extreme chapter inputs"] += 1


def test_check_params_names_the_batchnorm_key_and_check_grads_the_gradient():
    params = model.init_params([3, 4, 5, 2], seed=0, batchnorm=True)
    assert validate.check_params(params) == 3
    cases = [
        ({k: v for k, v in params.items() if k != "running_var2"}, r"^params: got no running_var2"),
        ({**params, "b1": np.zeros((4, 1))}, r"^params: got an extra key 'b1' \(a batch-norm layer has beta, not b\)"),
        ({**params, "gamma2": np.ones((1, 5))}, r"^gamma2: got shape \(1, 5\).*pass gamma2\.T"),
        ({**params, "W2": params["W2"].T}, r"^W2: got shape \(4, 5\), expected \(n\[2\], n\[1\]\) = \(5, 4\), e.g. pass W2\.T"),
    ]
    for bad, message in cases:
        with pytest.raises(ValueError, match=message):
            validate.check_params(bad)
    plain = model.init_params([3, 4, 2], seed=0)
    grads = {f"d{k}": np.zeros_like(v) for k, v in plain.items()}
    assert validate.check_grads(grads, plain) is grads
    with pytest.raises(ValueError, match=r"^grads: got no 'dW1'.*e.g. name it 'dW1'"):
        validate.check_grads({k[1:]: v for k, v in grads.items()}, plain)
    with pytest.raises(ValueError, match=r"^dW2: got shape \(4, 2\), expected the shape of W2, \(2, 4\), e.g. pass dW2\.T"):
        validate.check_grads({**grads, "dW2": grads["dW2"].T}, plain)
