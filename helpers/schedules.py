"""Learning-rate schedules (core; chapter 8 teaches them), as pure functions of the epoch or of the update count.

Epoch schedules take ``epoch = 0, 1, 2, ...`` (the first epoch uses ``epoch = 0``); step schedules
take ``t = 0, 1, 2, ...``, the number of updates made so far, which is what
:mod:`helpers.optim` passes to a callable ``learning_rate``. Every schedule accepts a number
(returns a float) or an array (returns an array of the same shape), so the same function draws
the alpha curve and feeds an optimizer::

    alpha = schedules.inverse_time(np.arange(50), alpha0=0.2, decay_rate=1.0)       # an array
    opt = optim.gd(learning_rate=schedules.per_step(
        lambda epoch: schedules.inverse_time(epoch, 0.2, 1.0), steps_per_epoch=8))  # t -> alpha

Cyclic schedules go back up on purpose: :func:`triangular` (cyclic learning rates) and
:func:`cosine_restarts` (cosine annealing with warm restarts). The chapter's experiments with the
schedules live in :mod:`helpers.lr_decay`.
"""

from __future__ import annotations

import numpy as np

from .validate import as_float_array, check_choice, check_number, describe, error

__all__ = [
    "constant",
    "inverse_time",
    "exponential",
    "inverse_sqrt_epoch",
    "inverse_sqrt_step",
    "staircase",
    "scheduled",
    "cosine",
    "warmup_cosine",
    "triangular",
    "cosine_restarts",
    "per_step",
    "SCHEDULES",
    "alpha_per_step",
]


# ---------------------------------------------------------------- validation


def _counter(name, value):
    """``value`` (number or array) must be finite and >= 0; returns ``(array, was_scalar)``."""
    array = as_float_array(name, value)
    if np.any(array < 0):
        raise error(name, f"a minimum of {array.min():g}", "a count >= 0 (counted from 0)",
                    f"{name}=0 for the first one")
    return array, array.ndim == 0


def _out(array, scalar):
    return float(array) if scalar else array


def _alpha0(alpha0):
    return check_number("alpha0", alpha0, low=0, low_open=True)


# ---------------------------------------------------------------- schedules of the epoch


def constant(epoch, alpha0=0.1):
    """``alpha = alpha0`` at every epoch (the reference the decays are compared with)."""
    epoch, scalar = _counter("epoch", epoch)
    _alpha0(alpha0)
    return _out(np.full(epoch.shape, float(alpha0)), scalar)


def inverse_time(epoch, alpha0=0.1, decay_rate=1.0):
    """``alpha = alpha0 / (1 + decay_rate * epoch)``; ``decay_rate >= 0`` (0 keeps alpha0)."""
    epoch, scalar = _counter("epoch", epoch)
    _alpha0(alpha0)
    check_number("decay_rate", decay_rate, low=0)
    return _out(alpha0 / (1.0 + decay_rate * epoch), scalar)


def exponential(epoch, alpha0=0.1, base=0.95):
    """``alpha = base^epoch * alpha0`` with ``0 < base <= 1`` (the course's 0.95^epoch by default)."""
    epoch, scalar = _counter("epoch", epoch)
    _alpha0(alpha0)
    check_number("base", base, low=0, high=1, low_open=True)
    return _out(alpha0 * base**epoch, scalar)


def inverse_sqrt_epoch(epoch, alpha0=0.1, k=1.0):
    """``alpha = k / sqrt(epoch_num) * alpha0`` with ``epoch_num = epoch + 1`` (1 for the first epoch).

    Counting from 1 inside the root keeps the first epoch finite: it uses ``k * alpha0``.
    """
    epoch, scalar = _counter("epoch", epoch)
    _alpha0(alpha0)
    check_number("k", k, low=0, low_open=True)
    return _out(k * alpha0 / np.sqrt(epoch + 1.0), scalar)


def staircase(epoch, alpha0=0.1, drop=0.5, epochs_per_drop=10):
    """Discrete steps: ``alpha = alpha0 * drop^floor(epoch / epochs_per_drop)``, ``0 < drop <= 1``."""
    epoch, scalar = _counter("epoch", epoch)
    _alpha0(alpha0)
    check_number("drop", drop, low=0, high=1, low_open=True)
    check_number("epochs_per_drop", epochs_per_drop, low=0, low_open=True)
    return _out(alpha0 * drop ** np.floor(epoch / epochs_per_drop), scalar)


