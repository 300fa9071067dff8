"""Chapter 6: exponentially weighted averages (EWA) of a series ``theta_1, theta_2, ...``.

The running average keeps one number of memory::

    v_0 = 0,    v_t = beta v_{t-1} + (1 - beta) theta_t            (t = 1, 2, ...)

and so gives ``theta_{t-k}`` the weight ``(1 - beta) beta^k`` (see :func:`ewa_weights`): it averages
over roughly the last ``1 / (1 - beta)`` values, because ``beta^(1/(1-beta)) ~ 1/e``. Starting
from ``v_0 = 0`` biases the first values towards 0; dividing by ``1 - beta^t`` (the total weight
given so far) removes that bias (:func:`bias_correct`).

The measuring functions (:func:`roughness`, :func:`lag_days`, :func:`startup_error`) back the
chapter's claims: a larger beta gives a smoother but later curve, and bias correction removes the
start-up dip. The exercises' checkers, :func:`check_ewa` and :func:`check_ewa_corrected`, grade a learner's
plain and bias-corrected averages. :func:`sine_lag` and :func:`trailing_average` back the claims
on the lag of a seasonal cycle and on memory.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import exercises
from .validate import as_float_array, check_bool, check_number, describe, error

__all__ = [
    "ewa",
    "bias_correct",
    "ewa_weights",
    "effective_window",
    "mean_lag",
    "centered_average",
    "roughness",
    "lag_days",
    "startup_error",
    "sine_lag",
    "trailing_average",
    "check_ewa",
    "check_ewa_corrected",
]


def _check_beta(beta):
    return check_number("beta", beta, low=0, high=1, high_open=True)


def _check_series(theta, name="theta"):
    theta = as_float_array(name, theta, ndim=1)
    if theta.size == 0:
        raise error(name, "an empty array", "at least one value")
    return theta


def ewa(theta, beta=0.9, bias_correction=False, start="zero"):
    """Exponentially weighted average of a 1-D series.

    Parameters
    ----------
    theta : array of shape (T,), the series ``theta_1 .. theta_T``.
    beta : float in [0, 1), default 0.9. ``beta = 0`` returns ``theta`` itself.
    bias_correction : bool, default False. If True return ``v_t / (1 - beta^t)`` (only with
        ``start="zero"``: the other start has no start-up bias to correct).
    start : ``"zero"`` (default, this course: ``v_0 = 0``, so ``v_1 = (1 - beta) theta_1``) or
        ``"first"`` (the source notes' convention: ``v_1 = theta_1``, then the same recursion).

    Returns
    -------
    v : array of shape (T,), ``v_1 .. v_T`` (with ``v_0`` not included).
    """
    theta = _check_series(theta)
    _check_beta(beta)
    check_bool("bias_correction", bias_correction)
    if start not in ("zero", "first"):
        raise error("start", describe(start), "'zero' (v_0 = 0) or 'first' (v_1 = theta_1)", "start='zero'")
    if start == "first" and bias_correction:
        raise error("bias_correction", "True with start='first'", "False: starting at v_1 = theta_1 has no bias towards 0 to correct",
                    "ewa(theta, beta, start='first')")
    v = np.empty_like(theta)
    running = theta[0] if start == "first" else 0.0
    # The loop is the formula itself; one pass over a few thousand values takes well under 1 ms.
    for t, value in enumerate(theta):
        running = beta * running + (1 - beta) * value
        v[t] = running
    return bias_correct(v, beta) if bias_correction else v


def bias_correct(v, beta):
    """``v_t / (1 - beta^t)`` for ``t = 1 .. T``: ``v`` of shape (T,) from :func:`ewa` (uncorrected)."""
    v = _check_series(v, "v")
    _check_beta(beta)
    t = np.arange(1, v.size + 1)
    return v / (1 - beta**t)


def ewa_weights(beta, n):
    """Weights ``(1 - beta) beta^k``, ``k = 0 .. n-1``, that ``v_t`` gives to ``theta_{t-k}``.

    Returns an array of shape (n,). Over an infinite past they sum to 1.
    """
    _check_beta(beta)
    check_number("n", n, low=1, integer=True)
    return (1 - beta) * beta ** np.arange(n)


def effective_window(beta):
    """``1 / (1 - beta)``: about how many recent values the average is taken over."""
    _check_beta(beta)
    return 1.0 / (1.0 - beta)


def mean_lag(beta):
    """``beta / (1 - beta)``: the mean age, in steps, of the values in the average (``sum k w_k``)."""
    _check_beta(beta)
    return beta / (1.0 - beta)


def centered_average(theta, half_width=15):
    """A centered (non-causal) moving average over ``2 half_width + 1`` values, shape (T,).

    It looks into the future, so it does not lag: the reference :func:`lag_days` measures against.
    Near the ends the window is cut to what exists.
    """
    theta = _check_series(theta)
    check_number("half_width", half_width, low=0, integer=True)
    sums = np.concatenate([[0.0], np.cumsum(theta)])
    t = np.arange(theta.size)
    lo = np.clip(t - half_width, 0, theta.size)
    hi = np.clip(t + half_width + 1, 0, theta.size)
    return (sums[hi] - sums[lo]) / (hi - lo)


def roughness(v):
    """Standard deviation of the day-to-day change ``v_t - v_{t-1}``: smaller is smoother."""
    v = _check_series(v, "v")
    if v.size < 3:
        raise error("v", f"{v.size} values", "at least 3 to measure a roughness")
    return float(np.std(np.diff(v)))


def lag_days(v, reference, max_lag=120, skip=120):
    """The delay ``k`` (in steps) that best aligns ``v`` with a non-lagging ``reference``.

    Returns the ``k`` in ``0 .. max_lag`` minimising ``mean((v_t - reference_{t-k})^2)`` over
    ``t >= skip`` (the first ``skip`` steps are left out so that the start-up does not count).
    """
    v = _check_series(v, "v")
    reference = _check_series(reference, "reference")
    if reference.shape != v.shape:
        raise error("v, reference", f"shapes {v.shape} and {reference.shape}", "the same shape")
    check_number("max_lag", max_lag, low=0, integer=True)
    check_number("skip", skip, low=max_lag, high=v.size - 2, integer=True)
    # Row k of the stack is reference[skip - k : T - k], the reference delayed by k steps: one
    # vectorized pass with the same numbers as one np.mean per k (each row is summed alone).
    delayed = sliding_window_view(reference[skip - max_lag :], v.size - skip)[::-1]
    errors = np.mean((v[skip:] - delayed) ** 2, axis=1)
    return int(np.argmin(errors))


def sine_lag(beta, period):
    """The delay, in steps, that an EWA puts on a sine wave of ``period`` steps.

    The EWA is the filter ``v_t = beta v_{t-1} + (1 - beta) theta_t``; on ``theta_t = sin(omega t)``
    (``omega = 2 pi / period``) its output is a sine delayed by
    ``arctan(beta sin(omega) / (1 - beta cos(omega))) / omega`` steps. For a slow wave
    (``period`` much longer than ``1 / (1 - beta)``) this tends to the mean age ``beta / (1 - beta)``;
    for a wave whose period is not much longer than the window it is shorter.
    """
    _check_beta(beta)
    check_number("period", period, low=2)
    omega = 2 * np.pi / period
    return float(np.arctan2(beta * np.sin(omega), 1 - beta * np.cos(omega)) / omega)


def trailing_average(theta, window):
    """The moving average of the last ``window`` values (causal), shape (T,).

    At step ``t`` it needs the ``window`` most recent values in memory (fewer at the start, where it
    averages what exists): the alternative to an EWA that the chapter measures.
    """
    theta = _check_series(theta)
    check_number("window", window, low=1, integer=True)
    sums = np.concatenate([[0.0], np.cumsum(theta)])
    t = np.arange(1, theta.size + 1)
    lo = np.maximum(t - window, 0)
    return (sums[t] - sums[lo]) / (t - lo)


def startup_error(v, theta, days=10):
    """Mean ``|v_t - theta_t|`` over the first ``days`` values: large when the average starts too low."""
    v = _check_series(v, "v")
    theta = _check_series(theta)
    if theta.shape != v.shape:
        raise error("v, theta", f"shapes {v.shape} and {theta.shape}", "the same shape")
    check_number("days", days, low=1, high=v.size, integer=True)
    return float(np.mean(np.abs(v[:days] - theta[:days])))


_THETA = np.array([10.0, 12.0, 9.0, 11.0, 14.0, 13.0, 8.0, 10.0])


def _compare_series(fn, beta, expected):
    got = exercises.call(fn, _THETA, beta)
    got = exercises.expect_array("v", got)
    if got.shape != expected.shape:
        raise exercises.Mistake(f"v has shape {got.shape}: expected one average per value, shape {expected.shape}")
    if not np.all(np.isfinite(got)):
        raise exercises.Mistake("v holds NaN or inf values (a division by 1 - beta^0 = 0? t counts from 1)")
    return got


def _first_difference(got, expected):
    first = int(np.argmax(~np.isclose(got, expected)))
    return f"v differs from the reference first at t = {first + 1}: expected {expected[first]:.4f}, got {got[first]:.4f}"


@exercises.checker("the exponentially weighted average")
def check_ewa(fn, beta=0.9):
    """Check a learner's ``fn(theta, beta) -> v`` (plain EWA, ``v_0 = 0``) against :func:`ewa`.

    Names the mistake when it can tell: wrong shape, bias correction applied, ``beta`` and
    ``1 - beta`` swapped, the notes' other start ``v_1 = theta_1``, an off-by-one shift.
    """
    _check_beta(beta)
    expected = ewa(_THETA, beta)
    got = _compare_series(fn, beta, expected)
    if np.allclose(got, expected):
        return f"v matches the reference for beta = {beta} (v_1 = {expected[0]:.2f}, v_T = {expected[-1]:.2f})"
    if np.allclose(got, bias_correct(expected, beta)):
        raise exercises.Mistake("you applied bias correction: this function returns the plain v_t "
                                "(start from v_0 = 0, no division); the next exercise corrects it")
    if 0 < beta and np.allclose(got, ewa(_THETA, 1 - beta)):
        raise exercises.Mistake("beta and (1 - beta) are swapped: v_t = beta * v_{t-1} + (1 - beta) * theta_t")
    if np.allclose(got, ewa(_THETA, beta, start="first")) or np.isclose(got[0], _THETA[0]):
        raise exercises.Mistake(f"v_1 = {got[0]:.2f} equals theta_1: that is the source notes' convention "
                                f"(v_1 = theta_1); this course starts from v_0 = 0, so v_1 = (1 - beta) theta_1 = "
                                f"{expected[0]:.2f}")
    if np.allclose(got[1:], expected[:-1]):
        raise exercises.Mistake("your averages are shifted by one step: v_t must already include theta_t")
    raise exercises.Mistake(_first_difference(got, expected))


@exercises.checker("the EWA with bias correction")
def check_ewa_corrected(fn, beta=0.9):
    """Check a learner's ``fn(theta, beta) -> v_hat`` (``v_t / (1 - beta^t)``, ``v_0 = 0``).

    Names: no correction, ``t`` counted from 0 or the correction ``1 - beta^(t+1)``, the corrected
    value fed back into the recursion, the notes' start ``v_1 = theta_1``, ``beta`` swapped.
    """
    _check_beta(beta)
    plain = ewa(_THETA, beta)
    expected = bias_correct(plain, beta)
    got = _compare_series(fn, beta, expected)
    if np.allclose(got, expected):
        return (f"v_hat matches the reference for beta = {beta}: v_hat_1 = theta_1 = {expected[0]:.2f}, "
                f"v_hat_T = {expected[-1]:.2f}")
    t = np.arange(1, _THETA.size + 1)
    if np.allclose(got, plain):
        raise exercises.Mistake("these are the plain averages: divide v_t by 1 - beta**t (t = 1 for the first value)")
    if np.allclose(got, plain / (1 - beta ** (t + 1))):
        raise exercises.Mistake("the correction uses beta**(t + 1): with t counting from 1, divide v_t by 1 - beta**t")
    fed_back, running = np.empty_like(_THETA), 0.0
    for k, value in enumerate(_THETA, start=1):
        running = (beta * running + (1 - beta) * value) / (1 - beta**k)
        fed_back[k - 1] = running
    if np.allclose(got, fed_back):
        raise exercises.Mistake("the corrected value was fed back into the recursion: keep the plain v_t running, "
                                "and divide only what you return")
    if np.allclose(got, ewa(_THETA, beta, start="first")):
        raise exercises.Mistake("this is the source notes' start v_1 = theta_1 (a convention with no start-up bias): "
                                "here start from v_0 = 0 and divide by 1 - beta**t")
    if 0 < beta and np.allclose(got, bias_correct(ewa(_THETA, 1 - beta), beta)):
        raise exercises.Mistake("beta and (1 - beta) are swapped: v_t = beta * v_{t-1} + (1 - beta) * theta_t")
    raise exercises.Mistake(_first_difference(got, expected))
