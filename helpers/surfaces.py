"""Chapter 7: 2-D objectives with analytic gradients and known minima, and optimizer replays.

Each :class:`Surface` evaluates ``f`` and its gradient on points ``xy`` of shape ``(2, ...)``
(a single point ``(2,)``, a batch ``(2, K)`` or a grid ``(2, n, n)``), so a contour grid and a
trajectory use the same code. :func:`replay` runs any optimizer of :mod:`helpers.optim` on a
surface from a start point: the parameters are the dict ``{"xy": point}`` and the gradient is
``{"dxy": grad(point)}``, exactly what a network's training loop hands the same optimizer.

The four surfaces, all drawn on the box ``[-2, 2] x [-2, 2]``:

- ``quadratic``: ``x**2 / 20 + y**2``, ill-conditioned (curvatures 0.1 and 2, ratio 20);
- ``rosenbrock``: ``(1 - x)**2 + 100 (y - x**2)**2``, a curved narrow valley, minimum (1, 1);
- ``saddle``: ``x**2 + y**4 / 4 - y**2 / 2``: a saddle at the origin (a minimum along x, a
  maximum along y) between two minima at (0, -1) and (0, 1);
- ``plateau``: ``1 - exp(-2 (x**2 + y**2))``, nearly flat away from its narrow well at the origin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .validate import as_float_array, check_choice, check_number, describe, error

__all__ = ["Surface", "SURFACES", "get", "Trajectory", "replay", "replay_many", "steps_to_reach",
           "ESCAPE_RADIUS"]

ESCAPE_RADIUS = 1e4
"""A run whose point leaves ``max(|x|, |y|) <= ESCAPE_RADIUS`` has diverged: it is stopped there,
long before any square of a coordinate or gradient could overflow."""

@dataclass(frozen=True)
class Surface:
    """A 2-D objective: ``f(xy)`` and ``grad(xy)`` for ``xy`` of shape ``(2, ...)``.

    Attributes
    ----------
    name, formula : short name and a LaTeX formula for titles.
    minima : ``(k, 2)`` array of the global minimizers; ``f_min`` their value.
    extent : ``(x_min, x_max, y_min, y_max)`` of the plotted box.
    levels : contour levels that show the surface's shape.
    saddles : ``(k, 2)`` array of saddle points (empty if none).
    """

    name: str
    formula: str
    f_: Callable
    grad_: Callable
    minima: np.ndarray
    f_min: float
    levels: np.ndarray
    saddles: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    extent: tuple = (-2.0, 2.0, -2.0, 2.0)

    def f(self, xy):
        """``f`` at ``xy`` ``(2, ...)``; returns an array of shape ``xy.shape[1:]``."""
        return self.f_(*_points(xy))

    def grad(self, xy):
        """``(df/dx, df/dy)`` at ``xy`` ``(2, ...)``; returns an array of the shape of ``xy``."""
        return self.grad_(*_points(xy))

    def distance_to_minimum(self, xy):
        """Euclidean distance from ``xy`` ``(2, ...)`` to the nearest global minimizer."""
        x, y = _points(xy)
        return np.min([np.hypot(x - a, y - b) for a, b in self.minima], axis=0)

    def grid(self, n=120):
        """``(X, Y, F)`` on an ``n x n`` grid over :attr:`extent`, for contour plots."""
        check_number("n", n, low=2, integer=True)
        x0, x1, y0, y1 = self.extent
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        return X, Y, self.f(np.stack([X, Y]))


def _points(xy):
    xy = np.asarray(xy, dtype=np.float64)
    if xy.ndim < 1 or xy.shape[0] != 2:
        raise error("xy", f"shape {xy.shape}", "shape (2, ...) (x in row 0, y in row 1)", "np.stack([x, y])")
    return xy[0], xy[1]


def _quadratic(x, y):
    return x * x / 20 + y * y


def _quadratic_grad(x, y):
    return np.stack([x / 10, 2 * y])


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosenbrock_grad(x, y):
    r = y - x * x
    return np.stack([-2 * (1 - x) - 400 * x * r, 200 * r])


def _saddle(x, y):
    return x * x + y**4 / 4 - y * y / 2


def _saddle_grad(x, y):
    return np.stack([2 * x, y**3 - y])


def _plateau(x, y):
    return 1 - np.exp(-2 * (x * x + y * y))


def _plateau_grad(x, y):
    e = 4 * np.exp(-2 * (x * x + y * y))
    return np.stack([e * x, e * y])


SURFACES = {
    "quadratic": Surface("quadratic", r"$x^2/20 + y^2$", _quadratic, _quadratic_grad,
                         np.array([[0.0, 0.0]]), 0.0, np.geomspace(0.003, 4, 14)),
    "rosenbrock": Surface("rosenbrock", r"$(1-x)^2 + 100\,(y-x^2)^2$", _rosenbrock, _rosenbrock_grad,
                          np.array([[1.0, 1.0]]), 0.0, np.geomspace(0.05, 2500, 15)),
    "saddle": Surface("saddle", r"$x^2 + y^4/4 - y^2/2$", _saddle, _saddle_grad,
                      np.array([[0.0, -1.0], [0.0, 1.0]]), -0.25,
                      np.r_[-0.24, -0.2, -0.12, -0.05, 0.0, 0.1, 0.3, 0.7, 1.5, 3, 6], saddles=np.zeros((1, 2))),
    "plateau": Surface("plateau", r"$1 - e^{-2(x^2+y^2)}$", _plateau, _plateau_grad,
                       np.array([[0.0, 0.0]]), 0.0, np.r_[0.05, 0.2, 0.4, 0.6, 0.8, 0.9, 0.97, 0.99, 0.997, 0.999, 0.9997, 0.9999]),
}
"""Name -> :class:`Surface`."""


def get(name):
    """The surface called ``name`` (one of :data:`SURFACES`)."""
    check_choice("surface", name, SURFACES)
    return SURFACES[name]


@dataclass(frozen=True)
class Trajectory:
    """The path of one optimizer: ``points`` ``(n + 1, 2)`` (the start first), ``loss`` ``(n + 1,)``,
    and ``diverged`` (the run left the escape box or produced a non-finite value and was
    stopped; ``points`` then ends at the last point inside)."""

    points: np.ndarray
    loss: np.ndarray
    diverged: bool

    @property
    def steps(self):
        """Number of updates taken (fewer than asked when the run diverged)."""
        return len(self.points) - 1

    def head(self, num_steps):
        """The first ``num_steps`` updates of this run (a replay is deterministic, so this is
        what a run of ``num_steps`` gives): lets a cache answer a shorter request."""
        check_number("num_steps", num_steps, low=0, integer=True)
        if num_steps >= self.steps:
            return self
        return Trajectory(self.points[: num_steps + 1], self.loss[: num_steps + 1], False)


def _check_start(start):
    start = as_float_array("start", start, ndim=1)
    if start.shape != (2,):
        raise error("start", f"shape {start.shape}", "a point (x, y) of shape (2,)", "(-1.5, 1.6)")
    return start


def _check_optimizer(name, optimizer):
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "update")):
        raise error(name, describe(optimizer), "an optimizer from helpers.optim (with init and update)", "optim.adam(0.05)")


def replay(surface, optimizer, start, num_steps=100):
    """Run ``optimizer`` for ``num_steps`` updates on ``surface`` from ``start``.

    Parameters
    ----------
    surface : a :class:`Surface` or its name.
    optimizer : from :mod:`helpers.optim`, e.g. ``optim.adam(0.05)``.
    start : the point ``(x, y)``.
    num_steps : number of updates (>= 1).

    Returns
    -------
    :class:`Trajectory`; the run stops early, ``diverged=True``, as soon as the point is not
    finite or leaves the box ``max(|x|, |y|) <= ESCAPE_RADIUS``.
    """
    return replay_many(surface, {"run": optimizer}, start, num_steps)["run"]


def replay_many(surface, optimizers, start, num_steps=100):
    """:func:`replay` for several optimizers from the same start; returns name -> Trajectory.

    The optimizers advance in lockstep so that one call of the surface's gradient serves all of
    them (a ``(2, K)`` batch): what keeps a live replay of six optimizers fast.
    """
    surface = get(surface) if isinstance(surface, str) else surface
    if not isinstance(surface, Surface):
        raise error("surface", describe(surface), f"a Surface or one of {list(SURFACES)}", "'quadratic'")
    if not isinstance(optimizers, dict) or not optimizers:
        raise error("optimizers", describe(optimizers), "a non-empty dict name -> optimizer", "{'gd': optim.gd(0.1)}")
    for name, optimizer in optimizers.items():
        _check_optimizer(f"optimizers[{name!r}]", optimizer)
    start = _check_start(start)
    check_number("num_steps", num_steps, low=1, integer=True)

    names = list(optimizers)
    K = len(names)
    R = ESCAPE_RADIUS
    path = np.empty((num_steps + 1, 2, K))
    path[0] = start[:, None]
    current = path[0].copy()  # (2, K): the point of every run, for one batched gradient per step
    params = [{"xy": start.copy()} for _ in names]
    states = [optimizers[n].init(p) for n, p in zip(names, params)]
    updates = [optimizers[n].update for n in names]
    last = [num_steps] * K
    alive = list(range(K))
    for t in range(1, num_steps + 1):
        if not alive:
            break
        grads = surface.grad(current)
        for k in list(alive):
            params[k], states[k] = updates[k](params[k], {"dxy": grads[:, k]}, states[k])
            xy = params[k]["xy"]
            # Comparisons with NaN are False, so this also catches NaN; checking before the next
            # gradient keeps every later square of a coordinate far from overflow.
            if -R <= xy[0] <= R and -R <= xy[1] <= R:
                current[:, k] = xy
                path[t, :, k] = xy
            else:
                last[k] = t - 1
                alive.remove(k)
    result = {}
    for k, name in enumerate(names):
        points = path[: last[k] + 1, :, k]
        result[name] = Trajectory(points, surface.f(points.T), bool(last[k] < num_steps))
    return result


def steps_to_reach(surface, trajectory, tol=1e-2):
    """The first step from which the trajectory stays within ``tol`` of a global minimizer.

    Returns ``None`` when it never settles there (or diverged).
    """
    check_number("tol", tol, low=0, low_open=True)
    if trajectory.diverged:
        return None
    near = surface.distance_to_minimum(trajectory.points.T) < tol
    if not near[-1]:
        return None
    outside = np.flatnonzero(~near)
    return 0 if outside.size == 0 else int(outside[-1] + 1)
