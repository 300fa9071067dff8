"""helpers.surfaces: gradients against numerical ones, minima and saddles, replays, divergence,
and chapter 7's playground beyond the generic widget drive."""

import warnings

import numpy as np
import pytest

from helpers import optim, surfaces
from helpers.gradcheck import max_relative_error, numerical_gradient
from helpers.widgets import optimizers as playground

NAMES = list(surfaces.SURFACES)
POINTS = np.array([[-1.5, 1.6], [0.3, -0.7], [1.2, 1.1], [-0.4, 0.05], [1.9, -1.9]])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("point", POINTS.tolist())
def test_gradient_matches_numerical_gradient(name, point):
    surface = surfaces.get(name)
    xy = np.array(point)
    f = surface.f
    if name == "plateau" and surface.f(xy) > 1 - 1e-4:
        # Far out on the plateau f = 1 - (something below 1e-4): a difference of two values near 1
        # keeps too few digits, so differentiate the same function written without the 1.
        f = lambda xy: -np.exp(-2 * (xy[0] ** 2 + xy[1] ** 2))  # noqa: E731
    numeric = numerical_gradient(lambda: f(xy), xy, epsilon=1e-6)
    assert max_relative_error(numeric, surface.grad(xy)) < 1e-7


@pytest.mark.parametrize("name", NAMES)
def test_minima_and_saddles(name):
    surface = surfaces.get(name)
    for point in surface.minima:
        np.testing.assert_allclose(surface.grad(point), 0.0, atol=1e-12)
        assert surface.f(point) == pytest.approx(surface.f_min, abs=1e-12)
    for point in surface.saddles:
        np.testing.assert_allclose(surface.grad(point), 0.0, atol=1e-12)
        assert surface.f(point) > surface.f_min
    X, Y, F = surface.grid(80)
    assert F.shape == (80, 80) and F.min() >= surface.f_min - 1e-12
    assert surface.distance_to_minimum(surface.minima.T).max() == pytest.approx(0.0, abs=1e-12)


def test_saddle_has_a_negative_curvature_direction():
    surface = surfaces.get("saddle")
    h = 1e-4
    assert surface.f(np.array([0.0, h])) < 0 < surface.f(np.array([h, 0.0]))


@pytest.mark.parametrize("name", NAMES)
def test_batches_and_grids_have_the_right_shapes(name):
    surface = surfaces.get(name)
    batch = POINTS.T  # (2, 5)
    assert surface.f(batch).shape == (5,)
    assert surface.grad(batch).shape == (2, 5)
    for k in range(5):
        np.testing.assert_allclose(surface.grad(batch)[:, k], surface.grad(POINTS[k]))
    assert surface.grad(np.zeros((2, 3, 4))).shape == (2, 3, 4)


