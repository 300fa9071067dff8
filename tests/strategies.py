"""Mistakes a learner makes, generated: the machinery behind tests/test_properties.py.

A *target* is one public function with a recipe for a valid call (drawn by hypothesis: shapes,
values, seeds) and, for each argument, its *kind* (a number in a range, a data matrix ``X``,
binary or one-hot labels, a parameter dict, gradients, a random generator, a choice among
names, ...). Each kind knows the mistakes that can be made with it, grouped in classes
(``MISTAKES``). A property test draws a valid call, then one mistake of one class, and asserts
that the call ends in a ``ValueError`` raised from ``helpers`` (not from numpy, not a warning,
not a returned result).
"""

from __future__ import annotations

import copy
import dataclasses
import re
import traceback
import warnings
from collections import Counter
from pathlib import Path
from typing import Callable

import numpy as np
from hypothesis import strategies as st

HELPERS = str(Path(__file__).resolve().parents[1] / "helpers")

# The classes of mistakes, in the order of the report.
TRANSPOSED = "transposed or flattened arrays"
LABELS = "wrong label sets"
PARAMS = "missing, extra or misshapen parameter keys"
EMPTY = "empty data (m = 0)"
NONFINITE = "NaN or inf"
NOT_A_NUMBER = "bool, str, None or numeric string for a number"
OUT_OF_RANGE = "out-of-range hyperparameters"
WRONG_TYPE = "wrong types"
MISTAKES = (TRANSPOSED, LABELS, PARAMS, EMPTY, NONFINITE, NOT_A_NUMBER, OUT_OF_RANGE, WRONG_TYPE)

# ValueErrors that numpy raises from inside a helper's own line (no check was made).
NUMPY_MESSAGES = (
    "truth value of an array",
    "could not be broadcast",
    "could not convert string to float",
    "setting an array element with a sequence",
    "not aligned",
    "matmul: Input operand",
    "mismatch in its core dimension",
    "cannot reshape array",
    "invalid literal for int()",
    "zero-size array to reduction operation",
)

# How many inputs each class tried in this run (filled by the tests, printed at the end).
TRIED = Counter()
VALID_TRIED = Counter()


# ---------------------------------------------------------------- kinds of arguments


