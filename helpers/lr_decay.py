"""Chapter 8: learning-rate decay at work (the schedules themselves are in :mod:`helpers.schedules`).

- :func:`noisy_quadratic_sgd` runs SGD with gradient noise near the minimum of a 2-D quadratic, the
  picture of mini-batch SGD close to a minimum, several schedules at once (each update is
  :func:`helpers.optim.gd_step`, with one learning rate per run and per update);
- :func:`final_spread` measures how far the iterates still wander at the end;
- the exercises' checkers, :func:`check_inverse_time` and :func:`check_staircase`, grade a
  learner's schedules, naming the first precise difference (epochs counted from 1 as in the source
  notes, a missing floor, ...).
"""

from __future__ import annotations

import numpy as np

from . import exercises, optim, schedules
from .validate import as_float_array, check_number

__all__ = [
    "noisy_quadratic_cost",
    "noisy_quadratic_sgd",
    "final_spread",
    "check_inverse_time",
    "check_staircase",
]


# ---------------------------------------------------------------- SGD near a minimum


def noisy_quadratic_cost(theta, curvatures=(1.0, 4.0)):
    """``J(theta) = (h1 theta_1^2 + h2 theta_2^2) / 2`` for ``theta`` of shape (..., 2); minimum 0 at 0."""
    theta = as_float_array("theta", theta)
    if theta.shape[-1:] != (2,):
        raise ValueError(f"theta: got shape {theta.shape}, expected shape (..., 2)")
    h = as_float_array("curvatures", curvatures, ndim=1)
    return 0.5 * np.sum(h * theta**2, axis=-1)


def noisy_quadratic_sgd(alphas, start=(-2.5, 1.5), curvatures=(1.0, 4.0), noise_std=1.0, seed=0,
                        divergence_limit=1e6):
    """SGD on ``J = (h1 x^2 + h2 y^2) / 2`` with noisy gradients ``H theta + noise_std * xi_t``.

    The noise plays the part of the mini-batch's sampling noise: near the minimum the true
    gradient vanishes but the noisy one does not, so a fixed alpha keeps the iterates wandering at
    a distance that grows with alpha, while a decaying alpha lets them settle. Each update is
    :func:`helpers.optim.gd_step`, the rule of ``optim.gd``, on the two coordinates as plain
    numbers: for a point in 2-D this loop is about 20 times faster than one through numpy
    arrays and the optimizer's dicts, and the chapter's widget runs it at every slider move.

    Parameters
    ----------
    alphas : array (T,) or (S, T): the learning rate of each update, for S runs at once. All runs
        see the same noise ``xi_t`` (seeded), so their differences come from the schedule alone.
    start : the starting point (2,). curvatures : ``(h1, h2)``, positive.
    noise_std : standard deviation of each gradient component's noise, >= 0.
    divergence_limit : a run whose ``|theta|`` exceeds it is stopped and marked diverged (its
        remaining points are NaN), which keeps every number finite.

    Returns
    -------
    trajectory : array (T + 1, 2) or (S, T + 1, 2), the start point first.
    diverged : bool or bool array (S,).
    """
    alphas = as_float_array("alphas", alphas, ndim=(1, 2))
    if np.any(alphas < 0):
        raise ValueError(f"alphas: got a minimum of {alphas.min()}, expected learning rates >= 0")
    single = alphas.ndim == 1
    alphas = np.atleast_2d(alphas)
    start = as_float_array("start", start, ndim=1)
    h = as_float_array("curvatures", curvatures, ndim=1)
    if start.shape != (2,) or h.shape != (2,) or np.any(h <= 0):
        raise ValueError(f"start, curvatures: got {start.tolist()} and {h.tolist()}, expected 2 numbers each "
                         "(curvatures > 0)")
    check_number("noise_std", noise_std, low=0)
    check_number("seed", seed, low=0, integer=True)
    check_number("divergence_limit", divergence_limit, low=0, low_open=True)
    S, T = alphas.shape
    noise = np.random.default_rng(seed).standard_normal((T, 2)) * noise_std
    noise_1, noise_2 = noise[:, 0].tolist(), noise[:, 1].tolist()
    h1, h2 = float(h[0]), float(h[1])
    limit = float(divergence_limit)
    trajectory = np.full((S, T + 1, 2), np.nan)
    diverged = np.zeros(S, dtype=bool)
    for run, run_alphas in enumerate(alphas.tolist()):
        theta_1, theta_2 = float(start[0]), float(start[1])
        path = [(theta_1, theta_2)]
        for alpha, xi_1, xi_2 in zip(run_alphas, noise_1, noise_2):
            theta_1 = optim.gd_step(theta_1, h1 * theta_1 + xi_1, alpha)
            theta_2 = optim.gd_step(theta_2, h2 * theta_2 + xi_2, alpha)
            if not (abs(theta_1) <= limit and abs(theta_2) <= limit):  # also catches inf and NaN
                diverged[run] = True  # stopped here: nothing grows on to overflow; the rest stays NaN
                break
            path.append((theta_1, theta_2))
        trajectory[run, : len(path)] = path
    return (trajectory[0], bool(diverged[0])) if single else (trajectory, diverged)