def test_validation():
    surface = surfaces.get("quadratic")
    with pytest.raises(ValueError, match=r"xy: got shape \(3, 2\), expected shape \(2, \.\.\.\)"):
        surface.f(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="surface: got 'himmelblau', expected one of"):
        surfaces.get("himmelblau")
    with pytest.raises(ValueError, match=r"start: got shape \(3,\), expected a point"):
        surfaces.replay(surface, optim.gd(0.1), (1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="num_steps"):
        surfaces.replay(surface, optim.gd(0.1), (1.0, 2.0), num_steps=0)
    with pytest.raises(ValueError, match=r"start: got 1 NaN or inf value\(s\)"):
        surfaces.replay(surface, optim.gd(0.1), (np.nan, 2.0))
    with pytest.raises(ValueError, match="optimizers\\['run'\\]: got 'adam' \\(a str\\), expected an optimizer from helpers.optim"):
        surfaces.replay(surface, "adam", (1.0, 2.0))


def test_replay_shapes_and_start():
    run = surfaces.replay("quadratic", optim.gd(0.5), (-1.5, 1.6), 40)
    assert run.points.shape == (41, 2) and run.loss.shape == (41,)
    np.testing.assert_array_equal(run.points[0], [-1.5, 1.6])
    assert run.steps == 40 and not run.diverged
    assert run.loss[-1] < run.loss[0]


def test_replay_many_equals_separate_replays():
    opts = {n: optim.make(n, 0.05) for n in optim.OPTIMIZERS}
    together = surfaces.replay_many("saddle", opts, (-1.5, 1.6), 60)
    for name in opts:
        alone = surfaces.replay("saddle", optim.make(name, 0.05), (-1.5, 1.6), 60)
        np.testing.assert_array_equal(together[name].points, alone.points)


@pytest.mark.parametrize("surface, lr", [("quadratic", 1.2), ("rosenbrock", 0.1), ("rosenbrock", 2.0), ("saddle", 2.0)])
def test_divergence_stops_the_run_without_warnings(surface, lr):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = surfaces.replay(surface, optim.gd(lr), (-1.5, 1.6), 300)
    assert run.diverged and run.steps < 300
    assert np.all(np.isfinite(run.points)) and np.all(np.isfinite(run.loss))
    assert np.abs(run.points).max() <= surfaces.ESCAPE_RADIUS


def test_gd_at_the_edge_of_stability_on_the_quadratic():
    # curvature 2 along y: GD converges for alpha < 1 and diverges above
    assert not surfaces.replay("quadratic", optim.gd(0.95), (-1.5, 1.6), 300).diverged
    assert surfaces.replay("quadratic", optim.gd(1.05), (-1.5, 1.6), 300).diverged


def test_exact_start_on_the_saddles_stable_line_never_escapes():
    # on the line y = 0 the gradient has no y component: every optimizer slides to the saddle
    for name in optim.OPTIMIZERS:
        run = surfaces.replay("saddle", optim.make(name, 0.05), (-1.5, 0.0), 300)
        assert np.all(run.points[:, 1] == 0.0)
        assert surfaces.get("saddle").distance_to_minimum(run.points.T).min() >= 1.0


def test_adaptive_methods_leave_the_saddle_faster():
    def steps_to_leave(run):
        return int(np.argmax(np.abs(run.points[:, 1]) > 0.5))

    gd_run = surfaces.replay("saddle", optim.gd(0.1), (-1.5, 0.01), 300)
    for name in ("rmsprop", "adam"):
        run = surfaces.replay("saddle", optim.make(name, 0.05), (-1.5, 0.01), 300)
        assert 0 < steps_to_leave(run) < steps_to_leave(gd_run) / 2


def test_adaptive_methods_cross_the_plateau_faster():
    start = (-1.5, 1.6)
    gd_run = surfaces.replay("plateau", optim.gd(0.5), start, 200)
    adam_run = surfaces.replay("plateau", optim.adam(0.1), start, 200)
    s = surfaces.get("plateau")
    assert surfaces.steps_to_reach(s, adam_run, 0.05) < 100
    assert s.distance_to_minimum(gd_run.points[100]) > 1.5


def test_steps_to_reach_and_head():
    s = surfaces.get("quadratic")
    run = surfaces.replay(s, optim.gd(0.9), (-1.5, 1.6), 200)
    k = surfaces.steps_to_reach(s, run, 1e-2)
    assert k is not None and 0 < k < 200
    assert np.all(s.distance_to_minimum(run.points[k:].T) < 1e-2)
    assert s.distance_to_minimum(run.points[k - 1]) >= 1e-2
    short = run.head(20)
    assert short.steps == 20 and not short.diverged
    np.testing.assert_array_equal(short.points, surfaces.replay(s, optim.gd(0.9), (-1.5, 1.6), 20).points)
    assert surfaces.steps_to_reach(s, short, 1e-2) is None


# ---------------------------------------------------------------- the playground


@pytest.fixture(scope="module")
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return playground.optimizer_playground()


def status_text(explorer):
    status = [text for text in explorer.texts(1) if text.startswith("diverged")]
    return status[0] if status else ""


def test_playground_says_diverged_on_the_plot(explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.set(surface="rosenbrock", alpha=max(playground.ALPHAS), steps=max(playground.STEPS))
    assert "GD" in status_text(explorer) and "diverged" in explorer.readout.value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.set(surface="quadratic", alpha=0.3)
    assert status_text(explorer) == ""


def test_playground_draws_each_selected_optimizer_in_its_colour(explorer):
    from helpers import plots

    explorer.set(surface="quadratic", optimizers=("gd", "adam"), alpha=0.3, steps=50)
    lines = [line for line in explorer.axes[0].lines if line.get_visible() and len(line.get_xdata()) > 1]
    assert sorted(line.get_color() for line in lines) == sorted([plots.COLORS["gd"], plots.COLORS["adam"]])
    expected = surfaces.replay("quadratic", optim.gd(0.3), (explorer.values["x0"], explorer.values["y0"]), 50)
    gd_line = next(line for line in lines if line.get_color() == plots.COLORS["gd"])
    np.testing.assert_allclose(gd_line.get_xydata(), expected.points)
    explorer.set(optimizers=tuple(optim.OPTIMIZERS))


def test_playground_answers_shorter_runs_from_its_cache(explorer):
    explorer.set(surface="saddle", steps=200, alpha=0.1, alpha_adaptive=0.03)
    cached = len(explorer.replays.runs)
    explorer.set(steps=20)
    explorer.set(steps=100)
    assert len(explorer.replays.runs) == cached


def test_playground_at_every_extreme_at_once_stays_finite(explorer):
    lows = {"alpha": min(playground.ALPHAS), "alpha_adaptive": min(playground.ALPHAS_ADAPTIVE), "beta": 0.0,
            "beta1": 0.0, "beta2": 0.0, "x0": -2.0, "y0": -2.0, "steps": max(playground.STEPS)}
    highs = {"alpha": max(playground.ALPHAS), "alpha_adaptive": max(playground.ALPHAS_ADAPTIVE),
             "beta": max(playground.BETAS), "beta1": max(playground.BETAS1), "beta2": max(playground.BETAS2),
             "x0": 2.0, "y0": 2.0, "steps": max(playground.STEPS)}
    for surface in surfaces.SURFACES:
        for values in (lows, highs):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                explorer.set(surface=surface, **values)
            for line in explorer.axes[1].lines:
                if line.get_visible():
                    assert np.all(np.isfinite(line.get_ydata()))