def scheduled(epoch, alpha0=0.1, decay_rate=1.0, time_interval=10):
    """Inverse-time decay applied only every ``time_interval`` epochs (fixed-interval scheduling)::

        alpha = alpha0 / (1 + decay_rate * floor(epoch / time_interval))

    so alpha stays flat for ``time_interval`` epochs, then drops.
    """
    epoch, scalar = _counter("epoch", epoch)
    _alpha0(alpha0)
    check_number("decay_rate", decay_rate, low=0)
    check_number("time_interval", time_interval, low=0, low_open=True)
    return _out(alpha0 / (1.0 + decay_rate * np.floor(epoch / time_interval)), scalar)


# ---------------------------------------------------------------- schedules of the update count t


def inverse_sqrt_step(t, alpha0=0.1, k=1.0):
    """``alpha = k / sqrt(t + 1) * alpha0`` for update ``t = 0, 1, ...`` (``k * alpha0`` at the first)."""
    t, scalar = _counter("t", t)
    _alpha0(alpha0)
    check_number("k", k, low=0, low_open=True)
    return _out(k * alpha0 / np.sqrt(t + 1.0), scalar)


def cosine(t, alpha0=0.1, total_steps=1000, alpha_min=0.0):
    """Half a cosine from ``alpha0`` at ``t = 0`` down to ``alpha_min`` at ``t = total_steps``::

        alpha = alpha_min + (alpha0 - alpha_min) (1 + cos(pi min(t, T) / T)) / 2,   T = total_steps

    and ``alpha_min`` after that. ``0 <= alpha_min <= alpha0``.
    """
    t, scalar = _counter("t", t)
    _alpha0(alpha0)
    check_number("total_steps", total_steps, low=0, low_open=True)
    check_number("alpha_min", alpha_min, low=0, high=alpha0)
    progress = np.minimum(t, total_steps) / total_steps
    return _out(alpha_min + (alpha0 - alpha_min) * 0.5 * (1.0 + np.cos(np.pi * progress)), scalar)


def warmup_cosine(t, alpha0=0.1, warmup_steps=100, total_steps=1000, alpha_min=0.0):
    """Linear warm-up, then cosine decay.

    ``alpha = alpha0 (t + 1) / warmup_steps`` for ``t < warmup_steps`` (small steps while the
    parameters are still far from anything sensible), then :func:`cosine` over the remaining
    ``total_steps - warmup_steps`` updates. ``warmup_steps = 0`` is plain cosine.
    """
    t, scalar = _counter("t", t)
    _alpha0(alpha0)
    check_number("total_steps", total_steps, low=0, low_open=True)
    check_number("warmup_steps", warmup_steps, low=0, high=total_steps, high_open=True)
    check_number("alpha_min", alpha_min, low=0, high=alpha0)
    ramp = alpha0 * np.minimum(t + 1.0, max(warmup_steps, 1)) / max(warmup_steps, 1)
    after = np.maximum(t - warmup_steps, 0.0)
    decay = cosine(after, alpha0, total_steps - warmup_steps, alpha_min)
    return _out(np.where(t < warmup_steps, ramp, decay), scalar)


def triangular(t, alpha0=0.1, alpha_min=0.001, half_cycle=100):
    """Cyclic learning rate, the triangular policy: linearly from ``alpha_min`` up to ``alpha0`` over
    ``half_cycle`` updates, back down over the next ``half_cycle``, and again::

        alpha = alpha_min + (alpha0 - alpha_min) (1 - |t / half_cycle mod 2 - 1|)

    ``t = 0`` gives ``alpha_min``. ``0 <= alpha_min <= alpha0``.
    """
    t, scalar = _counter("t", t)
    _alpha0(alpha0)
    check_number("alpha_min", alpha_min, low=0, high=alpha0)
    check_number("half_cycle", half_cycle, low=0, low_open=True)
    position = np.mod(t / half_cycle, 2.0)
    return _out(alpha_min + (alpha0 - alpha_min) * (1.0 - np.abs(position - 1.0)), scalar)