def final_spread(trajectory, last=100):
    """Root-mean-square distance to the minimum (the origin) over the ``last`` points.

    ``trajectory`` is (T + 1, 2) or (S, T + 1, 2); a diverged run's spread is ``inf``.
    """
    trajectory = np.asarray(trajectory, dtype=float)
    if trajectory.ndim not in (2, 3) or trajectory.shape[-1] != 2:
        raise ValueError(f"trajectory: got shape {trajectory.shape}, expected (T + 1, 2) or (S, T + 1, 2)")
    check_number("last", last, low=1, high=trajectory.shape[-2], integer=True)
    tail = trajectory[..., -last:, :]
    finite = np.all(np.isfinite(tail), axis=(-2, -1))
    squared = np.where(np.isfinite(tail), tail, 0.0) ** 2
    spread = np.sqrt(np.mean(np.sum(squared, axis=-1), axis=-1))
    spread = np.where(finite, spread, np.inf)
    return float(spread) if np.ndim(spread) == 0 else spread


# ---------------------------------------------------------------- exercises


def _alphas(fn, epochs, *args):
    values = []
    for epoch in epochs:
        value = exercises.call(fn, epoch, *args)
        try:
            values.append(float(value))
        except (TypeError, ValueError):
            raise exercises.Mistake(f"at epoch {epoch} the function returned {type(value).__name__}, "
                                    "expected one number (the learning rate)") from None
    got = np.array(values)
    if not np.all(np.isfinite(got)):
        first = int(np.argmax(~np.isfinite(got)))
        raise exercises.Mistake(f"alpha is not finite at epoch {epochs[first]} (a division by zero?)")
    return got


def _first_difference(got, expected, epochs):
    first = int(np.argmax(~np.isclose(got, expected)))
    return f"alpha differs first at epoch {epochs[first]}: expected {expected[first]:.6g}, got {got[first]:.6g}"


@exercises.checker("inverse-time decay")
def check_inverse_time(fn, alpha0=0.2, decay_rate=0.5, num_epochs=20):
    """Check a learner's ``fn(epoch, alpha0, decay_rate) -> alpha`` against :func:`schedules.inverse_time`.

    Epochs count from 0 (the first epoch uses ``alpha0``). Names: the notes' count from 1, a
    missing ``1 +``, multiplying instead of dividing, ``decay_rate`` applied as a power.
    """
    epochs = list(range(num_epochs))
    got = _alphas(fn, epochs, alpha0, decay_rate)
    e = np.array(epochs, dtype=float)
    expected = schedules.inverse_time(e, alpha0, decay_rate)
    if np.allclose(got, expected):
        return (f"alpha0 / (1 + decay_rate epoch): {expected[0]:g} at epoch 0, {expected[1]:.4g} at epoch 1, "
                f"{expected[-1]:.4g} at epoch {epochs[-1]}")
    if np.allclose(got, schedules.inverse_time(e + 1, alpha0, decay_rate)):
        raise exercises.Mistake("the first epoch already uses alpha0 / (1 + decay_rate): that counts epochs from 1, "
                                "the source notes' convention; here epochs count from 0, so epoch 0 uses alpha0")
    with np.errstate(divide="ignore"):
        if np.allclose(got[1:], alpha0 / (decay_rate * e[1:])):
            raise exercises.Mistake("the 1 + is missing: alpha0 / (1 + decay_rate * epoch)")
    if np.allclose(got, alpha0 * (1 + decay_rate * e)):
        raise exercises.Mistake("alpha grows: divide alpha0 by (1 + decay_rate * epoch), do not multiply")
    if np.allclose(got, alpha0 / (1 + decay_rate) ** e):
        raise exercises.Mistake("that is an exponential decay, alpha0 / (1 + decay_rate)**epoch: inverse-time decay "
                                "divides by 1 + decay_rate * epoch")
    raise exercises.Mistake(_first_difference(got, expected, epochs))


@exercises.checker("the staircase schedule")
def check_staircase(fn, alpha0=0.4, drop=0.5, epochs_per_drop=5, num_epochs=23):
    """Check a learner's ``fn(epoch, alpha0, drop, epochs_per_drop) -> alpha`` against :func:`schedules.staircase`.

    ``alpha0 * drop^floor(epoch / epochs_per_drop)``. Names: no floor (a smooth exponential), a drop
    every epoch, rounding instead of flooring, the first drop one interval early.
    """
    epochs = list(range(num_epochs))
    got = _alphas(fn, epochs, alpha0, drop, epochs_per_drop)
    e = np.array(epochs, dtype=float)
    expected = schedules.staircase(e, alpha0, drop, epochs_per_drop)
    if np.allclose(got, expected):
        return (f"alpha stays at {expected[0]:g} for epochs 0-{epochs_per_drop - 1}, then {expected[epochs_per_drop]:g}, "
                f"... ({expected[-1]:g} at epoch {epochs[-1]})")
    if np.allclose(got, alpha0 * drop ** (e / epochs_per_drop)):
        raise exercises.Mistake("alpha falls smoothly: the staircase drops only at whole intervals, "
                                "drop ** floor(epoch / epochs_per_drop) (np.floor or //)")
    if np.allclose(got, alpha0 * drop**e):
        raise exercises.Mistake("alpha drops every epoch: divide the epoch by epochs_per_drop (and floor it)")
    if np.allclose(got, alpha0 * drop ** np.round(e / epochs_per_drop)):
        raise exercises.Mistake("you rounded epoch / epochs_per_drop: use floor (np.floor or //), so alpha drops at "
                                "the end of each interval")
    if np.allclose(got, alpha0 * drop ** np.floor((e + 1) / epochs_per_drop)):
        raise exercises.Mistake(f"alpha drops one epoch early (at epoch {epochs_per_drop - 1}): that counts epochs "
                                "from 1, the source notes' convention; here the first epoch is epoch 0")
    raise exercises.Mistake(_first_difference(got, expected, epochs))
