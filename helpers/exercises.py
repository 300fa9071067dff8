"""The one contract of every exercise checker in the course.

A checker takes the learner's function, runs it on cases it builds, and returns a
:class:`Result`: ``passed``, ``failed`` (with a message naming the first precise difference) or
``not written`` (the function raises ``NotImplementedError`` or returns ``None``). The learner's
own exceptions never escape: they are reported with the line of the learner's code that raised.

Writing a checker::

    @exercises.checker("the L2 cost term")
    def check_l2_cost(l2_cost):
        params = ...
        got = exercises.call(l2_cost, params, lambd=0.7, m=5)   # runs the learner's code
        exercises.expect_close("the L2 term", got, expected)     # raises Mistake when it differs
        return "correct: lambda / (2m) times the sum of squared weights"

Inside the body, ``raise Mistake("...")`` (or one of the ``expect_*`` helpers) fails the check
with that message; the return value, if any, is the message of a pass.

In a notebook the :class:`Result` shows as one line (``passed: ...``); tests assert on
``result.passed`` or ``result.status``, never on the wording.
"""

from __future__ import annotations

import functools
import traceback
from dataclasses import dataclass

import numpy as np

__all__ = [
    "PASSED",
    "FAILED",
    "NOT_WRITTEN",
    "MIME_TYPE",
    "Result",
    "Mistake",
    "NotWritten",
    "checker",
    "call",
    "call_in_place",
    "expect_array",
    "expect_shape",
    "expect_close",
    "expect_keys",
]

PASSED, FAILED, NOT_WRITTEN = "passed", "failed", "not written"
#: Each result also carries a machine-readable copy under this mime type, which
#: ``tasks.py progress`` reads from an executed notebook.
MIME_TYPE = "application/vnd.dl-course.exercise+json"
_MARKS = {PASSED: "✔ passed", FAILED: "✘ failed", NOT_WRITTEN: "… not written yet"}


@dataclass(frozen=True)
class Result:
    """What a checker says about one exercise.

    Attributes
    ----------
    exercise : str
        The exercise's name, e.g. ``"the L2 cost term"``.
    status : str
        ``"passed"``, ``"failed"`` or ``"not written"``.
    message : str
        One sentence: what is right, or the first precise thing that is wrong.
    """

    exercise: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def written(self) -> bool:
        return self.status != NOT_WRITTEN

    def __str__(self):
        return f"{_MARKS[self.status]} ({self.exercise}): {self.message}"

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/plain": str(self),
            MIME_TYPE: {"exercise": self.exercise, "status": self.status, "message": self.message},
        }


class Mistake(Exception):
    """Raised inside a checker: the learner's function did something wrong (the message says what)."""


class NotWritten(Exception):
    """Raised inside a checker: the learner's function is still the stub."""


def _learner_line(error, fn):
    """``" (line N: <code>)"`` for the deepest frame of the traceback that is the learner's code."""
    code = getattr(fn, "__code__", None)
    filename = code.co_filename if code is not None else None
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == filename:
            line = (frame.line or "").strip()
            where = f" (line {frame.lineno}: {line})" if line else f" (line {frame.lineno})"
    return where


def call(fn, *args, **kwargs):
    """Run the learner's ``fn``; turn the stub and the learner's errors into the checker's states.

    Raises :class:`NotWritten` when ``fn`` raises ``NotImplementedError`` or returns ``None``, and
    :class:`Mistake` (naming the exception and the learner's line) when it raises anything else.
    Arguments are copied first when they are arrays or dicts of arrays, so that a learner's
    in-place change cannot alter the checker's reference data; :func:`call_in_place` does not copy.
    """
    args = [_copy(a) for a in args]
    kwargs = {k: _copy(v) for k, v in kwargs.items()}
    return call_in_place(fn, *args, **kwargs)


def call_in_place(fn, *args, **kwargs):
    """:func:`call` without the copies: for an exercise whose function must change an array it is
    given (the numerical gradient perturbs ``theta`` in place), so the checker can see the change."""
    try:
        value = fn(*args, **kwargs)
    except NotImplementedError as error:
        raise NotWritten(str(error) or "the function still raises NotImplementedError") from None
    except Exception as error:  # the learner's own error: report it, never let it escape
        raise Mistake(f"your function raised {type(error).__name__}: {error}{_learner_line(error, fn)}"
                      f"{_shape_hint(error)}") from None
    if value is None:
        raise NotWritten("the function returns None (is a `return` missing?)")
    return value