def cosine_restarts(t, alpha0=0.1, period=100, alpha_min=0.0):
    """Cosine annealing with warm restarts: :func:`cosine` over each ``period`` updates, then back
    to ``alpha0`` (a restart)::

        alpha = alpha_min + (alpha0 - alpha_min) (1 + cos(pi (t mod period) / period)) / 2
    """
    t, scalar = _counter("t", t)
    _alpha0(alpha0)
    check_number("period", period, low=0, low_open=True)
    check_number("alpha_min", alpha_min, low=0, high=alpha0)
    progress = np.mod(t, period) / period
    return _out(alpha_min + (alpha0 - alpha_min) * 0.5 * (1.0 + np.cos(np.pi * progress)), scalar)


# ---------------------------------------------------------------- glue


def per_step(epoch_schedule, steps_per_epoch):
    """Turn a schedule of the epoch into one of the update count ``t`` (for :mod:`helpers.optim`).

    Returns ``alpha(t) = epoch_schedule(t // steps_per_epoch)``: every update of one epoch uses
    the same alpha. ``steps_per_epoch`` is ``ceil(m / mini_batch_size)``.
    """
    if not callable(epoch_schedule):
        raise error("epoch_schedule", describe(epoch_schedule), "a function of the epoch",
                    "lambda epoch: schedules.inverse_time(epoch, 0.2, 1.0)")
    check_number("steps_per_epoch", steps_per_epoch, low=1, integer=True)

    def alpha(t):
        t, scalar = _counter("t", t)
        return epoch_schedule(float(t // steps_per_epoch) if scalar else t // steps_per_epoch)

    return alpha


SCHEDULES = {
    # name: (function, what it is a function of)
    "constant": (constant, "epoch"),
    "1/(1 + decay_rate epoch)": (inverse_time, "epoch"),
    "0.95^epoch": (exponential, "epoch"),
    "k/sqrt(epoch)": (inverse_sqrt_epoch, "epoch"),
    "k/sqrt(t)": (inverse_sqrt_step, "step"),
    "staircase (x0.5)": (staircase, "epoch"),
    "scheduled every time_interval": (scheduled, "epoch"),
    "cosine": (cosine, "step"),
    "warm-up + cosine": (warmup_cosine, "step"),
}


def alpha_per_step(name, num_epochs, steps_per_epoch, alpha0=0.1, decay_rate=1.0, k=1.0,
                   time_interval=10, warmup_epochs=5):
    """The learning rate of every update, shape ``(num_epochs * steps_per_epoch,)``.

    ``name`` is a key of :data:`SCHEDULES`; the other arguments are used by the schedules that
    have them (``decay_rate``: inverse-time and scheduled; ``k``: the square-root decays;
    ``time_interval``: scheduled and staircase, in epochs; ``warmup_epochs``: warm-up + cosine).
    Cosine schedules span the whole run.
    """
    check_choice("name", name, SCHEDULES)
    check_number("num_epochs", num_epochs, low=1, integer=True)
    check_number("steps_per_epoch", steps_per_epoch, low=1, integer=True)
    if SCHEDULES[name][0] is warmup_cosine:   # only the schedule that warms up reads it
        check_number("warmup_epochs", warmup_epochs, low=0, high=num_epochs, high_open=True)
    t = np.arange(num_epochs * steps_per_epoch)
    epoch = t // steps_per_epoch
    total = t.size
    function = SCHEDULES[name][0]
    if function is constant:
        return constant(epoch, alpha0)
    if function is inverse_time:
        return inverse_time(epoch, alpha0, decay_rate)
    if function is exponential:
        return exponential(epoch, alpha0)
    if function is inverse_sqrt_epoch:
        return inverse_sqrt_epoch(epoch, alpha0, k)
    if function is inverse_sqrt_step:
        return inverse_sqrt_step(t, alpha0, k)
    if function is staircase:
        return staircase(epoch, alpha0, 0.5, time_interval)
    if function is scheduled:
        return scheduled(epoch, alpha0, decay_rate, time_interval)
    if function is cosine:
        return cosine(t, alpha0, total)
    return warmup_cosine(t, alpha0, warmup_epochs * steps_per_epoch, total)
