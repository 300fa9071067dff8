"""Chapter 5's live experiment: batch size and learning rate -> cost curves, path, time per epoch."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import mini_batch, plots
from . import Experiment, LiveFigure, register

M = 256
SIZES = tuple(2**k for k in range(9))   # 1 .. 256 = m
LEARNING_RATES = (0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5)
NUM_EPOCHS = 20
MAX_POINTS = 400   # points per drawn curve: dense zigzags are slow to rasterize


@dataclass
class Grid:
    X: np.ndarray
    Y: np.ndarray
    optimum: tuple
    runs: dict            # mini_batch_size -> line_sgd result for all LEARNING_RATES
    epoch_seconds: dict   # mini_batch_size -> median seconds per epoch, measured at build


@lru_cache(maxsize=1)
def precompute():
    """Every run of the experiment and the measured time per epoch of every batch size."""
    X, Y = mini_batch.make_line_data(M)
    runs = {size: mini_batch.line_sgd(X, Y, size, LEARNING_RATES, NUM_EPOCHS) for size in SIZES}
    epoch_seconds = {size: mini_batch.time_line_epoch(X, Y, size) for size in SIZES}
    return Grid(X, Y, mini_batch.line_optimum(X, Y), runs, epoch_seconds)


def _thin(n):
    return np.unique(np.linspace(0, n - 1, min(n, MAX_POINTS)).round().astype(int))


@register("05_mini_batch")
def mini_batch_explorer():
    """Excess cost against epochs, the (w, b) path on the contours, and the measured time per epoch."""
    grid = precompute()
    w_star, b_star, J_star = grid.optimum
    controls = {
        "mini_batch_size": W.SelectionSlider(options=SIZES, value=64, description="mini_batch_size"),
        "learning_rate": W.SelectionSlider(options=LEARNING_RATES, value=0.2, description="learning rate"),
    }
    for control in controls.values():
        control.style.description_width = "110px"

    live = LiveFigure(1, 3, figsize=(13, 4.3), gridspec_kw={"width_ratios": [1.2, 1.1, 1]})
    # the margins the constrained layout finds (room below for the legend): about 0.25 s less to build
    live.fix_layout(left=0.0545, right=0.9968, bottom=0.196, top=0.9415, wspace=0.216)
    ax_cost, ax_path, ax_time = live.axes

    def excess_curve(size, k):
        run = grid.runs[size]
        index = _thin(run["cost"].shape[1])
        return index / run["steps_per_epoch"], np.maximum(run["cost"][k, index] - J_star, 1e-9)

    others_x = np.concatenate([np.append(excess_curve(s, 0)[0], np.nan) for s in SIZES])
    (others,) = ax_cost.plot(others_x, np.ones(others_x.size), color=plots.COLORS["reference"], lw=1, label="other sizes")
    (chosen,) = ax_cost.plot([], [], color=plots.COLORS["train"], lw=2, label="chosen mini_batch_size")
    live.animate(others, chosen)
    ax_cost.set_yscale("log")
    # powers of ten written out, not typeset as formulas: a tenth of a second less at build
    plots.decade_ticks(ax_cost.yaxis, -5, 2)
    ax_cost.set_xlim(0, NUM_EPOCHS)
    ax_cost.set_ylim(1e-5, 1e2)
    plots.style_axes(ax_cost, "excess training cost", "epoch", r"$J(w, b) - J^*$")
    cost_status = live.animate(plots.draw_status(ax_cost, "", loc=(0.5, 0.5)))

    w_grid, b_grid = np.meshgrid(np.linspace(-2, 4, 120), np.linspace(-5, 6, 120))
    J = mini_batch.line_cost(w_grid, b_grid, grid.X, grid.Y)
    ax_path.contour(w_grid, b_grid, J - J_star, levels=np.geomspace(0.01, 30, 10), colors=plots.COLORS["reference"], linewidths=0.8)
    (minimum,) = ax_path.plot([w_star], [b_star], "*", color="k", mfc=plots.COLORS["optimum"], markersize=14, label="minimum")
    start = grid.runs[SIZES[0]]["path"][0, 0]
    (start_point,) = ax_path.plot([start[0]], [start[1]], "s", color="k", mfc="white", markersize=7, label="start")
    (path,) = ax_path.plot([], [], color=plots.COLORS["train"], lw=1, label="chosen mini_batch_size")
    live.animate(path)
    ax_path.set_xlim(-2, 4)
    ax_path.set_ylim(-5, 6)
    plots.style_axes(ax_path, "path on the cost contours", "w", "b")
    # One legend outside the axes: drawn once with the background, never over a moving curve.
    live.fig.legend(handles=[chosen, others, minimum, start_point], fontsize=10, ncol=4, loc="lower center",
                    frameon=False)
    path_status = live.animate(plots.draw_status(ax_path, "", loc=(0.5, 0.12)))

    seconds = np.array([grid.epoch_seconds[s] for s in SIZES]) * 1e3
    positions = np.arange(len(SIZES))
    bars = ax_time.bar(positions, seconds, color=plots.COLORS["reference"])
    live.animate(*bars)
    ax_time.set_xticks(positions, [str(s) for s in SIZES], fontsize=9)
    ax_time.set_yscale("log")
    ticks = [0.001, 0.01, 0.1, 1, 10, 100]
    ax_time.set_yticks(ticks, plots.plain_tick_labels(ticks))
    ax_time.set_ylim(seconds.min() / 2, seconds.max() * 3)
    plots.style_axes(ax_time, "time per epoch (at build)", "mini_batch_size", "CPU ms per epoch")

    def update(mini_batch_size, learning_rate):
        k = LEARNING_RATES.index(learning_rate)
        run = grid.runs[mini_batch_size]
        others.set_ydata(np.concatenate([np.append(excess_curve(s, k)[1], np.nan) for s in SIZES]))
        chosen.set_data(*excess_curve(mini_batch_size, k))
        index = _thin(run["path"].shape[1])
        path.set_data(run["path"][k, index, 0], run["path"][k, index, 1])
        for size, bar in zip(SIZES, bars):
            bar.set_color(plots.COLORS["train"] if size == mini_batch_size else plots.COLORS["reference"])
        diverged = bool(run["diverged"][k])
        plots.set_status(cost_status, "diverged" if diverged else "")
        plots.set_status(path_status, "diverged" if diverged else "")
        kind = "batch gradient descent" if mini_batch_size == M else (
            "stochastic gradient descent" if mini_batch_size == 1 else "mini-batch gradient descent")
        steps = run["steps_per_epoch"]
        excess = run["cost"][k] - J_star
        after = ("diverged" if diverged else
                 f"excess cost after 1 epoch {excess[steps]:.2g}, after {NUM_EPOCHS} epochs {excess[-1]:.2g}")
        return (f"<b>{kind}</b>, m = {M}: {steps} update(s) per epoch, "
                f"{grid.epoch_seconds[mini_batch_size] * 1e3:.2f} ms per epoch (CPU time measured when this "
                f"experiment was built, median of 3); learning rate {learning_rate}: {after}")

    return Experiment(controls, live, update, title="Mini-batch size and learning rate")