@dataclasses.dataclass(frozen=True)
class Num:
    """A scalar hyperparameter in ``[low, high]`` (open ends with ``low_open`` / ``high_open``)."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    integer: bool = False
    arrays_ok: bool = False  # also accepts an array (hyperparameters that broadcast over networks)
    none_ok: bool = False  # None is a documented value (e.g. "no patience", "batch GD")

    def classes(self):
        return {NOT_A_NUMBER, NONFINITE, WRONG_TYPE} | ({OUT_OF_RANGE} if self.low is not None or self.high is not None else set())

    def mistakes(self, value):
        out = [
            (NOT_A_NUMBER, "True", True),
            (NOT_A_NUMBER, "False", False),
            (NOT_A_NUMBER, "numeric string", str(value)),
            (NOT_A_NUMBER, "text", "fast"),
            (NONFINITE, "nan", float("nan")),
            (NONFINITE, "inf", float("inf")),
            (NONFINITE, "-inf", float("-inf")),
            (WRONG_TYPE, "dict", {"value": value}),
        ]
        if not self.none_ok:
            out.append((NOT_A_NUMBER, "None", None))
        if not self.arrays_ok:
            out.append((WRONG_TYPE, "list", [value, value]))
        if self.integer:
            out.append((WRONG_TYPE, "non-integer float", float(value) + 0.5))
        if self.low is not None:
            out.append((OUT_OF_RANGE, "at an open low end" if self.low_open else "below low", self.low if self.low_open else self.low - 1))
            out.append((OUT_OF_RANGE, "far below low", self.low - 1e6))
        if self.high is not None:
            out.append((OUT_OF_RANGE, "at an open high end" if self.high_open else "above high", self.high if self.high_open else self.high + 1))
            out.append((OUT_OF_RANGE, "far above high", self.high + 1e6))
        return out


@dataclasses.dataclass(frozen=True)
class Choice:
    """One of a few names (``hidden="relu"``, ``penalty="l2"``, ``mode="train"``)."""

    def classes(self):
        return {WRONG_TYPE}

    def mistakes(self, value):
        return [
            (WRONG_TYPE, "unknown name", "swish"),
            (WRONG_TYPE, "capitalized", str(value).upper() + "X"),
            (WRONG_TYPE, "None", None),
            (WRONG_TYPE, "number", 3),
            (WRONG_TYPE, "list", [value]),
        ]


@dataclasses.dataclass(frozen=True)
class Flag:
    """True or False."""

    def classes(self):
        return {WRONG_TYPE}

    def mistakes(self, value):
        return [(WRONG_TYPE, "string", "yes"), (WRONG_TYPE, "None", None), (WRONG_TYPE, "int", 2)]


@dataclasses.dataclass(frozen=True)
class Rng:
    """A ``numpy.random.Generator``."""

    def classes(self):
        return {WRONG_TYPE}

    def mistakes(self, value):
        return [
            (WRONG_TYPE, "an int seed", 0),
            (WRONG_TYPE, "None", None),
            (WRONG_TYPE, "legacy RandomState", np.random.RandomState(0)),
        ]


@dataclasses.dataclass(frozen=True)
class Arr:
    """A float array. ``transposable``: its transpose is a detectable mistake (its shape is fixed
    by other arguments); ``flat``: its 1-D ravel is a mistake too."""

    transposable: bool = True
    flat: bool = True
    finite: bool = True  # NaN/inf are mistakes
    none_ok: bool = False  # None is a documented value (``b=None``: no bias)

    def classes(self):
        return {WRONG_TYPE} | ({TRANSPOSED} if self.transposable or self.flat else set()) | ({NONFINITE} if self.finite else set())

    def mistakes(self, value):
        value = np.asarray(value, dtype=float)
        out = [] if self.none_ok else [(WRONG_TYPE, "None", None)]
        out += [
            (WRONG_TYPE, "text", "X"),
            (WRONG_TYPE, "array of numeric strings", value.astype(str)),
        ]
        if self.transposable and value.ndim >= 2 and value.shape[-1] != value.shape[-2]:
            out.append((TRANSPOSED, "transposed", np.swapaxes(value, -1, -2).copy()))
        if self.flat and value.ndim == 2 and value.size > 1:
            out.append((TRANSPOSED, "flattened to 1-D", value.ravel().copy()))
        if self.finite and value.size:
            for bad in (np.nan, np.inf, -np.inf):
                spoiled = value.copy()
                spoiled.flat[value.size // 2] = bad
                out.append((NONFINITE, f"one {bad}", spoiled))
        return out


@dataclasses.dataclass(frozen=True)
class Labels:
    """Binary labels ``(1, m)`` of 0/1 or one-hot ``(C, m)`` (told apart by the valid value's rows)."""

    one_hot: bool = False  # documents the recipe; the mistakes follow the value's shape
    outputs_known: bool = True  # the number of output units is known (params given), so a
    # one-hot Y for a binary output is a mistake
    integer_labels_ok: bool = False  # integer labels (1, m) are accepted for a softmax output

    def classes(self):
        return {LABELS, TRANSPOSED, NONFINITE, WRONG_TYPE}

    def mistakes(self, value):
        Y = np.asarray(value, dtype=float)
        m = Y.shape[1]
        rng = np.random.default_rng(m)
        out = []
        if Y.shape[0] == 1:  # binary labels (recipes put both classes in every Y)
            out += [
                (LABELS, "labels {1, 2}", (Y + 1)),
                (LABELS, "labels {-1, 1}", 2 * Y - 1),
                (LABELS, "probabilities", rng.uniform(0.05, 0.95, Y.shape)),
                *([(LABELS, "one-hot for a binary output", np.vstack([1 - Y, Y]))] if self.outputs_known else []),
                (LABELS, "labels {0, 7}", 7.0 * Y),
            ]
        else:  # one-hot (C, m)
            C = Y.shape[0]
            labels = Y.argmax(axis=0).astype(float).reshape(1, -1)
            two = Y.copy()
            two[(Y.argmax(axis=0) + 1) % C, 0] = 1.0
            none = Y.copy()
            none[:, -1] = 0.0
            out += [
                *([] if self.integer_labels_ok else [(LABELS, "integer labels instead of one-hot", labels)]),
                (LABELS, f"integer labels beyond the {C} classes", labels + C),
                (LABELS, "two 1s in a column", two),
                (LABELS, "a column without a 1", none),
                (LABELS, "softmax probabilities", np.full(Y.shape, 1.0 / C)),
                (LABELS, "one class too few", Y[:-1]),
            ]
        if Y.shape[0] != Y.shape[1]:
            out.append((TRANSPOSED, "transposed", Y.T.copy()))
        if Y.shape[0] == 1 and m > 1:
            out.append((TRANSPOSED, "flattened to 1-D", Y.ravel().copy()))
        spoiled = Y.copy()
        spoiled.flat[Y.size // 2] = np.nan
        out.append((NONFINITE, "one nan", spoiled))
        out.append((WRONG_TYPE, "None", None))
        out.append((WRONG_TYPE, "text", "labels"))
        return out


def _layers(params):
    return max(int(k[1:]) for k in params if re.fullmatch(r"W\d+", k))


@dataclasses.dataclass(frozen=True)
class Params:
    """A parameter dict ``{"W1": (n1, n0), "b1": (n1, 1), ...}``."""

    finite: bool = True
    reads: str = "all"  # "all": a network's dict; "W": only the weights are read (an L2 term);
    # "given": an optimizer updates the parameters that have a gradient (extra keys are fine)

    def classes(self):
        return {PARAMS, WRONG_TYPE} | ({NONFINITE} if self.finite else set())

    def mistakes(self, value):
        p = value
        L = _layers(p)
        out = []
        for k in p:
            if self.reads == "W" and not k.startswith("W"):
                continue
            out.append((PARAMS, f"missing {k}", {j: v for j, v in p.items() if j != k}))
        n_L = p[f"W{L}"].shape[-2]
        if self.reads != "given":
            out.append((PARAMS, "an extra layer's W", {**p, f"W{L + 2}": np.ones((1, n_L))}))
        if self.reads == "all":
            out.append((PARAMS, "an extra key", {**p, "c1": np.zeros((n_L, 1))}))
        if L >= 2 and self.reads != "given":
            out.append((PARAMS, "layers renumbered with a gap", {
                (f"{k[:-1]}{L + 1}" if k.endswith(str(L)) and k[:-1] in ("W", "b") else k): v for k, v in p.items()}))
        for l in range(1, L + 1):
            W = p[f"W{l}"]
            if W.shape[-1] != W.shape[-2]:
                out.append((PARAMS, f"W{l} transposed", {**p, f"W{l}": np.swapaxes(W, -1, -2).copy()}))
            b = p.get(f"b{l}")
            if b is not None and b.shape[-2] > 1 and self.reads != "W":
                out.append((PARAMS, f"b{l} transposed", {**p, f"b{l}": np.swapaxes(b, -1, -2).copy()}))
                out.append((PARAMS, f"b{l} 1-D", {**p, f"b{l}": b.ravel().copy()}))
        if self.finite:
            W = p["W1"].copy()
            W.flat[0] = np.nan
            out.append((NONFINITE, "nan in W1", {**p, "W1": W}))
        out.append((WRONG_TYPE, "a list of arrays", list(p.values())))
        out.append((WRONG_TYPE, "W1 as a string", {**p, "W1": "W1"}))
        out.append((WRONG_TYPE, "None", None))
        return out


@dataclasses.dataclass(frozen=True)
class Grads:
    """Gradients ``{"dW1": ..., "db1": ...}`` matching a parameter dict. ``complete``: every
    parameter needs its gradient (False for optimizers, which update the parameters given)."""

    complete: bool = True  # every parameter needs its gradient ({} is always a mistake)

    def classes(self):
        return {PARAMS, TRANSPOSED, WRONG_TYPE}

    def mistakes(self, value):
        g = value
        out = [
            (PARAMS, "keyed like the parameters (W1, not dW1)", {k[1:]: v for k, v in g.items()}),
            (PARAMS, "an extra gradient", {**g, "dW9": np.zeros((1, 1))}),
            (WRONG_TYPE, "None", None),
            (WRONG_TYPE, "a list of arrays", list(g.values())),
            (PARAMS, "empty dict", {}),
        ]
        if self.complete:
            first = next(iter(g))
            out.append((PARAMS, f"missing {first}", {k: v for k, v in g.items() if k != first}))
        for k, v in g.items():
            if v.ndim >= 2 and v.shape[-1] != v.shape[-2]:
                out.append((TRANSPOSED, f"{k} transposed", {**g, k: np.swapaxes(v, -1, -2).copy()}))
                break
        return out


# ---------------------------------------------------------------- targets


@dataclasses.dataclass
class Target:
    """A public function, a recipe for a valid call, and the kind of each argument.

    ``build(draw)`` returns the keyword arguments of a valid call; ``data`` names the arguments
    whose last axis is the examples axis (set to m = 0 together for an empty batch).
    """

    name: str
    fn: Callable
    build: Callable
    kinds: dict
    data: tuple = ()
    xfail: dict = dataclasses.field(default_factory=dict)  # mistake class -> reason

    def mistakes(self, kwargs, mistake_class):
        out = []
        for arg, kind in self.kinds.items():
            for cls, label, value in kind.mistakes(kwargs[arg]):
                if cls == mistake_class:
                    out.append((f"{arg}: {label}", {**kwargs, arg: value}))
        if mistake_class == EMPTY and self.data:
            empty = dict(kwargs)
            for arg in self.data:
                empty[arg] = np.asarray(kwargs[arg])[..., :0]
            out.append(("m = 0", empty))
        return out

    def classes(self):
        """The mistake classes this target's arguments can carry."""
        found = set().union(*(kind.classes() for kind in self.kinds.values())) if self.kinds else set()
        if self.data:
            found.add(EMPTY)
        return [c for c in MISTAKES if c in found]


def call_fn(target, kwargs):
    return target.fn(**copy.copy(kwargs))


def expect_value_error(target, kwargs, label):
    """The call must raise ``ValueError`` from a helpers module, with no warning on the way."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = target.fn(**kwargs)
        except ValueError as error:
            frames = traceback.extract_tb(error.__traceback__)
            last = frames[-1].filename if frames else "?"
            assert last.startswith(HELPERS), (
                f"{target.name} with {label}: the ValueError came from {last}, not from helpers: {error}")
            assert str(error), f"{target.name} with {label}: a ValueError without a message"
            accidental = [m for m in NUMPY_MESSAGES if m in str(error)]
            assert not accidental, f"{target.name} with {label}: numpy's own ValueError, not a check: {error}"
            return str(error)
        except Warning as warning:
            raise AssertionError(f"{target.name} with {label}: a warning instead of a ValueError: {warning!r}") from None
        except Exception as error:  # noqa: BLE001 - the point is to name any other error
            raise AssertionError(
                f"{target.name} with {label}: {type(error).__name__} instead of a ValueError: {error}") from error
    raise AssertionError(f"{target.name} with {label}: no error, returned {_short(result)}")


def _short(result):
    text = repr(result)
    return text if len(text) < 120 else text[:117] + "..."


def one_form(message):
    """The message follows the one form of the package: 'NAME: got ..., expected ...'."""
    return bool(re.match(r"^[^\n]+?: got .+, expected .+", message, re.S))


def finite_everywhere(result):
    """Every number inside ``result`` (arrays, dicts, tuples, dataclasses) is finite."""
    if result is None or isinstance(result, (str, bytes, bool)):
        return True
    if isinstance(result, dict):
        return all(finite_everywhere(v) for v in result.values())
    if isinstance(result, (list, tuple)):
        return all(finite_everywhere(v) for v in result)
    if dataclasses.is_dataclass(result):
        return all(finite_everywhere(getattr(result, f.name)) for f in dataclasses.fields(result))
    try:
        array = np.asarray(result)
    except Exception:  # noqa: BLE001
        return True
    if array.dtype.kind in "fc":
        return bool(np.all(np.isfinite(array)))
    return True


# ---------------------------------------------------------------- drawing valid inputs


def distinct_dims(draw, k, low=1, high=7):
    """``k`` distinct sizes, so that a transposed array can never pass for a valid one."""
    return draw(st.lists(st.integers(low, high), min_size=k, max_size=k, unique=True))


def floats(draw, shape, scale=1.0, seed_space=2**16):
    seed = draw(st.integers(0, seed_space))
    return np.random.default_rng(seed).standard_normal(shape) * scale


def binary_labels(draw, m):
    seed = draw(st.integers(0, 2**16))
    Y = (np.random.default_rng(seed).random((1, m)) < 0.5).astype(float)
    Y[0, 0] = 1.0  # both classes present (label mistakes are then visible)
    if m > 1:
        Y[0, 1] = 0.0
    return Y


def one_hot_labels(draw, C, m):
    seed = draw(st.integers(0, 2**16))
    y = np.random.default_rng(seed).integers(0, C, m)
    return np.eye(C)[:, y]