def _shape_hint(error):
    """A hint for numpy's two shape errors, the commonest in this course's exercises."""
    text = str(error)
    if "could not be broadcast" in text:
        return (". The shapes do not line up: print them; `*` multiplies element by element (`@` is the "
                "matrix product), and a sum or mean over examples keeps its column shape with keepdims=True")
    if "matmul" in text and "mismatch" in text:
        return (". The inner sizes of `@` differ: with X of shape (n_x, m), W[l] @ A[l-1] is "
                "(n[l], n[l-1]) @ (n[l-1], m); check the order and the transposes")
    return ""


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def checker(exercise):
    """Decorator: turn a check body ``body(fn, *args, **kwargs)`` into a checker returning :class:`Result`.

    The body raises :class:`Mistake` to fail and may return the message of a pass. A ``fn`` that is
    not callable fails with a message saying what was given.
    """

    def decorate(body):
        @functools.wraps(body)
        def check(fn, *args, **kwargs):
            if not callable(fn):
                return Result(exercise, FAILED, f"pass your function itself (e.g. `{body.__name__}(my_function)`); "
                                                f"got {type(fn).__name__}")
            try:
                message = body(fn, *args, **kwargs)
            except NotWritten as state:
                return Result(exercise, NOT_WRITTEN, f"{state}; write your code between the markers, then run this cell again")
            except Mistake as mistake:
                return Result(exercise, FAILED, str(mistake))
            return Result(exercise, PASSED, message or "correct")

        check.exercise = exercise
        return check

    return decorate


def expect_array(name, value):
    """``value`` as a float array, or a :class:`Mistake` saying what it was instead."""
    if isinstance(value, (tuple, list)) and value and not np.isscalar(value[0]) and not isinstance(value[0], np.ndarray):
        raise Mistake(f"{name} must be a numpy array; got a {type(value).__name__}")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Mistake(f"{name} must be a numpy array of numbers; got {type(value).__name__}") from None
    return array


def expect_shape(name, value, shape, transposed_hint=None):
    """Fail unless ``value`` has ``shape``; name the transpose when that is the mistake."""
    array = expect_array(name, value)
    if array.shape != tuple(shape):
        hint = ""
        if array.shape == tuple(shape)[::-1] and len(shape) == 2:
            hint = f" ({transposed_hint or 'it is transposed'})"
        raise Mistake(f"{name} has shape {array.shape}, expected {tuple(shape)}{hint}")
    return array


def expect_close(name, value, expected, rtol=1e-6, atol=1e-9, hint=""):
    """Fail unless ``value`` matches ``expected`` to the tolerance; say where and by how much."""
    expected = np.asarray(expected, dtype=np.float64)
    array = expect_shape(name, value, expected.shape)
    if not np.all(np.isfinite(array)):
        raise Mistake(f"{name} holds NaN or inf values")
    if not np.allclose(array, expected, rtol=rtol, atol=atol):
        if expected.ndim == 0:
            where = f"got {array.item():.6g}, expected {expected.item():.6g}"
        else:
            i = np.unravel_index(np.argmax(np.abs(array - expected)), expected.shape)
            where = f"at index {tuple(int(k) for k in i)} got {array[i]:.6g}, expected {expected[i]:.6g}"
        raise Mistake(f"{name} is wrong: {where}{'; ' + hint if hint else ''}")
    return array


def expect_keys(name, value, keys):
    """Fail unless ``value`` is a dict with exactly ``keys``."""
    if not isinstance(value, dict):
        raise Mistake(f"{name} must be a dict; got {type(value).__name__}")
    missing = [k for k in keys if k not in value]
    extra = sorted(set(value) - set(keys))
    if missing:
        raise Mistake(f"{name} is missing {', '.join(missing)}; expected keys {', '.join(keys)}")
    if extra:
        raise Mistake(f"{name} has unexpected keys {', '.join(extra)}; expected {', '.join(keys)}")
    return value
