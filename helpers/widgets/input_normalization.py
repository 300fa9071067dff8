"""Chapter 11's live experiment: one learning rate, raw versus standardized inputs, side by side."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as W
import numpy as np
from matplotlib.lines import Line2D

from .. import data, input_normalization, plots
from . import Experiment, LiveFigure, register

LEARNING_RATES = (1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 3.5e-3, 1e-2, 0.1, 0.5, 1.0, 1.7, 2.0)
ITERATIONS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 3000)
# Without / with normalization: plots.COLORS' pair, also chapter 9's plain and batch-norm networks.
RAW_AND_STANDARDIZED = (plots.COLORS["unnormalized"], plots.COLORS["normalized"])


@dataclass
class Problem:
    """One feature treatment: its data, minimum, contour grid and every precomputed run."""

    name: str
    X: np.ndarray
    y: np.ndarray
    w_star: np.ndarray
    J_star: float
    kappa: float
    max_alpha: float
    w1: np.ndarray
    w2: np.ndarray
    J_grid: np.ndarray
    runs: dict

    def relative_gap(self, k, num_iterations):
        """``(J_t - J*) / (J_0 - J*)`` of run ``k`` for ``t = 0..num_iterations`` (NaN after a
        divergence), floored at 1e-16 (the float64 round-off of ``J``)."""
        cost = self.runs["cost"][k, : num_iterations + 1]
        return np.maximum((cost - self.J_star) / (cost[0] - self.J_star), 1e-16)


def _problem(name, X, y, learning_rates, num_iterations, center, half_width=1.15, n=120):
    w_star, J_star = input_normalization.least_squares(X, y)
    w1 = np.linspace(center[0] - half_width, center[0] + half_width, n)
    w2 = np.linspace(center[1] - half_width, center[1] + half_width, n)
    runs = input_normalization.gradient_descent(X, y, np.array(learning_rates), num_iterations)
    return Problem(name, X, y, w_star, J_star, input_normalization.condition_number(X),
                   input_normalization.max_stable_learning_rate(X), w1, w2,
                   input_normalization.cost_surface(X, y, w1, w2), runs)


@lru_cache(maxsize=1)
def default_problems(learning_rates=LEARNING_RATES, num_iterations=ITERATIONS[-1]):
    """The raw and the standardized training sets of the chapter with every run precomputed."""
    X, y = input_normalization.make_unscaled_regression()
    (X_train, y_train), _ = data.train_dev_test_split(X, y, (0.75, 0.25))
    mu, sigma = data.fit_standardizer(X_train)
    X_norm = data.standardize(X_train, mu, sigma)
    out = []
    for name, F in (("raw inputs", X_train), ("standardized inputs", X_norm)):
        w_star, _ = input_normalization.least_squares(F, y_train)
        center = w_star[0] / 2  # halfway between the start w = 0 and the minimum
        out.append(_problem(name, F, y_train, learning_rates, num_iterations, center))
    return tuple(out)


@register("11_input_normalization")
def normalization_explorer(problems=None):
    """Cost contours of the raw and the standardized problem with the path of gradient descent."""
    problems = default_problems() if problems is None else problems
    learning_rates = LEARNING_RATES
    controls = {
        "learning_rate": W.SelectionSlider(options=learning_rates, value=3e-3, description="alpha"),
        "num_iterations": W.SelectionSlider(options=ITERATIONS, value=100, description="iterations"),
    }
    for control in controls.values():
        control.style.description_width = "80px"
        control.layout.width = "380px"

    live = LiveFigure(1, 3, figsize=(13, 4.4))
    # the positions the constrained layout finds (legend below): about 0.2 s less to build
    live.fix_layout(*([left, 0.20028, 0.28424, 0.73596] for left in (0.04002, 0.36775, 0.71255)))
    ax_curve = live.axes[2]
    paths, points, statuses, curves, ends = [], [], [], [], []
    for ax, problem, color in zip(live.axes[:2], problems, RAW_AND_STANDARDIZED):
        gap = problem.J_grid.max() - problem.J_star
        levels = problem.J_star + gap * np.geomspace(1e-3, 1, 12)
        ax.contour(problem.w1, problem.w2, problem.J_grid, levels=levels, colors="0.82", linewidths=0.9)  # light grey: the paths carry the colours
        ax.plot(*problem.w_star[0], marker="*", color=plots.COLORS["optimum"], markeredgecolor="k", markersize=15, linestyle="none")
        (path,) = ax.plot([], [], "-o", color=color, markersize=3, linewidth=1.2)
        (point,) = ax.plot([], [], "o", color=color, markeredgecolor="k", markersize=8)
        paths.append(live.animate(path))
        points.append(live.animate(point))
        statuses.append(live.animate(plots.draw_status(ax, "", loc=(0.5, 0.85))))
        ax.set_xlim(problem.w1[[0, -1]])
        ax.set_ylim(problem.w2[[0, -1]])
        ax.set_aspect("equal")
        plots.style_axes(ax, f"{problem.name}: $\\kappa$ = {problem.kappa:.1f}", "$w_1$", "$w_2$")
        (curve,) = ax_curve.plot([], [], color=color, linewidth=2)
        (end,) = ax_curve.plot([], [], "o", color=color, markeredgecolor="k", markersize=7)
        curves.append(live.animate(curve))
        ends.append(live.animate(end))
    ax_curve.set_xscale("log")
    ax_curve.set_yscale("log")
    ax_curve.set_xlim(1, ITERATIONS[-1])
    ax_curve.set_ylim(1e-12, 1e4)
    ax_curve.axhline(1e-6, color=plots.COLORS["reference"], linestyle=":", linewidth=1)
    ax_curve.text(1.3, 2e-6, "converged: gap < $10^{-6}$", fontsize=10, color=plots.COLORS["reference"])
    # One legend under the panels, made of proxies, so that it is part of the static background.
    proxies = [Line2D([], [], marker="*", color=plots.COLORS["optimum"], markeredgecolor="k", markersize=13, linestyle="none", label="minimum $w^*$")]
    proxies += [Line2D([], [], marker="o", markersize=4, color=c, label=f"gradient descent, {p.name}")
                for p, c in zip(problems, RAW_AND_STANDARDIZED)]
    live.fig.legend(handles=proxies, loc="lower center", bbox_to_anchor=(0.5, 0.01578), borderaxespad=0, ncol=3,
                    fontsize=10, frameon=False)
    plots.style_axes(ax_curve, "relative gap $(J - J^*) / (J_0 - J^*)$", "iteration t (log scale)", "relative gap (log scale)")
    curve_status = live.animate(plots.draw_status(ax_curve, "", loc=(0.5, 0.9), fontsize=11))

    def update(learning_rate, num_iterations):
        k = learning_rates.index(learning_rate)
        notes, diverged_names = [], []
        for problem, path, point, status, curve, end in zip(problems, paths, points, statuses, curves, ends):
            trail = problem.runs["path"][k, : num_iterations + 1]
            shown = trail[np.isfinite(trail[:, 0])]
            path.set_data(shown[:, 0], shown[:, 1])
            path.set_markevery(max(1, len(shown) // 60))  # a marker per step only while they can be told apart
            point.set_data(shown[-1:, 0], shown[-1:, 1])
            gap = problem.relative_gap(k, num_iterations)
            finite = np.isfinite(gap)
            t = np.arange(gap.size)
            curve.set_data(t[1:][finite[1:]], gap[1:][finite[1:]])
            last = np.flatnonzero(finite)[-1]
            end.set_data([max(last, 1)], [gap[last]])
            diverged = bool(problem.runs["diverged"][k]) and not finite.all()
            if diverged:
                diverged_names.append(problem.name)
            stable = learning_rate < problem.max_alpha
            plots.set_status(status, "diverged" if diverged else ("" if stable else "unstable: diverging"))
            # Below 1e-12 the gap is round-off, whose digits differ between CPUs: shown as a band.
            state = "diverged" if diverged else ("gap < 1e-12 (converged)" if gap[-1] < 1e-12 else f"gap {gap[-1]:.1e}")
            notes.append(f"{problem.name}: largest stable alpha {problem.max_alpha:.4f}, {state}")
        plots.set_status(curve_status, "diverged: " + ", ".join(diverged_names) if diverged_names else "")
        return f"alpha = {learning_rate:g}, t = {num_iterations}: " + "; ".join(notes)

    return Experiment(controls, live, update, title="Input normalization: the same alpha on raw and standardized inputs")
